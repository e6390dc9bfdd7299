// Drawing a sweep's result: a curve for one axis (mean across seeds, min–max
// band, a point per step) or a heatmap for two (mean per cell, colour legend).
// Pure drawing: a context, sizes, data and colours in; pixels and the geometry
// for hit testing out. No DOM lookups, no state.
import { snap, pixelRatio } from '../lib/canvas.js';
import { viridisCss } from './colour-scale.js';

const FONT = '12px system-ui, sans-serif';
const SMALL = '11px system-ui, sans-serif';

/** Roughly `count` round tick values covering [lo, hi]. */
export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const ticks = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Short, readable numbers for ticks and readouts: 1,234 · 12.3 · 0.0456. */
export function formatNumber(v) {
  if (v == null || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en');
  if (a === 0) return '0';
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return String(Number(v.toFixed(1)));
  if (a >= 1) return String(Number(v.toFixed(2)));
  return String(Number(v.toPrecision(3)));
}

/** An axis value for labels: toggles read off/on. */
export const formatValue = (v) => (typeof v === 'boolean' ? (v ? 'on' : 'off') : formatNumber(v));

/** Value range of the data with a little headroom, never empty. */
function span(lo, hi) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi === lo) {
    const pad = Math.abs(lo) * 0.1 || 1;
    return [lo - pad, hi + pad];
  }
  const pad = (hi - lo) * 0.06;
  // Counts and durations start at zero: keep zero on the axis when the data is near it.
  return [lo >= 0 && lo - pad < 0 ? 0 : lo - pad, hi + pad];
}

function frame(width, height, right) {
  const left = 62, top = 14, bottom = 46;
  return { left, top, right: width - right, bottom: height - bottom, width: width - left - right, height: height - top - bottom };
}

function clear(ctx, width, height, colours) {
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.restore();
  ctx.fillStyle = colours.bg;
  ctx.fillRect(0, 0, width, height);
}

