// The whole view in the URL hash, so any moment can be shared:
//   #scenario=github-2012&seed=3&t=5423.5&view=both&set.dead_time=30&set.fencing_first=1
//   &speed=2&presenter=1&story=0&charts=requests,gauge:db2_lag_bytes&window=30
// (speed, presenter mode, free play instead of story mode, the charts shown and the space-time window appear only
// when they differ from the defaults). Numbers stay numbers, toggles are 1/0.
// Parsing never throws: a bad value is ignored here and reported by the page.

import { parseSeed, parseSeconds } from './scenario-source.js';
import { setsAsText } from './settings.js';

/** Playback speeds and space-time windows the page offers (its <select> options). */
export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8];
export const WINDOWS_S = [0.2, 1, 5, 30, 300];

/** At most this many `set.*` values are read from one link. */
const SETS_MAX = 200;
/** At most this many chart keys are read from one link. */
const CHARTS_MAX = 100;

/** A value from a link, shortened for a message. */
function clip(text) {
  const s = String(text);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** The view's own choices: speed, presenter mode, charts, space-time window. */
function readView(q, state) {
  if (q.has('speed')) {
    const speed = Number(q.get('speed'));
    if (SPEEDS.includes(speed)) state.speed = speed;
    else state.problems.push(`speed: “${clip(q.get('speed'))}” from the link is not one of ${SPEEDS.join(', ')}; using 1×`);
  }
  if (q.has('window')) {
    const w = Number(q.get('window'));
    if (WINDOWS_S.includes(w)) state.windowS = w;
    else state.problems.push(`window: “${clip(q.get('window'))}” from the link is not one of ${WINDOWS_S.join(', ')} s; using 5 s`);
  }
  // story=0: free play instead of story mode (the default).
  if (q.has('story')) state.story = q.get('story') !== '0';
  // Chart keys are checked against the scenario's charts by the player.
  if (q.has('charts')) state.charts = q.get('charts').split(',').filter(Boolean).slice(0, CHARTS_MAX);
}

export function readHash(hash) {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  // `problems`: what the link got wrong, in words, for the page to show.
  // `sets` has no prototype: `set.constructor` or `set.__proto__` is just a name
  // (which the player then reports as unknown).
  const state = {
    scenario: q.get('scenario') || null, seed: null, tS: null, view: q.get('view') || null, sets: Object.create(null), problems: [],
    speed: null, presenter: q.get('presenter') === '1', story: null, charts: null, windowS: null,
    // draft=1: the workshop's edited copy of the scenario, kept in this browser.
    draft: q.get('draft') === '1',
  };
  if (q.has('seed')) {
    const seed = parseSeed(q.get('seed'));
    if (seed != null) state.seed = seed;
    else state.problems.push(`seed: “${clip(q.get('seed'))}” from the link is not a whole number from 0 to 2^53 − 1; using seed 1`);
  }
  if (q.has('t')) {
    const t = parseSeconds(q.get('t'));
    if (t != null) state.tS = t;
    else state.problems.push(`t: “${clip(q.get('t'))}” from the link is not a time in seconds; starting at the beginning`);
  }
  for (const [key, value] of q) {
    if (!key.startsWith('set.')) continue;
    if (Object.keys(state.sets).length >= SETS_MAX) { state.problems.push(`only the first ${SETS_MAX} set.* values of the link are read`); break; }
    state.sets[key.slice(4)] = value;
  }
  if (state.view && !['variant', 'history', 'both'].includes(state.view)) {
    state.problems.push(`view: “${clip(state.view)}” is not variant, history or both; showing the variant`);
    state.view = null;
  }
  readView(q, state);
  return state;
}

export function writeHash({ scenario, seed, tS, view, sets, speed, presenter, story, charts, windowS, draft }) {
  const q = new URLSearchParams();
  q.set('scenario', scenario);
  if (draft) q.set('draft', '1');
  if (seed != null && seed !== 1) q.set('seed', String(seed));
  if (tS != null) q.set('t', tS.toFixed(3).replace(/\.?0+$/, ''));
  if (view && view !== 'variant') q.set('view', view);
  for (const [name, text] of Object.entries(setsAsText(sets))) q.set(`set.${name}`, text);
  if (speed != null && speed !== 1) q.set('speed', String(speed));
  if (presenter) q.set('presenter', '1');
  if (story === false) q.set('story', '0');
  if (charts) q.set('charts', charts.join(','));
  if (windowS != null && windowS !== 5) q.set('window', String(windowS));
  return `#${q.toString().replace(/%2C/g, ',').replace(/%3A/g, ':')}`;
}
