// The stage's legend for nodes, generated from what this run's nodes actually
// were (topology.nodes[i].taken, exported by the core): each role colour with
// the words the models use for it ("leader", "primary", "active"), each health
// mark that occurs, spares (nodes left out of the run) when there are any, and
// the split-brain and lost-writes marks when they occur.
// Plus the view matrix: for each node with a failure detector, whom it hears
// from now and whom it follows. DOM built with textContent only.
import { readFrame, factOf, nodeField, NodeField, HEALTH_NAMES, Health } from '../lib/frame-layout.js';
import { SPARE_WORDS } from './node-words.js';

function span(className, text) {
  const s = document.createElement('span');
  if (className) s.className = className;
  if (text != null) s.textContent = text;
  return s;
}

/** Role code → the words nodes used for it in this run, sorted; health codes that occurred. */
export function legendEntries(topology) {
  const roles = new Map();
  const healths = new Set();
  for (const node of topology.nodes) {
    const show = node.show, taken = node.taken;
    if (!show || !taken || node.model === 'client') continue;
    for (let code = 1; code < 5; code++) {
      if (!(taken.roles & (1 << code))) continue;
      const words = roles.get(code) ?? new Set();
      const roleFact = show.role_fact != null ? show.facts[show.role_fact] : null;
      const finer = roleFact ? roleFact.choices.filter((_, k) => taken.role_words[code] & (1 << k)) : [];
      // The finer words this node showed in this role (Raft's pre-candidate under candidate), else the role's word.
      if (finer.length) finer.forEach((w) => words.add(w));
      else if (show.role_words[code]) words.add(show.role_words[code]);
      roles.set(code, words);
    }
    for (let h = 1; h < 4; h++) if (taken.healths & (1 << h)) healths.add(h);
  }
  const out = [];
  for (const code of [...roles.keys()].sort((a, b) => b - a)) {
    const words = [...roles.get(code)];
    if (words.length) out.push({ code, words: words.sort() });
  }
  return { roles: out, healths: [...healths].sort() };
}

/** Fill `element` with the node legend. `marks`: { split, writesGone } seen in this run. */
export function renderNodeLegend(element, topology, colors, marks = {}) {
  const { roles, healths } = legendEntries(topology);
  const items = [];
  for (const { code, words } of roles) {
    const sw = span('sw node-sw');
    sw.style.background = colors.role[code];
    items.push([sw, span('legend-words', words.join(' / '))]);
  }
  const healthMark = { [Health.CRASHED]: 'sw node-down', [Health.PAUSED]: 'sw node-paused', [Health.OFF]: 'sw node-down' };
  for (const h of healths) items.push([span(healthMark[h]), span('legend-words', HEALTH_NAMES[h])]);
  const spare = topology.nodes.some((node) => node.show?.dormant);
  if (spare) items.push([span('sw node-spare'), span('legend-words', `${SPARE_WORDS}: configured but not part of this run`)]);
  if (marks.split) items.push([span('sw split-band'), span('legend-words', 'split brain: two or more members accept writes')]);
  if (marks.writesGone) items.push([span('sw writes-gone'), span('legend-words', 'writes lost or discarded')]);
  const parts = [];
  items.forEach((pair, k) => { if (k) parts.push(document.createTextNode(' · ')); parts.push(...pair); });
  element.replaceChildren(...parts);
  element.dataset.words = JSON.stringify([...roles.flatMap((r) => r.words), ...healths.map((h) => HEALTH_NAMES[h]), ...(spare ? [SPARE_WORDS] : [])]);
}

/** Nodes with a failure detector (a `peers` fact), at most `max` of them, else none. */
export function watchers(topology, max = 16) {
  const list = [];
  topology.nodes.forEach((node, i) => {
    const k = node.show?.facts?.findIndex((f) => f.unit === 'peers') ?? -1;
    if (k >= 0) list.push({ index: i, fact: k });
  });
  return list.length <= max ? list : [];
}

/**
 * What a ● means, in the models' own words when every row means the same
 * ("hears from", "its Smap lists"), else in general terms.
 */
export function matrixCaption(labels) {
  const same = labels.length && labels.every((l) => l === labels[0]);
  const dot = same ? `● ${labels[0]}` : '● in its view';
  return `Each node's view of the others now (${dot}, ✕ not), and whom each follows`;
}

/** A table: one row per watcher, one column per node watched; ● hears, ✕ does not; and whom it follows. */
export function renderViewMatrix(element, topology, frameData) {
  const rows = watchers(topology);
  element.hidden = rows.length === 0;
  if (!rows.length) return;
  const f = readFrame(frameData);
  const columns = [...new Set(rows.flatMap((r) => topology.nodes[r.index].show.peers))].sort((a, b) => a - b);
  const table = document.createElement('table');
  table.className = 'view-matrix';
  const caption = document.createElement('caption');
  caption.textContent = matrixCaption(rows.map(({ index, fact }) => topology.nodes[index].show.facts[fact].label));
  const head = document.createElement('tr');
  head.append(document.createElement('th'), ...columns.map((c) => { const th = document.createElement('th'); th.scope = 'col'; th.textContent = topology.nodes[c].name; return th; }));
  const follows = document.createElement('th');
  follows.scope = 'col';
  follows.textContent = 'follows';
  head.append(follows);
  table.append(caption, head);
  for (const { index, fact } of rows) {
    const node = topology.nodes[index];
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = node.name;
    tr.append(th);
    const mask = factOf(f, index, fact);
    const health = nodeField(f, index, NodeField.HEALTH);
    const down = health !== Health.UP;
    for (const c of columns) {
      const td = document.createElement('td');
      const bit = node.show.peers.indexOf(c);
      td.textContent = c === index ? '—' : bit < 0 || mask == null || down ? '' : (mask & (1 << bit)) ? '●' : '✕';
      if (td.textContent === '✕') td.className = 'silent';
      tr.append(td);
    }
    const led = node.show.follows_fact != null ? factOf(f, index, node.show.follows_fact) : null;
    const td = document.createElement('td');
    const followsNobody = node.show.follows_fact == null ? '—' : 'nobody';
    td.textContent = down ? HEALTH_NAMES[health] : led == null ? followsNobody : topology.nodes[led]?.name ?? '';
    tr.append(td);
    table.append(tr);
  }
  element.replaceChildren(table);
}
