// Playback: the clock of one player. Play/pause, seek, step to the next event
// or chapter, and the animation loop that moves time while playing. The loop
// runs only while playing and is cancelled on pause and by destroy(); how far
// one wall-clock second moves the replay is `pace.advance` (story.js in story
// mode, the time-warp in free play).
import { endUs, chapterShown } from './store.js';

/** Longest wall-clock step one animation frame may take (a background tab resuming does not jump). */
const FRAME_S_MAX = 0.25;
/** Reduced motion: one hop from event to event per this many ms, no continuous motion. */
const REDUCED_HOP_MS = 1000;

/**
 * @param p { state, $, reducedMotion (MediaQueryList), pace(): the pace in use, { advance(state, wallS, reduced) → tUs, reset(state) },
 *            onTime() (the time moved: fetch frames and draw), draw(), changed() }
 */
export function createPlayback({ state, $, reducedMotion, pace, onTime, draw, changed }) {
  let frameId = null;
  let lastTick = null;
  let reducedNext = 0;

  function setPlaying(on) {
    const was = state.playing;
    state.playing = Boolean(on) && Boolean(state.history);
    $('play-icon').setAttribute('d', state.playing ? 'M3 2h4v12H3zM9 2h4v12H9z' : 'M4 2v12l10-6z');
    $('play').setAttribute('aria-label', state.playing ? 'Pause' : 'Play');
    if (state.playing && !was) { lastTick = null; reducedNext = 0; pace().reset?.(state); frameId ??= requestAnimationFrame(tick); }
    if (!state.playing) stopLoop();
    draw();
  }

  function stopLoop() {
    if (frameId != null) cancelAnimationFrame(frameId);
    frameId = null;
  }

  /** Move to `tUs` (clamped to the run); pauses unless `keepPlaying`. `chapter` pins which of several chapters at one time is shown. */
  function seek(tUs, { keepPlaying = false, chapter = null } = {}) {
    if (!state.history) return;
    state.tUs = Math.min(Math.max(0, tUs), endUs(state));
    state.chapterAt = chapter == null ? null : { chapter, tUs: state.tUs };
    if (!keepPlaying) setPlaying(false);
    else pace().reset?.(state);
    onTime();
    changed();
  }

  /** The next (direction 1) or previous (-1) moment where something changed; the end or the start when there is none. */
  function momentFrom(direction) {
    const moments = state.moments;
    const t = state.tUs;
    if (direction > 0) { for (const m of moments) if (m > t + 1) return m; return endUs(state); }
    for (let i = moments.length - 1; i >= 0; i--) if (moments[i] < t - 1) return moments[i];
    return 0;
  }

  const stepTo = (direction) => seek(momentFrom(direction));

  /**
   * To the next or previous chapter. Chapters that share a time are separate
   * stops: the first press shows the next one at the same time, the next press
   * moves on.
   */
  function chapterTo(direction) {
    const times = state.chapterTimes;
    if (!times.length) return;
    const shown = chapterShown(state);
    const target = shown + direction;
    if (target < 0) { toStart(); return; }
    if (target >= times.length) { seek(endUs(state)); return; }
    showChapter(target);
  }

  /**
   * To the start of the replay. Chapters at time 0 share it: the start shows
   * the first of them (the story begins there; `]` then visits the others).
   */
  function toStart() {
    seek(0, { chapter: state.chapterTimes.length && state.chapterTimes[0] <= 0 ? 0 : null });
  }

  /** Show chapter `chapter` (a position in history.steps): its time, just after its step applied. */
  function showChapter(chapter) {
    seek(state.chapterTimes[chapter] + 1, { chapter });
  }

  function tick(now) {
    frameId = null;
    if (!state.playing || !state.history) return;
    const wallS = lastTick == null ? 0 : Math.min(FRAME_S_MAX, (now - lastTick) / 1000);
    lastTick = now;
    if (reducedMotion.matches && !state.story) {
      // No continuous motion: hop from event to event once a second.
      if (now >= reducedNext) {
        reducedNext = now + REDUCED_HOP_MS;
        seek(momentFrom(1), { keepPlaying: true });
        if (state.tUs >= endUs(state)) setPlaying(false);
      }
    } else {
      const next = pace().advance(state, wallS, reducedMotion.matches);
      state.tUs = Math.min(next, endUs(state));
      if (state.tUs >= endUs(state)) setPlaying(false);
      onTime();
    }
    if (state.playing) frameId = requestAnimationFrame(tick);
  }

  /** Play, or pause; from the end, play starts again at the beginning. */
  function toggle() {
    if (!state.history) return;
    if (!state.playing && state.tUs >= endUs(state)) { state.tUs = 0; state.chapterAt = null; }
    setPlaying(!state.playing);
  }

  return { setPlaying, seek, toStart, stepTo, chapterTo, showChapter, toggle, destroy: stopLoop };
}
