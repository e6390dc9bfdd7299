// The first page: load a scenario, run it in the worker, play it on the canvas.
// Wires data to views; draws through stage/, simulates through sim/.
import { SimClient } from './sim/client.js';
import { drawStage, palette } from './stage/stage.js';
import { layoutNodes, layoutDevices } from './lib/layout.js';

const $ = (id) => document.getElementById(id);
const sim = new SimClient();
const dark = matchMedia('(prefers-color-scheme: dark)');
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

const state = {
  scenario: null, // parsed scenario description
  run: null,      // { outcome, topology, endUs, steps, ... }
  nodePos: [], devicePos: [],
  tUs: 0, playing: false, frame: null, frameWanted: null, frameBusy: false,
};

// Simulated seconds per wall second while playing: the whole run in about a minute.
const playSpeed = () => Math.max(1, state.run.endUs / 60e6);

function showError(message) {
  $('error').hidden = !message;
  $('error').textContent = message || '';
}

function formatClock(tUs) {
  const meta = state.scenario?.meta;
  if (!meta) return '';
  const wall = new Date(Date.parse(meta.start) + tUs / 1000);
  const text = new Intl.DateTimeFormat('en-GB', { timeZone: meta.time_zone, hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' }).format(wall);
  return text;
}

function requestFrame() {
  if (!state.run) return;
  if (state.frameBusy) { state.frameWanted = state.tUs; return; }
  state.frameBusy = true;
  const t = state.tUs;
  sim.frame(t).then(({ frame }) => {
    state.frame = frame;
    state.frameBusy = false;
    draw();
    if (state.frameWanted != null && state.frameWanted !== t) { state.frameWanted = null; requestFrame(); }
  }).catch((e) => { state.frameBusy = false; showError(e.message); });
}

function draw() {
  const canvas = $('stage');
  const ratio = window.devicePixelRatio || 1;
  const { width, height } = canvas.getBoundingClientRect();
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  if (!state.frame || !state.run) return;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  drawStage(ctx, { width, height, topology: state.run.topology, nodePos: state.nodePos, devicePos: state.devicePos, frameData: state.frame, colors: palette(dark.matches) });
  updateText();
}

function currentStep() {
  const steps = state.run.steps;
  let index = -1;
  for (let i = 0; i < steps.length; i += 2) if (steps[i] <= state.tUs) index = steps[i + 1];
  return index;
}

function updateText() {
  $('clock').textContent = formatClock(state.tUs);
  $('time').value = String(Math.round((state.tUs / state.run.endUs) * 1000));
  $('time').setAttribute('aria-valuetext', formatClock(state.tUs));
  const step = state.scenario.timeline[currentStep()];
  $('narration').textContent = step ? `${step.title}: ${step.narration}` : '';
  $('stage').setAttribute('aria-label', `Network of ${state.run.topology.nodes.length} nodes at ${formatClock(state.tUs)}`);
}

function showOutcome(o) {
  const rows = [
    ['Split brain', `${o.split_brain_s.toFixed(1)} s`], ['Unavailable', `${o.unavailable_s.toFixed(1)} s`],
    ['Leader changes', o.leader_changes], ['Writes acknowledged', o.acked_writes], ['Acknowledged writes lost', o.lost_writes],
    ['Request success', `${o.success_rate_pct.toFixed(1)} %`], ['RPO', `${o.rpo_s.toFixed(1)} s`], ['RTO', `${o.rto_s.toFixed(1)} s`],
  ];
  const dl = $('outcome');
  dl.replaceChildren(...rows.flatMap(([k, v]) => {
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = String(v);
    return [dt, dd];
  }));
  dl.dataset.digest = o.digest;
}

async function load(name) {
  showError('');
  state.playing = false;
  $('play').textContent = 'Play';
  try {
    const response = await fetch(new URL(`scenarios/${name}.json`, import.meta.url));
    if (!response.ok) throw new Error(`Could not fetch scenario ${name} (HTTP ${response.status}).`);
    const json = await response.text();
    const file = `${name}.json`;
    const seed = Number($('seed').value || 1);
    const [{ scenario }, run] = await Promise.all([sim.request('describe', { file, json }), sim.run(file, json, {}, seed)]);
    state.scenario = scenario;
    state.run = run;
    state.nodePos = layoutNodes(run.topology);
    state.devicePos = layoutDevices(run.topology, state.nodePos);
    state.tUs = 0;
    $('title').textContent = scenario.meta.title;
    $('summary').textContent = scenario.meta.summary;
    showOutcome(run.outcome);
    document.body.dataset.ready = 'true';
    requestFrame();
  } catch (e) {
    showError(e.path ? `${e.message}` : `Could not run the scenario: ${e.message}`);
  }
}

let lastTick = null;
function tick(now) {
  if (state.playing && state.run) {
    const dt = lastTick == null ? 0 : (now - lastTick) / 1000;
    state.tUs = Math.min(state.run.endUs, state.tUs + dt * playSpeed() * 1e6);
    if (state.tUs >= state.run.endUs) { state.playing = false; $('play').textContent = 'Play'; }
    requestFrame();
  }
  lastTick = now;
  requestAnimationFrame(tick);
}

$('play').addEventListener('click', () => {
  if (!state.run) return;
  if (state.tUs >= state.run.endUs) state.tUs = 0;
  state.playing = !state.playing;
  $('play').textContent = state.playing ? 'Pause' : 'Play';
  $('play').setAttribute('aria-label', state.playing ? 'Pause' : 'Play');
  if (reducedMotion.matches && state.playing) { state.tUs = state.run.endUs; state.playing = false; requestFrame(); }
});
$('time').addEventListener('input', () => {
  if (!state.run) return;
  state.tUs = (Number($('time').value) / 1000) * state.run.endUs;
  requestFrame();
});
$('scenario').addEventListener('change', () => load($('scenario').value));
$('seed').addEventListener('change', () => load($('scenario').value));
new ResizeObserver(() => draw()).observe($('stage'));
dark.addEventListener('change', draw);

async function start() {
  try {
    const response = await fetch(new URL('scenarios/index.json', import.meta.url));
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const names = await response.json();
    $('scenario').replaceChildren(...names.map((n) => Object.assign(document.createElement('option'), { value: n, textContent: n })));
    const wanted = new URLSearchParams(location.hash.slice(1)).get('scenario');
    const name = names.includes(wanted) ? wanted : names.includes('demo-partition') ? 'demo-partition' : names[0];
    $('scenario').value = name;
    await load(name);
  } catch (e) {
    showError(`Could not load the scenario list: ${e.message}`);
  }
  requestAnimationFrame(tick);
}
start();
