// Where the stage's things go in pixels for a canvas of a given size: node
// centres, how large nodes are drawn and whether their names, state lines and
// facts fit, fleet cards (one per group), the half-line each directed link is
// drawn as, and device boxes clear of the nodes' words (labels.js). Pure
// functions of the scenario's layout in the unit square (lib/layout.js), its
// topology and the canvas size: no drawing, no frame. paint.js draws from
// these; hit.js, select.js and stage-input.js find things with them.
//
// The node layout of the last size is remembered, so the player can work it
// out one frame ahead of painting a large fleet (app/player/stage-view.js).
import { planeOffset } from '../lib/layout.js';
import { nearestSpacing } from './spacing.js';
import { placeDevices } from './labels.js';

/** Above this many nodes, nodes are drawn as squares (paint-large.js), without names or captions. */
export const MANY_NODES = 400;

/** A point of the unit square in pixels of a `w` × `h` canvas with `pad` pixels of margin. */
function toPx(p, w, h, pad) {
  return { x: pad + p.x * (w - 2 * pad), y: pad + p.y * (h - 2 * pad) };
}

let lastLayout = null;
/**
 * Where nodes sit in pixels and how big they are drawn, for a `width` ×
 * `height` canvas: `{ pad, nodes, radius, names, captions, factLines }`
 * (remembered for the last size and layout).
 */
export function nodeLayout(width, height, nodePos) {
  if (lastLayout && lastLayout.width === width && lastLayout.height === height && lastLayout.nodePos === nodePos) return lastLayout;
  const pad = Math.max(36, Math.min(width, height) * 0.08);
  const nodes = nodePos.map((p) => toPx(p, width, height, pad));
  const spacing = nearestSpacing(nodes);
  const radius = Math.max(4, Math.min(26, Math.min(width, height) / (4 + Math.sqrt(nodes.length) * 3), spacing * 0.45));
  // Names inside nodes and state lines under them only where there is room;
  // a crowded fleet shows state by colour and shape alone.
  const names = radius >= 7;
  const captions = spacing >= 2.6 * radius + 12;
  // Fact lines under a node: as many as fit before the next node (at most 8).
  const factLines = Math.max(0, Math.min(8, Math.floor((spacing - 2.6 * radius - 24) / 13)));
  lastLayout = { width, height, nodePos, pad, nodes, radius, names, captions, factLines };
  return lastLayout;
}

/** Fact lines a node can show (its declared facts but the peer set and the role word). */
export function factCount(node) {
  const show = node.show;
  return show?.facts ? show.facts.filter((f, k) => f.unit !== 'peers' && k !== show.role_fact).length : 0;
}

/** Device boxes in pixels, clear of nodes and their captions (labels.js); remembered for the last size. */
let lastDevices = null;
export function deviceBoxes(width, height, nodePos, devicePos, topology, textScale = 1) {
  const k = lastDevices;
  if (k && k.width === width && k.height === height && k.nodePos === nodePos && k.devicePos === devicePos && k.topology === topology && k.textScale === textScale) return k.boxes;
  const { pad, nodes, radius, captions, factLines } = nodeLayout(width, height, nodePos);
  const centres = devicePos.map((p) => toPx(p, width, height, pad));
  // Room kept under each node for the fact lines it may draw there.
  const below = topology.nodes.map((n) => (captions && n.model !== 'client' ? Math.min(factLines, factCount(n)) : 0));
  const boxes = placeDevices(topology.devices, centres, { width, height, nodes, radius, captions, below, textScale });
  lastDevices = { width, height, nodePos, devicePos, topology, textScale, boxes };
  return boxes;
}

/**
 * Device centres where the stage last drew their boxes (for selection, which
 * has no topology to place them with); the laid-out centres before the first draw.
 */
function deviceCentres(width, height, nodePos, devicePos, pad) {
  const k = lastDevices;
  if (k && k.width === width && k.height === height && k.nodePos === nodePos && k.devicePos === devicePos) return k.boxes.map((b) => ({ x: b.cx, y: b.cy }));
  return devicePos.map((p) => toPx(p, width, height, pad));
}

/** Node and device centres in pixels and the node radius, for selection and its card (select.js, stage-input.js). */
export function nodeGeometry(width, height, nodePos, devicePos = []) {
  const { nodes, radius, pad } = nodeLayout(width, height, nodePos);
  return { nodes, radius, devices: deviceCentres(width, height, nodePos, devicePos, pad) };
}

/**
 * The half of the line between nodes `from` and `to` next to the sender, moved
 * aside by its plane so planes do not overlap: `{ x0, y0, x1, y1 }`. Each
 * directed link is drawn so, and a one-way cut shows as half a line.
 */
export function linkHalf(nodes, from, to, plane, planeCount) {
  const a = nodes[from], b = nodes[to];
  const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
  const sign = from < to ? 1 : -1;
  const off = planeOffset(plane, planeCount) * sign;
  const ox = (-dy / len) * off, oy = (dx / len) * off;
  return { x0: a.x + ox, y0: a.y + oy, x1: (a.x + b.x) / 2 + ox, y1: (a.y + b.y) / 2 + oy };
}

/** A fleet card (unit square, lib/layout.js `cards`) as a pixel rectangle `{ x, y, w, h }`. */
export function cardBox(card, { width, height, pad }) {
  const px = (p) => pad + p * (width - 2 * pad), py = (p) => pad + p * (height - 2 * pad);
  const x = px(card.x), y = py(card.y);
  return { x, y, w: px(card.x + card.w) - x, h: py(card.y + card.h) - y };
}
