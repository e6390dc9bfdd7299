// Story mode in headless Chromium. For every built-in scenario: the plan the
// page makes from its own runs (wall seconds each chapter is on screen at 1×,
// and the whole replay; table in tests/browser/artifacts/story-times.md and the
// README), checked against reading time and the 2–6 minute target; the player
// follows its plan in real time; every chapter can be shown by clicking it, with
// the chapter keys and in presenter mode, also chapters that share a time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, openPage, screenshot, repo, artifacts } from './harness.mjs';
import { readingSeconds, wordCount } from '../../www/app/player/story.js';

const names = fs.readdirSync(path.join(repo, 'scenarios')).filter((f) => f.endsWith('.json') && f !== 'schema.json').map((f) => f.slice(0, -5)).sort();
const scenario = (name) => JSON.parse(fs.readFileSync(path.join(repo, 'scenarios', `${name}.json`), 'utf8'));
const HISTORICAL = ['github-2012', 'gitlab-2017', 'cloudflare-2020'];

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

async function open(hash) {
  const opened = await openPage(env.browser, `${env.base}${hash}`);
  await opened.page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await opened.page.waitForFunction(() => window.__playground.frames.history || window.__playground.frames.variant);
  return opened;
}

/** The page's plan, and each chapter's title and words (from the page's own steps). */
function planOf(page) {
  return page.evaluate(() => {
    const s = window.__playground;
    const plan = window.__player.storyPlan();
    const chapters = [];
    for (let i = 0; i < s.history.steps.length; i += 2) {
      const step = s.scenario.timeline[s.history.steps[i + 1]];
      chapters.push({ tUs: s.history.steps[i], title: step.title, narration: step.narration });
    }
    return { wallS: plan.wallS, chapterS: plan.chapterS, chapters, endUs: s.history.endUs };
  });
}

const shownChapter = (page) => page.evaluate(() => [...document.querySelectorAll('#chapters li')].findIndex((li) => li.classList.contains('current')));

test('story mode: every chapter on screen for at least its reading time; historical replays 2–6 minutes', async () => {
  const rows = ['| scenario | whole replay at 1× | each chapter on screen (s) / its reading time (s) |', '|---|---|---|'];
  const problems = [];
  for (const name of names) {
    const { page, errors, context } = await open(`#scenario=${name}`);
    assert.equal(await page.getAttribute('#story-mode', 'aria-pressed'), 'true', 'story mode is on by default');
    const plan = await planOf(page);
    const cells = plan.chapters.map((c, i) => {
      const read = readingSeconds(wordCount(c.narration));
      if (plan.chapterS[i] + 1e-6 < read) problems.push(`${name} chapter ${i + 1} “${c.title}”: ${plan.chapterS[i].toFixed(1)} s on screen, ${read.toFixed(1)} s to read`);
      return `${plan.chapterS[i].toFixed(1)}/${read.toFixed(1)}`;
    });
    const minutes = plan.wallS / 60;
    if (HISTORICAL.includes(name) && !(minutes >= 2 && minutes <= 6)) problems.push(`${name}: ${minutes.toFixed(2)} min, not within 2–6`);
    rows.push(`| \`${name}\` | ${Math.floor(plan.wallS / 60)} min ${Math.round(plan.wallS % 60)} s | ${cells.join(' · ')} |`);
    assert.deepEqual(errors, []);
    await context.close();
  }
  fs.mkdirSync(artifacts, { recursive: true });
  fs.writeFileSync(path.join(artifacts, 'story-times.md'), `${rows.join('\n')}\n`);
  console.log(rows.join('\n'));
  assert.deepEqual(problems, []);
});

