// What a scenario is (`meta.kind`, scenario/format.rs ScenarioKind): a replay of
// a real outage or documented failure, a lab, a demo or a sandbox. The gallery
// labels its cards with it, and the player names the run without the viewer's
// changes by it: "As it happened" only for a replay; a sandbox's is "Left alone".

/** The card label of each kind, in gallery order. */
export const KIND_LABELS = { replay: 'Replay', lab: 'Lab', demo: 'Demo', sandbox: 'Sandbox' };

/** The kind of a scenario's `meta` (a file that does not say is a replay, as in the core). */
export function kindOf(meta) {
  return Object.hasOwn(KIND_LABELS, meta?.kind ?? '') ? meta.kind : 'replay';
}

/** Names of the run without the viewer's changes: `long` for the stage, `short` for a column or a choice. */
export function baselineNames(meta) {
  const kind = kindOf(meta);
  if (kind === 'replay') return { long: 'As it happened', short: 'History' };
  if (kind === 'sandbox') return { long: 'Left alone', short: 'Left alone' };
  return { long: 'As scripted', short: 'As scripted' };
}
