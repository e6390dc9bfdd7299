// Issue 13 in headless Chromium: the keyboard never takes a key from a focused
// control (page and embed); axe-core finds no serious or critical violation on
// any page in either theme; the what-if sits beside the stage; outcome marks
// only where the shown values differ; typing runs once; sliders stay within the
// event budget; view settings round-trip through the URL; the gallery loads no
// WASM; exports are captioned and say what "yours" changed; workshop drafts are
// kept and carried to the playground. Screenshots of every page at 1280×800 and
// 390×844 land in tests/browser/artifacts/page-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { launch, openPage, screenshot, repo } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const names = fs.readdirSync(path.join(repo, 'scenarios')).filter((f) => f.endsWith('.json') && f !== 'schema.json').map((f) => f.slice(0, -5)).sort();

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

async function player(hash, options = {}) {
  const opened = await openPage(env.browser, `${env.base}${hash}`, options);
  await opened.page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await opened.page.waitForFunction(() => window.__playground.frames.history || window.__playground.frames.variant);
  return opened;
}

const runs = (page) => page.evaluate(() => Number(document.body.dataset.runs || 0));
const tUs = (page) => page.evaluate(() => window.__playground.tUs);
const playing = (page) => page.evaluate(() => window.__playground.playing);

// ------------------------------------------------------------------ keyboard

test('keyboard: every control type keeps its own keys; shortcuts work elsewhere', async () => {
  const { page, errors } = await player('#scenario=demo-partition');
  // Checkbox: Space ticks it (and runs the variant), playback does not start.
  const before = await runs(page);
  await page.focus('#toggle-quorum');
  await page.keyboard.press('Space');
  assert.equal(await page.isChecked('#toggle-quorum'), true, 'Space ticks a focused checkbox');
  assert.equal(await playing(page), false, 'Space on a checkbox does not play');
  await page.waitForFunction((r) => Number(document.body.dataset.runs || 0) > r, before);
  // Button: Enter and Space press it (Keys opens its dialog; Escape closes it).
  await page.focus('#help');
  await page.keyboard.press('Enter');
  assert.equal(await page.$eval('#keys', (d) => d.open), true, 'Enter presses a focused button');
  await page.keyboard.press('Escape');
  await page.focus('#reset');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => !document.getElementById('toggle-quorum').checked);
  assert.equal(await playing(page), false, 'Space on a button presses the button, not play');
  // Summary: Space and Enter open and close a <details>.
  await page.focus('#charts-panel > summary');
  await page.keyboard.press('Enter');
  assert.equal(await page.$eval('#charts-panel', (d) => d.open), false, 'Enter toggles a focused summary');
  await page.keyboard.press('Space');
  assert.equal(await page.$eval('#charts-panel', (d) => d.open), true, 'Space toggles a focused summary');
  assert.equal(await playing(page), false);
  // Radio group: arrows move within it, time stays.
  const t0 = await tUs(page);
  await page.focus('input[name=view][value=variant]');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.isChecked('input[name=view][value=history]'), true, 'ArrowRight moves within the radio group');
  assert.equal(await tUs(page), t0, 'and does not step the replay');
  await page.keyboard.press('Space');
  assert.equal(await playing(page), false, 'Space on a radio does not play');
  // Text field: arrows, +/− and letters belong to it.
  await page.focus('#param-dead_time');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.inputValue('#param-dead_time'), '5.5', 'ArrowUp steps a number field');
  await page.keyboard.press('End');
  await page.keyboard.press('p');
  assert.equal(await page.$eval('.player', (p) => p.classList.contains('presenter')), false, 'letters type, they do not switch presenter mode');
  assert.equal(await tUs(page), t0, 'arrows in a field do not step the replay');
  // Select: its arrows choose an option.
  await page.focus('#speed');
  await page.keyboard.press('ArrowDown');
  assert.equal(await tUs(page), t0, 'arrows on a select do not step the replay');
  // Slider: arrows move the scrubber (native), time follows it.
  await page.focus('#time');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((t) => window.__playground.tUs !== t, t0);
  // Elsewhere the shortcuts work: Space plays, → steps.
  await page.$eval('#time', (e) => e.blur());
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  assert.ok((await tUs(page)) > 0, '→ steps to the next event with nothing focused');
  await page.keyboard.press('Space');
  assert.equal(await playing(page), true, 'Space plays with nothing focused');
  await page.keyboard.press('Space');
  assert.deepEqual(errors, []);
});

