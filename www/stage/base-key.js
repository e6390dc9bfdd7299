// The state of nodes and links in a frame, as a key: the player repaints the
// stage's base layer (paint.js) only when it changes.
import { readFrame } from '../lib/frame-layout.js';

/**
 * Two 32-bit hashes (FNV-1a and a multiply-rotate) over the raw bits of the
 * state numbers instead of a string of them all (a 100,000-link frame made a
 * 200 kB string every frame); a frame is hashed once.
 */
const keys = new WeakMap();
export function baseKey(frameData) {
  const known = keys.get(frameData);
  if (known) return known;
  const f = readFrame(frameData);
  // Nodes and links, then groups and facts (the messages between them change every frame).
  const ranges = [[f.nodes.byteOffset, f.nodes.length + f.links.length], [f.groups.byteOffset, f.groups.length + f.facts.length]];
  let a = 0x811c9dc5 | 0, b = 0x9e3779b9 | 0;
  for (const [offset, length] of ranges) {
    const words = new Int32Array(frameData.buffer, offset, length);
    for (let i = 0; i < words.length; i++) {
      const v = words[i];
      a = Math.imul(a ^ v, 0x01000193);
      b = Math.imul((b << 5) | (b >>> 27), 0x85ebca6b) ^ v;
    }
  }
  const key = `${f.nodes.length}:${f.links.length}:${f.facts.length}:${(a >>> 0).toString(36)}:${(b >>> 0).toString(36)}`;
  keys.set(frameData, key);
  return key;
}
