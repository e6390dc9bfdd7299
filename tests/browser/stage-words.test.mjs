// What the stage draws in words and shapes, read back from what it drew (the
// main canvas's `data-drawn`: each node's state line, fact lines drawn and
// left out, spare or not; paint-node.js) and from its pixels: spares (nodes
// left out of the run) look hollow and dashed and the legend says so; no
// stray epoch suffix ("· t1") on a model that declares no facts; on a phone
// every server's facts are readable (drawn whole, or listed under the stage). Screenshots in tests/browser/artifacts/words-*.png.
// Needs `make build` first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot } from './harness.mjs';

let env;
before(async () => { env = await launch('.'); });
after(async () => { await env?.close(); });

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

async function open(hash, viewport = DESKTOP) {
  const opened = await openPage(env.browser, `${env.base}www/index.html${hash}`, { viewport });
  await opened.page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
  await opened.page.waitForFunction(() => window.__playground?.frames?.history || window.__playground?.frames?.variant, null, { timeout: 60000 });
  await opened.page.waitForSelector('#stage-variant[data-drawn]', { timeout: 60000 });
  return opened;
}

async function seekTo(page, tUs) {
  await page.evaluate((t) => window.__player.seek(t), tUs);
  await page.waitForTimeout(500);
}

/** The main stage's words as drawn, by node name. */
async function drawn(page) {
  const list = await page.$eval('#stage-variant', (c) => JSON.parse(c.dataset.drawn));
  return Object.fromEntries(list.map((n) => [n.name, n]));
}

/** Node `name`'s centre and radius on the main stage, in canvas pixels, and the colour of the pixel `dy` radii below it. */
async function pixelBelowCentre(page, name, dy) {
  return page.evaluate(async ({ n, dy }) => {
    const { nodeGeometry } = await import('/www/stage/stage.js');
    const s = window.__playground;
    const canvas = document.querySelector('#stage-variant');
    const box = canvas.getBoundingClientRect();
    const g = nodeGeometry(box.width, box.height, s.layout.nodes);
    const run = s.variant ?? s.history;
    const p = g.nodes[run.topology.nodes.findIndex((x) => x.name === n)];
    const scale = canvas.width / box.width;
    const [r, gr, b] = canvas.getContext('2d').getImageData(Math.round(p.x * scale), Math.round((p.y + dy * g.radius) * scale), 1, 1).data;
    return `${r},${gr},${b}`;
  }, { n: name, dy });
}

test('Redis Cluster: the nodes left out of the run are drawn as spares, and the legend says what a spare is', async () => {
  const { page, errors } = await open('#scenario=redis-cluster-failover');
  const topology = await page.evaluate(() => window.__playground.history.topology.nodes.map((n) => ({ name: n.name, dormant: n.show.dormant, model: n.model })));
  const spares = topology.filter((n) => n.dormant).map((n) => n.name);
  // Three masters with one replica each: m2a, m4, m5, r1a, r4, r5 and the second replicas are left out.
  for (const name of ['m4', 'm5', 'r4', 'r5', 'r1b']) assert.ok(spares.includes(name), `${name} is a spare: ${spares}`);
  for (const name of ['m1', 'm2', 'm3', 'r1', 'r2', 'r3']) assert.ok(!spares.includes(name), `${name} takes part`);
  await seekTo(page, 3e6);
  const words = await drawn(page);
  for (const name of spares) {
    assert.equal(words[name].spare, true, name);
    assert.equal(words[name].state, 'spare, not started', name);
  }
  assert.equal(words.r1.spare, false);
  assert.notEqual(words.r1.state, 'spare, not started');
  // Hollow: inside a spare's circle (below its name) the canvas is the background; inside a replica it is the role colour.
  const spareInside = await pixelBelowCentre(page, 'm4', 0.6);
  const replicaInside = await pixelBelowCentre(page, 'r1', 0.6);
  assert.notEqual(replicaInside, spareInside, `r1 ${replicaInside} and m4 ${spareInside} look different`);
  assert.equal(spareInside, '255,255,255', `m4 is hollow (the light theme's background): ${spareInside}`);
  const legend = await page.$eval('#node-legend', (e) => ({ words: JSON.parse(e.dataset.words), text: e.textContent, swatch: Boolean(e.querySelector('.node-spare')) }));
  assert.ok(legend.words.includes('spare, not started') && legend.swatch, JSON.stringify(legend));
  assert.match(legend.text, /not part of this run/);
  // The stage's accessible description names them spares too.
  assert.match(await page.$eval('#stage-variant', (e) => e.getAttribute('aria-label')), /m4 spare, not started/);
  await screenshot(page, 'words-redis-cluster-failover-desktop');
  assert.deepEqual(errors, []);
  await page.context().close();

  // With five masters m4 and m5 run: no longer spares (the field follows the parameters).
  const five = await open('#scenario=redis-cluster-failover&set.masters=5');
  await five.page.waitForFunction(() => window.__playground.variant, null, { timeout: 60000 });
  const running = await five.page.evaluate(() => window.__playground.variant.topology.nodes.filter((n) => n.show.dormant).map((n) => n.name));
  assert.ok(!running.includes('m4') && !running.includes('m5') && running.includes('r1b'), `spares with five masters: ${running}`);
  assert.deepEqual(five.errors, []);
  await five.page.context().close();
});

