// Determinism across targets: the WASM build's digest equals the native CLI's
// for the demo at three seeds, computed in a Web Worker as the page does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, nativeOutcome } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('WASM digests equal native digests for the demo at seeds 1, 2 and 3', async () => {
  const { page, errors } = await openPage(env.browser, `${env.base}#scenario=demo-partition`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  for (const seed of [1, 2, 3]) {
    const wasm = await page.evaluate(async (seed) => {
      const { SimClient } = await import('./sim/client.js');
      const sim = new SimClient();
      const json = await (await fetch('scenarios/demo-partition.json')).text();
      const run = await sim.run('demo-partition.json', json, {}, seed);
      sim.terminate();
      return run.outcome;
    }, seed);
    const native = nativeOutcome('demo-partition', seed);
    assert.equal(wasm.digest, native.digest, `seed ${seed}`);
    assert.equal(wasm.lost_writes, native.lost_writes);
  }
  assert.deepEqual(errors, []);
});

test('a bad override comes back from the worker as an error with its field path', async () => {
  const { page } = await openPage(env.browser, `${env.base}#scenario=demo-partition`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  const error = await page.evaluate(async () => {
    const { SimClient } = await import('./sim/client.js');
    const sim = new SimClient();
    const json = await (await fetch('scenarios/demo-partition.json')).text();
    try { await sim.run('demo-partition.json', json, { dead_time: 0 }, 1); return null; } catch (e) { return { message: e.message, path: e.path, name: e.name }; } finally { sim.terminate(); }
  });
  assert.deepEqual(error, { message: 'demo-partition.json: parameters.dead_time: 0 is below min 0.5 (s)', path: 'parameters.dead_time', name: 'ScenarioError' });
});
