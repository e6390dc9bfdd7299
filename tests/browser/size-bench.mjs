// Benchmark, not a test: what a visitor downloads. The WASM's size raw and
// gzipped, and every file the embed (tests/browser/fixtures/one-embed.html, one
// <incident-replay> element with github-2012) and the playground (index.html, until its first
// run is on screen) fetch, summed raw and gzipped (gzip -9 of each body, as a
// static host with compression would send it), for www/ and, when `make dist` has
// built it, for dist/. Run with `make bench`.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { launch, openPage, repo } from './harness.mjs';

const gzip = (bytes) => zlib.gzipSync(bytes, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;

const wasm = fs.readFileSync(path.join(repo, 'www/pkg/incident_replay_bg.wasm'));
console.log(`WASM: ${wasm.length} bytes raw, ${gzip(wasm)} bytes gzip -9 (${kb(gzip(wasm))})`);

/** Load `url`, wait until `ready` holds, and sum what the page fetched from the site. */
async function transfer(browser, base, url, ready) {
  const { page } = await openPage(browser, base + url);
  const files = new Map();
  page.on('response', async (r) => {
    if (!r.url().startsWith(base)) return;
    try { files.set(r.url(), await r.body()); } catch { /* redirects and aborted requests have no body */ }
  });
  await page.reload();
  await page.waitForFunction(ready, null, { timeout: 60000 });
  await page.waitForLoadState('networkidle');
  let raw = 0, zipped = 0;
  for (const body of files.values()) { raw += body.length; zipped += gzip(body); }
  await page.context().close();
  return { count: files.size, raw, zipped };
}

// www/ is what `make build` serves (plain ES modules); dist/ is what `make dist`
// ships (tools/bundle.mjs: one minified file per page and per worker). The
// embed fixture for dist/ is the same page pointing at dist/'s element.
const sites = ['www'];
if (fs.existsSync(path.join(repo, 'dist/embed/incident-replay.js'))) {
  const fixture = fs.readFileSync(path.join(repo, 'tests/browser/fixtures/one-embed.html'), 'utf8');
  fs.mkdirSync(path.join(repo, 'tests/browser/artifacts'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'tests/browser/artifacts/one-embed-dist.html'), fixture.replace('/www/embed/', '/dist/embed/'));
  sites.push('dist');
}
const { browser, base, close } = await launch('.');
try {
  for (const site of sites) {
    const pages = [
      [`${site}: embed, one <incident-replay>`, site === 'www' ? 'tests/browser/fixtures/one-embed.html' : 'tests/browser/artifacts/one-embed-dist.html', () => document.querySelector('#one').dataset.ready === 'true'],
      [`${site}: playground (index.html)`, `${site}/index.html#scenario=github-2012`, () => document.body.dataset.ready === 'true'],
    ];
    for (const [label, url, ready] of pages) {
      const t = await transfer(browser, base, url, ready);
      console.log(`${label}: ${t.count} files, ${t.raw} bytes raw, ${t.zipped} bytes gzip (${kb(t.zipped)})`);
    }
  }
} finally {
  await close();
}
