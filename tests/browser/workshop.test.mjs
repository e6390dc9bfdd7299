// The workshop page in headless Chromium, served with the site's strict CSP:
// the editor shows the core's errors inline with their path and line; one- and
// two-axis sweeps finish and report their time; a 1,000-run sweep on the
// cheapest scenario finishes and prints its wall time (reported, not asserted
// tightly: tests check behaviour, benchmarks report speed).
// Screenshots land in tests/browser/artifacts/workshop-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, openPage, screenshot, canvasColours, repo } from './harness.mjs';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:";
const www = (...p) => path.join(repo, 'www', ...p);
const names = JSON.parse(fs.readFileSync(www('scenarios/index.json'), 'utf8'));
const demo = fs.readFileSync(www('scenarios/demo-partition.json'), 'utf8');

let env;
before(async () => { env = await launch('www', { 'content-security-policy': CSP }); });
after(async () => { await env?.close(); });

async function open(hash, options) {
  const opened = await openPage(env.browser, `${env.base}workshop.html${hash}`, options);
  await opened.page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  return opened;
}

/** Fill the sweep form. `b` may be null for one axis; each axis is { name, from, to, steps }. */
async function setSweep(page, { a, b = null, seeds, metric }) {
  for (const [k, axis] of [['a', a], ['b', b]]) {
    await page.selectOption(`#sweep-${k}-name`, axis ? axis.name : '');
    if (axis?.steps) {
      await page.fill(`#sweep-${k}-from`, String(axis.from));
      await page.fill(`#sweep-${k}-to`, String(axis.to));
      await page.fill(`#sweep-${k}-steps`, String(axis.steps));
    }
  }
  await page.fill('#sweep-seeds', String(seeds));
  if (metric) await page.selectOption('#sweep-metric', metric);
}

async function runSweep(page, timeout = 60000) {
  const before = await page.$eval('#sweep', (el) => Number(el.dataset.sweeps || 0));
  await page.click('#sweep button[type=submit]');
  await page.waitForFunction((n) => Number(document.getElementById('sweep').dataset.sweeps || 0) > n, before, { timeout });
  return page.evaluate(() => ({ ...document.getElementById('sweep').dataset, summary: document.getElementById('sweep-summary').textContent }));
}

test('the editor shows a schema error inline with its path and highlights its line', async () => {
  const { page, errors } = await open('#scenario=demo-partition&tab=edit');
  await page.waitForSelector('#editor[data-valid="true"]');
  assert.equal(await page.isVisible('#panel-edit'), true, '#tab=edit opens the editor');

  // A timeline entry's `at` that is not a duration: a path, no line from the core.
  const broken = demo.replace('"at": "30s"', '"at": "soon"');
  const expectedLine = broken.slice(0, broken.indexOf('"at": "soon"')).split('\n').length;
  await page.fill('#editor-text', broken);
  await page.waitForSelector('#editor[data-valid="false"]:not([data-checking])');
  const status = await page.textContent('#editor-status');
  assert.match(status, /timeline\[1\]\.at/);
  assert.match(status, /soon/);
  assert.match(status, new RegExp(`Line ${expectedLine}\\b`));
  assert.equal(await page.isVisible('.line-mark'), true, 'the line is highlighted');
  await page.click('#editor-status button.link');
  await screenshot(page, 'workshop-editor-schema-error');

  // Truncated JSON: a syntax error with a line number from the parser.
  const truncated = demo.slice(0, 2000);
  await page.fill('#editor-text', truncated);
  await page.waitForFunction(() => /Line \d+/.test(document.getElementById('editor-status').textContent) && !document.getElementById('editor').dataset.checking);
  const syntax = await page.textContent('#editor-status');
  assert.match(syntax, /Line \d+ · /);
  assert.match(syntax, /EOF/);
  // The "Line N" button moves the caret to that line.
  await page.click('#editor-status button.link');
  const caretLine = await page.$eval('#editor-text', (t) => t.value.slice(0, t.selectionStart).split('\n').length);
  assert.equal(`Line ${caretLine}`, await page.textContent('#editor-status button.link'));
  await screenshot(page, 'workshop-editor-syntax-error');

  // Scenario text is data: markup in it is shown, never parsed.
  await page.fill('#editor-text', demo.replace('"data", "cluster"', '"<img src=x onerror=alert(1)>", "cluster"'));
  await page.waitForSelector('#editor[data-valid="false"]:not([data-checking])');
  assert.equal(await page.$$eval('#editor-status img, .editor img', (n) => n.length), 0);

  // Reset restores the shipped file; a valid edit runs and shows its outcome beside the shipped one.
  await page.click('text=Reset');
  await page.waitForSelector('#editor[data-valid="true"]:not([data-checking])');
  await page.fill('#editor-text', demo.replace('"default": false, "label": "Majority quorum"', '"default": true, "label": "Majority quorum"'));
  await page.waitForSelector('#editor[data-valid="true"]:not([data-checking])');
  await page.click('text=Run this scenario');
  await page.waitForSelector('body[data-run="done"]');
  const table = await page.textContent('#outcome tbody');
  assert.match(table, /Split-brain time115\.0 s▼ 0 s/, 'quorum on by default removes the split brain');
  await screenshot(page, 'workshop-editor-run');
  assert.deepEqual(errors, []);
});

