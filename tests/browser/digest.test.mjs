// Determinism across targets: the WASM build's digest equals the native CLI's
// for every scenario file (seeds and a random parameter set), computed in a Web
// Worker as the page does; on a mismatch, per-1,000-event fingerprints name the
// simulated time where the two runs part.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launch, openPage, nativeOutcome, repo } from './harness.mjs';

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

/** Native fingerprints (`run --format fingerprints`) as flat [at_us, hash, …] strings. */
function nativeFingerprints(scenario, seed, sets) {
  const bin = path.join(repo, 'target/release/incident-replay');
  const args = ['run', path.join(repo, 'scenarios', `${scenario}.json`), '--format', 'fingerprints', '--seed', String(seed)];
  for (const s of sets) args.push('--set', s);
  return execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 64 << 20 }).trim().split('\n').filter(Boolean).flatMap((l) => l.split(' '));
}

/** The simulated time of the first fingerprint two runs disagree on ("none" if they agree). */
function whereTheyPart(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i += 2) {
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1]) return `they part before ${a[i] ?? b[i]} µs (fingerprint ${i / 2 + 1})`;
  }
  return 'fingerprints agree';
}

/** A small deterministic generator (mulberry32), so a failing set can be rerun. */
function randomFrom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Up to two parameters set to a random value between the default and halfway
 * to the edge of what the core accepts (`fits`), on the parameter's step, and
 * one toggle flipped: as `{ overrides, sets }` for the worker and the CLI.
 */
function randomSetting(scenario, fits, random) {
  const overrides = {};
  const params = Object.entries(scenario.parameters || {});
  for (let k = 0; k < 2 && params.length; k++) {
    const [name, p] = params[Math.floor(random() * params.length)];
    const fit = fits.find((f) => f.name === name) || { lo: p.min, hi: p.max };
    const lo = p.default - (p.default - Math.max(p.min, fit.lo)) / 2;
    const hi = p.default + (Math.min(p.max, fit.hi) - p.default) / 2;
    const step = p.step || 1;
    overrides[name] = Math.min(hi, Math.max(lo, Math.round((lo + (hi - lo) * random()) / step) * step));
  }
  const toggles = Object.entries(scenario.toggles || {});
  if (toggles.length) {
    const [name, t] = toggles[Math.floor(random() * toggles.length)];
    overrides[name] = !t.default;
  }
  const sets = Object.entries(overrides).map(([k, v]) => `${k}=${typeof v === 'boolean' ? (v ? 'on' : 'off') : v}`);
  return { overrides, sets };
}

test('WASM digests equal native digests for every scenario, at two seeds and a random parameter set', async () => {
  // Read at test time, so a new scenario file is covered without editing this test.
  const names = fs.readdirSync(path.join(repo, 'scenarios')).filter((f) => f.endsWith('.json') && f !== 'schema.json').map((f) => f.slice(0, -5));
  assert.ok(names.length >= 6, names.join(', '));
  const { page, errors } = await openPage(env.browser, `${env.base}#scenario=demo-partition`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  const random = randomFrom(Number(process.env.DIGEST_SEED || 2026));
  for (const name of names) {
    const json = fs.readFileSync(path.join(repo, 'scenarios', `${name}.json`), 'utf8');
    const scenario = JSON.parse(json);
    const fits = await page.evaluate(async ({ name, json }) => {
      const { SimClient } = await import('./sim/client.js');
      const sim = new SimClient();
      try { return (await sim.request('fits', { file: `${name}.json`, json, overrides: {} })).fits; } finally { sim.terminate(); }
    }, { name, json });
    const cases = [{ seed: 1, overrides: {}, sets: [] }, { seed: 7, overrides: {}, sets: [] }, { seed: 3, ...randomSetting(scenario, fits, random) }];
    for (const { seed, overrides, sets } of cases) {
      const wasm = await page.evaluate(async ({ name, json, overrides, seed }) => {
        const { SimClient } = await import('./sim/client.js');
        const sim = new SimClient();
        try {
          const run = await sim.run(`${name}.json`, json, overrides, seed);
          const { fingerprints } = await sim.request('fingerprints', { slot: 'history' });
          return { digest: run.outcome.digest, fingerprints };
        } finally { sim.terminate(); }
      }, { name, json, overrides, seed });
      const native = nativeOutcome(name, seed, sets);
      if (wasm.digest !== native.digest) {
        assert.fail(`${name} seed ${seed} ${sets.join(' ')}: WASM ${wasm.digest} vs native ${native.digest}; ${whereTheyPart(wasm.fingerprints, nativeFingerprints(name, seed, sets))}`);
      }
    }
  }
  assert.deepEqual(errors, []);
});

test('fingerprints name where two different runs part', () => {
  const a = nativeFingerprints('demo-partition', 1, []);
  const b = nativeFingerprints('demo-partition', 1, ['quorum=on']);
  assert.ok(a.length > 20, 'a fingerprint per 1,000 events');
  assert.equal(whereTheyPart(a, a), 'fingerprints agree');
  // Quorum changes nothing before the partition at 60 s, so the runs part later.
  const parted = whereTheyPart(a, b).match(/before (\d+) µs/);
  assert.ok(parted && Number(parted[1]) > 60e6, whereTheyPart(a, b));
});