function axisTitles(ctx, f, colours, xTitle, yTitle) {
  ctx.fillStyle = colours.text;
  ctx.font = FONT;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(xTitle, f.left + f.width / 2, f.bottom + 42);
  ctx.save();
  ctx.translate(14, f.top + f.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(yTitle, 0, 0);
  ctx.restore();
}

/** Indices of labels to draw so that they do not overlap (every n-th). */
function thin(count, room, each = 44) {
  const every = Math.max(1, Math.ceil((count * each) / Math.max(room, 1)));
  return (i) => i % every === 0 || i === count - 1 && (count - 1) % every >= every / 2;
}

/**
 * One axis. `axis` = { name, values, defaultValue, numeric }, `cells` = [{ mean, min, max, count }].
 * Returns the geometry ({ kind, xs, frame }) used by `hitTest`.
 */
export function drawCurve(ctx, { width, height, colours, axis, cells, metricLabel, selected = null }) {
  const dpr = pixelRatio(ctx);
  clear(ctx, width, height, colours);
  const f = frame(width, height, 16);
  const n = axis.values.length;
  // Toggles are categories; parameters are positioned by value.
  const numeric = axis.numeric && n > 1;
  const lo = numeric ? Math.min(...axis.values) : 0;
  const hi = numeric ? Math.max(...axis.values) : 1;
  const xOf = numeric
    ? (v) => f.left + ((v - lo) / (hi - lo)) * f.width
    : (v, i) => f.left + f.width * (n === 1 ? 0.5 : (0.25 + (0.5 * i) / (n - 1)));
  const xs = axis.values.map((v, i) => xOf(v, i));

  const finite = cells.filter((c) => c.count > 0);
  const [yLo, yHi] = span(Math.min(...finite.map((c) => c.min)), Math.max(...finite.map((c) => c.max)));
  const yOf = (v) => f.bottom - ((v - yLo) / (yHi - yLo)) * f.height;

  // Grid and y ticks.
  ctx.lineWidth = 1;
  ctx.font = SMALL;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of niceTicks(yLo, yHi, Math.max(2, Math.floor(f.height / 50)))) {
    const y = snap(yOf(t), dpr);
    ctx.strokeStyle = colours.grid;
    ctx.beginPath(); ctx.moveTo(f.left, y); ctx.lineTo(f.right, y); ctx.stroke();
    ctx.fillStyle = colours.muted;
    ctx.fillText(formatNumber(t), f.left - 6, y);
  }
  // X ticks: round numbers for parameters, the two states for toggles.
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const xTicks = numeric ? niceTicks(lo, hi, Math.max(2, Math.floor(f.width / 80))).map((v) => [xOf(v), formatNumber(v)])
    : axis.values.map((v, i) => [xs[i], formatValue(v)]);
  for (const [x, label] of xTicks) {
    ctx.strokeStyle = colours.muted;
    const sx = snap(x, dpr);
    ctx.beginPath(); ctx.moveTo(sx, f.bottom); ctx.lineTo(sx, f.bottom + 4); ctx.stroke();
    ctx.fillStyle = colours.muted;
    ctx.fillText(label, x, f.bottom + 6);
  }
  ctx.strokeStyle = colours.muted;
  const base = snap(f.bottom, dpr);
  ctx.beginPath(); ctx.moveTo(f.left, base); ctx.lineTo(f.right, base); ctx.stroke();

  // The historical default: a dashed vertical line, labelled.
  const d = axis.values.indexOf(axis.defaultValue);
  const dx = numeric ? (axis.defaultValue >= lo && axis.defaultValue <= hi ? xOf(axis.defaultValue) : null) : (d >= 0 ? xs[d] : null);
  if (dx != null) {
    ctx.save();
    ctx.strokeStyle = colours.text;
    ctx.globalAlpha = 0.6;
    ctx.setLineDash([4, 4]);
    const sx = snap(dx, dpr);
    ctx.beginPath(); ctx.moveTo(sx, f.top); ctx.lineTo(sx, f.bottom); ctx.stroke();
    ctx.restore();
    ctx.fillStyle = colours.text;
    ctx.font = SMALL;
    ctx.textAlign = dx > f.right - 60 ? 'right' : 'left';
    ctx.textBaseline = 'top';
    ctx.fillText('history', dx + (ctx.textAlign === 'left' ? 4 : -4), f.top);
  }

  const colour = colours.series[0];
  // Min–max band across seeds.
  ctx.save();
  ctx.fillStyle = colour;
  ctx.globalAlpha = 0.18;
  ctx.beginPath();
  let started = false;
  cells.forEach((c, i) => { if (c.count) { ctx[started ? 'lineTo' : 'moveTo'](xs[i], yOf(c.max)); started = true; } });
  for (let i = n - 1; i >= 0; i--) if (cells[i].count) ctx.lineTo(xs[i], yOf(cells[i].min));
  ctx.closePath();
  ctx.fill();
  ctx.restore();
  // Mean line and points (a failed cell breaks the line).
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2;
  ctx.beginPath();
  let pen = false;
  cells.forEach((c, i) => {
    if (!c.count) { pen = false; return; }
    ctx[pen ? 'lineTo' : 'moveTo'](xs[i], yOf(c.mean));
    pen = true;
  });
  ctx.stroke();
  cells.forEach((c, i) => {
    if (!c.count) return;
    const r = i === selected?.i ? 5 : 3;
    ctx.fillStyle = i === selected?.i ? colours.text : colour;
    ctx.beginPath(); ctx.arc(xs[i], yOf(c.mean), r, 0, 2 * Math.PI); ctx.fill();
  });
  if (selected && xs[selected.i] != null) {
    ctx.save();
    ctx.strokeStyle = colours.text;
    ctx.globalAlpha = 0.35;
    const sx = snap(xs[selected.i], dpr);
    ctx.beginPath(); ctx.moveTo(sx, f.top); ctx.lineTo(sx, f.bottom); ctx.stroke();
    ctx.restore();
  }
  axisTitles(ctx, f, colours, axis.title, metricLabel);
  return { kind: 'curve', xs, frame: f };
}

/**
 * Two axes: axis `a` across, axis `b` up. `cells[i][j]` is the cell for a.values[i], b.values[j].
 * Returns the geometry used by `hitTest`.
 */
