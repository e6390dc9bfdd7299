// A space-time (Lamport) diagram: one horizontal lane per node, time left to
// right, each message an arrow from its sender's lane at the send time to its
// receiver's lane at the arrival time. Messages in, pixels out: no DOM, no state.
//
// `messages` is the core's flat Float64Array, stride 7 (crate/src/replay.rs
// `messages`): [sent_us, end_us, from, to, plane, kind, fate]. For a lost
// message end_us is when it vanished, so it is drawn to that time and stops
// halfway between the lanes with a cross: where between two hosts a packet died
// means nothing on this chart, when it died does.
import { pixelRatio, snap } from '../lib/canvas.js';

export const MSG_STRIDE = 7;
// crate/src/trace/event.rs Fate
const CUT = 1, DEVICE_DROP = 2, LOSS = 3;

const FONT = '11px system-ui, sans-serif';
const BOLD = '600 11px system-ui, sans-serif';
const PAD = 6;
const AXIS_H = 18;
// Below this many CSS px between lanes, only every k-th lane keeps its label.
const LABEL_H = 12;
// Message kinds are u8 codes; one stroke per kind keeps the draw to a few
// canvas calls instead of one per message.
const KINDS_MAX = 256;
// Arrows per stroke. Skia rasterises a stroked path with thousands of crossing
// subpaths far more slowly than several short paths.
const PATH_MAX = 64;

/** Default time label: seconds below a minute, else m:ss.sss. */
export function formatSeconds(tUs) {
  const s = tUs / 1e6;
  if (Math.abs(s) < 60) return `${s.toFixed(3)} s`;
  const m = Math.floor(s / 60);
  return `${m}:${(s - 60 * m).toFixed(3).padStart(6, '0')}`;
}

/**
 * Draw the diagram. `lanes`: [{ node, label }] in display order (messages to
 * or from a node without a lane are left out); `kindColour(kind)` → CSS colour;
 * `colours`: { bg, text, muted, grid, cursor, cut, gray, loss, highlight? };
 * `label(t_us)` formats the time labels. Returns the layout for `messageAt`.
 */
