// The parameter panel, generated from a scenario's parameters and mitigation
// toggles: units, ranges, the historical value marked, descriptions, sources.
// Mitigations first; the scenario's first parameters (authors list the ones
// that matter most first) open; the rest grouped by kind, collapsed.
// Knows nothing about running: it reports the viewer's changes through `onChange`.
import { sourceLink } from './sources.js';

const UNIT_TEXT = { per_s: '/s', count: '', us: 'µs' };
const humanise = (name) => name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
const unitText = (unit) => UNIT_TEXT[unit] ?? unit;
/** How many parameters show open, above the groups. */
const KEY_PARAMETERS = 3;
/** Longest description shown before "more". */
const SHORT_CHARS = 90;
/** Typing pauses this long before a valid value runs (Enter or leaving the field runs at once). */
export const TYPING_PAUSE_MS = 700;

const GROUPS = [
  { title: 'Timers and delays', units: ['us', 'ms', 's', 'min', 'h'] },
  { title: 'Sizes, rates and capacity', units: ['bytes', 'KB', 'MB', 'GB', 'TB', 'MB/s', 'Mbit/s', 'Gbit/s', 'per_s', '%'] },
];
const groupOf = (p) => GROUPS.find((g) => g.units.includes(p.unit))?.title ?? 'Counts and other settings';

/**
 * A setting's description: its first sentence, with the rest and the source one
 * click away (the long notes would push everything else off the screen).
 */
function description(scenario, id, text, source) {
  const sentence = String(text).search(/[.!?](\s|$)/);
  let first = sentence < 0 ? text : text.slice(0, sentence + 1);
  let rest = text.slice(first.length).trim();
  if (first.length > SHORT_CHARS) {
    // A long first sentence: its first words, the rest behind "more".
    const at = text.lastIndexOf(' ', SHORT_CHARS);
    first = `${text.slice(0, at > 0 ? at : SHORT_CHARS)}…`;
    rest = `…${text.slice(at > 0 ? at + 1 : SHORT_CHARS)}`;
  }
  const link = sourceLink(scenario, source);
  if (!rest && !link) return el('span', { className: 'desc', id }, text);
  const more = el('details', { className: 'more' }, el('summary', { textContent: rest ? 'more' : 'source' }), rest, rest ? ' ' : '', link);
  return el('span', { className: 'desc', id }, first, ' ', more);
}

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c != null));
  return node;
}

/**
 * Check one typed value against its parameter; returns an error text or null.
 * `fit` ({ lo, hi }) is the range the core accepts with the other settings.
 */
export function checkValue(p, text, fit = null) {
  if (String(text).trim() === '') return 'Enter a number.';
  const v = Number(text);
  if (!Number.isFinite(v)) return `“${text}” is not a number.`;
  if (v < p.min || v > p.max) return `Must be between ${p.min} and ${p.max} ${unitText(p.unit)}.`;
  if (fit && (v < fit.lo || v > fit.hi)) {
    return `With your other settings the replay cannot run this value (it would need more events than it may simulate, or it conflicts with another setting): use ${v < fit.lo ? `at least ${fit.lo}` : `at most ${fit.hi}`} ${unitText(p.unit)}.`;
  }
  return null;
}

/** One mitigation checkbox row. */
function toggleRow(scenario, name, t, current, emit) {
  const id = `toggle-${name}`;
  const box = el('input', { type: 'checkbox', id, name, checked: current[name] ?? t.default });
  const desc = description(scenario, `${id}-desc`, t.description, t.source);
  box.setAttribute('aria-describedby', desc.id);
  const row = el('div', { className: 'toggle' },
    el('label', { htmlFor: id }, box, ` ${t.label}`, el('span', { className: 'hist', textContent: t.default ? ' (on in history)' : ' (off in history)' })), desc);
  const mark = () => row.classList.toggle('changed', box.checked !== t.default);
  box.addEventListener('change', () => {
    if (box.checked === t.default) delete current[name]; else current[name] = box.checked;
    mark();
    emit();
  });
  mark();
  return { row, set: (v) => { box.checked = v ?? t.default; mark(); } };
}

