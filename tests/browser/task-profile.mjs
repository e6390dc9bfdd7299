// Where the main thread's time goes: a Chromium performance trace (CDP
// Tracing, with V8's sampling profiler) of one of two interactions, and for
// every main-thread task over a threshold its wall time, its thread (CPU) time
// and the functions it spent them in (inclusive, by sample).
//
//   node tests/browser/task-profile.mjs fleet|mesh|demo     open the largest topology in an element, play, seek, resize (hostile.test.mjs)
//   node tests/browser/task-profile.mjs click github-2012    inject a crash from the stage three times (inject.test.mjs;
//                                                            CLICK_AT=0.33 in the environment: at a third of the run)
//
// Needs `make build`. Wall times on a loaded machine include time the thread
// waited for a core; thread time (tdur) does not.
import path from 'node:path';
import { launch, hostPage, hostAt, elementSettled, withScenarioFiles, playSeekResize } from './harness.mjs';
import { largest } from './fixtures/largest.mjs';

const [mode = 'fleet', scenarioName = 'github-2012', thresholdArg = '20'] = process.argv.slice(2);
const THRESHOLD_MS = Number(thresholdArg);
const CATEGORIES = [
  'toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing',
  'disabled-by-default-v8.cpu_profiler', 'v8', 'disabled-by-default-v8.gc',
].join(',');

async function traced(page, body) {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReportEvents', options: 'sampling-frequency=10000' });
  await body();
  await cdp.send('Tracing.end');
  await done;
  return events;
}

/** Samples per thread as [{ ts, stack: [frame names, outermost first] }]. */
function samplesByThread(events) {
  const profiles = new Map();
  for (const e of events) {
    if (e.name === 'Profile') profiles.set(`${e.pid}:${e.id}`, { pid: e.pid, tid: e.tid, t: e.args.data.startTime, nodes: new Map(), samples: [] });
    if (e.name !== 'ProfileChunk') continue;
    const p = profiles.get(`${e.pid}:${e.id}`);
    if (!p) continue;
    const { cpuProfile = {}, timeDeltas = [] } = e.args.data;
    for (const n of cpuProfile.nodes ?? []) {
      const f = n.callFrame;
      const where = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : '';
      p.nodes.set(n.id, { parent: n.parent, name: `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}` });
    }
    (cpuProfile.samples ?? []).forEach((id, i) => { p.t += timeDeltas[i] ?? 0; p.samples.push({ ts: p.t, id }); });
  }
  const out = new Map();
  for (const p of profiles.values()) {
    const stackOf = (id) => { const s = []; for (let n = p.nodes.get(id); n; n = p.nodes.get(n.parent)) s.unshift(n.name); return s; };
    const list = out.get(`${p.pid}:${p.tid}`) ?? [];
    for (const s of p.samples) list.push({ ts: s.ts, stack: stackOf(s.id) });
    out.set(`${p.pid}:${p.tid}`, list);
  }
  return out;
}

