// Time-warp: quiet stretches of a long incident are compressed so a nine-hour
// replay plays in minutes, while everything near a state change keeps its real
// pace. A piecewise-linear, monotone map between virtual time (µs) and "story"
// time; the timeline bar, the scrubber and playback all move in story time.

/** Build a warp from the sorted times worth watching (`moments`, µs). */
export function buildWarp(moments, endUs) {
  // Keep this much real time around each moment; only gaps longer than `quiet`
  // are squeezed, so short scenarios play at their real pace throughout.
  const keep = Math.min(Math.max(endUs / 100, 5e6), 120e6);
  const quiet = Math.max(3 * keep, 120e6);
  const starts = [0]; // virtual start of each piece
  const story = [0];  // story start of each piece
  const slopes = [];  // story µs per virtual µs in each piece
  let v = 0, s = 0;
  const piece = (until, slope) => {
    if (until <= v) return;
    slopes.push(slope);
    s += (until - v) * slope;
    v = until;
    starts.push(v); story.push(s);
  };
  const times = [...moments, endUs].filter((t) => t >= 0 && t <= endUs);
  for (const t of times) {
    const gap = t - v;
    if (gap > quiet) {
      // Real pace after the last moment and before the next; the middle of the
      // gap shrinks to `keep` × log2 of how many `keep`s it holds.
      piece(v + keep, 1);
      const middle = gap - 2 * keep;
      const squeezed = keep * Math.log2(1 + middle / keep);
      piece(t - keep, squeezed / middle);
      piece(t, 1);
    } else {
      piece(t, 1);
    }
  }
  if (slopes.length === 0) piece(endUs || 1, 1);
  return { starts, story, slopes, endUs, storyEnd: s, keep };
}

function pieceOf(array, x) {
  let lo = 0, hi = array.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (array[mid] <= x) lo = mid; else hi = mid - 1;
  }
  return Math.max(0, lo);
}

/** Virtual µs → story µs. */
export function toStory(w, tUs) {
  const t = Math.min(Math.max(tUs, 0), w.endUs);
  const i = pieceOf(w.starts, t);
  return w.story[i] + (t - w.starts[i]) * w.slopes[i];
}

/** Story µs → virtual µs. */
export function fromStory(w, sUs) {
  const s = Math.min(Math.max(sUs, 0), w.storyEnd);
  const i = pieceOf(w.story, s);
  return w.starts[i] + (s - w.story[i]) / w.slopes[i];
}

/** Fraction 0..1 of the timeline for a virtual time. */
export function fractionOf(w, tUs) {
  return w.storyEnd > 0 ? toStory(w, tUs) / w.storyEnd : 0;
}

/** The squeezed stretches, for drawing: [{ fromUs, toUs }]. */
export function squeezed(w) {
  const out = [];
  w.slopes.forEach((slope, i) => { if (slope < 1) out.push({ fromUs: w.starts[i], toUs: w.starts[i + 1] }); });
  return out;
}
