// The stage as a control: focusable, arrow keys move between nodes, a click or
// tap picks the node under it, Enter on a focused node picks it, and a card
// beside the node shows its full name and state (hover or keyboard focus).
// Picking dispatches the shared `stage-select` event (see the helper brief):
//   new CustomEvent('stage-select', { bubbles: true, detail: { kind: 'node', index } })
import { nodeGeometry } from './stage.js';
import { readFrame } from '../lib/frame-layout.js';
import { describeNode } from './node-words.js';

/**
 * @param canvas the stage canvas (its parent gets the hover card)
 * @param view () => ({ width, height, nodePos, topology, frameData }) of what is drawn now, or null
 * @param redraw () => void, after the selection moved
 * Returns { selected() } (the selected node index, or -1).
 */
export function attachStageInput(canvas, view, redraw) {
  let selected = -1;
  canvas.tabIndex = 0;
  const tip = document.createElement('div');
  tip.className = 'stage-tip';
  tip.setAttribute('role', 'status');
  tip.hidden = true;
  canvas.parentElement.append(tip);

  const geometryNow = () => {
    const v = view();
    return v && { v, ...nodeGeometry(v.width, v.height, v.nodePos) };
  };

  function show(index, anchor) {
    const g = geometryNow();
    if (!g || index < 0) { tip.hidden = true; return; }
    const d = describeNode(g.v.topology, readFrame(g.v.frameData), index);
    const title = document.createElement('strong');
    title.textContent = d.title;
    const state = document.createElement('span');
    state.textContent = d.state;
    const facts = d.facts.map((text) => { const li = document.createElement('li'); li.textContent = text; return li; });
    const list = document.createElement('ul');
    list.append(...facts);
    tip.replaceChildren(title, state, list);
    tip.hidden = false;
    const p = anchor ?? g.nodes[index];
    const left = Math.min(Math.max(0, p.x + g.radius + 6), Math.max(0, g.v.width - 240));
    tip.style.left = `${canvas.offsetLeft + left}px`;
    tip.style.top = `${canvas.offsetTop + Math.max(0, p.y - g.radius)}px`;
  }

  function nodeAt(x, y) {
    const g = geometryNow();
    if (!g) return -1;
    let best = -1, bestD = Math.max(g.radius + 4, 12);
    g.nodes.forEach((p, i) => { const d = Math.hypot(p.x - x, p.y - y); if (d <= bestD) { best = i; bestD = d; } });
    return best;
  }

  function select(index, announce) {
    selected = index;
    show(index);
    redraw();
    // `stage-select` itself is dispatched once, by select.js (nodes, links and devices).
    void announce;
  }

  /** The nearest node from the selected one in the arrow's direction. */
  function step(dx, dy) {
    const g = geometryNow();
    if (!g || !g.nodes.length) return;
    if (selected < 0) { select(0, false); return; }
    const from = g.nodes[selected];
    let best = -1, bestScore = Infinity;
    g.nodes.forEach((p, i) => {
      const along = (p.x - from.x) * dx + (p.y - from.y) * dy;
      if (i === selected || along <= 0) return;
      const across = Math.abs((p.x - from.x) * dy - (p.y - from.y) * dx);
      const score = along + 2 * across;
      if (score < bestScore) { best = i; bestScore = score; }
    });
    if (best >= 0) select(best, false);
  }

  const point = (e) => { const r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
  canvas.addEventListener('click', (e) => { const i = nodeAt(...point(e)); if (i >= 0) select(i, true); });
  canvas.addEventListener('mousemove', (e) => { const i = nodeAt(...point(e)); if (i >= 0) show(i); else if (selected < 0 || document.activeElement !== canvas) tip.hidden = true; });
  canvas.addEventListener('mouseleave', () => { if (document.activeElement !== canvas) tip.hidden = true; });
  canvas.addEventListener('blur', () => { tip.hidden = true; });
  canvas.addEventListener('focus', () => { if (selected >= 0) show(selected); });
  canvas.addEventListener('keydown', (e) => {
    const dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (dirs[e.key]) { step(...dirs[e.key]); e.preventDefault(); e.stopPropagation(); }
    else if (e.key === 'Enter' && selected >= 0) { select(selected, true); e.preventDefault(); e.stopPropagation(); }
    else if (e.key === 'Escape' && selected >= 0) { select(-1, false); e.stopPropagation(); }
  });
  return { selected: () => selected, refresh: () => { if (!tip.hidden && selected >= 0) show(selected); } };
}