test('story mode: the player follows its plan in real time, holds at a chapter and slows down at state changes', async () => {
  const { page, errors } = await open('#scenario=github-2012');
  const plan = await planOf(page);
  // The second of the three chapters at 5400 s: its hold, then play 2.5 s of real time.
  const sameTime = plan.chapters.map((c, i) => [c.tUs, i]).filter(([t]) => t === 5400e6).map(([, i]) => i);
  assert.equal(sameTime.length, 3, 'three GitHub chapters share 5400 s');
  await page.click(`#chapters li:nth-child(${sameTime[1] + 1}) button`);
  assert.equal(await shownChapter(page), sameTime[1]);
  const samples = await page.evaluate(async () => {
    const p = window.__player;
    p.setPlaying(true);
    const start = performance.now();
    const startPos = p.storyPosition();
    const out = [];
    while (performance.now() - start < 2500) {
      await new Promise((r) => requestAnimationFrame(r));
      out.push({ wallS: (performance.now() - start) / 1000, posS: p.storyPosition() - startPos, pos: p.storyPosition(), tUs: window.__playground.tUs });
    }
    p.setPlaying(false);
    return out;
  });
  const last = samples[samples.length - 1];
  // Frames are capped at 0.25 s each, so a loaded machine may lag; never run ahead.
  assert.ok(last.posS <= last.wallS + 0.05 && last.posS >= 0.5 * last.wallS, `plan moved ${last.posS.toFixed(2)} s in ${last.wallS.toFixed(2)} s`);
  const expected = await page.evaluate(async (ps) => {
    const { planAt } = await import('/app/player/story.js');
    const plan = window.__player.storyPlan();
    return ps.map((p) => planAt(plan, p).tUs);
  }, samples.map((s) => s.pos));
  samples.forEach((s, i) => assert.equal(s.tUs, expected[i], `at ${s.wallS.toFixed(2)} s the time is the plan's`));
  assert.equal(await shownChapter(page), sameTime[1], 'still the chapter that was clicked (its hold lasts its reading time)');

  // A burst of state changes: 4500 s, the switches' agents die and pairs fail over.
  await page.evaluate(() => window.__player.seek(4503e6));
  const burst = await page.evaluate(async () => {
    const p = window.__player;
    p.setPlaying(true);
    const t0 = window.__playground.tUs;
    const start = performance.now();
    while (performance.now() - start < 2000) await new Promise((r) => requestAnimationFrame(r));
    p.setPlaying(false);
    return { virtualS: (window.__playground.tUs - t0) / 1e6, wallS: (performance.now() - start) / 1000 };
  });
  assert.ok(burst.virtualS < burst.wallS * 5, `state changes play slowly: ${burst.virtualS.toFixed(2)} virtual s in ${burst.wallS.toFixed(2)} s`);
  assert.deepEqual(errors, []);
});

test('free play and speed: the switch gives back the time-warp, speed scales both', async () => {
  const { page, errors } = await open('#scenario=demo-partition');
  const speedOf = (story, speed) => page.evaluate(async ([story, speed]) => {
    const p = window.__player;
    p.setStory(story);
    p.seek(0);
    document.getElementById('speed').value = String(speed);
    document.getElementById('speed').dispatchEvent(new Event('change'));
    p.setPlaying(true);
    const start = performance.now();
    while (performance.now() - start < 1500) await new Promise((r) => requestAnimationFrame(r));
    p.setPlaying(false);
    return window.__playground.tUs;
  }, [story, speed]);
  const story1 = await speedOf(true, 1);
  const story4 = await speedOf(true, 4);
  const free1 = await speedOf(false, 1);
  assert.equal(await page.getAttribute('#story-mode', 'aria-pressed'), 'false');
  assert.ok(story4 > story1, `4× moves further than 1× in story mode (${story4} vs ${story1} µs)`);
  // Demo: 420 s in 90 s of free play, but story mode holds at the first chapter.
  assert.ok(free1 > 4e6 && story1 < 1e6, `free play moves at once (${free1} µs), story mode holds (${story1} µs)`);
  await page.click('#story-mode');
  assert.equal(await page.getAttribute('#story-mode', 'aria-pressed'), 'true');
  assert.deepEqual(errors, []);
});

test('every chapter of every scenario shows when clicked, with the chapter keys and in presenter mode', async () => {
  for (const name of names) {
    const { page, errors, context } = await open(`#scenario=${name}`);
    const { chapters } = await planOf(page);
    const heading = () => page.textContent('#narration h4');
    for (let i = 0; i < chapters.length; i++) {
      await page.click(`#chapters li:nth-child(${i + 1}) button`);
      await page.waitForFunction((i) => document.querySelectorAll('#chapters li')[i].classList.contains('current'), i);
      assert.match(await heading(), new RegExp(`${chapters[i].title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), `${name}: chapter ${i + 1} shows its own narration`);
    }
    // The chapter list keeps the current chapter in view.
    const inView = await page.$eval('#chapters', (list) => {
      const li = list.querySelector('li.current');
      return li.offsetTop - list.offsetTop >= list.scrollTop - 1 && li.offsetTop - list.offsetTop + li.offsetHeight <= list.scrollTop + list.clientHeight + 1;
    });
    assert.ok(inView, `${name}: the last chapter is scrolled into view`);
    // Keys: ] from the start visits every chapter in order; presenter mode's → does too.
    for (const [mode, key] of [['keys', ']'], ['presenter', 'ArrowRight']]) {
      if (mode === 'presenter') await page.click('#presenter');
      await page.click('#now-title');
      await page.keyboard.press('Home');
      const seen = [];
      for (let i = 0; i < chapters.length; i++) {
        if (i > 0) await page.keyboard.press(key);
        // Two frames: the seek's draw has updated the narration.
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        seen.push(await shownChapter(page));
      }
      assert.deepEqual(seen, chapters.map((_, i) => i), `${name}: ${key} (${mode}) shows every chapter in turn`);
      if (mode === 'presenter') await screenshot(page, `story-presenter-${name}`);
    }
    assert.deepEqual(errors, []);
    await context.close();
  }
});