test('keyboard inside an embed: Space ticks a mitigation and does not play', async () => {
  const { page, errors } = await openPage(env.browser, `${env.base}embed.html?scenario=demo-partition&controls=full`);
  await page.waitForFunction(() => document.querySelector('incident-replay')?.dataset.ready === 'true', null, { timeout: 30000 });
  const box = page.locator('incident-replay #toggle-quorum');
  await box.focus();
  await page.keyboard.press('Space');
  assert.equal(await box.isChecked(), true, 'Space ticks the focused checkbox in the shadow root');
  assert.equal(await page.$eval('incident-replay', (e) => e.player.state.playing), false);
  await page.locator('incident-replay #play').focus();
  await page.keyboard.press('Space');
  assert.equal(await page.$eval('incident-replay', (e) => e.player.state.playing), true, 'Space on the play button plays');
  await page.keyboard.press('Space');
  assert.deepEqual(errors, []);
});

// ------------------------------------------------------------------ axe

/** Run axe-core in `page`; returns the serious and critical violations, in words. */
async function seriousViolations(page) {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')} — ${v.nodes[0]?.failureSummary?.split('\n')[1] ?? ''}`);
}

const PAGES = [
  ['gallery', '', () => document.querySelector('#cards .card')],
  ...names.map((n) => [n, `#scenario=${n}`, () => document.body.dataset.ready === 'true']),
  ['workshop', 'workshop.html', () => document.body.dataset.ready === 'true'],
  ['embedding', 'embedding.html', () => [...document.querySelectorAll('incident-replay')].every((e) => e.dataset.ready === 'true' || !e.player)],
  ['embed-full', 'embed.html?scenario=github-2012&controls=full', () => document.querySelector('incident-replay')?.dataset.ready === 'true'],
  ['blog', 'examples/blog.html', () => [...document.querySelectorAll('incident-replay')].every((e) => e.dataset.ready === 'true' || !e.player)],
];

for (const scheme of ['light', 'dark']) {
  test(`axe: no serious or critical violations on any page (${scheme})`, async () => {
    const found = [];
    for (const [label, url, ready] of PAGES) {
      const { page, context } = await openPage(env.browser, `${env.base}${url}`, { colorScheme: scheme });
      await page.waitForFunction(ready, null, { timeout: 30000 });
      await page.waitForTimeout(300);
      for (const v of await seriousViolations(page)) found.push(`${label}: ${v}`);
      await context.close();
    }
    assert.deepEqual(found, []);
  });
}

// ------------------------------------------------------------------ layout

const box = (page, sel) => page.$eval(sel, (e) => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height }; });

for (const name of names) {
  test(`${name} at 1280×800: mitigations and the key parameters beside the stage, on the first screen`, async () => {
    const { page, errors } = await player(`#scenario=${name}`, { viewport: DESKTOP });
    const stage = await box(page, '.stage-box');
    const first = await page.$$eval('#params .toggle, #params .param', (rows) => rows.map((r) => { const b = r.getBoundingClientRect(); return { top: b.top, bottom: b.bottom, left: b.left, param: r.classList.contains('param') }; }));
    assert.ok(first.length > 0);
    assert.ok(first[0].left > stage.right, 'the what-if column is beside the stage');
    const toggles = first.filter((r) => !r.param);
    for (const t of toggles) assert.ok(t.bottom <= DESKTOP.height, `every mitigation is on the first screen (${t.bottom})`);
    const key = first.find((r) => r.param);
    if (key) assert.ok(key.top < DESKTOP.height - 30, `the first key parameter starts on the first screen (${key.top})`);
    // Long lists are grouped: at most three parameters open, the rest in closed groups.
    assert.ok((await page.$$('#params > fieldset.numbers .param')).length <= 3);
    await screenshot(page, `page-${name}-1280`);
    assert.deepEqual(errors, []);
  });

  test(`${name} at 390×844: narration directly under the stage, Play on the first screen`, async () => {
    const { page, errors } = await player(`#scenario=${name}`, { viewport: PHONE, isMobile: true, hasTouch: true });
    const play = await box(page, '#play');
    assert.ok(play.bottom <= PHONE.height, `Play is on the first screen (${play.bottom})`);
    const timeline = await box(page, '.timebar');
    const now = await box(page, '.now');
    assert.ok(now.top >= timeline.bottom && now.top - timeline.bottom < 40, 'the narration follows the stage, transport and timeline');
    const next = await box(page, '.whatif');
    assert.ok(next.top > now.top, 'what-if after the narration');
    await screenshot(page, `page-${name}-390`);
    assert.deepEqual(errors, []);
  });
}

