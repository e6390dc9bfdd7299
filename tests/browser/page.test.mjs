// The first page loads the demo with no console error, draws the stage, and plays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, canvasColours } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('the page loads the demo, draws the stage and shows an outcome', async () => {
  const { page, errors } = await openPage(env.browser, env.base);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  await page.waitForFunction(() => document.getElementById('clock').textContent.includes(':'));
  assert.ok((await canvasColours(page)) > 5, 'the canvas has a drawing on it');
  const digest = await page.$eval('#outcome', (dl) => dl.dataset.digest);
  assert.match(digest, /^[0-9a-f]{32}$/);
  await screenshot(page, 'first-page-start');
  assert.deepEqual(errors, []);
});

test('scrubbing moves the clock and the narration', async () => {
  const { page, errors } = await openPage(env.browser, env.base);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  const before = await page.textContent('#clock');
  await page.$eval('#time', (el) => { el.value = '450'; el.dispatchEvent(new Event('input')); });
  await page.waitForFunction((b) => document.getElementById('clock').textContent !== b, before);
  await page.waitForFunction(() => document.getElementById('narration').textContent.startsWith('Heal'));
  await screenshot(page, 'first-page-heal');
  assert.deepEqual(errors, []);
});

test('play advances time', async () => {
  const { page, errors } = await openPage(env.browser, env.base);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  await page.click('#play');
  await page.waitForFunction(() => Number(document.getElementById('time').value) > 5, null, { timeout: 10000 });
  await page.click('#play');
  assert.deepEqual(errors, []);
});

test('an unknown scenario in the hash falls back and a failed fetch is shown in the page', async () => {
  const { page } = await openPage(env.browser, `${env.base}#scenario=nope`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  assert.equal(await page.$eval('#scenario', (s) => s.value), 'demo-partition');
});
