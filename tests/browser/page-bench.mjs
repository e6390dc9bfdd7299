// Benchmark, not a test: for every scenario, the playground's edit-to-outcome
// latency (a toggle or parameter edit until the outcome table shows the new run)
// and main-thread drawing time per frame while playing, in headless Chromium.
// Run with `make bench` (after `make build`).
import fs from 'node:fs';
import path from 'node:path';
import { launch, openPage, repo } from './harness.mjs';

const names = fs.readdirSync(path.join(repo, 'scenarios')).filter((f) => f.endsWith('.json') && f !== 'schema.json').map((f) => f.slice(0, -5)).sort();
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };

const { browser, base, close } = await launch();
try {
  console.log('scenario                 events   edit→outcome ms (median / max)   draw ms per frame (mean / p95 / max)   frames/s');
  for (const name of names) {
    const { page, errors } = await openPage(browser, `${base}#scenario=${name}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
    await page.waitForTimeout(500);
    const events = await page.evaluate(() => window.__playground.history.events);
    // Edits: flip the first toggle (or nudge the first parameter) on and off.
    const edits = [];
    const toggle = await page.$('#params input[type=checkbox]');
    const number = await page.$('#params input[type=number]');
    for (let i = 0; i < 12; i++) {
      const before = await page.evaluate(() => Number(document.body.dataset.runs || 0));
      if (toggle) await toggle.click();
      else {
        const p = await number.evaluate((el) => ({ v: Number(el.value), min: Number(el.min), max: Number(el.max), step: Number(el.step) }));
        await number.fill(String(i % 2 ? p.v - p.step : Math.min(p.max, p.v + p.step)));
      }
      await page.waitForFunction((b) => Number(document.body.dataset.runs || 0) > b && !window.__playground.runBusy, before, { timeout: 60000 });
      // The page's own figure: from the input event to the outcome table showing the new run
      // (turning a toggle back off shows the history run again, without running).
      // Toggles alternate on/off; only switching on runs anything, so count those.
      // (data-whole-ms: to the whole run's outcome; data-edit-ms is to the stage going on with its first part.)
      if (!toggle || i % 2 === 0) edits.push(await page.evaluate(() => Number(document.body.dataset.wholeMs ?? document.body.dataset.editMs)));
    }
    // Play for three seconds and collect drawing time per frame and the frame rate.
    await page.evaluate(() => { window.__drawStats.length = 0; });
    await page.keyboard.press('Home');
    const frames = await page.evaluate(() => new Promise((resolve) => {
      let n = 0; const t0 = performance.now();
      const count = () => { n++; if (performance.now() - t0 < 3000) requestAnimationFrame(count); else resolve(n / ((performance.now() - t0) / 1000)); };
      document.getElementById('play').click();
      requestAnimationFrame(count);
    }));
    await page.click('#play');
    const draws = await page.evaluate(() => [...window.__drawStats]);
    const mean = draws.reduce((a, b) => a + b, 0) / Math.max(1, draws.length);
    console.log(`${name.padEnd(22)} ${String(events).padStart(8)}   ${pct(edits, 0.5).toFixed(0).padStart(6)} / ${Math.max(...edits).toFixed(0).padStart(5)}                       ${mean.toFixed(2).padStart(6)} / ${pct(draws, 0.95).toFixed(2)} / ${Math.max(...draws).toFixed(2)}                ${frames.toFixed(0)}`);
    if (errors.length) console.log(`  console errors: ${errors.join('; ')}`);
    await page.context().close();
  }
} finally {
  await close();
}