test('presenter mode at 1280×800 keeps transport and timeline on screen, captions scale', async () => {
  const { page, errors } = await player('#scenario=github-2012&presenter=1', { viewport: DESKTOP });
  assert.equal(await page.$eval('.player', (p) => p.classList.contains('presenter')), true, 'presenter=1 from the link');
  for (const sel of ['#play', '#timebar', '#time', '#clock']) {
    const b = await box(page, sel);
    assert.ok(b.bottom <= DESKTOP.height && b.top >= 0, `${sel} on screen (${b.top}–${b.bottom})`);
  }
  const narration = await page.$eval('.narration p', (p) => parseFloat(getComputedStyle(p).fontSize));
  assert.ok(narration >= 20, `narration text is large (${narration}px)`);
  await screenshot(page, 'page-presenter-1280');
  assert.deepEqual(errors, []);
});

test('embedded controls="full" fits a blog column; table headers never wrap mid-word', async () => {
  const { page, errors } = await openPage(env.browser, `${env.base}examples/blog.html`, { viewport: DESKTOP });
  const full = page.locator('incident-replay[controls=full]');
  await full.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector('incident-replay[controls=full]').dataset.ready === 'true', null, { timeout: 30000 });
  await page.waitForTimeout(300);
  const size = await full.evaluate((e) => { const r = e.getBoundingClientRect(); return { width: r.width, height: r.height }; });
  const column = await page.$eval('article, main', (a) => a.getBoundingClientRect().width);
  assert.ok(size.width <= column, `inside the blog's column (${size.width} of ${column} px)`);
  assert.ok(size.height < 2400, `no 5,000 px tower (${size.height} px)`);
  const wrapped = await full.evaluate((e) => [...e.shadowRoot.querySelectorAll('#outcome thead th')].filter((th) => {
    const range = document.createRange();
    range.selectNodeContents(th);
    return range.getClientRects().length > 1;
  }).map((th) => th.textContent));
  assert.deepEqual(wrapped, [], 'every header on one line');
  await full.screenshot({ path: path.join(repo, 'tests/browser/artifacts/page-embed-full-column.png') });
  assert.deepEqual(errors, []);
});

// ------------------------------------------------------------------ outcome

test('outcome: identical shown values carry no mark; changed ones do', async () => {
  const { page, errors } = await player('#scenario=github-2012&set.fence_before_promote=1');
  await page.waitForFunction(() => window.__playground.variant);
  const rows = await page.$$eval('#outcome tbody tr', (trs) => trs.map((tr) => {
    const [h, y] = tr.querySelectorAll('td');
    return { label: tr.querySelector('th').textContent, h: h.textContent, y: y.textContent, cls: y.className, changed: y.dataset.changed === 'true' };
  }));
  let same = 0, differ = 0;
  for (const r of rows) {
    const shown = r.y.replace(/^[▲▼] /, '');
    if (shown === r.h) {
      same++;
      assert.ok(!/[▲▼]/.test(r.y) && r.cls === '' && !r.changed, `${r.label}: "${r.h}" → "${r.y}" has no mark`);
    } else {
      differ++;
      assert.match(r.y, /^[▲▼] /, `${r.label}: a change is marked`);
    }
  }
  assert.ok(same > 0 && differ > 0, `both kinds present (${same} same, ${differ} changed)`);
  // Human labels only: no raw metric names anywhere in the table, the checks or the chart titles.
  const text = await page.$eval('.result', (e) => e.textContent);
  assert.doesNotMatch(text, /\b[a-z0-9]+_[a-z0-9_]+\b/, 'no snake_case names in the outcome or checks');
  assert.deepEqual(errors, []);
});

test('outcome: no request figures without client traffic; client impact listed and shaded', async () => {
  const gitlab = await player('#scenario=gitlab-2017');
  const gitlabText = await gitlab.page.$eval('#outcome', (t) => t.textContent);
  assert.doesNotMatch(gitlabText, /Request success/, 'no "Request success 100 %" without clients');
  assert.match(gitlabText, /db1 data left \(lowest, at end\)/, 'the gauge says which value it shows');
  assert.match(gitlabText, /4\.5\d? GB/);
  await gitlab.context.close();
  const cf = await player('#scenario=cloudflare-2020');
  assert.match(await cf.page.$eval('#outcome', (t) => t.textContent), /Clients impaired \(requests\)6\.\d+ h/);
  const shaded = await cf.page.evaluate(() => { const s = window.__playground.history.shades; const out = []; for (let i = 0; i < s.length; i += 3) if (s[i] === 4) out.push((s[i + 2] - s[i + 1]) / 3.6e9); return out; });
  assert.equal(shaded.length, 1, 'one clients-impaired span on the timeline');
  assert.ok(shaded[0] > 6 && shaded[0] < 7, `the span is the 6.5 h impact (${shaded[0]} h)`);
  assert.match(await cf.page.textContent('#legend'), /clients impaired/);
  await cf.context.close();
});

