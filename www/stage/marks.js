// Marks drawn over the stage from what the core exported: fleet cards (one per
// replication group, with its writable count), split-brain bands, writes that
// were lost or thrown away, and the keyboard selection. Drawing only: the
// frame says how many members of a group accept writes (crate/src/trace/frame.rs,
// the split-brain monitor's own definition); nothing here decides it.
import { Health, NodeField, nodeField } from '../lib/frame-layout.js';

/** "2 writable" for a group where two or more live members accept writes. */
export function splitText(writable) {
  return `${writable} writable`;
}

function roundRect(ctx, x, y, w, h, r) {
  ctx.beginPath();
  ctx.roundRect ? ctx.roundRect(x, y, w, h, r) : ctx.rect(x, y, w, h);
}

/** A card per fleet group (`boxes`: each card's pixel rectangle, stage-layout.js): its name, and a red border with "N writable" while it is split. */
export function drawCards(ctx, { fleet, boxes, f, topology, colors, textScale = 1 }) {
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  fleet.cards.forEach((card, c) => {
    const { x, y, w, h } = boxes[c];
    const writable = f.groups[card.group] ?? 0;
    const split = writable >= 2;
    const down = card.members.every((i) => nodeField(f, i, NodeField.HEALTH) !== Health.UP);
    roundRect(ctx, x, y, w, h, 6);
    ctx.fillStyle = split ? colors.splitFill : colors.card;
    ctx.fill();
    ctx.lineWidth = split ? 3 : 1;
    ctx.strokeStyle = split ? colors.cut : down ? colors.muted : colors.link;
    ctx.stroke();
    ctx.font = `${Math.round(10 * textScale)}px system-ui, sans-serif`;
    ctx.fillStyle = split ? colors.cut : colors.muted;
    const name = topology.groups[card.group] ?? '';
    ctx.fillText(split ? `${name} · ${splitText(writable)}` : name, x + 4, y + 2, w - 8);
  });
}

/** Outside a fleet: a red band around each split group's writable members (rings joined by a line when a band would take in other nodes), labelled "N writable". */
export function drawSplitBands(ctx, { f, topology, nodes, radius, colors, textScale = 1 }) {
  for (let g = 0; g < f.groupCount; g++) {
    const writable = f.groups[g];
    if (writable < 2) continue;
    const members = [];
    for (let i = 0; i < f.nodeCount; i++) {
      if (nodeField(f, i, NodeField.GROUP) !== g || nodeField(f, i, NodeField.ROLE) !== 3 || nodeField(f, i, NodeField.HEALTH) !== Health.UP) continue;
      members.push(i);
    }
    if (!members.length) continue;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const i of members) { x0 = Math.min(x0, nodes[i].x); y0 = Math.min(y0, nodes[i].y); x1 = Math.max(x1, nodes[i].x); y1 = Math.max(y1, nodes[i].y); }
    // The band's bottom edge runs between the circles and their state lines,
    // so no caption or fact line under a member is crossed out by it.
    const m = radius + 8, bottom = radius + 3;
    const box = { x: x0 - m, y: y0 - m, w: x1 - x0 + 2 * m, h: y1 - y0 + m + bottom };
    // One band around the writable members only if it takes in no other node;
    // else a ring around each, joined by a line (Elasticsearch's a1 and b1 with a2..a4 between).
    const others = nodes.some((p, j) => !members.includes(j) && p.x > box.x && p.x < box.x + box.w && p.y > box.y && p.y < box.y + box.h);
    ctx.lineWidth = 3;
    ctx.strokeStyle = colors.cut;
    ctx.setLineDash([]);
    if (!others) {
      roundRect(ctx, box.x, box.y, box.w, box.h, Math.min(m, box.h / 2));
      ctx.fillStyle = colors.splitFill;
      ctx.fill();
      ctx.stroke();
    } else {
      ctx.beginPath();
      members.forEach((i, k) => { const p = nodes[i]; if (k) ctx.lineTo(p.x, p.y - m); else ctx.moveTo(p.x, p.y - m); });
      ctx.setLineDash([6, 4]);
      ctx.stroke();
      ctx.setLineDash([]);
      for (const i of members) {
        ctx.beginPath();
        ctx.arc(nodes[i].x, nodes[i].y, radius + 5, 0, 2 * Math.PI);
        ctx.fillStyle = colors.splitFill;
        ctx.fill();
        ctx.stroke();
      }
    }
    ctx.font = `600 ${Math.round(12 * textScale)}px system-ui, sans-serif`;
    ctx.fillStyle = colors.cut;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    ctx.fillText(`split brain: ${splitText(writable)}${topology.groups[g] ? ` (${topology.groups[g]})` : ''}`, x0 - m, y0 - m - 2);
  }
}

/** A red tag above a node: writes it threw away (divergent) or acknowledged writes lost. */
export function drawWritesGone(ctx, { x, y, radius, gone, colors, textScale = 1 }) {
  const parts = [];
  if (gone.discarded) parts.push(`${gone.discarded} discarded`);
  if (gone.lost) parts.push(`${gone.lost} lost`);
  const text = parts.join(' · ');
  ctx.font = `600 ${Math.round(10 * textScale)}px system-ui, sans-serif`;
  const w = ctx.measureText(text).width + 8, h = 14 * textScale;
  roundRect(ctx, x + radius * 0.5, y - radius - h, w, h, 3);
  ctx.fillStyle = colors.cut;
  ctx.fill();
  ctx.fillStyle = colors.bg;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, x + radius * 0.5 + 4, y - radius - h / 2);
}

/** The node the keyboard (or a click) selected: a ring around it. */
export function drawSelection(ctx, p, radius, colors) {
  ctx.beginPath();
  ctx.arc(p.x, p.y, radius + 5, 0, 2 * Math.PI);
  ctx.lineWidth = 3;
  ctx.setLineDash([]);
  ctx.strokeStyle = colors.focus;
  ctx.stroke();
}

/** The selected link: a wide band in the focus colour along it (under the messages). */
export function drawLinkSelection(ctx, a, b, colors) {
  if (!a || !b) return;
  ctx.save();
  ctx.globalAlpha = 0.5;
  ctx.beginPath();
  ctx.moveTo(a.x, a.y);
  ctx.lineTo(b.x, b.y);
  ctx.lineWidth = 8;
  ctx.lineCap = 'round';
  ctx.setLineDash([]);
  ctx.strokeStyle = colors.focus;
  ctx.stroke();
  ctx.restore();
}

/** The selected device: a frame around its box (the box is 68 × 22 px, labels.js). */
export function drawDeviceSelection(ctx, p, colors) {
  ctx.lineWidth = 3;
  ctx.setLineDash([]);
  ctx.strokeStyle = colors.focus;
  ctx.strokeRect(p.x - 39, p.y - 16, 78, 32);
}
