// Source references from scenario files, rendered as text and links only
// (scenario text is never parsed as HTML).

/**
 * Links to the sources a field cites: one id, or several separated by `;`,
 * each a link to the scenario's source or an assumption label (`assumption` or
 * `assumption: what is assumed`).
 */
export function sourceLink(scenario, ids) {
  if (!ids) return null;
  const parts = String(ids).split(/\s*;\s*/).filter(Boolean);
  if (parts.length === 1) return oneSource(scenario, parts[0]);
  const span = document.createElement('span');
  parts.forEach((id, i) => { if (i) span.append(' '); span.append(oneSource(scenario, id)); });
  return span;
}

function oneSource(scenario, id) {
  if (id === 'assumption' || id.startsWith('assumption:')) {
    const span = document.createElement('span');
    span.className = 'assumption';
    span.textContent = `A${id.slice(1)}`;
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
