// The player's export buttons and embed dialog: the view as PNG (captioned, with
// the clock and what "your version" changed), the player's view as WebM (the
// same composition, every frame, with a stop control), the outcome and series
// as CSV (with the settings of "yours"), and the HTML to embed the current state.
// File building is exports.js and embed-code.js; this wires them to the player.
import { download, composePng, drawComposed, recordWebm, outcomeCsv } from './exports.js';
import { embedCode } from './embed-code.js';

/**
 * `p` is the player's inside: `$`, `root`, `state`, `site` (URL of the site
 * root) and the functions drawNow, colours, formatClock, seek, setPlaying, endUs.
 * Returns the exports, for the browser tests and the element.
 */
export function wireExports(p) {
  const { $, root, state, site, drawNow, colours, formatClock, seek, setPlaying, endUs } = p;
  const toolStatus = (text) => { $('tool-status').textContent = text; };

  /** "2012-09-10T12-15-03" in the scenario's own time zone: file names that sort and say when. */
  function clockStamp(tUs) {
    const meta = state.scenario.meta;
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
      timeZone: meta.time_zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    }).formatToParts(new Date(Date.parse(meta.start) + tUs / 1000)).map((x) => [x.type, x.value]));
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}-${parts.minute}-${parts.second}`;
  }

  /** Each changed setting with its historical and current value. */
  function changedSettings() {
    return Object.entries(state.sets).map(([name, yours]) => {
      const toggle = state.scenario.toggles?.[name];
      const param = state.scenario.parameters?.[name];
      return { name, label: toggle?.label ?? name.replace(/_/g, ' '), history: toggle ? toggle.default : param?.default, yours, unit: param?.unit ?? '' };
    });
  }

  function settingsText() {
    const list = changedSettings().map((s) => (typeof s.yours === 'boolean' ? `${s.label} ${s.yours ? 'on' : 'off'}` : `${s.label} ${s.history} → ${s.yours}${s.unit && s.unit !== 'count' ? ` ${s.unit}` : ''}`));
    return list.length ? `Your version: ${list.join(' · ')}` : 'Your version: the historical settings';
  }

  /** What to compose: the visible stages with their labels, the timeline, the captions. */
  function composition() {
    const panels = [...root.querySelectorAll('.stage-box:not([hidden])')].map((box) => ({ canvas: box.querySelector('canvas'), label: box.querySelector('figcaption').textContent }));
    const showsYours = panels.some((p) => p.label === 'Your version') && state.variant;
    return {
      panels, timebar: $('timebar'), colours: colours(),
      caption: `${state.scenario.meta.title} — ${formatClock(state.tUs)}`,
      subcaption: showsYours ? settingsText() : '',
    };
  }

  async function exportPng() {
    drawNow();
    const blob = await composePng(composition());
    download(blob, `${state.name}-${clockStamp(state.tUs)}.png`);
    return blob;
  }

  let stopRecording = null;
  /** Record from the current time for `seconds` of wall time, to the end, or until Stop. */
  async function exportWebm(seconds = 60) {
    if (stopRecording) { stopRecording(); return null; }
    const button = $('export-webm');
    const out = document.createElement('canvas');
    const ctx = out.getContext('2d');
    drawNow();
    drawComposed(ctx, composition());
    const startedAt = clockStamp(state.tUs);
    toolStatus('Recording… press Stop to finish');
    button.textContent = 'Stop';
    try {
      const blob = await recordWebm(out, (stop) => {
        if (state.tUs >= endUs()) seek(0);
        setPlaying(true);
        const started = performance.now();
        const end = () => { stopRecording = null; setPlaying(false); stop(); };
        stopRecording = end;
        const frame = () => {
          if (!stopRecording) return;
          drawComposed(ctx, composition());
          if (!state.playing || performance.now() - started > seconds * 1000) end(); else requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      });
      toolStatus(`Video: ${(blob.size / 1024).toFixed(0)} kB`);
      download(blob, `${state.name}-${startedAt}.webm`);
      return blob;
    } finally {
      stopRecording = null;
      button.textContent = 'Video';
    }
  }

  function exportCsv() {
    const settings = changedSettings().map((s) => ({ name: s.name, history: s.history, yours: s.yours }));
    const blob = new Blob([outcomeCsv(state.history, state.variant ?? state.history, state.charts, settings)], { type: 'text/csv' });
    download(blob, `${state.name}-seed${state.seed}.csv`);
    return blob;
  }

  $('export-png').addEventListener('click', () => exportPng().catch((e) => toolStatus(e.message)));
  $('export-webm').addEventListener('click', () => exportWebm().catch((e) => toolStatus(e.message)));
  $('export-csv').addEventListener('click', exportCsv);
  $('embed-code').addEventListener('click', () => {
    const code = embedCode({ site: site, name: state.name, seed: state.seed, tS: state.tUs / 1e6, view: state.view, sets: state.sets, scenario: state.scenario });
    $('embed-element').value = code.element;
    $('embed-iframe').value = code.iframe;
    $('embed-docs').href = new URL('embedding.html', site).href;
    $('embed').showModal();
  });
  for (const kind of ['element', 'iframe']) {
    $(`copy-${kind}`).addEventListener('click', async () => {
      try { await navigator.clipboard.writeText($(`embed-${kind}`).value); $(`copy-${kind}`).textContent = 'Copied'; } catch { $(`embed-${kind}`).select(); }
    });
  }

  return { exportPng, exportWebm, exportCsv, clockStamp };
}
