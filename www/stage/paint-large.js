// The stage's level of detail for big topologies: above `LOD_LINKS` directed
// links one thin line per pair of nodes (both directions and every plane
// merged, in the worst status among them), rasterised over several frames;
// above `MANY_NODES` nodes (stage-layout.js), squares instead of circles.
import { readFrame, NODE_STRIDE, Health, Role, LinkStatus } from '../lib/frame-layout.js';
import { nodeLayout, deviceBoxes } from './stage-layout.js';
import { drawDevices } from './paint-devices.js';

/** Above this many directed links the base is painted by `drawLargeStageBase`. */
export const LOD_LINKS = 4_000;
/** Line pixels rasterised per frame (about 3 ms of plain JS alone, 6 ms on a loaded machine). */
const PIXELS_PER_FRAME = 500_000;
/** Worst first: a pair shows the worst status of its links. */
const STATUS_RANK = { [LinkStatus.UP]: 0, [LinkStatus.DEGRADED]: 1, [LinkStatus.GRAY]: 2, [LinkStatus.CUT]: 3 };

/** Each link's pair of nodes, computed once per topology: `{ pairOf, ends }`. */
const pairTables = new WeakMap();
function pairTable(topology) {
  let table = pairTables.get(topology);
  if (table) return table;
  const index = new Map();
  const count = topology.links.length / 3;
  const pairOf = new Uint32Array(count);
  const ends = [];
  for (let i = 0; i < count; i++) {
    const a = topology.links[3 * i], b = topology.links[3 * i + 1];
    const key = Math.min(a, b) * 16384 + Math.max(a, b);
    let p = index.get(key);
    if (p === undefined) { p = ends.length / 2; index.set(key, p); ends.push(Math.min(a, b), Math.max(a, b)); }
    pairOf[i] = p;
  }
  table = { pairOf, ends: Uint32Array.from(ends) };
  pairTables.set(topology, table);
  return table;
}

/**
 * A big topology, painted over several frames so no frame's task grows with the
 * link count. Links are rasterised here, one device pixel wide and without
 * anti-aliasing, into a pixel buffer (dashes become pixel patterns): the
 * browser's path stroking costs 10 to 100 times more per pixel for a dense mesh
 * in a software canvas, and defers that cost to compositing, out of reach of a
 * per-frame budget. Each frame adds up to `PIXELS_PER_FRAME` pixels of lines
 * and shows the buffer; when all are in, devices and nodes are drawn on top.
 * Returns `{ more() }`: the caller calls `more()` once per frame until false.
 */
export function drawLargeStageBase(ctx, { width, height, topology, nodePos, devicePos, frameData, colors, textScale = 1 }) {
  const { nodes, radius } = nodeLayout(width, height, nodePos);
  const f = readFrame(frameData);
  const { pairOf, ends } = pairTable(topology);
  const pairCount = ends.length / 2;
  const worst = new Int8Array(pairCount).fill(-1);
  for (let i = 0; i < f.linkCount; i++) {
    const rank = STATUS_RANK[f.links[i]] ?? 0;
    if (rank > worst[pairOf[i]]) worst[pairOf[i]] = rank;
  }
  // Healthy links first, trouble painted over them.
  const order = [];
  for (let rank = 0; rank <= 3; rank++) for (let p = 0; p < pairCount; p++) if (worst[p] === rank) order.push(p);
  const m = ctx.getTransform();
  const w = ctx.canvas.width, h = ctx.canvas.height;
  const image = ctx.createImageData(w, h);
  const pixels = new Uint32Array(image.data.buffer);
  pixels.fill(rgba(colors.bg));
  const colour = [colors.link, colors.degraded, colors.gray, colors.cut].map(rgba);
  // On/off runs in pixels, as the small-topology dashes: solid, [3,3], [8,4], [2,6].
  const dash = [[1, 0], [3, 3], [8, 4], [2, 6]];
  const at = (n) => [m.a * n.x + m.e, m.d * n.y + m.f];
  let next = 0;
  let finished = false;
  const more = () => {
    if (finished) return false;
    let budget = PIXELS_PER_FRAME;
    while (next < order.length && budget > 0) {
      const p = order[next++];
      const rank = worst[p];
      const [x0, y0] = at(nodes[ends[2 * p]]);
      const [x1, y1] = at(nodes[ends[2 * p + 1]]);
      budget -= rasterLine(pixels, w, h, x0, y0, x1, y1, colour[rank], dash[rank]);
    }
    ctx.putImageData(image, 0, 0);
    if (next >= order.length) {
      drawDevices(ctx, deviceBoxes(width, height, nodePos, devicePos, topology, textScale), topology.devices, colors, textScale);
      drawManyNodes(ctx, f, topology, nodes, radius, colors);
      finished = true;
    }
    return !finished;
  };
  // The background now; the caller's first `more()` adds the first lines.
  ctx.putImageData(image, 0, 0);
  return { more, links: f.linkCount, pairs: pairCount };
}

