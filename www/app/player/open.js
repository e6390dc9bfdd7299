// Opening a scenario: fetch its text (by name from scenarios/, or a URL the
// page allows), describe and run its history in the worker, and reset every
// view for it, applying what a link or the element's attributes asked for
// (seed, settings, time, view, speed, presenter, charts, space-time window)
// and reporting what they got wrong.
import { layoutNodes, layoutDevices } from '../../lib/layout.js';
import { buildParams } from '../params.js';
import { showOutcome, showChecks } from '../outcome.js';
import { scenarioSource, declaredOrigins } from '../scenario-source.js';
import { cleanSets } from '../settings.js';
import { errorText } from '../errors.js';
import { deriveTimes, warmClock } from './store.js';
import { KIND_LABELS, kindOf, baselineNames } from '../scenario-kind.js';

/** A new task (not a microtask): lets the browser paint and answer input in between. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The core refuses bigger scenario text anyway (scenario::TEXT_BYTES_MAX); this stops the download. */
const SCENARIO_BYTES_MAX = 8 * 1024 * 1024;

/** A built-in scenario by name, or a scenario file by URL (`src`) where the page allows it. */
async function fetchScenario(url, shown) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`Could not fetch scenario “${shown}” (HTTP ${response.status}).`);
  const length = Number(response.headers.get('content-length'));
  if (length > SCENARIO_BYTES_MAX) throw new Error(`Scenario “${shown}” is larger than ${SCENARIO_BYTES_MAX} bytes.`);
  const text = await response.text();
  if (text.length > SCENARIO_BYTES_MAX) throw new Error(`Scenario “${shown}” is larger than ${SCENARIO_BYTES_MAX} bytes.`);
  return text;
}

/**
 * @param p { sim, state, $, root, host, options, showError(text), playback, views: { narration, charts },
 *            runs, setPresenter(on), showLegend(), alive() }
 * Returns `open(name, settings)`.
 */
export function createOpener(p) {
  const { sim, state, $, root, host, options, showError, playback, views, runs } = p;

  /** Where a scenario may come from (app/scenario-source.js): `{ url, file }`, or an Error saying why not. */
  function sourceOf(name, src) {
    return scenarioSource({ name, src, site: options.base || new URL('../../', import.meta.url), page: document.baseURI, allowed: declaredOrigins(document) });
  }

  async function open(name, { seed = 1, sets = {}, tS = null, view = 'variant', src = null, json: given = null, problems = [], speed = null, presenter = null, charts = null, windowS = null, story = null, actions = [] } = {}) {
    showError('');
    playback.setPlaying(false);
    host.dataset.ready = 'false';
    try {
      const source = given == null ? sourceOf(name, src) : null;
      const json = given ?? await fetchScenario(source.url, src || name);
      const file = source ? source.file : `${name}.json`;
      const [{ scenario, parameterOrder }, history] = await Promise.all([sim.request('describe', { file, json, forPlayer: true }), sim.run(file, json, {}, seed, 'history')]);
      if (!p.alive()) return;
      // Receiving a large run is a task of its own, and so is the clock formatter's
      // first use (time-zone data): the page's work below comes after, in its own task.
      await nextTask();
      warmClock(scenario.meta);
      await nextTask();
      if (!p.alive()) return;
      Object.assign(state, { name, json, scenario, seed, history, variant: null, frames: { history: null, variant: null }, messages: null, messagesKey: '', chapterAt: null });
      const unknownCharts = showScenario({ scenario, history, seed, view, charts, speed, presenter, windowS, story });
      problems = [...problems, ...unknownCharts.map((k) => `charts: this scenario has no chart “${k}”`)];
      applySettings(sets, problems, parameterOrder);
      showChecks($('checks'), history.outcome);
      state.tUs = startTime(tS, history);
      views.narration.reset();
      deriveTimes(state);
      showOutcome($('outcome').tBodies[0], history.outcome, history.outcome, runs.headline());
      // Injected actions from the link (text lines the core checks when it runs them).
      state.actions = [...actions];
      state.acceptedActions = [];
      views.inject?.list();
      if (Object.keys(state.sets).length || state.actions.length) runs.runVariant(); else runs.afterRuns();
      host.dataset.ready = 'true';
      options.onReady?.();
    } catch (e) {
      if (!p.alive()) return;
      showError(e.path ? `This scenario does not validate: ${errorText(e)}` : `Could not run the scenario: ${errorText(e)}`);
      host.dataset.ready = 'error';
    }
  }

  /** Title, layout, chapters, charts and the view's own choices for a newly opened scenario; returns the chart keys it does not know. */
  function showScenario({ scenario, history, seed, view, charts, speed, presenter, windowS, story }) {
    state.view = ['variant', 'history', 'both'].includes(view) ? view : 'variant';
    root.querySelector(`input[name=view][value=${state.view}]`).checked = true;
    $('seed').value = String(seed);
    state.layout = { nodes: layoutNodes(history.topology) };
    state.layout.devices = layoutDevices(history.topology, state.layout.nodes);
    $('title').textContent = scenario.meta.title;
    // A replay's date is the incident's; a sandbox's or a lab's only says where its numbers come from.
    views.narration.showSummary(`${kindOf(scenario.meta) === 'replay' ? scenario.meta.date : KIND_LABELS[kindOf(scenario.meta)]} · ${scenario.meta.summary}`);
    $('view-history-name').textContent = baselineNames(scenario.meta).short;
    $('outcome-history-name').textContent = baselineNames(scenario.meta).short;
    options.onTitle?.(scenario.meta.title);
    views.narration.build();
    if (windowS != null) $('st-window').value = String(windowS);
    const unknownCharts = views.charts.build(charts);
    if (speed != null) { $('speed').value = String(speed); state.speed = speed; }
    if (story != null) p.setStory(story);
    if (presenter != null) p.setPresenter(presenter);
    p.showLegend();
    return unknownCharts;
  }

  /** The settings from the link against the scenario; the parameter panel (in `parameterOrder`, the file's); what the link got wrong. */
  function applySettings(sets, problems, parameterOrder) {
    const { valid, clean } = cleanSets(state.scenario, sets);
    state.sets = valid;
    state.params = buildParams($('params'), state.scenario, state.sets, (next) => {
      state.sets = next;
      state.linkProblems = []; // the viewer has taken over from the link
      runs.runVariant();
    }, parameterOrder);
    // What the link (or the element's attributes) got wrong: beside its field
    // when there is one, and always in the message line, since the parameter
    // panel may be hidden (embedded players).
    for (const [k, why] of clean) state.params.showError(k, why);
    state.linkProblems = [...problems, ...clean.map(([k, why]) => `${k}: ${why}`)];
    showError(state.linkProblems.join(' · '));
  }

  /** The start time from a link, which must fall within the run. */
  function startTime(tS, history) {
    if (tS != null && !(tS * 1e6 <= history.endUs)) {
      const problem = `t: ${Number(tS).toPrecision(6).replace(/\.?0+$/, '')} s is after the end of the run (${Math.round(history.endUs / 1e6)} s); starting at the beginning`;
      state.linkProblems.push(problem);
      showError(state.linkProblems.join(' · '));
      return 0;
    }
    return tS != null ? tS * 1e6 : 0;
  }

  return open;
}
