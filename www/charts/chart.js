// A small time-series chart synced to the timeline: series in, pixels out.
// No DOM lookups, no state, no simulation; the page decides what to plot.
//
// Points are flat Float64Arrays of [t_us, value] pairs sorted by time, the way
// the core hands bulk data to JS (one typed array, never an object per point).
// Drawing cost is bounded by the canvas width, not the data: each series is
// reduced to its lowest and highest value per device-pixel column, so a run with a
// million points draws about as fast as one with a thousand.
import { pixelRatio, snap } from '../lib/canvas.js';

const FONT = '11px system-ui, sans-serif';
const TITLE_FONT = '600 12px system-ui, sans-serif';
const PAD = 6;
const HEADER_H = 18;
const SWATCH_W = 14;
// Cursor labels closer than this (CSS px) are pushed apart.
const LABEL_GAP = 14;
const VERTICES_PER_STROKE = 64;

/** Index of the last point with t ≤ tUs, or -1 if every point is later. */
export function indexAt(points, tUs) {
  let lo = 0, hi = (points.length >> 1) - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (points[2 * mid] <= tUs) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

/**
 * The value at tUs: the last point's value at or before tUs (a stepped series
 * holds its value until the next point), or with `interpolate` the straight
 * line between its neighbours. NaN before the first point or for no points.
 */
export function valueAt(points, tUs, interpolate = false) {
  const i = indexAt(points, tUs);
  if (i < 0) return NaN;
  const t0 = points[2 * i], v0 = points[2 * i + 1];
  if (!interpolate || 2 * i + 2 >= points.length || t0 === tUs) return v0;
  const t1 = points[2 * i + 2], v1 = points[2 * i + 3];
  return v0 + ((v1 - v0) * (tUs - t0)) / (t1 - t0);
}

/** Success rate in % of a request bucket (`f` for bucketsToPoints); NaN when empty. */
export function successRatePct(series, at) {
  const total = series[at] + series[at + 1];
  return total > 0 ? (100 * series[at]) / total : NaN;
}

/** Mean latency in ms of a request bucket's successes; NaN when none succeeded. */
export function meanLatencyMs(series, at) {
  return series[at] > 0 ? series[at + 2] : NaN;
}

/**
 * Turn the core's request buckets into chart points: one [bucket start µs,
 * value] pair per bucket. `series` is flat with `stride` numbers per bucket
 * (3 for [ok, failed, latency_ms]); the value is `f(series, offset)` given the
 * bucket's offset into `series` (so no per-bucket array is made), else
 * `series[offset + index]`. Empty buckets (NaN or non-finite values) stay off
 * the chart instead of drawing a false 0 %: the first of a run of them becomes
 * one NaN point, where the line stops, so no line bridges the buckets without data.
 */
export function bucketsToPoints(series, stride, index, bucketUs, f) {
  const count = Math.floor(series.length / stride);
  const out = new Float64Array(2 * count);
  let n = 0;
  let inGap = true;
  for (let b = 0; b < count; b++) {
    const at = b * stride;
    const v = f ? f(series, at) : series[at + index];
    if (!Number.isFinite(v)) {
      if (!inGap) { out[n++] = b * bucketUs; out[n++] = NaN; inGap = true; }
      continue;
    }
    inGap = false;
    out[n++] = b * bucketUs;
    out[n++] = v;
  }
  return out.slice(0, n);
}

/** Round min/max outwards to a 1-2-5 step so tick labels are short. */
export function niceScale(min, max, maxTicks) {
  if (!(max > min)) {
    // A flat series: centre it in a band one unit (or 10 %) wide.
    const half = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    min -= half; max += half;
  }
  const raw = (max - min) / Math.max(1, maxTicks);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  return { lo: Math.floor(min / step + 1e-9) * step, hi: Math.ceil(max / step - 1e-9) * step, step };
}

function decimalsFor(step) {
  return Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
}

function withUnit(text, unit) {
  if (!unit) return text;
  return unit === '%' ? `${text}%` : `${text} ${unit}`;
}

/**
 * Draw the chart. `xOf(t_us)` maps virtual time to a 0..1 fraction of the plot
 * width (the page's time-warp); by default it is linear over fromUs..toUs.
 * `lines`: [{ label, points, colour? }]; a line without a colour takes
 * colours.series[i]. Optional `yMin`/`yMax` pin the axis (e.g. 0..100 for a
 * rate) instead of fitting it to the visible data. `timeTicks` (µs) labelled
 * with `timeLabel(t_us)` (the historical clock) run along the bottom. A series
 * that never changes is written as its value, not drawn as a flat line.
 * Returns the plot rectangle { x0, x1, y0, y1 } so the page can map pointer
 * positions back.
 */
export function drawChart(ctx, {
  width, height, title = '', unit = '', lines = [], fromUs, toUs, tUs, xOf, colours,
  stepped = false, yMin, yMax, timeTicks = [], timeLabel = null,
}) {
  const dpr = pixelRatio(ctx);
  const span = toUs - fromUs || 1;
  const frac = xOf || ((t) => (t - fromUs) / span);

  ctx.save();
  ctx.fillStyle = colours.bg;
  ctx.fillRect(0, 0, width, height);
  ctx.font = FONT;
  ctx.textBaseline = 'middle';

  // Header: the title on the left, the legend right-aligned on the same row,
  // or on a second row when both would not fit.
  ctx.font = TITLE_FONT;
  ctx.textAlign = 'left';
  ctx.fillStyle = colours.text;
  const titleW = title ? ctx.measureText(title).width : 0;
  if (title) ctx.fillText(title, PAD, PAD + HEADER_H / 2 - 1);
  ctx.font = FONT;
  let headerBottom = title ? PAD + HEADER_H : PAD;
  if (lines.length > 1) {
    let legendW = 0;
    for (const line of lines) legendW += SWATCH_W + 4 + ctx.measureText(line.label).width + 12;
    legendW -= 12;
    const sameRow = titleW + 16 + legendW <= width - 2 * PAD;
    const y = sameRow ? PAD + HEADER_H / 2 - 1 : headerBottom + HEADER_H / 2 - 2;
    if (!sameRow) headerBottom += HEADER_H - 2;
    let x = Math.max(PAD, width - PAD - legendW);
    lines.forEach((line, i) => {
      ctx.fillStyle = line.colour || colours.series[i % colours.series.length];
      ctx.fillRect(x, Math.round(y) - 1, SWATCH_W, 3);
      x += SWATCH_W + 4;
      ctx.fillStyle = colours.text;
      ctx.fillText(line.label, x, y);
      x += ctx.measureText(line.label).width + 12;
    });
  }

  // The y range from what is visible (plus one point either side, which a
  // stepped line holds into view), unless the caller pinned it.
  let lo = Infinity, hi = -Infinity;
  for (const line of lines) {
    const p = line.points;
    const first = Math.max(0, indexAt(p, fromUs));
    const last = Math.min((p.length >> 1) - 1, indexAt(p, toUs) + 1);
    for (let i = first; i <= last; i++) {
      const v = p[2 * i + 1];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const hasData = lo <= hi;
  const constant = hasData && lo === hi;
  const constantValue = lo;
  if (yMin !== undefined) lo = yMin;
  if (yMax !== undefined) hi = yMax;
  if (!hasData) { lo = 0; hi = 1; }

  // Room above the top grid line for half a tick label.
  const y0 = headerBottom + 9;
  const axisH = timeLabel && timeTicks.length ? 13 : 0;
  const y1 = height - PAD - 4 - axisH;
  const plotH = Math.max(1, y1 - y0);
  const maxTicks = Math.max(1, Math.min(4, Math.floor(plotH / 26)));
  const scale = yMin !== undefined && yMax !== undefined && hi > lo
    ? { lo, hi, step: niceScale(lo, hi, maxTicks).step }
    : niceScale(lo, hi, maxTicks);
  const decimals = decimalsFor(scale.step);

  // Tick labels decide the left margin.
  let labelW = 0;
  // Floor, so a pinned range that is not a whole number of steps gets no tick
  // beyond its top.
  const tickCount = Math.floor((scale.hi - scale.lo) / scale.step + 1e-9);
  for (let k = 0; k <= tickCount; k++) {
    const w = ctx.measureText(withUnit((scale.lo + k * scale.step).toFixed(decimals), unit)).width;
    if (w > labelW) labelW = w;
  }
  const x0 = Math.ceil(PAD + labelW + 6);
  const x1 = width - PAD;
  const plotW = Math.max(1, x1 - x0);
  const yOf = (v) => y1 - ((v - scale.lo) / (scale.hi - scale.lo)) * plotH;

  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  // With no data an axis would only invent a range; the message says it all.
  for (let k = 0; hasData && !constant && k <= tickCount; k++) {
    const v = scale.lo + k * scale.step;
    const y = snap(yOf(v), dpr);
    ctx.strokeStyle = colours.grid;
    ctx.beginPath(); ctx.moveTo(x0, y); ctx.lineTo(x1, y); ctx.stroke();
    ctx.fillStyle = colours.muted;
    ctx.fillText(withUnit(v.toFixed(decimals), unit), x0 - 6, y);
  }

  if (!hasData) {
    ctx.textAlign = 'center';
    ctx.fillStyle = colours.muted;
    ctx.fillText('no data', (x0 + x1) / 2, (y0 + y1) / 2);
  }

  // The historical clock along the bottom.
  if (axisH) {
    ctx.fillStyle = colours.muted;
    ctx.textBaseline = 'top';
    timeTicks.forEach((t, k) => {
      const x = x0 + frac(t) * plotW;
      ctx.textAlign = k === 0 ? 'left' : k === timeTicks.length - 1 ? 'right' : 'center';
      ctx.fillRect(Math.round(x), y1, 1, 3);
      ctx.fillText(timeLabel(t), x, y1 + 3);
    });
    ctx.textBaseline = 'middle';
  }

  if (constant) {
    // A value that never changes is a fact, not a curve.
    ctx.textAlign = 'center';
    ctx.fillStyle = colours.text;
    ctx.font = TITLE_FONT;
    const who = lines.length > 1 ? 'both runs: ' : '';
    ctx.fillText(`${who}${withUnit(formatValue(constantValue, 3), unit)} throughout`, (x0 + x1) / 2, (y0 + y1) / 2);
    ctx.font = FONT;
    ctx.restore();
    return { x0, x1, y0, y1 };
  }

  ctx.save();
  ctx.beginPath();
  // Clip a little outside the plot so a line at the top or bottom value is
  // drawn whole, not halved by the clip.
  ctx.rect(x0, y0 - 2, plotW, plotH + 4);
  ctx.clip();
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  lines.forEach((line, i) => {
    ctx.strokeStyle = line.colour || colours.series[i % colours.series.length];
    strokeSeries(ctx, line.points, fromUs, toUs, frac, x0, plotW, yOf, dpr, stepped);
  });
  ctx.restore();

  // The cursor and, beside it, each line's value there.
  if (tUs >= fromUs && tUs <= toUs) {
    const cx = snap(x0 + frac(tUs) * plotW, dpr);
    ctx.strokeStyle = colours.cursor;
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(cx, y0); ctx.lineTo(cx, y1); ctx.stroke();
    drawCursorValues(ctx, lines, tUs, cx, x0, x1, y0, y1, yOf, stepped, unit, decimalsFor(scale.step / 100), colours);
  }
  ctx.restore();
  return { x0, x1, y0, y1 };
}

/**
 * Stroke one series with at most two vertices per device-pixel column (its
 * lowest and highest value there; a stepped series adds the held value).
 * Keeping min and max rather than one sample per column is what keeps a
 * one-bucket outage visible when zoomed out.
 *
 * Rasterising, not the calls, is the cost that matters here: Skia strokes a
 * line wider than one device pixel as a filled outline, and a dense zigzag of
 * thousands of joins took 10-20 ms to rasterise in software. So a series with
 * over two points in view per CSS px of plot is drawn as one-device-pixel
 * hairlines (Skia's fast path, about 1 ms): once, plus a copy shifted one
 * device pixel diagonally at DPR ≥ 2 so it is as heavy as a 1 CSS px line.
 * A sparse series gets a 1.5 px line stroked every VERTICES_PER_STROKE
 * vertices, since many short paths also rasterise faster than one long one;
 * round caps hide the seams.
 */
function strokeSeries(ctx, p, fromUs, toUs, frac, x0, plotW, yOf, dpr, stepped) {
  const n = p.length >> 1;
  if (n === 0) return;
  const first = Math.max(0, indexAt(p, fromUs));
  const last = Math.min(n - 1, indexAt(p, toUs) + 1);
  const dense = last - first + 1 > 2 * plotW;
  const xMin = x0 - 1, xMax = x0 + plotW + 1;
  // The column being gathered: NaN until the first finite point.
  let col = NaN, colX = 0, yLo = 0, yHi = 0, yLast = 0;
  // Where the pen is, and vertices in the current path.
  let penX = NaN, penY = 0, vertices = 0;
  const path = dense ? new Path2D() : ctx;
  ctx.lineWidth = dense ? 1 / dpr : 1.5;
  ctx.beginPath();
  for (let i = first; i <= last; i++) {
    let x = x0 + frac(p[2 * i]) * plotW;
    // Points just outside the window are clamped to its edge so the line
    // enters and leaves at the right height.
    if (x < xMin) x = xMin; else if (x > xMax) x = xMax;
    const y = yOf(p[2 * i + 1]);
    if (y !== y) {
      // A NaN value is a gap in the data: a stepped line holds up to it, then the pen lifts.
      if (col === col) { flushColumn(); col = NaN; }
      if (stepped && penX === penX) vertex(x, penY);
      penX = NaN;
      continue;
    }
    const c = Math.floor(x * dpr);
    if (c === col) {
      if (y < yLo) yLo = y;
      if (y > yHi) yHi = y;
      yLast = y;
      continue;
    }
    if (col === col) flushColumn();
    col = c; colX = (c + 0.5) / dpr;
    yLo = yHi = yLast = y;
  }
  if (col === col) {
    flushColumn();
    // A stepped series holds its last value to the end of the window.
    if (stepped && last === n - 1 && colX < xMax) vertex(xMax, yLast);
  }
  if (!dense) { ctx.stroke(); return; }
  ctx.stroke(path);
  if (dpr >= 2) {
    ctx.translate(1 / dpr, 1 / dpr);
    ctx.stroke(path);
    ctx.translate(-1 / dpr, -1 / dpr);
  }

  function vertex(x, y) {
    if (penX !== penX) { path.moveTo(x, y); penX = x; penY = y; return; }
    if (x === penX && y === penY) return;
    path.lineTo(x, y);
    penX = x; penY = y;
    if (!dense && ++vertices >= VERTICES_PER_STROKE) {
      ctx.stroke(); ctx.beginPath(); ctx.moveTo(x, y); vertices = 0;
    }
  }

  function flushColumn() {
    // A stepped line runs flat at the held value into the column.
    if (stepped && penX === penX) vertex(colX, penY);
    // Visit the extreme nearer the pen first so the path never doubles back.
    const upFirst = penX === penX && Math.abs(penY - yLo) < Math.abs(penY - yHi);
    vertex(colX, upFirst ? yLo : yHi);
    vertex(colX, upFirst ? yHi : yLo);
    // A stepped series must leave the column at its last value, which the
    // next column holds.
    if (stepped) vertex(colX, yLast);
  }
}

function drawCursorValues(ctx, lines, tUs, cx, x0, x1, y0, y1, yOf, stepped, unit, decimals, colours) {
  // A handful of labels per draw: small arrays here are fine.
  const labels = [];
  ctx.font = FONT;
  lines.forEach((line, i) => {
    const v = valueAt(line.points, tUs, !stepped);
    if (!Number.isFinite(v)) return;
    const text = withUnit(formatValue(v, decimals), unit);
    const y = yOf(v);
    labels.push({ y, at: y, text, w: ctx.measureText(text).width, colour: line.colour || colours.series[i % colours.series.length] });
  });
  if (labels.length === 0) return;

  // Push overlapping labels apart, top to bottom, then back up from the bottom
  // edge, so each stays next to its line when there is room.
  labels.sort((a, b) => a.y - b.y);
  const top = y0 + LABEL_GAP / 2, bottom = y1 - LABEL_GAP / 2;
  for (let k = 0; k < labels.length; k++) {
    const min = k === 0 ? top : labels[k - 1].y + LABEL_GAP;
    labels[k].y = Math.max(labels[k].y, min);
  }
  for (let k = labels.length - 1; k >= 0; k--) {
    const max = k === labels.length - 1 ? bottom : labels[k + 1].y - LABEL_GAP;
    labels[k].y = Math.min(labels[k].y, max);
  }

  const widest = labels.reduce((m, l) => Math.max(m, l.w), 0);
  const right = cx + 8 + widest + 12 <= x1;
  for (const l of labels) {
    // A dot where the cursor crosses the line, and the value on a bg chip so it
    // stays readable over the grid and other lines.
    ctx.fillStyle = l.colour;
    ctx.strokeStyle = colours.bg;
    ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.arc(cx, l.at, 3.5, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    const boxW = l.w + 12;
    const bx = right ? cx + 6 : cx - 6 - boxW;
    ctx.fillStyle = colours.bg;
    ctx.globalAlpha = 0.85;
    ctx.fillRect(bx, l.y - 7, boxW, 14);
    ctx.globalAlpha = 1;
    ctx.fillStyle = l.colour;
    ctx.fillRect(bx + 2, l.y - 1, 4, 3);
    ctx.fillStyle = colours.text;
    ctx.textAlign = 'left';
    ctx.fillText(l.text, bx + 9, l.y);
  }
}

function formatValue(v, decimals) {
  // Whole numbers print without a trailing ".0"; large ones need no decimals.
  if (Number.isInteger(v) || Math.abs(v) >= 1000) return Math.round(v).toString();
  return v.toFixed(Math.min(decimals, 3));
}
