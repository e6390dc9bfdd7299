// Running the viewer's version: coalesced requests to the worker (only the
// latest edit runs), what the page does once a run arrives (outcome, seed
// spread, challenges, slider limits), and the event-budget refusal in words.
import { showOutcome, showChallenges } from '../outcome.js';
import { headlineFigures } from '../gauges.js';
import { SeedSpread } from '../seed-spread.js';
import { errorText } from '../errors.js';
import { deriveTimes } from './store.js';

/**
 * @param p { sim, state, $, host, options, showError(text), afterRunsView(), alive() }
 *   afterRunsView: what the views do when the runs change (frames, redraw, URL).
 */
export function createRuns({ sim, state, $, host, options, showError, afterRunsView, alive }) {
  let seedSpread = null;

  /** The gauges the scenario treats as headline figures. */
  const headline = () => headlineFigures(state.scenario, state.history.gauges.map((g) => g.name));

  /** Run the viewer's version (coalesced: only the latest edit runs). */
  function runVariant() {
    const request = { sets: { ...state.sets }, seed: state.seed, started: performance.now() };
    if (state.runBusy) { state.pendingRun = request; return; }
    runRequest(request);
  }

  function runRequest(request) {
    state.runBusy = true;
    $('run-status').textContent = '· running…';
    const file = `${state.name}.json`;
    const hasSets = Object.keys(request.sets).length > 0;
    const work = hasSets ? sim.run(file, state.json, request.sets, request.seed, 'variant') : Promise.resolve(null);
    work.then((variant) => {
      if (!alive()) return;
      const arrived = performance.now();
      state.params?.clearErrors();
      showError((state.linkProblems ?? []).join(' · '));
      state.variant = variant;
      state.frames.variant = null;
      afterRuns();
      const ms = performance.now() - request.started;
      host.dataset.editMs = ms.toFixed(1);
      // Where the time went: the worker's run, and the page's own work once the reply arrived.
      host.dataset.runMs = variant ? variant.runMs.toFixed(1) : '0';
      host.dataset.applyMs = (performance.now() - arrived).toFixed(1);
      host.dataset.runs = String(Number(host.dataset.runs || 0) + 1);
      $('run-status').textContent = variant ? `· ${ms.toFixed(0)} ms` : '';
    }).catch((e) => {
      if (!alive()) return;
      const name = e.path?.startsWith('parameters.') ? e.path.slice('parameters.'.length) : null;
      const text = budgetText(e) ?? (e.reason || e.message);
      if (!(name && state.params?.showError(name, text))) showError(budgetText(e) ?? errorText(e));
      $('run-status').textContent = '· not run';
      // The worker dropped the previous variant before trying: show history until the settings run.
      if (state.variant) { state.variant = null; state.frames.variant = null; afterRuns(); }
    }).finally(() => {
      state.runBusy = false;
      const next = state.pendingRun;
      state.pendingRun = null;
      if (next && alive()) runRequest(next);
    });
  }

  /** The event-budget refusals in plain words: what happened and what to change. */
  function budgetText(e) {
    const text = `${e?.reason || e?.message || ''}`;
    const limit = text.match(/events_max \((\d+)\)|more than (\d+) events/);
    if (!limit) return null;
    const max = Number(limit[1] ?? limit[2]).toLocaleString('en');
    const changed = Object.keys(state.sets).map((k) => k.replace(/_/g, ' ')).join(', ');
    return `Too much to simulate: this replay may use at most ${max} events, and these settings need more. `
      + `A heartbeat, tick or timeout set very short over a long incident does this: make it longer${changed ? ` (you changed: ${changed})` : ''}, or press “Back to history”.`;
  }

  /** Ask the core how far each slider may go with the current settings. */
  function updateFits() {
    const params = state.params;
    const sets = { ...state.sets };
    sim.request('fits', { file: `${state.name}.json`, json: state.json, overrides: sets })
      .then(({ fits }) => { if (params === state.params && JSON.stringify(sets) === JSON.stringify(state.sets)) params.setFits(fits); })
      .catch(() => {});
  }

  /** The runs changed: outcome, seed spread, challenges, digests, then the views. */
  function afterRuns() {
    updateFits();
    state.version++;
    deriveTimes(state);
    showOutcome($('outcome').tBodies[0], state.history.outcome, state.variant?.outcome ?? state.history.outcome, headline());
    // The same runs over seeds 1..10, filled in in the background (app/seed-spread.js).
    if (options.seedSpread) {
      seedSpread ??= new SeedSpread(sim, $('checks'));
      seedSpread.update({ file: `${state.name}.json`, json: state.json, seed: state.seed, sets: { ...state.sets }, history: state.history.outcome, variant: state.variant?.outcome });
    }
    showChallenges($('challenges-box'), $('challenges'), state.scenario, (state.variant ?? state.history).outcome);
    host.dataset.digest = (state.variant ?? state.history).digest;
    host.dataset.historyDigest = state.history.digest;
    state.messagesKey = '';
    afterRunsView();
  }

  return { runVariant, afterRuns, headline, destroy: () => seedSpread?.cancel() };
}
