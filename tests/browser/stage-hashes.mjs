// Before/after check for a change to the stage's drawing that should not
// change its pixels (a refactor): a hash of every shown stage canvas's pixels
// for each scenario at four fixed times, at 1280×900 and 390×844, and a
// screenshot of each. Needs `make build`. Usage:
//   node tests/browser/stage-hashes.mjs DIR [scenario...]   hashes into DIR/hashes.json, PNGs into DIR
//   node tests/browser/stage-hashes.mjs --compare DIR_A DIR_B
// (The split of stage.js into modules: 112 of 112 hashes equal before and after.)
import fs from 'node:fs';
import path from 'node:path';
import { launch, openPage, repo } from './harness.mjs';

if (process.argv[2] === '--compare') {
  const [a, b] = process.argv.slice(3).map((d) => JSON.parse(fs.readFileSync(path.join(d, 'hashes.json'), 'utf8')));
  const differ = Object.keys(a).filter((k) => a[k] !== b[k]);
  console.log(`${Object.keys(a).length - differ.length} of ${Object.keys(a).length} equal${differ.length ? `; differ: ${differ.join(', ')}` : ''}`);
  process.exit(differ.length ? 1 : 0);
}

const out = process.argv[2];
if (!out) { console.error('usage: node tests/browser/stage-hashes.mjs DIR [scenario...] | --compare DIR_A DIR_B'); process.exit(2); }
fs.mkdirSync(out, { recursive: true });
const all = fs.readdirSync(path.join(repo, 'scenarios')).filter((f) => f.endsWith('.json') && f !== 'schema.json').map((f) => f.slice(0, -5)).sort();
const names = process.argv.length > 3 ? process.argv.slice(3) : all;
const env = await launch('.');
const hashes = {};
try {
  for (const [width, height, tag] of [[1280, 900, 'desktop'], [390, 844, 'phone']]) {
    for (const name of names) {
      const { page, errors, context } = await openPage(env.browser, `${env.base}www/index.html#scenario=${name}&view=both`, { viewport: { width, height } });
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
      await page.waitForFunction(() => window.__playground?.frames?.history, null, { timeout: 60000 });
      const end = await page.evaluate(() => window.__playground.history.endUs);
      for (const fraction of [0.02, 0.3, 0.7, 0.999]) {
        // A seek pauses, so the messages in flight are those of that instant.
        await page.evaluate((t) => window.__player.seek(t), Math.floor(end * fraction));
        await page.waitForTimeout(500);
        await page.$eval('#stages', (e) => e.scrollIntoView());
        await page.waitForTimeout(150);
        const canvases = await page.$$eval('.stage-box:not([hidden]) canvas', (cs) => cs.map((c) => {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let h = 0x811c9dc5;
          for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 0x01000193);
          return `${c.width}x${c.height}:${(h >>> 0).toString(16)}`;
        }));
        const key = `${name}-${tag}-${fraction}`;
        hashes[key] = canvases.join(' ');
        await page.screenshot({ path: path.join(out, `${key}.png`) });
      }
      if (errors.length) console.log(name, tag, 'errors:', errors);
      await context.close();
    }
  }
} finally {
  await env.close();
}
fs.writeFileSync(path.join(out, 'hashes.json'), `${JSON.stringify(hashes, null, 1)}\n`);
console.log(`${Object.keys(hashes).length} stage pictures hashed into ${out}`);
