// Positions for nodes and devices, derived from topology data only
// (RaftScope computes server positions from a ring spec the same way).

/** Node centres in a unit square: the scenario's x/y hints, else a ring. */
export function layoutNodes(topology) {
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
