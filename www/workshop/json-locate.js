// Where a field path such as `timeline[3].at` sits in a JSON text, as a line
// number. The core reports a line only for syntax errors; for a well-formed file
// with a wrong field it gives the path, and this finds the line to highlight.
// A small scanner rather than JSON.parse, because JSON.parse forgets positions.

/** Offsets of every path in `text`: Map('timeline[3].at' -> offset of its key or element). Null if the text is not JSON. */
export function pathOffsets(text) {
  const offsets = new Map();
  let i = 0;
  const ws = () => { while (i < text.length && /\s/.test(text[i])) i++; };
  const fail = () => { throw new SyntaxError(`unexpected ${text[i] ?? 'end'} at ${i}`); };
  const string = () => {
    if (text[i] !== '"') fail();
    const start = ++i;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    const raw = text.slice(start - 1, ++i);
    return JSON.parse(raw);
  };
  // Bounded by the text's length: every step consumes at least one character.
  const value = (path, depth) => {
    if (depth > 256) fail();
    ws();
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        const at = i;
        const key = string();
        const child = path ? `${path}.${key}` : key;
        offsets.set(child, at);
        ws();
        if (text[i++] !== ':') fail();
        value(child, depth + 1);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        fail();
      }
    }
    if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (let index = 0; ; index++) {
        ws();
        const child = `${path}[${index}]`;
        offsets.set(child, i);
        value(child, depth + 1);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        fail();
      }
    }
    if (c === '"') { string(); return; }
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) fail();
    i += m[0].length;
  };
  try {
    value('', 0);
    return offsets;
  } catch {
    return null;
  }
}

/** 1-based line of `offset` in `text`. */
export function lineOf(text, offset) {
  let line = 1;
  for (let k = 0; k < offset && k < text.length; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}

/**
 * The line for an error path: the field itself, or its nearest existing parent
 * (an unknown or missing field is reported at the object that should hold it).
 * Null when nothing matches.
 */
export function lineOfPath(text, path) {
  if (!path) return null;
  const offsets = pathOffsets(text);
  if (!offsets) return null;
  let p = path;
  while (p) {
    if (offsets.has(p)) return lineOf(text, offsets.get(p));
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) break;
    p = p.slice(0, cut);
  }
  return null;
}
