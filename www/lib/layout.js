// Positions for nodes and devices, derived from topology data only
// (RaftScope computes server positions from a ring spec the same way).

/**
 * Node centres in a unit square: a fleet laid out as cards when the scenario's
 * groups make one (`fleetCards`), else the scenario's x/y hints, else a ring.
 */
export function layoutNodes(topology) {
  const fleet = layoutFleet(topology);
  if (fleet) return fleet;
  const n = topology.nodes.length;
  return topology.nodes.map((node, i) => {
    if (node.x != null && node.y != null) return { x: node.x, y: node.y };
    const angle = (2 * Math.PI * i) / n - Math.PI / 2;
    return { x: 0.5 + 0.38 * Math.cos(angle), y: 0.5 + 0.38 * Math.sin(angle) };
  });
}

/** Distance from `p` to the nearest of `points`. */
function clearance(p, points) {
  let best = Infinity;
  for (const q of points) best = Math.min(best, Math.hypot(p.x - q.x, p.y - q.y));
  return best;
}

/**
 * Device centres: the middle of the nodes whose links pass through them, moved
 * to the nearby spot farthest from any node so a label never sits on a node.
 */
export function layoutDevices(topology, nodePositions) {
  // A fleet's switches sit in a row between its cards and the shared nodes.
  if (nodePositions.cards) return topology.devices.map((_, d) => ({ x: (d + 0.5) / topology.devices.length, y: 0.87 }));
  const placed = [];
  return topology.devices.map((_, d) => {
    const centre = centroid(d);
    const taken = [...nodePositions, ...placed];
    let best = centre, room = clearance(centre, taken);
    for (const [dx, dy] of [[0, 0.07], [0, -0.07], [0.08, 0], [-0.08, 0], [0.06, 0.06], [-0.06, 0.06], [0.06, -0.06], [-0.06, -0.06], [0, 0.12], [0, -0.12]]) {
      const p = { x: Math.min(0.98, Math.max(0.02, centre.x + dx)), y: Math.min(1, Math.max(0, centre.y + dy)) };
      const r = clearance(p, taken);
      if (r > room + 0.01) { best = p; room = r; }
    }
    placed.push(best);
    return best;
  });

  function centroid(d) {
    let x = 0, y = 0, count = 0;
    // Devices of link i: via[viaStart[i] .. viaStart[i + 1]] (packed by sim/worker.js).
    const { viaStart, via } = topology;
    for (let link = 0; link + 1 < viaStart.length; link++) {
      let through = false;
      for (let k = viaStart[link]; k < viaStart[link + 1]; k++) if (via[k] === d) through = true;
      if (!through) continue;
      for (const end of [topology.links[3 * link], topology.links[3 * link + 1]]) {
        x += nodePositions[end].x; y += nodePositions[end].y; count += 1;
      }
    }
    return count ? { x: x / count, y: y / count } : { x: 0.5, y: 0.5 };
  }
}

/** Offset of a plane's line from the centre line, so planes do not overlap. */
export function planeOffset(plane, planeCount) {
  return (plane - (planeCount - 1) / 2) * 5;
}

/** A fleet: at least this many replication groups of two or more members each. */
const FLEET_GROUPS_MIN = 6;

/**
 * Cards for a fleet, from the groups the nodes played a role in (topology
 * `taken.group`, exported by the core) and the links: each group is a card
 * with its members side by side, and the nodes linked to that group only (its
 * clients) beside them; nodes shared by several groups (fence devices, a
 * witness, the operators) sit in a row beneath the grid. Returns null when the
 * scenario's groups do not make a fleet. Positions carry `cards` (one per group:
 * { group, members, x, y, w, h } in the unit square) and `cardOf` (per node,
 * -1 outside every card) for the stage.
 */
export function layoutFleet(topology) {
  const n = topology.nodes.length;
  const groupOf = topology.nodes.map((node) => node.taken?.group ?? -1);
  const members = new Map();
  groupOf.forEach((g, i) => { if (g >= 0) { if (!members.has(g)) members.set(g, []); members.get(g).push(i); } });
  const groups = [...members.keys()].filter((g) => members.get(g).length >= 2).sort((a, b) => a - b);
  if (groups.length < FLEET_GROUPS_MIN || n > 2_000) return null;
  const cardOf = new Int32Array(n).fill(-1);
  groups.forEach((g, c) => { for (const i of members.get(g)) cardOf[i] = c; });
  // A node outside the groups joins the card of the only group it links to.
  const linkedCards = topology.nodes.map(() => new Set());
  for (let l = 0; 3 * l < topology.links.length; l++) {
    const a = topology.links[3 * l], b = topology.links[3 * l + 1];
    if (cardOf[b] >= 0) linkedCards[a].add(cardOf[b]);
    if (cardOf[a] >= 0) linkedCards[b].add(cardOf[a]);
  }
  const satellites = groups.map(() => []);
  const shared = [];
  for (let i = 0; i < n; i++) {
    if (cardOf[i] >= 0) continue;
    if (linkedCards[i].size === 1) { const c = [...linkedCards[i]][0]; cardOf[i] = c; satellites[c].push(i); } else shared.push(i);
  }
  const cols = Math.max(1, Math.min(4, Math.round(Math.sqrt(groups.length / 2))));
  const rows = Math.ceil(groups.length / cols);
  const gridBottom = shared.length ? 0.8 : 0.98;
  const cellW = 1 / cols, cellH = gridBottom / rows;
  const pos = new Array(n);
  const cards = groups.map((g, c) => {
    const col = c % cols, row = Math.floor(c / cols);
    const card = { group: g, members: members.get(g), x: col * cellW + cellW * 0.03, y: row * cellH, w: cellW * 0.94, h: cellH * 0.86 };
    // Clients left and right of the members, the members in the middle.
    const half = Math.ceil(satellites[c].length / 2);
    const row1 = [...satellites[c].slice(0, half), ...card.members, ...satellites[c].slice(half)];
    row1.forEach((i, k) => { pos[i] = { x: card.x + card.w * (k + 0.5) / row1.length, y: card.y + card.h * 0.55 }; });
    return card;
  });
  shared.forEach((i, k) => { pos[i] = { x: (k + 0.5) / shared.length, y: 0.97 }; });
  pos.cards = cards;
  pos.cardOf = cardOf;
  return pos;
}
