// What is drawn over the cached base every frame: the selection's mark and
// the messages in flight (a dot on its way, a cross where one was lost).
import { readFrame, MSG_STRIDE, Fate } from '../lib/frame-layout.js';
import { kindColour } from '../lib/kinds.js';
import { nodeLayout, nodeGeometry, MANY_NODES } from './stage-layout.js';
import { drawSelection, drawLinkSelection, drawDeviceSelection } from './marks.js';

/** Messages in flight, drawn over the base each frame (and the selection: { kind, index } or null, select.js). */
export function drawMessages(ctx, { width, height, nodePos, devicePos = [], topology, frameData, colors, selected = null }) {
  const { nodes, radius } = nodeLayout(width, height, nodePos);
  const f = readFrame(frameData);
  if (selected?.kind === 'node' && nodes[selected.index]) drawSelection(ctx, nodes[selected.index], radius, colors);
  else if (selected?.kind === 'link' && topology) drawLinkSelection(ctx, nodes[topology.links[3 * selected.index]], nodes[topology.links[3 * selected.index + 1]], colors);
  else if (selected?.kind === 'device' && devicePos[selected.index]) drawDeviceSelection(ctx, nodeGeometry(width, height, nodePos, devicePos).devices[selected.index], colors);
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

/** Nodes (other than its ends) whose circle a line between nodes `a` and `b` crosses; remembered per layout. */
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
