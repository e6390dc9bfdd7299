// Writes docs/screenshot.png, the README's picture: the GitHub 2012 replay at
// 1280×800, history beside "promote only after confirmed fencing", during the
// split brain. Run after `make build`: node tests/browser/readme-screenshot.mjs
import path from 'node:path';
import { launch, openPage, repo } from './harness.mjs';

const env = await launch();
try {
  const { page } = await openPage(env.browser, `${env.base}#scenario=github-2012&t=4700&view=both&set.fence_before_promote=1`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await page.waitForFunction(() => window.__playground.variant && window.__playground.frames.variant && window.__playground.frames.history, null, { timeout: 30000 });
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(repo, 'docs/screenshot.png') });
} finally {
  await env.close();
}
