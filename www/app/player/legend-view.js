// The timeline's legend under the stage: the link styles, and the monitor
// shades (split brain, unavailable, …) that occur in the runs on screen. A
// shade no run has is left out: a Raft lab that never destroys data does not
// list "data destroyed". Built with DOM nodes and textContent.
import { SHADES } from '../../timeline/timebar.js';
import { SHADE } from '../../lib/run-layout.js';

const LINK_STYLES = [
  ['link-up', 'link up'],
  ['link-gray', 'up but dropping (gray failure)'],
  ['link-cut', 'cut'],
  ['link-slow', 'lossy / slow'],
];

/** The shade kinds (indices into SHADES) present in any of `runs`' shades, in SHADES order. */
export function shadeKindsPresent(runs) {
  const seen = new Set();
  for (const run of runs) {
    const shades = run?.shades ?? [];
    for (let i = 0; i + SHADE.STRIDE <= shades.length; i += SHADE.STRIDE) seen.add(shades[i + SHADE.KIND]);
  }
  return SHADES.map((_, kind) => kind).filter((kind) => seen.has(kind));
}

/** @param p { $, state } */
export function createLegendView({ $, state }) {
  let shownKey = '';

  /** Rebuild the legend when the runs changed (state.version). */
  function update() {
    const key = `${state.version}`;
    if (key === shownKey || !state.history) return;
    shownKey = key;
    const kinds = shadeKindsPresent([state.history, state.variant]);
    const entries = [...LINK_STYLES, ...kinds.map((kind) => [`shade-${kind}`, SHADES[kind].label])];
    const parts = [];
    entries.forEach(([swatch, words], i) => {
      if (i) parts.push(document.createTextNode(' · '));
      const sw = document.createElement('span');
      sw.className = `sw ${swatch}`;
      const item = document.createElement('span');
      item.className = 'legend-item';
      item.append(sw, words);
      parts.push(item);
    });
    $('legend').replaceChildren(...parts);
    $('legend').dataset.shades = JSON.stringify(kinds.map((kind) => SHADES[kind].key));
  }

  return { update, reset: () => { shownKey = ''; } };
}