/** One number parameter: a field, a slider with the historical value marked, a note. */
function paramRow(scenario, name, p, current, emit) {
  const id = `param-${name}`;
  const start = current[name] ?? p.default;
  let fit = null;
  const slider = el('input', { type: 'range', min: p.min, max: p.max, step: p.step, value: start, tabIndex: -1 });
  slider.setAttribute('aria-hidden', 'true');
  const number = el('input', { type: 'number', id, name, min: p.min, max: p.max, step: p.step, value: start, inputMode: 'decimal' });
  const error = el('span', { className: 'field-error', id: `${id}-error`, role: 'alert' });
  const limit = el('span', { className: 'desc limit', id: `${id}-limit` });
  const desc = description(scenario, `${id}-desc`, p.description, p.source);
  number.setAttribute('aria-describedby', `${id}-desc ${id}-limit ${id}-error`);
  const hist = el('button', { type: 'button', className: 'hist-mark', textContent: `history: ${p.default} ${unitText(p.unit)}`, title: 'Back to the historical value' });
  // The historical value marked on the slider track.
  const mark = el('span', { className: 'mark', title: `history: ${p.default} ${unitText(p.unit)}` });
  const placeMark = () => {
    const lo = Number(slider.min), hi = Number(slider.max);
    mark.style.left = `${((Math.min(hi, Math.max(lo, p.default)) - lo) / (hi - lo || 1)) * 100}%`;
  };
  placeMark();
  const row = el('div', { className: 'param' },
    el('div', { className: 'param-head' }, el('label', { htmlFor: id, textContent: humanise(name) }), el('span', { className: 'num' }, number, ` ${unitText(p.unit)}`)),
    el('div', { className: 'track' }, slider, mark),
    el('div', { className: 'param-foot' }, hist, error),
    limit, desc);
  let typing = null;
  const apply = (text, fromSlider) => {
    clearTimeout(typing);
    const problem = checkValue(p, text, fit);
    error.textContent = problem || '';
    delete error.dataset.fromSimulator;
    number.setAttribute('aria-invalid', problem ? 'true' : 'false');
    row.classList.toggle('invalid', Boolean(problem));
    if (problem) return;
    const v = Number(text);
    if (fromSlider) number.value = String(v); else slider.value = String(v);
    if (v === p.default) delete current[name]; else current[name] = v;
    row.classList.toggle('changed', v !== p.default);
    if (v !== (row.dataset.ran === undefined ? start : Number(row.dataset.ran))) { row.dataset.ran = String(v); emit(); }
  };
  slider.addEventListener('input', () => apply(slider.value, true));
  // While typing "120", neither 1 nor 12 runs: a pause, Enter or leaving the field does.
  number.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(() => apply(number.value, false), TYPING_PAUSE_MS); });
  number.addEventListener('change', () => apply(number.value, false));
  hist.addEventListener('click', () => { number.value = String(p.default); apply(number.value, false); });
  row.classList.toggle('changed', start !== p.default);
  return {
    row,
    error,
    set: (v) => {
      number.value = String(v ?? p.default); slider.value = number.value; row.dataset.ran = number.value; error.textContent = '';
      row.classList.toggle('changed', (v ?? p.default) !== p.default);
    },
    /** Limit the slider to what the core accepts; say so when that is narrower than the range. */
    setFit: (next) => {
      fit = next;
      slider.min = String(next.lo);
      slider.max = String(next.hi);
      placeMark();
      const narrower = [next.lo > p.min ? `from ${next.lo}` : '', next.hi < p.max ? `up to ${next.hi}` : ''].filter(Boolean).join(' ');
      limit.textContent = narrower ? `With the other settings as they are, the replay can run ${narrower} ${unitText(p.unit)}.` : '';
    },
  };
}