export function drawSpaceTime(ctx, {
  width, height, lanes, messages, fromUs, toUs, tUs, kindColour, colours, highlightNode = -1, label = formatSeconds,
}) {
  const dpr = pixelRatio(ctx);
  ctx.save();
  ctx.fillStyle = colours.bg;
  ctx.fillRect(0, 0, width, height);
  ctx.font = FONT;
  ctx.textBaseline = 'middle';

  // Lane labels set the left margin, capped so long names cannot eat the plot.
  let labelW = 0, maxNode = 0;
  for (const lane of lanes) {
    labelW = Math.max(labelW, ctx.measureText(lane.label).width);
    maxNode = Math.max(maxNode, lane.node);
  }
  labelW = Math.min(labelW, width * 0.3);
  const x0 = Math.ceil(PAD + labelW + 8);
  const x1 = width - PAD - 2;
  const plotW = Math.max(1, x1 - x0);
  const top = PAD;
  const bottom = height - AXIS_H;
  const laneGap = (bottom - top) / Math.max(1, lanes.length);
  // Lane y by node id; NaN marks a node without a lane.
  const laneY = new Float64Array(maxNode + 1).fill(NaN);
  lanes.forEach((lane, k) => { laneY[lane.node] = top + laneGap * (k + 0.5); });
  const span = toUs - fromUs || 1;
  const scale = plotW / span;

  // Lanes: a band behind the highlighted one, a hairline each, labels. When
  // lanes are too close for every label, every k-th keeps one, and the
  // highlighted lane always does, at the expense of its close neighbours.
  const every = Math.max(1, Math.ceil(LABEL_H / laneGap));
  let hlIndex = -Infinity;
  lanes.forEach((lane, k) => { if (lane.node === highlightNode) hlIndex = k; });
  lanes.forEach((lane, k) => {
    const y = laneY[lane.node];
    const hl = lane.node === highlightNode;
    const labelled = hl || (k % every === 0 && Math.abs(k - hlIndex) >= every);
    if (hl) {
      ctx.fillStyle = colours.highlight || colours.grid;
      ctx.fillRect(x0, y - laneGap / 2, plotW, laneGap);
    }
    ctx.strokeStyle = colours.grid;
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(x0, snap(y, dpr)); ctx.lineTo(x1, snap(y, dpr)); ctx.stroke();
    if (labelled) {
      ctx.font = hl ? BOLD : FONT;
      ctx.fillStyle = hl ? colours.text : colours.muted;
      ctx.textAlign = 'right';
      ctx.fillText(lane.label, x0 - 8, y, labelW);
    }
  });
  ctx.font = FONT;

  // First pass: which kinds are present, and how crowded the window is.
  const count = Math.floor(messages.length / MSG_STRIDE);
  const kindSeen = new Uint8Array(KINDS_MAX);
  let visible = 0;
  for (let i = 0; i < count; i++) {
    const o = i * MSG_STRIDE;
    if (!inView(messages, o, laneY, fromUs, toUs)) continue;
    visible++;
    kindSeen[messages[o + 5] & (KINDS_MAX - 1)] = 1;
  }
  // Past about one message per CSS px the lines merge into a smear; thinner,
  // fainter lines let dense bursts read as darker regions instead, and drop
  // the arrowheads, which are only clutter once arrows overlap. "Thinner" is
  // one device pixel: Skia draws that as a hairline, about ten times faster to
  // rasterise than a wider line (2,000 arrows: ~3 ms instead of ~35 ms).
  const density = visible / plotW;
  const alpha = density <= 1 ? 0.9 : Math.max(0.18, 0.9 / Math.sqrt(density));
  const lineWidth = density <= 0.5 ? 1.25 : 1 / dpr;
  const heads = density <= 1;
  // Hairlines rasterise fast in one path; wider lines in batches (PATH_MAX).
  const pathMax = lineWidth * dpr > 1 ? PATH_MAX : Infinity;
  const head = 5;

  ctx.save();
  ctx.beginPath();
  ctx.rect(x0, top, plotW, bottom - top);
  ctx.clip();
  ctx.lineWidth = lineWidth;
  ctx.lineCap = 'round';
  ctx.globalAlpha = alpha;
  for (let kind = 0; kind < KINDS_MAX; kind++) {
    if (!kindSeen[kind]) continue;
    ctx.strokeStyle = kindColour(kind);
    ctx.beginPath();
    let inPath = 0;
    for (let i = 0; i < count; i++) {
      const o = i * MSG_STRIDE;
      if ((messages[o + 5] & (KINDS_MAX - 1)) !== kind || !inView(messages, o, laneY, fromUs, toUs)) continue;
      if (++inPath > pathMax) { ctx.stroke(); ctx.beginPath(); inPath = 1; }
      const ys = laneY[messages[o + 2]], yt = laneY[messages[o + 3]];
      const xs = x0 + (messages[o] - fromUs) * scale;
      const xe = x0 + (messages[o + 1] - fromUs) * scale;
      const lost = messages[o + 6] !== 0;
      const ye = lost ? (ys + yt) / 2 : yt;
      ctx.moveTo(xs, ys);
      if (ys === yt) {
        // A message to itself: a small hump, or it would hide under the lane line.
        ctx.lineTo((xs + xe) / 2, ys - 4);
        ctx.lineTo(xe, ye);
        continue;
      }
      ctx.lineTo(xe, ye);
      if (heads && !lost) {
        const dx = xe - xs, dy = ye - ys, len = Math.sqrt(dx * dx + dy * dy);
        const size = Math.min(head, len / 3);
        const ux = dx / len, uy = dy / len;
        ctx.moveTo(xe - size * (ux + 0.5 * uy), ye - size * (uy - 0.5 * ux));
        ctx.lineTo(xe, ye);
        ctx.lineTo(xe - size * (ux - 0.5 * uy), ye - size * (uy + 0.5 * ux));
      }
    }
    ctx.stroke();
  }

  // Crosses where lost messages vanished, one stroke per fate, kept opaque
  // enough to find even in a dense burst.
  ctx.lineWidth = 1.5;
  ctx.lineCap = 'butt';
  ctx.globalAlpha = Math.max(alpha, 0.8);
  const r = density <= 2 ? 3.5 : 2.5;
  for (let fate = CUT; fate <= LOSS; fate++) {
    ctx.strokeStyle = fate === CUT ? colours.cut : fate === DEVICE_DROP ? colours.gray : colours.loss;
    ctx.beginPath();
    for (let i = 0; i < count; i++) {
      const o = i * MSG_STRIDE;
      if (messages[o + 6] !== fate || !inView(messages, o, laneY, fromUs, toUs)) continue;
      const x = x0 + (messages[o + 1] - fromUs) * scale;
      const y = (laneY[messages[o + 2]] + laneY[messages[o + 3]]) / 2;
      ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r);
      ctx.moveTo(x + r, y - r); ctx.lineTo(x - r, y + r);
    }
    ctx.stroke();
  }
  ctx.restore();

  // Time labels at both ends and at the cursor; an end label that would
  // collide with the cursor's gives way to it.
  const axisY = height - AXIS_H / 2;
  const fromText = label(fromUs), toText = label(toUs);
  const fromW = ctx.measureText(fromText).width, toW = ctx.measureText(toText).width;
  let curL = Infinity, curR = -Infinity;
  if (tUs >= fromUs && tUs <= toUs) {
    const cx = snap(x0 + (tUs - fromUs) * scale, dpr);
    ctx.strokeStyle = colours.cursor;
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(cx, top); ctx.lineTo(cx, bottom); ctx.stroke();
    const text = label(tUs);
    const w = ctx.measureText(text).width;
    curL = Math.min(Math.max(cx - w / 2, x0), x1 - w);
    curR = curL + w;
    ctx.fillStyle = colours.text;
    ctx.textAlign = 'left';
    ctx.fillText(text, curL, axisY);
  }
  ctx.fillStyle = colours.muted;
  if (x0 + fromW + 8 < curL || x0 > curR + 8) {
    ctx.textAlign = 'left';
    ctx.fillText(fromText, x0, axisY);
  }
  if (x1 - toW - 8 > curR || x1 < curL - 8) {
    ctx.textAlign = 'right';
    ctx.fillText(toText, x1, axisY);
  }
  ctx.restore();
  return { x0, x1, top, bottom, fromUs, toUs, laneY, messages };
}

