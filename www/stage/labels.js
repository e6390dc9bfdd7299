// Where the stage's words go, in pixels, so they neither overlap nor leave the
// canvas: device boxes placed clear of the nodes and of their name and state
// lines, and the side of a node on which its column of facts fits. Layout in
// the unit square (lib/layout.js) cannot know how long a label is or how large
// the canvas is; this can. Pure geometry from sizes and positions: no frame,
// no simulation, the same answer for drawing and for hit-testing.

/** Height of a device box, and the least width of one. */
export const DEVICE_BOX_H = 22;
const DEVICE_BOX_MIN_W = 68;
/** About the width of one character of the 11 px caption font (system-ui). */
const CHAR_PX = 6.2;
/** Width kept free for a node's state line under it (the longest role words, "standby, WAL gone"). */
const CAPTION_W = 120;
/** Gap kept between a label and what it must not touch. */
const GAP = 3;
/** Above these counts device boxes are not moved (see `placeDevices`). */
const DEVICES_SEARCHED_MAX = 64;
const NODES_AVOIDED_MAX = 400;

function overlap(a, b) {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function grow(r, by) {
  return { x: r.x - by, y: r.y - by, w: r.w + 2 * by, h: r.h + 2 * by };
}

/**
 * What every node occupies: its circle, its name (beside it when small), its
 * state line and the `below[i]` fact lines it may draw under that.
 */
export function nodeBoxes(nodes, radius, captions, below = [], textScale = 1) {
  const out = [];
  nodes.forEach((p, i) => {
    out.push({ x: p.x - radius, y: p.y - radius - 14 * textScale, w: 2 * radius, h: 2 * radius + 14 * textScale });
    const lines = captions ? 1 + (below[i] ?? 0) : 0;
    if (lines) out.push({ x: p.x - (CAPTION_W / 2) * textScale, y: p.y + radius + 2, w: CAPTION_W * textScale, h: (3 + 13 * lines) * textScale });
  });
  return out;
}

/**
 * Device boxes `{ x, y, w, h, cx, cy }`: each at its laid-out centre (`centres`,
 * in pixels) when that is clear, else at the nearest offset that overlaps no
 * node box, no earlier device and stays on the canvas; when nothing is clear,
 * the offset that overlaps least.
 */
export function placeDevices(names, centres, { width, height, nodes, radius, captions, below = [], textScale = 1 }) {
  // A crowded stage (hundreds of nodes or dozens of devices) draws no captions
  // worth avoiding, and the search would cost nodes x devices x offsets: boxes stay centred.
  const search = names.length <= DEVICES_SEARCHED_MAX && nodes.length <= NODES_AVOIDED_MAX;
  const taken = search ? nodeBoxes(nodes, radius, captions, below, textScale).map((r) => grow(r, GAP)) : [];
  const placed = [];
  const h = DEVICE_BOX_H * textScale;
  names.forEach((name, d) => {
    const w = Math.max(DEVICE_BOX_MIN_W, name.length * CHAR_PX + 12) * textScale;
    const c = centres[d];
    let best = null, bestCost = Infinity;
    for (const [dx, dy] of search ? offsets(h) : [[0, 0]]) {
      const x = Math.min(Math.max(2, c.x + dx - w / 2), width - w - 2), y = Math.min(Math.max(2, c.y + dy - h / 2), height - h - 2);
      const box = { x, y, w, h };
      let cost = 0;
      for (const r of taken) cost += overlap(box, r);
      for (const r of placed) cost += overlap(box, grow(r, GAP)) * 4;
      // Prefer the nearest clear spot: distance breaks ties and weighs a little against overlap.
      cost = cost * 100 + Math.hypot(x + w / 2 - c.x, y + h / 2 - c.y);
      if (cost < bestCost) { bestCost = cost; best = box; }
      if (cost < 1 && dx === 0 && dy === 0) break;
    }
    placed.push({ ...best, cx: best.x + best.w / 2, cy: best.y + best.h / 2 });
  });
  return placed;
}

/** Offsets tried for a device box: none, then rings of growing size in eight directions. */
function offsets(h) {
  const out = [[0, 0]];
  for (const step of [0.75, 1.5, 2.5, 3.5, 5]) {
    const d = step * h;
    out.push([0, d], [0, -d], [d * 2, 0], [-d * 2, 0], [d * 1.5, d], [-d * 1.5, d], [d * 1.5, -d], [-d * 1.5, -d]);
  }
  return out;
}

/**
 * Where node `i`'s column of `count` fact lines, `columnW` pixels wide, goes:
 * `{ side: 'right'|'left', x, width }` beside it when that side has room on
 * the canvas and no other node or device box there, else `{ side: 'below', width }`
 * (under its state line, no wider than the canvas around it allows).
 */
export function factPlacement({ nodes, i, radius, count, columnW, lineH, width, devices = [] }) {
  const { x, y } = nodes[i];
  const top = y - radius, bottom = y - radius + lineH * count + 4;
  const column = (left) => ({ x: left, y: top, w: columnW, h: bottom - top });
  const clear = (box) =>
    box.x >= 2 && box.x + box.w <= width - 2 &&
    nodes.every((p, j) => j === i || overlap(box, { x: p.x - radius, y: p.y - radius, w: 2 * radius, h: 2 * radius + 18 }) === 0) &&
    devices.every((d) => overlap(box, d) === 0);
  const right = column(x + radius + 8);
  if (clear(right)) return { side: 'right', x: right.x, width: columnW };
  const left = column(x - radius - 8 - columnW);
  if (clear(left)) return { side: 'left', x: x - radius - 8, width: columnW };
  const room = 2 * Math.min(x, width - x) - 8;
  return { side: 'below', width: Math.max(60, Math.min(220, room)) };
}

/**
 * Width a text centred under node `i` may take: up to the canvas edges, and
 * short of the neighbours at about the same height (their text is centred
 * too, so each gets half the gap).
 */
export function captionRoom(nodes, i, width, lineH = 13) {
  const { x, y } = nodes[i];
  let room = 2 * Math.min(x, width - x) - 4;
  nodes.forEach((p, j) => {
    if (j !== i && Math.abs(p.y - y) < 3 * lineH) room = Math.min(room, Math.abs(p.x - x) - 8);
  });
  return Math.max(40, room);
}

/**
 * A caption as at most two lines no wider than `room`: whole when it fits;
 * else without its trailing " · …" detail; else broken at a space; the last
 * line is squeezed by the canvas only as a last resort.
 */
export function fitCaption(text, room, measure) {
  if (measure(text) <= room) return [text];
  const short = text.replace(/ · [^·]*$/, '');
  if (short !== text && measure(short) <= room) return [short];
  const words = short.split(' ');
  for (let k = words.length - 1; k > 0; k--) {
    const first = words.slice(0, k).join(' ');
    if (measure(first) <= room) return [first, words.slice(k).join(' ')];
  }
  return [short];
}
