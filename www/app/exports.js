// Exports for blog figures: the stage as PNG, the replay as WebM video, the
// outcome and monitor series as CSV. Builds files; the player decides what
// goes in them.

/** Offer `blob` as a download named `name`. */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Draw the captioned view into `ctx` (device pixels): a caption line (title and
 * clock), a second line (the changed settings of "your version"), each stage
 * with its own label ("As it happened" / "Your version") side by side, and the
 * timeline under them. `panels`: [{ canvas, label }]. Returns the size used.
 */
export function drawComposed(ctx, { panels, timebar, caption, subcaption = '', colours, ratio = window.devicePixelRatio || 1 }) {
  const pad = 16 * ratio, lineH = 24 * ratio, labelH = 20 * ratio;
  const lines = subcaption ? 2 : 1;
  const width = panels.reduce((w, p) => w + p.canvas.width, 0) + pad * (panels.length + 1);
  const stageH = Math.max(...panels.map((p) => p.canvas.height));
  const barH = timebar ? (timebar.height * (width - 2 * pad)) / timebar.width : 0;
  const height = pad + lines * lineH + labelH + stageH + pad + (timebar ? barH + pad : 0);
  if (ctx.canvas.width !== Math.round(width) || ctx.canvas.height !== Math.round(height)) {
    ctx.canvas.width = Math.round(width);
    ctx.canvas.height = Math.round(height);
  }
  ctx.fillStyle = colours.bg;
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  ctx.fillStyle = colours.text;
  ctx.font = `600 ${Math.round(lineH * 0.62)}px system-ui, sans-serif`;
  ctx.fillText(caption, pad, pad + lineH / 2, width - 2 * pad);
  if (subcaption) {
    ctx.font = `${Math.round(lineH * 0.55)}px system-ui, sans-serif`;
    ctx.fillStyle = colours.muted;
    ctx.fillText(subcaption, pad, pad + lineH * 1.5, width - 2 * pad);
  }
  const top = pad + lines * lineH;
  let x = pad;
  ctx.font = `600 ${Math.round(labelH * 0.65)}px system-ui, sans-serif`;
  for (const p of panels) {
    ctx.fillStyle = colours.text;
    ctx.fillText(p.label, x, top + labelH / 2, p.canvas.width);
    ctx.drawImage(p.canvas, x, top + labelH);
    x += p.canvas.width + pad;
  }
  if (timebar) ctx.drawImage(timebar, pad, top + labelH + stageH + pad, width - 2 * pad, barH);
  return { width, height };
}

/** The captioned view as a PNG blob (see drawComposed). */
export function composePng(options) {
  const out = document.createElement('canvas');
  drawComposed(out.getContext('2d'), options);
  return new Promise((resolve) => out.toBlob(resolve, 'image/png'));
}

/** The best WebM codec this browser records, or null when it records none. */
export function webmType() {
  if (typeof MediaRecorder === 'undefined') return null;
  return ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t)) ?? null;
}

/**
 * Record `canvas` while `play(stop)` runs; resolves with the WebM blob. `play`
 * gets a function to call when the recording should end. The caller redraws
 * `canvas` (e.g. with drawComposed) every frame.
 */
export function recordWebm(canvas, play) {
  const type = webmType();
  if (!type) return Promise.reject(new Error('This browser cannot record WebM video.'));
  const stream = canvas.captureStream(30);
  const recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: 4_000_000 });
  const chunks = [];
  recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
  return new Promise((resolve, reject) => {
    recorder.onstop = () => resolve(new Blob(chunks, { type: 'video/webm' }));
    recorder.onerror = (e) => reject(e.error || new Error('recording failed'));
    recorder.start(250);
    play(() => { if (recorder.state !== 'inactive') recorder.stop(); stream.getTracks().forEach((t) => t.stop()); });
  });
}

/** Quote one CSV field when it needs it (RFC 4180). */
function field(v) {
  const s = v == null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows of arrays → CSV text with a header row. */
export function toCsv(header, rows) {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}

/**
 * The outcome and every chart series of two runs as CSV, long format: one row
 * per (series, time); outcome figures have no time. `settings` ([{ name,
 * history, yours }]) come first, so the file says what "yours" changed.
 */
export function outcomeCsv(history, yours, charts, settings = []) {
  const rows = [];
  // What "yours" is: each setting that differs from history, with both values.
  for (const s of settings) rows.push([`setting:${s.name}`, '', s.history, s.yours]);
  if (!settings.length) rows.push(['setting:(none changed)', '', '', '']);
  const o = history.outcome;
  for (const key of Object.keys(o)) {
    if (typeof o[key] === 'number') rows.push([`outcome:${key}`, '', o[key], yours.outcome[key]]);
  }
  for (const g of o.gauges || []) rows.push([`outcome:gauge:${g.name}_max`, '', g.max, yours.outcome.gauges.find((x) => x.name === g.name)?.max ?? '']);
  const byTime = (points) => { const m = new Map(); for (let i = 0; i + 1 < points.length; i += 2) m.set(points[i], points[i + 1]); return m; };
  for (const chart of charts) {
    const h = byTime(chart.read(history)), y = byTime(chart.read(yours));
    const times = [...new Set([...h.keys(), ...y.keys()])].sort((a, b) => a - b);
    for (const t of times) rows.push([`${chart.title} (${chart.unit || 'value'})`, (t / 1e6).toFixed(3), h.get(t) ?? '', y.get(t) ?? '']);
  }
  return toCsv(['series', 'time_s', 'history', 'yours'], rows);
}