test('Cloudflare: the auth database members show their role, with no stray epoch suffix', async () => {
  const { page, errors } = await open('#scenario=cloudflare-2020');
  const end = await page.evaluate(() => window.__playground.history.endUs);
  const seen = new Set();
  for (const t of [1e6, end * 0.3, end * 0.7, end - 1]) {
    await seekTo(page, t);
    const words = await drawn(page);
    for (const name of ['auth1', 'auth2', 'auth3']) {
      assert.doesNotMatch(words[name].state, /·|\bt\d+\b/, `${name} at ${t}: "${words[name].state}"`);
      assert.match(words[name].state, /^(primary|replica|rebuilding)$/, `${name} at ${t}`);
      seen.add(words[name].state);
    }
  }
  assert.ok(seen.has('primary') && seen.has('rebuilding'), `roles seen: ${[...seen]}`);
  // The etcd members still draw their facts on a desktop stage.
  assert.ok((await drawn(page)).etcd1.facts.some((l) => l.startsWith('term: ')), 'etcd1 draws its term');
  await screenshot(page, 'words-cloudflare-2020-desktop');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('on a phone every server\'s facts are readable: drawn whole on the stage, or listed under it', async () => {
  for (const [name, t] of [['aistore-2025', 2e6], ['cloudflare-2020', 3e6], ['redis-cluster-failover', 3e6], ['github-2012', 3e6]]) {
    const { page, errors } = await open(`#scenario=${name}`, PHONE);
    await seekTo(page, t);
    const words = await drawn(page);
    const listed = await page.$eval('#node-facts', (e) => ({ hidden: e.hidden, open: e.open, names: JSON.parse(e.dataset.nodes || '[]'), items: [...e.querySelectorAll('li')].map((li) => li.textContent) }));
    const cut = Object.values(words).filter((n) => n.hidden.length);
    assert.ok(cut.length > 0, `${name}: a phone has no room for some facts`);
    assert.equal(listed.hidden, false, `${name}: the list is shown`);
    assert.equal(listed.open, true, `${name}: and open on a phone`);
    for (const node of cut) {
      const item = listed.items.find((text) => text.startsWith(`${node.name} `));
      assert.ok(item, `${name}: ${node.name} is listed (${listed.names})`);
      // Every fact the stage left out is in the list, in the card's words ("label value").
      for (const line of node.hidden) assert.ok(item.includes(line.replace(': ', ' ')), `${name}: "${line}" in "${item}"`);
    }
    // Fact lines drawn on the canvas fit it: none wider than the stage.
    const tooWide = await page.evaluate((lines) => {
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = '11px system-ui, sans-serif';
      const width = document.querySelector('#stage-variant').getBoundingClientRect().width;
      return lines.filter((l) => ctx.measureText(l).width * 0.9 > width);
    }, Object.values(words).flatMap((n) => n.facts));
    assert.deepEqual(tooWide, [], name);
    await screenshot(page, `words-${name}-phone`);
    assert.deepEqual(errors, [], name);
    await page.context().close();
  }
});

test('on a desktop the four scenarios draw without errors and list only what did not fit', async () => {
  for (const name of ['aistore-2025', 'cloudflare-2020', 'redis-cluster-failover', 'github-2012']) {
    const { page, errors } = await open(`#scenario=${name}`);
    await seekTo(page, 3e6);
    const words = await drawn(page);
    const listed = await page.$eval('#node-facts', (e) => (e.hidden ? [] : JSON.parse(e.dataset.nodes || '[]')));
    const cut = Object.values(words).filter((n) => n.hidden.length).map((n) => n.name);
    assert.deepEqual(listed, cut, name);
    await page.$eval('#stages', (e) => e.scrollIntoView());
    await screenshot(page, `words-${name}-desktop`);
    assert.deepEqual(errors, [], name);
    await page.context().close();
  }
});
