// The charts panel: which time series a run offers (request success, latency,
// each model gauge), which are shown first, and a chooser for the rest. Builds
// canvases and chart definitions; drawing is charts/chart.js.
import { bucketsToPoints, successRatePct, meanLatencyMs } from '../charts/chart.js';
import { gaugeUnit, gaugeLabel } from './gauges.js';
import { GAUGE_POINT as G, REQUEST_BUCKET as R } from '../lib/run-layout.js';

/** Flat [t, node, value] reports → [t, max over nodes' latest values × scale]. */
export function maxOverNodes(points, scale = 1) {
  const latest = new Map();
  const out = [];
  for (let i = 0; i + G.STRIDE <= points.length; i += G.STRIDE) {
    const t = points[i + G.T_US];
    latest.set(points[i + G.NODE], points[i + G.VALUE]);
    let max = -Infinity;
    for (const v of latest.values()) max = Math.max(max, v);
    if (out.length >= 2 && out[out.length - 2] === t) out[out.length - 1] = max * scale;
    else out.push(t, max * scale);
  }
  return Float64Array.from(out);
}

/** How many nodes report a gauge (flat [t, node, value] points). */
function reporters(points) {
  const nodes = new Set();
  for (let i = G.NODE; i < points.length; i += G.STRIDE) nodes.add(points[i]);
  return nodes.size;
}

/** The series a run offers: `{ key, title, unit, stepped, read(run) }`. */
function chartDefinitions(history) {
  const hasRequests = history.series.some((v, i) => i % R.STRIDE !== R.LATENCY_MEAN_MS && v > 0);
  const charts = hasRequests ? [
    { key: 'requests', title: 'Requests succeeding', unit: '%', stepped: true, read: (run) => bucketsToPoints(run.series, R.STRIDE, 0, run.bucketUs, successRatePct) },
    { key: 'latency', title: 'Mean request latency', unit: 'ms', stepped: true, read: (run) => bucketsToPoints(run.series, R.STRIDE, 0, run.bucketUs, meanLatencyMs) },
  ] : [];
  history.gauges.forEach((g, id) => {
    const peak = Math.abs(history.outcome.gauges.find((x) => x.name === g.name)?.max ?? 0);
    const { unit, scale } = gaugeUnit(g.name, peak);
    charts.push({
      key: `gauge:${g.name}`, title: gaugeLabel(g.name) + (reporters(g.points) > 1 ? ' (highest node)' : ''), unit, stepped: true,
      // Several nodes may report a gauge; the chart shows the largest at each moment.
      read: (run) => maxOverNodes(run.gauges[id]?.points ?? new Float64Array(), scale),
    });
  });
  return charts;
}

/** `read` computed once per run, not once per frame. */
function cached(read) {
  const perRun = new WeakMap();
  return (run) => {
    if (!perRun.has(run)) perRun.set(run, read(run));
    return perRun.get(run);
  };
}

/**
 * Fill `box` with a chart canvas per series (request charts and the headline
 * gauges shown, the rest behind a chooser). `observe(canvas)` registers each
 * canvas for sizing and visibility; `onToggle()` runs when the viewer shows or
 * hides one; `shown` (chart keys, from a link) replaces the default choice.
 * Returns the charts: `{ key, title, unit, stepped, read, canvas }`.
 */
export function buildChartPanel(box, { history, headline, shown = null, observe, onToggle }) {
  const shownGauges = new Set(headline.map((n) => `gauge:${n}`));
  const shownKeys = shown ? new Set(shown) : null;
  const charts = chartDefinitions(history).map((chart) => {
    const canvas = document.createElement('canvas');
    canvas.className = 'chart';
    canvas.hidden = shownKeys ? !shownKeys.has(chart.key) : chart.key.startsWith('gauge:') && !shownGauges.has(chart.key);
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `${chart.title} over time`);
    observe(canvas);
    return { ...chart, read: cached(chart.read), canvas };
  });
  // A chooser for the rest: long incidents report dozens of gauges.
  const chooser = document.createElement('details');
  chooser.className = 'chart-chooser';
  const summary = document.createElement('summary');
  summary.textContent = `Choose charts (${charts.length})`;
  const list = document.createElement('div');
  for (const chart of charts) {
    const label = document.createElement('label');
    const check = document.createElement('input');
    check.type = 'checkbox';
    check.checked = !chart.canvas.hidden;
    check.addEventListener('change', () => { chart.canvas.hidden = !check.checked; onToggle(); });
    label.append(check, ` ${chart.title}`);
    list.append(label);
  }
  chooser.append(summary, list);
  box.replaceChildren(chooser, ...charts.map((c) => c.canvas));
  return charts;
}
