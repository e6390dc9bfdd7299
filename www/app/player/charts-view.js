// The charts view: the panel of time series (charts-panel.js decides which a
// run offers), each drawn with history and "yours", a clock axis along the
// time-warp and the cursor. While playing, each chart is cached and only the
// cursor moves; paused, each line's value at the cursor is shown.
import { drawChart } from '../../charts/chart.js';
import { buildChartPanel } from '../charts-panel.js';
import { fractionOf, fromStory } from '../../timeline/warp.js';
import { Layer, drawCursor } from '../../lib/layer.js';
import { endUs, formatClock } from './store.js';

/** At most one clock label per this many CSS pixels of chart width. */
const TICK_SPACING_PX = 120;

/** @param p { $, state, fitCanvas(canvas), onScreen: WeakMap, observe(canvas), headline() → [{ name }], draw(), changed() } */
export function createChartsView({ $, state, fitCanvas, onScreen, observe, headline, draw, changed }) {
  /** "12:15" in the scenario's clock. */
  const shortClock = (t) => formatClock(state, t).split(', ').pop().replace(/:\d\d(?= |$)/, '');

  /** Times for a chart's clock axis: evenly spaced along the (time-warped) axis. */
  function ticks(width) {
    const count = Math.max(2, Math.min(6, Math.floor(width / TICK_SPACING_PX)));
    return Array.from({ length: count }, (_, k) => fromStory(state.warp, (k / (count - 1)) * state.warp.storyEnd));
  }

  function lines(read, c) {
    const out = [{ label: state.variant ? 'history' : 'replay', points: read(state.history), colour: c.series[0] }];
    if (state.variant) out.push({ label: 'yours', points: read(state.variant), colour: c.series[1] });
    return out.filter((l) => l.points.length);
  }

  const shown = () => state.charts.filter((c) => !c.canvas.hidden).map((c) => c.key);

  /** The charts shown without a link: every series but the gauges that are not headline figures. */
  function defaultKeys() {
    const names = new Set(headline().map((f) => `gauge:${f.name}`));
    return state.charts.filter((c) => !c.key.startsWith('gauge:') || names.has(c.key)).map((c) => c.key);
  }

  /** The chart panel; `keys` (from a link) replaces the default choice. Returns the keys it does not know. */
  function build(keys = null) {
    const charts = buildChartPanel($('charts'), {
      history: state.history,
      headline: headline().map((f) => f.name),
      shown: keys,
      observe,
      onToggle: () => { state.version++; draw(); changed(); },
    });
    state.charts = charts.map((chart) => ({ ...chart, layer: new Layer() }));
    state.chartsDefault = shown();
    if (!keys) return [];
    // The default is what the panel shows without a link: rebuild that list once.
    state.chartsDefault = defaultKeys();
    const known = new Set(charts.map((c) => c.key));
    return keys.filter((k) => !known.has(k));
  }

  function drawAll(c) {
    if (!state.charts || $('charts').closest('details').open === false) return;
    const xOf = (t) => fractionOf(state.warp, t);
    for (const chart of state.charts) {
      if (chart.canvas.hidden || onScreen.get(chart.canvas) === false) continue;
      const { ctx, width, height } = fitCanvas(chart.canvas);
      const options = {
        width, height, title: chart.title, unit: chart.unit, lines: lines(chart.read, c),
        fromUs: 0, toUs: endUs(state), xOf, stepped: chart.stepped, colours: c,
        timeTicks: ticks(width), timeLabel: shortClock,
      };
      if (!state.playing) {
        // Paused: the full chart with each line's value at the cursor.
        drawChart(ctx, { ...options, tUs: state.tUs });
        continue;
      }
      const plot = chart.layer.draw(ctx, `${state.version}:${width}`, (layerCtx) => drawChart(layerCtx, { ...options, tUs: NaN }));
      drawCursor(ctx, plot.x0 + xOf(state.tUs) * (plot.x1 - plot.x0), plot.y0, plot.y1, c.cursor);
    }
  }

  /** The charts shown, or null when they are the default (for links). */
  function settings() {
    if (!state.charts) return null;
    const keys = shown();
    return JSON.stringify(keys) !== JSON.stringify(state.chartsDefault) ? keys : null;
  }

  return { build, draw: drawAll, settings };
}
