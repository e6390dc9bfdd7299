// The gallery: one card per scenario with its title, date, one-line summary and a
// thumbnail sketched from the card data that `make build` generates
// (www/scenarios/gallery.json, tools/gallery-index.mjs): no scenario file and no
// simulation is loaded until a viewer picks one.

import { KIND_LABELS, kindOf } from './scenario-kind.js';

function thumbnail(card, dark) {
  const canvas = document.createElement('canvas');
  const ratio = window.devicePixelRatio || 1;
  const w = 240, h = 120;
  canvas.width = w * ratio; canvas.height = h * ratio;
  canvas.style.width = `${w}px`; canvas.style.height = `${h}px`;
  canvas.setAttribute('aria-hidden', 'true');
  const ctx = canvas.getContext('2d');
  ctx.scale(ratio, ratio);
  const pos = card.nodes.map(([x, y]) => ({ x: 14 + x * (w - 28), y: 12 + y * (h - 24) }));
  ctx.strokeStyle = dark ? '#475569' : '#cbd5e1';
  ctx.lineWidth = 1;
  for (const [a, b] of card.links) {
    ctx.beginPath(); ctx.moveTo(pos[a].x, pos[a].y); ctx.lineTo(pos[b].x, pos[b].y); ctx.stroke();
  }
  card.nodes.forEach(([, , client], i) => {
    ctx.fillStyle = client ? (dark ? '#64748b' : '#94a3b8') : (dark ? '#38bdf8' : '#0284c7');
    ctx.beginPath();
    if (client) ctx.rect(pos[i].x - 3, pos[i].y - 3, 6, 6); else ctx.arc(pos[i].x, pos[i].y, 4.5, 0, 2 * Math.PI);
    ctx.fill();
  });
  return canvas;
}

const KIND_ORDER = Object.keys(KIND_LABELS);

/** Replays first, oldest first; then labs, demos and sandboxes. */
function order(a, b) {
  const rank = (c) => KIND_ORDER.indexOf(kindOf(c));
  return rank(a) - rank(b) || String(a.date).localeCompare(String(b.date)) || a.name.localeCompare(b.name);
}

/** The card's first line: its kind, and the incident's date for a replay (a sandbox's date is only where its numbers come from). */
function metaLine(card) {
  const which = kindOf(card);
  const kind = document.createElement('span');
  kind.className = `kind kind-${which}`;
  kind.textContent = KIND_LABELS[which];
  const line = document.createElement('span');
  line.className = 'muted card-meta';
  line.append(kind);
  if (which === 'replay') line.append(` ${card.date}`);
  return line;
}

/** Render `cards` (gallery.json: [{ name, title, kind, date, summary, nodes, links } | { name, error }]) into `list`. */
export function renderGallery(list, cards, dark) {
  list.replaceChildren(...[...cards].sort(order).map((card) => {
    const { name, error } = card;
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `#scenario=${encodeURIComponent(name)}`;
    a.className = 'card';
    const title = document.createElement('strong');
    let meta = document.createElement('span');
    const summary = document.createElement('span');
    if (!error) {
      a.append(thumbnail(card, dark));
      title.textContent = card.title;
      meta = metaLine(card);
      summary.textContent = card.summary;
    } else {
      title.textContent = name;
      summary.textContent = `Could not read this scenario: ${error}`;
    }
    a.append(title, meta, summary);
    li.append(a);
    return li;
  }));
}
