import { launch, openPage } from './harness.mjs';
const [,, hash = '', out = '/tmp/shots/page.png', scheme = 'light', w = '1280', h = '1000'] = process.argv;
const { browser, base, close } = await launch();
const { page, errors } = await openPage(browser, `${base}index.html${hash}`, { viewport: { width: +w, height: +h }, colorScheme: scheme });
await page.waitForTimeout(3000);
await page.screenshot({ path: out, fullPage: true });
console.log('errors:', errors);
console.log('ready:', await page.evaluate(() => document.body.dataset.ready), 'err:', await page.evaluate(() => document.getElementById('error')?.textContent));
await close();
