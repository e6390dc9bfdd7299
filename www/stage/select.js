// Selecting a node, link or device on the stage. The stage element dispatches
//   new CustomEvent('stage-select', { bubbles: true, detail: { kind: 'node'|'link'|'device', index } })
// when one is clicked or tapped, or focused with the arrow keys and Enter (the
// stage contract shared by the player's views). Hit-testing is stage.js's.
import { stageHit } from './stage.js';

/**
 * @param canvas   the stage canvas (made focusable here)
 * @param geometry () => { width, height, nodePos, devicePos, topology } of what is drawn, or null
 * @param announce (text) => void: says which node the keyboard has selected
 * @param signal   AbortSignal that removes the listeners
 */
export function attachStageSelection(canvas, { geometry, announce, signal }) {
  canvas.tabIndex = 0;
  let focused = -1;
  const select = (detail) => canvas.dispatchEvent(new CustomEvent('stage-select', { bubbles: true, composed: true, detail }));

  canvas.addEventListener('click', (e) => {
    const g = geometry();
    if (!g) return;
    const rect = canvas.getBoundingClientRect();
    const hit = stageHit(g, e.clientX - rect.left, e.clientY - rect.top);
    if (hit) select({ ...hit, x: e.clientX, y: e.clientY });
  }, { signal });

  // Arrow keys walk the nodes (clients last), Enter opens the menu for the one named.
  canvas.addEventListener('keydown', (e) => {
    const g = geometry();
    if (!g || e.altKey || e.ctrlKey || e.metaKey) return;
    const count = g.topology.nodes.length;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown' || e.key === 'ArrowLeft' || e.key === 'ArrowUp') {
      const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : -1;
      focused = ((focused < 0 && step < 0 ? 0 : focused) + step + count) % count;
      const node = g.topology.nodes[focused];
      announce(`Selected ${node.label || node.name} (${node.model}). Enter: what you can do to it.`);
    } else if (e.key === 'Enter' && focused >= 0) {
      const rect = canvas.getBoundingClientRect();
      select({ kind: 'node', index: focused, x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 });
    } else return;
    // The stage owns these keys while it has focus (not the playback shortcuts).
    e.preventDefault();
    e.stopPropagation();
  }, { signal });
}
