// The only code that runs the simulation: loads the WASM core once, keeps the
// latest replay, and answers requests. Errors travel as plain objects, since
// structured clone drops an Error's own properties.
import init, { Replay, describe, validate } from '../pkg/incident_replay.js';

const ready = init();
let replay = null;

function errorObject(e) {
  if (e && typeof e === 'object') {
    const { name, message, file, path, reason, line } = e;
    return { name: name || 'Error', message: String(message || e), file, path, reason, line };
  }
  return { name: 'Error', message: String(e) };
}

function run({ file, json, overrides, seed }) {
  const next = new Replay(file, json, overrides || {}, seed);
  replay?.free();
  replay = next;
  const steps = replay.step_times();
  const series = replay.request_series();
  return {
    reply: {
      outcome: replay.outcome(),
      topology: replay.topology(),
      endUs: replay.end_us(),
      bucketUs: replay.bucket_us(),
      digest: replay.digest(),
      steps,
      series,
    },
    transfer: [steps.buffer, series.buffer],
  };
}

const handlers = {
  run,
  frame({ tUs }) {
    if (!replay) throw new Error('no scenario loaded');
    const frame = replay.frame(tUs);
    return { reply: { frame, tUs }, transfer: [frame.buffer] };
  },
  describe({ file, json }) {
    return { reply: { scenario: describe(file, json) }, transfer: [] };
  },
  validate({ file, json, overrides }) {
    validate(file, json, overrides || {});
    return { reply: { valid: true }, transfer: [] };
  },
  timeline() {
    return { reply: { text: replay ? replay.timeline_text() : '' }, transfer: [] };
  },
};

self.onmessage = async ({ data }) => {
  const { id, type } = data;
  try {
    await ready;
    const handler = handlers[type];
    if (!handler) throw new Error(`unknown request ${type}`);
    const { reply, transfer } = handler(data);
    self.postMessage({ id, ...reply }, transfer);
  } catch (e) {
    self.postMessage({ id, error: errorObject(e) });
  }
};
