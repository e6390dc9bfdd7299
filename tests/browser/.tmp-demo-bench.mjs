import { launch, openPage } from './harness.mjs';
const env = await launch();
const { page } = await openPage(env.browser, `${env.base}workshop.html#scenario=demo-partition`);
await page.waitForSelector('body[data-ready="true"]');
await page.selectOption('#sweep-a-name', 'dead_time'); await page.fill('#sweep-a-from', '1'); await page.fill('#sweep-a-to', '5'); await page.fill('#sweep-a-steps', '10');
await page.selectOption('#sweep-b-name', 'heartbeat_interval'); await page.fill('#sweep-b-from', '500'); await page.fill('#sweep-b-to', '2500'); await page.fill('#sweep-b-steps', '10');
await page.fill('#sweep-seeds', '10');
for (let k = 0; k < 2; k++) {
  const before = await page.$eval('#sweep', (el) => Number(el.dataset.sweeps || 0));
  await page.click('#sweep button[type=submit]');
  await page.waitForFunction((n) => Number(document.getElementById('sweep').dataset.sweeps || 0) > n, before, { timeout: 120000 });
  console.log(await page.textContent('#sweep-summary'));
}
await env.close();
