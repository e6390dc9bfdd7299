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

/**
 * Run a replay into `slot`. With `firstUs` (the time the page shows), the run
 * stops a little past it and the page gets that first (`partial: true`, with
 * `readyUs`), so the stage can go on from an injected action while the rest
 * is simulated in slices between other requests (continueRun); a newer run for
 * the same slot cancels it. Without `firstUs`, the whole run at once.
 */
function run({ id, slot = 'history', file, json, overrides, seed, actions, firstUs = null }) {
  cancelContinuation(slot);
  // Free the slot's previous replay first: two long traces at once would make
  // the WASM memory grow (and be copied) for nothing.
  replays.get(slot)?.free();
  replays.delete(slot);
  const started = performance.now();
  const whole = firstUs == null;
  const next = whole
    ? new Replay(file, json, overrides || {}, seed, actions || [])
    : Replay.start(file, json, overrides || {}, seed, actions || [], Math.max(0, firstUs) + FIRST_LEAD_US);
  replays.set(slot, next);
  if (whole || next.finished()) return packed(next, slot, performance.now() - started);
  const { reply, transfer } = packed(next, slot, performance.now() - started);
  self.postMessage({ id, ...reply, partial: true }, transfer);
  continueRun({ id, slot, file, replay: next, runMs: performance.now() - started });
  return null;
}

/** Simulated time past the page's time that the first, partial reply covers. */
const FIRST_LEAD_US = 1_000_000;
/** Worker time per slice of a continued run: short, so frame requests and a newer run are answered in between. */
const SLICE_MS = 12;

/** slot -> the continuation in progress ({ id }), so a newer run or `free` can stop it. */
const continuing = new Map();

function cancelContinuation(slot) {
  const job = continuing.get(slot);
  if (!job) return;
  continuing.delete(slot);
  self.postMessage({ id: job.id, error: { name: 'Superseded', superseded: true, message: 'a newer run replaced this one' } });
}

/** A macrotask that runs before timers clamp (setTimeout nests to 4 ms): other messages get in between. */
const tick = new MessageChannel();
let tickQueue = [];
tick.port1.onmessage = () => { const queue = tickQueue; tickQueue = []; for (const f of queue) f(); };
function later(f) { tickQueue.push(f); tick.port2.postMessage(null); }

/**
 * Simulate the rest of a partial run in slices of about SLICE_MS, posting how
 * far it got after each (`progress`), then the whole run's reply (the same
 * trace as one run to the end: replay::Replay::advance).
 */
function continueRun(job) {
  continuing.set(job.slot, job);
  const endUs = job.replay.end_us();
  let sliceUs = Math.max(1, (endUs - job.replay.reached_us()) / 50);
  const step = () => {
    if (continuing.get(job.slot) !== job) return;
    try {
      const t0 = performance.now();
      job.replay.advance(Math.min(endUs, job.replay.reached_us() + sliceUs));
      const ms = performance.now() - t0;
      job.runMs += ms;
      // Aim the next slice at SLICE_MS of work (at most twice as long per step: busy
      // stretches of a run take much more work per simulated second than quiet ones).
      sliceUs = Math.max(1, sliceUs * Math.min(2, SLICE_MS / Math.max(ms, 0.5)));
      if (job.replay.finished()) {
        continuing.delete(job.slot);
        const { reply, transfer } = packed(job.replay, job.slot, job.runMs);
        self.postMessage({ id: job.id, ...reply }, transfer);
        return;
      }
      self.postMessage({ id: job.id, progress: true, readyUs: job.replay.reached_us() });
      later(step);
    } catch (e) {
      continuing.delete(job.slot);
      replays.get(job.slot)?.free();
      replays.delete(job.slot);
      fail(job.id, e, job.file);
    }
  };
  later(step);
}

/** Everything the page reads out of a replay, as transferable arrays where large. */
function packed(next, slot, runMs) {
  const started = performance.now();
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
  const packMs = performance.now() - started;
  return {
    reply: {
      slot,
      outcome,
      topology,
      packMs,
      endUs: next.end_us(),
      readyUs: next.reached_us(),
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
  return { ...rest, nodes: shareEqualParts(topology.nodes), links: Uint32Array.from(topology.links), viaStart, via };
}

/**
 * Nodes whose command list, display description or states taken are equal
 * share one object for each: structured clone keeps shared references, so the
 * page receives each distinct part once (a 10,000-node fleet's nodes, each with
 * its own copies, took the main thread about 30 ms to receive). The page only
 * reads these objects.
 */
function shareEqualParts(nodes) {
  const seen = { commands: new Map(), show: new Map(), taken: new Map() };
  const shared = (kind, value) => {
    if (value == null || typeof value !== 'object') return value;
    const key = JSON.stringify(value);
    const known = seen[kind].get(key);
    if (known) return known;
    seen[kind].set(key, value);
    return value;
  };
  for (const node of nodes) {
    node.commands = shared('commands', node.commands);
    node.show = shared('show', node.show);
    node.taken = shared('taken', node.taken);
  }
  return nodes;
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
    for (const slot of [...continuing.keys()]) if (slot.startsWith(prefix)) cancelContinuation(slot);
    for (const [slot, replay] of replays) {
      if (slot.startsWith(prefix)) { replay.free(); replays.delete(slot); }
    }
    return { reply: {}, transfer: [] };
  },
  /**
   * The parsed scenario, without its nodes, links and devices (the core's
   * `describe` leaves them out: the player draws the run's topology, and a
   * 10,000-node fleet's description took the page's main thread 100+ ms to
   * receive). `forPlayer` adds the parameter names in the file's order
   * (`parameterOrder`), parsed here rather than on the page.
   */
  describe({ file, json, forPlayer = false }) {
    const scenario = describe(file, json);
    if (!forPlayer) return { reply: { scenario, metrics: metric_table() }, transfer: [] };
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

/** Answer request `id` with the error `e` (a trap leaves this instance answering nothing more). */
function fail(id, e, file) {
  if (e instanceof WebAssembly.RuntimeError || e?.name === 'RuntimeError') {
    trapped = trapObject(e, file);
    // The page replaces this worker and sends its pending runs to the new one.
    continuing.clear();
    self.postMessage({ id, error: trapped });
  } else {
    self.postMessage({ id, error: errorObject(e) });
  }
}

self.onmessage = async ({ data }) => {
  const { id, type } = data;
  try {
    await ready;
    if (trapped) { self.postMessage({ id, error: trapped }); return; }
    const handler = handlers[type];
    if (!handler) throw new Error(`unknown request ${type}`);
    // A handler that answers later (a continued run) returns null.
    const answer = handler(data);
    if (answer) self.postMessage({ id, ...answer.reply }, answer.transfer);
  } catch (e) {
    fail(id, e, data.file);
  }
};
