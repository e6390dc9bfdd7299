// The gallery: one card per scenario with its title, date, one-line summary and a
// thumbnail sketched from the topology in the file (no simulation needed).
import { layoutNodes } from '../lib/layout.js';

function thumbnail(scenario, dark) {
  const canvas = document.createElement('canvas');
  const ratio = window.devicePixelRatio || 1;
  const w = 240, h = 120;
  canvas.width = w * ratio; canvas.height = h * ratio;
  canvas.style.width = `${w}px`; canvas.style.height = `${h}px`;
  canvas.setAttribute('aria-hidden', 'true');
  const ctx = canvas.getContext('2d');
  ctx.scale(ratio, ratio);
  const topology = { nodes: scenario.nodes.map((n) => ({ x: n.x, y: n.y })) };
  const pos = layoutNodes(topology).map((p) => ({ x: 14 + p.x * (w - 28), y: 12 + p.y * (h - 24) }));
  const index = new Map(scenario.nodes.map((n, i) => [n.name, i]));
  ctx.strokeStyle = dark ? '#475569' : '#cbd5e1';
  ctx.lineWidth = 1;
  for (const link of scenario.links) {
    const ids = link.nodes.map((n) => index.get(n)).filter((i) => i != null);
    // Big meshes would be a grey blur: sketch each node's first few links.
    for (let a = 0; a < ids.length; a++) {
      for (let b = a + 1; b < Math.min(ids.length, a + 4); b++) {
        ctx.beginPath(); ctx.moveTo(pos[ids[a]].x, pos[ids[a]].y); ctx.lineTo(pos[ids[b]].x, pos[ids[b]].y); ctx.stroke();
      }
    }
  }
  scenario.nodes.forEach((n, i) => {
    const client = 'client' in (n.model || {});
    ctx.fillStyle = client ? (dark ? '#64748b' : '#94a3b8') : (dark ? '#38bdf8' : '#0284c7');
    ctx.beginPath();
    if (client) ctx.rect(pos[i].x - 3, pos[i].y - 3, 6, 6); else ctx.arc(pos[i].x, pos[i].y, 4.5, 0, 2 * Math.PI);
    ctx.fill();
  });
  return canvas;
}

/** Historical incidents first, oldest first; labs and demos after them. */
function order(a, b) {
  const historical = (e) => (e.scenario?.outcomes?.length ? 0 : 1);
  return historical(a) - historical(b) || String(a.scenario?.meta.date).localeCompare(String(b.scenario?.meta.date)) || a.name.localeCompare(b.name);
}

/** Render cards for `entries` = [{ name, scenario }] into `list`. */
export function renderGallery(list, entries, dark) {
  list.replaceChildren(...[...entries].sort(order).map(({ name, scenario, error }) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `#scenario=${encodeURIComponent(name)}`;
    a.className = 'card';
    const title = document.createElement('strong');
    const meta = document.createElement('span');
    meta.className = 'muted';
    const summary = document.createElement('span');
    if (scenario) {
      a.append(thumbnail(scenario, dark));
      title.textContent = scenario.meta.title;
      meta.textContent = scenario.meta.date;
      summary.textContent = scenario.meta.summary;
    } else {
      title.textContent = name;
      summary.textContent = `Could not read this scenario: ${error}`;
    }
    a.append(title, meta, summary);
    li.append(a);
    return li;
  }));
}