export function drawHeatmap(ctx, { width, height, colours, a, b, cells, metricLabel, selected = null }) {
  const dpr = pixelRatio(ctx);
  clear(ctx, width, height, colours);
  const legendWidth = 96;
  const f = frame(width, height, legendWidth + 12);
  const [nx, ny] = [a.values.length, b.values.length];
  const cw = f.width / nx, ch = f.height / ny;
  const all = cells.flat().filter((c) => c.count > 0).map((c) => c.mean);
  const lo = all.length ? Math.min(...all) : 0;
  const hi = all.length ? Math.max(...all) : 1;
  const tOf = (v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5);

  // Cells: edges rounded to device pixels so neighbours meet without seams.
  const px = (v) => Math.round(v * dpr) / dpr;
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < ny; j++) {
      const c = cells[i][j];
      const x0 = px(f.left + i * cw), x1 = px(f.left + (i + 1) * cw);
      const y0 = px(f.bottom - (j + 1) * ch), y1 = px(f.bottom - j * ch);
      ctx.fillStyle = c.count ? viridisCss(tOf(c.mean)) : colours.grid;
      ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
      if (!c.count) {
        // A failed cell is hatched, not just coloured, so it cannot be mistaken for a value.
        ctx.strokeStyle = colours.muted;
        ctx.lineWidth = 1;
        ctx.beginPath(); ctx.moveTo(x0, y1); ctx.lineTo(x1, y0); ctx.stroke();
      }
    }
  }
  // Tick labels at cell centres, thinned to fit.
  ctx.font = SMALL;
  ctx.fillStyle = colours.muted;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const showX = thin(nx, f.width, 44);
  a.values.forEach((v, i) => { if (showX(i)) ctx.fillText(formatValue(v), f.left + (i + 0.5) * cw, f.bottom + 6); });
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const showY = thin(ny, f.height, 18);
  b.values.forEach((v, j) => { if (showY(j)) ctx.fillText(formatValue(v), f.left - 6, f.bottom - (j + 0.5) * ch); });

  // The historical default: a ring where it falls between the cell centres.
  const position = (axis, n, size) => {
    const vs = axis.values;
    const k = vs.indexOf(axis.defaultValue);
    if (k >= 0) return (k + 0.5) * size;
    if (typeof axis.defaultValue !== 'number') return null;
    for (let m = 0; m + 1 < n; m++) {
      const [p, q] = [vs[m], vs[m + 1]];
      if ((axis.defaultValue - p) * (axis.defaultValue - q) <= 0) return (m + 0.5 + (axis.defaultValue - p) / (q - p)) * size;
    }
    return null;
  };
  const hx = position(a, nx, cw), hy = position(b, ny, ch);
  if (hx != null && hy != null) {
    const [x, y] = [f.left + hx, f.bottom - hy];
    const r = Math.max(5, Math.min(10, Math.min(cw, ch) / 2 - 1));
    for (const [style, width] of [['#ffffff', 4], ['#0f172a', 2]]) {
      ctx.strokeStyle = style; ctx.lineWidth = width;
      ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.stroke();
    }
    ctx.fillStyle = colours.text;
    ctx.font = SMALL;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    const labelX = Math.min(x + r + 2, f.right - 44);
    ctx.save();
    ctx.lineWidth = 3; ctx.strokeStyle = colours.bg; ctx.lineJoin = 'round';
    ctx.strokeText('history', labelX, y - r);
    ctx.restore();
    ctx.fillText('history', labelX, y - r);
  }
  if (selected) {
    const x0 = px(f.left + selected.i * cw), y0 = px(f.bottom - (selected.j + 1) * ch);
    ctx.lineWidth = 2;
    ctx.strokeStyle = colours.bg;
    ctx.strokeRect(x0 + 1, y0 + 1, px(cw) - 2, px(ch) - 2);
    ctx.strokeStyle = colours.text;
    ctx.strokeRect(x0 - 1, y0 - 1, px(cw) + 2, px(ch) + 2);
  }
  ctx.lineWidth = 1;

  // Legend: the colour bar with its low and high values.
  const lx = f.right + 18, lw = 14;
  for (let y = 0; y < f.height; y++) {
    ctx.fillStyle = viridisCss(1 - y / Math.max(1, f.height - 1));
    ctx.fillRect(lx, f.top + y, lw, 1);
  }
  ctx.strokeStyle = colours.muted;
  ctx.strokeRect(snap(lx, dpr), snap(f.top, dpr), lw, f.height);
  ctx.fillStyle = colours.text;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  const legendTicks = hi > lo ? niceTicks(lo, hi, Math.max(2, Math.floor(f.height / 45))) : [lo];
  for (const t of legendTicks) {
    const y = f.bottom - tOf(t) * f.height;
    ctx.fillText(formatNumber(t), lx + lw + 5, y);
  }
  axisTitles(ctx, f, colours, a.title, b.title);
  // The legend's title runs up its right edge, where a long metric name fits.
  ctx.save();
  ctx.font = SMALL;
  ctx.fillStyle = colours.text;
  ctx.translate(width - 8, f.top + f.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(metricLabel, 0, 0, f.height);
  ctx.restore();
  return { kind: 'heatmap', frame: f, nx, ny, cw, ch };
}

/** The cell under a CSS-pixel point, or null: { i } on a curve, { i, j } on a heatmap. */
export function hitTest(geometry, x, y) {
  if (!geometry) return null;
  const f = geometry.frame;
  if (geometry.kind === 'curve') {
    if (x < f.left - 20 || x > f.right + 20 || y < f.top || y > f.bottom) return null;
    let best = 0;
    geometry.xs.forEach((px, i) => { if (Math.abs(px - x) < Math.abs(geometry.xs[best] - x)) best = i; });
    return { i: best, j: 0 };
  }
  if (x < f.left || x >= f.right || y < f.top || y >= f.bottom) return null;
  return { i: Math.floor((x - f.left) / geometry.cw), j: Math.floor((f.bottom - y) / geometry.ch) };
}
