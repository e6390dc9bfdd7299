// <incident-replay scenario="github-2012"> — the player as a custom element for
// other people's pages. Shadow DOM keeps styles in and out; every element on a
// page shares one simulation worker (one WASM download and instance), created
// when the first element scrolls into view.
//
// Attributes (all optional except `scenario`):
//   scenario   name of a built-in scenario (file scenarios/NAME.json next to this site)
//   src        URL of a scenario JSON file instead of a built-in one: on the host
//              page's own origin, or on one it declares with
//              <meta name="incident-replay-origins" content="https://…"> (app/scenario-source.js)
//   seed       whole number from 0 to 2^53 − 1, default 1
//   t          start time in seconds from the scenario's start
//   params     parameter overrides, "dead_time=30&heartbeat_interval=500"
//   toggles    mitigations switched on, "fencing_first quorum" ("!name" switches one off)
//   autoplay   present: start playing when visible
//   story      "on" (default): story mode, paced by the narration | "off": free play on the time-warp
//   controls   "full" | "basic" (default: stage, playback, narration, outcome) | "none"
//   view       "variant" (default) | "history" | "both"
//   height     stage height, CSS length (default 420px)
//   theme      "auto" (default) | "light" | "dark"
//   figure     present: a static, captioned snapshot at `t`, no controls
//   caption    figure caption (default: the narration at `t`)
import { SimClient, scopedClient } from '../sim/client.js';
import { PLAYER_HTML } from '../app/player-template.js';
import { createPlayer } from '../app/player.js';
import { parseSeed, parseSeconds } from '../app/scenario-source.js';

const SITE = new URL('../', import.meta.url);
let sharedSim = null;
let nextId = 1;

/** "a=1&b=2" → { a: '1', b: '2' } plus toggles "x !y" → { x: '1', y: '0' }. */
export function settingsFrom(params, toggles) {
  const sets = Object.create(null); // `constructor` from an attribute is a name, not Object's
  for (const [k, v] of new URLSearchParams((params || '').replace(/[;,]/g, '&'))) if (k) sets[k] = v;
  for (const word of (toggles || '').split(/[\s,]+/).filter(Boolean)) {
    if (word.startsWith('!')) sets[word.slice(1)] = '0'; else sets[word] = '1';
  }
  return sets;
}

export class IncidentReplayElement extends HTMLElement {
  static observedAttributes = ['scenario', 'src', 'seed', 't', 'params', 'toggles', 'view', 'theme', 'height', 'controls', 'story'];

  connectedCallback() {
    if (this.shadowRoot) {
      // Put back (or moved within the page): leaving destroyed the player and the
      // worker dropped this element's replays, so start again if it had started.
      if (this.started) this.start();
      return;
    }
    this.slotPrefix = `el${nextId++}`;
    const shadow = this.attachShadow({ mode: 'open' });
    const css = (file) => `<link rel="stylesheet" href="${new URL(file, SITE).href}">`;
    shadow.innerHTML = `${css('player.css')}${css('embed/element.css')}<div class="ir player embedded" data-theme="auto" tabindex="-1"></div>`;
    this.wrapper = shadow.querySelector('.player');
    this.wrapper.innerHTML = `<p class="placeholder muted">Incident Replay loads when it scrolls into view…</p>`;
    // Reserve the stage's height now (before the stylesheet arrives), so the
    // page does not jump and elements below the fold stay below it.
    this.wrapper.firstElementChild.style.minHeight = this.getAttribute('height') || '420px';
    this.applyLook();
    // Lazy: nothing is fetched or instantiated until the element is near the viewport.
    this.visibility = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { this.visibility.disconnect(); this.start(); }
    }, { rootMargin: '200px' });
    this.visibility.observe(this);
  }

  disconnectedCallback() {
    this.visibility?.disconnect();
    // Off the page, nothing of the player may keep running: its animation loop,
    // observers and listeners stop, and the worker drops its replays.
    this.player?.destroy();
    this.player = null;
    this.sim?.free();
  }

  attributeChangedCallback(name) {
    if (!this.player) return;
    if (name === 'theme' || name === 'height' || name === 'controls') { this.applyLook(); this.player.redraw(); return; }
    if (name === 'story') { this.player.setStory(this.getAttribute('story') !== 'off'); return; }
    this.load();
  }

  applyLook() {
    if (!this.wrapper) return;
    const figure = this.hasAttribute('figure');
    this.wrapper.dataset.theme = ['light', 'dark'].includes(this.getAttribute('theme')) ? this.getAttribute('theme') : 'auto';
    this.wrapper.dataset.controls = figure ? 'none' : (['full', 'basic', 'none'].includes(this.getAttribute('controls')) ? this.getAttribute('controls') : 'basic');
    this.wrapper.classList.toggle('figure', figure);
    const height = this.getAttribute('height');
    if (height && CSS.supports('height', height)) this.wrapper.style.setProperty('--stage-height', height);
  }

  start() {
    this.started = true;
    sharedSim ||= new SimClient();
    this.sim = scopedClient(sharedSim, this.slotPrefix);
    this.wrapper.innerHTML = PLAYER_HTML;
    // In someone's blog column the charts and messages start closed: one click away, not 3,000 px of page.
    for (const panel of this.wrapper.querySelectorAll('.deep details')) panel.open = false;
    this.applyLook();
    const caption = document.createElement('figcaption');
    caption.className = 'figure-caption';
    this.wrapper.querySelector('.stage-area').append(caption);
    const wrapper = this.wrapper;
    this.player = createPlayer(this.shadowRoot, this, {
      sim: this.sim,
      get theme() { return wrapper.dataset.theme; },
      base: SITE,
      keyTarget: this.wrapper,
      onReady: () => this.ready(),
    });
    this.load();
  }

  async load() {
    const name = this.getAttribute('scenario') || 'demo-partition';
    const seedText = this.getAttribute('seed');
    const tText = this.getAttribute('t');
    const seed = seedText == null ? 1 : parseSeed(seedText);
    const t = tText == null ? 0 : parseSeconds(tText);
    const problems = [];
    const shown = (text) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);
    if (seed == null) problems.push(`seed: “${shown(seedText)}” is not a whole number from 0 to 2^53 − 1; using seed 1`);
    if (t == null) problems.push(`t: “${shown(tText)}” is not a time in seconds; starting at the beginning`);
    await this.player.open(name, {
      src: this.getAttribute('src'),
      seed: seed ?? 1,
      sets: settingsFrom(this.getAttribute('params'), this.getAttribute('toggles')),
      tS: t > 0 ? t : null,
      view: this.getAttribute('view') || 'variant',
      story: this.getAttribute('story') !== 'off',
      problems,
    });
  }

  ready() {
    const caption = this.shadowRoot.querySelector('.figure-caption');
    if (this.hasAttribute('figure')) caption.textContent = this.getAttribute('caption') || this.player.narrationText();
    else caption.textContent = '';
    if (this.hasAttribute('autoplay') && !this.hasAttribute('figure') && !matchMedia('(prefers-reduced-motion: reduce)').matches) this.player.setPlaying(true);
    this.dispatchEvent(new CustomEvent('ready', { detail: { digest: this.dataset.digest } }));
  }
}

if (!customElements.get('incident-replay')) customElements.define('incident-replay', IncidentReplayElement);
