// The flat number arrays a run hands over besides frames (whose layout is in
// frame-layout.js). Mirror of crate/src/replay.rs and crate/src/wasm.rs:
// change both together. Each layout names its stride and the offset of each field.

/** `run.steps`: one entry per timeline step that happened: [t_us, step index into scenario.timeline]. */
export const STEP = Object.freeze({ STRIDE: 2, T_US: 0, INDEX: 1 });
/** `run.shades`: shaded stretches of the timeline: [shade, start_us, end_us] (shade 5, data destroyed, is an instant: end = start + 1). */
export const SHADE = Object.freeze({ STRIDE: 3, KIND: 0, START_US: 1, END_US: 2 });
/** `sim.messages()`: messages around a time: [sent_us, end_us, from, to, plane, kind, fate]. */
export const MESSAGE = Object.freeze({ STRIDE: 7, SENT_US: 0, END_US: 1, FROM: 2, TO: 3, PLANE: 4, KIND: 5, FATE: 6 });
/** `run.gauges[i].points`: every report of a gauge: [t_us, node, value]. */
export const GAUGE_POINT = Object.freeze({ STRIDE: 3, T_US: 0, NODE: 1, VALUE: 2 });
/** `run.series`: request counters per bucket: [ok, failed, latency_mean_ms]. */
export const REQUEST_BUCKET = Object.freeze({ STRIDE: 3, OK: 0, FAILED: 1, LATENCY_MEAN_MS: 2 });

/** The step times of `steps` (every STEP.T_US), in order. */
export function stepTimes(steps) {
  const out = [];
  for (let i = 0; i < steps.length; i += STEP.STRIDE) out.push(steps[i + STEP.T_US]);
  return out;
}
