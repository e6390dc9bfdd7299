// The player's export buttons and embed dialog: the stage as PNG, the replay as
// WebM, the outcome and series as CSV, and the HTML to embed the current state.
// File building is exports.js and embed-code.js; this wires them to the player.
import { download, composePng, recordWebm, outcomeCsv } from './exports.js';
import { embedCode } from './embed-code.js';

/**
 * `p` is the player's inside: `$`, `root`, `state`, `site` (URL of the site
 * root) and the functions drawNow, colours, formatClock, seek, setPlaying, endUs.
 * Returns the exports, for the browser tests and the element.
 */
export function wireExports(p) {
  const { $, root, state, site, drawNow, colours, formatClock, seek, setPlaying, endUs } = p;
  const fileStem = () => `${state.name}-${(state.tUs / 1e6).toFixed(0)}s`;
  const toolStatus = (text) => { $('tool-status').textContent = text; };

  async function exportPng() {
    drawNow();
    const canvases = [...root.querySelectorAll('.stage-box:not([hidden]) canvas')];
    const blob = await composePng({ canvases, timebar: $('timebar'), caption: `${state.scenario.meta.title} — ${formatClock(state.tUs)}`, colours: colours() });
    download(blob, `${fileStem()}.png`);
    return blob;
  }

  /** Record from the current time for `seconds` of wall time (or to the end). */
  async function exportWebm(seconds = 20) {
    const canvas = root.querySelector('.stage-box:not([hidden]) canvas');
    toolStatus('Recording…');
    const blob = await recordWebm(canvas, (stop) => {
      if (state.tUs >= endUs()) seek(0);
      setPlaying(true);
      const started = performance.now();
      const watch = () => {
        if (!state.playing || performance.now() - started > seconds * 1000) { setPlaying(false); stop(); } else requestAnimationFrame(watch);
      };
      requestAnimationFrame(watch);
    });
    toolStatus(`Video: ${(blob.size / 1024).toFixed(0)} kB`);
    download(blob, `${fileStem()}.webm`);
    return blob;
  }

  function exportCsv() {
    const blob = new Blob([outcomeCsv(state.history, state.variant ?? state.history, state.charts)], { type: 'text/csv' });
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

  return { exportPng, exportWebm, exportCsv };
}
