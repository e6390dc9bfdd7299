// The stage explains itself: role words from the models, a legend of what the
// run shows, split brain marked on the stage, GitLab's data directory and
// backups, the view matrix, keyboard selection with `stage-select`; and
// screenshots of every built-in scenario at its key moments, kept in
// tests/browser/artifacts/stage-*.png. Needs `make build` first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, openPage, screenshot, repo, nodeInWords } from './harness.mjs';

let env;
before(async () => { env = await launch('.'); });
after(async () => { await env?.close(); });

async function open(hash, options) {
  const opened = await openPage(env.browser, `${env.base}www/index.html${hash}`, options);
  await opened.page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
  await opened.page.waitForFunction(() => window.__playground?.frames?.history || window.__playground?.frames?.variant, null, { timeout: 60000 });
  return opened;
}

/** Seek to `tUs` and wait until the stage shows that time. */
async function seekTo(page, tUs) {
  await page.evaluate((t) => { window.__player.seek(t); }, tUs);
  await page.waitForTimeout(400);
}

/** Times worth a picture, from the history run itself: before the first step's fault, each shaded stretch's start, the end. */
async function keyMoments(page) {
  return page.evaluate(() => {
    const run = window.__playground.history;
    const steps = [...run.steps].filter((_, i) => i % 2 === 0);
    const shades = run.shades;
    const out = [['before', Math.max(0, (steps[1] ?? 1e6) - 1e6)], ['fault', (steps[1] ?? 0) + 2e6]];
    const firstOf = (shade) => { for (let i = 0; i < shades.length; i += 3) if (shades[i] === shade) return shades[i + 1] + 1e6; return null; };
    // Data lost: the instant it was destroyed (shade 5: a deletion, a rollback of acknowledged
    // writes), not the start of the window of writes it took (shade 3).
    // A few seconds after it, so the stage shows the result (GitLab's rm -rf runs for 2 s).
    const destroyed = firstOf(5);
    const split = firstOf(0), lost = destroyed == null ? null : Math.min(run.endUs - 1, destroyed + 4e6), unavailable = firstOf(1);
    if (split != null) out.push(['split-brain', split]);
    if (lost != null) out.push(['data-lost', lost]);
    if (split == null && lost == null && unavailable != null) out.push(['unavailable', unavailable]);
    out.push(['recovery', run.endUs - 1]);
    return out;
  });
}

const legendWords = (page) => page.$eval('#node-legend', (e) => JSON.parse(e.dataset.words || '[]'));
const stageLabel = (page) => page.$eval('#stage-variant', (e) => e.getAttribute('aria-label'));

