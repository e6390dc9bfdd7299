// The chaos lab by keyboard: the partition picker (pick the sides, cut between
// them, heal; the same injected-action path as every other action, so the URL
// carries it and the CLI gives the same digest), every node, link and device
// on the stage reachable with the keyboard (one selection, one stage-select
// per Enter), the gallery's labels from each scenario's `meta.kind`, and axe
// on the lab's controls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { launch, openPage, repo, screenshot } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const scenario = (name) => JSON.parse(fs.readFileSync(path.join(repo, 'scenarios', `${name}.json`), 'utf8'));

function nativeDigest(name, inject) {
  const args = ['run', path.join(repo, 'scenarios', `${name}.json`), '--format', 'json', '--seed', '1'];
  for (const a of inject) args.push('--inject', a);
  return JSON.parse(execFileSync(path.join(repo, 'target/release/incident-replay'), args, { encoding: 'utf8' })).digest;
}

async function ready(page) {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
}

/** Wait until the page has run `count` actions and return its digest. */
async function digestAfter(page, count) {
  await page.waitForFunction((n) => document.body.dataset.actions === String(n) && document.querySelector('#run-status').textContent.includes('ms'), count, { timeout: 30000 });
  return page.evaluate(() => document.body.dataset.digest);
}

/** Press Tab until `test()` holds in the page (at most `limit` times); returns whether it did. */
async function tabUntil(page, test, arg, limit = 80) {
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate(test, arg)) return true;
    await page.keyboard.press('Tab');
  }
  return page.evaluate(test, arg);
}

/** Each link of the variant's frame now: [from name, to name, cut?] (frame layout: www/lib/frame-layout.js). */
function linkStates(page) {
  return page.evaluate(() => {
    const s = window.__playground;
    const f = s.frames.variant, t = s.variant.topology;
    const nodeCount = f[0], linkCount = f[1], at = 6 + nodeCount * 6;
    return Array.from({ length: linkCount }, (_, i) => [t.nodes[t.links[3 * i]].name, t.nodes[t.links[3 * i + 1]].name, f[at + i] === 1]);
  });
}

