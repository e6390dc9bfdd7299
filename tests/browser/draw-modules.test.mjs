// The drawing modules (charts/chart.js, stage/spacetime.js, lib/canvas.js) draw
// synthetic data without console errors, crisply at DPR 1 and 2, in both
// palettes, and fast. The fixture page lives in tests/browser/fixtures/ and
// imports the modules from /www/, so the server's root is the repository.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launch, openPage, screenshot, canvasColours, artifacts } from './harness.mjs';
import { valueAt, indexAt, bucketsToPoints, successRatePct, meanLatencyMs, niceScale } from '../../www/charts/chart.js';
import { messageAt, MSG_STRIDE } from '../../www/stage/spacetime.js';
import { snap } from '../../www/lib/canvas.js';

const FIXTURE = 'tests/browser/fixtures/draw-modules.html';
const CANVASES = ['rate', 'latency', 'dense', 'sparse'].flatMap((n) => [`#light-${n}`, `#dark-${n}`])
  .concat(['#edge-legend', '#edge-empty', '#edge-lanes', '#edge-none']);
// A budget per draw, far above the measured figure (see the report printed by
// the timing test) so a slow CI machine does not flake, low enough to catch a
// per-point allocation or a stroke per point.
const DRAW_MS_MAX = 2;

let env;
before(async () => { env = await launch('.'); });
after(async () => { await env?.close(); });

test('valueAt holds the last value at or before t, NaN before the first point', () => {
  const p = new Float64Array([10, 1, 20, 2, 30, 3]);
  assert.ok(Number.isNaN(valueAt(p, 9)));
  assert.equal(valueAt(p, 10), 1);
  assert.equal(valueAt(p, 19.9), 1);
  assert.equal(valueAt(p, 20), 2);
  assert.equal(valueAt(p, 29), 2);
  assert.equal(valueAt(p, 30), 3);
  assert.equal(valueAt(p, 1e12), 3);
  assert.equal(valueAt(p, 25, true), 2.5, 'interpolated between neighbours');
  assert.equal(valueAt(p, 35, true), 3, 'interpolation holds past the last point');
  assert.ok(Number.isNaN(valueAt(new Float64Array(0), 5)));
  // Against a linear scan on many random times, including duplicate times.
  const q = new Float64Array(2 * 1000);
  for (let i = 0; i < 1000; i++) { q[2 * i] = Math.floor(i / 3) * 7; q[2 * i + 1] = i; }
  for (let k = 0; k < 2000; k++) {
    const t = ((k * 7919) % 2400) - 10;
    let want = NaN;
    for (let i = 0; i < 1000; i++) if (q[2 * i] <= t) want = q[2 * i + 1];
    assert.ok(Object.is(valueAt(q, t), want), `t=${t}: ${valueAt(q, t)} != ${want}`);
  }
  assert.equal(indexAt(q, -1), -1);
});

test('bucketsToPoints marks the start of empty buckets with NaN (a gap, never a bridge) and places each at its start', () => {
  const series = new Float64Array([9, 1, 20, 0, 0, 0, 0, 4, 0, 5, 0, 30]);
  assert.deepEqual([...bucketsToPoints(series, 3, 0, 1e6, successRatePct)], [0, 90, 1e6, NaN, 2e6, 0, 3e6, 100]);
  assert.deepEqual([...bucketsToPoints(series, 3, 0, 1e6, meanLatencyMs)], [0, 20, 1e6, NaN, 3e6, 30]);
  assert.deepEqual([...bucketsToPoints(series, 3, 1, 1e6)], [0, 1, 1e6, 0, 2e6, 4, 3e6, 0], 'a plain column');
});

