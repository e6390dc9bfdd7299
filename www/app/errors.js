// One way to put an error from the core (or anything else) into one line:
// "file: field.path: reason" when the core named a field, else the message.
// Used by the player and the workshop, so both say the same thing the same way.

/** One line for `e`: a core error `{ file, path, reason }`, an Error, or anything. */
export function errorText(e) {
  if (e?.path) return `${e.file ? `${e.file}: ` : ''}${e.path}: ${e.reason || e.message}`;
  return e?.message || String(e);
}
