// The playground page: the gallery, the URL, and one player. The player itself
// lives in app/player.js; the simulation in sim/ (a Web Worker).
import { SimClient } from './sim/client.js';
import { readHash, writeHash } from './app/url-state.js';
import { renderGallery } from './app/gallery.js';
import { KIND_LABELS, kindOf } from './app/scenario-kind.js';
import { createPlayer } from './app/player.js';
import { PLAYER_HTML } from './app/player-template.js';
import { sameSets } from './app/settings.js';

const $ = (id) => document.getElementById(id);
const dark = matchMedia('(prefers-color-scheme: dark)');
const page = { names: [], entries: [] };

/**
 * The simulation worker, started when a scenario is first opened: the gallery
 * alone downloads no WASM.
 */
let client = null;
const started = () => (client ||= new SimClient());
const sim = {
  request: (type, payload) => started().request(type, payload),
  run: (...args) => started().run(...args),
  frame: (...args) => started().frame(...args),
  messages: (...args) => started().messages(...args),
};

$('player').innerHTML = PLAYER_HTML;
const player = createPlayer(document, document.body, {
  sim,
  seedSpread: true,
  theme: 'auto',
  base: new URL('./', import.meta.url),
  keyTarget: document,
  onChange: scheduleHash,
  onTitle: (title) => {
    document.title = `${title}${page.draft ? ' (edited in the workshop)' : ''} · Incident Replay`;
    if (page.draft) $('title').textContent = `${title} (edited in the workshop)`;
  },
  onGallery: () => { location.hash = ''; },
});
const state = player.state;
/** For the browser tests and benchmarks. */
window.__playground = state;
window.__drawStats = player.drawStats;
window.__player = player;

// ---------------------------------------------------------------- URL

let hashTimer = null;
function scheduleHash() {
  clearTimeout(hashTimer);
  hashTimer = setTimeout(() => {
    if (!state.name || $('player').hidden) return;
    const hash = currentHash();
    if (hash !== location.hash) history.replaceState(null, '', hash);
  }, 250);
}

/** The link to what is on screen now: scenario, settings, time and the view's own choices. */
function currentHash() {
  return writeHash({ scenario: state.name, seed: state.seed, tS: state.tUs / 1e6, view: state.view, sets: state.sets, draft: page.draft, actions: state.acceptedActions, ...player.viewSettings() });
}

function fromHash() {
  const h = readHash(location.hash);
  if (!h.scenario) { showGallery(); return; }
  if (!page.names.includes(h.scenario)) {
    showGallery();
    showGalleryError(`There is no scenario called “${h.scenario}”. Pick one below.`);
    return;
  }
  // A hash we wrote ourselves (same scenario and settings) only moves time.
  const same = h.scenario === state.name && h.draft === Boolean(page.draft) && (h.seed ?? 1) === state.seed && sameSets(h.sets, state.sets) && JSON.stringify(h.actions) === JSON.stringify(state.acceptedActions);
  if (same && !$('player').hidden) { if (h.tS != null) player.seek(h.tS * 1e6); return; }
  // The workshop's edited copy, when the link asks for it and this browser has it.
  let json = null;
  if (h.draft) {
    try { json = localStorage.getItem(`incident-replay:open:${h.scenario}`); } catch { json = null; }
    if (json == null) h.problems.push('draft: this browser holds no edited copy of the scenario; showing the file as shipped');
  }
  page.draft = json != null;
  openPlayer(h.scenario, { seed: h.seed ?? 1, sets: h.sets, tS: h.tS, view: h.view, problems: h.problems, speed: h.speed ?? 1, presenter: h.presenter, story: h.story ?? true, charts: h.charts, windowS: h.windowS ?? 5, json, actions: h.actions });
}

function showGallery() {
  player.setPlaying(false);
  $('player').hidden = true;
  $('gallery').hidden = false;
  document.title = 'Incident Replay';
  $('scenario').value = '';
  renderGallery($('cards'), page.entries, dark.matches);
}

function showGalleryError(message) {
  const p = document.createElement('p');
  p.className = 'error';
  p.setAttribute('role', 'alert');
  p.textContent = message;
  $('cards').before(p);
}

function openPlayer(name, settings) {
  $('gallery').hidden = true;
  $('player').hidden = false;
  $('scenario').value = name;
  player.open(name, settings);
}

// ---------------------------------------------------------------- controls

$('scenario').addEventListener('change', () => {
  location.hash = $('scenario').value ? `scenario=${encodeURIComponent($('scenario').value)}` : '';
});
$('share').addEventListener('click', async () => {
  // On the gallery, the link is the gallery's; in a player, the moment on screen.
  const inPlayer = state.name && !$('player').hidden;
  if (inPlayer) scheduleHash();
  const url = location.href.split('#')[0] + (inPlayer ? currentHash() : '');
  try { await navigator.clipboard.writeText(url); $('share').textContent = 'Link copied'; } catch { $('share').textContent = 'Copy failed'; }
  setTimeout(() => { $('share').textContent = 'Copy link'; }, 1500);
});
$('home').addEventListener('click', (e) => { e.preventDefault(); location.hash = ''; showGallery(); });
dark.addEventListener('change', () => { if (!$('gallery').hidden) renderGallery($('cards'), page.entries, dark.matches); });
window.addEventListener('hashchange', fromHash);

async function start() {
  try {
    const response = await fetch(new URL('scenarios/gallery.json', import.meta.url));
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    page.entries = await response.json();
    page.names = page.entries.map((c) => c.name);
    $('scenario').replaceChildren(Object.assign(document.createElement('option'), { value: '', textContent: 'Pick a scenario…' }),
      ...page.entries.map((c) => Object.assign(document.createElement('option'), { value: c.name, textContent: kindOf(c) === 'replay' ? c.name : `${c.name} (${KIND_LABELS[kindOf(c)].toLowerCase()})` })));
    fromHash();
  } catch (e) {
    $('gallery').hidden = false;
    showGalleryError(`Could not load the scenario list: ${e.message}`);
  }
}
start();