// One player: stage, timeline, narration, parameters, outcome, charts and
// space-time diagram for one scenario, inside `root` (the document, or a shadow
// root for the <incident-replay> element). Wires data to views: the simulation
// runs in sim/ (a Web Worker), drawing lives in stage/, timeline/ and charts/.
import { drawStageBase, drawMessages as drawFlight, baseKey, palette } from '../stage/stage.js';
import { layoutNodes, layoutDevices } from '../lib/layout.js';
import { buildWarp, toStory, fromStory, fractionOf } from '../timeline/warp.js';
import { drawTimebar, SHADES } from '../timeline/timebar.js';
import { buildParams, checkValue } from './params.js';
import { showOutcome, showChecks, showChallenges, formatDuration } from './outcome.js';
import { sourceLink } from './sources.js';
import { drawChart } from '../charts/chart.js';
import { buildChartPanel } from './charts-panel.js';
import { drawSpaceTime } from '../stage/spacetime.js';
import { fitCanvas as fitCanvasMeasured } from '../lib/canvas.js';
import { Layer, drawCursor } from '../lib/layer.js';
import { readFrame, NODE_STRIDE, Health, ROLE_NAMES, HEALTH_NAMES } from '../lib/frame-layout.js';
import { wireExports } from './player-exports.js';
import { headlineFigures } from './gauges.js';
import { kindColour } from '../lib/kinds.js';
import { bindShortcuts } from './keys.js';
import { scenarioSource, declaredOrigins } from './scenario-source.js';

/** The core refuses bigger scenario text anyway (scenario::TEXT_BYTES_MAX); this stops the download. */
const SCENARIO_BYTES_MAX = 8 * 1024 * 1024;

/** Story seconds of the whole replay at 1× speed. */
const STORY_SECONDS = 90;

/**
 * @param root     Document or ShadowRoot holding the player markup (player-template.js)
 * @param host     element whose data-* attributes report state (body, or the custom element)
 * @param options  { sim, theme: 'auto'|'light'|'dark', base: URL of the site root,
 *                   keyTarget, onChange(), onTitle(title), onGallery() }
 */
