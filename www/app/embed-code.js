// The HTML that puts the current replay on another page, in both forms:
// the <incident-replay> element and the iframe. Values are escaped for HTML.
import { setsAsText } from './settings.js';

const escape = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function embedCode({ site, name, seed, tS, view, sets, scenario }) {
  // The element's own syntax: params="a=1&b=2", toggles="on_one !off_one"; values as settings.js writes them.
  const text = Object.entries(setsAsText(sets));
  const params = text.filter(([k]) => scenario.parameters?.[k]).map(([k, v]) => `${k}=${v}`).join('&');
  const toggles = text.filter(([k]) => scenario.toggles?.[k]).map(([k, v]) => (v === '1' ? k : `!${k}`)).join(' ');
  const attrs = [['scenario', name]];
  if (seed !== 1) attrs.push(['seed', seed]);
  if (tS > 0) attrs.push(['t', +tS.toFixed(1)]);
  if (params) attrs.push(['params', params]);
  if (toggles) attrs.push(['toggles', toggles]);
  if (view && view !== 'variant') attrs.push(['view', view]);
  const script = new URL('embed/incident-replay.js', site).href;
  const element = `<script type="module" src="${escape(script)}"></script>\n<incident-replay ${attrs.map(([k, v]) => `${k}="${escape(v)}"`).join(' ')}></incident-replay>`;
  const query = new URLSearchParams(attrs.map(([k, v]) => [k, String(v)]));
  const iframe = `<iframe src="${escape(new URL(`embed.html?${query}`, site).href)}" title="${escape(scenario.meta.title)} (Incident Replay)" width="100%" height="720" loading="lazy" style="border:0"></iframe>`;
  return { element, iframe };
}
