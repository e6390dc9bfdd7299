// Issue 14 in headless Chromium: the playground fills in the outcome over seeds
// 1..10 in the background (the viewer's seed first), shows history vs yours as
// distributions, calls a change only where the distributions differ, and says
// in how many seeds each check holds. Screenshot: artifacts/seed-spread.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const done = (page) => page.waitForSelector('.seed-spread[data-state="done"]', { timeout: 60000 });

test('seed spread: history over ten seeds, then a what-if compared as distributions', async () => {
  const { page, errors } = await openPage(env.browser, `${env.base}#scenario=demo-partition&seed=3`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await done(page);
  const status = await page.$eval('.seed-spread p', (p) => p.textContent);
  assert.match(status, /^Seeds 3, 1, 2, 4, 5, 6, 7, 8, 9, 10:/, 'the viewer’s seed first');
  const checks = await page.$$eval('.seed-spread ul li', (lis) => lis.map((li) => li.textContent));
  assert.ok(checks.length >= 2 && checks.every((t) => /holds in \d+ of 10 seeds/.test(t)), checks.join('\n'));
  assert.ok(checks.some((t) => t.startsWith('check · ')), 'predictions are labelled as checks');
  const splitRow = await page.$$eval('.seed-spread tbody tr', (rows) => rows.map((r) => r.textContent).find((t) => t.startsWith('Split-brain time')));
  assert.match(splitRow, /in 10 of 10/, splitRow);

  // Quorum removes split brain in every seed: a change. Leader changes stay 2 in every seed: no change.
  await page.click('#toggle-quorum');
  await page.waitForSelector('.seed-spread[data-state="running"], .seed-spread[data-state="waiting"]');
  await done(page);
  const rows = await page.$$eval('.seed-spread tbody tr', (trs) => trs.map((tr) => ({ text: tr.textContent, changed: tr.querySelector('[data-changed]') != null })));
  const split = rows.find((r) => r.text.startsWith('Split-brain time'));
  assert.ok(split?.changed && /in 0 of 10/.test(split.text) && /lower/.test(split.text), JSON.stringify(split));
  const leaders = rows.find((r) => r.text.startsWith('Leader changes'));
  assert.ok(leaders && !leaders.changed && /scatter/.test(leaders.text), JSON.stringify(leaders));
  await page.$eval('.seed-spread', (e) => e.scrollIntoView());
  await screenshot(page, 'seed-spread');
  assert.deepEqual(errors, []);
  await page.close();
});
