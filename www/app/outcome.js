// The outcome table: history beside the viewer's version, with the direction of
// every change, and the scenario's historical checks (measured vs reported).
import { formatGauge } from './gauges.js';

const ROWS = [
  // [label, read(outcome), format, better: 'lower' | 'higher']
  ['Split-brain time', (o) => o.split_brain_s, 'duration', 'lower'],
  ['All members down', (o) => o.all_down_s, 'duration', 'lower'],
  ['Unavailable (group-time)', (o) => o.unavailable_s, 'duration', 'lower'],
  ['Degraded time', (o) => o.degraded_s, 'duration', 'lower'],
  ['Leader changes', (o) => o.leader_changes, 'count', 'lower'],
  ['Acknowledged writes lost', (o) => o.lost_writes, 'count', 'lower'],
  ['Divergent writes', (o) => o.divergent_writes, 'count', 'lower'],
  ['Request success', (o) => o.success_rate_pct, 'percent', 'higher'],
  ['Mean latency', (o) => o.latency_mean_ms, 'ms', 'lower'],
  ['RPO (data lost window)', (o) => o.rpo_s, 'duration', 'lower'],
  ['RTO (longest outage)', (o) => o.rto_s, 'duration', 'lower'],
];

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

/** Fill `tbody` with history vs yours (yours may be null while it runs). */
export function showOutcome(tbody, history, yours, headline = []) {
  const rows = [];
  // Headline gauges only (the scenario's own figures); better is unknown, so 'none'.
  const gaugeRows = headline.map((name) => [`${name.replace(/_/g, ' ')} (peak)`, (o) => o.gauges?.find((x) => x.name === name)?.max ?? 0, `gauge:${name}`, 'none']);
  for (const [label, read, kind, better] of [...ROWS, ...gaugeRows]) {
    const h = read(history);
    const y = yours ? read(yours) : null;
    // Rows that are zero in both runs say nothing; keep the table short.
    if (h === 0 && (y === 0 || y == null) && kind !== 'percent') continue;
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = label;
    tr.append(th, cell(formatValue(h, kind)));
    if (y == null) tr.append(cell('…', 'muted'));
    else {
      const same = Math.abs(y - h) < 1e-9;
      const improved = better === 'lower' ? y < h : y > h;
      const td = cell(formatValue(y, kind), same || better === 'none' ? '' : improved ? 'better' : 'worse');
      if (!same && better !== 'none') td.setAttribute('aria-label', `${formatValue(y, kind)}, ${improved ? 'better' : 'worse'} than history`);
      const arrow = y < h ? '▼ ' : '▲ ';
      td.textContent = `${same ? '' : arrow}${formatValue(y, kind)}`;
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
    const measured = c.measured == null ? 'unknown metric' : (+c.measured.toFixed(2)).toLocaleString('en');
    li.textContent = `${c.within ? '✓' : '✗'} ${c.metric}: replay ${measured}, reported ${c.expected.toLocaleString('en')} ± ${c.tolerance.toLocaleString('en')}`;
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
      const limit = [g.at_least != null ? `at least ${g.at_least}` : '', g.at_most != null ? `at most ${g.at_most}` : ''].filter(Boolean).join(' and ');
      const measured = g.measured == null ? 'not measured' : (+g.measured.toFixed(2)).toLocaleString('en');
      item.textContent = `${g.met ? '✓' : '✗'} ${g.metric} ${limit}: yours ${measured}`;
      return item;
    }));
    li.append(title, desc, goals);
    return li;
  }));
}
