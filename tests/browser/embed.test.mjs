// Embedding, blog figures and workshops in headless Chromium: three elements on
// one host page, the iframe form, the dist/ build under its strict CSP, exports,
// challenges, presenter mode and the embed-code dialog.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launch, openPage, screenshot, repo, artifacts, nativeOutcome } from './harness.mjs';

const CSP = /^CSP := (.*)$/m.exec(fs.readFileSync(path.join(repo, 'Makefile'), 'utf8'))[1];

/** Wait until the element `sel` (in the light DOM) reports ready, scrolling it into view first. */
async function elementReady(page, sel) {
  await page.$eval(sel, (e) => e.scrollIntoView());
  await page.waitForFunction((s) => document.querySelector(s).dataset.ready === 'true', sel, { timeout: 60000 });
}

/** Distinct colours on the first visible stage canvas inside an element's shadow root. */
function shadowColours(page, sel) {
  return page.$eval(sel, (el) => {
    const c = el.shadowRoot.querySelector('.stage-box:not([hidden]) canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4 * 97) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });
}

test('three elements on one host page render independently, lazily, with styles kept apart', async () => {
  const env = await launch('.');
  try {
    const { page, errors } = await openPage(env.browser, `${env.base}tests/browser/fixtures/host.html`, { viewport: { width: 1100, height: 700 } });
    await page.waitForFunction(() => customElements.get('incident-replay'));
    // The third element is far below the fold: it has not started yet.
    assert.equal(await page.$eval('#c', (e) => Boolean(e.shadowRoot.querySelector('.placeholder'))), true, 'lazy until visible');
    for (const id of ['#a', '#b', '#c']) await elementReady(page, id);
    for (const id of ['#a', '#b', '#c']) assert.ok((await shadowColours(page, id)) > 5, `${id} drew its stage`);
    const digests = await page.$$eval('incident-replay', (els) => els.map((e) => e.dataset.digest));
    assert.equal(digests[0], digests[2], 'same settings, same run');
    assert.notEqual(digests[0], digests[1], 'another seed and toggle, another run');
    // Host CSS does not reach in; element CSS does not leak out.
    assert.notEqual(await page.$eval('#a', (e) => getComputedStyle(e.shadowRoot.querySelector('#play')).color), 'rgb(255, 0, 255)');
    assert.equal(await page.$eval('.probe', (p) => getComputedStyle(p).fontSize), '40px');
    assert.equal(await page.$eval('#b', (e) => e.shadowRoot.querySelector('.player').dataset.theme), 'dark');
    assert.equal(await page.$eval('#c', (e) => e.shadowRoot.querySelector('.figure-caption').textContent), 'The partition: both sides accept writes.');
    assert.equal(await page.$eval('#c', (e) => getComputedStyle(e.shadowRoot.querySelector('.transport')).display), 'none', 'figures have no controls');
    assert.equal(page.workers().length, 1, 'one shared simulation worker');
    await page.$eval('#a', (e) => e.scrollIntoView());
    await screenshot(page, 'embed-host');
    assert.deepEqual(errors, []);
  } finally {
    await env.close();
  }
});

test('dist/ runs every embedding form under the documented CSP with no violation', async () => {
  execFileSync('make', ['dist'], { cwd: repo, stdio: 'ignore' });
  const env = await launch('dist', { 'Content-Security-Policy': CSP });
  try {
    const pages = [
      ['index.html#scenario=demo-partition', async (page) => page.waitForSelector('body[data-ready="true"]', { timeout: 60000 })],
      ['embed.html?scenario=demo-partition&controls=basic&theme=dark&t=100', async (page) => elementReady(page, 'incident-replay')],
      ['examples/blog.html', async (page) => { for (const sel of ['incident-replay:nth-of-type(1)', 'incident-replay:nth-of-type(2)', 'incident-replay:nth-of-type(3)']) await elementReady(page, sel); }],
    ];
    for (const [url, ready] of pages) {
      const { page, errors } = await openPage(env.browser, `${env.base}${url}`, { viewport: { width: 1100, height: 800 } });
      const violations = [];
      page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
      await page.evaluate(() => { window.__violations = []; document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`)); });
      await ready(page).catch((e) => { throw new Error(`${url}: not ready (${e.message}); errors: ${errors.join('; ')}`); });
      await page.waitForTimeout(500);
      violations.push(...await page.evaluate(() => window.__violations));
      await screenshot(page, `dist-${url.split(/[?#.]/)[0].replace(/\//g, '-')}`);
      assert.deepEqual(violations, [], `${url}: no CSP violation`);
      assert.deepEqual(errors, [], `${url}: no console error`);
    }
  } finally {
    await env.close();
  }
});

test('exports give a PNG, a WebM and a CSV; the embed dialog carries the settings', async () => {
  const env = await launch();
  try {
    const { page, errors } = await openPage(env.browser, `${env.base}#scenario=demo-partition&t=100&set.quorum=1`, { acceptDownloads: true });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
    await page.waitForFunction(() => window.__playground.variant);
    const saved = async (click) => {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), click()]);
      const file = path.join(artifacts, download.suggestedFilename());
      fs.mkdirSync(artifacts, { recursive: true });
      await download.saveAs(file);
      return { name: download.suggestedFilename(), bytes: fs.readFileSync(file) };
    };
    const png = await saved(() => page.click('#export-png'));
    assert.match(png.name, /\.png$/);
    assert.deepEqual([...png.bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'PNG signature');
    const csv = await saved(() => page.click('#export-csv'));
    assert.match(csv.name, /\.csv$/);
    const text = csv.bytes.toString('utf8');
    assert.match(text, /^series,time_s,history,yours\n/);
    assert.match(text, /outcome:split_brain_s,,115\.\d+,0\n/);
    assert.match(text, /Requests succeeding \(%\),\d/);
    await page.click('#embed-code');
    const element = await page.inputValue('#embed-element');
    assert.match(element, /<incident-replay scenario="demo-partition" t="100" toggles="quorum"><\/incident-replay>/);
    assert.match(await page.inputValue('#embed-iframe'), /embed\.html\?scenario=demo-partition&amp;t=100&amp;toggles=quorum/);
    await page.keyboard.press('Escape');
    const webm = await saved(() => page.evaluate(() => window.__player.exportWebm(1.5)));
    assert.match(webm.name, /\.webm$/);
    assert.ok(webm.bytes.length > 1000, `video has content (${webm.bytes.length} bytes)`);
    assert.deepEqual([...webm.bytes.subarray(0, 4)], [0x1a, 0x45, 0xdf, 0xa3], 'WebM (EBML) signature');
    assert.deepEqual(errors, []);
  } finally {
    await env.close();
  }
});

test('challenges say what is met; presenter mode shows a clean stage and large narration', async () => {
  const env = await launch();
  try {
    const { page, errors } = await openPage(env.browser, `${env.base}#scenario=demo-partition&t=70`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
    const first = () => page.$eval('#challenges > li:first-child', (li) => ({ met: li.className, text: li.textContent }));
    assert.equal((await first()).met, 'unmet');
    assert.match((await first()).text, /Not yet: No split brain.*Split-brain time at most 0 s: yours 115\.0 s/s);
    await page.check('#toggle-quorum');
    await page.waitForFunction(() => document.querySelector('#challenges > li').className === 'met');
    assert.match((await first()).text, /✓ Met: No split brain/);
    await page.click('#presenter');
    assert.equal(await page.getAttribute('#presenter', 'aria-pressed'), 'true');
    assert.equal(await page.isVisible('#outcome'), false, 'presenter hides the figures');
    const size = await page.$eval('.narration p', (p) => parseFloat(getComputedStyle(p).fontSize));
    assert.ok(size >= 20, `narration is large (${size}px)`);
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => /Heal/.test(document.querySelector('.narration h4').textContent));
    await screenshot(page, 'presenter');
    assert.deepEqual(errors, []);
  } finally {
    await env.close();
  }
});

test('an element taken off the page stops its animation loop, observers and listeners, and starts again when put back', async () => {
  const env = await launch('.');
  try {
    const context = await env.browser.newContext({ viewport: { width: 1100, height: 700 } });
    // Count animation frames asked for, and observers that are still observing.
    await context.addInitScript(() => {
      window.__raf = 0;
      const raf = window.requestAnimationFrame.bind(window);
      window.requestAnimationFrame = (f) => { window.__raf++; return raf(f); };
      window.__observing = new Set();
      for (const name of ['ResizeObserver', 'IntersectionObserver']) {
        const Base = window[name];
        window[name] = class extends Base {
          observe(...a) { window.__observing.add(this); return super.observe(...a); }
          disconnect() { window.__observing.delete(this); return super.disconnect(); }
        };
      }
    });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${env.base}tests/browser/fixtures/host.html`);
    await page.waitForFunction(() => customElements.get('incident-replay'));
    for (const id of ['#a', '#b', '#c']) await elementReady(page, id);
    await page.$eval('#a', (e) => e.shadowRoot.getElementById('play').click());
    const before = await page.evaluate(() => window.__raf);
    await page.waitForTimeout(400);
    assert.ok((await page.evaluate(() => window.__raf)) > before + 5, 'a playing element animates');
    assert.equal(await page.$eval('#a', (e) => e.player.state.playing), true);

    const kept = await page.evaluate(() => {
      const a = document.querySelector('#a');
      window.__kept = a;
      for (const e of document.querySelectorAll('incident-replay')) e.remove();
      return a.dataset.ready;
    });
    assert.equal(kept, 'destroyed', 'the player was destroyed');
    await page.waitForTimeout(100);
    const rafAfter = await page.evaluate(() => window.__raf);
    await page.waitForTimeout(600);
    assert.equal(await page.evaluate(() => window.__raf), rafAfter, 'no animation frame is asked for once every element is gone');
    assert.equal(await page.evaluate(() => window.__observing.size), 0, 'no observer is left observing');
    // A key pressed on the removed element's wrapper does nothing (the listener is gone).
    assert.equal(await page.evaluate(() => {
      const w = window.__kept.shadowRoot.querySelector('.player');
      w.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true }));
      return window.__kept.shadowRoot.getElementById('play').getAttribute('aria-label');
    }), 'Play', 'paused on leaving, and Space no longer plays (its listener is gone)');

    // Put back, it starts again.
    await page.evaluate(() => document.body.append(window.__kept));
    await page.waitForFunction(() => window.__kept.dataset.ready === 'true', null, { timeout: 60000 });
    assert.ok((await page.evaluate(() => window.__observing.size)) > 0, 'observing again');
    assert.deepEqual(errors, []);
  } finally {
    await env.close();
  }
});

test('every built-in scenario plays in the element: same run as the CLI, a drawn stage, time moving on play', async () => {
  const names = JSON.parse(fs.readFileSync(path.join(repo, 'www/scenarios/index.json'), 'utf8'));
  const env = await launch('.');
  try {
    const { page, errors } = await openPage(env.browser, `${env.base}tests/browser/fixtures/one-embed.html`, { viewport: { width: 1000, height: 700 } });
    await elementReady(page, '#one');
    for (const name of names) {
      // A fresh element per scenario, as a blog post with that one figure would have.
      await page.evaluate((scenario) => {
        document.querySelector('incident-replay')?.remove();
        const el = document.createElement('incident-replay');
        el.id = 'one';
        el.setAttribute('scenario', scenario);
        document.body.append(el);
      }, name);
      await elementReady(page, '#one').catch((e) => { throw new Error(`${name}: not ready (${e.message}); errors: ${errors.join('; ')}`); });
      assert.equal(await page.$eval('#one', (e) => e.dataset.digest), nativeOutcome(name, 1).digest, `${name}: the element's run is the CLI's run`);
      assert.ok((await shadowColours(page, '#one')) > 5, `${name}: the stage is drawn`);
      const before = await page.$eval('#one', (e) => e.player.state.tUs);
      await page.$eval('#one', (e) => e.player.setPlaying(true));
      await page.waitForFunction((t0) => document.querySelector('#one').player.state.tUs > t0, before, { timeout: 10000 })
        .catch(() => { throw new Error(`${name}: time did not move after play`); });
      await page.$eval('#one', (e) => e.player.setPlaying(false));
    }
    assert.deepEqual(errors, []);
  } finally {
    await env.close();
  }
});
