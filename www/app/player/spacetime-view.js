// The space-time view: messages between nodes around the current time (one
// lane per node, clients optional), with a legend of the message kinds shown.
import { drawSpaceTime } from '../../stage/spacetime.js';
import { Layer, drawCursor } from '../../lib/layer.js';
import { kindColour } from '../../lib/kinds.js';
import { MESSAGE } from '../../lib/run-layout.js';
import { runOf, formatClock } from './store.js';

/** @param p { $, state, fitCanvas(canvas), onScreen: WeakMap } */
export function createSpaceTimeView({ $, state, fitCanvas, onScreen }) {
  const layer = new Layer();
  let legendKey = '';

  /** Which message kinds the diagram shows, with their colours (rebuilt only when they change). */
  function showKindLegend(data, run, colourOf) {
    const kinds = new Set();
    for (let i = MESSAGE.KIND; i < data.length; i += MESSAGE.STRIDE) kinds.add(data[i]);
    const sorted = [...kinds].sort((a, b) => a - b);
    const key = sorted.join(',');
    if (key === legendKey) return;
    legendKey = key;
    const names = new Map((run.kindNames || []).map((s) => { const [code, name] = s.split(':'); return [Number(code), name]; }));
    $('st-legend').replaceChildren(...sorted.map((k) => {
      const item = document.createElement('span');
      const swatch = document.createElement('span');
      swatch.className = 'sw';
      swatch.style.background = colourOf(k);
      item.append(swatch, `${names.get(k) ?? `kind ${k}`}  `);
      return item;
    }));
  }

  /** One line under the panel's title when the diagram has nothing to draw (empty: hidden). */
  function showEmpty(text) {
    const line = $('st-empty');
    if (line.textContent !== text) line.textContent = text;
    line.hidden = !text;
  }

  function draw(c) {
    const m = state.messages;
    const canvas = $('spacetime');
    if (!m || canvas.closest('details').open === false || onScreen.get(canvas) === false) return;
    const run = runOf(state, m.slot);
    if (!run) return;
    const withClients = $('st-clients').checked;
    const lanes = run.topology.nodes.map((n, i) => ({ node: i, label: n.name, model: n.model })).filter((l) => withClients || l.model !== 'client');
    const { ctx, width, height } = fitCanvas(canvas);
    const options = {
      width, height, lanes, messages: m.data, fromUs: m.from, toUs: m.to,
      kindColour: (k) => kindColour(k, c), colours: c, label: (t) => formatClock(state, t).split(', ').pop(),
    };
    showKindLegend(m.data, run, options.kindColour);
    showEmpty(emptyWindowText(m, lanes, withClients, (t) => formatClock(state, t)));
    if (!state.playing) { drawSpaceTime(ctx, { ...options, tUs: state.tUs }); return; }
    const at = layer.draw(ctx, `${state.version}:${state.messagesKey}:${withClients}:${width}`, (layerCtx) => drawSpaceTime(layerCtx, { ...options, tUs: NaN }));
    const x = at.x0 + ((state.tUs - at.fromUs) / (at.toUs - at.fromUs)) * (at.x1 - at.x0);
    if (x >= at.x0 && x <= at.x1) drawCursor(ctx, x, at.top, at.bottom, c.cursor);
  }

  return { draw };
}

/**
 * Why the window shows no message, in one line, or '' when it shows some:
 * only client traffic (and clients are left out), nothing in the window but
 * some later (when), nothing from here to the end of what the run recorded,
 * or none in the whole run.
 * `m`: state.messages, with `around` from the fetcher for an empty window.
 */
export function emptyWindowText(m, lanes, withClients, clock) {
  const onLane = new Set(lanes.map((l) => l.node));
  let drawn = 0;
  for (let i = 0; i < m.data.length; i += MESSAGE.STRIDE) if (onLane.has(m.data[i + MESSAGE.FROM]) && onLane.has(m.data[i + MESSAGE.TO])) drawn++;
  if (drawn > 0) return '';
  if (m.data.length > 0 && !withClients) return 'Only client requests and replies in this window: tick “include clients” to see them.';
  const around = m.around;
  if (!around) return m.data.length ? 'No messages between these nodes in this window.' : '';
  if (around.nextUs != null) return `No messages in this window; the next is sent at ${clock(around.nextUs)}: move on, or pick a wider window.`;
  if (around.before) return 'No messages in this window, nor later in the run’s message record (it keeps the first limits.messages_recorded_max).';
  return 'This run recorded no messages between these nodes.';
}
