// The stage as a control: its selection (pointer and keyboard, and the shared
// `stage-select` event) is select.js's; this adds the card beside the selected
// or hovered node, link or device with its full name and state, and redraws the
// stage when the selection moves (the ring, band or frame around it).
import { stageHit } from './hit.js';
import { readFrame, LinkStatus } from '../lib/frame-layout.js';
import { describeNode } from './node-words.js';
import { attachStageSelection, itemPoint } from './select.js';

const LINK_WORDS = { [LinkStatus.UP]: 'up', [LinkStatus.CUT]: 'cut', [LinkStatus.GRAY]: 'dropping silently', [LinkStatus.DEGRADED]: 'queueing' };

/** Title, state line and facts of a link (every direction and plane between its two nodes). */
function describeLink(topology, f, i) {
  const a = topology.links[3 * i], b = topology.links[3 * i + 1];
  const names = topology.nodes.map((n) => n.name);
  const facts = [];
  for (let j = 0; j < topology.links.length / 3; j++) {
    const from = topology.links[3 * j], to = topology.links[3 * j + 1];
    if (!((from === a && to === b) || (from === b && to === a))) continue;
    facts.push(`${names[from]} → ${names[to]} (${topology.planes[topology.links[3 * j + 2]]}): ${LINK_WORDS[f.links[j]] ?? 'up'}`);
  }
  return { title: `Link ${names[a]} ↔ ${names[b]}`, state: facts.every((t) => t.endsWith(': up')) ? 'up' : 'in trouble', facts };
}

function describe(topology, f, { kind, index }) {
  if (kind === 'node') return describeNode(topology, f, index);
  if (kind === 'link') return describeLink(topology, f, index);
  return { title: `Device ${topology.devices[index]}`, state: 'a network device that links pass through', facts: [] };
}

/**
 * @param canvas the stage canvas (its parent gets the hover card)
 * @param view () => ({ width, height, nodePos, devicePos, topology, frameData }) of what is drawn now, or null
 * @param redraw () => void, after the selection moved
 * @param options { announce(text), actionable, signal } for the selection (select.js)
 * Returns { selected(), refresh() }: the selection ({ kind, index } or null), and redo the card.
 */
export function attachStageInput(canvas, view, redraw, { announce, actionable = true, signal } = {}) {
  const tip = document.createElement('div');
  tip.className = 'stage-tip';
  tip.setAttribute('role', 'status');
  tip.hidden = true;
  canvas.parentElement.append(tip);

  function show(item) {
    const v = view();
    if (!v || !item) { tip.hidden = true; return; }
    const at = itemPoint(v, item);
    if (!at) { tip.hidden = true; return; }
    const d = describe(v.topology, readFrame(v.frameData), item);
    const title = document.createElement('strong');
    title.textContent = d.title;
    const state = document.createElement('span');
    state.textContent = d.state;
    const list = document.createElement('ul');
    list.append(...d.facts.map((text) => { const li = document.createElement('li'); li.textContent = text; return li; }));
    tip.replaceChildren(title, state, list);
    tip.hidden = false;
    const left = Math.min(Math.max(0, at.x + 30), Math.max(0, v.width - 240));
    tip.style.left = `${canvas.offsetLeft + left}px`;
    tip.style.top = `${canvas.offsetTop + Math.max(0, at.y - 26)}px`;
  }

  const selection = attachStageSelection(canvas, {
    geometry: view,
    announce,
    actionable,
    signal,
    onChange: (item) => { show(item); redraw(); },
  });

  const hitAt = (e) => {
    const v = view();
    if (!v) return null;
    const r = canvas.getBoundingClientRect();
    return stageHit(v, e.clientX - r.left, e.clientY - r.top);
  };
  canvas.addEventListener('mousemove', (e) => {
    const hit = hitAt(e);
    if (hit) show(hit);
    else if (!selection.selected() || document.activeElement !== canvas) tip.hidden = true;
  }, { signal });
  canvas.addEventListener('mouseleave', () => { if (document.activeElement !== canvas) tip.hidden = true; }, { signal });
  canvas.addEventListener('blur', () => { tip.hidden = true; }, { signal });
  canvas.addEventListener('focus', () => show(selection.selected()), { signal });
  return { selected: selection.selected, refresh: () => { if (!tip.hidden && selection.selected()) show(selection.selected()); } };
}