test('sweep inputs are checked next to their fields', async () => {
  const { page, errors } = await open('#scenario=demo-partition');
  await page.selectOption('#sweep-a-name', 'dead_time');
  await page.fill('#sweep-a-steps', '101');
  assert.match(await page.textContent('#sweep-a-steps-error'), /1 to 100/);
  await page.fill('#sweep-a-steps', '10');
  await page.fill('#sweep-a-from', '0.1');
  assert.match(await page.textContent('#sweep-a-from-error'), /between 0\.5 and 120/);
  await page.fill('#sweep-a-from', '1');
  await page.selectOption('#sweep-b-name', 'heartbeat_interval');
  await page.fill('#sweep-b-steps', '100');
  await page.fill('#sweep-a-steps', '100');
  await page.fill('#sweep-a-to', '60');
  await page.fill('#sweep-seeds', '3');
  assert.match(await page.textContent('#sweep-total-error'), /At most 20,000 runs/);
  await page.selectOption('#sweep-b-name', 'dead_time');
  assert.match(await page.textContent('#sweep-b-name-error'), /other than the first axis/);
  await page.click('#sweep button[type=submit]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sweep-b-name', 'submit focuses the first invalid field');
  await screenshot(page, 'workshop-sweep-invalid');
  assert.deepEqual(errors, []);
});

test('a one-axis sweep draws a curve, reports its time and offers the CSV', async () => {
  const { page, errors } = await open('#scenario=demo-partition', { deviceScaleFactor: 2 });
  await setSweep(page, { a: { name: 'dead_time', from: 1, to: 30, steps: 8 }, seeds: 3, metric: 'split_brain_s' });
  const done = await runSweep(page);
  assert.equal(done.runs, '24');
  assert.match(done.summary, /^24 runs in \d+\.\d s/);
  assert.ok((await canvasColours(page, '.sweep-canvas')) > 5, 'the curve is drawn');
  assert.equal(await page.$eval('.sweep-canvas', (c) => c.width), await page.$eval('.sweep-canvas', (c) => c.clientWidth * 2), 'backing store at 2× for crisp lines');
  // Hovering a point reads its values.
  const box = await page.locator('.sweep-canvas').boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await page.waitForFunction(() => /dead_time .*: mean/.test(document.getElementById('sweep-readout').textContent));
  await screenshot(page, 'workshop-sweep-curve');
  // The CSV has one row per run.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('.sweep-result a[download]')]);
  const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'dead_time,seed,split_brain_s,error');
  assert.equal(csv.length, 25);
  // Another metric redraws from the kept outcomes, without a rerun.
  await page.selectOption('#sweep-metric', 'lost_writes');
  await page.waitForFunction(() => document.getElementById('sweep').dataset.metric === 'lost_writes');
  assert.deepEqual(errors, []);
});

