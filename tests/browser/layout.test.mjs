// The page around the stage, as a first-time viewer meets it (issue: first-time
// viewer review). In headless Chromium:
//   - at 1280×900 the stage, the transport and the chapter on screen (NOW: its
//     title and narration, for the longest chapter of every scenario) fit the
//     first screen; the chapter list, view matrix and charts come below;
//   - at 390×844 Play and the chapter title are on the first screen, the legend
//     directly after the narration;
//   - several chapters at one time: the last (file order) is shown while
//     scrubbing, story mode holds at each in turn;
//   - the timeline's chapter numbers never overlap at 390 px, every chapter has
//     a button with a name, reachable with the arrow keys;
//   - the legend lists only the band kinds the runs have;
//   - an empty message window says why.
// Pure parts (chapterShown, mergeLabels, emptyWindowText) are tested in node.
// Screenshots: tests/browser/artifacts/layout-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, openPage, screenshot, repo } from './harness.mjs';
import { chapterShown } from '../../www/app/player/store.js';
import { mergeLabels } from '../../www/app/player/chapter-marks.js';
import { emptyWindowText } from '../../www/app/player/spacetime-view.js';

const names = fs.readdirSync(path.join(repo, 'scenarios')).filter((f) => f.endsWith('.json') && f !== 'schema.json').map((f) => f.slice(0, -5)).sort();
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

