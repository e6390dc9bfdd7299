// Sweeping the chaos monkey: for each rate, N monkey seeds; each seed's faults
// come from the core (scenario/chaos.rs, as ordinary injected actions) and run
// across the worker pool; the table says in how many seeds each monitor fired.
// Text goes in through textContent only.
import { el, field, numberInput } from './dom.js';

/** The monitors a chaos run is judged by, and when one counts as having fired. */
const MONITORS = [
  ['split_brain_s', 'split brain'],
  ['unavailable_s', 'unavailable'],
  ['lost_writes', 'lost acknowledged writes'],
  ['divergent_writes', 'divergent writes'],
  ['leader_changes', 'leader changes'],
  ['requests_failed', 'failed requests'],
];
const SEEDS_MAX = 200;
const RATES_MAX = 12;

/** `2, 6, 20` → [2, 6, 20]: rates per simulated hour, or null when not that. */
export function parseRates(text) {
  const rates = text.split(',').map((t) => t.trim()).filter(Boolean).map(Number);
  return rates.length && rates.length <= RATES_MAX && rates.every((r) => Number.isFinite(r) && r >= 0 && r <= 3600) ? rates : null;
}

/** @param p { sim (answers `chaos`), pool (runs `outcome` jobs), file, json } */
export function mountChaosSweep(container, { sim, pool, file, json }) {
  const seeds = field('chaos-sweep-seeds', 'Monkey seeds per rate', numberInput({ min: 1, max: SEEDS_MAX, step: 1, value: '10', inputMode: 'numeric' }));
  const rates = field('chaos-sweep-rates', 'Faults per hour', el('input', { type: 'text', value: '2, 6, 20' }), 'crash, pause and cut, each at this rate; comma-separated');
  const duration = field('chaos-sweep-duration', 'Each lasting', el('input', { type: 'text', value: '10s..2min' }));
  const max = field('chaos-sweep-max', 'At most at once', numberInput({ min: 1, step: 1, value: '1', inputMode: 'numeric' }));
  const run = el('button', { type: 'submit', textContent: 'Sweep the monkey' });
  const status = el('p', { className: 'muted', id: 'chaos-sweep-status' });
  status.setAttribute('role', 'status');
  const table = el('table', { className: 'chaos-sweep-table', hidden: true });
  const form = el('form', { className: 'sweep-form', noValidate: true },
    el('fieldset', { className: 'axis' }, el('legend', { textContent: 'Chaos monkey: seed × rate' }), seeds.wrap, rates.wrap, duration.wrap, max.wrap),
    el('div', { className: 'actions' }, run));
  container.replaceChildren(el('h3', { textContent: 'How often does each monitor fire under random faults?' }), form, status, table);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const list = parseRates(rates.input.value);
    const count = Number(seeds.input.value);
    rates.error.textContent = list ? '' : `give up to ${RATES_MAX} rates from 0 to 3600, separated by commas`;
    seeds.error.textContent = Number.isInteger(count) && count >= 1 && count <= SEEDS_MAX ? '' : `a whole number from 1 to ${SEEDS_MAX}`;
    if (!list || seeds.error.textContent) return;
    run.disabled = true;
    try {
      const jobs = [];
      for (const rate of list) {
        for (let seed = 1; seed <= count; seed++) {
          const settings = `seed=${seed},rate=${rate},duration=${duration.input.value.trim()},max=${max.input.value}`;
          const { actions } = await sim.request('chaos', { file, json, settings });
          jobs.push({ file, json, overrides: {}, seed: 1, actions, rate });
        }
      }
      status.textContent = `Running ${jobs.length} runs…`;
      const results = await pool.run(jobs, (done, total) => { status.textContent = `Running: ${done} of ${total}…`; });
      const failed = results.find((r) => r.error);
      if (failed) { status.textContent = `Not run: ${failed.error.message}`; return; }
      show(list, count, jobs, results.map((r) => r.outcome));
      status.textContent = `${jobs.length} runs, simulation seed 1, monkey seeds 1–${count}.`;
    } catch (err) {
      status.textContent = `Not run: ${err.reason || err.message}`;
    } finally {
      run.disabled = false;
    }
  });

  function show(list, count, jobs, outcomes) {
    const head = el('tr', {}, el('th', { scope: 'col', textContent: 'faults / h' }), ...MONITORS.map(([, label]) => el('th', { scope: 'col', textContent: label })));
    const rows = list.map((rate) => {
      const mine = outcomes.filter((_, i) => jobs[i].rate === rate);
      const cells = MONITORS.map(([key]) => el('td', { textContent: `${mine.filter((o) => o[key] > 0).length} of ${count}` }));
      return el('tr', {}, el('th', { scope: 'row', textContent: String(rate) }), ...cells);
    });
    table.replaceChildren(el('caption', { textContent: 'In how many monkey seeds each monitor fired' }), el('thead', {}, head), el('tbody', {}, ...rows));
    table.hidden = false;
    container.dataset.done = String(Number(container.dataset.done || 0) + 1);
  }
}
