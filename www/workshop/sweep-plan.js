// What a sweep runs and what it found, as plain data: axis values from a form,
// the job list, the metric read from an outcome, per-cell statistics across
// seeds, and the CSV of every run. No DOM here, so the numbers are easy to check.
import { gaugeLabel, gaugeUnit } from '../app/gauges.js';
import { metricTable, UNIT_SUFFIX } from '../lib/metric-table.js';

/** Limits a workshop laptop can take without the page feeling stuck. */
export const STEPS_MAX = 100;
export const SEEDS_MAX = 1000;
export const RUNS_MAX = 20000;

/** The outcome's figures (the core's metric table), and the run's event count. */
export function outcomeMetrics() {
  const own = metricTable().map((m) => ({ key: m.key, label: m.label, unit: UNIT_SUFFIX[m.unit] ?? '' }));
  return [...own, { key: 'events', label: 'Simulated events', unit: '' }];
}

/** Metric choices for a scenario: the fixed fields plus each gauge's peak. */
export function metricChoices(gaugeNames = []) {
  return [...outcomeMetrics(), ...gaugeNames.map((name) => ({ key: `gauge:${name}`, label: `${gaugeLabel(name)} (peak)`, unit: gaugeUnit(name).unit }))];
}

/** The metric's value in one outcome, or null when the outcome lacks it. */
export function readMetric(outcome, key) {
  if (!outcome) return null;
  if (key.startsWith('gauge:')) {
    const name = key.slice('gauge:'.length);
    const gauge = (outcome.gauges || []).find((g) => g.name === name);
    return gauge && Number.isFinite(gauge.max) ? gauge.max : null;
  }
  const v = outcome[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Round away float noise such as 0.30000000000000004 so CSV and labels read cleanly. */
const tidy = (v) => Number(v.toPrecision(12));

/** The axes a scenario offers: every parameter (numeric) and every toggle (off/on). */
export function axisChoices(scenario) {
  const params = Object.entries(scenario.parameters || {}).map(([name, p]) => ({ name, kind: 'param', meta: p, label: p.unit ? `${name} (${p.unit})` : name }));
  const toggles = Object.entries(scenario.toggles || {}).map(([name, t]) => ({ name, kind: 'toggle', meta: t, label: `${t.label || name} (off/on)` }));
  return [...params, ...toggles];
}

/**
 * Check one axis's form values. Returns { values } or { errors: { field: message } }
 * where field is 'from', 'to' or 'steps'. A parameter's values are evenly spaced
 * from..to and snapped to its step, so every run is a value the panel could set.
 */
export function axisValues(choice, { from, to, steps }) {
  if (choice.kind === 'toggle') return { values: [false, true] };
  const { min, max, step, unit } = choice.meta;
  const u = unit ? ` ${unit}` : '';
  const errors = {};
  const inRange = (v) => Number.isFinite(v) && v >= min && v <= max;
  if (!Number.isFinite(from)) errors.from = 'Enter a number.';
  else if (!inRange(from)) errors.from = `Must be between ${min} and ${max}${u}.`;
  if (!Number.isFinite(to)) errors.to = 'Enter a number.';
  else if (!inRange(to)) errors.to = `Must be between ${min} and ${max}${u}.`;
  if (!Number.isInteger(steps) || steps < 1 || steps > STEPS_MAX) errors.steps = `A whole number from 1 to ${STEPS_MAX}.`;
  if (Object.keys(errors).length) return { errors };
  if (steps > 1 && from === to) return { errors: { to: 'Must differ from “from” when there is more than one step.' } };
  const snap = (v) => (step > 0 ? tidy(Math.min(max, Math.max(min, min + Math.round((v - min) / step) * step))) : tidy(v));
  const values = [];
  for (let i = 0; i < steps; i++) {
    const v = snap(steps === 1 ? from : from + ((to - from) * i) / (steps - 1));
    if (!values.includes(v)) values.push(v);
  }
  if (values.length < steps) {
    const distinct = step > 0 ? Math.floor(Math.abs(to - from) / step + 1e-9) + 1 : values.length;
    return { errors: { steps: `At most ${distinct} distinct values between ${from} and ${to} at step ${step}${u}.` } };
  }
  return { values };
}

/** Seeds first..first+count-1, checked. Returns { seeds } or { errors }. */
export function seedList(first, count) {
  const errors = {};
  if (!Number.isInteger(first) || first < 0) errors.seedFirst = 'A whole number, 0 or more.';
  if (!Number.isInteger(count) || count < 1 || count > SEEDS_MAX) errors.seeds = `A whole number from 1 to ${SEEDS_MAX}.`;
  if (Object.keys(errors).length) return { errors };
  return { seeds: Array.from({ length: count }, (_, i) => first + i) };
}

/**
 * One job per (value on axis 1, value on axis 2, seed), axis 1 outermost.
 * `axes` is [{ name, values }] with one or two entries.
 */
export function buildJobs({ file, json, axes, seeds }) {
  const jobs = [];
  const [a, b] = axes;
  const bValues = b ? b.values : [undefined];
  for (const va of a.values) {
    for (const vb of bValues) {
      const overrides = { [a.name]: va };
      if (b) overrides[b.name] = vb;
      for (const seed of seeds) jobs.push({ file, json, overrides, seed });
    }
  }
  return jobs;
}

/**
 * Statistics per cell across seeds: cells[i][j] = { mean, min, max, count, failed }
 * (j is 0 for a one-axis sweep). Failed runs are counted, never averaged.
 */
export function aggregate({ axes, seeds, results, metric }) {
  const rows = axes[0].values.length;
  const cols = axes[1] ? axes[1].values.length : 1;
  const cells = [];
  let k = 0;
  for (let i = 0; i < rows; i++) {
    const row = [];
    for (let j = 0; j < cols; j++) {
      let sum = 0, count = 0, failed = 0, min = Infinity, max = -Infinity;
      for (let s = 0; s < seeds.length; s++, k++) {
        const v = readMetric(results[k]?.outcome, metric);
        if (v == null) { failed++; continue; }
        sum += v; count++;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      row.push(count ? { mean: sum / count, min, max, count, failed } : { mean: null, min: null, max: null, count: 0, failed });
    }
    cells.push(row);
  }
  return cells;
}

const csvField = (v) => {
  const s = v == null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per run: the varied values, the seed, the metric (empty plus the error for a failed run). */
export function toCsv({ axes, jobs, results, metric }) {
  const header = [...axes.map((a) => a.name), 'seed', metric, 'error'];
  const lines = [header.map(csvField).join(',')];
  jobs.forEach((job, k) => {
    const r = results[k];
    const value = readMetric(r?.outcome, metric);
    lines.push([
      ...axes.map((a) => job.overrides[a.name]),
      job.seed,
      value,
      r?.error ? (r.error.reason || r.error.message) : '',
    ].map(csvField).join(','));
  });
  return `${lines.join('\n')}\n`;
}

/** "1,000 runs in 3.2 s" plus throughput, for the status line and the test. */
export function wallTimeText(runs, wallMs) {
  const seconds = wallMs / 1000;
  const perSecond = runs / Math.max(seconds, 1e-9);
  return `${runs.toLocaleString('en')} runs in ${seconds.toFixed(1)} s (${Math.round(perSecond).toLocaleString('en')} runs/s)`;
}
