// Canvas plumbing shared by the drawing modules: a backing store sized for the
// screen's pixel density, crisp-line snapping, and palettes read from CSS.
// The drawing modules themselves never touch the DOM; the page calls these.

/**
 * Size `canvas`'s backing store to its CSS box × devicePixelRatio and scale the
 * context so drawing code works in CSS pixels. Returns CSS-pixel width/height.
 * The store is only reassigned when its size changes, because assigning
 * `canvas.width` clears the bitmap and resets the context even to the same value.
 */
export function fitCanvas(canvas, dpr = globalThis.devicePixelRatio || 1, size = null) {
  // A size the caller already knows (e.g. from a ResizeObserver) saves reading
  // the layout, which would force a reflow in the middle of a frame.
  const width = size ? size.width : canvas.clientWidth;
  const height = size ? size.height : canvas.clientHeight;
  // Round the store to whole device pixels, then scale by the exact ratio
  // store/CSS (not dpr) so the last CSS pixel lands on the store's edge at
  // fractional ratios such as 1.25 or 1.5.
  const storeWidth = Math.max(1, Math.round(width * dpr));
  const storeHeight = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== storeWidth) canvas.width = storeWidth;
  if (canvas.height !== storeHeight) canvas.height = storeHeight;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(width ? storeWidth / width : dpr, 0, 0, height ? storeHeight / height : dpr, 0, 0);
  return { ctx, width, height, dpr };
}

/** Device pixels per CSS pixel of a context scaled by `fitCanvas` (1 if unscaled). */
export function pixelRatio(ctx) {
  return Math.abs(ctx.getTransform().a) || 1;
}

/**
 * The CSS coordinate where a line `lineWidth` CSS px wide covers whole device
 * pixels: a 1 px line on an integer coordinate at DPR 1 straddles two pixels
 * and draws as a blurry 2 px grey line.
 */
export function snap(v, dpr, lineWidth = 1) {
  const w = Math.max(1, Math.round(lineWidth * dpr));
  return (Math.round(v * dpr - w / 2) + w / 2) / dpr;
}

// Both palettes are checked by eye in tests/browser/artifacts/draw-modules-*.png.
// Series colours are Tailwind 600 shades on white and 400 shades on slate-900, so
// each keeps at least 3:1 contrast against its background.
export const PALETTES = Object.freeze({
  light: Object.freeze({
    bg: '#ffffff', text: '#0f172a', muted: '#64748b', grid: '#e2e8f0', cursor: '#0f172a', highlight: '#eff6ff',
    cut: '#dc2626', gray: '#ea580c', loss: '#475569',
    series: Object.freeze(['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2']),
  }),
  dark: Object.freeze({
    bg: '#0f172a', text: '#e2e8f0', muted: '#94a3b8', grid: '#1e293b', cursor: '#e2e8f0', highlight: '#172554',
    cut: '#f87171', gray: '#fb923c', loss: '#cbd5e1',
    series: Object.freeze(['#60a5fa', '#f87171', '#4ade80', '#c084fc', '#fb923c', '#22d3ee']),
  }),
});

/**
 * A palette for the drawing modules from `element`'s CSS custom properties:
 * `--bg`, `--fg` (text), `--muted`, and optionally `--grid`, `--cursor`,
 * `--highlight`, `--cut`, `--gray`, `--loss`, `--series-1` … `--series-6`.
 * Anything unset falls back to PALETTES.light or .dark, picked by how dark
 * `--bg` is, so the page only has to define what it wants to change.
 */
export function cssColours(element) {
  const style = getComputedStyle(element);
  const read = (name) => style.getPropertyValue(name).trim();
  const bg = read('--bg');
  const base = isDark(bg) ? PALETTES.dark : PALETTES.light;
  const pick = (name, fallback) => read(name) || fallback;
  return {
    bg: bg || base.bg,
    text: pick('--fg', base.text),
    muted: pick('--muted', base.muted),
    grid: pick('--grid', base.grid),
    cursor: pick('--cursor', base.cursor),
    highlight: pick('--highlight', base.highlight),
    cut: pick('--cut', base.cut),
    gray: pick('--gray', base.gray),
    loss: pick('--loss', base.loss),
    series: base.series.map((c, i) => pick(`--series-${i + 1}`, c)),
  };
}

/** Whether a `#rgb`/`#rrggbb`/`rgb()` colour is dark (unknown formats count as light). */
function isDark(colour) {
  let r, g, b;
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(colour);
  if (hex) {
    const h = hex[1].length === 3 ? hex[1].replace(/./g, '$&$&') : hex[1];
    r = parseInt(h.slice(0, 2), 16); g = parseInt(h.slice(2, 4), 16); b = parseInt(h.slice(4, 6), 16);
  } else {
    const rgb = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/i.exec(colour);
    if (!rgb) return false;
    [r, g, b] = [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  }
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128;
}
