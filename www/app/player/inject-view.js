// Breaking the system by hand: the menu a `stage-select` event opens (what the
// engine can do to a node, link or device, and the node's model's own operator
// commands, from the core's command list), the list of injected actions with
// undo, and the chaos monkey's form. Actions are text lines in the core's form
// (`30s crash s1`, scenario/inject.rs); the core checks them like timeline
// steps, so this file only builds lines and never decides what is valid.
// Everything shown is built with textContent: names come from scenario files.
import { visibleSlots, runOf } from './store.js';
import { createPartitionPicker } from './partition-picker.js';

/** At most this many actions are kept (the core refuses more than 10,000). */
export const ACTIONS_MAX = 1000;

/** `12.345s`: the current time in whole milliseconds, the core's text form. */
export function timeText(tUs) {
  const ms = Math.max(0, Math.round(tUs / 1000));
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(3)}s`;
}

/** Seconds from the start of an action line (`12.345s crash s1` → 12.345), or NaN. */
export function actionSeconds(line) {
  const m = /^(\d+(?:\.\d+)?)s\s/.exec(line);
  return m ? Number(m[1]) : NaN;
}

function el(tag, attrs = {}, text = '') {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

/** @param p { root, $, state, sim, runVariant(), draw(), signal } */
export function createInjectView({ root, $, state, sim, runVariant, draw, signal }) {
  const menu = $('action-menu');
  const body = $('action-menu-body');

  // The stages' selection (stage/select.js, attached by the stage view) says what was picked;
  // only "Your version" can be acted on, so a pick on "As it happened" opens nothing.
  root.addEventListener('stage-select', (e) => { if (e.target === $('stage-variant')) open(e.detail); }, { signal });
  $('action-menu-close').addEventListener('click', () => menu.close(), { signal });
  menu.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); menu.close(); } }, { signal });

  const picker = createPartitionPicker({
    $,
    topology: () => runOf(state, visibleSlots(state)[0])?.topology ?? null,
    add: (what) => add(what),
    heal: () => add('heal_all'),
    signal,
  });

  /** A menu button that closes the menu and opens the partition picker with `sides` (node name → side). */
  function pickSides(label, sides) {
    const b = el('button', { type: 'button' }, label);
    b.addEventListener('click', () => { menu.close(); picker.pick(sides); });
    return b;
  }

  /** Add an action at the current time and run again from zero. */
  function add(what) {
    if (state.actions.length >= ACTIONS_MAX) return;
    state.actions = [...state.actions, `${timeText(state.tUs)} ${what}`];
    state.actionStarted = performance.now();
    menu.close();
    runVariant();
    list();
  }

  function remove(i) {
    state.actions = state.actions.filter((_, j) => j !== i);
    runVariant();
    list();
  }

  /** The list of actions, in time order, each with its undo button. */
  function list() {
    const ol = $('injected');
    ol.replaceChildren();
    const order = state.actions.map((line, i) => [actionSeconds(line), i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [, i] of order) {
      const li = el('li');
      li.append(el('code', {}, state.actions[i]), ' ');
      const undo = el('button', { type: 'button', 'aria-label': `Undo ${state.actions[i]}` }, 'Undo');
      undo.addEventListener('click', () => remove(i));
      li.append(undo);
      ol.append(li);
    }
    $('actions-clear').hidden = state.actions.length === 0;
    picker.refresh();
    // The section opens by itself once there is something in it (a click, a link, the monkey).
    if (state.actions.length) $('inject-box').open = true;
    draw();
  }

  /** A button that adds `what()` (a function, so inputs are read when pressed). */
  function button(label, what) {
    const b = el('button', { type: 'button' }, label);
    b.addEventListener('click', () => { const w = what(); if (w) add(w); });
    return b;
  }

  function input(label, value, size = 8) {
    const wrap = el('label', {}, `${label} `);
    const i = el('input', { type: 'text', value, size: String(size) });
    wrap.append(i);
    return { wrap, get: () => i.value.trim().replace(/\s+/g, '') };
  }

  function row(...parts) {
    const p = el('p', { class: 'menu-row' });
    p.append(...parts);
    return p;
  }

  function open(detail) {
    const run = runOf(state, visibleSlots(state)[0]);
    if (!run || !detail) return;
    body.replaceChildren();
    const t = timeText(state.tUs);
    if (detail.kind === 'node') nodeMenu(run.topology, detail.index, t);
    else if (detail.kind === 'link') linkMenu(run.topology, detail.index, t);
    else if (detail.kind === 'device') deviceMenu(run.topology, detail.index, t);
    else return;
    if (!menu.open) menu.show();
    menu.querySelector('#action-menu-body button')?.focus();
  }

  function nodeMenu(topology, i, t) {
    const node = topology.nodes[i];
    const name = node.name;
    $('action-menu-title').textContent = `${node.label || name} (${node.model}) at ${t}`;
    body.append(row(button('Crash', () => `crash ${name}`), ' ', button('Restart', () => `restart ${name}`), ' ',
      button('Power off', () => `power_off ${name}`), ' ', button('Power on', () => `power_on ${name}`)));
    const pause = input('for', '10s');
    body.append(row(button('Pause', () => `pause ${name} ${pause.get()}`), ' ', pause.wrap));
    const step = input('by', '30s');
    body.append(row(button('Step its clock', () => `clock_step ${name} ${step.get()}`), ' ', step.wrap, el('span', { class: 'muted' }, ' (−30s: backwards)')));
    const skew = input('ppm', '1000', 7);
    body.append(row(button('Skew its clock', () => `clock_skew ${name} ${skew.get()}`), ' ', skew.wrap));
    const others = topology.nodes.filter((_, j) => j !== i).map((n) => n.name).join(',');
    if (others) {
      body.append(row(button('Isolate it (partition)', () => `partition ${name}/${others}`), ' ',
        pickSides('Pick the sides…', [[name, 2]]), ' ', button('Heal every cut', () => 'heal_all')));
    }
    if (node.commands?.length) {
      body.append(el('h3', {}, `${node.model} commands`));
      for (const c of node.commands) {
        const args = c.args.map((a) => ({ a, field: input(`${a.name}${a.optional ? ' (optional)' : ''}`, '', 8) }));
        const r = row(button(c.name.replace(/_/g, ' '), () => {
          const given = args.filter(({ field }) => field.get()).map(({ a, field }) => `${a.name}=${field.get()}`);
          return [`command ${name} ${c.name}`, ...given].join(' ');
        }));
        r.title = c.description;
        for (const { a, field } of args) { field.wrap.title = a.description; r.append(' ', field.wrap); }
        r.append(el('span', { class: 'muted' }, ` ${c.description}`));
        body.append(r);
      }
    }
  }

  function linkMenu(topology, i, t) {
    const from = topology.nodes[topology.links[3 * i]].name;
    const to = topology.nodes[topology.links[3 * i + 1]].name;
    const plane = topology.planes[topology.links[3 * i + 2]];
    $('action-menu-title').textContent = `Link ${from} ↔ ${to} at ${t}`;
    const planes = el('select', { 'aria-label': 'Planes' });
    planes.append(el('option', { value: '' }, 'every plane'));
    for (const p of topology.planes) planes.append(el('option', { value: p }, `plane ${p}`));
    planes.value = plane;
    const on = () => (planes.value ? ` planes=${planes.value}` : '');
    body.append(row(el('label', {}, 'On '), planes));
    body.append(row(button(`Cut ${from} → ${to}`, () => `cut ${from} ${to}${on()}`), ' ', button('Cut both ways', () => `cut ${from} ${to} both${on()}`), ' ',
      button('Heal both ways', () => `heal ${from} ${to} both${on()}`)));
    const loss = input('loss', '20%', 5), delay = input('delay', '200ms', 6);
    body.append(row(button('Add loss and delay (netem)', () => `netem ${from} ${to} both${loss.get() ? ` loss=${loss.get()}` : ''}${delay.get() ? ` delay=${delay.get()}` : ''}${on()}`), ' ', loss.wrap, ' ', delay.wrap));
    body.append(row(button('Remove netem', () => `netem ${from} ${to} both${on()}`)));
    body.append(row(pickSides('Partition: pick the sides…', [[from, 1], [to, 2]]), ' ', button('Heal every cut', () => 'heal_all')));
  }

  function deviceMenu(topology, d, t) {
    const name = topology.devices[d];
    $('action-menu-title').textContent = `Device ${name} at ${t}`;
    const drop = input('drop', '100%', 5);
    const carrier = el('input', { type: 'checkbox' });
    const carrierLabel = el('label', {}, ' links still look up ');
    carrierLabel.prepend(carrier);
    body.append(row(button('Fail it', () => `device_fault ${name} ${drop.get()}${carrier.checked ? ' carrier_up' : ''}`), ' ', drop.wrap, carrierLabel));
    body.append(row(button('Heal it', () => `device_heal ${name}`)));
  }

  $('chaos').addEventListener('submit', (e) => {
    e.preventDefault();
    const settings = [`seed=${$('chaos-seed').value}`, `rate=${$('chaos-rate').value}`, `duration=${$('chaos-duration').value.trim()}`, `max=${$('chaos-max').value}`].join(',');
    sim.request('chaos', { file: `${state.name}.json`, json: state.json, settings }).then(({ actions }) => {
      state.actions = [...state.actions, ...actions].slice(0, ACTIONS_MAX);
      $('stage-focus').textContent = `The monkey made ${actions.length} faults (${settings}).`;
      runVariant();
      list();
    }).catch((err) => { $('stage-focus').textContent = err.reason || err.message; });
  }, { signal });
  $('actions-clear').addEventListener('click', () => { state.actions = []; runVariant(); list(); }, { signal });

  return { list };
}
