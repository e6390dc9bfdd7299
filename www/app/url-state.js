// The whole view in the URL hash, so any moment can be shared:
//   #scenario=github-2012&seed=3&t=5423.5&view=both&set.dead_time=30&set.fencing_first=1
//   &speed=2&presenter=1&charts=requests,gauge:db2_lag_bytes&window=30
// (speed, presenter mode, the charts shown and the space-time window appear only
// when they differ from the defaults).
// Numbers stay numbers, toggles are 1/0. Parsing never throws: a bad value is
// ignored here and reported by the parameter panel.

/** Playback speeds and space-time windows the page offers (its <select> options). */
export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8];
export const WINDOWS_S = [0.2, 1, 5, 30, 300];

export function readHash(hash) {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  // `problems`: what the link got wrong, in words, for the page to show.
  const state = {
    scenario: q.get('scenario') || null, seed: null, tS: null, view: q.get('view') || null, sets: {}, problems: [],
    speed: null, presenter: q.get('presenter') === '1', charts: null, windowS: null,
    // draft=1: the workshop's edited copy of the scenario, kept in this browser.
    draft: q.get('draft') === '1',
  };
  if (q.has('speed')) {
    const speed = Number(q.get('speed'));
    if (SPEEDS.includes(speed)) state.speed = speed;
    else state.problems.push(`speed: “${q.get('speed')}” from the link is not one of ${SPEEDS.join(', ')}; using 1×`);
  }
  if (q.has('window')) {
    const w = Number(q.get('window'));
    if (WINDOWS_S.includes(w)) state.windowS = w;
    else state.problems.push(`window: “${q.get('window')}” from the link is not one of ${WINDOWS_S.join(', ')} s; using 5 s`);
  }
  // Chart keys are checked against the scenario's charts by the player.
  if (q.has('charts')) state.charts = q.get('charts').split(',').filter(Boolean);
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

export function writeHash({ scenario, seed, tS, view, sets, speed, presenter, charts, windowS, draft }) {
  const q = new URLSearchParams();
  q.set('scenario', scenario);
  if (draft) q.set('draft', '1');
  if (seed != null && seed !== 1) q.set('seed', String(seed));
  if (tS != null) q.set('t', tS.toFixed(3).replace(/\.?0+$/, ''));
  if (view && view !== 'variant') q.set('view', view);
  for (const [name, value] of Object.entries(sets)) q.set(`set.${name}`, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  if (speed != null && speed !== 1) q.set('speed', String(speed));
  if (presenter) q.set('presenter', '1');
  if (charts) q.set('charts', charts.join(','));
  if (windowS != null && windowS !== 5) q.set('window', String(windowS));
  return `#${q.toString().replace(/%2C/g, ',').replace(/%3A/g, ':')}`;
}
