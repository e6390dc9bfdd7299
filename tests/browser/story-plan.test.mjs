// Story mode's pacing as a pure function (www/app/player/story.js), in node:
// chapters are held until they can be read, bursts of state changes take
// seconds, quiet hours pass in seconds, chapters sharing a time each get a hold,
// and the plan can be walked and resumed from any time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  storyPlan, planAt, planPosition, readingSeconds, wordCount, slowWindowUs,
  READ_MIN_S, BUSY_MIN_S, QUIET_MAX_S,
} from '../../www/app/player/story.js';

const H = 3600e6;

test('reading time: 200 words a minute, never under the minimum', () => {
  assert.equal(wordCount('  The switch  half-fails.\nNode 1 campaigns. '), 6);
  assert.equal(readingSeconds(0), READ_MIN_S);
  assert.equal(readingSeconds(100), 30);
  assert.equal(readingSeconds(10), READ_MIN_S);
});

test('every chapter stays on screen at least as long as it takes to read', () => {
  const chapters = [{ tUs: 0, words: 40 }, { tUs: 10e6, words: 120 }, { tUs: 2 * H, words: 8 }, { tUs: 2 * H + 5e6, words: 60 }];
  const moments = [10e6, 10.2e6, 10.5e6, 2 * H + 5e6, 2 * H + 6e6];
  const plan = storyPlan({ chapters, moments, endUs: 3 * H });
  chapters.forEach((c, i) => assert.ok(plan.chapterS[i] >= readingSeconds(c.words) - 1e-9, `chapter ${i}: ${plan.chapterS[i]} s`));
  // The seconds per chapter add up to the whole plan (the time before the first chapter is none here).
  assert.ok(Math.abs(plan.chapterS.reduce((a, b) => a + b, 0) - plan.wallS) < 1e-6);
});

test('chapters that share a time each get their own hold, in order', () => {
  const chapters = [{ tUs: 5e6, words: 30 }, { tUs: 5e6, words: 60 }, { tUs: 5e6, words: 20 }];
  const plan = storyPlan({ chapters, moments: [], endUs: 60e6 });
  const holds = plan.segments.filter((s) => s.chapter != null);
  assert.deepEqual(holds.map((s) => s.chapter), [0, 1, 2]);
  assert.equal(holds[0].wallS, readingSeconds(30));
  assert.equal(holds[1].wallS, readingSeconds(60));
  // Walking the plan shows each in turn at the same virtual time.
  assert.equal(planAt(plan, holds[1].startS + 1).chapter, 1);
  assert.equal(planAt(plan, holds[1].startS + 1).tUs, 5e6 + 1);
  // Resuming at that time with chapter 2 pinned starts its hold, not the first one.
  assert.equal(planPosition(plan, 5e6 + 1, 2), holds[2].startS);
});

test('a burst of state changes plays over seconds; hours of quiet pass in seconds', () => {
  const endUs = 10 * H;
  const burst = Array.from({ length: 30 }, (_, i) => 1 * H + i * 50e3); // 30 changes in 1.5 s
  const plan = storyPlan({ chapters: [{ tUs: 0, words: 10 }], moments: burst, endUs });
  const window = slowWindowUs(endUs);
  const slow = plan.segments.filter((s) => s.chapter == null && s.fromUs >= burst[0] && s.toUs <= burst[29] + window);
  const slowS = slow.reduce((a, s) => a + s.wallS, 0);
  assert.ok(slowS >= BUSY_MIN_S, `the burst takes ${slowS} s`);
  const quiet = plan.segments.filter((s) => s.chapter == null && s.toUs - s.fromUs > H);
  assert.ok(quiet.length >= 1);
  for (const q of quiet) assert.ok(q.wallS <= QUIET_MAX_S, `a ${(q.toUs - q.fromUs) / H} h stretch takes ${q.wallS} s`);
  // Per virtual second, the burst plays far slower than the quiet hours.
  const rate = (s) => (s.toUs - s.fromUs) / s.wallS;
  assert.ok(rate(quiet[0]) > 1000 * rate(slow[0]));
});

test('walking the plan: time never goes back, ends at the end, and positions round-trip', () => {
  const chapters = [{ tUs: 0, words: 20 }, { tUs: 30e6, words: 20 }, { tUs: 30e6, words: 20 }, { tUs: 400e6, words: 50 }];
  const moments = [1e6, 30e6, 31e6, 200e6, 200.1e6, 400e6];
  const plan = storyPlan({ chapters, moments, endUs: 420e6 });
  let last = -1;
  for (let s = 0; s <= plan.wallS + 1; s += 0.05) {
    const { tUs } = planAt(plan, s);
    assert.ok(tUs >= last, `time went back at ${s} s`);
    last = tUs;
  }
  assert.equal(last, 420e6);
  for (const s of [0.5, 3, 12.25, plan.wallS * 0.7]) {
    const at = planAt(plan, s);
    if (at.chapter == null) assert.ok(Math.abs(planPosition(plan, at.tUs) - s) < 1e-6, `round trip at ${s} s`);
  }
});
