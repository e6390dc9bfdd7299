// Story mode: playback paced by the story. A pure function turns the chapters
// (their times and how long their narration takes to read), the moments where
// state changes and the end of the run into a plan of wall-clock time:
//   - at each chapter the replay holds until its narration can be read
//     (READ_S_PER_WORD, at least READ_MIN_S), minus the time the chapter then
//     plays; chapters that share a time each get their own hold;
//   - after each state change the replay plays slowly: the stretch of virtual
//     time within `window` of a change (merged for changes close together) takes
//     BUSY_MIN_S of wall time and grows with the log of its length, so a burst
//     of changes is seen for seconds but six minutes of elections do not take six;
//   - quiet stretches take QUIET_S_PER_DOUBLING per doubling of their length,
//     at most QUIET_MAX_S.
// The plan is a list of segments; the player walks it at `speed` segments-seconds
// per wall second. Nothing here reads the DOM or a clock, so the plan is tested
// in node and the page is checked to follow it.

/** Reading pace: 200 words per minute. */
export const READ_S_PER_WORD = 60 / 200;
/** No chapter is on screen for less than this (a title and two short sentences). */
export const READ_MIN_S = 5;
/** Wall seconds of the shortest slow stretch after a state change. */
export const BUSY_MIN_S = 2;
/** Extra wall seconds of a slow stretch per doubling of its length beyond one window. */
export const BUSY_S_PER_DOUBLING = 1.2;
/** Wall seconds per doubling of a quiet stretch's length (in windows), and the most one takes. */
export const QUIET_S_PER_DOUBLING = 0.35;
export const QUIET_MAX_S = 4;

/** Words in a text (runs of non-space). */
export function wordCount(text) {
  return (String(text ?? '').match(/\S+/g) ?? []).length;
}

/** Seconds to read `words` words at the reading pace, at least READ_MIN_S. */
export function readingSeconds(words) {
  return Math.max(READ_MIN_S, words * READ_S_PER_WORD);
}

/** The virtual time (µs) after a change that plays slowly: 1/1000 of the run, within 0.2–2 s. */
export function slowWindowUs(endUs) {
  return Math.min(2e6, Math.max(0.2e6, endUs / 1000));
}

/**
 * @param chapters [{ tUs, words }] in time order (times may repeat)
 * @param moments  sorted times (µs) where state changes
 * @param endUs    end of the run
 * @returns { segments: [{ fromUs, toUs, wallS, startS, chapter }], wallS, chapterS: [seconds on screen] }
 *   A hold has fromUs === toUs and names the chapter it shows; a motion segment has chapter null.
 */
export function storyPlan({ chapters, moments, endUs }) {
  const windowUs = slowWindowUs(endUs);
  const busy = busyStretches(moments, windowUs, endUs);
  // Chapters are shown just after their step applied (the player seeks to t + 1 µs).
  const shownAt = chapters.map((c) => Math.min(c.tUs + 1, endUs));
  const cuts = [...new Set([0, endUs, ...shownAt, ...busy.flatMap((b) => [b.fromUs, b.toUs])])].filter((t) => t >= 0 && t <= endUs).sort((a, b) => a - b);
  const motion = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i], b = cuts[i + 1];
    const stretch = busy.find((s) => s.fromUs <= a && b <= s.toUs);
    const wallS = stretch ? ((b - a) / (stretch.toUs - stretch.fromUs)) * stretch.wallS : quietSeconds(b - a, windowUs);
    motion.push({ fromUs: a, toUs: b, wallS, chapter: null });
  }
  // Holds: each chapter is read before the replay moves on, less what the chapter then plays.
  const segments = [];
  let m = 0;
  for (let c = 0; c <= chapters.length; c++) {
    const until = c < chapters.length ? shownAt[c] : Infinity;
    while (m < motion.length && motion[m].fromUs < until) segments.push(motion[m++]);
    if (c === chapters.length) break;
    const sharesNext = c + 1 < chapters.length && shownAt[c + 1] === shownAt[c];
    const playsS = sharesNext ? 0 : motionSeconds(motion, shownAt[c], c + 1 < chapters.length ? shownAt[c + 1] : endUs);
    const holdS = Math.max(0, readingSeconds(chapters[c].words) - playsS);
    segments.push({ fromUs: shownAt[c], toUs: shownAt[c], wallS: holdS, chapter: c });
  }
  let startS = 0;
  for (const s of segments) { s.startS = startS; startS += s.wallS; }
  return { segments, wallS: startS, chapterS: chapterSeconds(segments, chapters, shownAt), windowUs };
}

