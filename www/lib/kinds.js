// A colour per message kind (codes from crate/src/model/msg.rs), shared by the
// stage and the space-time diagram so a kind looks the same in both: client
// requests and replies in greys (they are the bulk), each protocol's kinds (a
// block of ten codes) in distinct hues.
const KIND_HUES = ['#2563eb', '#16a34a', '#db2777', '#ca8a04', '#7c3aed', '#0891b2', '#ea580c', '#be123c', '#4d7c0f', '#0f766e'];

export function kindColour(kind, colors) {
  if (kind < 10) return [colors.muted, colors.text, colors.muted][kind] ?? colors.muted;
  return KIND_HUES[kind % 10];
}
