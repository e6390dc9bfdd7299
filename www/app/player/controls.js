// The player's controls and keys: the transport buttons, speed, seed, view
// switch, space-time options, presenter, and the keyboard shortcuts
// (app/keys.js decides which keys a focused control keeps). Every listener is
// registered with `signal`, so destroy() removes them all.
import { bindShortcuts } from '../keys.js';
import { endUs } from './store.js';
import { setsAsText } from '../settings.js';

/**
 * @param p { root, $, host, state, options, signal, playback, frames, draw(), changed(), showError(text),
 *            open(name, settings), runVariant(), setPresenter(on), setStory(on) }
 */
export function bindControls(p) {
  const { root, $, state, signal, playback, frames, draw, changed } = p;
  const on = (element, type, listener) => element.addEventListener(type, listener, { signal });

  on($('play'), 'click', () => playback.toggle());
  on($('prev'), 'click', () => playback.stepTo(-1));
  on($('next'), 'click', () => playback.stepTo(1));
  on($('speed'), 'change', () => { state.speed = Number($('speed').value); changed(); });
  on($('seed'), 'change', () => {
    const seed = Number($('seed').value);
    if (!Number.isInteger(seed) || seed < 0) { p.showError('The seed must be a whole number, 0 or more.'); return; }
    state.seed = seed;
    p.open(state.name, { seed, sets: setsAsText(state.sets), tS: state.tUs / 1e6, view: state.view });
  });
  on($('reset'), 'click', () => { state.params.set({}); state.sets = {}; p.runVariant(); });
  root.querySelectorAll('input[name=view]').forEach((r) => on(r, 'change', () => { state.view = r.value; frames.request(); changed(); }));
  on($('st-window'), 'change', () => { frames.refreshMessages(); changed(); });
  on($('st-clients'), 'change', draw);
  on($('spacetime').closest('details'), 'toggle', () => frames.refreshMessages());
  on($('help'), 'click', () => $('keys').showModal());
  on($('presenter'), 'click', () => p.setPresenter(!state.presenter));
  on($('story-mode'), 'click', () => p.setStory(!state.story));

  bindShortcuts(p.options.keyTarget || p.host, shortcuts(p), { signal });
}

/** `KeyboardEvent.key` → what it does. */
function shortcuts({ root, $, state, options, playback, setPresenter, setStory }) {
  const stepSpeed = (by) => {
    const speed = $('speed');
    speed.selectedIndex = Math.min(speed.options.length - 1, Math.max(0, speed.selectedIndex + by));
    speed.dispatchEvent(new Event('change'));
  };
  // Presenter mode moves chapter by chapter; otherwise event by event.
  const stepOrChapter = (direction) => (state.presenter ? playback.chapterTo(direction) : playback.stepTo(direction));
  return {
    ' ': () => $('play').click(),
    ArrowRight: (e) => (e.shiftKey ? playback.seek(state.tUs + endUs(state) / 100) : stepOrChapter(1)),
    ArrowLeft: (e) => (e.shiftKey ? playback.seek(state.tUs - endUs(state) / 100) : stepOrChapter(-1)),
    Home: () => playback.toStart(),
    End: () => playback.seek(endUs(state)),
    '+': () => stepSpeed(1),
    '-': () => stepSpeed(-1),
    ']': () => playback.chapterTo(1),
    '[': () => playback.chapterTo(-1),
    v: () => {
      const order = ['variant', 'history', 'both'];
      const next = order[(order.indexOf(state.view) + 1) % 3];
      root.querySelector(`input[name=view][value=${next}]`).click();
    },
    g: () => options.onGallery?.(),
    '?': () => $('keys').showModal(),
    p: () => setPresenter(!state.presenter),
    s: () => setStory(!state.story),
  };
}