test('a two-axis sweep draws a heatmap with a legend, in dark mode too', async () => {
  const { page, errors } = await open('#scenario=demo-partition', { colorScheme: 'dark' });
  await setSweep(page, { a: { name: 'dead_time', from: 1, to: 30, steps: 6 }, b: { name: 'quorum' }, seeds: 2, metric: 'split_brain_s' });
  const done = await runSweep(page);
  assert.equal(done.runs, '24');
  assert.match(done.summary, /^24 runs in \d+\.\d s/);
  assert.ok((await canvasColours(page, '.sweep-canvas')) > 8, 'the heatmap is drawn');
  await page.focus('.sweep-canvas');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowUp');
  assert.match(await page.textContent('#sweep-readout'), /dead_time 7, quorum on: mean 0 /);
  await screenshot(page, 'workshop-sweep-heatmap-dark');
  assert.deepEqual(errors, []);
});

test('a link sets up the sweep of the deciding setting over the partition shapes', async () => {
  // Redis Cluster: the partition's shape against cluster-require-full-coverage, measured
  // by how long side B refused every query (docs/redis-cluster.md links this).
  const { page, errors } = await open('#scenario=redis-cluster-failover&vary=shape&against=require_full_coverage&measure=gauge:down_ms_side_b');
  assert.equal(await page.inputValue('#sweep-a-name'), 'shape');
  assert.equal(await page.inputValue('#sweep-b-name'), 'require_full_coverage');
  // Gauge measures are known once the first run (the probe) is back.
  await page.waitForFunction(() => document.getElementById('sweep-metric').value === 'gauge:down_ms_side_b');
  await page.fill('#sweep-seeds', '2');
  const done = await runSweep(page);
  assert.match(done.summary, /^12 runs in \d+\.\d s/, 'shapes 0, 1, 2 x off/on x 2 seeds');
  assert.equal(done.metric, 'gauge:down_ms_side_b', 'the measure named in the link stays');
  // Shape 1 (m1 with its replica cut off) with full coverage: side B refuses for most of the 60 s partition.
  await page.focus('.sweep-canvas');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowUp');
  const readout = await page.textContent('#sweep-readout');
  assert.match(readout, /shape 1, require_full_coverage on: mean 5\d,\d{3}/, readout);
  await screenshot(page, 'workshop-sweep-redis-shapes');
  // Elasticsearch: side A's size against minimum_master_nodes, measured by split-brain time.
  const es = await open('#scenario=elasticsearch-split-brain&vary=side_a_masters&against=minimum_master_nodes&measure=split_brain_s');
  assert.equal(await es.page.inputValue('#sweep-a-name'), 'side_a_masters');
  assert.equal(await es.page.inputValue('#sweep-b-name'), 'minimum_master_nodes');
  assert.equal(await es.page.inputValue('#sweep-metric'), 'split_brain_s');
  assert.deepEqual([...errors, ...es.errors], []);
});

for (const name of names) {
  test(`${name}: the workshop opens it, a small sweep finishes, gauges are measures`, async () => {
    const { page, errors } = await open(`#scenario=${name}`);
    assert.equal(await page.inputValue('#scenario'), name, '#scenario= preselects');
    await page.fill('#sweep-a-steps', '3');
    await page.fill('#sweep-seeds', '1');
    const done = await runSweep(page);
    assert.match(done.summary, /^3 runs in \d+\.\d s/);
    const gauge = await page.$$eval('#sweep-metric option', (o) => o.map((x) => x.value).find((v) => v.startsWith('gauge:')));
    if (gauge) {
      await page.selectOption('#sweep-metric', gauge);
      await page.waitForFunction((g) => document.getElementById('sweep').dataset.metric === g, gauge);
    }
    assert.ok((await canvasColours(page, '.sweep-canvas')) > 3, 'the curve is drawn');
    assert.deepEqual(errors, []);
  });
}

for (const name of names) {
  test(`${name}: the default sweep completes every run (no event-budget failures)`, async () => {
    const { page, errors } = await open(`#scenario=${name}`);
    const done = await runSweep(page, 240000);
    const runs = Number(done.summary.match(/^([\d,]+) runs/)[1].replace(/,/g, ''));
    assert.ok(runs >= 5, `the default sweep runs several points (${done.summary})`);
    assert.equal(await page.isHidden('#sweep .sweep-result .error'), true, `no run failed: ${await page.textContent('#sweep .sweep-result .error')}`);
    assert.deepEqual(errors, []);
  });
}