/** Stretches within `windowUs` after any moment, merged where they touch, each with its wall seconds. */
function busyStretches(moments, windowUs, endUs) {
  const out = [];
  for (const m of moments) {
    if (m < 0 || m >= endUs) continue;
    const to = Math.min(endUs, m + windowUs);
    const last = out[out.length - 1];
    if (last && m <= last.toUs) last.toUs = Math.max(last.toUs, to);
    else out.push({ fromUs: m, toUs: to });
  }
  for (const s of out) s.wallS = BUSY_MIN_S + BUSY_S_PER_DOUBLING * Math.log2(Math.max(1, (s.toUs - s.fromUs) / windowUs));
  return out;
}

function quietSeconds(lengthUs, windowUs) {
  return Math.min(QUIET_MAX_S, QUIET_S_PER_DOUBLING * Math.log2(1 + lengthUs / windowUs));
}

/** Wall seconds of motion from `fromUs` to `toUs`. */
function motionSeconds(motion, fromUs, toUs) {
  let s = 0;
  for (const seg of motion) if (seg.fromUs >= fromUs && seg.toUs <= toUs) s += seg.wallS;
  return s;
}

/**
 * Seconds each chapter is on screen: its holds, and the motion while it is the
 * latest chapter (the last of those that share a time). Same rule as the
 * player's chapterShown.
 */
function chapterSeconds(segments, chapters, shownAt) {
  const out = chapters.map(() => 0);
  for (const s of segments) {
    if (s.chapter != null) { out[s.chapter] += s.wallS; continue; }
    let shown = -1;
    for (let c = 0; c < chapters.length; c++) if (shownAt[c] <= s.fromUs) shown = c;
    if (shown >= 0) out[shown] += s.wallS;
  }
  return out;
}

/** Where the plan is after `wallS` seconds: { tUs, chapter (the hold's, or null) }. */
export function planAt(plan, wallS) {
  const segs = plan.segments;
  if (!segs.length) return { tUs: 0, chapter: null };
  let lo = 0, hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segs[mid].startS <= wallS) lo = mid; else hi = mid - 1;
  }
  // Skip segments that took no time (a hold fully covered by the chapter's own motion).
  let s = segs[lo];
  while (s.wallS === 0 && lo + 1 < segs.length && segs[lo + 1].startS <= wallS) s = segs[++lo];
  if (wallS >= plan.wallS) { const last = segs[segs.length - 1]; return { tUs: last.toUs, chapter: last.chapter }; }
  if (s.chapter != null) return { tUs: s.fromUs, chapter: s.chapter };
  const f = s.wallS > 0 ? Math.min(1, Math.max(0, (wallS - s.startS) / s.wallS)) : 1;
  return { tUs: s.fromUs + f * (s.toUs - s.fromUs), chapter: null };
}

/**
 * The plan position (seconds) for a time, to resume from after a seek or a
 * pause: the start of the hold for `chapter` when the time is that hold's,
 * else the point of the motion segment holding the time.
 */
export function planPosition(plan, tUs, chapter = null) {
  const segs = plan.segments;
  const hold = segs.find((s) => s.chapter != null && s.fromUs === tUs && (chapter == null || s.chapter === chapter));
  if (hold) return hold.startS;
  for (const s of segs) {
    if (s.chapter == null && s.fromUs <= tUs && tUs < s.toUs) return s.startS + ((tUs - s.fromUs) / (s.toUs - s.fromUs)) * s.wallS;
  }
  return tUs >= (segs[segs.length - 1]?.toUs ?? 0) ? plan.wallS : 0;
}
