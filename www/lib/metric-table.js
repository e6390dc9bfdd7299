// The core's table of outcome metrics (crate/src/monitor/metrics.rs, exported
// by the WASM's `metric_table`): key, label, unit, which way is better, what
// the number means, headline row or not. The worker sends it with every
// `describe` reply and the client keeps it here, so the page's outcome table and
// the workshop's metric list never copy it. A scenario is always described
// before any of its outcomes is shown.

let table = [];

/** Keep the table from a worker reply (the same every time). */
export function rememberMetricTable(list) {
  if (Array.isArray(list) && list.length) table = list;
}

/** `[{ key, label, unit, better, reading, headline, needs_requests }]`, empty until the first describe. */
export function metricTable() {
  return table;
}

/** Unit names of the table as the workshop shows them after a value. */
export const UNIT_SUFFIX = Object.freeze({ seconds: 's', milliseconds: 'ms', percent: '%', count: '', ratio: '×', bytes: 'B', code: '' });

// The unit each model gauge was registered with in the core (`BuildCx::gauge`),
// learnt from the gauge summaries of every outcome the workers send back.
const gaugeUnits = new Map();

/** Keep the units of an outcome's gauge summaries (`[{ name, unit, ... }]`). */
export function rememberGaugeUnits(gauges) {
  if (!Array.isArray(gauges)) return;
  for (const g of gauges) if (g && g.name && g.unit) gaugeUnits.set(g.name, g.unit);
}

/** The unit gauge `name` was registered with ('count' until an outcome named it). */
export function gaugeUnitOf(name) {
  return gaugeUnits.get(name) || 'count';
}
