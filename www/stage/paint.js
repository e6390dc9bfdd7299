// Paints the stage's base layer for one frame: background, fleet cards, links
// by plane and status, devices, nodes by role and health (paint-node.js), and
// the split-brain bands (marks.js). Layout (stage-layout.js) + frame + colours
// in, pixels out: no simulation, no DOM lookups, no state. The player caches
// the base and repaints it only when a node or link changes (base-key.js);
// messages in flight go over it every frame (flight.js).
import { readFrame, LinkStatus } from '../lib/frame-layout.js';
import { nodeLayout, deviceBoxes, linkHalf, cardBox, MANY_NODES } from './stage-layout.js';
import { drawCards, drawSplitBands } from './marks.js';
import { drawDevices } from './paint-devices.js';
import { drawNode } from './paint-node.js';
import { isSpare } from './node-words.js';
import { drawLargeStageBase, drawManyNodes, LOD_LINKS } from './paint-large.js';

/**
 * The base for `options` ({ width, height, topology, nodePos, devicePos,
 * frameData, colors, textScale }). A big topology is painted over several
 * frames (paint-large.js): then returns `{ more() }`. Else `{ nodes }`: each
 * node's words as drawn (paint-node.js; none above `MANY_NODES` nodes).
 */
export function drawStageBase(ctx, options) {
  if (readFrame(options.frameData).linkCount > LOD_LINKS) return drawLargeStageBase(ctx, options);
  return { nodes: drawSmallStageBase(ctx, options) };
}

function drawSmallStageBase(ctx, { width, height, topology, nodePos, devicePos, frameData, colors, textScale = 1 }) {
  const layout = nodeLayout(width, height, nodePos);
  const { nodes, radius } = layout;
  const f = readFrame(frameData);
  ctx.fillStyle = colors.bg;
  ctx.fillRect(0, 0, width, height);
  const fleet = nodePos.cards ? { cards: nodePos.cards, cardOf: nodePos.cardOf } : null;
  if (fleet) drawCards(ctx, { fleet, boxes: fleet.cards.map((c) => cardBox(c, layout)), f, topology, colors, textScale });
  const devices = deviceBoxes(width, height, nodePos, devicePos, topology, textScale);
  drawLinks(ctx, { f, topology, nodes, fleet, colors });
  // Devices over the links that pass through them, so their names stay readable.
  drawDevices(ctx, devices, topology.devices, colors, textScale);

  if (f.nodeCount > MANY_NODES) {
    drawManyNodes(ctx, f, topology, nodes, radius, colors);
    return null;
  }
  if (!fleet) drawSplitBands(ctx, { f, topology, nodes, radius, colors, textScale });
  ctx.textAlign = 'center';
  // Captions grow with `textScale` (presenter mode), so a projected stage stays readable.
  const font = `${Math.round(11 * textScale)}px system-ui, sans-serif`;
  const drawn = [];
  for (let i = 0; i < f.nodeCount; i++) drawn.push(drawNode(ctx, i, { f, topology, layout, devices, width, height, colors, textScale, font }));
  return drawn;
}

/** Pen per link status: width, dash, colour. */
function linkStyles(colors) {
  return [
    [LinkStatus.UP, 1.5, [], colors.link],
    [LinkStatus.DEGRADED, 3, [3, 3], colors.degraded],
    [LinkStatus.GRAY, 3, [8, 4], colors.gray],
    [LinkStatus.CUT, 3, [2, 6], colors.cut],
  ];
}

/**
 * Each directed link as the half of the line next to its sender
 * (stage-layout.js `linkHalf`). One path per status (a few strokes, not one
 * per link): a 100,000-link mesh costs one pass over the links, and links in
 * trouble are stroked last, over the healthy ones.
 */
function drawLinks(ctx, { f, topology, nodes, fleet, colors }) {
  const planeCount = topology.planes.length;
  const paths = [new Path2D(), new Path2D(), new Path2D(), new Path2D()];
  // Links of a spare carry nothing in this run: one faint dotted line whatever their status.
  const spareLinks = new Path2D();
  for (let i = 0; i < f.linkCount; i++) {
    const from = topology.links[3 * i], to = topology.links[3 * i + 1], plane = topology.links[3 * i + 2];
    // A fleet draws the links inside each card (their trouble shows the switch's); links out of the cards are left out.
    if (fleet && (fleet.cardOf[from] < 0 || fleet.cardOf[from] !== fleet.cardOf[to])) continue;
    const half = linkHalf(nodes, from, to, plane, planeCount);
    const path = isSpare(topology, from) || isSpare(topology, to) ? spareLinks : paths[f.links[i]] ?? paths[LinkStatus.UP];
    path.moveTo(half.x0, half.y0);
    path.lineTo(half.x1, half.y1);
  }
  ctx.lineWidth = 1;
  ctx.setLineDash([1, 4]);
  ctx.strokeStyle = colors.link;
  ctx.stroke(spareLinks);
  for (const [status, width, dash, colour] of linkStyles(colors)) {
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.strokeStyle = colour;
    ctx.stroke(paths[status]);
  }
  ctx.setLineDash([]);
}
