// The stage: a canvas drawing of a scenario's nodes, links and devices at one
// moment of a replay. This module is its face for the player (app/player/):
// what it needs, gathered from the modules that do one job each:
//   stage-layout.js  where things go in pixels for a canvas size (spacing.js, labels.js)
//   paint.js         the base layer of one frame (paint-node.js, paint-devices.js,
//                    paint-large.js for big topologies, marks.js)
//   flight.js        messages in flight and the selection, over the base every frame
//   base-key.js      when the base must be repainted
//   hit.js           what is under a point
//   palette.js       the colours
// Words for nodes are node-words.js's; the selection and its card select.js's
// and stage-input.js's; the legend legend.js's.
export { palette } from './palette.js';
export { nodeGeometry } from './stage-layout.js';
export { drawStageBase } from './paint.js';
export { drawMessages } from './flight.js';
export { baseKey } from './base-key.js';
export { stageHit } from './hit.js';
