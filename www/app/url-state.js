// The whole view in the URL hash, so any moment can be shared:
//   #scenario=github-2012&seed=3&t=5423.5&view=both&set.dead_time=30&set.fencing_first=1
// Numbers stay numbers, toggles are 1/0. Parsing never throws: a bad value is
// ignored here and reported by the parameter panel.

export function readHash(hash) {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  // `problems`: what the link got wrong, in words, for the page to show.
  const state = { scenario: q.get('scenario') || null, seed: null, tS: null, view: q.get('view') || null, sets: {}, problems: [] };
  const seed = Number(q.get('seed'));
  if (q.has('seed')) {
    if (Number.isInteger(seed) && seed >= 0) state.seed = seed;
    else state.problems.push(`seed: “${q.get('seed')}” from the link is not a whole number from 0 up; using seed 1`);
  }
  const t = Number(q.get('t'));
  if (q.has('t')) {
    if (Number.isFinite(t) && t >= 0) state.tS = t;
    else state.problems.push(`t: “${q.get('t')}” from the link is not a time in seconds; starting at the beginning`);
  }
  for (const [key, value] of q) {
    if (!key.startsWith('set.')) continue;
    state.sets[key.slice(4)] = value;
  }
  return state;
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