async function seriousViolations(page) {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

test('keyboard only: pick two sides in the partition picker, cut between them, see it on the stage and in the URL, heal it', async () => {
  const { page, errors, context } = await openPage(env.browser, `${env.base}#scenario=sandbox-raft&t=30`);
  await ready(page);
  // From the stage: server 1, Enter, "Pick the sides…" puts it on side 2 and focuses its row.
  assert.ok(await tabUntil(page, () => document.activeElement?.id === 'stage-variant'), 'Tab reaches the stage');
  await page.keyboard.press('ArrowRight');
  assert.match(await page.textContent('#stage-focus'), /Selected server 1 \(raft\)/);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#action-menu[open]');
  assert.ok(await tabUntil(page, () => document.activeElement?.textContent === 'Pick the sides…', null, 20), 'the menu offers the picker');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 's1 on side 2', 'focus lands on s1, on side 2');
  assert.equal(await page.evaluate(() => document.querySelector('#action-menu').open), false, 'the menu closed');
  // Tab to s2's row, ArrowRight moves it to side 2.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 's2 on side 1');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 's2 on side 2');
  assert.equal(await page.isChecked('input[aria-label="s2 on side 2"]'), true, 'the arrow key picks the side');
  assert.match(await page.textContent('#partition-preview'), /partition s3,s4,s5,client\/s1,s2$/);
  await screenshot(page, 'chaos-partition-picker');
  // On to the button, and cut.
  assert.ok(await tabUntil(page, () => document.activeElement?.id === 'partition-inject', null, 20), 'Tab reaches "Cut between the sides"');
  await page.keyboard.press('Enter');
  const cutDigest = await digestAfter(page, 1);
  const partition = '30s partition s3,s4,s5,client/s1,s2';
  assert.equal(await page.textContent('#injected li code'), partition);
  assert.equal(cutDigest, nativeDigest('sandbox-raft', [partition]), 'the same digest as the CLI with --inject');
  await page.waitForFunction(() => location.hash.includes('act='));
  assert.deepEqual(await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).getAll('act')), [partition], 'the URL carries the action');
  // On the stage: every link between the sides is cut, every link within a side is not.
  const side2 = new Set(['s1', 's2']);
  await page.waitForFunction(() => window.__playground.frames.variant && window.__playground.variant);
  const links = await linkStates(page);
  assert.ok(links.length > 0);
  for (const [from, to, cut] of links) assert.equal(cut, side2.has(from) !== side2.has(to), `${from}→${to} cut=${cut}`);
  await page.$eval('#stages', (e) => e.scrollIntoView());
  await screenshot(page, 'chaos-partition-cut');
  // A little later (Shift+→ from the button: the playback shortcut), heal between the same sides.
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'partition-heal-sides');
  await page.keyboard.press('Enter');
  const healDigest = await digestAfter(page, 2);
  const lines = await page.$$eval('#injected li code', (c) => c.map((x) => x.textContent));
  assert.equal(lines.length, 2);
  assert.match(lines[1], /^3\d(\.\d+)?s heal_partition s3,s4,s5,client\/s1,s2$/);
  assert.ok(!lines[1].startsWith('30s '), 'healed later than the cut');
  assert.equal(healDigest, nativeDigest('sandbox-raft', lines), 'partition and heal: the CLI digest');
  await page.keyboard.press('Shift+ArrowRight');
  await page.waitForFunction(() => window.__playground.tUs > 32e6);
  await page.waitForTimeout(300);
  assert.deepEqual((await linkStates(page)).filter(([, , cut]) => cut), [], 'healed: nothing is cut');
  // A fresh page from the forked link reproduces the digest.
  await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).getAll('act').length === 2);
  const forked = await page.evaluate(() => location.href);
  const again = await context.newPage();
  await again.goto(forked);
  await ready(again);
  assert.equal(await digestAfter(again, 2), healDigest, 'the link reproduces the run');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the picker refuses fewer than two sides, and a topology too large for the table gets a text field', async () => {
  const { page, errors, context } = await openPage(env.browser, `${env.base}#scenario=sandbox-raft&t=10`);
  await ready(page);
  await page.click('#inject-title');
  assert.match(await page.textContent('#partition-preview'), /at least two sides/);
  await page.click('#partition-inject');
  await page.waitForTimeout(300);
  assert.equal(await page.$$eval('#injected li', (l) => l.length), 0, 'nothing was added');
  // Three sides: s1 | s2 | the rest; client on no side keeps its links.
  await page.click('#partition-add-side');
  await page.check('input[aria-label="s1 on side 2"]');
  await page.check('input[aria-label="s2 on side 3"]');
  await page.check('input[aria-label="client on no side"]');
  assert.match(await page.textContent('#partition-preview'), /partition s3,s4,s5\/s1\/s2$/);
  await page.click('#partition-inject');
  await digestAfter(page, 1);
  await page.waitForTimeout(300);
  const links = await linkStates(page);
  const side = { s1: 2, s2: 3, s3: 1, s4: 1, s5: 1 };
  for (const [from, to, cut] of links) {
    const expected = from !== 'client' && to !== 'client' && side[from] !== side[to];
    assert.equal(cut, expected, `${from}→${to}`);
  }
  assert.deepEqual(errors, []);
  await context.close();
  // github-2012 has more nodes than the table shows.
  const big = scenario('github-2012').nodes.length;
  if (big > 64) {
    const r = await openPage(env.browser, `${env.base}#scenario=github-2012`);
    await ready(r.page);
    await r.page.click('#inject-title');
    assert.equal(await r.page.isVisible('#partition-groups'), true, `${big} nodes: a text field`);
    assert.equal(await r.page.isVisible('#partition-table'), false);
    // From a link's menu, the field starts with the link's two ends on two sides.
    await r.page.evaluate(() => document.querySelector('#stage-variant').dispatchEvent(new CustomEvent('stage-select', { bubbles: true, detail: { kind: 'link', index: 0 } })));
    await r.page.click('#action-menu button:text("Partition: pick the sides…")');
    const ends = await r.page.evaluate(() => { const t = window.__playground.history.topology; return `${t.nodes[t.links[0]].name}/${t.nodes[t.links[1]].name}`; });
    assert.equal(await r.page.inputValue('#partition-groups'), ends);
    assert.equal(await r.page.evaluate(() => document.activeElement?.id), 'partition-groups');
    assert.match(await r.page.textContent('#partition-preview'), new RegExp(`partition ${ends}$`));
    assert.deepEqual(r.errors, []);
    await r.context.close();
  }
});

