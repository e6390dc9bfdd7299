// One player: stage, timeline, narration, parameters, outcome, charts and
// space-time diagram for one scenario, inside `root` (the document, or a shadow
// root for the <incident-replay> element). This file only puts the parts
// together; each lives in app/player/:
//   store.js      the state object and what is derived from it
//   playback.js   clock, seek, steps, the cancellable animation loop; pace.js / story.js: how fast
//   frames.js     frame and message fetching from the worker
//   *-view.js     stage, timeline, charts, space-time, narration, legend (the band kinds the runs have)
//   chapter-marks.js  the chapter numbers over the timeline (merged where they would overlap)
//   runs.js       running the viewer's version and what follows a run
//   open.js       opening a scenario (from a link, attributes or the gallery)
//   controls.js   buttons, keys; palette.js: the colours, from CSS
// The simulation runs in sim/ (a Web Worker); drawing lives in stage/, timeline/ and charts/.
import { fitCanvas as fitCanvasMeasured } from '../lib/canvas.js';
import { wireExports } from './player-exports.js';
import { createState, endUs, formatClock } from './player/store.js';
import { createPlayback } from './player/playback.js';
import { freePlay, createStoryPace } from './player/pace.js';
import { createFrameFetcher } from './player/frames.js';
import { createStageView } from './player/stage-view.js';
import { createTimelineView } from './player/timeline-view.js';
import { createChartsView } from './player/charts-view.js';
import { createSpaceTimeView } from './player/spacetime-view.js';
import { createNarrationView } from './player/narration-view.js';
import { createLegendView } from './player/legend-view.js';
import { createChapterMarks } from './player/chapter-marks.js';
import { createRuns } from './player/runs.js';
import { createInjectView } from './player/inject-view.js';
import { createOpener } from './player/open.js';
import { bindControls } from './player/controls.js';
import { readPalette } from './player/palette.js';

/**
 * @param root     Document or ShadowRoot holding the player markup (player-template.js)
 * @param host     element whose data-* attributes report state (body, or the custom element)
 * @param options  { sim, theme: 'auto'|'light'|'dark', base: URL of the site root,
 *                   keyTarget, seedSpread, onChange(), onTitle(title), onGallery(), onReady() }
 */
