// The stage view: one canvas per visible run ("Your version", "As it happened"),
// nodes and links from the frame (repainted only when they change), messages in
// flight every frame, and a text description of the frame for screen readers.
import { drawStageBase, drawMessages as drawFlight, baseKey } from '../../stage/stage.js';
import { Layer } from '../../lib/layer.js';
import { readFrame, NODE_STRIDE, Health, ROLE_NAMES, HEALTH_NAMES } from '../../lib/frame-layout.js';
import { visibleSlots, runOf, formatClock } from './store.js';

/** @param p { root, $, state, fitCanvas(canvas), draw() } */
export function createStageView({ root, $, state, fitCanvas, draw }) {
  const layers = { variant: new Layer(), history: new Layer() };

  function drawStages(colours) {
    const slots = visibleSlots(state);
    // Show or hide the boxes first, then size and draw: a box appearing changes
    // the width of the other.
    const boxes = [...root.querySelectorAll('.stage-box')];
    for (const box of boxes) box.hidden = !(box.dataset.slot === 'variant' || (state.view === 'both' && state.variant));
    for (const box of boxes) {
      if (box.hidden) continue;
      const shownSlot = box.dataset.slot === 'variant' ? slots[0] : 'history';
      const run = runOf(state, shownSlot);
      const frame = state.frames[shownSlot];
      box.querySelector('figcaption').textContent = shownSlot === 'history' ? 'As it happened' : 'Your version';
      if (!run || !frame) continue;
      const { ctx, width, height } = fitCanvas(box.querySelector('canvas'));
      const options = { width, height, topology: run.topology, nodePos: state.layout.nodes, devicePos: state.layout.devices, frameData: frame, colors: colours, textScale: state.presenter ? 1.6 : 1 };
      // Nodes and links change only at state changes: repaint them then, and
      // draw only the messages in flight every frame.
      const base = layers[box.dataset.slot].draw(ctx, `${state.version}:${shownSlot}:${width}x${height}:${options.textScale}:${baseKey(frame)}`, (layerCtx) => drawStageBase(layerCtx, options));
      // A big topology is painted over several frames (stage.js, level of detail).
      if (base?.more?.()) draw();
      drawFlight(ctx, options);
    }
    describe();
  }

  /** The main stage's accessible name: every server and its state at this time. */
  function describe() {
    const slot = visibleSlots(state)[0];
    const frame = state.frames[slot];
    if (!frame) return;
    const run = runOf(state, slot);
    const f = readFrame(frame);
    const parts = [];
    for (let i = 0; i < f.nodeCount; i++) {
      const node = run.topology.nodes[i];
      if (node.model === 'client') continue;
      const h = f.nodes[i * NODE_STRIDE], r = f.nodes[i * NODE_STRIDE + 1];
      parts.push(`${node.name} ${h === Health.UP ? ROLE_NAMES[r] || 'up' : HEALTH_NAMES[h]}`);
    }
    $('stage-variant').setAttribute('aria-label', `At ${formatClock(state, state.tUs)}: ${parts.join(', ')}`);
  }

  return { draw: drawStages };
}
