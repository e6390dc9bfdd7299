// The sweep view: pick one or two things to vary, seeds and a metric; run every
// combination across the worker pool; show a curve or a heatmap, the wall time
// and a CSV of every run. The numbers come from sweep-plan.js, the pixels from
// sweep-chart.js; this file owns the form and the wiring between them.
import { fitCanvas, cssColours } from '../lib/canvas.js';
import {
  axisChoices, axisValues, seedList, buildJobs, aggregate, toCsv, metricChoices, readMetric, wallTimeText,
  RUNS_MAX, STEPS_MAX, SEEDS_MAX,
} from './sweep-plan.js';
import { drawCurve, drawHeatmap, hitTest, formatNumber, formatValue } from './sweep-chart.js';
import { el, field, numberInput } from './dom.js';

const NONE = '';

/**
 * Default range for a parameter: a window around the historical value, inside
 * its bounds and inside what the core accepts (`fit`: { lo, hi } from the
 * core's parameter_fits, e.g. no API rate whose run would exceed the event budget).
 */
function defaultRange(p, fit = null) {
  const min = Math.max(p.min, fit?.lo ?? p.min), max = Math.min(p.max, fit?.hi ?? p.max);
  let [lo, hi] = p.default > 0 ? [Math.max(min, p.default / 5), Math.min(max, p.default * 5)] : [min, max];
  // On the parameter's step grid, so the form shows the values that will run.
  if (p.step > 0) {
    const grid = (v, round) => Number((p.min + round((v - p.min) / p.step - 1e-9 * Math.sign(round === Math.ceil ? 1 : -1)) * p.step).toPrecision(12));
    [lo, hi] = [grid(lo, Math.ceil), grid(hi, Math.floor)];
  }
  return [lo, hi];
}

/** Ten steps, or fewer when the step grid has fewer values in the range. */
function defaultSteps(p, lo, hi) {
  return p.step > 0 ? Math.max(1, Math.min(10, Math.floor((hi - lo) / p.step + 1e-9) + 1)) : 10;
}

/**
 * Mount the sweep UI in `container`. `scenario` is the parsed scenario (describe).
 * Returns { destroy() } which cancels a running sweep and frees the CSV link.
 */
