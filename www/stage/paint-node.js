// One node drawn in detail: its shape by kind (a server's circle, a client's
// square) filled by role and outlined by health, struck through when down,
// its name inside, its writes lost, its state line under it and its facts
// beside or under it. The words are node-words.js's; where they fit is
// labels.js's and stage-layout.js's.
import { NODE_STRIDE, Health, Role } from '../lib/frame-layout.js';
import { stateWord, nodeFacts, writesGone, shortName, isSpare } from './node-words.js';
import { drawWritesGone } from './marks.js';
import { factPlacement, captionRoom, fitCaption } from './labels.js';

/**
 * Node `i` of frame `f`, with `layout` (stage-layout.js `nodeLayout`) and
 * `devices` (its device boxes, which facts keep clear of). Returns what it
 * drew in words (`drawnWords`): the state line, the fact lines drawn and those
 * it had no room for.
 */
export function drawNode(ctx, i, { f, topology, layout, devices, width, height, colors, textScale, font }) {
  const { pad, nodes, radius, names, captions, factLines } = layout;
  const health = f.nodes[i * NODE_STRIDE], role = f.nodes[i * NODE_STRIDE + 1];
  const { x, y } = nodes[i];
  const isClient = topology.nodes[i].model === 'client';
  const spare = isSpare(topology, i);
  if (spare) drawSpareShape(ctx, x, y, radius, colors);
  else drawShape(ctx, { x, y, radius, health, role, isClient, colors });
  drawName(ctx, topology.nodes[i].name, x, y, radius, names, textScale, spare ? colors.muted : colors.text);
  const gone = writesGone(f, i);
  if (gone.discarded || gone.lost) drawWritesGone(ctx, { x, y, radius, gone, colors, textScale });
  const facts = isClient ? [] : factLinesOf(nodeFacts(topology, f, i));
  // The state in the model's own words (node-words.js); a model's numbers are
  // its declared facts, so no generic epoch is added to it.
  const state = stateWord(topology, f, i);
  if (!captions) return drawnWords(topology.nodes[i].name, state, spare, [], facts);
  ctx.font = font;
  ctx.fillStyle = colors.muted;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const room = captionRoom(nodes, i, width, 13 * textScale);
  const caption = fitCaption(state, room, (t) => ctx.measureText(t).width);
  caption.forEach((text, k) => haloText(ctx, text, x, y + radius + (10 + 13 * k) * textScale, room, colors));
  if (!facts.length) return drawnWords(topology.nodes[i].name, caption.join(' '), spare, [], []);
  const below = Math.max(0, factLines - (caption.length - 1));
  const shown = drawFacts(ctx, facts, { nodes, i, radius, below, captionLines: caption.length, room, bottom: height - pad / 2, width, devices, font, colors, textScale });
  return drawnWords(topology.nodes[i].name, caption.join(' '), spare, shown, facts.filter((t) => !shown.includes(t)));
}

/**
 * A node's words as drawn: `{ name, state, spare, facts, hidden }`, the fact
 * lines drawn and those left out (fact-list.js lists a node with any left out).
 */
function drawnWords(name, state, spare, facts, hidden) {
  return { name, state, spare, facts, hidden };
}

/** "label: value" per shown fact but the peer set (the view matrix shows that). */
function factLinesOf(facts) {
  return facts.filter((fact) => fact.unit !== 'peers').map((fact) => `${fact.label}: ${fact.text}`);
}

/** A server's circle or a client's square, filled by role, outlined by health, struck through when down. */
function drawShape(ctx, { x, y, radius, health, role, isClient, colors }) {
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
}

/**
 * A spare (left out of the run): hollow, with a fine dashed grey outline, so
 * it reads as a place a node could be rather than a node taking part (the
 * legend says so: legend.js).
 */
function drawSpareShape(ctx, x, y, radius, colors) {
  ctx.beginPath();
  ctx.arc(x, y, radius, 0, 2 * Math.PI);
  ctx.fillStyle = colors.bg;
  ctx.fill();
  ctx.lineWidth = 1.5;
  ctx.setLineDash([3, 3]);
  ctx.strokeStyle = colors.muted;
  ctx.stroke();
  ctx.setLineDash([]);
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
function drawName(ctx, name, x, y, radius, roomy, textScale, colour) {
  ctx.fillStyle = colour;
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
 * Fact lines (`lines`, in the model's order of importance): in a column beside
 * the node (right, else left) where the canvas has room and no node or device
 * stands there (labels.js), else under its state line as far as the room
 * below allows (`below` lines). A line is drawn whole or not at all: one that
 * would have to be squeezed narrower than `LEGIBLE_SQUEEZE` of its width is
 * left out and the next one tried, and the last line left says how many more
 * there are. Returns the lines drawn.
 */
function drawFacts(ctx, lines, { nodes, i, radius, below, captionLines = 1, room, bottom, width, devices, font, colors, textScale }) {
  const { x, y } = nodes[i];
  const line = 13 * textScale;
  ctx.font = font;
  ctx.fillStyle = colors.muted;
  const fit = Math.max(1, Math.min(8, Math.floor((bottom - (y - radius)) / line)));
  const column = lines.slice(0, fit);
  const columnW = Math.min(230 * textScale, Math.max(...column.map((t) => ctx.measureText(t).width)));
  const place = factPlacement({ nodes, i, radius, count: column.length, columnW, lineH: line, width, devices });
  const beside = place.side !== 'below';
  const maxW = beside ? place.width : Math.min(place.width * textScale, room ?? Infinity);
  const shown = legibleLines(ctx, lines, beside ? column.length : below, maxW);
  if (beside) {
    ctx.textAlign = place.side === 'left' ? 'right' : 'left';
    shown.forEach((text, k) => haloText(ctx, text, place.x, y - radius + 6 + k * line, place.width, colors));
    ctx.textAlign = 'center';
  } else {
    const under = y + radius + 10 * textScale + (captionLines - 1) * line;
    shown.forEach((text, k) => haloText(ctx, text, x, under + (k + 1) * line, maxW, colors));
  }
  return shown.filter((t) => lines.includes(t));
}

/** Narrowest a line may be squeezed to (of its own width) and still read well. */
const LEGIBLE_SQUEEZE = 0.9;

/**
 * Up to `slots` of `lines`, in order, each fitting `maxW` pixels (squeezed
 * to no less than `LEGIBLE_SQUEEZE`); when some are left out and a slot is
 * free (or the last slot is given up for it), a "+N more" line.
 */
function legibleLines(ctx, lines, slots, maxW) {
  if (slots <= 0) return [];
  const fits = (t) => ctx.measureText(t).width * LEGIBLE_SQUEEZE <= maxW;
  const shown = lines.filter(fits).slice(0, slots);
  const more = lines.length - shown.length;
  if (!more) return shown;
  const note = (n) => `+${n} more facts`;
  if (shown.length < slots && fits(note(more))) return [...shown, note(more)];
  if (shown.length > 1 && fits(note(more + 1))) return [...shown.slice(0, -1), note(more + 1)];
  return shown;
}
