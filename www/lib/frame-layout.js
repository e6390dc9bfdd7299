// Mirror of crate/src/trace/frame.rs: change both together.
// header [node_count, link_count, message_count, step_index, fact_slots, group_count]
// nodes  node_count × [health, role, term, group, discarded_writes, lost_writes]
// links  link_count × [status]
// msgs   message_count × [from, to, plane, kind, progress, fate]
// groups group_count × [writable members]  (split brain when >= 2)
// facts  node_count × fact_slots: each node's shown facts in the order its model
//        declared them (topology.nodes[i].show.facts), -1 = none (crate/src/model/show.rs)
export const HEADER = 6;
export const NODE_STRIDE = 6;
export const LINK_STRIDE = 1;
export const MSG_STRIDE = 6;
export const GROUP_STRIDE = 1;
/** A fact with no value (FACT_NONE in crate/src/model/show.rs). */
export const FACT_NONE = -1;
/** Offsets inside a node's record. */
export const NodeField = Object.freeze({ HEALTH: 0, ROLE: 1, TERM: 2, GROUP: 3, DISCARDED: 4, LOST: 5 });

// crate/src/model/node.rs Health
export const Health = Object.freeze({ UP: 0, CRASHED: 1, PAUSED: 2, OFF: 3 });
export const HEALTH_NAMES = ['up', 'crashed', 'paused', 'powered off'];
// crate/src/model/effect.rs Role (generic codes; each model names them: topology.nodes[i].show.role_words)
export const Role = Object.freeze({ NONE: 0, PASSIVE: 1, CANDIDATE: 2, ACTIVE: 3, REBUILDING: 4 });
export const ROLE_NAMES = ['', 'passive', 'candidate', 'active', 'rebuilding'];
// crate/src/net/mod.rs LinkStatus
export const LinkStatus = Object.freeze({ UP: 0, CUT: 1, GRAY: 2, DEGRADED: 3 });
// crate/src/trace/event.rs Fate
export const Fate = Object.freeze({ DELIVERED: 0, CUT: 1, DEVICE_DROP: 2, LOSS: 3 });

/** Split a flat frame into typed views (no copies). */
export function readFrame(data) {
  const nodeCount = data[0], linkCount = data[1], msgCount = data[2];
  const factSlots = data[4] || 0, groupCount = data[5] || 0;
  let at = HEADER;
  const nodes = data.subarray(at, at + nodeCount * NODE_STRIDE); at += nodeCount * NODE_STRIDE;
  const links = data.subarray(at, at + linkCount * LINK_STRIDE); at += linkCount * LINK_STRIDE;
  const msgs = data.subarray(at, at + msgCount * MSG_STRIDE); at += msgCount * MSG_STRIDE;
  const groups = data.subarray(at, at + groupCount * GROUP_STRIDE); at += groupCount * GROUP_STRIDE;
  const facts = data.subarray(at, at + nodeCount * factSlots);
  return { nodeCount, linkCount, msgCount, step: data[3], nodes, links, msgs, groups, groupCount, facts, factSlots };
}

/** Node `i`'s field `field` (NodeField). */
export function nodeField(f, i, field) {
  return f.nodes[i * NODE_STRIDE + field];
}

/** Node `i`'s fact number `k` (declaration order), or null when it has none. */
export function factOf(f, i, k) {
  if (k >= f.factSlots) return null;
  const v = f.facts[i * f.factSlots + k];
  return v === FACT_NONE ? null : v;
}
