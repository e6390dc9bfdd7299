// The player's keyboard shortcuts, and which keys they must leave alone: a
// focused native control keeps the keys it uses itself (Space and Enter press a
// button, tick a checkbox, open a <details>; arrows move within a radio group,
// a slider, a list or a text field; every key types in a text field).

const TEXT_INPUTS = new Set(['text', 'number', 'search', 'email', 'url', 'tel', 'password', 'date', 'time', 'datetime-local', 'month', 'week']);
const ACTIVATE = new Set([' ', 'Spacebar', 'Enter']);
const MOVE = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);

/** Whether the focused element `target` uses `key` itself (so a shortcut must not take it). */
export function controlOwnsKey(target, key) {
  if (!target || target.nodeType !== 1) return false;
  const tag = target.localName;
  if (target.isContentEditable || tag === 'textarea') return true;
  if (tag === 'input') {
    const type = (target.getAttribute('type') || 'text').toLowerCase();
    if (TEXT_INPUTS.has(type)) return true;
    if (type === 'range') return MOVE.has(key);
    if (type === 'radio') return MOVE.has(key) || ACTIVATE.has(key);
    if (type === 'checkbox' || type === 'button' || type === 'submit' || type === 'reset') return ACTIVATE.has(key);
    return ACTIVATE.has(key);
  }
  if (tag === 'select') return true;
  if (tag === 'button' || tag === 'summary' || (tag === 'a' && target.hasAttribute('href'))) return ACTIVATE.has(key);
  const role = target.getAttribute('role');
  if (role === 'tab' || role === 'radio' || role === 'slider' || role === 'listbox' || role === 'menuitem') return ACTIVATE.has(key) || MOVE.has(key);
  if (role === 'button' || role === 'checkbox' || role === 'link') return ACTIVATE.has(key);
  return false;
}

/**
 * Listen on `target` (the document, or the element's wrapper) and run `moves[key]`
 * unless a modifier is held, a dialog is open, or the focused control owns the key.
 * `moves` maps `KeyboardEvent.key` to a function of the event; `signal` (an
 * AbortSignal) removes the listener when aborted.
 */
export function bindShortcuts(target, moves, { signal } = {}) {
  target.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    // Inside a shadow root the event's target outside it is the host: ask the path.
    const focused = e.composedPath?.()[0] ?? e.target;
    if (focused?.closest?.('dialog')) return;
    if (controlOwnsKey(focused, e.key)) return;
    const move = moves[e.key];
    if (move) { e.preventDefault(); move(e); }
  }, { signal });
}