test('niceScale rounds outwards to short ticks; snap lands lines on device pixels', () => {
  assert.deepEqual(niceScale(3, 97, 4), { lo: 0, hi: 100, step: 25 });
  assert.deepEqual(niceScale(12.3, 431, 3), { lo: 0, hi: 600, step: 200 });
  const flat = niceScale(100, 100, 3);
  assert.ok(flat.lo < 100 && flat.hi > 100, 'a flat series gets a band around it');
  assert.equal(snap(10, 1), 10.5);
  assert.equal(snap(10, 2), 10);
  assert.equal(snap(10.2, 1.5, 1), 10, "a 1 px line at DPR 1.5 is 2 device px, centred on a pixel edge");
});

for (const dpr of [1, 2]) {
  test(`the fixture draws every canvas at DPR ${dpr} without console errors`, async () => {
    const { page, errors, context } = await openPage(env.browser, env.base + FIXTURE, { deviceScaleFactor: dpr, viewport: { width: 1280, height: 920 } });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10000 });
    for (const selector of CANVASES) {
      const size = await page.$eval(selector, (c) => [c.width, c.height, c.clientWidth, c.clientHeight]);
      assert.deepEqual(size.slice(0, 2), [Math.round(size[2] * dpr), Math.round(size[3] * dpr)], `${selector} backing store is CSS size × DPR`);
      const colours = await canvasColours(page, selector);
      // The empty chart only has its title, 'no data' and the cursor.
      const least = selector === '#edge-empty' ? 2 : 5;
      assert.ok(colours > least, `${selector} has a drawing on it (${colours} colours)`);
    }
    await screenshot(page, `draw-modules-dpr${dpr}`);
    if (dpr === 2) {
      // Close-ups at full device resolution, to check lines are crisp.
      for (const [name, x, y] of [['light-charts', 0, 0], ['dark-charts', 640, 0], ['light-spacetime', 0, 300], ['dark-spacetime', 640, 300], ['edges', 0, 730]]) {
        await page.screenshot({ path: path.join(artifacts, `draw-modules-dpr2-${name}.png`), clip: { x, y, width: name === 'edges' ? 1280 : 640, height: name === 'edges' ? 190 : 300 } });
      }
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('messageAt finds the arrow under the pointer', async () => {
  const layout = { x0: 0, x1: 100, top: 0, bottom: 100, fromUs: 0, toUs: 100, laneY: new Float64Array([10, 90]) };
  layout.messages = new Float64Array([10, 50, 0, 1, 0, 0, 0, /* lost: */ 60, 80, 1, 0, 0, 2, 1]);
  assert.equal(messageAt(30, 50, layout), 0, 'on the delivered arrow');
  assert.equal(messageAt(80, 50, layout), 1, 'at the cross of the lost one');
  assert.equal(messageAt(95, 20, layout), -1);
  assert.equal(layout.messages.length / MSG_STRIDE, 2);
});

test(`each draw takes under ${DRAW_MS_MAX} ms with 5,000 points and 2,000 messages`, async () => {
  const { page, errors, context } = await openPage(env.browser, env.base + FIXTURE, { deviceScaleFactor: 2 });
  await page.waitForSelector('body[data-ready="true"]', { timeout: 10000 });
  const counts = await page.evaluate(() => window.drawModules.counts);
  assert.equal(counts.latencyPoints, 5000);
  assert.equal(counts.messages, 2000);
  const result = await page.evaluate(() => window.drawModules.bench(50));
  const rows = Object.entries(result).map(([name, r]) =>
    `${name.padEnd(8)} ${r.width}×${r.height} css px at DPR 2: calls mean ${r.api.mean.toFixed(3)} ms, median ${r.api.median.toFixed(3)}, max ${r.api.max.toFixed(3)}; ` +
    `with raster flush median ${r.flushed.median.toFixed(3)} ms, mean ${r.flushed.mean.toFixed(3)}, max ${r.flushed.max.toFixed(3)}`);
  console.log(rows.join('\n'));
  for (const [name, r] of Object.entries(result)) {
    // The mean, not the max: one call can catch a GC pause or a tab switch.
    assert.ok(r.api.mean < DRAW_MS_MAX, `${name}: ${r.api.mean.toFixed(3)} ms per draw`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});