// ------------------------------------------------------------------ editing

test('editing: typing a number runs once when complete; sliders stay within the event budget', async () => {
  const { page, errors } = await player('#scenario=demo-partition');
  const r0 = await runs(page);
  await page.click('#param-client_timeout >> xpath=ancestor::details/summary');
  await page.click('#param-client_timeout', { clickCount: 3 });
  await page.keyboard.type('1200', { delay: 60 });
  await page.waitForFunction((r) => Number(document.body.dataset.runs || 0) > r, r0, { timeout: 10000 });
  await page.waitForTimeout(1200);
  assert.equal(await runs(page), r0 + 1, 'typing "1200" runs once, not for 1, 12, 120');
  // A short heartbeat: the core says how far the client rate may go, and the slider stops there.
  // The default settings already limit the rate: wait for the limit of the new settings.
  const limitBefore = await page.textContent('#param-client_rate-limit');
  await page.fill('#param-heartbeat_interval', '20');
  await page.press('#param-heartbeat_interval', 'Enter');
  await page.waitForFunction((before) => {
    const text = document.getElementById('param-client_rate-limit').textContent;
    return /can run/.test(text) && text !== before;
  }, limitBefore, { timeout: 20000 });
  const max = Number(await page.$eval('#param-client_rate', (n) => n.closest('.param').querySelector('input[type=range]').max));
  assert.ok(max < 5000, `the slider's top is within the budget (${max})`);
  const r1 = await runs(page);
  await page.fill('#param-client_rate', String(max));
  await page.press('#param-client_rate', 'Enter');
  await page.waitForFunction((r) => Number(document.body.dataset.runs || 0) > r || /not run/.test(document.getElementById('run-status').textContent), r1, { timeout: 30000 });
  assert.doesNotMatch(await page.textContent('#run-status'), /not run/, 'the largest offered value runs');
  await page.fill('#param-client_rate', String(max + 100));
  await page.press('#param-client_rate', 'Enter');
  assert.match(await page.textContent('#param-client_rate-error'), /more events than it may simulate.*use at most/, 'beyond it, the message says what to change');
  assert.deepEqual(errors, []);
});

// ------------------------------------------------------------------ sharing

test('URL: speed, presenter, charts and the space-time window round-trip', async () => {
  const hash = '#scenario=demo-partition&t=12&speed=2&presenter=1&charts=latency&window=30';
  const { page, errors } = await player(hash);
  assert.equal(await page.inputValue('#speed'), '2');
  assert.equal(await page.inputValue('#st-window'), '30');
  assert.equal(await page.$eval('.player', (p) => p.classList.contains('presenter')), true);
  const shown = await page.$$eval('canvas.chart', (cs) => cs.filter((c) => !c.hidden).map((c) => c.getAttribute('aria-label')));
  assert.deepEqual(shown, ['Mean request latency over time']);
  // Change each through the page; the hash follows; a fresh page from it restores all of it.
  await page.keyboard.press('p');
  await page.selectOption('#speed', '4');
  await page.selectOption('#st-window', '300');
  await page.click('.chart-chooser summary');
  await page.click('.chart-chooser label:has-text("Requests succeeding") input');
  await page.click('.chart-chooser label:has-text("Mean request latency") input');
  await page.waitForFunction(() => /speed=4/.test(location.hash) && /window=300/.test(location.hash) && !/presenter/.test(location.hash) && /charts=requests(&|$)/.test(location.hash));
  const next = await page.evaluate(() => location.hash);
  const again = await player(next);
  assert.equal(await again.page.inputValue('#speed'), '4');
  assert.equal(await again.page.inputValue('#st-window'), '300');
  assert.equal(await again.page.$eval('.player', (p) => p.classList.contains('presenter')), false);
  assert.equal(await again.page.evaluate(() => location.hash), next, 'the same link comes back');
  // A bad value is named, not silently dropped.
  const bad = await player('#scenario=demo-partition&speed=3');
  assert.match(await bad.page.textContent('#error'), /speed: “3”/);
  assert.deepEqual(errors, []);
});

