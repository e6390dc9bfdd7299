// Mirror of crate/src/trace/frame.rs: change both together.
// header [node_count, link_count, message_count, step_index]
// nodes  node_count × [health, role, term, group]
// links  link_count × [status]
// msgs   message_count × [from, to, plane, kind, progress, fate]
export const HEADER = 4;
export const NODE_STRIDE = 4;
export const LINK_STRIDE = 1;
export const MSG_STRIDE = 6;

// crate/src/engine/host.rs Health
export const Health = Object.freeze({ UP: 0, CRASHED: 1, PAUSED: 2, OFF: 3 });
export const HEALTH_NAMES = ['up', 'crashed', 'paused', 'powered off'];
// crate/src/model/effect.rs Role
export const Role = Object.freeze({ NONE: 0, PASSIVE: 1, CANDIDATE: 2, ACTIVE: 3, REBUILDING: 4 });
export const ROLE_NAMES = ['', 'passive', 'candidate', 'active', 'rebuilding'];
// crate/src/net/mod.rs LinkStatus
export const LinkStatus = Object.freeze({ UP: 0, CUT: 1, GRAY: 2, DEGRADED: 3 });
// crate/src/trace/event.rs Fate
export const Fate = Object.freeze({ DELIVERED: 0, CUT: 1, DEVICE_DROP: 2, LOSS: 3 });

/** Split a flat frame into typed views (no copies). */
export function readFrame(data) {
  const nodeCount = data[0], linkCount = data[1], msgCount = data[2];
  let at = HEADER;
  const nodes = data.subarray(at, at + nodeCount * NODE_STRIDE); at += nodeCount * NODE_STRIDE;
  const links = data.subarray(at, at + linkCount * LINK_STRIDE); at += linkCount * LINK_STRIDE;
  const msgs = data.subarray(at, at + msgCount * MSG_STRIDE);
  return { nodeCount, linkCount, msgCount, step: data[3], nodes, links, msgs };
}
