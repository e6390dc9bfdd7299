// The whole view in the URL hash, so any moment can be shared:
//   #scenario=github-2012&seed=3&t=5423.5&view=both&set.dead_time=30&set.fencing_first=1
// Numbers stay numbers, toggles are 1/0. Parsing never throws: a bad value is
// ignored here and reported by the parameter panel.

import { parseSeed, parseSeconds } from './scenario-source.js';

export function readHash(hash) {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  // `problems`: what the link got wrong, in words, for the page to show.
  // `sets` has no prototype: `set.constructor` or `set.__proto__` is just a name
  // (which the player then reports as unknown).
  const state = { scenario: q.get('scenario') || null, seed: null, tS: null, view: q.get('view') || null, sets: Object.create(null), problems: [] };
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
  return state;
}

/** At most this many `set.*` values are read from one link. */
const SETS_MAX = 200;

/** A value from a link, shortened for a message. */
function clip(text) {
  const s = String(text);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

export function writeHash({ scenario, seed, tS, view, sets }) {
  const q = new URLSearchParams();
  q.set('scenario', scenario);
  if (seed != null && seed !== 1) q.set('seed', String(seed));
  if (tS != null) q.set('t', tS.toFixed(3).replace(/\.?0+$/, ''));
  if (view && view !== 'variant') q.set('view', view);
  for (const [name, value] of Object.entries(sets)) q.set(`set.${name}`, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  return `#${q.toString()}`;
}
