// Draws one frame: links by plane and status, devices, nodes by role and
// health (the base), and messages in flight over them. Frame + layout +
// context in, pixels out: no simulation, no DOM lookups, no state.
import { readFrame, NODE_STRIDE, MSG_STRIDE, Health, Role, LinkStatus, Fate, ROLE_NAMES } from '../lib/frame-layout.js';
import { planeOffset } from '../lib/layout.js';
import { kindColour } from '../lib/kinds.js';


export function palette(dark) {
  return dark
    ? { bg: '#0f172a', text: '#e2e8f0', muted: '#94a3b8', link: '#475569', node: '#1e293b', cut: '#f87171', gray: '#fb923c', degraded: '#facc15',
        role: ['#334155', '#475569', '#a78bfa', '#22c55e', '#38bdf8'], device: '#334155' }
    : { bg: '#ffffff', text: '#0f172a', muted: '#64748b', link: '#cbd5e1', node: '#f8fafc', cut: '#dc2626', gray: '#ea580c', degraded: '#ca8a04',
        role: ['#e2e8f0', '#cbd5e1', '#c4b5fd', '#16a34a', '#0ea5e9'], device: '#e2e8f0' };
}

function toPx(p, w, h, pad) {
  return { x: pad + p.x * (w - 2 * pad), y: pad + p.y * (h - 2 * pad) };
}

/** Closest distance between two node centres (a dense fleet draws smaller). */
function nearest(nodes) {
  let best = Infinity;
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) best = Math.min(best, Math.hypot(nodes[i].x - nodes[j].x, nodes[i].y - nodes[j].y));
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
  const names = radius >= 9;
  const captions = spacing >= 2.6 * radius + 12;
  lastGeometry = { width, height, nodePos, pad, nodes, radius, names, captions };
  return lastGeometry;
}

/**
 * What changes only when a node or link changes state: background, devices,
 * links, nodes. The player caches it and repaints it only then.
 */
export function drawStageBase(ctx, { width, height, topology, nodePos, devicePos, frameData, colors, textScale = 1 }) {
  // Captions grow with `textScale` (presenter mode), so a projected stage stays readable.
  const small = `${Math.round(11 * textScale)}px system-ui, sans-serif`;
  const { pad, nodes, radius, names, captions } = geometry(width, height, nodePos);
  const f = readFrame(frameData);
  ctx.fillStyle = colors.bg;
  ctx.fillRect(0, 0, width, height);

  devicePos.forEach((p, d) => {
    const { x, y } = toPx(p, width, height, pad);
    ctx.fillStyle = colors.device;
    ctx.fillRect(x - 34, y - 11, 68, 22);
    ctx.fillStyle = colors.muted;
    ctx.font = small;
    ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
    ctx.fillText(topology.devices[d], x, y);
  });

  // Each directed link is drawn as the half of the line next to its sender, so a
  // one-way cut shows as half a line.
  const planeCount = topology.planes.length;
  for (let i = 0; i < f.linkCount; i++) {
    const from = topology.links[3 * i], to = topology.links[3 * i + 1], plane = topology.links[3 * i + 2];
    const a = nodes[from], b = nodes[to];
    const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
    const sign = from < to ? 1 : -1;
    const off = planeOffset(plane, planeCount) * sign;
    const ox = (-dy / len) * off, oy = (dx / len) * off;
    const status = f.links[i];
    ctx.beginPath();
    ctx.moveTo(a.x + ox, a.y + oy);
    ctx.lineTo((a.x + b.x) / 2 + ox, (a.y + b.y) / 2 + oy);
    ctx.lineWidth = status === LinkStatus.UP ? 1.5 : 3;
    ctx.setLineDash(status === LinkStatus.CUT ? [2, 6] : status === LinkStatus.GRAY ? [8, 4] : status === LinkStatus.DEGRADED ? [3, 3] : []);
    ctx.strokeStyle = [colors.link, colors.cut, colors.gray, colors.degraded][status] ?? colors.link;
    ctx.stroke();
  }
  ctx.setLineDash([]);

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
    ctx.fillStyle = colors.text;
    ctx.font = `600 ${Math.round(radius * 0.55 * Math.min(textScale, 1.3))}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    if (names) ctx.fillText(topology.nodes[i].name, x, y, radius * 1.9);
    if (!captions) continue;
    ctx.font = small;
    ctx.fillStyle = colors.muted;
    const state = health === Health.UP ? (isClient ? 'client' : `${ROLE_NAMES[role]}${term ? ` · t${term}` : ''}`) : ['up', 'crashed', 'paused', 'off'][health];
    ctx.fillText(state, x, y + radius + 10 * textScale);
  }
}

/** Messages in flight, drawn over the base each frame. */
export function drawMessages(ctx, { width, height, nodePos, frameData, colors }) {
  const { nodes, radius } = geometry(width, height, nodePos);
  const f = readFrame(frameData);
  for (let i = 0; i < f.msgCount; i++) {
    const m = f.msgs.subarray(i * MSG_STRIDE, (i + 1) * MSG_STRIDE);
    const a = nodes[m[0]], b = nodes[m[1]], t = m[4], fate = m[5];
    if (!a || !b) continue;
    const x = a.x + (b.x - a.x) * t, y = a.y + (b.y - a.y) * t;
    // Nodes are painted under the messages (they are cached): a message still
    // inside its sender or already inside its receiver is not drawn.
    if (Math.hypot(x - a.x, y - a.y) < radius || Math.hypot(x - b.x, y - b.y) < radius) continue;
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

/** The state of nodes and links in a frame, as a key: the base layer is repainted when it changes. */
export function baseKey(frameData) {
  const f = readFrame(frameData);
  return `${f.nodes.join(',')}|${f.links.join(',')}`;
}

/** The whole stage in one call (figures, exports, tests). */
export function drawStage(ctx, options) {
  drawStageBase(ctx, options);
  drawMessages(ctx, options);
}
