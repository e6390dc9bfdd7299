// The facts the stage had no room to draw, as text under it: on a phone (or
// a crowded stage) a node is a small circle with no room for its words, so
// each server whose facts did not all fit is listed with its state and all
// its facts, in the model's order: readable without hovering or focusing a
// node for its card (stage-input.js), which a phone cannot do (a tap opens
// the action menu). DOM built with textContent only.

/**
 * Fill `element` (a <details>) from `drawn` (paint.js: each node's words as
 * drawn, { name, state, spare, facts, hidden }) and `allFacts(i)`: node i's
 * fact lines, all of them. Hidden when every node's facts fit on the stage.
 */
export function renderFactList(element, drawn, allFacts) {
  const listed = [];
  drawn.forEach((node, i) => { if (node.hidden.length) listed.push(i); });
  element.hidden = listed.length === 0;
  element.dataset.nodes = JSON.stringify(listed.map((i) => drawn[i].name));
  if (!listed.length) return;
  const summary = document.createElement('summary');
  summary.textContent = `Facts the stage has no room for (${listed.length} ${listed.length === 1 ? 'node' : 'nodes'})`;
  const list = document.createElement('ul');
  for (const i of listed) {
    const li = document.createElement('li');
    const name = document.createElement('strong');
    name.textContent = drawn[i].name;
    const state = document.createElement('span');
    state.className = 'node-facts-state';
    state.textContent = ` ${drawn[i].state}: `;
    li.append(name, state, document.createTextNode(allFacts(i).join(' · ')));
    list.append(li);
  }
  element.replaceChildren(summary, list);
}