test('gallery: no worker, no WASM, no scenario file until a card is chosen; Copy link never says null', async () => {
  const { page, errors, context } = await openPage(env.browser, 'about:blank');
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto(env.base);
  await page.waitForSelector('#cards .card');
  await page.waitForTimeout(500);
  assert.deepEqual(fetched.filter((p) => /\.wasm$|worker\.js$|\/scenarios\/(?!gallery\.json)/.test(p)), [], 'only the card index');
  assert.ok(fetched.includes('/scenarios/gallery.json'));
  assert.equal(page.workers().length, 0, 'no worker started');
  const size = fs.statSync(path.join(repo, 'www/scenarios/gallery.json')).size;
  assert.ok(size < 20000, `the card index is small (${size} bytes)`);
  await page.click('#share');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.doesNotMatch(copied, /null/, `the gallery's link (${copied})`);
  await page.click('#cards .card');
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  assert.ok(fetched.some((p) => p.endsWith('.wasm')), 'WASM once a scenario is open');
  assert.deepEqual(errors, []);
});

// ------------------------------------------------------------------ exports

test('exports: captioned side-by-side PNG named after its clock; CSV states the settings of yours', async () => {
  const { page, errors } = await player('#scenario=github-2012&view=both&t=4600&set.fence_before_promote=1');
  await page.waitForFunction(() => window.__playground.variant && window.__playground.frames.variant && window.__playground.frames.history);
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
  assert.match(png.suggestedFilename(), /^github-2012-2012-12-22T\d\d-\d\d-\d\d\.png$/);
  const file = await png.path();
  const bytes = fs.readFileSync(file);
  const width = bytes.readUInt32BE(16), height = bytes.readUInt32BE(20);
  const stages = await page.$$eval('.stage-box:not([hidden]) canvas', (cs) => cs.map((c) => c.width));
  assert.equal(stages.length, 2);
  assert.ok(width > stages[0] + stages[1] && height > 0, 'both stages side by side');
  fs.copyFileSync(file, path.join(repo, 'tests/browser/artifacts/page-export-side-by-side.png'));
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const text = fs.readFileSync(await csv.path(), 'utf8');
  assert.match(text.split('\n')[1], /^setting:fence_before_promote,,false,true$/, 'the first row says what yours changed');
  assert.deepEqual(errors, []);
});

// ------------------------------------------------------------------ workshop

test('workshop: edits are kept, switching asks first, and the playground opens the edited file', async () => {
  const { page, errors } = await openPage(env.browser, `${env.base}workshop.html#scenario=demo-partition&tab=edit`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  const text = await page.inputValue('#editor-text');
  const edited = text.replace(/"title": "([^"]*)"/, '"title": "$1 (my edit)"');
  assert.notEqual(edited, text);
  await page.fill('#editor-text', edited);
  await page.waitForFunction(() => document.getElementById('editor').dataset.valid === 'true' && !document.getElementById('editor').dataset.checking);
  // Switching scenario asks; dismissing keeps the edit.
  let asked = 0;
  page.once('dialog', (d) => { asked++; d.dismiss(); });
  await page.selectOption('#scenario', 'raft-elections');
  await page.waitForTimeout(300);
  assert.equal(asked, 1, 'the switch asked first');
  assert.equal(await page.inputValue('#scenario'), 'demo-partition');
  assert.equal(await page.inputValue('#editor-text'), edited);
  await page.waitForTimeout(400);
  assert.equal(await page.evaluate(() => localStorage.getItem('incident-replay:workshop-draft:demo-partition.json')), edited, 'kept in local storage');
  // Open in the playground: the edited title shows.
  await page.click('#playground-link');
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  assert.match(await page.textContent('#title'), /\(my edit\)/);
  assert.match(page.url(), /draft=1/);
  // Back in the workshop, the draft is restored.
  await page.goto(`${env.base}workshop.html#scenario=demo-partition&tab=edit`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  assert.equal(await page.inputValue('#editor-text'), edited, 'restored from local storage');
  assert.deepEqual(errors, []);
});

// ------------------------------------------------------------------ screenshots

test('screenshots of every page at 1280×800 and 390×844', async () => {
  const pages = [['gallery', ''], ['workshop', 'workshop.html'], ['embedding', 'embedding.html'], ['embed', 'embed.html?scenario=cloudflare-2020&controls=full'], ['blog', 'examples/blog.html']];
  for (const [label, url] of pages) {
    for (const [size, viewport] of [['1280', DESKTOP], ['390', PHONE]]) {
      const { page, context } = await openPage(env.browser, `${env.base}${url}`, { viewport });
      await page.waitForTimeout(2500);
      await screenshot(page, `page-${label}-${size}`);
      await context.close();
    }
  }
});
