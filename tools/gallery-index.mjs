// Writes the gallery's card data: for each scenario file, its title, date,
// summary, what it is (`meta.kind`: a replay, a lab, a demo or a sandbox; the
// core's loader checks the word), and a thumbnail sketch (node
// positions and a few links). The gallery loads only this small file, never the
// scenarios themselves or the simulation, until a viewer picks one.
//   node tools/gallery-index.mjs scenarios www/scenarios/gallery.json
import fs from 'node:fs';
import path from 'node:path';
import { layoutNodes } from '../www/lib/layout.js';

const [dir = 'scenarios', out = 'www/scenarios/gallery.json'] = process.argv.slice(2);
const round = (v) => Math.round(v * 1000) / 1000;

/** Big meshes would be a grey blur: each link's first few node pairs. */
function sketchLinks(scenario) {
  const index = new Map(scenario.nodes.map((n, i) => [n.name, i]));
  const seen = new Set();
  const links = [];
  for (const link of scenario.links || []) {
    const ids = (link.nodes || []).map((n) => index.get(n)).filter((i) => i != null);
    for (let a = 0; a < ids.length; a++) {
      for (let b = a + 1; b < Math.min(ids.length, a + 4); b++) {
        const key = `${Math.min(ids[a], ids[b])}-${Math.max(ids[a], ids[b])}`;
        if (!seen.has(key)) { seen.add(key); links.push([ids[a], ids[b]]); }
      }
    }
  }
  return links;
}

function card(name, scenario) {
  const positions = layoutNodes({ nodes: scenario.nodes.map((n) => ({ x: n.x, y: n.y })) });
  return {
    name,
    title: scenario.meta.title,
    date: scenario.meta.date,
    summary: scenario.meta.summary,
    // The core's default for a file that does not say (scenario/format.rs, ScenarioKind).
    kind: scenario.meta.kind ?? 'replay',
    nodes: scenario.nodes.map((n, i) => [round(positions[i].x), round(positions[i].y), 'client' in (n.model || {}) ? 1 : 0]),
    links: sketchLinks(scenario),
  };
}

const names = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'schema.json').map((f) => f.slice(0, -5)).sort();
const cards = names.map((name) => {
  const file = path.join(dir, `${name}.json`);
  try {
    return card(name, JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (e) {
    // The playground shows the scenario's own error when it is opened; here, a card that says so.
    return { name, error: `${file}: ${e.message}` };
  }
});
fs.writeFileSync(out, `${JSON.stringify(cards)}\n`);
