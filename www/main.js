// The playground page: the gallery, the URL, and one player. The player itself
// lives in app/player.js; the simulation in sim/ (a Web Worker).
import { SimClient } from './sim/client.js';
import { readHash, writeHash } from './app/url-state.js';
import { renderGallery } from './app/gallery.js';
import { createPlayer } from './app/player.js';
import { PLAYER_HTML } from './app/player-template.js';

const $ = (id) => document.getElementById(id);
const dark = matchMedia('(prefers-color-scheme: dark)');
const page = { names: [], entries: [] };

$('player').innerHTML = PLAYER_HTML;
const player = createPlayer(document, document.body, {
  sim: new SimClient(),
  theme: 'auto',
  base: new URL('./', import.meta.url),
  keyTarget: document,
  onChange: scheduleHash,
  onTitle: (title) => { document.title = `${title} · Incident Replay`; },
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
    const hash = writeHash({ scenario: state.name, seed: state.seed, tS: state.tUs / 1e6, view: state.view, sets: state.sets });
    if (hash !== location.hash) history.replaceState(null, '', hash);
  }, 250);
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
  const same = h.scenario === state.name && (h.seed ?? 1) === state.seed && JSON.stringify(h.sets) === JSON.stringify(Object.fromEntries(Object.entries(state.sets).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v)])));
  if (same && !$('player').hidden) { if (h.tS != null) player.seek(h.tS * 1e6); return; }
  openPlayer(h.scenario, { seed: h.seed ?? 1, sets: h.sets, tS: h.tS, view: h.view, problems: h.problems });
}

function showGallery() {
  player.setPlaying(false);
  $('player').hidden = true;
  $('gallery').hidden = false;
  document.title = 'Incident Replay';
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

$('scenario').addEventListener('change', () => { location.hash = `scenario=${encodeURIComponent($('scenario').value)}`; });
$('share').addEventListener('click', async () => {
  scheduleHash();
  const url = location.href.split('#')[0] + writeHash({ scenario: state.name, seed: state.seed, tS: state.tUs / 1e6, view: state.view, sets: state.sets });
  try { await navigator.clipboard.writeText(url); $('share').textContent = 'Link copied'; } catch { $('share').textContent = 'Copy failed'; }
  setTimeout(() => { $('share').textContent = 'Copy link'; }, 1500);
});
$('home').addEventListener('click', (e) => { e.preventDefault(); location.hash = ''; showGallery(); });
dark.addEventListener('change', () => { if (!$('gallery').hidden) renderGallery($('cards'), page.entries, dark.matches); });
window.addEventListener('hashchange', fromHash);

async function start() {
  try {
    const response = await fetch(new URL('scenarios/index.json', import.meta.url));
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    page.names = await response.json();
    $('scenario').replaceChildren(...page.names.map((n) => Object.assign(document.createElement('option'), { value: n, textContent: n })));
    page.entries = await Promise.all(page.names.map(async (name) => {
      try {
        const response = await fetch(new URL(`scenarios/${name}.json`, import.meta.url));
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return { name, scenario: await response.json() };
      } catch (e) { return { name, error: e.message }; }
    }));
    fromHash();
  } catch (e) {
    $('gallery').hidden = false;
    showGalleryError(`Could not load the scenario list: ${e.message}`);
  }
}
start();