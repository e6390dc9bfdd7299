// The chapter marks on the timeline: one button per chapter at its place on
// the bar, labelled with its number. Where labels would overlap (chapters close
// together, a phone's narrow bar) they are merged: the first of a run of close
// chapters reads "2–5" and the others show only their tick. Every chapter
// keeps its own button with a full accessible name ("Chapter 3, 12:01:03 UTC:
// The controller freezes"; a merged label's starts with its text, "Chapters
// 2–5: chapter 2, …", as WCAG 2.5.3 asks); the group is one Tab stop and the arrow keys,
// Home and End move between its chapters (a merged one shows its number while
// focused).
import { fractionOf } from '../../timeline/warp.js';
import { STEP } from '../../lib/run-layout.js';
import { chapterShown, formatClock } from './store.js';

/** Label font (CSS in player.css .chapter-marks button) and the room kept between two labels, px. */
const LABEL_FONT = '600 11px system-ui, sans-serif';
const LABEL_PAD_PX = 6;
const LABEL_GAP_PX = 3;

/**
 * Group chapters whose labels would overlap. `xs`: each chapter's x (px, in
 * order); `numbers`: the number each shows (its step's place in the file, as
 * the narration numbers it); `widthOf(text)`: a label's width. Returns [{ first, last, text, x }]
 * with no two labels overlapping: each starts at its first chapter's x (moved
 * left when it would run past `width`).
 */
export function mergeLabels(xs, numbers, widthOf, width) {
  const groups = [];
  const labelOf = (first, last) => (first === last ? String(numbers[first]) : `${numbers[first]}–${numbers[last]}`);
  for (let i = 0; i < xs.length; i++) {
    const g = groups[groups.length - 1];
    if (g && xs[i] < g.x + widthOf(labelOf(g.first, i)) + LABEL_GAP_PX) {
      g.last = i;
      g.text = labelOf(g.first, i);
      continue;
    }
    groups.push({ first: i, last: i, text: labelOf(i, i), x: xs[i] });
  }
  // A label near the right end is moved left to stay on the bar, and the one
  // before it is merged in if that would make them overlap.
  for (let k = groups.length - 1; k >= 0; k--) {
    const g = groups[k];
    const w = widthOf(g.text);
    g.x = Math.max(0, Math.min(g.x, width - w));
    const before = groups[k - 1];
    if (before && before.x + widthOf(before.text) + LABEL_GAP_PX > g.x) {
      before.last = g.last;
      before.text = labelOf(before.first, before.last);
      groups.splice(k, 1);
    }
  }
  return groups;
}

/** @param p { $, state, showChapter(chapter), signal } */
export function createChapterMarks({ $, state, showChapter, signal }) {
  const box = $('chapter-marks');
  const measure = document.createElement('canvas').getContext('2d');
  measure.font = LABEL_FONT;
  const widthOf = (text) => Math.ceil(measure.measureText(text).width) + LABEL_PAD_PX;
  let width = 0;
  let builtKey = '';
  let current = -1;
  const resized = new ResizeObserver((entries) => { width = entries[0].contentRect.width; update(); });
  resized.observe(box);
  signal.addEventListener('abort', () => resized.disconnect());

  box.addEventListener('keydown', (e) => {
    const buttons = [...box.querySelectorAll('button')];
    const at = buttons.indexOf(e.target);
    if (at < 0 || e.ctrlKey || e.metaKey || e.altKey) return;
    const to = { ArrowLeft: at - 1, ArrowRight: at + 1, ArrowUp: at - 1, ArrowDown: at + 1, Home: 0, End: buttons.length - 1 }[e.key];
    if (to == null) return;
    // The player's own arrow keys (previous / next event) must not also run.
    e.preventDefault();
    e.stopPropagation();
    focusMark(buttons, Math.min(buttons.length - 1, Math.max(0, to)));
  }, { signal });

  function focusMark(buttons, i) {
    buttons.forEach((b, k) => { b.tabIndex = k === i ? 0 : -1; });
    buttons[i].focus();
  }

  /** Rebuild when the runs or the bar's width changed; mark the chapter on screen. */
  function update() {
    if (!state.history || !state.warp || !width) return;
    const key = `${state.version}:${Math.round(width)}`;
    if (key !== builtKey) { builtKey = key; build(); current = -2; }
    const shown = chapterShown(state);
    if (shown === current) return;
    current = shown;
    const buttons = [...box.querySelectorAll('button')];
    const focused = buttons.includes(document.activeElement) || buttons.includes(box.getRootNode().activeElement);
    buttons.forEach((b, k) => {
      b.classList.toggle('current', k === shown);
      b.setAttribute('aria-current', k === shown ? 'step' : 'false');
      // One Tab stop: the chapter on screen (or the first), unless the viewer is moving among them.
      if (!focused) b.tabIndex = k === Math.max(0, shown) ? 0 : -1;
    });
  }

  function build() {
    const steps = state.history.steps;
    const xs = [];
    for (let i = 0; i < steps.length; i += STEP.STRIDE) xs.push(fractionOf(state.warp, steps[i + STEP.T_US]) * width);
    const numbers = xs.map((_, chapter) => steps[chapter * STEP.STRIDE + STEP.INDEX] + 1);
    const groups = mergeLabels(xs, numbers, widthOf, width);
    const buttons = xs.map((x, chapter) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.tabIndex = -1;
      const step = state.scenario.timeline[steps[chapter * STEP.STRIDE + STEP.INDEX]];
      const clock = formatClock(state, steps[chapter * STEP.STRIDE + STEP.T_US]).split(', ').pop();
      b.setAttribute('aria-label', `Chapter ${numbers[chapter]}, ${clock}: ${step?.title ?? ''}`);
      b.title = `${numbers[chapter]}. ${step?.title ?? ''} (${clock})`;
      b.dataset.chapter = String(chapter);
      b.addEventListener('click', () => showChapter(chapter));
      return b;
    });
    for (const g of groups) {
      const head = buttons[g.first];
      head.textContent = g.text;
      head.style.left = `${g.x}px`;
      head.classList.add('label');
      // The name holds the visible text (WCAG 2.5.3, label in name).
      if (g.first !== g.last) head.setAttribute('aria-label', `Chapters ${g.text}: c${head.getAttribute('aria-label').slice(1)}`);
      for (let c = g.first + 1; c <= g.last; c++) {
        const b = buttons[c];
        b.textContent = String(numbers[c]);
        b.classList.add('merged');
        b.style.left = `${Math.max(0, Math.min(xs[c], width - widthOf(String(numbers[c]))))}px`;
      }
    }
    box.replaceChildren(...buttons);
  }

  return { update };
}
