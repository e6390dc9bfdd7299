// The parameter panel, generated from a scenario's parameters and mitigation
// toggles: units, ranges, the historical value marked, descriptions, sources.
// Knows nothing about running: it reports the viewer's changes through `onChange`.
import { sourceLink } from './sources.js';

const UNIT_TEXT = { per_s: '/s', count: '', us: 'µs' };
const humanise = (name) => name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
const unitText = (unit) => UNIT_TEXT[unit] ?? unit;

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c != null));
  return node;
}

/** Check one typed value against its parameter; returns an error text or null. */
export function checkValue(p, text) {
  if (String(text).trim() === '') return 'Enter a number.';
  const v = Number(text);
  if (!Number.isFinite(v)) return `“${text}” is not a number.`;
  if (v < p.min || v > p.max) return `Must be between ${p.min} and ${p.max} ${unitText(p.unit)}.`;
  return null;
}

/**
 * Build the panel into `form`. `values` holds the viewer's current settings by
 * name (numbers or booleans); `onChange(values)` fires with every valid edit.
 * Returns { showError(name, message), set(values) }.
 */
export function buildParams(form, scenario, values, onChange) {
  form.replaceChildren();
  const fields = new Map();
  const current = { ...values };
  const emit = () => onChange({ ...current });

  const toggles = Object.entries(scenario.toggles || {});
  if (toggles.length) {
    const fs = el('fieldset', { className: 'toggles' }, el('legend', { textContent: 'Mitigations' }));
    for (const [name, t] of toggles) {
      const id = `toggle-${name}`;
      const box = el('input', { type: 'checkbox', id, name, checked: current[name] ?? t.default });
      const desc = el('span', { className: 'desc', id: `${id}-desc` }, t.description, ' ', sourceLink(scenario, t.source));
      box.setAttribute('aria-describedby', desc.id);
      const row = el('div', { className: 'toggle' },
        el('label', { htmlFor: id }, box, ` ${t.label}`, el('span', { className: 'hist', textContent: t.default ? ' (on in history)' : '' })), desc);
      box.addEventListener('change', () => {
        if (box.checked === t.default) delete current[name]; else current[name] = box.checked;
        row.classList.toggle('changed', box.checked !== t.default);
        emit();
      });
      row.classList.toggle('changed', box.checked !== t.default);
      fs.append(row);
      fields.set(name, { row, set: (v) => { box.checked = v ?? t.default; row.classList.toggle('changed', box.checked !== t.default); } });
    }
    form.append(fs);
  }

  const params = Object.entries(scenario.parameters || {});
  if (params.length) {
    const fs = el('fieldset', { className: 'numbers' }, el('legend', { textContent: 'Parameters' }));
    for (const [name, p] of params) {
      const id = `param-${name}`;
      const start = current[name] ?? p.default;
      const slider = el('input', { type: 'range', min: p.min, max: p.max, step: p.step, value: start, tabIndex: -1 });
      slider.setAttribute('aria-hidden', 'true');
      const number = el('input', { type: 'number', id, name, min: p.min, max: p.max, step: p.step, value: start, inputMode: 'decimal' });
      const error = el('span', { className: 'field-error', id: `${id}-error`, role: 'alert' });
      const desc = el('span', { className: 'desc', id: `${id}-desc` }, p.description, ' ', sourceLink(scenario, p.source));
      number.setAttribute('aria-describedby', `${id}-desc ${id}-error`);
      const hist = el('button', { type: 'button', className: 'hist-mark', textContent: `history: ${p.default} ${unitText(p.unit)}`, title: 'Back to the historical value' });
      // The historical value marked on the slider track.
      const mark = el('span', { className: 'mark' });
      mark.style.left = `${((p.default - p.min) / (p.max - p.min || 1)) * 100}%`;
      const row = el('div', { className: 'param' },
        el('div', { className: 'param-head' }, el('label', { htmlFor: id, textContent: humanise(name) }), el('span', { className: 'num' }, number, ` ${unitText(p.unit)}`)),
        el('div', { className: 'track' }, slider, mark),
        el('div', { className: 'param-foot' }, hist, error),
        desc);
      const apply = (text, fromSlider) => {
        const problem = checkValue(p, text);
        error.textContent = problem || '';
        delete error.dataset.fromSimulator;
        number.setAttribute('aria-invalid', problem ? 'true' : 'false');
        row.classList.toggle('invalid', Boolean(problem));
        if (problem) return;
        const v = Number(text);
        if (fromSlider) number.value = String(v); else slider.value = String(v);
        if (v === p.default) delete current[name]; else current[name] = v;
        row.classList.toggle('changed', v !== p.default);
        emit();
      };
      slider.addEventListener('input', () => apply(slider.value, true));
      number.addEventListener('input', () => apply(number.value, false));
      hist.addEventListener('click', () => { number.value = String(p.default); apply(number.value, false); });
      row.classList.toggle('changed', start !== p.default);
      fs.append(row);
      fields.set(name, {
        row,
        set: (v) => { number.value = String(v ?? p.default); slider.value = number.value; error.textContent = ''; row.classList.toggle('changed', (v ?? p.default) !== p.default); },
        error,
      });
    }
    form.append(fs);
  }

  return {
    /** Show a message from the simulator (e.g. a budget error naming this parameter). */
    showError(name, message) {
      const f = fields.get(name);
      if (!f?.error) return false;
      f.error.textContent = message;
      f.error.dataset.fromSimulator = 'true';
      f.row.classList.add('invalid');
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
      for (const key of Object.keys(current)) delete current[key];
      Object.assign(current, next);
      for (const [name, f] of fields) f.set(next[name]);
    },
  };
}
