// Draws one frame: links by plane and status, devices, nodes by role and
// health (the base), and messages in flight over them. Frame + layout +
// context in, pixels out: no simulation, no DOM lookups, no state.
import { readFrame, NODE_STRIDE, MSG_STRIDE, Health, Role, LinkStatus, Fate } from '../lib/frame-layout.js';
import { planeOffset } from '../lib/layout.js';
import { kindColour } from '../lib/kinds.js';
import { stateWord, nodeFacts, writesGone, shortName } from './node-words.js';
import { drawCards, drawSplitBands, drawWritesGone, drawSelection, drawLinkSelection, drawDeviceSelection } from './marks.js';
import { placeDevices, factPlacement, captionRoom, fitCaption } from './labels.js';


export function palette(dark) {
  return dark
    ? { bg: '#0f172a', text: '#e2e8f0', muted: '#94a3b8', link: '#475569', node: '#1e293b', cut: '#f87171', gray: '#fb923c', degraded: '#facc15',
        role: ['#334155', '#475569', '#a78bfa', '#22c55e', '#38bdf8'], device: '#334155', card: '#111c33', splitFill: 'rgba(248,113,113,0.16)', focus: '#60a5fa' }
    : { bg: '#ffffff', text: '#0f172a', muted: '#64748b', link: '#cbd5e1', node: '#f8fafc', cut: '#dc2626', gray: '#ea580c', degraded: '#ca8a04',
        role: ['#e2e8f0', '#cbd5e1', '#c4b5fd', '#16a34a', '#0ea5e9'], device: '#e2e8f0', card: '#f8fafc', splitFill: 'rgba(220,38,38,0.10)', focus: '#2563eb' };
}

function toPx(p, w, h, pad) {
  return { x: pad + p.x * (w - 2 * pad), y: pad + p.y * (h - 2 * pad) };
}

/** Closest distance between two node centres (a dense fleet draws smaller). */
function nearest(nodes) {
  if (nodes.length < 2) return Infinity;
  if (nodes.length <= 64) {
    let best = Infinity;
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) best = Math.min(best, Math.hypot(nodes[i].x - nodes[j].x, nodes[i].y - nodes[j].y));
    }
    return best;
  }
  return nearestOnGrid(nodes);
}

/**
 * The same answer as comparing every pair, in about linear time for 10,000
 * nodes: points go into square cells about one average spacing wide, and each
 * point looks at rings of cells around its own until the ring is farther away
 * than the best distance found so far.
 */
function nearestOnGrid(nodes) {
  const n = nodes.length;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const p of nodes) { minX = Math.min(minX, p.x); minY = Math.min(minY, p.y); maxX = Math.max(maxX, p.x); maxY = Math.max(maxY, p.y); }
  const side = Math.max(maxX - minX, maxY - minY, 1e-9);
  const perRow = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(n))));
  const cell = side / perRow;
  const cellOf = (v, min) => Math.min(perRow - 1, Math.floor((v - min) / cell));
  // Counting sort of the points by cell: members of cell c are order[start[c] .. start[c + 1]].
  const cellIndex = new Int32Array(n);
  const start = new Int32Array(perRow * perRow + 1);
  for (let i = 0; i < n; i++) {
    cellIndex[i] = cellOf(nodes[i].x, minX) * perRow + cellOf(nodes[i].y, minY);
    start[cellIndex[i] + 1]++;
  }
  for (let c = 0; c < perRow * perRow; c++) start[c + 1] += start[c];
  const fill = start.slice(0, -1);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[cellIndex[i]]++] = i;
  const xs = Float64Array.from(nodes, (p) => p.x), ys = Float64Array.from(nodes, (p) => p.y);
  let best = Infinity, best2 = Infinity; // distance and its square (no sqrt in the loop)
  for (let i = 0; i < n; i++) {
    const px = xs[i], py = ys[i];
    const cx = Math.floor(cellIndex[i] / perRow), cy = cellIndex[i] % perRow;
    for (let ring = 0; ring <= perRow && (ring - 1) * cell < best; ring++) {
      for (let gx = Math.max(0, cx - ring); gx <= Math.min(perRow - 1, cx + ring); gx++) {
        for (let gy = Math.max(0, cy - ring); gy <= Math.min(perRow - 1, cy + ring); gy++) {
          if (Math.max(Math.abs(gx - cx), Math.abs(gy - cy)) !== ring) continue; // only the ring's border
          const c = gx * perRow + gy;
          for (let k = start[c]; k < start[c + 1]; k++) {
            const j = order[k];
            if (j <= i) continue;
            const dx = px - xs[j], dy = py - ys[j], d2 = dx * dx + dy * dy;
            if (d2 < best2) { best2 = d2; best = Math.sqrt(d2); }
          }
        }
      }
    }
  }
  return best;
}

