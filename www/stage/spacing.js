// The closest distance between two node centres: how dense the stage is, so
// how large nodes are drawn and whether their words fit (stage-layout.js).
// Pure arithmetic on points.

/** Closest distance between two of `nodes` ({ x, y } each); Infinity for fewer than two. */
export function nearestSpacing(nodes) {
  if (nodes.length < 2) return Infinity;
  if (nodes.length <= 64) {
    let best = Infinity;
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) best = Math.min(best, Math.hypot(nodes[i].x - nodes[j].x, nodes[i].y - nodes[j].y));
    }
    return best;
  }
  return nearestOnGrid(nodes);
}

/**
 * The same answer as comparing every pair, in about linear time for 10,000
 * nodes: points go into square cells about one average spacing wide, and each
 * point looks at rings of cells around its own until the ring is farther away
 * than the best distance found so far.
 */
function nearestOnGrid(nodes) {
  const n = nodes.length;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const p of nodes) { minX = Math.min(minX, p.x); minY = Math.min(minY, p.y); maxX = Math.max(maxX, p.x); maxY = Math.max(maxY, p.y); }
  const side = Math.max(maxX - minX, maxY - minY, 1e-9);
  const perRow = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(n))));
  const cell = side / perRow;
  const cellOf = (v, min) => Math.min(perRow - 1, Math.floor((v - min) / cell));
  // Counting sort of the points by cell: members of cell c are order[start[c] .. start[c + 1]].
  const cellIndex = new Int32Array(n);
  const start = new Int32Array(perRow * perRow + 1);
  for (let i = 0; i < n; i++) {
    cellIndex[i] = cellOf(nodes[i].x, minX) * perRow + cellOf(nodes[i].y, minY);
    start[cellIndex[i] + 1]++;
  }
  for (let c = 0; c < perRow * perRow; c++) start[c + 1] += start[c];
  const fill = start.slice(0, -1);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[cellIndex[i]]++] = i;
  const xs = Float64Array.from(nodes, (p) => p.x), ys = Float64Array.from(nodes, (p) => p.y);
  let best = Infinity, best2 = Infinity; // distance and its square (no sqrt in the loop)
  for (let i = 0; i < n; i++) {
    const px = xs[i], py = ys[i];
    const cx = Math.floor(cellIndex[i] / perRow), cy = cellIndex[i] % perRow;
    for (let ring = 0; ring <= perRow && (ring - 1) * cell < best; ring++) {
      for (let gx = Math.max(0, cx - ring); gx <= Math.min(perRow - 1, cx + ring); gx++) {
        for (let gy = Math.max(0, cy - ring); gy <= Math.min(perRow - 1, cy + ring); gy++) {
          if (Math.max(Math.abs(gx - cx), Math.abs(gy - cy)) !== ring) continue; // only the ring's border
          const c = gx * perRow + gy;
          for (let k = start[c]; k < start[c + 1]; k++) {
            const j = order[k];
            if (j <= i) continue;
            const dx = px - xs[j], dy = py - ys[j], d2 = dx * dx + dy * dy;
            if (d2 < best2) { best2 = d2; best = Math.sqrt(d2); }
          }
        }
      }
    }
  }
  return best;
}