async function player(hash, options = {}, prepare = null) {
  const context = await env.browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  if (prepare) await prepare(context);
  await page.goto(`${env.base}${hash}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await page.waitForFunction(() => window.__playground.frames.history || window.__playground.frames.variant);
  await page.evaluate(() => window.__player.setPlaying(false));
  return { page, errors, context };
}

const box = (page, sel) => page.$eval(sel, (e) => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right }; });

/** Show the chapter with the longest narration (a click on its entry in the chapter list). */
async function showLongestChapter(page) {
  const chapter = await page.evaluate(() => {
    const s = window.__playground;
    let best = 0, bestLength = -1;
    for (let i = 0; i < s.history.steps.length; i += 2) {
      const length = s.scenario.timeline[s.history.steps[i + 1]].narration.length;
      if (length > bestLength) { best = i / 2; bestLength = length; }
    }
    return best;
  });
  await page.click(`#chapters li:nth-child(${chapter + 1}) button`);
  await page.waitForFunction((c) => document.querySelectorAll('#chapters li')[c].classList.contains('current'), chapter);
  // The click scrolled the list into view: back to the first screen.
  await page.evaluate(() => window.scrollTo(0, 0));
  return chapter;
}

// ------------------------------------------------------------------ pure parts

test('chapterShown: the latest chapter at or before the time; of several at one time the last, unless one is pinned', () => {
  const state = (tUs, chapterAt = null) => ({ chapterTimes: [0, 5, 5, 5, 9], tUs, chapterAt });
  assert.equal(chapterShown(state(-1)), -1, 'before the first chapter: none');
  assert.equal(chapterShown(state(4)), 0);
  assert.equal(chapterShown(state(5)), 3, 'three at 5: the last');
  assert.equal(chapterShown(state(8)), 3, 'and it holds until the next');
  assert.equal(chapterShown(state(6, { chapter: 1, tUs: 6 })), 1, 'a pinned one of the three');
  assert.equal(chapterShown(state(9, { chapter: 1, tUs: 6 })), 4, 'a later chapter ends the pin');
  assert.equal(chapterShown(state(6, { chapter: 0, tUs: 6 })), 3, 'a pin on an earlier time does not hold');
});

test('mergeLabels: labels that would overlap are merged, none overlap, each chapter is in one group', () => {
  const widthOf = (text) => 7 * text.length + 6;
  const xs = [0, 120, 124, 130, 200, 300, 302, 385];
  const numbers = xs.map((_, i) => i + 1);
  const groups = mergeLabels(xs, numbers, widthOf, 390);
  assert.deepEqual(groups.map((g) => g.text), ['1', '2–4', '5', '6–7', '8']);
  assert.equal(groups[4].x, 390 - widthOf('8'), 'the last label moved left to stay on the bar');
  for (let k = 1; k < groups.length; k++) assert.ok(groups[k - 1].x + widthOf(groups[k - 1].text) <= groups[k].x, `${groups[k - 1].text} clear of ${groups[k].text}`);
  assert.ok(groups.every((g) => g.x + widthOf(g.text) <= 390), 'every label on the bar');
  assert.deepEqual(groups.flatMap((g) => Array.from({ length: g.last - g.first + 1 }, (_, i) => g.first + i)), xs.map((_, i) => i));
});

test('emptyWindowText: says why the diagram is empty, nothing when it has messages', () => {
  const lanes = [{ node: 0 }, { node: 1 }];
  const clock = (t) => `T${t}`;
  const msg = (from, to) => [0, 1, from, to, 0, 1, 0];
  assert.equal(emptyWindowText({ data: msg(0, 1), around: null }, lanes, false, clock), '');
  assert.match(emptyWindowText({ data: msg(0, 2), around: null }, lanes, false, clock), /include clients/);
  assert.match(emptyWindowText({ data: [], around: { before: true, nextUs: 42 } }, lanes, false, clock), /next is sent at T42/);
  assert.match(emptyWindowText({ data: [], around: { before: true, nextUs: null } }, lanes, false, clock), /nor later/);
  assert.match(emptyWindowText({ data: [], around: { before: false, nextUs: null } }, lanes, false, clock), /no messages/);
  assert.equal(emptyWindowText({ data: [], around: null }, lanes, false, clock), '', 'not yet known: nothing said');
});

// ------------------------------------------------------------------ first screen

for (const name of names) {
  test(`${name} at 1280×900: stage, transport and the longest chapter's narration on the first screen; panels below`, async () => {
    const { page, errors, context } = await player(`#scenario=${name}`);
    await showLongestChapter(page);
    const stage = await box(page, '.stage-box');
    const caption = await box(page, '.now');
    const text = await box(page, '#narration p.story');
    for (const [what, b] of [['stage', stage], ['Play', await box(page, '#play')], ['clock', await box(page, '#clock')], ['scrubber', await box(page, '#time')], ['NOW caption', caption], ['narration', text]]) {
      assert.ok(b.top >= 0 && b.bottom <= DESKTOP.height, `${what} on the first screen (${Math.round(b.top)}–${Math.round(b.bottom)})`);
    }
    assert.ok(caption.top > stage.bottom, 'the caption is under the stage');
    for (const sel of ['.context', '#charts-panel']) assert.ok((await box(page, sel)).top >= caption.bottom, `${sel} below the caption`);
    await screenshot(page, `layout-${name}-1280x900`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

for (const name of ['kafka-zombie-controller', 'cloudflare-2020', 'github-2012', 'gitlab-2017']) {
  test(`${name} at 390×844: Play and the chapter title on the first screen, the legend directly after the narration`, async () => {
    const { page, errors, context } = await player(`#scenario=${name}`, { viewport: PHONE, isMobile: true, hasTouch: true });
    await showLongestChapter(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    const play = await box(page, '#play');
    assert.ok(play.bottom <= PHONE.height, `Play on the first screen (${play.bottom})`);
    const title = await box(page, '#narration h4');
    assert.ok(title.bottom <= PHONE.height, `the chapter title on the first screen (${title.bottom})`);
    const narration = await box(page, '#narration');
    const legend = await box(page, '#node-legend');
    assert.ok(legend.top >= narration.bottom && legend.top - narration.bottom < 30, `the legend follows the narration (${narration.bottom} → ${legend.top})`);
    await screenshot(page, `layout-${name}-390x844`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

// ------------------------------------------------------------------ chapters at one time

/** demo-partition with two more chapters at the partition's time (60 s), served as scenarios/demo-ties.json (and listed in the gallery). */
async function routeTies(context) {
  const scenario = JSON.parse(fs.readFileSync(path.join(repo, 'scenarios/demo-partition.json'), 'utf8'));
  const at = scenario.timeline.findIndex((s) => s.at === '60s');
  assert.ok(at > 0, 'demo-partition has a chapter at 60 s');
  const note = (title) => ({ at: '60s', title, action: 'note', narration: `${title}: a second chapter at the partition's time, for the test.`, source: 'assumption' });
  scenario.timeline.splice(at + 1, 0, note('Tied A'), note('Tied B'));
  await context.route('**/scenarios/demo-ties.json', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(scenario) }));
  // The playground opens only names its gallery lists.
  await context.route('**/scenarios/gallery.json', async (route) => {
    const cards = await (await route.fetch()).json();
    route.fulfill({ contentType: 'application/json', body: JSON.stringify([...cards, { ...cards.find((c) => c.name === 'demo-partition'), name: 'demo-ties' }]) });
  });
  return scenario;
}

test('chapters at one time: the last is shown while scrubbing; the chapter keys and story mode show each in turn', async () => {
  const { page, errors, context } = await player('#scenario=demo-ties', {}, routeTies);
  const heading = () => page.textContent('#narration h4');
  await page.evaluate(() => window.__player.seek(61e6));
  await page.waitForFunction(() => /Tied B/.test(document.querySelector('#narration h4').textContent));
  assert.match(await heading(), /^5\. Tied B$/, 'the last of the three in file order');
  await page.evaluate(() => window.__player.seek(120e6));
  assert.match(await heading(), /Tied B/, 'and it stays until the next chapter');
  await page.evaluate(() => window.__player.seek(60e6 + 1));
  // The chapter keys go back through the other two at 60 s.
  await page.focus('body');
  await page.keyboard.press('[');
  await page.waitForFunction(() => /Tied A/.test(document.querySelector('#narration h4').textContent));
  await page.keyboard.press('[');
  await page.waitForFunction(() => /Partition/.test(document.querySelector('#narration h4').textContent));

  // Story mode from just before the partition: each of the three is on screen in turn.
  const seen = await page.evaluate(async () => {
    const p = window.__player;
    p.setStory(true);
    document.getElementById('speed').value = '8';
    document.getElementById('speed').dispatchEvent(new Event('change'));
    p.seek(59e6);
    p.setPlaying(true);
    const out = [];
    const start = performance.now();
    while (performance.now() - start < 15000 && window.__playground.tUs < 62e6) {
      await new Promise((r) => requestAnimationFrame(r));
      const h = document.querySelector('#narration h4')?.textContent ?? '';
      if (out[out.length - 1] !== h) out.push(h);
      if (!window.__playground.playing) break;
    }
    p.setPlaying(false);
    return out;
  });
  const order = seen.filter((h) => /Partition|Tied/.test(h));
  assert.deepEqual(order, ['3. Partition', '4. Tied A', '5. Tied B'], `story mode showed ${JSON.stringify(seen)}, speed ${await page.evaluate(() => window.__playground.speed)}, at ${await page.evaluate(() => window.__playground.tUs)}`);
  assert.deepEqual(errors, []);
  await context.close();
});

// ------------------------------------------------------------------ timeline marks

for (const name of names) {
  test(`${name} at 390 px: no two chapter labels on the timeline overlap; every chapter has a named button; nothing wider than the page`, async () => {
    const { page, errors, context } = await player(`#scenario=${name}`, { viewport: PHONE, isMobile: true, hasTouch: true });
    const marks = await page.$$eval('#chapter-marks button', (buttons) => buttons.map((b) => {
      const r = b.getBoundingClientRect();
      return { left: r.left, right: r.right, label: !b.classList.contains('merged'), text: b.textContent, name: b.getAttribute('aria-label') };
    }));
    const chapters = await page.evaluate(() => window.__playground.history.steps.length / 2);
    assert.equal(marks.length, chapters, 'one button per chapter');
    for (const m of marks) assert.match(m.name, /^(Chapters \d+–\d+: c|C)hapter \d+, .+: .+/, `a name for ${m.text}`);
    for (const m of marks) assert.ok(m.name.includes(m.text), `the name of “${m.text}” holds its text`);
    const labels = marks.filter((m) => m.label).sort((a, b) => a.left - b.left);
    for (let k = 1; k < labels.length; k++) assert.ok(labels[k - 1].right <= labels[k].left + 0.5, `“${labels[k - 1].text}” and “${labels[k].text}” overlap (${labels[k - 1].right} > ${labels[k].left})`);
    const bar = await box(page, '#timebar');
    for (const m of labels) assert.ok(m.left >= bar.left - 1 && m.right <= bar.right + 1, `“${m.text}” on the bar`);
    // Nothing wider than the phone: a page that scrolls sideways cuts every line's start off.
    // (A wide view matrix scrolls inside its own box; that is not the page.)
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(widths.scroll <= widths.client, `the page is ${widths.scroll} px wide on a ${widths.client} px phone`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('timeline marks: one Tab stop, arrow keys move between chapters, Enter shows one', async () => {
  const { page, errors, context } = await player('#scenario=kafka-zombie-controller', { viewport: PHONE, isMobile: true, hasTouch: true });
  const tabStops = await page.$$eval('#chapter-marks button', (bs) => bs.filter((b) => b.tabIndex === 0).length);
  assert.equal(tabStops, 1, 'one Tab stop in the group');
  await page.focus('#chapter-marks button[tabindex="0"]');
  const before = await page.evaluate(() => window.__playground.tUs);
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  const focused = await page.evaluate(() => document.activeElement.dataset.chapter);
  assert.equal(focused, '2', 'the third chapter has focus');
  assert.equal(await page.evaluate(() => window.__playground.tUs), before, 'moving focus does not move time');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('#chapters li')[2].classList.contains('current'));
  await screenshot(page, 'layout-marks-kafka-390');
  assert.deepEqual(errors, []);
  await context.close();
});

// ------------------------------------------------------------------ legend and messages

test('the legend lists only the band kinds the runs have', async () => {
  const found = [];
  for (const name of names) {
    const { page, errors, context } = await player(`#scenario=${name}`);
    const { listed, present, text } = await page.evaluate(async () => {
      const { SHADES } = await import('/timeline/timebar.js');
      const s = window.__playground;
      const kinds = new Set();
      for (const run of [s.history, s.variant]) for (let i = 0; i < (run?.shades.length ?? 0); i += 3) kinds.add(run.shades[i]);
      return { listed: JSON.parse(document.getElementById('legend').dataset.shades), present: SHADES.filter((_, k) => kinds.has(k)).map((x) => x.key), text: document.getElementById('legend').textContent };
    });
    assert.deepEqual(listed, present, `${name}: legend ${listed} vs runs ${present}`);
    found.push(...present);
    if (!present.includes('destroyed')) assert.doesNotMatch(text, /data destroyed/, `${name} has no destroyed data`);
    assert.deepEqual(errors, []);
    await context.close();
  }
  assert.ok(new Set(found).size >= 3, 'the scenarios between them have several kinds (the check can see a difference)');
});

test('an empty message window says why in one line', async () => {
  const { page, errors, context } = await player('#scenario=gitlab-2017');
  await page.selectOption('#st-window', '0.2');
  await page.evaluate(() => document.getElementById('spacetime-panel').scrollIntoView());
  // 5 s after one of the model's 10 s steps: nothing in the air.
  await page.evaluate(() => window.__player.seek(32405e6));
  await page.waitForFunction(() => !document.getElementById('st-empty').hidden, null, { timeout: 10000 });
  assert.match(await page.textContent('#st-empty'), /^No messages in this window; the next is sent at .+UTC/);
  await page.evaluate(() => window.__player.seek(32400e6 + 1000));
  await page.waitForFunction(() => document.getElementById('st-empty').hidden, null, { timeout: 10000 });
  assert.deepEqual(errors, []);
  await context.close();
});
