// Small DOM helpers for the workshop views. Text goes in through properties
// such as textContent, never as markup, so scenario text cannot become HTML.

/** `el('p', { className: 'x', textContent: 'hi' }, child…)`. */
export function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** A labelled control with its error message beside it (announced via aria-describedby). */
export function field(id, labelText, input, help = '') {
  input.id = id;
  const error = el('span', { id: `${id}-error`, className: 'field-error' });
  input.setAttribute('aria-describedby', `${id}-error`);
  const wrap = el('div', { className: 'field' }, el('label', { htmlFor: id, textContent: labelText }), input, error);
  if (help) wrap.append(el('span', { className: 'desc', textContent: help }));
  return { wrap, input, error };
}

export function numberInput(props = {}) {
  return el('input', { type: 'number', inputMode: 'decimal', ...props });
}
