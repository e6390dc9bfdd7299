// Benchmark, not a test: a sweep of 1,000 runs of each built-in scenario in the
// workshop, across its pool of Web Workers (one per core), timed from the
// submit click to the last result. Each sweep runs the scenario at its defaults
// over seeds 1..1,000 (one value of its first parameter), so every run has the
// size of the replay a viewer sees. `ONLY=a,b` limits the scenarios; the
// timeout per sweep is TIMEOUT_S (default 900). Run with `make bench`.
import fs from 'node:fs';
import path from 'node:path';
import { launch, openPage, repo } from './harness.mjs';

const only = process.env.ONLY ? process.env.ONLY.split(',') : null;
const TIMEOUT_S = Number(process.env.TIMEOUT_S || 900);
const names = JSON.parse(fs.readFileSync(path.join(repo, 'www/scenarios/index.json'), 'utf8')).filter((n) => !only || only.includes(n));

const { browser, base, close } = await launch('www');
try {
  console.log('1,000-run sweep in the workshop (defaults, seeds 1–1,000), wall time from submit to the last result:');
  for (const name of names) {
    const { page, errors } = await openPage(browser, `${base}workshop.html#scenario=${name}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
    const scenario = JSON.parse(fs.readFileSync(path.join(repo, 'www/scenarios', `${name}.json`), 'utf8'));
    const [first, meta] = Object.entries(scenario.parameters)[0];
    await page.selectOption('#sweep-a-name', first);
    await page.fill('#sweep-a-from', String(meta.default));
    await page.fill('#sweep-a-to', String(meta.default));
    await page.fill('#sweep-a-steps', '1');
    await page.selectOption('#sweep-b-name', '');
    await page.fill('#sweep-seeds', '1000');
    const workers = await page.evaluate(() => window.__workshop.pool.size);
    await page.click('#sweep button[type=submit]');
    await page.waitForFunction(() => Number(document.getElementById('sweep').dataset.sweeps || 0) > 0, null, { timeout: TIMEOUT_S * 1000 });
    const done = await page.evaluate(() => ({ ...document.getElementById('sweep').dataset }));
    if (errors.length) throw new Error(`${name}: ${errors.join('; ')}`);
    const s = Number(done.wallMs) / 1000;
    console.log(`  ${name.padEnd(28)} ${String(done.runs).padStart(5)} runs in ${s.toFixed(2).padStart(7)} s on ${workers} workers = ${(Number(done.runs) / s).toFixed(1).padStart(6)} runs/s (${done.perRunMs} ms per run in the core)`);
    await page.context().close();
  }
} finally {
  await close();
}
