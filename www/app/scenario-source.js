// Where a player may load a scenario from. Links and attributes are data, not
// commands: a built-in scenario by name (or a relative path inside the site's
// scenarios/ folder), or a `src` URL on the page's own origin or on an origin
// the host page declares:
//   <meta name="incident-replay-origins" content="https://files.example.org https://cdn.example.com">
// On the project's own pages (embed.html, the playground) `src` must point into
// scenarios/ as well, so a link cannot make the site load any of its other files.

const NAME_MAX = 200;
const SRC_MAX = 2048;
/** One path segment: letters, digits, `.`, `_`, `-`; never `.` or `..` alone. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Origins the host page allows besides its own (from its meta tag). */
export function declaredOrigins(doc = globalThis.document) {
  const meta = doc?.querySelector?.('meta[name="incident-replay-origins"]');
  const origins = [];
  for (const word of (meta?.content || '').split(/\s+/).filter(Boolean)) {
    try {
      const url = new URL(word);
      if (url.protocol === 'https:' || url.protocol === 'http:') origins.push(url.origin);
    } catch { /* not a URL: ignored */ }
  }
  return origins;
}

/**
 * The URL and file name (for messages) of a scenario: `{ url, file }`.
 * Throws an Error whose message says what was refused and why.
 * `site` is the project's root (where scenarios/ lives); `page` the document's URL.
 */
export function scenarioSource({ name, src, site, page, allowed = [] }) {
  const scenarios = new URL('scenarios/', site);
  if (src) {
    if (src.length > SRC_MAX) throw new Error(`src: the address is longer than ${SRC_MAX} characters`);
    let url;
    try { url = new URL(src, page); } catch { throw new Error('src: not an address'); }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`src: only http(s) addresses are loaded, not ${url.protocol}`);
    const pageOrigin = new URL(page).origin;
    const ownSite = pageOrigin === scenarios.origin;
    const sameOrigin = url.origin === pageOrigin;
    const inside = url.origin === scenarios.origin && url.pathname.startsWith(scenarios.pathname);
    const ok = allowed.includes(url.origin) || (sameOrigin && (!ownSite || inside));
    if (!ok) {
      throw new Error(ownSite
        ? 'src: only files in this site’s scenarios/ folder, or on an origin the page declares, are loaded'
        : 'src: only files on this page’s own origin, or on an origin the page declares (meta incident-replay-origins), are loaded');
    }
    const file = decodeURIComponent(url.pathname.split('/').pop() || 'scenario.json');
    return { url, file };
  }
  const text = String(name ?? '');
  const segments = text.split('/');
  if (!text || text.length > NAME_MAX || !segments.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..')) {
    throw new Error(`scenario: “${text.slice(0, 80)}” is not a scenario name (letters, digits, . _ - and / between folders, inside scenarios/)`);
  }
  const url = new URL(`${text}.json`, scenarios);
  if (!url.href.startsWith(scenarios.href)) throw new Error(`scenario: “${text}” is outside the scenarios folder`);
  return { url, file: `${segments.pop()}.json` };
}

/** A seed from a link or an attribute: a whole number from 0 to 2^53 − 1, written in digits. */
export function parseSeed(text) {
  const s = String(text ?? '').trim();
  if (!/^\d{1,16}$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** A time in seconds from a link: a finite number from 0 up, in plain decimal form. */
export function parseSeconds(text) {
  const s = String(text ?? '').trim();
  if (!/^\d{1,12}(\.\d{1,6})?$/.test(s)) return null;
  return Number(s);
}
