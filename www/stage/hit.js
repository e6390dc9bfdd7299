// What is under a point of the stage: a node, a device's box or a link, from
// the same pixel layout the stage is painted with (stage-layout.js).
import { nodeLayout, deviceBoxes } from './stage-layout.js';

/**
 * What is under the point (x, y) in CSS pixels of a stage `width` × `height`:
 * `{ kind: 'node'|'device'|'link', index }` or null. A node wins within its
 * radius (and a little more, for fingers), then a device's box, then the
 * nearest link line within 6 px (the first link between that pair).
 */
export function stageHit({ width, height, nodePos, devicePos, topology }, x, y) {
  const { nodes, radius } = nodeLayout(width, height, nodePos);
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
