// Source references from scenario files, rendered as text and links only
// (scenario text is never parsed as HTML).

/** A link to source `id` of the scenario, or an "assumption" label. */
export function sourceLink(scenario, id) {
  if (!id) return null;
  if (id === 'assumption') {
    const span = document.createElement('span');
    span.className = 'assumption';
    span.textContent = 'Assumption';
    span.title = 'Not from a source: an assumption of this replay';
    return span;
  }
  const source = (scenario.meta.sources || []).find((s) => s.id === id);
  if (!source) return document.createTextNode(`[${id}]`);
  const a = document.createElement('a');
  a.className = 'source';
  a.href = safeUrl(source.url);
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  a.textContent = `[${source.title}]`;
  return a;
}

/** Only http(s) links from scenario files; anything else becomes inert. */
export function safeUrl(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : '#';
  } catch {
    return '#';
  }
}
