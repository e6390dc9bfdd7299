// The only code that runs the simulation: loads the WASM core once, keeps the
// latest replay, and answers requests. Errors travel as plain objects, since
// structured clone drops an Error's own properties.
import init, { Replay, describe, validate, run_outcome, parameter_fits, spread, compare_spreads, chaos_actions, metric_table } from '../pkg/incident_replay.js';

const ready = init();
// Replays by slot: `history` (the scenario's defaults) and `variant` (the viewer's edits).
const replays = new Map();

/** Set once the WASM instance has trapped: it may be corrupt, so it answers nothing more. */
let trapped = null;

/**
 * A trap (a panic in the core, or running out of memory) arrives as a
 * `RuntimeError` saying "unreachable"; the core's panic hook has left the real
 * reason (Rust file, line, message) in `globalThis.__incidentReplayPanic`.
 */
function trapObject(e, file) {
  const panic = self.__incidentReplayPanic;
  const what = panic ? `the simulation core stopped: ${panic}` : `the simulation core stopped (${e.message || e}); the scenario may need more memory than the page can give`;
  const message = file ? `${file}: ${what}` : what;
  return { name: 'RuntimeError', trapped: true, message, file, path: '', reason: what };
}

function errorObject(e) {
  if (e && typeof e === 'object') {
    const { name, message, file, path, reason, line } = e;
    return { name: name || 'Error', message: String(message || e), file, path, reason, line };
  }
  return { name: 'Error', message: String(e) };
}

function replayIn(slot) {
  const replay = replays.get(slot || 'history');
  if (!replay) throw new Error(`no scenario loaded in ${slot}`);
  return replay;
}

function run({ slot = 'history', file, json, overrides, seed, actions }) {
  // Free the slot's previous replay first: two long traces at once would make
  // the WASM memory grow (and be copied) for nothing.
  replays.get(slot)?.free();
  replays.delete(slot);
  const started = performance.now();
  const next = new Replay(file, json, overrides || {}, seed, actions || []);
  const runMs = performance.now() - started;
  replays.set(slot, next);
  const steps = next.step_times();
  const series = next.request_series();
  const shades = next.shades();
  const moments = next.moments();
  // Injected actions that ran: flat [at_us, index], with their text by index.
  const injected = { times: next.injected_times(), texts: next.injected_texts() };
  const gauges = next.gauge_names().map((name, id) => ({ name, points: next.gauge_series(id) }));
  const outcome = next.outcome();
  const topology = packTopology(next.topology());
  // Time to read everything out of the replay for the page (runMs is the run itself).
  const packMs = performance.now() - started - runMs;
  return {
    reply: {
      slot,
      outcome,
      topology,
      packMs,
      endUs: next.end_us(),
      bucketUs: next.bucket_us(),
      digest: next.digest(),
      events: next.events(),
      kindNames: next.kind_names(),
      runMs,
      steps, series, shades, moments, gauges, injected,
    },
    transfer: [injected.times.buffer, steps.buffer, series.buffer, shades.buffer, moments.buffer, topology.links.buffer, topology.viaStart.buffer, topology.via.buffer, ...gauges.map((g) => g.points.buffer)],
  };
}

/**
 * Links as typed arrays: a 100,000-link topology as plain arrays (one small
 * array of devices per link) took the page's main thread 100+ ms to receive.
 * `links` stays flat [from, to, plane]; `link_via[i]` becomes
 * `via.subarray(viaStart[i], viaStart[i + 1])`.
 */
function packTopology(topology) {
  const viaStart = new Uint32Array(topology.link_via.length + 1);
  topology.link_via.forEach((list, i) => { viaStart[i + 1] = viaStart[i] + list.length; });
  const via = new Uint16Array(viaStart[viaStart.length - 1]);
  topology.link_via.forEach((list, i) => via.set(list, viaStart[i]));
  const { link_via: _, ...rest } = topology;
  return { ...rest, links: Uint32Array.from(topology.links), viaStart, via };
}

const handlers = {
  run,
  frame({ slot, tUs }) {
    const frame = replayIn(slot).frame(tUs);
    return { reply: { frame, tUs }, transfer: [frame.buffer] };
  },
  messages({ slot, fromUs, toUs, max }) {
    const messages = replayIn(slot).messages(fromUs, toUs, max);
    return { reply: { messages, fromUs, toUs }, transfer: [messages.buffer] };
  },
  /** Drop the replays whose slot starts with `prefix` (an element left the page). */
  free({ prefix }) {
    for (const [slot, replay] of replays) {
      if (slot.startsWith(prefix)) { replay.free(); replays.delete(slot); }
    }
    return { reply: {}, transfer: [] };
  },
  /**
   * The parsed scenario. `forPlayer`: without the nodes, links and devices (the
   * player draws the run's topology; a 10,000-node fleet's description took the
   * page's main thread 100+ ms to receive), and with the parameter names in
   * the file's order (`parameterOrder`), parsed here rather than on the page.
   */
  describe({ file, json, forPlayer = false }) {
    const scenario = describe(file, json);
    if (!forPlayer) return { reply: { scenario, metrics: metric_table() }, transfer: [] };
    delete scenario.nodes; delete scenario.links; delete scenario.devices;
    return { reply: { scenario, metrics: metric_table(), parameterOrder: Object.keys(JSON.parse(json).parameters || {}) }, transfer: [] };
  },
  /** Outcome only, nothing kept: for sweeps. */
  outcome({ file, json, overrides, seed, actions }) {
    const started = performance.now();
    const outcome = run_outcome(file, json, overrides || {}, seed, actions || []);
    return { reply: { outcome, runMs: performance.now() - started }, transfer: [] };
  },
  /** Outcomes of one setting over several seeds, summed up by the core (monitor/spread.rs). */
  spread({ outcomes }) {
    return { reply: { spread: spread(outcomes) }, transfer: [] };
  },
  /** Two spreads figure by figure: changed only where the distributions differ. */
  compare({ history, yours }) {
    return { reply: { changes: compare_spreads(history, yours) }, transfer: [] };
  },
  /** The chaos monkey's faults for `settings` (`seed=7,rate=6`), as text-form actions. */
  chaos({ file, json, settings }) {
    return { reply: { actions: chaos_actions(file, json, settings) }, transfer: [] };
  },
  validate({ file, json, overrides }) {
    validate(file, json, overrides || {});
    return { reply: { valid: true }, transfer: [] };
  },
  /** Each parameter's range the core accepts with the other settings (sliders stop there). */
  fits({ file, json, overrides }) {
    return { reply: { fits: parameter_fits(file, json, overrides || {}) }, transfer: [] };
  },
  /** Every 1,000 events: [at_us, hash hex, …] (trace fingerprints), to find where two runs part. */
  fingerprints({ slot }) {
    return { reply: { fingerprints: replayIn(slot).fingerprints() }, transfer: [] };
  },
  timeline({ slot }) {
    return { reply: { text: replays.has(slot || 'history') ? replayIn(slot).timeline_text() : '' }, transfer: [] };
  },
};

self.onmessage = async ({ data }) => {
  const { id, type } = data;
  try {
    await ready;
    if (trapped) { self.postMessage({ id, error: trapped }); return; }
    const handler = handlers[type];
    if (!handler) throw new Error(`unknown request ${type}`);
    const { reply, transfer } = handler(data);
    self.postMessage({ id, ...reply }, transfer);
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError || e?.name === 'RuntimeError') {
      trapped = trapObject(e, data.file);
      self.postMessage({ id, error: trapped });
    } else {
      self.postMessage({ id, error: errorObject(e) });
    }
  }
};
