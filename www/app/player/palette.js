// The player's one palette: every colour the canvases use, read from the CSS
// custom properties `--draw-*` in player.css (light, dark and "follow the
// system" there), so a theme is defined in one place and an embedding page's
// theme attribute is all it takes. Lists (`--draw-roles`, `--draw-shades`,
// `--draw-series`) hold one colour per index, separated by spaces.
import { palette as stageDefaults } from '../../stage/stage.js';

const SINGLE = ['bg', 'text', 'muted', 'link', 'node', 'device', 'cut', 'gray', 'degraded', 'track', 'cursor', 'grid'];
const LISTS = { role: 'roles', shades: 'shades', series: 'series' };

/**
 * The palette for `element` (any element inside the player's `.ir` wrapper).
 * Keys the stylesheet does not define (a colour the stage module added since)
 * come from the stage's own defaults for the same theme, so nothing draws
 * without a colour.
 */
export function readPalette(element, dark) {
  const style = getComputedStyle(element);
  const read = (name) => style.getPropertyValue(`--draw-${name}`).trim();
  const out = { ...stageDefaults(dark) };
  for (const key of SINGLE) out[key] = read(key) || out[key];
  for (const [key, name] of Object.entries(LISTS)) {
    const list = read(name).split(/\s+/).filter(Boolean);
    if (list.length) out[key] = list;
  }
  // Lost messages are drawn in the "degraded" colour.
  out.loss = out.degraded;
  return out;
}