export function createPlayer(root, host, options) {
  const $ = (id) => root.getElementById(id);
  const sim = options.sim;
  const changed = () => options.onChange?.();
  const systemDark = matchMedia('(prefers-color-scheme: dark)');
  const isDark = () => (options.theme === 'dark' ? true : options.theme === 'light' ? false : systemDark.matches);
  const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
  /** Story seconds of the whole replay at 1× speed. */
  const STORY_SECONDS = 90;

  const state = {
    name: null, json: null, scenario: null, seed: 1, sets: {},
    history: null, variant: null, warp: null,
    view: 'variant', tUs: 0, playing: false, speed: 1,
    frames: { history: null, variant: null },
    messages: null, messagesKey: '',
    params: null, pendingRun: null, runBusy: false,
    /** Bumped whenever runs or colours change: the cached layers repaint. */
    version: 0,
  };

  // ---------------------------------------------------------------- errors

  function showError(message) {
    $('error').hidden = !message;
    $('error').textContent = message || '';
  }

  function errorText(e) {
    if (e?.path) return `${e.file ? `${e.file}: ` : ''}${e.path}: ${e.reason || e.message}`;
    return e?.message || String(e);
  }

  // ---------------------------------------------------------------- time

  function formatClock(tUs) {
    const meta = state.scenario?.meta;
    if (!meta) return '';
    const wall = new Date(Date.parse(meta.start) + tUs / 1000);
    return new Intl.DateTimeFormat('en-US', {
      timeZone: meta.time_zone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
    }).format(wall);
  }

  function endUs() {
    return Math.max(state.history?.endUs ?? 0, state.variant?.endUs ?? 0);
  }

  function seek(tUs, { keepPlaying = false } = {}) {
    if (!state.history) return;
    state.tUs = Math.min(Math.max(0, tUs), endUs());
    if (!keepPlaying) setPlaying(false);
    requestFrames();
    changed();
  }

  /** The sorted union of time lists (numbers in µs). */
  function mergeTimes(...lists) {
    return Float64Array.from(new Set(lists.flatMap((l) => [...l]))).sort();
  }

  function stepTo(direction) {
    const moments = state.moments;
    const t = state.tUs;
    let target = direction > 0 ? endUs() : 0;
    if (direction > 0) { for (const m of moments) if (m > t + 1) { target = m; break; } }
    else { for (let i = moments.length - 1; i >= 0; i--) if (moments[i] < t - 1) { target = moments[i]; break; } }
    seek(target);
  }

  function chapterTo(direction) {
    const times = state.chapterTimes;
    const t = state.tUs;
    const target = direction > 0 ? times.find((s) => s > t + 1) ?? endUs() : [...times].reverse().find((s) => s < t - 1) ?? 0;
    seek(target);
  }

  // ---------------------------------------------------------------- playback

  function setPlaying(on) {
    state.playing = on;
    $('play-icon').setAttribute('d', on ? 'M3 2h4v12H3zM9 2h4v12H9z' : 'M4 2v12l10-6z');
    $('play').setAttribute('aria-label', on ? 'Pause' : 'Play');
    draw();
  }

  let lastTick = null;
  let reducedNext = 0;
  function tick(now) {
    if (state.playing && state.history) {
      const dt = lastTick == null ? 0 : Math.min(0.25, (now - lastTick) / 1000);
      if (reducedMotion.matches) {
        // No continuous motion: hop from event to event once a second.
        if (now >= reducedNext) { reducedNext = now + 1000; stepTo(1); setPlaying(state.tUs < endUs()); }
      } else {
        const rate = (state.warp.storyEnd / STORY_SECONDS) * state.speed;
        const story = toStory(state.warp, state.tUs) + dt * rate;
        state.tUs = fromStory(state.warp, story);
        if (state.tUs >= endUs()) { state.tUs = endUs(); setPlaying(false); }
        requestFrames();
      }
    }
    lastTick = now;
    requestAnimationFrame(tick);
  }

  // ---------------------------------------------------------------- frames

  const frameBusy = { history: false, variant: false };
  const frameWanted = { history: null, variant: null };

  function visibleSlots() {
    const variantSlot = state.variant ? 'variant' : 'history';
    if (state.view === 'both') return state.variant ? ['variant', 'history'] : ['history'];
    return [state.view === 'history' ? 'history' : variantSlot];
  }

  function requestFrames() {
    for (const slot of visibleSlots()) requestFrame(slot);
    requestMessages();
    draw();
  }

  function requestFrame(slot) {
    if (frameBusy[slot]) { frameWanted[slot] = state.tUs; return; }
    frameBusy[slot] = true;
    const t = state.tUs;
    sim.frame(t, slot).then(({ frame }) => {
      state.frames[slot] = frame;
      frameBusy[slot] = false;
      draw();
      if (frameWanted[slot] != null && frameWanted[slot] !== t) { frameWanted[slot] = null; requestFrame(slot); }
    }).catch((e) => { frameBusy[slot] = false; showError(errorText(e)); });
  }

  let messagesBusy = false;
  let messagesAsked = 0;
  function requestMessages() {
    if (!state.history || $('spacetime').closest('details').open === false) return;
    // While playing, the window slides every frame; a few updates a second are
    // plenty to read, and keep the worker and the main thread free.
    if (state.playing && performance.now() - messagesAsked < 150) return;
    const windowUs = Number($('st-window').value) * 1e6;
    const slot = visibleSlots()[0];
    const from = Math.max(0, state.tUs - windowUs * 0.75), to = from + windowUs;
    const key = `${slot}:${Math.round(from / (windowUs / 50))}:${windowUs}`;
    if (key === state.messagesKey || messagesBusy) return;
    messagesBusy = true;
    messagesAsked = performance.now();
    sim.messages(from, to, 4000, slot).then(({ messages }) => {
      messagesBusy = false;
      state.messages = { data: messages, from, to, slot };
      state.messagesKey = key;
      draw();
    }).catch(() => { messagesBusy = false; });
  }

  // ---------------------------------------------------------------- drawing

  function colours() {
    const c = palette(isDark());
    return {
      ...c,
      track: isDark() ? '#1e293b' : '#f1f5f9',
      cursor: isDark() ? '#f8fafc' : '#0f172a',
      grid: isDark() ? '#334155' : '#e2e8f0',
      loss: c.degraded,
      shades: isDark() ? ['#ef4444cc', '#f59e0bb3', '#64748bcc', '#a855f7cc', '#22d3ee'] : ['#dc2626b3', '#f59e0b99', '#334155aa', '#9333eab3', '#0e7490'],
      series: isDark() ? ['#94a3b8', '#38bdf8', '#f472b6', '#4ade80', '#facc15'] : ['#64748b', '#0284c7', '#db2777', '#16a34a', '#ca8a04'],
    };
  }

  let drawQueued = false;
  function draw() {
    if (drawQueued) return;
    drawQueued = true;
    requestAnimationFrame(() => {
      drawQueued = false;
      const started = performance.now();
      drawNow();
      const ms = performance.now() - started;
      drawStats.push(ms);
    });
  }
  /** Main-thread milliseconds per drawn frame, for the performance test. */
  const drawStats = [];

  function drawNow() {
    if (!state.history) return;
    const c = colours();
    const slots = visibleSlots();
    // Show or hide the boxes first, then size and draw: a box appearing changes
    // the width of the other.
    const boxes = [...root.querySelectorAll('.stage-box')];
    for (const box of boxes) box.hidden = !(box.dataset.slot === 'variant' || (state.view === 'both' && state.variant));
    for (const box of boxes) {
      if (box.hidden) continue;
      const shownSlot = box.dataset.slot === 'variant' ? slots[0] : 'history';
      const run = shownSlot === 'variant' ? state.variant : state.history;
      const frame = state.frames[shownSlot];
      box.querySelector('figcaption').textContent = shownSlot === 'history' ? 'As it happened' : 'Your version';
      if (!run || !frame) continue;
      const { ctx, width, height } = fitCanvas(box.querySelector('canvas'));
      const options = { width, height, topology: run.topology, nodePos: state.layout.nodes, devicePos: state.layout.devices, frameData: frame, colors: c, textScale: state.presenter ? 1.6 : 1 };
      // Nodes and links change only at state changes: repaint them then, and
      // draw only the messages in flight every frame.
      const layer = stageLayers[box.dataset.slot];
      const base = layer.draw(ctx, `${state.version}:${shownSlot}:${width}x${height}:${options.textScale}:${baseKey(frame)}`, (layerCtx) => drawStageBase(layerCtx, options));
      // A big topology is painted over several frames (stage.js, level of detail).
      if (base?.more?.()) draw();
      drawFlight(ctx, options);
    }

    const bar = fitCanvas($('timebar'));
    timebarLayer.draw(bar.ctx, `${state.version}:${bar.width}`, (ctx) => drawTimebar(ctx, {
      width: bar.width, height: bar.height, warp: state.warp, shades: state.history.shades,
      variantShades: state.variant?.shades, steps: state.history.steps, moments: state.moments, tUs: NaN, colours: c,
    }));
    drawCursor(bar.ctx, fractionOf(state.warp, state.tUs) * bar.width, 0, bar.height, c.cursor);
    drawCharts(c);
    drawMessages(c);
    updateText();
  }

  const timebarLayer = new Layer();
  const stageLayers = { variant: new Layer(), history: new Layer() };
  const messagesLayer = new Layer();

  /** `fitCanvas` with the size the resize observer last reported, when it has one. */
  const fitCanvas = (canvas) => fitCanvasMeasured(canvas, window.devicePixelRatio || 1, sizes.get(canvas));

  /** Whether a canvas is on screen (off-screen ones are not drawn while playing). */
  const onScreen = new WeakMap();
  const visibility = new IntersectionObserver((entries) => {
    for (const e of entries) onScreen.set(e.target, e.isIntersecting);
    draw();
  });

  function chartLines(read, c) {
    const lines = [{ label: state.variant ? 'history' : 'replay', points: read(state.history), colour: c.series[0] }];
    if (state.variant) lines.push({ label: 'yours', points: read(state.variant), colour: c.series[1] });
    return lines.filter((l) => l.points.length);
  }

  /** "12:15" in the scenario's clock. */
  const shortClock = (t) => formatClock(t).split(', ').pop().replace(/:\d\d(?= |$)/, '');
  /** Times for a chart's clock axis: evenly spaced along the (time-warped) axis, one per ~120 px. */
  function chartTicks(width) {
    const count = Math.max(2, Math.min(6, Math.floor(width / 120)));
    return Array.from({ length: count }, (_, k) => fromStory(state.warp, (k / (count - 1)) * state.warp.storyEnd));
  }

  function drawCharts(c) {
    if ($('charts').closest('details').open === false) return;
    const xOf = (t) => fractionOf(state.warp, t);
    for (const chart of state.charts) {
      if (chart.canvas.hidden || onScreen.get(chart.canvas) === false) continue;
      const { ctx, width, height } = fitCanvas(chart.canvas);
      const options = {
        width, height, title: chart.title, unit: chart.unit, lines: chartLines(chart.read, c),
        fromUs: 0, toUs: endUs(), xOf, stepped: chart.stepped, colours: c,
        timeTicks: chartTicks(width), timeLabel: shortClock,
      };
      if (!state.playing) {
        // Paused: the full chart with each line's value at the cursor.
        drawChart(ctx, { ...options, tUs: state.tUs });
        continue;
      }
      const plot = chart.layer.draw(ctx, `${state.version}:${width}`, (layerCtx) => drawChart(layerCtx, { ...options, tUs: NaN }));
      drawCursor(ctx, plot.x0 + xOf(state.tUs) * (plot.x1 - plot.x0), plot.y0, plot.y1, c.cursor);
    }
  }

  function drawMessages(c) {
    const m = state.messages;
    const canvas = $('spacetime');
    if (!m || canvas.closest('details').open === false || onScreen.get(canvas) === false) return;
    const run = m.slot === 'variant' ? state.variant : state.history;
    if (!run) return;
    const withClients = $('st-clients').checked;
    const lanes = run.topology.nodes.map((n, i) => ({ node: i, label: n.name, model: n.model })).filter((l) => withClients || l.model !== 'client');
    const { ctx, width, height } = fitCanvas(canvas);
    const options = {
      width, height, lanes, messages: m.data, fromUs: m.from, toUs: m.to,
      kindColour: (k) => kindColour(k, c), colours: c, label: (t) => formatClock(t).split(', ').pop(),
    };
    showKindLegend(m.data, run, options.kindColour);
    if (!state.playing) { drawSpaceTime(ctx, { ...options, tUs: state.tUs }); return; }
    const layout = messagesLayer.draw(ctx, `${state.version}:${state.messagesKey}:${withClients}:${width}`, (layerCtx) => drawSpaceTime(layerCtx, { ...options, tUs: NaN }));
    const x = layout.x0 + ((state.tUs - layout.fromUs) / (layout.toUs - layout.fromUs)) * (layout.x1 - layout.x0);
    if (x >= layout.x0 && x <= layout.x1) drawCursor(ctx, x, layout.top, layout.bottom, c.cursor);
  }

  /** Which message kinds the diagram shows, with their colours (rebuilt only when they change). */
  let legendKey = '';
  function showKindLegend(data, run, kindColour) {
    const kinds = new Set();
    for (let i = 5; i < data.length; i += 7) kinds.add(data[i]);
    const key = [...kinds].sort((a, b) => a - b).join(',');
    if (key === legendKey) return;
    legendKey = key;
    const names = new Map((run.kindNames || []).map((s) => { const [code, name] = s.split(':'); return [Number(code), name]; }));
    $('st-legend').replaceChildren(...[...kinds].sort((a, b) => a - b).map((k) => {
      const item = document.createElement('span');
      const swatch = document.createElement('span');
      swatch.className = 'sw';
      swatch.style.background = kindColour(k);
      item.append(swatch, `${names.get(k) ?? `kind ${k}`}  `);
      return item;
    }));
  }

  function currentStep() {
    const steps = state.history.steps;
    let index = -1;
    for (let i = 0; i < steps.length; i += 2) if (steps[i] <= state.tUs) index = steps[i + 1];
    return index;
  }

  let shownStep = null;
  function updateText() {
    const end = endUs();
    $('clock').textContent = formatClock(state.tUs);
    $('elapsed').textContent = `+${formatDuration(state.tUs / 1e6)} of ${formatDuration(end / 1e6)}`;
    const slider = $('time');
    slider.value = String(Math.round(fractionOf(state.warp, state.tUs) * 10000));
    slider.setAttribute('aria-valuetext', `${formatClock(state.tUs)}, ${formatDuration(state.tUs / 1e6)} in`);
    const step = currentStep();
    if (step !== shownStep) {
      shownStep = step;
      showNarration(step);
    }
    const frame = state.frames[visibleSlots()[0]];
    if (frame) {
      const run = visibleSlots()[0] === 'variant' ? state.variant : state.history;
      $('stage-variant').setAttribute('aria-label', describeFrame(run, frame));
    }
  }

  function describeFrame(run, frame) {
    const f = readFrame(frame);
    const parts = [];
    for (let i = 0; i < f.nodeCount; i++) {
      const node = run.topology.nodes[i];
      if (node.model === 'client') continue;
      const h = f.nodes[i * NODE_STRIDE], r = f.nodes[i * NODE_STRIDE + 1];
      parts.push(`${node.name} ${h === Health.UP ? ROLE_NAMES[r] || 'up' : HEALTH_NAMES[h]}`);
    }
    return `At ${formatClock(state.tUs)}: ${parts.join(', ')}`;
  }

  function showNarration(step) {
    const box = $('narration');
    const s = state.scenario.timeline[step];
    if (!s) {
      box.replaceChildren(Object.assign(document.createElement('p'), { className: 'muted', textContent: state.scenario.meta.summary }));
    } else {
      const h = document.createElement('h4');
      h.textContent = `${step + 1}. ${s.title}`;
      const p = document.createElement('p');
      p.textContent = s.narration;
      const src = document.createElement('p');
      src.className = 'muted';
      src.append('Source: ', sourceLink(state.scenario, s.source));
      box.replaceChildren(h, p, src);
    }
    root.querySelectorAll('#chapters li').forEach((li, i) => li.classList.toggle('current', i === step));
    root.querySelectorAll('#chapters button').forEach((b, i) => b.setAttribute('aria-current', i === step ? 'step' : 'false'));
  }

  // ---------------------------------------------------------------- running

  /** Derived once per run pair: the moments of both runs (for "next event"
   *  and the timeline) and the time-warp built from them and the chapters. */
  function deriveTimes() {
    state.chapterTimes = state.history.steps.filter((_, i) => i % 2 === 0);
    state.moments = state.variant ? mergeTimes(state.history.moments, state.variant.moments) : state.history.moments;
    state.warp = buildWarp(mergeTimes(state.moments, state.chapterTimes), endUs());
  }

  /** Run the viewer's version (coalesced: only the latest edit runs). */
  function runVariant() {
    const request = { sets: { ...state.sets }, seed: state.seed, started: performance.now() };
    if (state.runBusy) { state.pendingRun = request; return; }
    runRequest(request);
  }

  function runRequest(request) {
    state.runBusy = true;
    $('run-status').textContent = '· running…';
    const file = `${state.name}.json`;
    const hasSets = Object.keys(request.sets).length > 0;
    const work = hasSets ? sim.run(file, state.json, request.sets, request.seed, 'variant') : Promise.resolve(null);
    work.then((variant) => {
      const arrived = performance.now();
      state.params?.clearErrors();
      showError((state.linkProblems ?? []).join(' · '));
      state.variant = variant;
      state.frames.variant = null;
      afterRuns();
      const ms = performance.now() - request.started;
      host.dataset.editMs = ms.toFixed(1);
      // Where the time went: the worker's run, and the page's own work once the reply arrived.
      host.dataset.runMs = variant ? variant.runMs.toFixed(1) : '0';
      host.dataset.applyMs = (performance.now() - arrived).toFixed(1);
      host.dataset.runs = String(Number(host.dataset.runs || 0) + 1);
      $('run-status').textContent = variant ? `· ${ms.toFixed(0)} ms` : '';
    }).catch((e) => {
      const name = e.path?.startsWith('parameters.') ? e.path.slice('parameters.'.length) : null;
      const text = budgetText(e) ?? (e.reason || e.message);
      if (!(name && state.params?.showError(name, text))) showError(budgetText(e) ?? errorText(e));
      $('run-status').textContent = '· not run';
      // The worker dropped the previous variant before trying: show history until the settings run.
      if (state.variant) { state.variant = null; state.frames.variant = null; afterRuns(); }
    }).finally(() => {
      state.runBusy = false;
      const next = state.pendingRun;
      state.pendingRun = null;
      if (next) runRequest(next);
    });
  }

  /** The event-budget refusals in plain words: what happened and what to change. */
  function budgetText(e) {
    const text = `${e?.reason || e?.message || ''}`;
    const limit = text.match(/events_max \((\d+)\)|more than (\d+) events/);
    if (!limit) return null;
    const max = Number(limit[1] ?? limit[2]).toLocaleString('en');
    const changed = Object.keys(state.sets).map((k) => k.replace(/_/g, ' ')).join(', ');
    return `Too much to simulate: this replay may use at most ${max} events, and these settings need more. `
      + `A heartbeat, tick or timeout set very short over a long incident does this: make it longer${changed ? ` (you changed: ${changed})` : ''}, or press “Back to history”.`;
  }

  /** Ask the core how far each slider may go with the current settings. */
  function updateFits() {
    const params = state.params;
    const sets = { ...state.sets };
    sim.request('fits', { file: `${state.name}.json`, json: state.json, overrides: sets })
      .then(({ fits }) => { if (params === state.params && JSON.stringify(sets) === JSON.stringify(state.sets)) params.setFits(fits); })
      .catch(() => {});
  }

  function afterRuns() {
    updateFits();
    state.version++;
    deriveTimes();
    showOutcome($('outcome').tBodies[0], state.history.outcome, state.variant?.outcome ?? state.history.outcome, headline());
    showChallenges($('challenges-box'), $('challenges'), state.scenario, (state.variant ?? state.history).outcome);
    host.dataset.digest = (state.variant ?? state.history).digest;
    host.dataset.historyDigest = state.history.digest;
    state.messagesKey = '';
    requestFrames();
    changed();
  }

  /** Where a scenario may come from (app/scenario-source.js): `{ url, file }`, or an Error saying why not. */
  function sourceOf(name, src) {
    return scenarioSource({ name, src, site: options.base || new URL('../', import.meta.url), page: document.baseURI, allowed: declaredOrigins(document) });
  }

  /** A built-in scenario by name, or a scenario file by URL (`src`) where the page allows it. */
  async function fetchScenario(url, shown) {
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`Could not fetch scenario “${shown}” (HTTP ${response.status}).`);
    const length = Number(response.headers.get('content-length'));
    if (length > SCENARIO_BYTES_MAX) throw new Error(`Scenario “${shown}” is larger than ${SCENARIO_BYTES_MAX} bytes.`);
    const text = await response.text();
    if (text.length > SCENARIO_BYTES_MAX) throw new Error(`Scenario “${shown}” is larger than ${SCENARIO_BYTES_MAX} bytes.`);
    return text;
  }

  async function openScenario(name, { seed = 1, sets = {}, tS = null, view = 'variant', src = null, json: given = null, problems = [], speed = null, presenter = null, charts = null, windowS = null } = {}) {
    showError('');
    setPlaying(false);
    host.dataset.ready = 'false';
    try {
      const source = given == null ? sourceOf(name, src) : null;
      const json = given ?? await fetchScenario(source.url, src || name);
      const file = source ? source.file : `${name}.json`;
      const [{ scenario }, history] = await Promise.all([sim.request('describe', { file, json }), sim.run(file, json, {}, seed, 'history')]);
      Object.assign(state, { name, json, scenario, seed, history, variant: null, frames: { history: null, variant: null }, messages: null, messagesKey: '' });
      state.view = ['variant', 'history', 'both'].includes(view) ? view : 'variant';
      root.querySelector(`input[name=view][value=${state.view}]`).checked = true;
      $('seed').value = String(seed);
      state.layout = { nodes: layoutNodes(history.topology) };
      state.layout.devices = layoutDevices(history.topology, state.layout.nodes);
      $('title').textContent = scenario.meta.title;
      $('summary').textContent = `${scenario.meta.date} · ${scenario.meta.summary}`;
      options.onTitle?.(scenario.meta.title);
      buildChapters();
      if (windowS != null) $('st-window').value = String(windowS);
      const unknownCharts = buildCharts(charts);
      if (speed != null) { $('speed').value = String(speed); state.speed = speed; }
      if (presenter != null) setPresenter(presenter);
      problems = [...problems, ...unknownCharts.map((k) => `charts: this scenario has no chart “${k}”`)];
      showLegend();
      const { valid, clean } = cleanSets(scenario, sets);
      state.sets = valid;
      state.params = buildParams($('params'), scenario, state.sets, (next) => {
        state.sets = next;
        state.linkProblems = []; // the viewer has taken over from the link
        runVariant();
      }, fileOrder(json));
      // What the link (or the element's attributes) got wrong: beside its field
      // when there is one, and always in the message line, since the parameter
      // panel may be hidden (embedded players).
      for (const [k, why] of clean) state.params.showError(k, why);
      state.linkProblems = [...problems, ...clean.map(([k, why]) => `${k}: ${why}`)];
      showError(state.linkProblems.join(' · '));
      showChecks($('checks'), history.outcome);
      // A time from the link must fall within the run.
      if (tS != null && !(tS * 1e6 <= history.endUs)) {
        const problem = `t: ${Number(tS).toPrecision(6).replace(/\.?0+$/, '')} s is after the end of the run (${Math.round(history.endUs / 1e6)} s); starting at the beginning`;
        state.linkProblems.push(problem);
        showError(state.linkProblems.join(' · '));
        tS = null;
      }
      state.tUs = tS != null ? tS * 1e6 : 0;
      shownStep = null;
      deriveTimes();
      showOutcome($('outcome').tBodies[0], history.outcome, history.outcome, headline());
      if (Object.keys(state.sets).length) runVariant(); else afterRuns();
      host.dataset.ready = 'true';
      options.onReady?.();
    } catch (e) {
      showError(e.path ? `This scenario does not validate: ${errorText(e)}` : `Could not run the scenario: ${errorText(e)}`);
      host.dataset.ready = 'error';
    }
  }

  /** Parameter names in the order the scenario file lists them. */
  function fileOrder(json) {
    try { return Object.keys(JSON.parse(json).parameters || {}); } catch { return []; }
  }

  /** URL settings against the scenario: known names with values of the right kind. */
  function cleanSets(scenario, sets) {
    const valid = Object.create(null);
    const clean = [];
    // Own names only: `constructor` or `__proto__` from a link is no toggle.
    const has = (table, name) => table != null && Object.hasOwn(table, name);
    for (const [name, text] of Object.entries(sets)) {
      if (has(scenario.toggles, name)) {
        if (text === '1' || text === 'true') valid[name] = true;
        else if (text === '0' || text === 'false') valid[name] = false;
        else clean.push([name, `“${text}” is not on (1) or off (0)`]);
        if (valid[name] === scenario.toggles[name].default) delete valid[name];
      } else if (has(scenario.parameters, name)) {
        const p = scenario.parameters[name];
        const problem = checkValue(p, text);
        if (problem) clean.push([name, problem.includes(text) ? problem : `“${text}”: ${problem}`]);
        else if (Number(text) !== p.default) valid[name] = Number(text);
      } else clean.push([name, 'this scenario has no parameter or toggle of that name']);
    }
    return { valid, clean };
  }

  function buildChapters() {
    const list = $('chapters');
    const steps = state.history.steps;
    const items = [];
    for (let i = 0; i < steps.length; i += 2) {
      const t = steps[i], index = steps[i + 1];
      const s = state.scenario.timeline[index];
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = `${formatClock(t).split(', ').pop()} · ${s.title}`;
      b.addEventListener('click', () => seek(t + 1));
      li.append(b);
      items.push(li);
    }
    list.replaceChildren(...items);
  }

  /** The gauges the scenario treats as headline figures. */
  function headline() {
    return headlineFigures(state.scenario, state.history.gauges.map((g) => g.name));
  }

  /** The chart panel; `shown` (keys from a link) replaces the default choice. Returns the keys it does not know. */
  function buildCharts(shown = null) {
    const charts = buildChartPanel($('charts'), {
      history: state.history,
      headline: headline().map((f) => f.name),
      shown,
      observe: (canvas) => { visibility.observe(canvas); resized.observe(canvas); },
      onToggle: () => { state.version++; draw(); changed(); },
    });
    state.charts = charts.map((chart) => ({ ...chart, layer: new Layer() }));
    state.chartsDefault = shownCharts();
    if (shown) {
      // The default is what the panel shows without a link: rebuild that list once.
      const known = new Set(charts.map((c) => c.key));
      state.chartsDefault = buildDefaultKeys();
      return shown.filter((k) => !known.has(k));
    }
    return [];
  }

  const shownCharts = () => state.charts.filter((c) => !c.canvas.hidden).map((c) => c.key);
  function buildDefaultKeys() {
    const names = new Set(headline().map((f) => `gauge:${f.name}`));
    return state.charts.filter((c) => !c.key.startsWith('gauge:') || names.has(c.key)).map((c) => c.key);
  }

  /** Speed, presenter mode, charts shown (null when the default) and the space-time window, for links. */
  function viewSettings() {
    const charts = state.charts ? shownCharts() : null;
    return {
      speed: state.speed,
      presenter: Boolean(state.presenter),
      charts: charts && JSON.stringify(charts) !== JSON.stringify(state.chartsDefault) ? charts : null,
      windowS: Number($('st-window').value),
    };
  }

  function showLegend() {
    const shades = SHADES.map((s, i) => `<span class="sw shade-${i}"></span>${s.label}`);
    $('legend').innerHTML = [
      '<span class="sw link-up"></span>link up', '<span class="sw link-gray"></span>up but dropping (gray failure)',
      '<span class="sw link-cut"></span>cut', '<span class="sw link-slow"></span>lossy / slow', ...shades,
    ].join(' · ');
  }

  // ---------------------------------------------------------------- controls

  $('play').addEventListener('click', () => {
    if (!state.history) return;
    if (state.tUs >= endUs()) state.tUs = 0;
    reducedNext = 0;
    setPlaying(!state.playing);
  });
  $('prev').addEventListener('click', () => stepTo(-1));
  $('next').addEventListener('click', () => stepTo(1));
  $('speed').addEventListener('change', () => { state.speed = Number($('speed').value); changed(); });
  $('time').addEventListener('input', () => {
    if (!state.warp) return;
    seek(fromStory(state.warp, (Number($('time').value) / 10000) * state.warp.storyEnd));
  });
  $('timebar').addEventListener('pointerdown', (e) => {
    const rect = e.currentTarget.getBoundingClientRect();
    seek(fromStory(state.warp, ((e.clientX - rect.left) / rect.width) * state.warp.storyEnd));
  });
  $('seed').addEventListener('change', () => {
    const seed = Number($('seed').value);
    if (!Number.isInteger(seed) || seed < 0) { showError('The seed must be a whole number, 0 or more.'); return; }
    state.seed = seed;
    openScenario(state.name, { seed, sets: Object.fromEntries(Object.entries(state.sets).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v)])), tS: state.tUs / 1e6, view: state.view });
  });
  $('reset').addEventListener('click', () => { state.params.set({}); state.sets = {}; runVariant(); });
  root.querySelectorAll('input[name=view]').forEach((r) => r.addEventListener('change', () => { state.view = r.value; requestFrames(); changed(); }));
  $('st-window').addEventListener('change', () => { state.messagesKey = ''; requestMessages(); changed(); });
  $('st-clients').addEventListener('change', draw);
  $('spacetime').closest('details').addEventListener('toggle', () => { state.messagesKey = ''; requestMessages(); });
  $('help').addEventListener('click', () => $('keys').showModal());

  // ---------------------------------------------------------------- exports and presenter

  function setPresenter(on) {
    const wrapper = $('presenter').closest('.player');
    wrapper.classList.toggle('presenter', on);
    $('presenter').setAttribute('aria-pressed', String(on));
    state.presenter = on;
    state.version++;
    draw();
    changed();
  }

  $('presenter').addEventListener('click', () => setPresenter(!state.presenter));
  const { exportPng, exportWebm, exportCsv } = wireExports({
    $, root, state, site: options.base || new URL('../', import.meta.url),
    drawNow, colours, formatClock, seek, setPlaying, endUs,
  });

  const stepSpeed = (by) => {
    const speed = $('speed');
    speed.selectedIndex = Math.min(speed.options.length - 1, Math.max(0, speed.selectedIndex + by));
    speed.dispatchEvent(new Event('change'));
  };
  bindShortcuts(options.keyTarget || host, {
    ' ': () => $('play').click(),
    ArrowRight: (e) => (e.shiftKey ? seek(state.tUs + endUs() / 100) : state.presenter ? chapterTo(1) : stepTo(1)),
    ArrowLeft: (e) => (e.shiftKey ? seek(state.tUs - endUs() / 100) : state.presenter ? chapterTo(-1) : stepTo(-1)),
    Home: () => seek(0),
    End: () => seek(endUs()),
    '+': () => stepSpeed(1),
    '-': () => stepSpeed(-1),
    ']': () => chapterTo(1),
    '[': () => chapterTo(-1),
    v: () => {
      const order = ['variant', 'history', 'both'];
      const next = order[(order.indexOf(state.view) + 1) % 3];
      root.querySelector(`input[name=view][value=${next}]`).click();
    },
    g: () => options.onGallery?.(),
    '?': () => $('keys').showModal(),
    p: () => setPresenter(!state.presenter),
  });

  // Canvas sizes from the observer, so drawing never forces a layout to read them.
  const sizes = new WeakMap();
  const resized = new ResizeObserver((entries) => {
    for (const e of entries) sizes.set(e.target, e.contentRect);
    draw();
  });
  visibility.observe($('spacetime'));
  root.querySelectorAll('.stage-box canvas, #timebar, #spacetime').forEach((c) => resized.observe(c));
  requestAnimationFrame(tick);

  return {
    state,
    open: openScenario,
    seek,
    setPlaying,
    redraw() { state.version++; draw(); },
    viewSettings,
    exportPng,
    exportWebm,
    exportCsv,
    setPresenter,
    /** The narration of the chapter at the current time (figure captions). */
    narrationText() {
      const step = state.scenario?.timeline[currentStep()];
      return step ? `${formatClock(state.tUs)} — ${step.title}: ${step.narration}` : state.scenario?.meta.summary ?? '';
    },
    /** Main-thread milliseconds per drawn frame, for the performance benchmark. */
    drawStats,
    colours,
    formatClock,
    endUs,
  };
}
