// The partition group picker: the viewer puts each node on a side (two or
// more sides, or on none: a node on no side keeps every link) and injects a
// partition between the sides at the current time, as one ordinary injected
// action (`partition a,b/c,d [planes=P]`, scenario/inject.rs), so it lands in
// the list, the URL's `act=` and the deterministic re-run like any other.
// A table of radio groups: one row (one radio group) per node, one column per
// side, so arrow keys move a node between sides and Tab goes from node to node.
// Names come from scenario files: everything is built with textContent.

/** A topology with more nodes than this gets a text field in the core's form instead of a table. */
export const PICKER_NODES_MAX = 64;
/** At most this many sides (a partition into more groups than this is better written by hand). */
export const SIDES_MAX = 6;

function el(tag, attrs = {}, text = '') {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

/** The action text for `sideOf` (node name → side number, 0 for none; a node not in it is on side 1), or an error sentence. */
export function partitionAction(names, sideOf, plane) {
  const groups = [];
  for (const name of names) {
    const side = sideOf.get(name) ?? 1;
    if (side > 0) (groups[side - 1] ??= []).push(name);
  }
  const sides = groups.filter((g) => g?.length);
  if (sides.length < 2) return { error: 'Put nodes on at least two sides.' };
  return { action: `partition ${sides.map((g) => g.join(',')).join('/')}${plane ? ` planes=${plane}` : ''}` };
}

/**
 * @param p { $, topology() (the run's topology, or null), add(actionText), heal(), signal }
 * Returns { refresh() (rebuild for a new topology), pick(sides) (node name → side, then focus the table) }.
 */
export function createPartitionPicker({ $, topology, add, heal, signal }) {
  const box = $('partition');
  const table = $('partition-table');
  const planes = $('partition-planes');
  const preview = $('partition-preview');
  let shownFor = null;
  let sideCount = 2;
  let sideOf = new Map();
  let text = null; // the groups' text field, for a topology too big for the table
  $('partition-groups').addEventListener('input', showPreview, { signal });

  function names() {
    const t = topology();
    return t ? t.nodes.map((n) => n.name) : [];
  }

  function current() {
    if (text) {
      const groups = text.value.trim().replace(/\s+/g, '');
      return groups ? { action: `partition ${groups}${planes.value ? ` planes=${planes.value}` : ''}` } : { error: 'Write the groups, like a,b/c,d.' };
    }
    return partitionAction(names(), sideOf, planes.value);
  }

  function showPreview() {
    const { action, error } = current();
    preview.textContent = error ?? `Adds at the current time: ${action}`;
    preview.classList.toggle('error', Boolean(error));
  }

  function header() {
    const row = el('tr');
    row.append(el('th', { scope: 'col' }, 'Node'));
    for (let s = 1; s <= sideCount; s++) row.append(el('th', { scope: 'col' }, `Side ${s}`));
    row.append(el('th', { scope: 'col' }, 'No side'));
    const head = el('thead');
    head.append(row);
    return head;
  }

  function nodeRow(node, i) {
    const row = el('tr');
    const th = el('th', { scope: 'row' }, node.name);
    if (node.model === 'client') th.append(el('span', { class: 'muted' }, ' (client)'));
    row.append(th);
    const side = sideOf.get(node.name) ?? 1;
    for (let s = 1; s <= sideCount + 1; s++) {
      const value = s <= sideCount ? s : 0;
      const radio = el('input', { type: 'radio', name: `partition-node-${i}`, value: String(value), 'aria-label': value ? `${node.name} on side ${value}` : `${node.name} on no side` });
      radio.checked = value === side;
      radio.addEventListener('change', () => { sideOf.set(node.name, value); showPreview(); });
      const cell = el('td');
      cell.append(radio);
      row.append(cell);
    }
    return row;
  }

  function build() {
    const t = topology();
    shownFor = keyOf(t);
    text = null;
    planes.replaceChildren(el('option', { value: '' }, 'every plane'), ...(t?.planes ?? []).map((p) => el('option', { value: p }, `plane ${p}`)));
    if (!t) { table.replaceChildren(); return; }
    // Hundreds of rows of radio buttons are no help: then the groups in the core's form.
    const many = t.nodes.length > PICKER_NODES_MAX;
    table.hidden = many;
    $('partition-text').hidden = !many;
    if (many) {
      text = $('partition-groups');
      // Start from the nodes picked on the stage (their sides), for the viewer to complete.
      const sides = [];
      for (const [name, side] of sideOf) if (side > 0) (sides[side - 1] ??= []).push(name);
      if (sideOf.size) text.value = sides.filter(Boolean).map((g) => g.join(',')).join('/');
      $('partition-add-side').hidden = true;
      showPreview();
      return;
    }
    $('partition-add-side').hidden = sideCount >= SIDES_MAX;
    const body = el('tbody');
    body.append(...t.nodes.map(nodeRow));
    const caption = el('caption', { class: 'visually-hidden' }, 'Which side of the partition each node is on');
    table.replaceChildren(caption, header(), body);
    showPreview();
  }

  /** What the table depends on: node names and planes (each re-run has a new topology object with the same names). */
  const keyOf = (t) => (t ? `${t.nodes.map((n) => n.name).join(',')}|${t.planes.join(',')}` : '');

  function refresh() {
    if (keyOf(topology()) !== shownFor) {
      sideOf = new Map();
      sideCount = 2;
      build();
    }
  }

  function pick(sides) {
    refresh();
    sideOf = new Map(sides);
    sideCount = Math.min(SIDES_MAX, Math.max(2, ...sideOf.values()));
    build();
    $('inject-box').open = true;
    if (text) { text.focus(); return; }
    const index = names().indexOf([...sideOf.keys()][0]);
    (table.querySelector(`input[name="partition-node-${index}"]:checked`) ?? table.querySelector('input'))?.focus();
  }

  $('partition-add-side').addEventListener('click', () => {
    sideCount = Math.min(SIDES_MAX, sideCount + 1);
    build();
    table.querySelector(`thead th:nth-child(${sideCount + 1})`)?.scrollIntoView?.({ block: 'nearest' });
  }, { signal });
  planes.addEventListener('change', showPreview, { signal });
  box.addEventListener('submit', (e) => {
    e.preventDefault();
    const { action, error } = current();
    if (error) { showPreview(); return; }
    add(action);
  }, { signal });
  // Healing these sides heals only the links a cut between them cut (heal_partition).
  $('partition-heal-sides').addEventListener('click', () => {
    const { action, error } = current();
    if (error) { showPreview(); return; }
    add(action.replace(/^partition /, 'heal_partition '));
  }, { signal });
  $('partition-heal').addEventListener('click', () => heal(), { signal });

  return { refresh, pick };
}