let lastGeometry = null;
/** Where nodes sit in pixels, and how big they are drawn (remembered for the last size). */
function geometry(width, height, nodePos) {
  if (lastGeometry && lastGeometry.width === width && lastGeometry.height === height && lastGeometry.nodePos === nodePos) return lastGeometry;
  const pad = Math.max(36, Math.min(width, height) * 0.08);
  const nodes = nodePos.map((p) => toPx(p, width, height, pad));
  const spacing = nearest(nodes);
  const radius = Math.max(4, Math.min(26, Math.min(width, height) / (4 + Math.sqrt(nodes.length) * 3), spacing * 0.45));
  // Names inside nodes and state lines under them only where there is room;
  // a crowded fleet shows state by colour and shape alone.
  const names = radius >= 7;
  const captions = spacing >= 2.6 * radius + 12;
  // Fact lines under a node: as many as fit before the next node (at most 8).
  const factLines = Math.max(0, Math.min(8, Math.floor((spacing - 2.6 * radius - 24) / 13)));
  lastGeometry = { width, height, nodePos, pad, nodes, radius, names, captions, factLines };
  return lastGeometry;
}

/** Device boxes in pixels, clear of nodes and their captions (labels.js); remembered for the last size. */
let lastDevices = null;
function deviceBoxes(width, height, nodePos, devicePos, topology, textScale = 1) {
  const k = lastDevices;
  if (k && k.width === width && k.height === height && k.nodePos === nodePos && k.devicePos === devicePos && k.topology === topology && k.textScale === textScale) return k.boxes;
  const { pad, nodes, radius, captions, factLines } = geometry(width, height, nodePos);
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

/** Fact lines a node can show (its declared facts but the peer set and the role word). */
function factCount(node) {
  const show = node.show;
  return show?.facts ? show.facts.filter((f, k) => f.unit !== 'peers' && k !== show.role_fact).length : 0;
}

function drawDevices(ctx, boxes, names, colors, textScale) {
  ctx.font = `${Math.round(11 * textScale)}px system-ui, sans-serif`;
  ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
  boxes.forEach((b, d) => {
    ctx.fillStyle = colors.device;
    ctx.fillRect(b.x, b.y, b.w, b.h);
    ctx.fillStyle = colors.muted;
    ctx.fillText(names[d], b.cx, b.cy, b.w - 4);
  });
}

/**
 * What changes only when a node or link changes state: background, devices,
 * links, nodes. The player caches it and repaints it only then.
 */
/** Node and device centres in pixels and the node radius, for selection and its card (select.js, stage-input.js). */
export function nodeGeometry(width, height, nodePos, devicePos = []) {
  const { nodes, radius, pad } = geometry(width, height, nodePos);
  return { nodes, radius, devices: deviceCentres(width, height, nodePos, devicePos, pad) };
}

export function drawStageBase(ctx, options) {
  if (readFrame(options.frameData).linkCount > LOD_LINKS) return drawLargeStageBase(ctx, options);
  drawSmallStageBase(ctx, options);
  return null;
}

function drawSmallStageBase(ctx, { width, height, topology, nodePos, devicePos, frameData, colors, textScale = 1 }) {
  // Captions grow with `textScale` (presenter mode), so a projected stage stays readable.
  const small = `${Math.round(11 * textScale)}px system-ui, sans-serif`;
  const { pad, nodes, radius, names, captions, factLines } = geometry(width, height, nodePos);
  const f = readFrame(frameData);
  ctx.fillStyle = colors.bg;
  ctx.fillRect(0, 0, width, height);
  const fleet = nodePos.cards ? { cards: nodePos.cards, cardOf: nodePos.cardOf } : null;
  if (fleet) drawCards(ctx, { fleet, f, topology, width, height, pad, colors, textScale });

  const devices = deviceBoxes(width, height, nodePos, devicePos, topology, textScale);

  // Each directed link is drawn as the half of the line next to its sender, so a
  // one-way cut shows as half a line. One path per status (a few strokes, not one
  // per link): a 100,000-link mesh costs one pass over the links, and links in
  // trouble are stroked last, over the healthy ones.
  const planeCount = topology.planes.length;
  const paths = [new Path2D(), new Path2D(), new Path2D(), new Path2D()];
  for (let i = 0; i < f.linkCount; i++) {
    const from = topology.links[3 * i], to = topology.links[3 * i + 1], plane = topology.links[3 * i + 2];
    // A fleet draws the links inside each card (their trouble shows the switch's); links out of the cards are left out.
    if (fleet && (fleet.cardOf[from] < 0 || fleet.cardOf[from] !== fleet.cardOf[to])) continue;
    const a = nodes[from], b = nodes[to];
    const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
    const sign = from < to ? 1 : -1;
    const off = planeOffset(plane, planeCount) * sign;
    const ox = (-dy / len) * off, oy = (dx / len) * off;
    const path = paths[f.links[i]] ?? paths[LinkStatus.UP];
    path.moveTo(a.x + ox, a.y + oy);
    path.lineTo((a.x + b.x) / 2 + ox, (a.y + b.y) / 2 + oy);
  }
  const linkStyles = [
    [LinkStatus.UP, 1.5, [], colors.link],
    [LinkStatus.DEGRADED, 3, [3, 3], colors.degraded],
    [LinkStatus.GRAY, 3, [8, 4], colors.gray],
    [LinkStatus.CUT, 3, [2, 6], colors.cut],
  ];
  for (const [status, width, dash, colour] of linkStyles) {
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.strokeStyle = colour;
    ctx.stroke(paths[status]);
  }
  ctx.setLineDash([]);
  // Devices over the links that pass through them, so their names stay readable.
  drawDevices(ctx, devices, topology.devices, colors, textScale);

  if (f.nodeCount > MANY_NODES) {
    drawManyNodes(ctx, f, topology, nodes, radius, colors);
    return;
  }
  if (!fleet) drawSplitBands(ctx, { f, topology, nodes, radius, colors, textScale });
  ctx.textAlign = 'center';
  for (let i = 0; i < f.nodeCount; i++) {
    const health = f.nodes[i * NODE_STRIDE], role = f.nodes[i * NODE_STRIDE + 1], term = f.nodes[i * NODE_STRIDE + 2];
    const { x, y } = nodes[i];
    const isClient = topology.nodes[i].model === 'client';
    ctx.beginPath();
    if (isClient) ctx.rect(x - radius * 0.8, y - radius * 0.8, radius * 1.6, radius * 1.6);
    else ctx.arc(x, y, radius, 0, 2 * Math.PI);
    ctx.fillStyle = health === Health.UP || health === Health.PAUSED ? (isClient ? colors.node : colors.role[role] ?? colors.node) : colors.bg;
    ctx.fill();
    ctx.lineWidth = role === Role.ACTIVE ? 3 : 1.5;
    ctx.setLineDash(health === Health.PAUSED ? [4, 3] : []);
    ctx.strokeStyle = health === Health.UP ? colors.text : colors.muted;
    ctx.stroke();
    ctx.setLineDash([]);
    if (health === Health.CRASHED || health === Health.OFF) {
      // Shape, not colour alone: a struck-through node is down.
      ctx.beginPath(); ctx.moveTo(x - radius * 0.7, y - radius * 0.7); ctx.lineTo(x + radius * 0.7, y + radius * 0.7);
      ctx.moveTo(x + radius * 0.7, y - radius * 0.7); ctx.lineTo(x - radius * 0.7, y + radius * 0.7);
      ctx.strokeStyle = colors.cut; ctx.lineWidth = 2.5; ctx.stroke();
    }
    drawName(ctx, topology.nodes[i].name, x, y, radius, names, textScale, colors);
    const gone = writesGone(f, i);
    if (gone.discarded || gone.lost) drawWritesGone(ctx, { x, y, radius, gone, colors, textScale });
    if (!captions) continue;
    ctx.font = small;
    ctx.fillStyle = colors.muted;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    const words = stateWord(topology, f, i);
    // The generic epoch ("t7") only for models that show nothing of their own:
    // one that declares facts says in its own words what its numbers are.
    const state = health === Health.UP && term && !topology.nodes[i].show?.facts?.length ? `${words} · t${term}` : words;
    const room = captionRoom(nodes, i, width, 13 * textScale);
    const caption = fitCaption(state, room, (t) => ctx.measureText(t).width);
    caption.forEach((text, k) => haloText(ctx, text, x, y + radius + (10 + 13 * k) * textScale, room, colors));
    if (!isClient) {
      const below = Math.max(0, factLines - (caption.length - 1));
      drawFacts(ctx, nodeFacts(topology, f, i), { nodes, i, radius, below, captionLines: caption.length, room, bottom: height - pad / 2, width, devices, font: small, colors, textScale });
    }
  }
}

/** Text with a thin outline in the background colour, so a link under it does not strike it through. */
function haloText(ctx, text, x, y, maxWidth, colors) {
  const fill = ctx.fillStyle;
  ctx.lineWidth = 3;
  ctx.lineJoin = 'round';
  ctx.strokeStyle = colors.bg;
  ctx.strokeText(text, x, y, maxWidth);
  ctx.fillStyle = fill;
  ctx.fillText(text, x, y, maxWidth);
}

/** The node's name inside it, shortened to fit; a node too small for text gets its name beside it. */
function drawName(ctx, name, x, y, radius, roomy, textScale, colors) {
  ctx.fillStyle = colors.text;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  let size = Math.max(9, Math.round(radius * 0.55 * Math.min(textScale, 1.3)));
  ctx.font = `600 ${size}px system-ui, sans-serif`;
  // Smaller type before a shorter name: the whole name when it fits at 8 px.
  const room = radius * 1.9;
  while (size > 8 && ctx.measureText(name).width > room) { size -= 1; ctx.font = `600 ${size}px system-ui, sans-serif`; }
  const fits = Math.max(2, Math.floor(room / (size * 0.6)));
  const shown = ctx.measureText(name).width <= room ? name : shortName(name, fits);
  if (roomy) ctx.fillText(shown, x, y);
  else ctx.fillText(shortName(name, 4), x, y - radius - size * 0.7);
}

/**
 * Shown facts, one "label: value" line each: in a column beside the node
 * (right, else left) where the canvas has room and no node or device stands
 * there (labels.js), else under its state line as far as the room below
 * allows (`below` lines). Never wider than the canvas around the node.
 */
function drawFacts(ctx, facts, { nodes, i, radius, below, captionLines = 1, room, bottom, width, devices, font, colors, textScale }) {
  const lines = facts.filter((fact) => fact.unit !== 'peers').map((fact) => `${fact.label}: ${fact.text}`);
  if (!lines.length) return;
  const { x, y } = nodes[i];
  const line = 13 * textScale;
  ctx.font = font;
  ctx.fillStyle = colors.muted;
  const fit = Math.max(1, Math.min(8, Math.floor((bottom - (y - radius)) / line)));
  const shown = lines.slice(0, fit);
  const columnW = Math.min(230 * textScale, Math.max(...shown.map((t) => ctx.measureText(t).width)));
  const place = factPlacement({ nodes, i, radius, count: shown.length, columnW, lineH: line, width, devices });
  if (place.side !== 'below') {
    ctx.textAlign = place.side === 'left' ? 'right' : 'left';
    shown.forEach((text, k) => haloText(ctx, text, place.x, y - radius + 6 + k * line, place.width, colors));
    ctx.textAlign = 'center';
    return;
  }
  const under = y + radius + 10 * textScale + (captionLines - 1) * line;
  const maxW = Math.min(place.width * textScale, room ?? Infinity);
  lines.slice(0, below).forEach((text, k) => haloText(ctx, text, x, under + (k + 1) * line, maxW, colors));
}

/**
 * Level of detail. Above this many directed links the stage draws one thin line
 * per pair of nodes (both directions and every plane merged, in the worst
 * status among them), and spreads the painting over frames.
 */
const LOD_LINKS = 4_000;
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
function drawLargeStageBase(ctx, { width, height, topology, nodePos, devicePos, frameData, colors, textScale = 1 }) {
  const { nodes, radius } = geometry(width, height, nodePos);
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

/** Above this many nodes, nodes are drawn as squares (`drawManyNodes`), without names or captions. */
const MANY_NODES = 400;

/**
 * A large fleet (level of detail): every node a filled square inside an outline
 * square, painted with `fillRect` (a path of 10,000 tiny circles took about
 * 100 ms to fill and stroke in a software canvas). Servers are drawn full size
 * with their role colour, clients smaller; a thick outline marks the active
 * member, a grey one a node that is not up, and a cross one that is down.
 */
function drawManyNodes(ctx, f, topology, nodes, radius, colors) {
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

/** Messages in flight, drawn over the base each frame (and the selection: { kind, index } or null, select.js). */
export function drawMessages(ctx, { width, height, nodePos, devicePos = [], topology, frameData, colors, selected = null }) {
  const { nodes, radius, pad } = geometry(width, height, nodePos);
  const f = readFrame(frameData);
  if (selected?.kind === 'node' && nodes[selected.index]) drawSelection(ctx, nodes[selected.index], radius, colors);
  else if (selected?.kind === 'link' && topology) drawLinkSelection(ctx, nodes[topology.links[3 * selected.index]], nodes[topology.links[3 * selected.index + 1]], colors);
  else if (selected?.kind === 'device' && devicePos[selected.index]) drawDeviceSelection(ctx, deviceCentres(width, height, nodePos, devicePos, pad)[selected.index], colors);
  for (let i = 0; i < f.msgCount; i++) {
    const m = f.msgs.subarray(i * MSG_STRIDE, (i + 1) * MSG_STRIDE);
    const a = nodes[m[0]], b = nodes[m[1]], t = m[4], fate = m[5];
    if (!a || !b) continue;
    const x = a.x + (b.x - a.x) * t, y = a.y + (b.y - a.y) * t;
    // Nodes are painted under the messages (they are cached): a message still
    // inside its sender or already inside its receiver is not drawn, nor one
    // passing over a node that happens to sit on its line (it would hide the name).
    if (Math.hypot(x - a.x, y - a.y) < radius || Math.hypot(x - b.x, y - b.y) < radius) continue;
    if (overNode(nodesOnLine(nodes, radius, m[0], m[1]), nodes, radius, x, y)) continue;
    if (fate === Fate.DELIVERED) {
      ctx.fillStyle = kindColour(m[3], colors);
      ctx.beginPath(); ctx.arc(x, y, 3.5, 0, 2 * Math.PI); ctx.fill();
    } else {
      // A lost message: a small cross where it vanished.
      ctx.strokeStyle = fate === Fate.DEVICE_DROP ? colors.gray : colors.cut;
      ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(x - 4, y - 4); ctx.lineTo(x + 4, y + 4); ctx.moveTo(x + 4, y - 4); ctx.lineTo(x - 4, y + 4); ctx.stroke();
    }
  }

}

/** Nodes (other than its ends) whose circle a line between nodes `a` and `b` crosses; remembered per geometry. */
const linesCache = new WeakMap();
function nodesOnLine(nodes, radius, a, b) {
  if (nodes.length > MANY_NODES) return EMPTY;
  let cache = linesCache.get(nodes);
  if (!cache) { cache = new Map(); linesCache.set(nodes, cache); }
  const key = Math.min(a, b) * 65536 + Math.max(a, b);
  let on = cache.get(key);
  if (on) return on;
  on = [];
  const p = nodes[a], q = nodes[b];
  const dx = q.x - p.x, dy = q.y - p.y, len2 = dx * dx + dy * dy || 1;
  nodes.forEach((n, j) => {
    if (j === a || j === b) return;
    const t = Math.max(0, Math.min(1, ((n.x - p.x) * dx + (n.y - p.y) * dy) / len2));
    if (Math.hypot(p.x + t * dx - n.x, p.y + t * dy - n.y) < radius) on.push(j);
  });
  cache.set(key, on);
  return on;
}
const EMPTY = [];

function overNode(list, nodes, radius, x, y) {
  for (const j of list) if (Math.hypot(x - nodes[j].x, y - nodes[j].y) < radius + 3) return true;
  return false;
}

/**
 * The state of nodes and links in a frame, as a key: the base layer is
 * repainted when it changes. Two 32-bit hashes (FNV-1a and a multiply-rotate)
 * over the raw bits of the state numbers instead of a string of them all (a
 * 100,000-link frame made a 200 kB string every frame); a frame is hashed once.
 */
const keys = new WeakMap();
export function baseKey(frameData) {
  const known = keys.get(frameData);
  if (known) return known;
  const f = readFrame(frameData);
  // Nodes and links, then groups and facts (the messages between them change every frame).
  const ranges = [[f.nodes.byteOffset, f.nodes.length + f.links.length], [f.groups.byteOffset, f.groups.length + f.facts.length]];
  let a = 0x811c9dc5 | 0, b = 0x9e3779b9 | 0;
  for (const [offset, length] of ranges) {
    const words = new Int32Array(frameData.buffer, offset, length);
    for (let i = 0; i < words.length; i++) {
      const v = words[i];
      a = Math.imul(a ^ v, 0x01000193);
      b = Math.imul((b << 5) | (b >>> 27), 0x85ebca6b) ^ v;
    }
  }
  const key = `${f.nodes.length}:${f.links.length}:${f.facts.length}:${(a >>> 0).toString(36)}:${(b >>> 0).toString(36)}`;
  keys.set(frameData, key);
  return key;
}

/**
 * What is under the point (x, y) in CSS pixels of a stage `width` × `height`:
 * `{ kind: 'node'|'device'|'link', index }` or null. A node wins within its
 * radius (and a little more, for fingers), then a device's box, then the
 * nearest link line within 6 px (the first link between that pair).
 */
export function stageHit({ width, height, nodePos, devicePos, topology }, x, y) {
  const { nodes, radius } = geometry(width, height, nodePos);
  let best = null, bestD = Math.max(radius * 1.3, 10);
  nodes.forEach((p, i) => {
    const d = Math.hypot(p.x - x, p.y - y);
    if (d <= bestD) { best = { kind: 'node', index: i }; bestD = d; }
  });
  if (best) return best;
  const boxes = deviceBoxes(width, height, nodePos, devicePos, topology);
  for (let d = 0; d < boxes.length; d++) {
    const b = boxes[d];
    if (x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h) return { kind: 'device', index: d };
  }
  const links = topology.links;
  let nearest = 6;
  for (let i = 0; i < links.length / 3; i++) {
    const a = nodes[links[3 * i]], b = nodes[links[3 * i + 1]];
    const dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy || 1;
    const t = Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / len2));
    const d = Math.hypot(a.x + t * dx - x, a.y + t * dy - y);
    if (d < nearest) { nearest = d; best = { kind: 'link', index: i }; }
  }
  return best;
}
