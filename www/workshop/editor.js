// The scenario editor: a plain textarea with a line-number gutter, checked by
// the core (through the worker) as you type, with the error's field path,
// reason and line shown beside it. The text is only ever a textarea's value or
// a node's textContent: a scenario file is data, never markup.
import { lineOfPath } from './json-locate.js';
import { el } from './dom.js';

/** Quiet time after the last keystroke before asking the core (it answers in ~1 ms, but typing is bursty). */
const VALIDATE_DELAY_MS = 250;

/**
 * Mount the editor in `container` for scenario `file` with text `json`.
 * `onRun(text)` is called by "Run this scenario". Returns { text(), edited(), valid(), destroy() }.
 */
export function mountEditor(container, { sim, file, json, onRun }) {
  const draft = draftStore(file);
  const textarea = el('textarea', {
    id: 'editor-text', spellcheck: false, value: json, autocomplete: 'off',
  });
  textarea.setAttribute('wrap', 'off'); // one text line per gutter line
  textarea.setAttribute('autocapitalize', 'off');
  textarea.setAttribute('aria-describedby', 'editor-status editor-help');
  const label = el('label', { htmlFor: 'editor-text', textContent: `Scenario JSON (${file})` });
  const help = el('span', { id: 'editor-help', className: 'desc', textContent: 'Checked as you type. Tab leaves the editor.' });

  const gutterText = el('div', { className: 'gutter-lines' });
  const gutter = el('div', { className: 'gutter' }, gutterText);
  gutter.setAttribute('aria-hidden', 'true');
  const mark = el('div', { className: 'line-mark', hidden: true });
  mark.setAttribute('aria-hidden', 'true');
  const code = el('div', { className: 'code' }, mark, gutter, textarea);

  const status = el('div', { id: 'editor-status', className: 'editor-status' });
  status.setAttribute('role', 'status');
  const runButton = el('button', { type: 'button', className: 'primary', textContent: 'Run this scenario' });
  const downloadButton = el('button', { type: 'button', textContent: 'Download' });
  const resetButton = el('button', { type: 'button', textContent: 'Reset' });
  const edited = el('span', { className: 'muted edited' });
  const toolbar = el('div', { className: 'editor-toolbar' }, runButton, downloadButton, resetButton, edited);
  toolbar.setAttribute('role', 'group');
  toolbar.setAttribute('aria-label', 'Scenario file');

  container.replaceChildren(el('div', { className: 'editor' }, toolbar, el('div', { className: 'editor-label' }, label, help), status, code));

  let lineCount = 0;
  let errorLine = null;
  let timer = 0;
  let generation = 0; // replies to older texts are ignored
  let destroyed = false;

  const lineHeight = () => parseFloat(getComputedStyle(textarea).lineHeight) || 20;
  const padTop = () => parseFloat(getComputedStyle(textarea).paddingTop) || 0;

  function renderGutter() {
    const count = textarea.value.split('\n').length;
    if (count === lineCount) return;
    lineCount = count;
    // One text node: thousands of lines stay cheap to redraw.
    gutterText.textContent = Array.from({ length: count }, (_, k) => k + 1).join('\n');
  }

  /** Keep the gutter and the highlighted line aligned with the textarea's scroll. */
  function syncScroll() {
    gutterText.style.transform = `translateY(${-textarea.scrollTop}px)`;
    if (errorLine == null) { mark.hidden = true; return; }
    mark.hidden = false;
    mark.style.height = `${lineHeight()}px`;
    mark.style.transform = `translateY(${padTop() + (errorLine - 1) * lineHeight() - textarea.scrollTop}px)`;
  }

  function goToLine(line) {
    const lines = textarea.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    textarea.focus();
    textarea.setSelectionRange(start, start + (lines[line - 1] || '').length);
    // Bring the line into view with a few lines of context above it.
    const want = (line - 4) * lineHeight();
    if (want < textarea.scrollTop || (line + 2) * lineHeight() > textarea.scrollTop + textarea.clientHeight) textarea.scrollTop = Math.max(0, want);
    syncScroll();
  }

  function showValid() {
    errorLine = null;
    // Re-rendering an unchanged status would make screen readers repeat it after every pause in typing.
    if (container.dataset.valid === 'true') { syncScroll(); return; }
    status.className = 'editor-status ok';
    status.replaceChildren(el('span', { textContent: '✓ Valid scenario' }));
    container.dataset.valid = 'true';
    syncScroll();
  }

  function showInvalid(e, text) {
    errorLine = Number.isInteger(e.line) && e.line > 0 ? e.line : lineOfPath(text, e.path);
    status.className = 'editor-status bad';
    const parts = [el('strong', { textContent: '✗ ' })];
    if (errorLine) {
      const jump = el('button', { type: 'button', className: 'link', textContent: `Line ${errorLine}` });
      jump.addEventListener('click', () => goToLine(errorLine));
      parts.push(jump, ' · ');
    }
    if (e.path) parts.push(el('code', { className: 'path', textContent: e.path }), ': ');
    parts.push(el('span', { className: 'reason', textContent: e.reason || e.message || String(e) }));
    status.replaceChildren(...parts);
    container.dataset.valid = 'false';
    syncScroll();
  }

  async function check() {
    const text = textarea.value;
    const mine = ++generation;
    container.dataset.checking = 'true';
    try {
      await sim.request('validate', { file, json: text });
      if (mine === generation && !destroyed) showValid();
    } catch (e) {
      if (mine === generation && !destroyed) showInvalid(e, text);
    } finally {
      if (mine === generation) delete container.dataset.checking;
    }
  }

  function onEdit() {
    renderGutter();
    edited.textContent = textarea.value === json ? '' : 'edited (kept in this browser until you reset)';
    draft.write(textarea.value === json ? null : textarea.value);
    clearTimeout(timer);
    container.dataset.checking = 'true';
    timer = setTimeout(check, VALIDATE_DELAY_MS);
  }

  textarea.addEventListener('input', onEdit);
  textarea.addEventListener('scroll', syncScroll);
  runButton.addEventListener('click', () => onRun(textarea.value));
  downloadButton.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([textarea.value], { type: 'application/json' }));
    const a = el('a', { href: url, download: file });
    document.body.append(a);
    a.click();
    a.remove();
    // The download has been handed to the browser; the URL can go once this task ends.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  });
  resetButton.addEventListener('click', () => {
    textarea.value = json;
    textarea.scrollTop = 0;
    onEdit();
  });

  // Work in progress survives a reload (and a worker trap, which never touches the text).
  const saved = draft.read();
  if (saved != null && saved !== json) {
    textarea.value = saved;
    edited.textContent = 'your unsaved edits, restored (Reset goes back to the file as shipped)';
  }
  renderGutter();
  check();

  return {
    text: () => textarea.value,
    /** Whether the text differs from the file as shipped (the workshop asks before leaving it). */
    edited: () => textarea.value !== json,
    valid: () => container.dataset.valid === 'true',
    destroy() {
      destroyed = true;
      clearTimeout(timer);
      container.replaceChildren();
    },
  };
}

/**
 * The editor's text for `file` in localStorage, so a reload keeps it. Storage
 * may be off or full (private windows, sandboxed frames): then nothing is kept.
 */
function draftStore(file) {
  const key = `incident-replay:workshop-draft:${file}`;
  return {
    read() {
      try { return globalThis.localStorage?.getItem(key) ?? null; } catch { return null; }
    },
    write(text) {
      try {
        if (text == null) globalThis.localStorage?.removeItem(key);
        else globalThis.localStorage?.setItem(key, text);
      } catch { /* full or disabled: the draft lives only in the page */ }
    },
  };
}
