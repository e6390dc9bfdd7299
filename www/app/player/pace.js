// How far the replay moves per wall-clock second while playing. Free play
// walks the time-warp (timeline/warp.js) at a constant rate: the whole replay
// in FREE_PLAY_S seconds at 1×. Story mode (story.js) follows a plan made from
// the chapters and moments instead.
import { toStory, fromStory } from '../../timeline/warp.js';
import { planAt, planPosition } from './story.js';

/** Wall seconds of the whole replay at 1× in free play. */
export const FREE_PLAY_S = 90;

export const freePlay = {
  advance(state, wallS) {
    const rate = (state.warp.storyEnd / FREE_PLAY_S) * state.speed;
    return fromStory(state.warp, toStory(state.warp, state.tUs) + wallS * rate);
  },
};

/**
 * Story mode: walks `state.storyPlan` (story.js). The position in the plan
 * (seconds) is kept here and found again from the time after a seek or a pause.
 * With reduced motion, time does not glide: it shows the last moment or chapter
 * reached, so the stage changes in steps while the plan keeps its holds.
 */
export function createStoryPace() {
  let positionS = 0;
  let plan = null;
  const reset = (state) => {
    plan = state.storyPlan;
    positionS = plan ? planPosition(plan, state.tUs, state.chapterAt?.chapter ?? null) : 0;
  };
  return {
    reset,
    advance(state, wallS, reduced) {
      if (plan !== state.storyPlan) reset(state);
      if (!plan) return freePlay.advance(state, wallS);
      positionS += wallS * state.speed;
      const at = planAt(plan, positionS);
      const tUs = reduced && at.chapter == null ? lastAtOrBefore(state.moments, state.chapterTimes, at.tUs, state.tUs) : at.tUs;
      // A hold pins its chapter (several may share a time). Once the replay
      // moves on from the holds, the pin goes: the last of the chapters at that
      // time is on screen while it plays (its hold may be shorter, or none,
      // as its motion gives the reading time: story.js chapterSeconds).
      if (at.chapter != null) state.chapterAt = { chapter: at.chapter, tUs };
      else if (state.chapterAt && tUs > state.chapterAt.tUs) state.chapterAt = null;
      return tUs;
    },
    /** Seconds into the plan (for the tests). */
    position: () => positionS,
  };
}

/** The latest moment or chapter time (+1 µs, as chapters are shown) at or before `tUs`, never before `fromUs`. */
function lastAtOrBefore(moments, chapterTimes, tUs, fromUs) {
  let best = fromUs;
  for (const m of moments) { if (m > tUs) break; if (m > best) best = m; }
  for (const c of chapterTimes) if (c + 1 <= tUs && c + 1 > best) best = c + 1;
  return best;
}