function threadNames(events) {
  const names = new Map();
  for (const e of events) if (e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
  return names;
}

/** The top functions (inclusive sample time) in [from, to] µs on one thread. */
function topFunctions(samples, from, to, count = Number(process.env.TOP || 8)) {
  const inside = samples.filter((s) => s.ts >= from && s.ts <= to);
  const total = new Map();
  for (let i = 0; i < inside.length; i++) {
    const dt = i + 1 < inside.length ? inside[i + 1].ts - inside[i].ts : 0;
    for (const name of new Set(inside[i].stack)) {
      if (name.startsWith('(root)') || name.startsWith('(program)')) continue;
      total.set(name, (total.get(name) ?? 0) + dt);
    }
  }
  return [...total].sort((a, b) => b[1] - a[1]).slice(0, count).map(([n, us]) => `${(us / 1000).toFixed(1)} ${n}`);
}

/** Long tasks on a thread, each with its wall and thread time and where they went. */
function report(events, label) {
  const names = threadNames(events);
  const samples = samplesByThread(events);
  const all = events.filter((e) => e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && e.dur / 1000 >= THRESHOLD_MS);
  // The two task events nest: keep the outer one.
  const tasks = all.filter((t) => !all.some((o) => o !== t && o.pid === t.pid && o.tid === t.tid && o.ts <= t.ts && o.ts + o.dur >= t.ts + t.dur && (o.ts < t.ts || o.dur > t.dur || o.name === 'ThreadControllerImpl::RunTask')));
  const marks = events.filter((e) => e.cat?.includes('blink.user_timing') && e.name.startsWith('profile:'));
  const origin = Math.min(...events.filter((e) => e.ts > 0).map((e) => e.ts));
  console.log(`\n== ${label}: tasks over ${THRESHOLD_MS} ms (ms since trace start; wall / thread time)`);
  for (const m of marks) console.log(`  mark ${m.name} at ${((m.ts - origin) / 1000).toFixed(0)} ms`);
  for (const t of tasks) {
    const thread = names.get(`${t.pid}:${t.tid}`) ?? '?';
    if (!/CrRendererMain|DedicatedWorker/.test(thread)) continue;
    console.log(`- ${thread} at ${((t.ts - origin) / 1000).toFixed(0)} ms: ${(t.dur / 1000).toFixed(1)} ms wall, ${((t.tdur ?? 0) / 1000).toFixed(1)} ms thread`);
    const inner = new Map();
    for (const e of events) {
      if (e.pid !== t.pid || e.tid !== t.tid || e.ph !== 'X' || e === t || e.ts < t.ts || e.ts > t.ts + t.dur) continue;
      if (/^(Layout|UpdateLayoutTree|Paint|PrePaint|Layerize|Commit|MajorGC|MinorGC|V8.GC_SCAVENGER|V8.GC_MARK_COMPACTOR|HitTest|ParseHTML|v8.compile|FunctionCall|TimerFire|FireAnimationFrame|EventDispatch)$/.test(e.name)) {
        inner.set(e.name, (inner.get(e.name) ?? 0) + e.dur);
      }
    }
    console.log(`    events: ${[...inner].sort((a, b) => b[1] - a[1]).map(([n, us]) => `${n} ${(us / 1000).toFixed(1)}`).join(', ')}`);
    for (const line of topFunctions(samples.get(`${t.pid}:${t.tid}`) ?? [], t.ts, t.ts + t.dur)) console.log(`    ${line}`);
  }
}

const env = await launch(mode === 'click' ? 'www' : '.');
try {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`pageerror: ${e}`));
  if (mode === 'click') {
    await page.goto(`${env.base}#scenario=${scenarioName}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
    await page.waitForTimeout(1500);
    // CLICK_AT=0.33: inject at a third of the run (default: at the start).
    await page.evaluate((at) => window.__player.seek(window.__player.endUs() * at), Number(process.env.CLICK_AT || 0));
    const events = await traced(page, async () => {
      for (let i = 0; i < 3; i++) {
        await page.evaluate((n) => performance.mark(`profile:click${n}`), i);
        await page.evaluate(() => document.querySelector('#stage-variant').dispatchEvent(new CustomEvent('stage-select', { bubbles: true, detail: { kind: 'node', index: 0 } })));
        await page.waitForSelector('#action-menu[open]');
        await page.click('#action-menu button:text("Crash")');
        await page.waitForFunction(() => document.body.dataset.actions === '1' && document.querySelector('#run-status').textContent.includes('ms'), null, { timeout: 30000 });
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        const d = await page.evaluate(() => ({ ...document.body.dataset }));
        console.log(`click ${i}: editMs ${d.editMs} (worker run ${d.runMs}, page apply ${d.applyMs}${d.firstFrameMs ? `, first frame ${d.firstFrameMs}` : ''})`);
        await page.click('#injected li button');
        await page.waitForFunction(() => document.body.dataset.actions === '0', null, { timeout: 60000 });
        await page.waitForTimeout(500);
      }
    });
    report(events, `click to continue, ${scenarioName}`);
  } else {
    const name = { fleet: 'hostile-fleet', mesh: 'hostile-mesh', demo: 'demo-partition' }[mode];
    await withScenarioFiles(largest[name] ? { [name]: largest[name] } : {}, async () => {
      const url = await hostAt(context, env.base, 'profile-host', hostPage(`<incident-replay id="big" scenario="${name}" controls="full" height="700px"></incident-replay>`));
      const events = await traced(page, async () => {
        await page.goto(url);
        await elementSettled(page, '#big');
        await page.evaluate(() => performance.mark('profile:ready'));
        await playSeekResize(page, '#big');
      });
      report(events, name);
    });
  }
  await context.close();
} finally {
  await env.close();
}
