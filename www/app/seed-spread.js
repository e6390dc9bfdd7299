// Outcomes over many seeds on the page. One seed is one roll of the dice: the
// outcome table shows the viewer's seed at once, and this module fills in, in
// the background, the same runs over seeds 1..10 (the viewer's seed first) for
// history and for the viewer's settings. The summing up and the comparison are
// the core's (monitor/spread.rs through the worker), so the page says what
// `incident-replay run --seeds 10` says: a figure is called changed only when
// the two distributions differ (ranges apart, or present in a different number
// of seeds), and each historical check states in how many seeds it holds.

import { SimPool } from '../sim/pool.js';
import { formatMetric, metricLabel } from './outcome.js';
import { metricTable } from '../lib/metric-table.js';

export const SEEDS = 10;

/** Wait this long after the last edit before starting the background runs (edits stay quick). */
const SETTLE_MS = 400;

/** Figures worth a row, from the core's metric table (`spread` rows); the scenario's checks are added to them. */
const spreadRows = () => metricTable().filter((m) => m.spread_row).map((m) => m.key);

/** Figures read as yes/no ("split brain in 9 of 10 seeds"): the table's `presence` metrics. */
const isPresence = (metric) => metricTable().some((m) => m.key === metric && m.presence);

/** One pool for every player on the page: background work never runs twice at once. */
let sharedPool = null;
const pool = () => (sharedPool ??= new SimPool(1));

/** The seeds to run: the viewer's first, then 1, 2, … up to `n` seeds in all. */
export function seedList(viewerSeed, n = SEEDS) {
  const seeds = [viewerSeed];
  for (let s = 1; seeds.length < n; s++) if (s !== viewerSeed) seeds.push(s);
  return seeds;
}

/** A figure over seeds as [median, "range · in k of n"]: "12 min", "9.5 min–14 min · in 9 of 10". */
export function describeFigure(f) {
  const [mid, lo, hi] = [f.median, f.min, f.max].map((v) => formatMetric(f.metric, v, f.unit));
  const parts = [];
  if (lo !== hi) parts.push(`${lo}–${hi}`);
  if (isPresence(f.metric)) parts.push(`in ${f.seeds_above_zero} of ${f.seeds}`);
  return [mid, parts.join(' · ')];
}

/** A table cell: the median, and under it the range and presence in small print. */
function figureCell(f) {
  const [mid, detail] = describeFigure(f);
  const td = el('td', null);
  td.append(el('span', mid));
  if (detail) td.append(el('small', detail));
  return td;
}

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = text;
  if (className) e.className = className;
  return e;
}

export class SeedSpread {
  /** `sim` answers `spread` and `compare` requests; the summary goes after `anchor`. */
  constructor(sim, anchor) {
    this.sim = sim;
    this.token = 0;
    this.timer = 0;
    this.box = el('section', null, 'seed-spread');
    this.box.setAttribute('aria-live', 'polite');
    this.title = el('h4', `Over ${SEEDS} seeds`);
    this.status = el('p', '', 'muted');
    this.table = el('table', null, 'seed-spread-table');
    this.checks = el('ul', null, 'checks');
    this.box.append(this.title, this.status, this.table, this.checks);
    anchor.after(this.box);
  }

  /** Start (after a pause) the runs for these settings; earlier unfinished work is dropped. */
  update({ file, json, seed, sets, actions = [], history, variant }) {
    const token = ++this.token;
    clearTimeout(this.timer);
    pool().cancel();
    this.box.dataset.state = 'waiting';
    this.status.textContent = `Seed ${seed} shown above; the other seeds follow…`;
    this.timer = setTimeout(() => this.run(token, { file, json, seed, sets, actions, history, variant }).catch((e) => {
      if (token === this.token) { this.status.textContent = `Seeds not run: ${e.message || e}`; this.box.dataset.state = 'error'; }
    }), SETTLE_MS);
  }

  /** Drop any waiting or unfinished work (the player is going away). */
  cancel() {
    ++this.token;
    clearTimeout(this.timer);
    pool().cancel();
  }

