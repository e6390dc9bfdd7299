// The viewer's settings (`sets`: parameter and toggle values that differ from
// history) as text and back. One serializer for every place that writes them
// (the URL hash, reopening at another seed, comparing a hash with what is
// shown), and one reader that checks text from a link or an attribute against
// the scenario.
import { checkValue } from './params.js';

/** `{ dead_time: 30, fencing: true }` → `{ dead_time: '30', fencing: '1' }`: toggles are 1/0, numbers stay numbers. */
export function setsAsText(sets) {
  const out = Object.create(null);
  for (const [name, value] of Object.entries(sets)) out[name] = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  return out;
}

/** Whether two settings (values or text) say the same. */
export function sameSets(a, b) {
  return JSON.stringify(setsAsText(a)) === JSON.stringify(setsAsText(b));
}

/**
 * Settings as text (from a link or attributes) against the scenario: known
 * names with values of the right kind. Returns `{ valid, clean }`: `valid`
 * holds the values that differ from history, `clean` the `[name, why]` of what
 * was refused.
 */
export function cleanSets(scenario, sets) {
  const valid = Object.create(null);
  const clean = [];
  // Own names only: `constructor` or `__proto__` from a link is no toggle.
  const has = (table, name) => table != null && Object.hasOwn(table, name);
  for (const [name, text] of Object.entries(sets)) {
    if (has(scenario.toggles, name)) {
      if (text === '1' || text === 'true') valid[name] = true;
      else if (text === '0' || text === 'false') valid[name] = false;
      else clean.push([name, `“${text}” is not on (1) or off (0)`]);
      if (valid[name] === scenario.toggles[name].default) delete valid[name];
    } else if (has(scenario.parameters, name)) {
      const p = scenario.parameters[name];
      const problem = checkValue(p, text);
      if (problem) clean.push([name, problem.includes(text) ? problem : `“${text}”: ${problem}`]);
      else if (Number(text) !== p.default) valid[name] = Number(text);
    } else clean.push([name, 'this scenario has no parameter or toggle of that name']);
  }
  return { valid, clean };
}
