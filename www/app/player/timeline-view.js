// The timeline view: the bar (shaded monitor states, chapters, moments, the
// squeezed stretches; cached), the cursor, the scrubber and the clock text.
import { drawTimebar } from '../../timeline/timebar.js';
import { fractionOf, fromStory } from '../../timeline/warp.js';
import { Layer, drawCursor } from '../../lib/layer.js';
import { formatDuration } from '../outcome.js';
import { endUs, formatClock } from './store.js';

/** The scrubber's range: 0..SLIDER_STEPS along the (time-warped) timeline. */
const SLIDER_STEPS = 10000;

/** @param p { $, state, fitCanvas(canvas), seek(tUs), signal } */
export function createTimelineView({ $, state, fitCanvas, seek, signal }) {
  const layer = new Layer();

  $('time').addEventListener('input', () => {
    if (!state.warp) return;
    seek(fromStory(state.warp, (Number($('time').value) / SLIDER_STEPS) * state.warp.storyEnd));
  }, { signal });
  $('timebar').addEventListener('pointerdown', (e) => {
    if (!state.warp) return;
    const rect = e.currentTarget.getBoundingClientRect();
    seek(fromStory(state.warp, ((e.clientX - rect.left) / rect.width) * state.warp.storyEnd));
  }, { signal });

  function draw(colours) {
    const bar = fitCanvas($('timebar'));
    layer.draw(bar.ctx, `${state.version}:${bar.width}`, (ctx) => drawTimebar(ctx, {
      width: bar.width, height: bar.height, warp: state.warp, shades: state.history.shades,
      variantShades: state.variant?.shades, steps: state.history.steps, moments: state.moments, tUs: NaN, colours,
    }));
    drawCursor(bar.ctx, fractionOf(state.warp, state.tUs) * bar.width, 0, bar.height, colours.cursor);
    const end = endUs(state);
    $('clock').textContent = formatClock(state, state.tUs);
    $('elapsed').textContent = `+${formatDuration(state.tUs / 1e6)} of ${formatDuration(end / 1e6)}`;
    const slider = $('time');
    slider.value = String(Math.round(fractionOf(state.warp, state.tUs) * SLIDER_STEPS));
    slider.setAttribute('aria-valuetext', `${formatClock(state, state.tUs)}, ${formatDuration(state.tUs / 1e6)} in`);
  }

  return { draw };
}
