// Benchmark, not a test: how long the shipped WASM takes to re-simulate each
// built-in scenario in headless Chromium (`run_outcome`: parse, resolve, run,
// outcome; what one edit costs the worker), median of REPEATS runs, and the
// events per second that makes. `PKG=dir[,dir2]` (folders under the repository
// with an `incident_replay.js`) measures other builds, e.g. a size experiment,
// with their runs interleaved so that a busy machine slows each alike; the
// fastest run is printed beside the median (on a shared machine it is the
// better estimate). `ONLY=a,b` limits the scenarios. Run with `make bench`.
import fs from 'node:fs';
import path from 'node:path';
import { launch, openPage, repo } from './harness.mjs';

const REPEATS = Number(process.env.REPEATS || 3);
const pkgs = (process.env.PKG || 'www/pkg').split(',');
const only = process.env.ONLY ? process.env.ONLY.split(',').map((n) => `${n}.json`) : null;
const names = fs.readdirSync(path.join(repo, 'scenarios')).filter((f) => f.endsWith('.json') && f !== 'schema.json' && (!only || only.includes(f))).sort();

const { browser, base, close } = await launch('.');
try {
  const { page, errors } = await openPage(browser, `${base}tests/browser/fixtures/one-embed.html`);
  await page.waitForLoadState('networkidle');
  const rows = await page.evaluate(async ({ pkgs, names, repeats }) => {
    const cores = [];
    for (const pkg of pkgs) {
      const core = await import(`/${pkg}/incident_replay.js`);
      await core.default();
      cores.push(core);
    }
    const out = [];
    for (const name of names) {
      const json = await (await fetch(`/scenarios/${name}`)).text();
      const times = pkgs.map(() => []);
      let events = 0;
      for (let i = 0; i < repeats; i++) {
        cores.forEach((core, k) => {
          const start = performance.now();
          events = core.run_outcome(name, json, {}, 1, []).events;
          times[k].push(performance.now() - start);
        });
      }
      pkgs.forEach((pkg, k) => {
        const t = times[k].sort((a, b) => a - b);
        out.push({ pkg, name, events, median_ms: t[Math.floor(t.length / 2)], min_ms: t[0], times: t });
      });
    }
    return out;
  }, { pkgs, names, repeats: REPEATS });
  if (errors.length) throw new Error(errors.join('\n'));
  console.log(`incident re-simulation in Chromium (run_outcome; median and fastest of ${REPEATS}):`);
  for (const r of rows) {
    const rate = r.events / (r.median_ms / 1000) / 1e6;
    const label = pkgs.length > 1 ? `${r.pkg}  ` : '';
    console.log(`  ${label}${r.name.padEnd(34)} ${String(r.events).padStart(9)} events  median ${r.median_ms.toFixed(1).padStart(7)} ms = ${rate.toFixed(2).padStart(5)} M events/s, fastest ${r.min_ms.toFixed(1).padStart(7)} ms`);
  }
} finally {
  await close();
}
