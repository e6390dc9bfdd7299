// A node's state in words, from what its model declared (topology.nodes[i].show,
// crate/src/model/show.rs) and the frame's numbers: the role in the protocol's
// own vocabulary, the health, and each shown fact formatted by its unit. The
// stage, its hover card, the legend and the accessible description all read
// words from here, so they never disagree. No simulation: only formatting.
import { Health, NodeField, nodeField, factOf, HEALTH_NAMES } from '../lib/frame-layout.js';

/** The node's role word now ("leader", "pre-candidate", "standby"), or '' for none. */
export function roleWord(topology, f, i) {
  const show = topology.nodes[i].show;
  if (!show) return '';
  if (show.role_fact != null) {
    const fact = show.facts[show.role_fact];
    const v = factOf(f, i, show.role_fact);
    if (v != null && fact?.choices?.[v] != null) return fact.choices[v];
  }
  return show.role_words?.[nodeField(f, i, NodeField.ROLE)] ?? '';
}

/** What a node left out of the run is called (its model's show says `dormant`, crate/src/model/dormant.rs). */
export const SPARE_WORDS = 'spare, not started';

/** Whether node `i` is left out of this run: configured, but running nothing. */
export function isSpare(topology, i) {
  return topology.nodes[i].show?.dormant === true;
}

/** "leader", or the health when the node is not up ("powered off"), or that it is a spare. */
export function stateWord(topology, f, i) {
  if (isSpare(topology, i)) return SPARE_WORDS;
  const health = nodeField(f, i, NodeField.HEALTH);
  if (health !== Health.UP) return HEALTH_NAMES[health] ?? 'down';
  if (topology.nodes[i].model === 'client') return 'client';
  return roleWord(topology, f, i) || 'up';
}

const BYTE_UNITS = [[1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']];
export function formatBytes(v) {
  for (const [size, unit] of BYTE_UNITS) if (v >= size) return `${trim(v / size)} ${unit}`;
  return `${v} B`;
}

export function formatMicros(us) {
  const s = us / 1e6;
  if (s >= 3600) return `${trim(s / 3600)} h`;
  if (s >= 60) return `${trim(s / 60)} min`;
  if (s >= 1) return `${trim(s)} s`;
  return `${trim(us / 1e3)} ms`;
}

function trim(x) {
  return x >= 100 ? String(Math.round(x)) : String(Math.round(x * 10) / 10);
}

/** The names of the peers set in a `peers` mask. */
export function peersHeard(topology, node, mask) {
  const peers = node.show?.peers ?? [];
  return peers.filter((_, bit) => (mask & (1 << bit)) !== 0).map((p) => topology.nodes[p]?.name ?? `#${p}`);
}

/** One fact's value in words, or null when it has none. */
export function factText(topology, node, fact, v) {
  if (v == null) return null;
  switch (fact.unit) {
    case 'bytes': return formatBytes(v);
    case 'micros': return formatMicros(v);
    case 'count': return String(v);
    case 'node': return topology.nodes[v]?.name ?? `#${v}`;
    case 'peers': {
      const heard = peersHeard(topology, node, v);
      const all = node.show?.peers?.length ?? 0;
      return heard.length === all && all > 1 ? 'all peers' : heard.length ? heard.join(', ') : 'nobody';
    }
    case 'choice': return fact.choices?.[v] ?? String(v);
    default: return String(v);
  }
}

/** Every fact the node shows now, in declaration order: [{ key, label, unit, text }]. */
export function nodeFacts(topology, f, i) {
  const node = topology.nodes[i];
  const facts = node.show?.facts ?? [];
  const out = [];
  facts.forEach((fact, k) => {
    if (k === node.show.role_fact) return;
    const text = factText(topology, node, fact, factOf(f, i, k));
    if (text != null) out.push({ key: fact.key, label: fact.label, unit: fact.unit, text, value: factOf(f, i, k), choices: fact.choices });
  });
  return out;
}

/** Writes the node threw away (divergent) and acknowledged writes it lost, so far. */
export function writesGone(f, i) {
  return { discarded: nodeField(f, i, NodeField.DISCARDED), lost: nodeField(f, i, NodeField.LOST) };
}

/** "fs03a (fileserver 3 A): active · thinks its peer is dead, not fenced · …" */
export function describeNode(topology, f, i) {
  const node = topology.nodes[i];
  const parts = [stateWord(topology, f, i)];
  for (const fact of nodeFacts(topology, f, i)) parts.push(`${fact.label} ${fact.text}`);
  const gone = writesGone(f, i);
  if (gone.discarded) parts.push(`${gone.discarded} writes discarded`);
  if (gone.lost) parts.push(`${gone.lost} acknowledged writes lost`);
  const title = node.label && node.label !== node.name ? `${node.name} (${node.label})` : node.name;
  return { title, state: parts[0], facts: parts.slice(1) };
}

/** A short name for a crowded stage: "fs03a" stays, "client_a" → "c_a", long names keep their distinctive tail. */
export function shortName(name, maxChars) {
  if (name.length <= maxChars) return name;
  const digits = /\d/.exec(name);
  // Keep the part from the first digit on (the index that tells fleet members apart).
  if (digits && name.length - digits.index < maxChars) return name[0] + name.slice(digits.index);
  // No index: the head and the last character ("ipmi-a" → "ip…a"), so siblings stay apart.
  return `${name.slice(0, Math.max(1, maxChars - 2))}…${name.slice(-1)}`;
}
