// How far the replay moves per wall-clock second while playing. Free play
// walks the time-warp (timeline/warp.js) at a constant rate: the whole replay
// in FREE_PLAY_S seconds at 1×. Story mode (story.js) follows a plan made from
// the chapters and moments instead.
import { toStory, fromStory } from '../../timeline/warp.js';

/** Wall seconds of the whole replay at 1× in free play. */
export const FREE_PLAY_S = 90;

export const freePlay = {
  advance(state, wallS) {
    const rate = (state.warp.storyEnd / FREE_PLAY_S) * state.speed;
    return fromStory(state.warp, toStory(state.warp, state.tUs) + wallS * rate);
  },
};