export function createPlayer(root, host, options) {
  const $ = (id) => root.getElementById(id);
  const sim = options.sim;
  const state = createState();
  const changed = () => options.onChange?.();
  const systemDark = matchMedia('(prefers-color-scheme: dark)');
  const isDark = () => (options.theme === 'dark' ? true : options.theme === 'light' ? false : systemDark.matches);
  const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
  /** Aborted by destroy(): removes every listener the player added. */
  const lifetime = new AbortController();
  const signal = lifetime.signal;
  const alive = () => !signal.aborted;

  function showError(message) {
    $('error').hidden = !message;
    $('error').textContent = message || '';
  }

  // ---------------------------------------------------------------- drawing

  let paletteCache = null;
  /** The drawing colours (palette.js), read from CSS once per theme. */
  function colours() {
    const dark = isDark();
    if (paletteCache?.dark !== dark || paletteCache.version !== state.version) {
      const c = readPalette($('stage-variant'), dark);
      paletteCache = { dark, version: state.version, c };
    }
    return paletteCache.c;
  }

  let drawQueued = null;
  /** Draw on the next animation frame (coalesced). */
  function draw() {
    if (drawQueued != null || !alive()) return;
    drawQueued = requestAnimationFrame(() => {
      drawQueued = null;
      const started = performance.now();
      drawNow();
      drawStats.push(performance.now() - started);
    });
  }
  /** Main-thread milliseconds per drawn frame, for the performance test. */
  const drawStats = [];

  function drawNow() {
    if (!state.history) return;
    const c = colours();
    views.stage.draw(c);
    views.timeline.draw(c);
    views.charts.draw(c);
    views.spacetime.draw(c);
    views.narration.update();
    views.legend.update();
    views.marks.update();
  }

  // Canvas sizes from the observer, so drawing never forces a layout to read them.
  const sizes = new WeakMap();
  const resized = new ResizeObserver((entries) => {
    for (const e of entries) sizes.set(e.target, e.contentRect);
    draw();
  });
  /** Whether a canvas is on screen (off-screen ones are not drawn while playing). */
  const onScreen = new WeakMap();
  const visibility = new IntersectionObserver((entries) => {
    for (const e of entries) onScreen.set(e.target, e.isIntersecting);
    draw();
  });
  /** `fitCanvas` with the size the resize observer last reported, when it has one. */
  const fitCanvas = (canvas) => fitCanvasMeasured(canvas, window.devicePixelRatio || 1, sizes.get(canvas));

  // ---------------------------------------------------------------- parts

  const frames = createFrameFetcher({ sim, state, $, draw, showError, alive });
  const storyPace = createStoryPace();
  const playback = createPlayback({ state, $, reducedMotion, pace: () => (state.story ? storyPace : freePlay), onTime: () => frames.request(), draw, changed });
  const runs = createRuns({
    sim, state, $, host, options, frames, showError, alive,
    afterRunsView: () => { frames.request(); changed(); },
    afterActionRefused: () => views.inject.list(),
  });
  const views = {
    stage: createStageView({ root, $, state, fitCanvas, draw }),
    timeline: createTimelineView({ $, state, fitCanvas, seek: playback.seek, signal }),
    charts: createChartsView({
      $, state, fitCanvas, onScreen, headline: runs.headline, draw, changed,
      observe: (canvas) => { visibility.observe(canvas); resized.observe(canvas); },
    }),
    spacetime: createSpaceTimeView({ $, state, fitCanvas, onScreen }),
    narration: createNarrationView({ root, $, state, showChapter: playback.showChapter, signal }),
    legend: createLegendView({ $, state }),
    marks: createChapterMarks({ $, state, showChapter: playback.showChapter, signal }),
    inject: createInjectView({ root, $, state, sim, runVariant: () => runs.runVariant(), draw, signal }),
  };

  function setPresenter(on) {
    $('presenter').closest('.player').classList.toggle('presenter', on);
    $('presenter').setAttribute('aria-pressed', String(on));
    state.presenter = on;
    state.version++;
    draw();
    changed();
  }

  /** Story mode (paced by the narration) or free play (the time-warp at a constant rate). */
  function setStory(on) {
    state.story = Boolean(on);
    const button = $('story-mode');
    button.setAttribute('aria-pressed', String(state.story));
    button.title = state.story
      ? 'Story mode: holds at each chapter until it can be read, slows down where state changes (press for free play)'
      : 'Free play: the whole replay at a steady pace on the time-warp (press for story mode)';
    storyPace.reset(state);
    changed();
  }

  /** The legend follows the runs: rebuilt on the next draw. */
  function showLegend() {
    views.legend.reset();
    draw();
  }

  const open = createOpener({ sim, state, $, root, host, options, showError, playback, views, runs, setPresenter, setStory, showLegend, alive });
  bindControls({ root, $, host, state, options, signal, playback, frames, draw, changed, showError, open, runVariant: runs.runVariant, setPresenter, setStory });
  const { exportPng, exportWebm, exportCsv } = wireExports({
    $, root, state, site: options.base || new URL('../', import.meta.url),
    drawNow, colours, formatClock: (t) => formatClock(state, t), seek: playback.seek, setPlaying: playback.setPlaying, endUs: () => endUs(state),
  });

  visibility.observe($('spacetime'));
  root.querySelectorAll('.stage-box canvas, #timebar, #spacetime').forEach((c) => resized.observe(c));

  /** Speed, presenter mode, charts shown (null when the default) and the space-time window, for links. */
  function viewSettings() {
    return { speed: state.speed, presenter: Boolean(state.presenter), story: state.story, charts: views.charts.settings(), windowS: Number($('st-window').value) };
  }

  /** Stop everything: the animation loop, observers, listeners, background seeds. The markup stays. */
  function destroy() {
    if (!alive()) return;
    playback.setPlaying(false);
    playback.destroy();
    lifetime.abort();
    if (drawQueued != null) cancelAnimationFrame(drawQueued);
    drawQueued = null;
    resized.disconnect();
    visibility.disconnect();
    runs.destroy();
    host.dataset.ready = 'destroyed';
  }

  return {
    state,
    open,
    seek: playback.seek,
    setPlaying: playback.setPlaying,
    redraw() { state.version++; draw(); },
    viewSettings,
    exportPng,
    exportWebm,
    exportCsv,
    setPresenter,
    setStory,
    destroy,
    /** The story-mode plan and the position in it (seconds), for the tests. */
    storyPlan: () => state.storyPlan,
    storyPosition: () => storyPace.position(),
    /** The narration of the chapter at the current time (figure captions). */
    narrationText: () => views.narration.text(),
    /** Main-thread milliseconds per drawn frame, for the performance benchmark. */
    drawStats,
    colours,
    formatClock: (t) => formatClock(state, t),
    endUs: () => endUs(state),
  };
}
