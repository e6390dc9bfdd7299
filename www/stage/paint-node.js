// One node drawn in detail: its shape by kind (a server's circle, a client's
// square) filled by role and outlined by health, struck through when down,
// its name inside, its writes lost, its state line under it and its facts
// beside or under it. The words are node-words.js's; where they fit is
// labels.js's and stage-layout.js's.
import { NODE_STRIDE, Health, Role } from '../lib/frame-layout.js';
import { stateWord, nodeFacts, writesGone, shortName } from './node-words.js';
import { drawWritesGone } from './marks.js';
import { factPlacement, captionRoom, fitCaption } from './labels.js';

/**
 * Node `i` of frame `f`, with `layout` (stage-layout.js `nodeLayout`) and
 * `devices` (its device boxes, which facts keep clear of).
 */
export function drawNode(ctx, i, { f, topology, layout, devices, width, height, colors, textScale, font }) {
  const { pad, nodes, radius, names, captions, factLines } = layout;
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
  if (!captions) return;
  ctx.font = font;
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
    drawFacts(ctx, nodeFacts(topology, f, i), { nodes, i, radius, below, captionLines: caption.length, room, bottom: height - pad / 2, width, devices, font, colors, textScale });
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
