// The narration view: the chapter list (one button per step that happened,
// the current one marked and kept scrolled into view) and the current
// chapter's text with its sources. Scenario text goes in as textContent only.
import { sourceLink } from '../sources.js';
import { STEP } from '../../lib/run-layout.js';
import { chapterShown, stepIndexOf, formatClock } from './store.js';

/** @param p { root, $, state, showChapter(chapter), signal } */
export function createNarrationView({ root, $, state, showChapter, signal }) {
  let shown = null;
  /** Whether the viewer opened the details line (it stays open for the next chapters). */
  let detailsOpen = false;

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
      p.className = 'story';
      p.textContent = s.narration;
      // Caveats, assumptions and internal names go beneath, with the sources:
      // one line, opened on request (and kept open from chapter to chapter).
      const details = document.createElement('details');
      details.className = 'details';
      details.open = detailsOpen;
      details.addEventListener('toggle', () => { detailsOpen = details.open; });
      const summary = document.createElement('summary');
      summary.textContent = s.details ? 'Details and sources' : 'Sources';
      const body = document.createElement('p');
      body.className = 'muted';
      if (s.details) body.append(s.details, ' ');
      body.append('Source: ', sourceLink(state.scenario, s.source));
      details.append(summary, body);
      box.replaceChildren(h, p, details);
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

  /**
   * The scenario's introduction under its title: two lines, and a button to
   * show the rest when it is longer (the whole text is also the narration
   * before the first chapter), so the stage and the chapter stay high on the page.
   */
  const intro = $('summary');
  const more = $('summary-more');
  more.addEventListener('click', () => {
    const open = more.getAttribute('aria-expanded') !== 'true';
    more.setAttribute('aria-expanded', String(open));
    intro.classList.toggle('open', open);
    more.textContent = open ? 'Show less' : 'Show the whole introduction';
  }, { signal });
  const resized = new ResizeObserver(() => {
    if (intro.classList.contains('open')) return;
    more.hidden = intro.scrollHeight <= intro.clientHeight + 1;
  });
  resized.observe(intro);
  signal?.addEventListener('abort', () => resized.disconnect());
  function showSummary(text) {
    intro.textContent = text;
    intro.classList.remove('open');
    more.setAttribute('aria-expanded', 'false');
    more.textContent = 'Show the whole introduction';
    requestAnimationFrame(() => { more.hidden = intro.scrollHeight <= intro.clientHeight + 1; });
  }

  return { build, update, text, showSummary, reset: () => { shown = null; } };
}

/** Scroll `list` (and only it, never the page) so that `item` is visible. */
function keepInView(list, item) {
  if (!list || !item) return;
  const top = item.offsetTop - list.offsetTop;
  const bottom = top + item.offsetHeight;
  if (top < list.scrollTop) list.scrollTop = top;
  else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight;
}