/**
 * Build the panel into `form`. `values` holds the viewer's current settings by
 * name (numbers or booleans); `onChange(values)` fires with every valid edit;
 * `order` lists parameter names as the scenario file does (most important first).
 * Returns { showError(name, message), clearErrors(), set(values), setFits(fits) }.
 */
export function buildParams(form, scenario, values, onChange, order = []) {
  form.replaceChildren();
  const fields = new Map();
  const current = { ...values };
  const emit = () => { updateCounts(); onChange({ ...current }); };
  const groups = [];

  const toggles = Object.entries(scenario.toggles || {});
  if (toggles.length) {
    const fs = el('fieldset', { className: 'toggles' }, el('legend', { textContent: 'Mitigations' }));
    for (const [name, t] of toggles) {
      const f = toggleRow(scenario, name, t, current, emit);
      fs.append(f.row);
      fields.set(name, f);
    }
    form.append(fs);
  }

  // The file's own order (the core hands parameters back sorted by name).
  const rank = (name) => { const i = order.indexOf(name); return i < 0 ? order.length : i; };
  const params = Object.entries(scenario.parameters || {}).sort(([a], [b]) => rank(a) - rank(b));
  if (params.length) {
    const key = params.slice(0, KEY_PARAMETERS);
    const rest = params.slice(KEY_PARAMETERS);
    const fs = el('fieldset', { className: 'numbers' }, el('legend', { textContent: rest.length ? 'Key parameters' : 'Parameters' }));
    for (const [name, p] of key) {
      const f = paramRow(scenario, name, p, current, emit);
      fs.append(f.row);
      fields.set(name, f);
    }
    form.append(fs);
    const byGroup = new Map();
    for (const [name, p] of rest) {
      const title = groupOf(p);
      if (!byGroup.has(title)) byGroup.set(title, []);
      byGroup.get(title).push([name, p]);
    }
    for (const [title, list] of byGroup) {
      const count = el('span', { className: 'muted group-count' });
      const details = el('details', { className: 'param-group' }, el('summary', {}, `${title} (${list.length})`, count));
      const names = [];
      for (const [name, p] of list) {
        const f = paramRow(scenario, name, p, current, emit);
        details.append(f.row);
        fields.set(name, f);
        names.push(name);
      }
      // A group holding a changed value opens, so the change is never hidden.
      if (names.some((n) => n in current)) details.open = true;
      groups.push({ names, count, details });
      form.append(details);
    }
  }

  function updateCounts() {
    for (const g of groups) {
      const changed = g.names.filter((n) => n in current).length;
      g.count.textContent = changed ? ` · ${changed} changed` : '';
    }
  }
  updateCounts();

  return {
    /** Show a message from the simulator (e.g. a budget error naming this parameter). */
    showError(name, message) {
      const f = fields.get(name);
      if (!f?.error) return false;
      f.error.textContent = message;
      f.error.dataset.fromSimulator = 'true';
      f.row.classList.add('invalid');
      f.row.closest('details')?.setAttribute('open', '');
      return true;
    },
    /** Clear the simulator's messages (the viewer's own typos stay until fixed). */
    clearErrors() {
      for (const f of fields.values()) {
        if (f.error?.dataset.fromSimulator !== 'true') continue;
        f.error.textContent = '';
        delete f.error.dataset.fromSimulator;
        f.row.classList.remove('invalid');
      }
    },
    set(next) {
      for (const k of Object.keys(current)) delete current[k];
      Object.assign(current, next);
      for (const [name, f] of fields) f.set(next[name]);
      updateCounts();
    },
    /** `fits`: [{ name, lo, hi }] from the core, for the current settings. */
    setFits(fits) {
      for (const { name, lo, hi } of fits) fields.get(name)?.setFit?.({ lo, hi });
    },
  };
}