export function mountSweep(container, { pool, file, json, scenario, fits = [], preset = null }) {
  const choices = axisChoices(scenario);
  const fitOf = new Map(fits.map((f) => [f.name, f]));
  const byName = new Map(choices.map((c) => [c.name, c]));
  let metrics = metricChoices();
  let result = null;       // the last finished sweep (kept so changing the metric needs no rerun)
  let geometry = null;     // from the last draw, for hit testing
  let selected = null;     // { i, j } under the pointer or keyboard cursor
  let running = false;
  let csvUrl = null;
  let history = null;      // outcome at the defaults, seed 1: the reference the readout mentions
  let destroyed = false;
  let metricTouched = false; // the viewer chose a measure: the probe must not override it

  // ------------------------------------------------------------ form

  const axisFieldset = (k, legendText, optional) => {
    const select = el('select');
    if (optional) select.append(el('option', { value: NONE, textContent: '— nothing (one axis) —' }));
    for (const c of choices) select.append(el('option', { value: c.name, textContent: c.label }));
    const name = field(`sweep-${k}-name`, optional ? 'Parameter or toggle (optional)' : 'Parameter or toggle', select);
    const from = field(`sweep-${k}-from`, 'From', numberInput({ step: 'any' }));
    const to = field(`sweep-${k}-to`, 'To', numberInput({ step: 'any' }));
    const steps = field(`sweep-${k}-steps`, 'Steps', numberInput({ min: 1, max: STEPS_MAX, step: 1, inputMode: 'numeric' }));
    const range = el('div', { className: 'range' }, from.wrap, to.wrap, steps.wrap);
    const hint = el('p', { className: 'desc hint', id: `sweep-${k}-hint` });
    select.setAttribute('aria-describedby', `sweep-${k}-name-error sweep-${k}-hint`);
    const set = el('fieldset', { className: 'axis' }, el('legend', { textContent: legendText }), name.wrap, range, hint);
    return { set, select, name, from, to, steps, range, hint };
  };
  const axisA = axisFieldset('a', 'Vary', false);
  const axisB = axisFieldset('b', 'Against', true);

  const seeds = field('sweep-seeds', 'Seeds per point', numberInput({ min: 1, max: SEEDS_MAX, step: 1, value: '5', inputMode: 'numeric' }),
    'Each point is run with this many seeds: the band shows their spread.');
  const seedFirst = field('sweep-seed-first', 'First seed', numberInput({ min: 0, step: 1, value: '1', inputMode: 'numeric' }));
  const metricSelect = el('select');
  const metric = field('sweep-metric', 'Measure', metricSelect);
  const runs = el('span', { id: 'sweep-total-error', className: 'field-error' });
  const total = el('output', { id: 'sweep-total', className: 'total' });
  const runButton = el('button', { type: 'submit', className: 'primary', textContent: 'Run sweep' });
  const cancelButton = el('button', { type: 'button', textContent: 'Cancel', disabled: true });
  runButton.setAttribute('aria-describedby', 'sweep-total sweep-total-error');
  const runsSet = el('fieldset', { className: 'axis' }, el('legend', { textContent: 'Runs' }), el('div', { className: 'range' }, seeds.wrap, seedFirst.wrap), metric.wrap);
  const form = el('form', { className: 'sweep-form', noValidate: true },
    el('div', { className: 'axes' }, axisA.set, axisB.set, runsSet),
    el('div', { className: 'actions' }, runButton, cancelButton, total, runs));

  const progress = el('progress', { id: 'sweep-progress', max: 1, value: 0 });
  const progressText = el('span', { className: 'muted' });
  const progressRow = el('div', { className: 'progress-row', hidden: true }, el('label', { htmlFor: 'sweep-progress', textContent: 'Progress' }), progress, progressText);

  const canvas = el('canvas', { className: 'sweep-canvas', tabIndex: 0 });
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', 'Sweep result');
  canvas.setAttribute('aria-describedby', 'sweep-readout');
  const readout = el('p', { id: 'sweep-readout', className: 'readout' });
  readout.setAttribute('aria-live', 'polite');
  const summary = el('p', { id: 'sweep-summary', className: 'summary' });
  summary.setAttribute('role', 'status');
  const failures = el('p', { className: 'error', hidden: true });
  const csvLink = el('a', { className: 'button', textContent: 'Download CSV' });
  const resultBox = el('section', { className: 'sweep-result', hidden: true },
    el('div', { className: 'result-head' }, summary, csvLink), failures,
    el('figure', {}, canvas, el('figcaption', {}, readout)));
  resultBox.setAttribute('aria-label', 'Sweep result');

  container.replaceChildren(form, progressRow, resultBox);

  function fillMetrics() {
    const keep = metricSelect.value || 'split_brain_s';
    metricSelect.replaceChildren(...metrics.map((m) => el('option', { value: m.key, textContent: m.unit ? `${m.label} (${m.unit})` : m.label })));
    metricSelect.value = metrics.some((m) => m.key === keep) ? keep : metrics[0].key;
  }
  fillMetrics();
  if (metrics.some((m) => m.key === preset?.measure)) { metricSelect.value = preset.measure; metricTouched = true; }

  /** Put sensible numbers in an axis's fields when its choice changes. */
  function resetAxis(axis) {
    const c = byName.get(axis.select.value);
    axis.range.hidden = !c || c.kind === 'toggle';
    if (!c) { axis.hint.textContent = 'Leave empty for a curve; choose one for a heatmap.'; return; }
    if (c.kind === 'toggle') {
      axis.hint.textContent = `${c.meta.description || ''} Runs with it off and on (history: ${c.meta.default ? 'on' : 'off'}).`.trim();
      return;
    }
    const p = c.meta;
    const fit = fitOf.get(c.name);
    const [lo, hi] = defaultRange(p, fit);
    axis.from.input.value = String(lo);
    axis.to.input.value = String(hi);
    axis.steps.input.value = String(defaultSteps(p, lo, hi));
    for (const f of [axis.from, axis.to]) Object.assign(f.input, { min: p.min, max: p.max });
    const unit = p.unit ? ` ${p.unit}` : '';
    const limit = fit && (fit.lo > p.min || fit.hi < p.max) ? ` With the other settings at history, the replay can simulate ${fit.lo}–${fit.hi}${unit} within its event budget.` : '';
    axis.hint.textContent = `${p.description || ''} Allowed ${p.min}–${p.max}${unit}, history ${p.default}${unit}.${limit}`.trim();
  }

  // A link may name the axes (`vary`, `against`): names the scenario lacks are ignored.
  axisA.select.value = byName.has(preset?.vary) ? preset.vary : choices[0]?.name ?? NONE;
  axisB.select.value = byName.has(preset?.against) && preset.against !== axisA.select.value ? preset.against : NONE;
  resetAxis(axisA);
  resetAxis(axisB);

  // ------------------------------------------------------------ validation

  function showError(f, message) {
    f.error.textContent = message || '';
    if (message) f.input.setAttribute('aria-invalid', 'true');
    else f.input.removeAttribute('aria-invalid');
  }

  /** Read and check the whole form: { plan } or { invalid: [fields] }, messages shown beside fields. */
  function readForm() {
    const invalid = [];
    const axes = [];
    for (const axis of [axisA, axisB]) {
      for (const f of [axis.name, axis.from, axis.to, axis.steps]) showError(f, '');
      const c = byName.get(axis.select.value);
      if (!c) continue;
      if (axis === axisB && c.name === axisA.select.value) {
        showError(axis.name, 'Choose something other than the first axis.');
        invalid.push(axis.name);
        continue;
      }
      const checked = axisValues(c, { from: parseFloat(axis.from.input.value), to: parseFloat(axis.to.input.value), steps: Number(axis.steps.input.value) });
      if (checked.errors) {
        for (const [key, message] of Object.entries(checked.errors)) { showError(axis[key], message); invalid.push(axis[key]); }
        continue;
      }
      axes.push({
        name: c.name,
        values: checked.values,
        numeric: c.kind === 'param',
        defaultValue: c.meta.default,
        title: c.kind === 'param' && c.meta.unit ? `${c.name} (${c.meta.unit})` : c.name,
      });
    }
    if (!axes.length && !invalid.length) { showError(axisA.name, 'Choose a parameter or toggle.'); invalid.push(axisA.name); }
    showError(seeds, ''); showError(seedFirst, '');
    const s = seedList(Number(seedFirst.input.value), Number(seeds.input.value));
    if (s.errors) {
      if (s.errors.seeds) { showError(seeds, s.errors.seeds); invalid.push(seeds); }
      if (s.errors.seedFirst) { showError(seedFirst, s.errors.seedFirst); invalid.push(seedFirst); }
    }
    runs.textContent = '';
    total.textContent = '';
    if (invalid.length) return { invalid };
    const count = axes.reduce((n, a) => n * a.values.length, 1) * s.seeds.length;
    total.textContent = `${axes.map((a) => a.values.length).join(' × ')} × ${s.seeds.length} seed${s.seeds.length === 1 ? '' : 's'} = ${count.toLocaleString('en')} runs`;
    if (count > RUNS_MAX) {
      runs.textContent = `At most ${RUNS_MAX.toLocaleString('en')} runs: use fewer steps or seeds.`;
      return { invalid: [seeds.input === document.activeElement ? seeds : axisA.steps] };
    }
    return { plan: { axes, seeds: s.seeds, metric: metricSelect.value } };
  }

  form.addEventListener('change', (event) => {
    if (event.target === axisA.select) resetAxis(axisA);
    if (event.target === axisB.select) resetAxis(axisB);
    if (event.target === metricSelect) { metricTouched = true; redrawResult(); return; }
    if (!running) readForm();
  });
  form.addEventListener('input', () => { if (!running) readForm(); });
  readForm();

  // ------------------------------------------------------------ running

  const probe = pool.run([{ file, json, overrides: {}, seed: 1 }]).then(([r]) => {
    if (!r?.outcome) return;
    history = r.outcome;
    const gauges = (r.outcome.gauges || []).map((g) => g.name);
    if (gauges.length) { metrics = metricChoices(gauges); fillMetrics(); }
    // A measure named in the link wins over the guess below.
    if (!metricTouched && metrics.some((m) => m.key === preset?.measure)) { metricSelect.value = preset.measure; metricTouched = true; }
    // Start on a measure that moved in history: a sweep of a metric that is zero
    // everywhere (no split brain in a Raft scenario) is a blank first impression.
    if (!metricTouched) {
      const moved = metrics.find((m) => m.key !== 'events' && m.key !== 'acked_writes' && readMetric(history, m.key));
      if (moved) metricSelect.value = moved.key;
    }
  });

  function setRunning(on) {
    running = on;
    runButton.disabled = on;
    cancelButton.disabled = !on;
    for (const control of form.querySelectorAll('select, input')) control.disabled = on && control !== metricSelect;
    progressRow.hidden = !on && progressRow.hidden;
    container.dataset.state = on ? 'running' : 'idle';
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (running) return;
    const { plan, invalid } = readForm();
    if (!plan) { (invalid[0]?.input || runButton).focus(); return; }
    const jobs = buildJobs({ file, json, axes: plan.axes, seeds: plan.seeds });
    setRunning(true);
    progressRow.hidden = false;
    progress.max = jobs.length;
    progress.value = 0;
    progressText.textContent = `0 / ${jobs.length.toLocaleString('en')} runs`;
    await probe.catch(() => {});
    // Progress repaints at most once a frame: replies can arrive faster than that.
    let painted = false;
    let latest = 0;
    const started = performance.now();
    const results = await pool.run(jobs, (done) => {
      latest = done;
      if (painted) return;
      painted = true;
      requestAnimationFrame(() => {
        painted = false;
        progress.value = latest;
        progressText.textContent = `${latest.toLocaleString('en')} / ${jobs.length.toLocaleString('en')} runs`;
      });
    });
    const wallMs = performance.now() - started;
    if (destroyed) return;
    const cancelled = results.some((r) => r.error?.name === 'AbortError');
    const finished = results.filter((r) => r.outcome || (r.error && r.error.name !== 'AbortError')).length;
    const coreMs = results.reduce((sum, r) => sum + (r.runMs || 0), 0);
    progress.value = finished;
    progressText.textContent = `${finished.toLocaleString('en')} / ${jobs.length.toLocaleString('en')} runs${cancelled ? ' (cancelled)' : ''}`;
    setRunning(false);
    result = { ...plan, jobs, results, wallMs, cancelled, finished, coreMs };
    Object.assign(container.dataset, {
      runs: String(finished), wallMs: wallMs.toFixed(1), perRunMs: (coreMs / Math.max(1, finished)).toFixed(2), cancelled: String(cancelled),
    });
    showResult();
    resultBox.scrollIntoView({ block: 'nearest' });
    container.dataset.state = 'done';
    container.dataset.sweeps = String(Number(container.dataset.sweeps || 0) + 1);
  });

  cancelButton.addEventListener('click', () => { pool.cancel(); cancelButton.disabled = true; });

  // ------------------------------------------------------------ result

  function showResult() {
    resultBox.hidden = false;
    const r = result;
    const perRun = r.coreMs / Math.max(1, r.finished);
    summary.textContent = `${wallTimeText(r.finished, r.wallMs)} · ${formatNumber(perRun)} ms per run in the core · ${pool.size} worker${pool.size === 1 ? '' : 's'}${r.cancelled ? ' · cancelled' : ''}`;
    const failed = r.results.filter((x) => x.error && x.error.name !== 'AbortError');
    failures.hidden = !failed.length;
    if (failed.length) {
      const first = failed[0].error;
      failures.textContent = `${failed.length.toLocaleString('en')} run${failed.length === 1 ? '' : 's'} failed, for example: ${first.path ? `${first.path}: ` : ''}${first.reason || first.message}`;
    }
    if (csvUrl) URL.revokeObjectURL(csvUrl);
    const csv = toCsv({ axes: r.axes, jobs: r.jobs, results: r.results, metric: r.metric });
    csvUrl = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    csvLink.href = csvUrl;
    csvLink.download = `${file.replace(/\.json$/, '')}-sweep-${r.axes.map((a) => a.name).join('-')}-${r.metric.replace(':', '-')}.csv`;
    csvLink.textContent = `Download CSV (${r.jobs.length.toLocaleString('en')} rows)`;
    selected = null;
    redrawResult();
  }

  function metricLabel(key) {
    const m = metrics.find((x) => x.key === key);
    return m ? (m.unit ? `${m.label} (${m.unit})` : m.label) : key;
  }

  function redrawResult() {
    if (!result || resultBox.hidden) return;
    // The metric select can change after a run: recompute from the kept outcomes.
    if (result.metric !== metricSelect.value) {
      result.metric = metricSelect.value;
      const csv = toCsv({ axes: result.axes, jobs: result.jobs, results: result.results, metric: result.metric });
      if (csvUrl) URL.revokeObjectURL(csvUrl);
      csvUrl = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      csvLink.href = csvUrl;
      csvLink.download = csvLink.download.replace(/-[^-]+\.csv$/, `-${result.metric.replace(':', '-')}.csv`);
    }
    result.cells = aggregate({ axes: result.axes, seeds: result.seeds, results: result.results, metric: result.metric });
    draw();
    describeResult();
  }

  function draw() {
    if (!result?.cells || resultBox.hidden) return;
    const { ctx, width, height } = fitCanvas(canvas);
    if (!width || !height) return;
    const colours = cssColours(container);
    const label = metricLabel(result.metric);
    const [a, b] = result.axes;
    geometry = b
      ? drawHeatmap(ctx, { width, height, colours, a, b, cells: result.cells, metricLabel: label, selected })
      : drawCurve(ctx, { width, height, colours, axis: a, cells: result.cells.map((row) => row[0]), metricLabel: label, selected });
  }

  /** The canvas's accessible summary: where the metric is lowest and highest. */
  function describeResult() {
    const [a, b] = result.axes;
    let lowest = null, highest = null;
    result.cells.forEach((row, i) => row.forEach((c, j) => {
      if (!c.count) return;
      if (!lowest || c.mean < lowest.c.mean) lowest = { c, i, j };
      if (!highest || c.mean > highest.c.mean) highest = { c, i, j };
    }));
    const at = (p) => `${a.name} ${formatValue(a.values[p.i])}${b ? `, ${b.name} ${formatValue(b.values[p.j])}` : ''}`;
    const label = metricLabel(result.metric);
    const what = b ? `Heatmap of ${label} over ${a.name} and ${b.name}` : `Curve of ${label} against ${a.name}`;
    canvas.setAttribute('aria-label', lowest
      ? `${what}. Lowest mean ${formatNumber(lowest.c.mean)} at ${at(lowest)}; highest ${formatNumber(highest.c.mean)} at ${at(highest)}. Use the arrow keys to read each point.`
      : `${what}: every run failed.`);
    const ref = readMetric(history, result.metric);
    readout.textContent = `Point at a ${b ? 'cell' : 'point'} or focus the chart and use the arrow keys to read values.${ref == null ? '' : ` History (defaults, seed 1): ${formatNumber(ref)}.`}`;
    container.dataset.metric = result.metric;
  }

  function showCell(cell) {
    selected = cell;
    draw();
    if (!cell) return;
    const [a, b] = result.axes;
    const c = result.cells[cell.i]?.[cell.j];
    if (!c) return;
    const where = `${a.name} ${formatValue(a.values[cell.i])}${b ? `, ${b.name} ${formatValue(b.values[cell.j])}` : ''}`;
    readout.textContent = c.count
      ? `${where}: mean ${formatNumber(c.mean)} (min ${formatNumber(c.min)}, max ${formatNumber(c.max)}) over ${c.count} seed${c.count === 1 ? '' : 's'}${c.failed ? `, ${c.failed} failed` : ''}.`
      : `${where}: every run failed.`;
  }

  canvas.addEventListener('pointermove', (event) => {
    if (!result?.cells) return;
    const box = canvas.getBoundingClientRect();
    const cell = hitTest(geometry, event.clientX - box.left, event.clientY - box.top);
    if (cell && (cell.i !== selected?.i || cell.j !== selected?.j)) showCell(cell);
  });
  canvas.addEventListener('focus', () => { if (result?.cells && !selected) showCell({ i: 0, j: 0 }); });
  canvas.addEventListener('keydown', (event) => {
    if (!result?.cells) return;
    const nx = result.axes[0].values.length, ny = result.axes[1]?.values.length ?? 1;
    const cur = selected || { i: 0, j: 0 };
    const moves = {
      ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1],
      Home: [-nx, 0], End: [nx, 0], PageUp: [0, ny], PageDown: [0, -ny],
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    showCell({ i: Math.min(nx - 1, Math.max(0, cur.i + move[0])), j: Math.min(ny - 1, Math.max(0, cur.j + move[1])) });
  });

  const resize = new ResizeObserver(() => draw());
  resize.observe(canvas);
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  const onScheme = () => draw();
  scheme.addEventListener('change', onScheme);

  return {
    destroy() {
      destroyed = true;
      if (running) pool.cancel();
      resize.disconnect();
      scheme.removeEventListener('change', onScheme);
      if (csvUrl) URL.revokeObjectURL(csvUrl);
      container.replaceChildren();
    },
  };
}
