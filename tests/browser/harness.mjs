// Shared set-up for the browser tests: a static server on a free loopback port
// and Debian's headless Chromium driven by playwright-core.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../tools/serve.mjs';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const artifacts = path.join(repo, 'tests/browser/artifacts');

export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

/** Start the server and the browser; returns { browser, base, close }. */
export async function launch(root = 'www', headers = {}) {
  const server = await serve(path.join(repo, root), 0, headers);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  const base = `http://127.0.0.1:${server.address().port}/`;
  return {
    browser,
    base,
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A page that records console errors and uncaught exceptions. */
export async function openPage(browser, url, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  return { page, errors, context };
}

export async function screenshot(page, name) {
  fs.mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The native CLI's outcome for a scenario (built by `make test-browser`). */
export function nativeOutcome(scenario, seed, sets = []) {
  const bin = path.join(repo, 'target/release/incident-replay');
  const args = ['run', path.join(repo, 'scenarios', `${scenario}.json`), '--format', 'json', '--seed', String(seed)];
  for (const s of sets) args.push('--set', s);
  return JSON.parse(execFileSync(bin, args, { encoding: 'utf8' }));
}

/** Count distinct colours in a canvas: a blank canvas has one. */
export async function canvasColours(page, selector = 'canvas') {
  return page.$eval(selector, (canvas) => {
    const ctx = canvas.getContext('2d');
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const seen = new Set();
    // About 50,000 samples: every pixel of a thin bar, a sparse grid on a large stage.
    const stride = Math.max(1, Math.floor(data.length / 4 / 50000));
    for (let i = 0; i < data.length; i += 4 * stride) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  });
}