/** `#rrggbb` as a little-endian RGBA pixel. */
function rgba(hex) {
  const n = /^#[0-9a-f]{6}$/i.test(hex) ? parseInt(hex.slice(1), 16) : 0x888888;
  return (0xff << 24 | (n & 0xff) << 16 | (n & 0xff00) | (n >> 16 & 0xff)) >>> 0;
}

/** One-pixel line from (x0, y0) to (x1, y1) with an on/off pattern; returns the pixels walked. */
function rasterLine(pixels, w, h, x0, y0, x1, y1, colour, [on, off]) {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  const sx = (x1 - x0) / steps, sy = (y1 - y0) / steps;
  const period = on + off;
  let x = x0, y = y0;
  for (let i = 0; i <= steps; i++, x += sx, y += sy) {
    if (off && i % period >= on) continue;
    const xi = x | 0, yi = y | 0;
    if (xi >= 0 && yi >= 0 && xi < w && yi < h) pixels[yi * w + xi] = colour;
  }
  return steps;
}

/**
 * A large fleet (level of detail): every node a filled square inside an outline
 * square, painted with `fillRect` (a path of 10,000 tiny circles took about
 * 100 ms to fill and stroke in a software canvas). Servers are drawn full size
 * with their role colour, clients smaller; a thick outline marks the active
 * member, a grey one a node that is not up, and a cross one that is down.
 */
export function drawManyNodes(ctx, f, topology, nodes, radius, colors) {
  const struck = new Path2D();
  let anyStruck = false;
  for (let i = 0; i < f.nodeCount; i++) {
    const health = f.nodes[i * NODE_STRIDE], role = f.nodes[i * NODE_STRIDE + 1];
    const { x, y } = nodes[i];
    const isClient = topology.nodes[i].model === 'client';
    const r = isClient ? radius * 0.8 : radius;
    const line = role === Role.ACTIVE ? 3 : 1;
    ctx.fillStyle = health === Health.UP ? colors.text : colors.muted;
    ctx.fillRect(x - r - line, y - r - line, 2 * (r + line), 2 * (r + line));
    ctx.fillStyle = health === Health.UP || health === Health.PAUSED ? (isClient ? colors.node : colors.role[role] ?? colors.node) : colors.bg;
    ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
    if (health === Health.CRASHED || health === Health.OFF) {
      anyStruck = true;
      struck.moveTo(x - r * 0.7, y - r * 0.7); struck.lineTo(x + r * 0.7, y + r * 0.7);
      struck.moveTo(x + r * 0.7, y - r * 0.7); struck.lineTo(x - r * 0.7, y + r * 0.7);
    }
  }
  if (anyStruck) { ctx.strokeStyle = colors.cut; ctx.lineWidth = 2; ctx.setLineDash([]); ctx.stroke(struck); }
}
