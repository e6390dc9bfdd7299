// The stage view: one canvas per visible run ("Your version", "As it happened"),
// nodes and links from the frame (repainted only when they change), messages in
// flight every frame, and a text description of the frame for screen readers.
import { drawStageBase, drawMessages as drawFlight, baseKey, nodeGeometry } from '../../stage/stage.js';
import { Layer } from '../../lib/layer.js';
import { readFrame } from '../../lib/frame-layout.js';
import { attachStageInput } from '../../stage/stage-input.js';
import { renderNodeLegend, renderViewMatrix } from '../../stage/legend.js';
import { describeNode } from '../../stage/node-words.js';
import { renderFactList } from '../../stage/fact-list.js';
import { visibleSlots, runOf, formatClock } from './store.js';
import { baselineNames } from '../scenario-kind.js';

/**
 * From this many nodes, a stage's geometry (pixel positions and spacing,
 * stage/stage-layout.js) is worked out in one frame and painted on in the next: on a
 * 10,000-node fleet each takes 15-30 ms, together one long task.
 */
const GEOMETRY_FIRST_NODES = 2_000;

/** @param p { root, $, state, fitCanvas(canvas), draw() } */
export function createStageView({ root, $, state, fitCanvas, draw }) {
  const layers = { variant: new Layer(), history: new Layer() };
  /** The layout and size whose geometry was last worked out ahead of painting. */
  let geometryReady = { nodePos: null, size: '' };
  // What each stage canvas shows now, for its pointer and keyboard input (stage/stage-input.js).
  const shown = { variant: null, history: null };
  const inputs = {};
  let legendKey = '';
  const nodeLegend = document.createElement('p');
  nodeLegend.id = 'node-legend';
  nodeLegend.className = 'legend';
  $('legend').before(nodeLegend);
  const matrix = document.createElement('div');
  matrix.id = 'view-matrix';
  matrix.hidden = true;
  $('stages').after(matrix);
  // Facts the stage has no room to draw (stage/fact-list.js), open at first on a phone.
  const factList = document.createElement('details');
  factList.id = 'node-facts';
  factList.className = 'node-facts';
  factList.hidden = true;
  factList.open = matchMedia('(max-width: 700px)').matches;
  matrix.before(factList);
  /** The base drawing whose words the list and the canvas's `data-drawn` show. */
  let listedFrom = null;

  function inputFor(box) {
    const slot = box.dataset.slot;
    // Only "Your version" can be acted on: "As it happened" stays as it was.
    inputs[slot] ??= attachStageInput(box.querySelector('canvas'), () => shown[slot], draw, { announce: (text) => { $('stage-focus').textContent = text; }, actionable: slot === 'variant' });
    return inputs[slot];
  }

  /** Legend (from the roles and healths the run's nodes took) and the view matrix of the main run. */
  function drawLegend(run, frame, colours) {
    const key = `${state.version}`;
    if (key !== legendKey) {
      legendKey = key;
      const shades = run.shades ?? [];
      let split = false;
      for (let i = 0; i < shades.length; i += 3) if (shades[i] === 0 && shades[i + 2] > shades[i + 1]) split = true;
      const o = run.outcome ?? {};
      split &&= (o.split_brain_s ?? 1) > 0;
      renderNodeLegend(nodeLegend, run.topology, colours, { split, writesGone: (o.lost_writes ?? 0) + (o.divergent_writes ?? 0) > 0 });
    }
    renderViewMatrix(matrix, run.topology, frame);
  }

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
      box.querySelector('figcaption').textContent = shownSlot === 'history' ? baselineNames(state.scenario?.meta).long : 'Your version';
      if (!run || !frame) continue;
      // A fleet of cards needs more height than a handful of nodes (player.css
      // sizes it, smaller on phones so Play stays on the first screen).
      box.classList.toggle('fleet', Boolean(state.layout.nodes.cards));
      const { ctx, width, height } = fitCanvas(box.querySelector('canvas'));
      if (geometryFirst(width, height)) continue;
      const input = inputFor(box);
      const options = { width, height, topology: run.topology, nodePos: state.layout.nodes, devicePos: state.layout.devices, frameData: frame, colors: colours, textScale: state.presenter ? 1.6 : 1, selected: input.selected() };
      shown[box.dataset.slot] = options;
      input.refresh();
      if (box.dataset.slot === 'variant') drawLegend(run, frame, colours);
      // Nodes and links change only at state changes: repaint them then, and
      // draw only the messages in flight every frame.
      const base = layers[box.dataset.slot].draw(ctx, `${state.version}:${shownSlot}:${width}x${height}:${options.textScale}:${baseKey(frame)}`, (layerCtx) => drawStageBase(layerCtx, options));
      // A big topology is painted over several frames (stage/paint-large.js, level of detail).
      if (base?.more?.()) draw();
      if (box.dataset.slot === 'variant' && base !== listedFrom) showDrawnWords(box.querySelector('canvas'), base, run.topology, frame);
      drawFlight(ctx, options);
    }
    describe();
  }

  /**
   * After the main stage's base was repainted: the facts it had no room for
   * under it, and what it drew in words on the canvas (`data-drawn`, JSON of
   * paint.js's `nodes`; absent for a fleet drawn as squares).
   */
  function showDrawnWords(canvas, base, topology, frame) {
    listedFrom = base;
    const drawn = base?.nodes ?? null;
    if (!drawn) { factList.hidden = true; delete canvas.dataset.drawn; return; }
    const f = readFrame(frame);
    renderFactList(factList, drawn, (i) => describeNode(topology, f, i).facts);
    canvas.dataset.drawn = JSON.stringify(drawn);
  }

  /** For a large layout at a new size: work out its geometry now and paint on the next frame (true). */
  function geometryFirst(width, height) {
    const nodePos = state.layout.nodes;
    const size = `${width}x${height}`;
    if (nodePos.length < GEOMETRY_FIRST_NODES || (geometryReady.nodePos === nodePos && geometryReady.size === size)) return false;
    nodeGeometry(width, height, nodePos, state.layout.devices);
    geometryReady = { nodePos, size };
    draw();
    return true;
  }

  /** The servers' states in words, for the node and link states they were worked out for (baseKey: they change far less often than the clock). */
  let described = { key: '', text: '' };

  /** The main stage's accessible name: every server and its state at this time. */
  function describe() {
    const slot = visibleSlots(state)[0];
    const frame = state.frames[slot];
    if (!frame) return;
    const key = `${state.version}:${slot}:${baseKey(frame)}`;
    if (described.key !== key) described = { key, text: serverStates(runOf(state, slot).topology, readFrame(frame)) };
    $('stage-variant').setAttribute('aria-label', `At ${formatClock(state, state.tUs)}: ${described.text}`);
  }

  return { draw: drawStages };
}

/** Beyond this many servers the stage's name counts them by state instead of naming each. */
const NAMED_SERVERS_MAX = 200;

/** "s1 leader, s2 follower, …", or for a large fleet "10,000 servers: 9,990 up, 10 crashed". */
function serverStates(topology, f) {
  const parts = [];
  for (let i = 0; i < f.nodeCount; i++) {
    if (topology.nodes[i].model === 'client') continue;
    parts.push([topology.nodes[i].name, describeNode(topology, f, i).state]);
  }
  if (parts.length <= NAMED_SERVERS_MAX) return parts.map(([name, words]) => `${name} ${words}`).join(', ');
  const counts = new Map();
  for (const [, words] of parts) counts.set(words, (counts.get(words) ?? 0) + 1);
  const byCount = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return `${parts.length.toLocaleString('en')} servers: ${byCount.map(([words, n]) => `${n.toLocaleString('en')} ${words}`).join(', ')}`;
}
