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
 * One picture of the stage(s) with the timeline under them and a caption line:
 * `canvases` are drawn side by side at their backing-store resolution.
 */
export function composePng({ canvases, timebar, caption, colours }) {
  const pad = 16 * (window.devicePixelRatio || 1);
  const width = canvases.reduce((w, c) => w + c.width, 0) + pad * (canvases.length + 1);
  const stageH = Math.max(...canvases.map((c) => c.height));
  const textH = 28 * (window.devicePixelRatio || 1);
  const height = pad + textH + stageH + pad + (timebar ? timebar.height * (width - 2 * pad) / timebar.width + pad : 0);
  const out = document.createElement('canvas');
  out.width = Math.round(width);
  out.height = Math.round(height);
  const ctx = out.getContext('2d');
  ctx.fillStyle = colours.bg;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = colours.text;
  ctx.font = `600 ${Math.round(textH * 0.6)}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.fillText(caption, pad, pad + textH / 2, width - 2 * pad);
  let x = pad;
  for (const c of canvases) { ctx.drawImage(c, x, pad + textH); x += c.width + pad; }
  if (timebar) ctx.drawImage(timebar, pad, pad + textH + stageH + pad, width - 2 * pad, timebar.height * (width - 2 * pad) / timebar.width);
  return new Promise((resolve) => out.toBlob(resolve, 'image/png'));
}

/** The best WebM codec this browser records, or null when it records none. */
export function webmType() {
  if (typeof MediaRecorder === 'undefined') return null;
  return ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t)) ?? null;
}

/**
 * Record `canvas` while `play(stop)` runs; resolves with the WebM blob. `play`
 * gets a function to call when the recording should end.
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
 * per (series, time); outcome figures have no time.
 */
export function outcomeCsv(history, yours, charts) {
  const rows = [];
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