  async run(token, { file, json, seed, sets, actions = [], history, variant }) {
    const seeds = seedList(seed);
    const withVariant = variant != null && (Object.keys(sets).length > 0 || actions.length > 0);
    const rest = seeds.slice(1);
    const jobs = rest.map((s) => ({ file, json, overrides: {}, seed: s }));
    if (withVariant) jobs.push(...rest.map((s) => ({ file, json, overrides: sets, seed: s, actions })));
    this.box.dataset.state = 'running';
    const results = await pool().run(jobs, (done, total) => {
      if (token === this.token) this.status.textContent = `Running other seeds: ${done} of ${total}…`;
    });
    if (token !== this.token) return;
    const failed = results.find((r) => r.error);
    if (failed) {
      if (failed.error.name !== 'AbortError') { this.status.textContent = `Seeds not run: ${failed.error.message}`; this.box.dataset.state = 'error'; }
      return;
    }
    const outcomes = results.map((r) => r.outcome);
    const historyAll = [history, ...outcomes.slice(0, rest.length)];
    const yoursAll = withVariant ? [variant, ...outcomes.slice(rest.length)] : historyAll;
    const { spread: historySpread } = await this.sim.request('spread', { outcomes: historyAll });
    const { spread: yoursSpread } = withVariant ? await this.sim.request('spread', { outcomes: yoursAll }) : { spread: historySpread };
    const { changes } = await this.sim.request('compare', { history: historySpread, yours: yoursSpread });
    if (token !== this.token) return;
    this.render(seeds, historySpread, yoursSpread, changes, withVariant);
  }

  render(seeds, historySpread, yoursSpread, changes, withVariant) {
    const n = seeds.length;
    this.status.textContent = `Seeds ${seeds.join(', ')}: median (range)${withVariant ? '; a change is called only where the distributions differ' : ''}.`;
    const head = el('thead');
    const tr = el('tr');
    for (const h of ['Measure', 'History', ...(withVariant ? ['Yours', 'Change'] : [])]) {
      const th = el('th', h);
      th.scope = 'col';
      tr.append(th);
    }
    head.append(tr);
    const body = el('tbody');
    const wanted = [...spreadRows(), ...historySpread.checks.map((c) => c.metric)];
    const rows = changes.filter((c, i, all) => wanted.includes(c.metric) && all.findIndex((d) => d.metric === c.metric) === i)
      .filter((c) => !(c.history.max === 0 && c.yours.max === 0 && c.history.min === 0 && c.yours.min === 0));
    rows.sort((a, b) => wanted.indexOf(a.metric) - wanted.indexOf(b.metric));
    let changedCount = 0;
    for (const c of rows) {
      const row = el('tr');
      const th = el('th', metricLabel(c.metric));
      th.scope = 'row';
      row.append(th, figureCell(c.history));
      if (withVariant) {
        const yours = figureCell(c.yours);
        const verdict = c.changed ? `${c.direction < 0 ? '▼ lower' : c.direction > 0 ? '▲ higher' : 'different'}` : '≈ within scatter';
        const change = el('td', verdict, c.changed ? '' : 'muted');
        if (c.changed) { changedCount++; change.dataset.changed = 'true'; }
        row.append(yours, change);
      }
      body.append(row);
    }
    this.table.replaceChildren(head, body);
    this.checks.replaceChildren(...yoursSpread.checks.map((c) => {
      const li = el('li', null, c.held === n ? 'ok' : c.held === 0 ? 'off' : '');
      const kind = c.kind === 'fitted' ? 'fitted' : 'check';
      li.textContent = `${kind} · ${metricLabel(c.metric)}: reported ${formatMetric(c.metric, c.expected)} ± ${formatMetric(c.metric, c.tolerance)}; holds in ${c.held} of ${c.seeds} seeds${withVariant ? ' (yours)' : ''}`;
      return li;
    }));
    this.box.dataset.state = 'done';
    this.box.dataset.changed = String(changedCount);
  }
}