test('cancel stops a sweep early', async () => {
  const { page, errors } = await open('#scenario=demo-partition');
  await setSweep(page, { a: { name: 'dead_time', from: 1, to: 100, steps: 100 }, seeds: 10 });
  await page.click('#sweep button[type=submit]');
  await page.waitForFunction(() => document.getElementById('sweep-progress').value >= 4);
  await page.click('text=Cancel');
  await page.waitForSelector('#sweep[data-state="done"]');
  const { runs, cancelled } = await page.evaluate(() => document.getElementById('sweep').dataset);
  assert.equal(cancelled, 'true');
  assert.ok(Number(runs) < 1000, `stopped after ${runs} runs`);
  assert.deepEqual(errors, []);
});

test('1,000 runs of the built-in incident with the fewest events: wall time', async () => {
  const { page, errors } = await open('');
  // Count each incident's events at its defaults, through the page's own worker
  // (the three replays of real outages; the demo and the Raft lab are not incidents).
  const incidents = names.filter((n) => ['github-2012', 'gitlab-2017', 'cloudflare-2020'].includes(n));
  const counts = await page.evaluate(async (list) => {
    const out = {};
    for (const name of list) {
      const json = await (await fetch(`scenarios/${name}.json`)).text();
      out[name] = (await window.__workshop.sim.request('outcome', { file: `${name}.json`, json, seed: 1 })).outcome.events;
    }
    return out;
  }, incidents);
  const name = Object.keys(counts).sort((x, y) => counts[x] - counts[y])[0];
  if (name !== names[0]) {
    await page.selectOption('#scenario', name);
    await page.waitForSelector('body[data-ready="true"]');
  }
  const scenario = JSON.parse(fs.readFileSync(www('scenarios', `${name}.json`), 'utf8'));
  // Parameters that change the outcome but not the size of a run (a shorter
  // simulation tick, say, would make every run bigger and time something else).
  const PICK = { 'gitlab-2017': ['wal_keep_segments', 'replication_bandwidth'] };
  const [p1, p2] = PICK[name] || Object.keys(scenario.parameters);
  const shape = p2 ? { a: { name: p1 }, b: { name: p2 } } : { a: { name: p1 } };
  // Below history on the first axis, above it on the second: inside each range, and
  // pairs such as (timeout min, timeout max) stay ordered, so every run is valid.
  const { default: d1 } = scenario.parameters[p1];
  await page.selectOption('#sweep-a-name', p1);
  await page.fill('#sweep-a-from', String(d1 / 5));
  await page.fill('#sweep-a-to', String(d1));
  await page.fill('#sweep-a-steps', p2 ? '10' : '100');
  if (p2) {
    const { default: d2 } = scenario.parameters[p2];
    await page.selectOption('#sweep-b-name', p2);
    await page.fill('#sweep-b-from', String(d2));
    await page.fill('#sweep-b-to', String(d2 * 5));
    await page.fill('#sweep-b-steps', '10');
  }
  await page.fill('#sweep-seeds', '10');
  assert.match(await page.textContent('#sweep-total'), /= 1,000 runs/);
  const workers = await page.evaluate(() => window.__workshop.pool.size);
  // Twice: the first sweep pays for the WASM tiering up in each worker, the second is warm.
  let done;
  for (const pass of ['first', 'again']) {
    done = await runSweep(page, 120000);
    const s = Number(done.wallMs) / 1000;
    console.log(`# workshop sweep (${pass}): ${name} (${counts[name].toLocaleString('en')} events at defaults), ${shape.b ? `${p1} × ${p2}` : p1}, 10 seeds: `
      + `${done.runs} runs in ${s.toFixed(2)} s = ${(Number(done.runs) / s).toFixed(0)} runs/s on ${workers} workers; `
      + `${done.perRunMs} ms per run in the core; ${(Number(done.wallMs) / Number(done.runs)).toFixed(2)} ms wall per run`);
  }
  const wallS = Number(done.wallMs) / 1000;
  assert.equal(done.runs, '1000');
  assert.equal(await page.isVisible('.sweep-result .error'), false, 'no run failed');
  assert.ok(wallS < 60, `1,000 runs took ${wallS} s`);
  await screenshot(page, 'workshop-sweep-1000');
  assert.deepEqual(errors, []);
});
