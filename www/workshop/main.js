// The workshop page: a scenario picker, the sweep view and the scenario editor.
// This file wires them to the workers and the URL (#scenario=NAME&tab=edit);
// the views live in sweep.js and editor.js, the simulation in ../sim/.
import { SimClient } from '../sim/client.js';
import { SimPool } from '../sim/pool.js';
import { mountSweep } from './sweep.js';
import { mountEditor } from './editor.js';
import { mountTabs } from './tabs.js';
import { showOutcome, showChecks } from '../app/outcome.js';
import { errorText } from '../app/errors.js';

const $ = (id) => document.getElementById(id);
/** One worker for the editor's checks and single runs, so they never queue behind a sweep. */
const sim = new SimClient();
const pool = new SimPool();
const state = { names: [], name: null, json: null, scenario: null, sweep: null, editor: null, tab: 'sweep', runId: 0 };

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  return { scenario: params.get('scenario'), tab: params.get('tab') === 'edit' ? 'edit' : 'sweep' };
}

function writeHash() {
  const params = new URLSearchParams();
  if (state.name) params.set('scenario', state.name);
  if (state.tab !== 'sweep') params.set('tab', state.tab);
  const hash = `#${params}`;
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

function showError(target, e) {
  const text = e ? errorText(e) : '';
  target.hidden = !text;
  target.textContent = text;
}

const tabs = mountTabs(document.querySelector('[role=tablist]'), (tab) => { state.tab = tab; writeHash(); }, {
  'tab-sweep': 'sweep', 'tab-edit': 'edit',
});

/** Ask before leaving a scenario whose edits are not saved anywhere but this browser. */
function mayLeave() {
  if (!state.editor?.edited()) return true;
  return confirm(`Your edits to ${state.name}.json are not downloaded. They stay in this browser and come back when you open it again. Switch anyway?`);
}

async function openScenario(name) {
  if (!state.names.includes(name)) name = state.names[0];
  state.name = name;
  $('scenario').value = name;
  $('playground-link').href = `index.html#scenario=${encodeURIComponent(name)}`;
  writeHash();
  document.body.dataset.ready = 'false';
  state.sweep?.destroy();
  state.editor?.destroy();
  state.sweep = state.editor = null;
  clearOutcome();
  const file = `${name}.json`;
  try {
    const response = await fetch(new URL(`../scenarios/${file}`, import.meta.url));
    if (!response.ok) throw new Error(`Could not load ${file}: ${response.status}`);
    const json = await response.text();
    const { scenario } = await sim.request('describe', { file, json });
    if (state.name !== name) return; // the viewer picked another one meanwhile
    Object.assign(state, { json, scenario });
    $('title').textContent = scenario.meta.title;
    $('summary').textContent = scenario.meta.summary || '';
    document.title = `${scenario.meta.title} · Workshop · Incident Replay`;
    // How far each parameter may go within the event budget: the sweep's default ranges stay inside.
    const { fits } = await sim.request('fits', { file, json, overrides: {} }).catch(() => ({ fits: [] }));
    if (state.name !== name) return;
    state.sweep = mountSweep($('sweep'), { pool, file, json, scenario, fits });
    state.editor = mountEditor($('editor'), { sim, file, json, onRun: (text) => runEdited(file, text) });
    showError($('error'), null);
    document.body.dataset.ready = 'true';
  } catch (e) {
    showError($('error'), e);
  }
}

function clearOutcome() {
  $('outcome').hidden = true;
  $('outcome').tBodies[0].replaceChildren();
  $('checks').replaceChildren();
  $('run-status').textContent = '';
  showError($('run-error'), null);
}

/** Run the edited text and the shipped file with the same seed, and compare. */
async function runEdited(file, text) {
  const seed = Number($('run-seed').value);
  $('run-seed-error').textContent = Number.isInteger(seed) && seed >= 0 ? '' : 'A whole number, 0 or more.';
  if ($('run-seed-error').textContent) { $('run-seed').focus(); return; }
  const mine = ++state.runId;
  $('run-status').textContent = '· running…';
  document.body.dataset.run = 'running';
  try {
    const [shipped, edited] = await Promise.all([
      sim.request('outcome', { file, json: state.json, seed }),
      sim.request('outcome', { file, json: text, seed }),
    ]);
    if (mine !== state.runId) return;
    showError($('run-error'), null);
    showOutcome($('outcome').tBodies[0], shipped.outcome, edited.outcome);
    showChecks($('checks'), edited.outcome);
    $('outcome').hidden = false;
    $('run-status').textContent = `· seed ${seed}, ${edited.runMs.toFixed(0)} ms`;
    document.body.dataset.run = 'done';
  } catch (e) {
    if (mine !== state.runId) return;
    $('outcome').hidden = true;
    $('checks').replaceChildren();
    $('run-status').textContent = '';
    showError($('run-error'), e);
    document.body.dataset.run = 'error';
  }
  // Bring the result into view on narrow screens, where it sits below the editor.
  $('outcome-title').scrollIntoView({ block: 'nearest' });
}

async function start() {
  try {
    const response = await fetch(new URL('../scenarios/index.json', import.meta.url));
    state.names = await response.json();
  } catch (e) {
    showError($('error'), new Error(`Could not load the scenario list: ${e.message}`));
    return;
  }
  $('scenario').replaceChildren(...state.names.map((n) => Object.assign(document.createElement('option'), { value: n, textContent: n })));
  const { scenario, tab } = readHash();
  state.tab = tab;
  tabs.select(tab === 'edit' ? 'tab-edit' : 'tab-sweep');
  await openScenario(scenario || state.names[0]);
}

$('scenario').addEventListener('change', () => {
  if (mayLeave()) openScenario($('scenario').value); else $('scenario').value = state.name;
});
addEventListener('hashchange', () => {
  const { scenario, tab } = readHash();
  if (tab !== state.tab) { state.tab = tab; tabs.select(tab === 'edit' ? 'tab-edit' : 'tab-sweep'); }
  if (scenario && scenario !== state.name) { if (mayLeave()) openScenario(scenario); else writeHash(); }
});
let carrying = false;
addEventListener('beforeunload', (e) => {
  if (!carrying && state.editor?.edited()) { e.preventDefault(); e.returnValue = ''; }
});
// "Open in the playground" carries the edited file when there is one.
$('playground-link').addEventListener('click', (e) => {
  if (!state.editor?.edited()) return;
  e.preventDefault();
  try { localStorage.setItem(`incident-replay:open:${state.name}`, state.editor.text()); } catch { /* the playground opens the shipped file */ }
  carrying = true;
  location.href = `index.html#scenario=${encodeURIComponent(state.name)}&draft=1`;
});
addEventListener('pagehide', () => pool.terminate());

// For tests and the console: the pool's size and the current scenario.
window.__workshop = { pool, sim, state };
start();
