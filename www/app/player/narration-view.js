// The narration view: the chapter list (one button per step that happened,
// the current one marked and kept scrolled into view) and the current
// chapter's text with its sources. Scenario text goes in as textContent only.
import { sourceLink } from '../sources.js';
import { STEP } from '../../lib/run-layout.js';
import { chapterShown, stepIndexOf, formatClock } from './store.js';

/** @param p { root, $, state, showChapter(chapter), signal } */
export function createNarrationView({ root, $, state, showChapter }) {
  let shown = null;

  /** One button per chapter (a step of history.steps), in time order. */
  function build() {
    const steps = state.history.steps;
    const items = [];
    for (let i = 0; i < steps.length; i += STEP.STRIDE) {
      const chapter = i / STEP.STRIDE;
      const s = state.scenario.timeline[steps[i + STEP.INDEX]];
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = `${formatClock(state, steps[i + STEP.T_US]).split(', ').pop()} · ${s.title}`;
      b.addEventListener('click', () => showChapter(chapter));
      li.append(b);
      items.push(li);
    }
    $('chapters').replaceChildren(...items);
    shown = null;
  }

  /** Show the chapter at the current time, if it changed. */
  function update() {
    const chapter = chapterShown(state);
    if (chapter === shown) return;
    shown = chapter;
    show(chapter);
  }

  function show(chapter) {
    const box = $('narration');
    const index = stepIndexOf(state, chapter);
    const s = state.scenario.timeline[index];
    if (!s) {
      box.replaceChildren(Object.assign(document.createElement('p'), { className: 'muted', textContent: state.scenario.meta.summary }));
    } else {
      const h = document.createElement('h4');
      h.textContent = `${index + 1}. ${s.title}`;
      const p = document.createElement('p');
      p.textContent = s.narration;
      const src = document.createElement('p');
      src.className = 'muted';
      src.append('Source: ', sourceLink(state.scenario, s.source));
      box.replaceChildren(h, p, src);
    }
    const items = root.querySelectorAll('#chapters li');
    items.forEach((li, i) => li.classList.toggle('current', i === chapter));
    root.querySelectorAll('#chapters button').forEach((b, i) => b.setAttribute('aria-current', i === chapter ? 'step' : 'false'));
    keepInView($('chapters'), items[chapter]);
  }

  /** The chapter's text for figure captions: "clock — title: narration". */
  function text() {
    const s = state.scenario?.timeline[stepIndexOf(state, chapterShown(state))];
    return s ? `${formatClock(state, state.tUs)} — ${s.title}: ${s.narration}` : state.scenario?.meta.summary ?? '';
  }

  return { build, update, text, reset: () => { shown = null; } };
}

/** Scroll `list` (and only it, never the page) so that `item` is visible. */
function keepInView(list, item) {
  if (!list || !item) return;
  const top = item.offsetTop - list.offsetTop;
  const bottom = top + item.offsetHeight;
  if (top < list.scrollTop) list.scrollTop = top;
  else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight;
}
