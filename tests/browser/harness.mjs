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

/** Node `name`'s state and facts in words, as the stage, its hover card and its description show them (the variant's frame, else the history's). */
export async function nodeInWords(page, name) {
  return page.evaluate(async (n) => {
    const { describeNode } = await import('/www/stage/node-words.js');
    const { readFrame } = await import('/www/lib/frame-layout.js');
    const run = window.__playground.history;
    const i = run.topology.nodes.findIndex((x) => x.name === n);
    return describeNode(run.topology, readFrame(window.__playground.frames.variant ?? window.__playground.frames.history), i);
  }, name);
}

// ------------------------------------------------------------------ host pages for the <incident-replay> element
// These need the server rooted at the repository (`launch('.')`), where the element is /www/embed/.

/** A host page that loads the element and holds `body` (and `head` in its head). */
export const hostPage = (body, head = '') => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title><link rel="icon" href="data:,">${head}
<script type="module" src="/www/embed/incident-replay.js"></script></head><body>${body}</body></html>`;

/** Serve `html` at tests/browser/`name`.html on the test server's origin (a made-up address: nothing is written); returns its URL. */
export async function hostAt(context, base, name, html) {
  const pathname = `/tests/browser/${name}.html`;
  await context.route((url) => url.pathname === pathname, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  return `${base}tests/browser/${name}.html`;
}

/** Wait until the element at `selector` has run its scenario or shown an error (its `data-ready`). */
export const elementSettled = (page, selector) => page.waitForFunction((s) => ['true', 'error'].includes(document.querySelector(s).dataset.ready), selector, { timeout: 60000 });

/**
 * Put `scenarios` ({ name: scenario object }) in www/scenarios while `body` runs, so an
 * element can open them by name, and remove them afterwards (www/scenarios is a build output).
 */
export async function withScenarioFiles(scenarios, body) {
  const dir = path.join(repo, 'www/scenarios');
  for (const [name, s] of Object.entries(scenarios)) fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(s));
  try {
    return await body();
  } finally {
    for (const name of Object.keys(scenarios)) fs.rmSync(path.join(dir, `${name}.json`), { force: true });
  }
}

/** What a viewer does to an element with full controls: play 2.5 s across the fault, pause, seek End, Home, End, resize the window. */
export async function playSeekResize(page, selector) {
  await page.$eval(selector, (e) => e.shadowRoot.querySelector('#play').click());
  await page.waitForTimeout(2500);
  await page.$eval(selector, (e) => e.shadowRoot.querySelector('#play').click());
  for (const key of ['End', 'Home', 'End']) {
    await page.$eval(selector, (e) => e.shadowRoot.querySelector('.player').focus());
    await page.keyboard.press(key);
    await page.waitForTimeout(300);
  }
  await page.setViewportSize({ width: 1000, height: 800 });
  await page.waitForTimeout(800);
}
