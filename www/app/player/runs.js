// Running the viewer's version: coalesced requests to the worker (only the
// latest edit runs), what the page does once a run arrives (outcome, seed
// spread, challenges, slider limits), and the event-budget refusal in words.
import { showOutcome, showChallenges } from '../outcome.js';
import { headlineFigures } from '../gauges.js';
import { SeedSpread } from '../seed-spread.js';
import { errorText } from '../errors.js';
import { deriveTimes, visibleSlots } from './store.js';

/**
 * @param p { sim, state, $, host, options, frames, showError(text), afterRunsView(), alive(), afterActionRefused() }
 *   afterRunsView: what the views do when the runs change (frames, redraw, URL);
 *   frames: the frame fetcher (frames.js), to know when a new run is on the stage.
 */
export function createRuns({ sim, state, $, host, options, frames, showError, afterRunsView, alive, afterActionRefused }) {
  let seedSpread = null;

  /** The gauges the scenario treats as headline figures. */
  const headline = () => headlineFigures(state.scenario, state.history.gauges.map((g) => g.name));

  /**
   * Run the viewer's version. The worker answers first with the run up to a
   * little past the time on screen (the stage goes on from there, e.g. from an
   * injected action) and simulates the rest between other requests; the outcome
   * table, seed spread, challenges and digest follow with the whole run. Edits
   * are coalesced while a run has not yet shown its first part; after that, a
   * newer edit is sent at once and the worker drops the older run's rest.
   */
  function runVariant() {
    const request = { sets: { ...state.sets }, actions: [...state.actions], seed: state.seed, started: state.actionStarted ?? performance.now() };
    state.actionStarted = null;
    if (state.runBusy) { state.pendingRun = request; return; }
    runRequest(request);
  }

  /** The run in flight (its request), so a superseded one's late replies are ignored. */
  let current = null;

  function runRequest(request) {
    state.runBusy = true;
    current = request;
    $('run-status').textContent = '· running…';
    // The other seeds wait: on a small machine they would take the cores this run needs.
    seedSpread?.cancel();
    const file = `${state.name}.json`;
    const hasSets = Object.keys(request.sets).length > 0 || request.actions.length > 0;
    const onUpdate = (part) => {
      if (!alive() || current !== request) return;
      if (part.partial) showPartial(request, part);
      else if (state.variant?.partial) {
        const behind = state.tUs > state.variant.readyUs;
        state.variant.readyUs = part.readyUs;
        if (behind) frames.request();
      }
    };
    const work = hasSets ? sim.run(file, state.json, request.sets, request.seed, 'variant', request.actions, { firstUs: state.tUs, onUpdate }) : Promise.resolve(null);
    work.then((variant) => {
      if (!alive() || current !== request) return;
      const shownBefore = Boolean(request.shown);
      if (!shownBefore) accept(request, variant);
      else state.variant = variant;
      const arrived = performance.now();
      afterRuns();
      if (!shownBefore) whenShown(request);
      const ms = performance.now() - request.started;
      // Where the time went: from the edit to the whole run applied (data-edit-ms is to
      // the stage going on with it), the worker's run, and the page's own work for the whole run.
      host.dataset.wholeMs = ms.toFixed(1);
      host.dataset.runMs = variant ? variant.runMs.toFixed(1) : '0';
      host.dataset.applyMs = (performance.now() - arrived).toFixed(1);
      host.dataset.runs = String(Number(host.dataset.runs || 0) + 1);
      $('run-status').textContent = variant ? `· ${ms.toFixed(0)} ms` : '';
    }).catch((e) => {
      if (!alive() || e.superseded || current !== request) return;
      // An action the core refused: say why, and go back to the list it last ran
      // (run again if the refused list's first part was already on the stage).
      if (e.path?.startsWith('actions')) {
        showError(`That action was not added: ${errorText(e)}`);
        state.actions = [...state.acceptedActions];
        afterActionRefused?.();
        $('run-status').textContent = '';
        if (request.shown) state.pendingRun ??= { sets: { ...state.sets }, actions: [...state.actions], seed: state.seed, started: performance.now() };
        return;
      }
      const name = e.path?.startsWith('parameters.') ? e.path.slice('parameters.'.length) : null;
      const text = budgetText(e) ?? (e.reason || e.message);
      if (!(name && state.params?.showError(name, text))) showError(budgetText(e) ?? errorText(e));
      $('run-status').textContent = '· not run';
      // The worker dropped the previous variant before trying: show history until the settings run.
      if (state.variant) { state.variant = null; state.frames.variant = null; afterRuns(); }
    }).finally(() => {
      if (current === request) release();
    });
  }

  /** A run has shown its first part (or ended): the next edit may go. */
  function release() {
    state.runBusy = false;
    const next = state.pendingRun;
    state.pendingRun = null;
    if (next && alive()) runRequest(next);
  }

  /** The run replaces what the stage shows (first part, or whole run without one). */
  function accept(request, variant) {
    request.shown = true;
    state.params?.clearErrors();
    showError((state.linkProblems ?? []).join(' · '));
    state.variant = variant;
    state.acceptedActions = request.actions;
    state.frames.variant = null;
  }

  /** The first part of a run: the stage, timeline and charts go on with it; the rest follows. */
  function showPartial(request, part) {
    accept(request, part);
    state.version++;
    deriveTimes(state);
    afterRunsView();
    whenShown(request);
    $('run-status').textContent = '· simulating the rest…';
    // Later edits no longer wait for this run: the worker drops its rest.
    release();
  }

  /** Click to continue: from the edit to the first frame of the new run drawn on the stage (data-edit-ms). */
  function whenShown(request) {
    frames.whenDrawn(visibleSlots(state)[0], () => {
      if (current === request) host.dataset.editMs = (performance.now() - request.started).toFixed(1);
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

  /** The settings the sliders' limits were last asked for (actions do not change them). */
  let fitsAsked = null;

  /** Ask the core how far each slider may go with the current settings. */
  function updateFits() {
    const params = state.params;
    const sets = { ...state.sets };
    const key = `${state.name}\n${JSON.stringify(sets)}`;
    if (params === fitsAsked?.params && key === fitsAsked.key) return;
    fitsAsked = { params, key };
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
      seedSpread.update({ file: `${state.name}.json`, json: state.json, seed: state.seed, sets: { ...state.sets }, actions: [...state.acceptedActions], history: state.history.outcome, variant: state.variant?.outcome });
    }
    showChallenges($('challenges-box'), $('challenges'), state.scenario, (state.variant ?? state.history).outcome);
    host.dataset.digest = (state.variant ?? state.history).digest;
    host.dataset.historyDigest = state.history.digest;
    host.dataset.actions = String(state.acceptedActions.length);
    state.messagesKey = '';
    afterRunsView();
  }

  return { runVariant, afterRuns, headline, destroy: () => seedSpread?.cancel() };
}
