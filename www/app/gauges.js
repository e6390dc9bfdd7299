// Model gauges (replication lag, disk used, term, ...) as the page shows them:
// a unit read from the name's suffix, and which ones are headline figures.

/** Unit and scale for a gauge, from its name: `_bytes`, `_s`, `_ms`, `_pct`. */
export function gaugeUnit(name, maxValue = 0) {
  if (name.endsWith('_bytes')) {
    if (maxValue >= 1e9) return { unit: 'GB', scale: 1e-9 };
    if (maxValue >= 1e6) return { unit: 'MB', scale: 1e-6 };
    return { unit: 'B', scale: 1 };
  }
  if (name.endsWith('_ms')) return { unit: 'ms', scale: 1 };
  if (name.endsWith('_s')) return { unit: 's', scale: 1 };
  if (name.endsWith('_pct')) return { unit: '%', scale: 1 };
  return { unit: '', scale: 1 };
}

/** A gauge value in words, e.g. "4.33 GB". */
export function formatGauge(name, value) {
  const { unit, scale } = gaugeUnit(name, Math.abs(value));
  const v = value * scale;
  const text = Number.isInteger(v) ? v.toLocaleString('en') : (+v.toFixed(2)).toLocaleString('en');
  return unit ? `${text} ${unit}` : text;
}

/**
 * The gauges worth showing first: those the scenario's historical outcomes and
 * challenges name, else the first few.
 */
export function headlineGauges(scenario, names, max = 6) {
  const named = new Set();
  for (const m of [...(scenario.outcomes || []).map((o) => o.metric), ...(scenario.challenges || []).flatMap((c) => c.goals.map((g) => g.metric))]) {
    const base = m.replace(/_(max|min)$/, '');
    if (names.includes(base)) named.add(base);
  }
  const list = [...named];
  return (list.length ? list : names).slice(0, max);
}