test('a Raft scenario names its roles in Raft words, and the legend lists every role and health shown', async () => {
  const { page, errors } = await open('#scenario=raft-elections');
  const words = await legendWords(page);
  assert.ok(words.includes('leader'), `legend: ${words}`);
  assert.ok(words.includes('follower'), `legend: ${words}`);
  assert.ok(!words.includes('active'), 'no generic word for Raft');
  for (const [, t] of await keyMoments(page)) {
    await seekTo(page, t);
    const label = await stageLabel(page);
    for (const part of label.replace(/^At [^:]+:[^:]+:[^:]+: /, '').split(', ')) {
      const state = part.split(' ').slice(1).join(' ');
      assert.ok(words.includes(state) || state === 'up', `"${state}" (from ${label}) is in the legend ${words}`);
    }
  }
  await page.evaluate(() => window.__player.seek(window.__playground.history.endUs - 1));
  await page.waitForTimeout(300);
  assert.match(await stageLabel(page), /leader/);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('GitHub: split brain marked on the stage in the history run, not with fence_before_promote', async () => {
  for (const [hash, expectSplit] of [['#scenario=github-2012&view=history', true], ['#scenario=github-2012&set.fence_before_promote=1', false]]) {
    const { page, errors } = await open(hash, { viewport: { width: 1280, height: 1000 } });
    if (!expectSplit) await page.waitForFunction(() => window.__playground.variant, null, { timeout: 60000 });
    const slot = expectSplit ? 'history' : 'variant';
    // Walk the run and read the writable count the frame carries per group, as the stage draws it.
    const most = await page.evaluate(async (s) => {
      const run = s === 'history' ? window.__playground.history : window.__playground.variant;
      let best = 0;
      // The history's split-brain stretches (a few minutes of 13 hours: a uniform walk
      // can step over them on a loaded machine), then a walk over the whole run.
      const shades = window.__playground.history.shades, times = [];
      for (let i = 0; i < shades.length; i += 3) if (shades[i] === 0) times.push(shades[i + 1] + 1e6, (shades[i + 1] + shades[i + 2]) / 2);
      for (let k = 0; k <= 300; k++) times.push(run.endUs * k / 300);
      for (const [n, t] of times.entries()) {
        window.__player.seek(t);
        await new Promise((r) => setTimeout(r, n < times.length - 301 ? 300 : 15));
        const f = window.__playground.frames[s];
        if (!f) continue;
        const nodes = f[0], links = f[1], msgs = f[2], groups = f[5];
        const at = 6 + nodes * 6 + links + msgs * 6;
        for (let g = 0; g < groups; g++) best = Math.max(best, f[at + g]);
      }
      return best;
    }, slot);
    if (expectSplit) assert.ok(most >= 2, `a group with ${most} writable members`); else assert.ok(most < 2, `fencing first: at most ${most} writable`);
    if (expectSplit) {
      const words = await legendWords(page);
      assert.ok(words.includes('active') && words.includes('passive'), `legend ${words}`);
      assert.match(await page.$eval('#node-legend', (e) => e.textContent), /split brain/);
    }
    assert.deepEqual(errors, []);
    await page.context().close();
  }
});

test('GitLab: the stage shows the data directory shrinking to 4.5 GB and the backup methods failing', async () => {
  const { page, errors } = await open('#scenario=gitlab-2017');
  await seekTo(page, 1e6);
  assert.ok((await nodeInWords(page, 'db1')).facts.includes('data directory 300 GB'), JSON.stringify(await nodeInWords(page, 'db1')));
  const deletion = await page.evaluate(() => window.__playground.history.steps[2 * 10]);
  await seekTo(page, deletion + 5e6);
  const db1 = await nodeInWords(page, 'db1');
  assert.equal(db1.state, 'data directory deleted');
  assert.ok(db1.facts.includes('data directory 4.5 GB'), JSON.stringify(db1));
  const backups = await nodeInWords(page, 'backups');
  for (const method of ['pg_dump', 'disk snapshots', 'replication', 'automated backups (S3)']) {
    const line = backups.facts.find((f) => f.startsWith(`${method} `));
    assert.ok(line && !line.endsWith(' ok'), `${method}: ${line}`);
  }
  assert.ok(backups.facts.some((f) => f.startsWith('LVM snapshots ')), 'LVM is listed');
  await screenshot(page, 'stage-gitlab-2017-deleted');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the stage is focusable: arrows move between nodes and devices, Enter dispatches stage-select, the card names what it picked', async () => {
  const { page, errors } = await open('#scenario=cloudflare-2020');
  await page.evaluate(() => { window.__picked = []; document.addEventListener('stage-select', (e) => window.__picked.push(e.detail)); });
  await page.focus('#stage-variant');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  // The card shows while the stage has focus (Enter then moves focus into the action menu).
  const tip = await page.$eval('.stage-box[data-slot="variant"] .stage-tip', (e) => ({ hidden: e.hidden, text: e.textContent }));
  assert.equal(tip.hidden, false);
  await page.keyboard.press('Enter');
  const picked = await page.evaluate(() => window.__picked);
  assert.equal(picked.length, 1);
  // The arrow keys go between nodes and devices (links by Page Down: chaos-lab.test.mjs).
  assert.ok(picked[0].kind === 'node' || picked[0].kind === 'device', picked[0].kind);
  const name = await page.evaluate(({ kind, index }) => { const t = window.__playground.history.topology; return kind === 'node' ? t.nodes[index].name : t.devices[index]; }, picked[0]);
  assert.ok(tip.text.includes(name), `${tip.text} names ${name}`);
  assert.ok(await page.$eval('#view-matrix', (e) => !e.hidden && e.textContent.includes('follows')), 'the view matrix is shown for etcd');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the systems added later show their own state on the stage: Smap, controller epoch, term, leader key, configEpoch', async () => {
  const cases = [
    ['aistore-2025', 'p1', 2e6, [/^Smap version 1$/, /^its Smap's primary p1$/, /^TCP memory /]],
    ['kafka-zombie-controller', 'b1', 3e6, [/^acts as controller in epoch \d+$/, /^partition leader it follows b\d$/, /^as controller, brokers alive /]],
    ['kafka-zombie-controller', 'zk', 3e6, [/^\/controller_epoch \d+$/, /^\/controller held by b1$/]],
    ['mongodb-rollback', 'm1', 3e6, [/^term 1$/, /^follows primary m1$/, /^oplog entries \d+$/]],
    ['patroni-watchdog', 'pg1', 3e6, [/^Patroni process running$/, /^leader key held by \(last read\) pg1$/, /^watchdog /]],
    ['redis-cluster-failover', 'm1', 3e6, [/^currentEpoch \d+$/, /^configEpoch claimed \d+$/, /^replicates m1$/]],
  ];
  for (const [scenario, node, t, patterns] of cases) {
    const { page, errors } = await open(`#scenario=${scenario}`);
    await seekTo(page, t);
    const d = await nodeInWords(page, node);
    for (const p of patterns) assert.ok(d.facts.some((f) => p.test(f)), `${scenario} ${node}: ${p} in ${JSON.stringify(d.facts)}`);
    // The stage's hover and focus card shows the same words.
    const at = await page.evaluate(async (n) => {
      const { nodeGeometry } = await import('/www/stage/stage.js');
      const { layoutNodes } = await import('/www/lib/layout.js');
      const run = window.__playground.history;
      const canvas = document.querySelector('#stage-variant');
      canvas.scrollIntoView({ block: 'center' });
      const box = canvas.getBoundingClientRect();
      const p = nodeGeometry(box.width, box.height, layoutNodes(run.topology)).nodes[run.topology.nodes.findIndex((x) => x.name === n)];
      return { x: box.left + p.x, y: box.top + p.y };
    }, node);
    await page.mouse.move(at.x, at.y);
    const tip = await page.$eval('.stage-box[data-slot="variant"] .stage-tip', (e) => (e.hidden ? '' : e.textContent));
    assert.ok(tip.includes(node) && tip.includes(d.facts[0]), `the card for ${node} shows "${d.facts[0]}": ${tip}`);
    assert.deepEqual(errors, [], scenario);
    await page.context().close();
  }
});

test('the story moves on: the Kafka zombie acts in an older epoch than ZooKeeper holds, the stalled Patroni leader counts its TTL down', async () => {
  {
    const { page, errors } = await open('#scenario=kafka-zombie-controller');
    const end = await page.evaluate(() => window.__playground.history.endUs);
    let zombie = false;
    for (let k = 1; k <= 120 && !zombie; k++) {
      await seekTo(page, (end * k) / 120);
      const [b1, zk] = [await nodeInWords(page, 'b1'), await nodeInWords(page, 'zk')];
      const acting = b1.facts.find((f) => f.startsWith('acts as controller in epoch '));
      const held = zk.facts.find((f) => f.startsWith('/controller_epoch '));
      if (acting && held && Number(acting.split(' ').pop()) < Number(held.split(' ').pop())) zombie = true;
    }
    assert.ok(zombie, 'b1 is seen acting as controller in an epoch older than ZooKeeper\'s');
    assert.deepEqual(errors, []);
    await page.context().close();
  }
  {
    const { page, errors } = await open('#scenario=patroni-watchdog');
    const stall = await page.evaluate(() => window.__playground.history.steps[2 * 1]);
    const ttl = async (t) => { await seekTo(page, t); return (await nodeInWords(page, 'pg1')).facts.find((f) => f.startsWith('leader key TTL left')); };
    const [a, b] = [await ttl(stall + 2e6), await ttl(stall + 12e6)];
    assert.ok(a && b && a !== b, `pg1's TTL runs down while Patroni is stopped: ${a} then ${b}`);
    assert.ok((await nodeInWords(page, 'pg1')).facts.includes('Patroni process stopped (stalled)'));
    assert.deepEqual(errors, []);
    await page.context().close();
  }
});

test('screenshots of every built-in scenario at its key moments', async () => {
  const names = fs.readdirSync(path.join(repo, 'scenarios')).filter((f) => f.endsWith('.json') && f !== 'schema.json').map((f) => f.slice(0, -5)).sort();
  for (const [width, height, tag] of [[1280, 1000, 'desktop'], [390, 844, 'phone']]) {
    for (const name of names) {
      const { page, errors } = await open(`#scenario=${name}`, { viewport: { width, height } });
      for (const [moment, t] of await keyMoments(page)) {
        await seekTo(page, t);
        await page.$eval('#stages', (e) => e.scrollIntoView());
        await screenshot(page, `stage-${name}-${tag}-${moment}`);
      }
      assert.deepEqual(errors, [], name);
      await page.context().close();
    }
  }
});
