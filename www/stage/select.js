// The stage's selection: the one owner of which node, link or device is
// selected on a stage canvas, by pointer or keyboard. The stage element
// dispatches (the stage contract shared by the player's views; only here):
//   new CustomEvent('stage-select', { bubbles: true, detail: { kind: 'node'|'link'|'device', index } })
// when one is clicked or tapped, or selected with the keyboard and Enter.
// Keys while the stage has focus: the arrow keys move to the nearest server or
// device in that direction; Page Down / Page Up go through every item in turn
// (each server, then its links; the devices last), so each is reachable
// whatever the layout; Home goes to the first server; Escape clears it.
// Hit-testing is hit.js's, pixel positions stage-layout.js's; the hover card is stage-input.js's.
import { stageHit } from './hit.js';
import { nodeGeometry } from './stage-layout.js';

/** Links as the keyboard walks them: one stop per pair of nodes (its first link, as `stageHit`); kept per topology. */
const stopsOf = new WeakMap();
function linkStops(links) {
  if (stopsOf.has(links)) return stopsOf.get(links);
  const seen = new Set();
  const stops = [];
  for (let i = 0; i < links.length / 3; i++) {
    const a = links[3 * i], b = links[3 * i + 1];
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    if (!seen.has(key)) { seen.add(key); stops.push(i); }
  }
  stopsOf.set(links, stops);
  return stops;
}

/** Where an item ({ kind, index }) is drawn, in CSS pixels, or null. */
export function itemPoint(g, { kind, index }) {
  const { nodes, devices } = nodeGeometry(g.width, g.height, g.nodePos, g.devicePos);
  if (kind === 'node') return nodes[index] ?? null;
  if (kind === 'device') return devices[index] ?? null;
  const a = nodes[g.topology.links[3 * index]], b = nodes[g.topology.links[3 * index + 1]];
  return a && b ? { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 } : null;
}

/**
 * Every selectable item with its centre in CSS pixels, in the order Page Down
 * walks them: each server followed by its links not listed yet (so a server's
 * links are next to it), then the devices.
 */
export function stageItems(g) {
  const { nodes, devices } = nodeGeometry(g.width, g.height, g.nodePos, g.devicePos);
  const links = g.topology.links;
  const linksOf = nodes.map(() => []);
  for (const index of linkStops(links)) {
    const a = links[3 * index], b = links[3 * index + 1];
    if (nodes[a] && nodes[b]) linksOf[Math.min(a, b)].push(index);
  }
  const items = [];
  nodes.forEach((p, index) => {
    items.push({ kind: 'node', index, x: p.x, y: p.y });
    for (const link of linksOf[index]) {
      const a = nodes[links[3 * link]], b = nodes[links[3 * link + 1]];
      items.push({ kind: 'link', index: link, x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
    }
  });
  devices.forEach((p, index) => items.push({ kind: 'device', index, x: p.x, y: p.y }));
  return items;
}

/** The item nearest `from` in the direction (dx, dy), or null: distance along it, plus twice the distance across. */
export function stepFrom(items, from, dx, dy) {
  let best = null, bestScore = Infinity;
  for (const p of items) {
    const along = (p.x - from.x) * dx + (p.y - from.y) * dy;
    if (along <= 0 || (p.kind === from.kind && p.index === from.index)) continue;
    const score = along + 2 * Math.abs((p.x - from.x) * dy - (p.y - from.y) * dx);
    if (score < bestScore) { best = p; bestScore = score; }
  }
  return best;
}

/** What the item is called, for the announcement ("server db1 (ha_member)", "link db1 ↔ db2", "device sw1"). */
export function itemName(topology, { kind, index }) {
  if (kind === 'node') {
    const node = topology.nodes[index];
    return `${node.label || node.name} (${node.model})`;
  }
  if (kind === 'link') return `link ${topology.nodes[topology.links[3 * index]].name} ↔ ${topology.nodes[topology.links[3 * index + 1]].name}`;
  return `device ${topology.devices[index]}`;
}

const DIRECTIONS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/**
 * @param canvas   the stage canvas (made focusable here)
 * @param geometry () => { width, height, nodePos, devicePos, topology } of what is drawn, or null
 * @param announce (text) => void: says what the keyboard has selected
 * @param onChange (selection) => void: after the selection moved ({ kind, index } or null)
 * @param actionable whether Enter leads somewhere (the announcement says so)
 * @param signal   AbortSignal that removes the listeners
 * Returns { selected() }: the selection, { kind, index } or null.
 */
export function attachStageSelection(canvas, { geometry, announce = () => {}, onChange = () => {}, actionable = true, signal }) {
  canvas.tabIndex = 0;
  let selected = null;
  const dispatch = (detail) => canvas.dispatchEvent(new CustomEvent('stage-select', { bubbles: true, composed: true, detail }));

  function move(item, g) {
    // The keys are named once, on the first selection (not on every step).
    const hint = selected ? '' : `${actionable ? ' Enter: what you can do to it.' : ''} Page Down: the next link, server or device.`;
    selected = item ? { kind: item.kind, index: item.index } : null;
    if (item) announce(`Selected ${itemName(g.topology, item)}.${hint}`);
    onChange(selected);
  }

  canvas.addEventListener('click', (e) => {
    const g = geometry();
    if (!g) return;
    const rect = canvas.getBoundingClientRect();
    const hit = stageHit(g, e.clientX - rect.left, e.clientY - rect.top);
    if (!hit) return;
    selected = { kind: hit.kind, index: hit.index };
    onChange(selected);
    dispatch({ ...hit, x: e.clientX, y: e.clientY });
  }, { signal });

  canvas.addEventListener('keydown', (e) => {
    const g = geometry();
    // With a modifier the key is a playback shortcut (Shift + arrow moves 1% of the replay).
    if (!g || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const items = stageItems(g);
    if (!items.length) return;
    const at = selected ? items.findIndex((p) => p.kind === selected.kind && p.index === selected.index) : -1;
    if (DIRECTIONS[e.key]) {
      // Arrows go between servers and devices; links are reached with Page Down from a server.
      const places = items.filter((p) => p.kind !== 'link');
      move(at < 0 ? items[0] : stepFrom(places, items[at], ...DIRECTIONS[e.key]) ?? items[at], g);
    } else if (e.key === 'PageDown' || e.key === 'PageUp') {
      const step = e.key === 'PageDown' ? 1 : -1;
      move(items[((at < 0 && step < 0 ? 0 : at) + step + items.length) % items.length], g);
    } else if (e.key === 'Home') {
      move(items[0], g);
    } else if (e.key === 'Escape' && selected) {
      move(null, g);
    } else if (e.key === 'Enter' && at >= 0) {
      const rect = canvas.getBoundingClientRect();
      dispatch({ ...selected, x: rect.left + items[at].x, y: rect.top + items[at].y });
    } else return;
    // The stage owns these keys while it has focus (not the playback shortcuts).
    e.preventDefault();
    e.stopPropagation();
  }, { signal });

  return { selected: () => selected };
}
