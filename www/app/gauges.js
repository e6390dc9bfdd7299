// Model gauges (replication lag, disk used, term, ...) as the page shows them:
// the unit each gauge was registered with in the core (bytes, seconds, ms, %,
// a count or a code; `lib/metric-table.js` keeps what the outcomes say), a
// label from the name, which statistic of the run is shown (peak, lowest, at
// end), and which are headline figures.

import { gaugeUnitOf } from '../lib/metric-table.js';

/** The name ending each registered unit is written with, left out of labels. */
const NAME_SUFFIX = { bytes: '_bytes', milliseconds: '_ms', seconds: '_s', percent: '_pct' };

/** Unit and scale for a gauge, from the unit its model registered it with. */
export function gaugeUnit(name, maxValue = 0) {
  switch (gaugeUnitOf(name)) {
    case 'bytes':
      if (maxValue >= 1e9) return { unit: 'GB', scale: 1e-9 };
      if (maxValue >= 1e6) return { unit: 'MB', scale: 1e-6 };
      return { unit: 'B', scale: 1 };
    case 'milliseconds': return { unit: 'ms', scale: 1 };
    case 'seconds': return { unit: 's', scale: 1 };
    case 'percent': return { unit: '%', scale: 1 };
    default: return { unit: '', scale: 1 };
  }
}

/** A gauge's name in words, without its unit's ending: `db1_data_left_bytes` → "db1 data left". */
export function gaugeLabel(name) {
  const suffix = NAME_SUFFIX[gaugeUnitOf(name)];
  const base = suffix && name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
  const words = base.replace(/_/g, ' ');
  // "Replication lag", but a node name such as "db2" keeps its case.
  return /^[a-z]+(\s|$)/.test(words) ? words.replace(/^./, (c) => c.toUpperCase()) : words;
}

/** A gauge value in words, e.g. "4.33 GB". */
export function formatGauge(name, value) {
  const { unit, scale } = gaugeUnit(name, Math.abs(value));
  const v = value * scale;
  const text = Number.isInteger(v) ? v.toLocaleString('en') : (+v.toFixed(2)).toLocaleString('en');
  return unit ? `${text} ${unit}` : text;
}

/** Words for which value of a gauge a figure shows. */
export const STAT_WORDS = { max: 'peak', min: 'lowest', last: 'at end' };

/**
 * The statistic of a gauge worth showing: what the scenario's checks and
 * challenges use (`NAME_max` → peak, `NAME_min` → lowest, `NAME` → the value at
 * the end, as the core's metrics define them), else the peak.
 */
function statFor(scenario, name) {
  const metrics = [...(scenario.outcomes || []).map((o) => o.metric), ...(scenario.challenges || []).flatMap((c) => c.goals.map((g) => g.metric))];
  if (metrics.includes(name)) return 'last';
  if (metrics.includes(`${name}_min`)) return 'min';
  return 'max';
}

/**
 * The gauges worth showing first: those the scenario's historical outcomes and
 * challenges name, else the first few. Returns names.
 */
export function headlineGauges(scenario, names, max = 6) {
  return headlineFigures(scenario, names, max).map((f) => f.name);
}

/** Like headlineGauges, with the statistic each shows: [{ name, stat: 'max'|'min'|'last' }]. */
export function headlineFigures(scenario, names, max = 6) {
  const named = new Set();
  for (const m of [...(scenario.outcomes || []).map((o) => o.metric), ...(scenario.challenges || []).flatMap((c) => c.goals.map((g) => g.metric))]) {
    const base = names.includes(m) ? m : m.replace(/_(max|min)$/, '');
    if (names.includes(base)) named.add(base);
  }
  const list = [...named];
  return (list.length ? list : names).slice(0, max).map((name) => ({ name, stat: statFor(scenario, name) }));
}

/**
 * "(lowest, at end)": which value of gauge summary `g` (from the history run) a
 * figure with statistic `stat` shows, in words.
 */
export function statText(stat, g) {
  if (stat !== 'last' || !g) return STAT_WORDS[stat];
  if (g.last === g.min && g.min !== g.max) return 'lowest, at end';
  if (g.last === g.max && g.min !== g.max) return 'peak, at end';
  return STAT_WORDS.last;
}
