// A sequential colour scale for heatmaps: viridis (van der Walt & Smith, matplotlib).
// It is perceptually uniform, readable by the common colour-vision deficiencies,
// and its lightness rises monotonically, so it still reads in greyscale and
// keeps its order on both the light and the dark page background.

// Nine samples of viridis at 0, 1/8, …, 1; linear interpolation between them is
// within a couple of RGB levels of the full 256-entry table.
const STOPS = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

/** RGB (0–255 each) for t in [0, 1]; values outside are clamped. */
export function viridis(t) {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [STOPS[i], STOPS[i + 1]];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f));
}

export function viridisCss(t) {
  const [r, g, b] = viridis(t);
  return `rgb(${r}, ${g}, ${b})`;
}

/** Text colour that stays readable on top of viridis(t): dark on the light (yellow) end. */
export function inkOn(t) {
  return t > 0.6 ? '#0f172a' : '#ffffff';
}
