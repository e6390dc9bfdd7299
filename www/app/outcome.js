// The outcome table: history beside the viewer's version, with the direction of
// every change, and the scenario's historical checks (measured vs reported).
import { formatGauge, gaugeLabel, statText } from './gauges.js';
import { gaugeUnitOf, metricTable } from '../lib/metric-table.js';

/** How `formatValue` shows a unit of the core's metric table. */
const FORMAT_OF_UNIT = { seconds: 'duration', percent: 'percent', milliseconds: 'ms', count: 'count', ratio: 'count' };

/** The table's headline rows: [label, read(outcome), format, better: 'lower' | 'higher' | 'none', needs client requests?]. */
function headlineRows() {
  return metricTable().filter((m) => m.headline)
    .map((m) => [m.label, (o) => o[m.key], FORMAT_OF_UNIT[m.unit] || 'count', m.better === 'neither' ? 'none' : m.better, m.needs_requests]);
}

/** A metric name (`rto_s`, `db2_lag_bytes`, `db_failovers_max`) in words. */
export function metricLabel(metric) {
  const own = metricTable().find((m) => m.key === metric);
  if (own) return own.label;
  const stat = metric.match(/_(max|min)$/);
  const base = stat ? metric.slice(0, -stat[0].length) : metric;
  const words = gaugeLabel(base).replace(/ at$/, ' at (time in)');
  return stat ? `${words} (${stat[1] === 'max' ? 'peak' : 'lowest'})` : words;
}

/**
 * A metric's value with its unit: `unit` if given (a figure over seeds carries
 * it), else the core's metric table's, else the unit its gauge was registered with.
 */
export function formatMetric(metric, v, unit = null) {
  if (v == null || !Number.isFinite(v)) return '–';
  const own = metricTable().find((m) => m.key === metric);
  const base = own ? metric : metric.replace(/_(max|min|total)$/, '');
  switch (unit ?? own?.unit ?? gaugeUnitOf(base)) {
    case 'percent': return `${(+v.toFixed(1)).toLocaleString('en')} %`;
    case 'milliseconds': return `${(+v.toFixed(1)).toLocaleString('en')} ms`;
    case 'seconds': return formatDuration(v);
    case 'bytes': return formatGauge(base, v);
    default: return (+v.toFixed(2)).toLocaleString('en');
  }
}

export function formatDuration(s) {
  if (!Number.isFinite(s)) return '–';
  if (s === 0) return '0 s';
  if (s < 1) return `${(s * 1000).toFixed(0)} ms`;
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
}

export function formatValue(v, kind) {
  if (kind.startsWith('gauge:')) return formatGauge(kind.slice(6), v);
  switch (kind) {
    case 'duration': return formatDuration(v);
    case 'percent': return `${v.toFixed(1)} %`;
    case 'ms': return `${v.toFixed(1)} ms`;
    default: return Number.isInteger(v) ? v.toLocaleString('en') : v.toFixed(2);
  }
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

const hasRequests = (o) => (o?.requests_ok ?? 0) + (o?.requests_failed ?? 0) > 0;

/** The headline gauge rows: `headline` holds names or { name, stat }. */
function gaugeRows(history, headline) {
  return headline.map((entry) => {
    const { name, stat = 'max' } = typeof entry === 'string' ? { name: entry } : entry;
    const summary = history.gauges?.find((x) => x.name === name);
    // Better is unknown for a model's own gauge: 'none'.
    return [`${gaugeLabel(name)} (${statText(stat, summary)})`, (o) => o.gauges?.find((x) => x.name === name)?.[stat] ?? 0, `gauge:${name}`, 'none'];
  });
}

/** Fill `tbody` with history vs yours (yours may be null while it runs). */
export function showOutcome(tbody, history, yours, headline = []) {
  const rows = [];
  // Without client traffic in either run, request figures would only read as "100 %".
  const requests = hasRequests(history) || hasRequests(yours);
  for (const [label, read, kind, better, needsRequests] of [...headlineRows(), ...gaugeRows(history, headline)]) {
    if (needsRequests && !requests) continue;
    const h = read(history);
    const y = yours ? read(yours) : null;
    if (h == null || !Number.isFinite(h)) continue;
    // Rows that are zero in both runs say nothing; keep the table short.
    if (h === 0 && (y === 0 || y == null) && kind !== 'percent') continue;
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = label;
    const shownH = formatValue(h, kind);
    tr.append(th, cell(shownH));
    if (y == null) tr.append(cell('…', 'muted'));
    else {
      const shownY = formatValue(y, kind);
      // A change is what the viewer can read: values that show the same have no mark.
      const same = shownY === shownH;
      const improved = better === 'lower' ? y < h : y > h;
      const marked = !same && better !== 'none';
      const td = cell(shownY, marked ? (improved ? 'better' : 'worse') : '');
      if (!same) {
        td.dataset.changed = 'true';
        td.textContent = `${y < h ? '▼' : '▲'} ${shownY}`;
        td.setAttribute('aria-label', `${shownY}, ${y < h ? 'lower' : 'higher'} than history${marked ? ` (${improved ? 'better' : 'worse'})` : ''}`);
      }
      tr.append(td);
    }
    rows.push(tr);
  }
  tbody.replaceChildren(...rows);
}

/** The scenario's historical figures: measured in the history run vs reported. */
export function showChecks(list, history) {
  list.replaceChildren(...(history.checks || []).map((c) => {
    const li = document.createElement('li');
    li.className = c.within ? 'ok' : 'off';
    const measured = c.measured == null ? 'not measured' : formatMetric(c.metric, c.measured);
    li.textContent = `${c.within ? '✓' : '✗'} ${c.kind === 'fitted' ? 'fitted' : 'check'} · ${metricLabel(c.metric)}: replay ${measured}, reported ${formatMetric(c.metric, c.expected)} ± ${formatMetric(c.metric, c.tolerance)}`;
    return li;
  }));
}

/** Workshop challenges: each goal of the viewer's run, met or not, in words. */
export function showChallenges(box, list, scenario, outcome) {
  const challenges = outcome.challenges || [];
  box.hidden = challenges.length === 0;
  list.replaceChildren(...challenges.map((c, i) => {
    const li = document.createElement('li');
    li.className = c.met ? 'met' : 'unmet';
    const title = document.createElement('strong');
    title.textContent = `${c.met ? '✓ Met' : '✗ Not yet'}: ${c.title}`;
    const desc = document.createElement('p');
    desc.className = 'muted';
    desc.textContent = scenario.challenges?.[i]?.description || '';
    const goals = document.createElement('ul');
    goals.replaceChildren(...c.goals.map((g) => {
      const item = document.createElement('li');
      item.className = g.met ? 'met' : 'unmet';
      const limit = [g.at_least != null ? `at least ${formatMetric(g.metric, g.at_least)}` : '', g.at_most != null ? `at most ${formatMetric(g.metric, g.at_most)}` : ''].filter(Boolean).join(' and ');
      const measured = g.measured == null ? 'not measured' : formatMetric(g.metric, g.measured);
      item.textContent = `${g.met ? '✓' : '✗'} ${metricLabel(g.metric)} ${limit}: yours ${measured}`;
      return item;
    }));
    li.append(title, desc, goals);
    return li;
  }));
}