/** Whether message at offset `o` has both lanes and overlaps [fromUs, toUs]. */
function inView(m, o, laneY, fromUs, toUs) {
  if (m[o] > toUs || Math.max(m[o], m[o + 1]) < fromUs) return false;
  const from = m[o + 2], to = m[o + 3];
  return from >= 0 && to >= 0 && from < laneY.length && to < laneY.length && laneY[from] === laneY[from] && laneY[to] === laneY[to];
}

/**
 * Index (in messages, not offset) of the message drawn nearest to (x, y) in
 * CSS px, within `slop` px, or -1. `layout` is what drawSpaceTime returned.
 */
export function messageAt(x, y, layout, slop = 5) {
  const { x0, x1, top, bottom, fromUs, toUs, laneY, messages } = layout;
  if (x < x0 - slop || x > x1 + slop || y < top || y > bottom) return -1;
  const scale = (x1 - x0) / (toUs - fromUs || 1);
  let best = -1, bestD = slop * slop;
  for (let i = 0, count = Math.floor(messages.length / MSG_STRIDE); i < count; i++) {
    const o = i * MSG_STRIDE;
    if (!inView(messages, o, laneY, fromUs, toUs)) continue;
    const ys = laneY[messages[o + 2]], yt = laneY[messages[o + 3]];
    const xs = x0 + (messages[o] - fromUs) * scale;
    const xe = x0 + (messages[o + 1] - fromUs) * scale;
    const ye = messages[o + 6] !== 0 ? (ys + yt) / 2 : yt;
    // Squared distance from the point to the segment.
    const dx = xe - xs, dy = ye - ys, len2 = dx * dx + dy * dy;
    const u = len2 > 0 ? Math.min(1, Math.max(0, ((x - xs) * dx + (y - ys) * dy) / len2)) : 0;
    const ex = xs + u * dx - x, ey = ys + u * dy - y;
    const d = ex * ex + ey * ey;
    if (d < bestD) { bestD = d; best = i; }
  }
  return best;
}
