// Benchmark, not a test: events per second of the WASM core in headless
// Chromium on the same generated scenario as `incident-replay bench`, and the
// native figure beside it. Run with `make bench` (builds both first; the
// benchmark entry points live in a separate build, www/pkg-bench/, so the
// shipped module does not carry them).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { launch, openPage, repo } from './harness.mjs';

const SHAPE = { servers: 100, clients: 100, rate: 2000, seconds: 5 };
const REPEATS = 3;

const { browser, base, close } = await launch();
try {
  // Any page of the site will do as an origin to import the module from; let the
  // playground finish its own first run so it does not share the CPU.
  const { page, errors } = await openPage(browser, `${base}index.html`);
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(1000);
  const result = await page.evaluate(async ({ shape, repeats }) => {
    const wasm = await import('./pkg-bench/incident_replay.js');
    await wasm.default();
    let best = Infinity;
    let events = 0;
    for (let i = 0; i < repeats; i++) {
      const run = new wasm.BenchRun(shape.servers, shape.clients, shape.rate, shape.seconds);
      const start = performance.now();
      events = run.run();
      best = Math.min(best, (performance.now() - start) / 1000);
      run.free();
    }
    return { events, best };
  }, { shape: SHAPE, repeats: REPEATS });
  if (errors.length) throw new Error(`console errors: ${errors.join('; ')}`);
  const wasmRate = result.events / result.best / 1e6;
  console.log(`wasm (Chromium ${browser.version()}): ${result.events} events in ${result.best.toFixed(3)} s = ${wasmRate.toFixed(2)} M events/s (best of ${REPEATS})`);

  const native = execFileSync(path.join(repo, 'target/fast/incident-replay'), [
    'bench', '--servers', SHAPE.servers, '--clients', SHAPE.clients, '--rate', SHAPE.rate, '--seconds', SHAPE.seconds, '--repeats', REPEATS,
  ].map(String), { encoding: 'utf8' }).trim();
  console.log(`native: ${native.replace(/^bench: /, '')}`);
  const nativeRate = Number(/= ([\d.]+) M events\/s/.exec(native)[1]);
  console.log(`wasm / native = ${(wasmRate / nativeRate).toFixed(2)}`);
} finally {
  await close();
}