test('keyboard: every node, link and device on the stage can be selected; Enter dispatches one stage-select and opens its menu', async () => {
  const name = 'sandbox-ha-pair';
  const s = scenario(name);
  const { page, errors, context } = await openPage(env.browser, `${env.base}#scenario=${name}&t=20`);
  await ready(page);
  await page.evaluate(() => { window.__picked = []; document.addEventListener('stage-select', (e) => window.__picked.push(e.detail)); });
  await page.focus('#stage-variant');
  // Page Down walks every item once and comes back to the first.
  // What is selected, from the announcement ("Selected link fs01a ↔ fs01b." and, the first time, the keys).
  const selectedNow = async () => /^Selected (.*?)\.(?: |$)/.exec(await page.textContent('#stage-focus'))[1];
  const seen = [];
  for (let i = 0; i < 400; i++) {
    await page.keyboard.press('PageDown');
    const now = await selectedNow();
    if (seen.includes(now)) break;
    seen.push(now);
  }
  const first = await page.evaluate(() => { const n = window.__playground.history.topology.nodes[0]; return `${n.label || n.name} (${n.model})`; });
  assert.equal(seen[0], first, 'Page Down starts at the first node');
  const devices = seen.filter((t) => t.startsWith('device '));
  assert.deepEqual(devices.map((t) => t.slice('device '.length)), s.devices.map((d) => d.name), 'every device');
  const nodes = seen.filter((t) => !t.startsWith('link ') && !t.startsWith('device '));
  assert.equal(nodes.length, s.nodes.length, 'every node');
  const links = seen.filter((t) => t.startsWith('link '));
  const pairs = await page.evaluate(() => {
    const l = window.__playground.history.topology.links;
    const set = new Set();
    for (let i = 0; i < l.length / 3; i++) set.add([Math.min(l[3 * i], l[3 * i + 1]), Math.max(l[3 * i], l[3 * i + 1])].join('-'));
    return set.size;
  });
  assert.equal(links.length, pairs, 'every pair of linked nodes');
  assert.equal(await page.evaluate(() => window.__picked.length), 0, 'moving does not pick');
  // To the first device, Enter: its menu, one event.
  for (let i = 0; i < seen.length; i++) {
    if ((await selectedNow()) === `device ${s.devices[0].name}`) break;
    await page.keyboard.press('PageDown');
  }
  const tip = await page.$eval('.stage-box[data-slot="variant"] .stage-tip', (e) => ({ hidden: e.hidden, text: e.textContent }));
  assert.equal(tip.hidden, false);
  assert.ok(tip.text.includes(`Device ${s.devices[0].name}`), tip.text);
  await page.$eval('#stages', (e) => e.scrollIntoView());
  await screenshot(page, 'chaos-device-selected');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#action-menu[open]');
  assert.deepEqual(await page.evaluate(() => window.__picked.map((d) => [d.kind, d.index])), [['device', 0]]);
  assert.match(await page.textContent('#action-menu-title'), new RegExp(`^Device ${s.devices[0].name} at 20s$`));
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Fail it');
  await page.keyboard.press('Enter');
  const digest = await digestAfter(page, 1);
  const line = await page.textContent('#injected li code');
  assert.equal(line, `20s device_fault ${s.devices[0].name} 100%`);
  assert.equal(digest, nativeDigest(name, [line]));
  // The arrow keys reach a device too (from wherever they start), and a link by Page Down from a server.
  await page.focus('#stage-variant');
  await page.keyboard.press('Home');
  let reached = false;
  for (const key of ['ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowRight', 'ArrowUp', 'ArrowUp', 'ArrowUp', 'ArrowLeft', 'ArrowDown', 'ArrowDown']) {
    await page.keyboard.press(key);
    if ((await page.textContent('#stage-focus')).startsWith('Selected device ')) { reached = true; break; }
  }
  assert.ok(reached, 'arrow keys step onto a device');
  await page.keyboard.press('Home');
  await page.keyboard.press('PageDown');
  assert.match(await page.textContent('#stage-focus'), /^Selected link /);
  await page.$eval('#stages', (e) => e.scrollIntoView());
  await screenshot(page, 'chaos-link-selected');
  await page.keyboard.press('Escape');
  assert.equal(await page.$eval('.stage-box[data-slot="variant"] .stage-tip', (e) => e.hidden), true, 'Escape clears the selection');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the gallery labels each card by its scenario\'s kind: sandboxes, the lab and the demo are not replays', async () => {
  const { page, errors, context } = await openPage(env.browser, env.base);
  await page.waitForSelector('#cards .card');
  const cards = await page.$$eval('#cards .card', (cs) => cs.map((c) => ({ href: c.getAttribute('href'), kind: c.querySelector('.kind')?.textContent, meta: c.querySelector('.card-meta')?.textContent })));
  const names = fs.readdirSync(path.join(repo, 'scenarios')).filter((f) => f.endsWith('.json') && f !== 'schema.json').map((f) => f.slice(0, -5));
  assert.equal(cards.length, names.length);
  const label = { replay: 'Replay', lab: 'Lab', demo: 'Demo', sandbox: 'Sandbox' };
  const rank = Object.keys(label);
  let last = -1;
  for (const card of cards) {
    const name = decodeURIComponent(card.href.replace('#scenario=', ''));
    const kind = scenario(name).meta.kind ?? 'replay';
    assert.equal(card.kind, label[kind], `${name} is labelled ${label[kind]}`);
    if (kind === 'replay') assert.ok(card.meta.includes(scenario(name).meta.date), `${name}: a replay shows its date`);
    else assert.ok(!card.meta.includes(scenario(name).meta.date), `${name}: a ${kind} shows no incident date`);
    assert.ok(rank.indexOf(kind) >= last, `${name}: replays first, then labs, demos, sandboxes`);
    last = rank.indexOf(kind);
  }
  for (const n of ['sandbox-raft', 'sandbox-ha-pair', 'sandbox-postgres']) assert.equal(cards.find((c) => c.href === `#scenario=${n}`).kind, 'Sandbox');
  assert.equal(cards.find((c) => c.href === '#scenario=raft-elections').kind, 'Lab');
  assert.equal(cards.find((c) => c.href === '#scenario=demo-partition').kind, 'Demo');
  await screenshot(page, 'chaos-gallery-labels');
  assert.deepEqual(await seriousViolations(page), []);
  // The player names the run without your changes by the kind too: a sandbox's is not history.
  await page.click('#cards a[href="#scenario=sandbox-raft"]');
  await ready(page);
  assert.match(await page.textContent('#summary'), /^Sandbox · /);
  assert.equal(await page.textContent('#outcome-history-name'), 'Left alone');
  assert.equal(await page.textContent('#view-history-name'), 'Left alone');
  // Until you change something the stage shows that run, captioned by its name.
  await page.waitForFunction(() => document.querySelector('.stage-box[data-slot="variant"] figcaption').textContent === 'Left alone');
  await page.evaluate(() => { location.hash = '#scenario=github-2012'; });
  await page.waitForFunction(() => document.querySelector('#title').textContent.startsWith('GitHub'));
  await ready(page);
  assert.equal(await page.textContent('#outcome-history-name'), 'History', 'a replay keeps "History"');
  assert.match(await page.textContent('#summary'), /^2012-12-22 · /);
  assert.deepEqual(errors, []);
  await context.close();
});

for (const scheme of ['light', 'dark']) {
  test(`axe: the partition picker and a device's menu have no serious or critical violations (${scheme})`, async () => {
    const { page, errors, context } = await openPage(env.browser, `${env.base}#scenario=sandbox-ha-pair&t=20`, { colorScheme: scheme });
    await ready(page);
    await page.click('#inject-title');
    await page.check('input[aria-label="fs01b on side 2"]');
    await page.evaluate(() => document.querySelector('#stage-variant').dispatchEvent(new CustomEvent('stage-select', { bubbles: true, detail: { kind: 'device', index: 0 } })));
    await page.waitForSelector('#action-menu[open]');
    await page.waitForTimeout(300);
    assert.deepEqual(await seriousViolations(page), []);
    await page.$eval('#inject-box', (e) => e.scrollIntoView());
    await screenshot(page, `chaos-picker-${scheme}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}
