// Talks to the simulation worker. Everything else in the page sees plain data.
import { rememberGaugeUnits, rememberMetricTable } from '../lib/metric-table.js';
//
// A trap (a panic or an out-of-memory in the WASM core) leaves that instance
// unusable, so it never spreads: the request that trapped fails with the
// core's own message, the worker is replaced, and every other replay the page
// holds (other players, other <incident-replay> elements) is run again in the
// fresh worker before any request queued behind the trap is answered.

/** Error names that mean the WASM instance trapped (see sim/worker.js). */
const TRAPS = new Set(['RuntimeError', 'InternalError']);

export class SimClient {
  constructor() {
    this.nextId = 1;
    /** id -> { resolve, reject, message }: `message` is re-sent if the worker is replaced. */
    this.pending = new Map();
    /** slot -> the last `run` request that succeeded there, to rebuild it after a trap. */
    this.runs = new Map();
    /** How many times a trapped worker was replaced (for tests and the status line). */
    this.replaced = 0;
    this.spawn();
  }

  spawn() {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker = worker;
    worker.onmessage = ({ data }) => this.receive(worker, data);
    worker.onerror = (event) => {
      if (worker !== this.worker) return;
      const error = new Error(`The simulation worker failed to start: ${event.message || 'WASM could not be loaded'}`);
      for (const entry of this.pending.values()) entry.reject(error);
      this.pending.clear();
      this.failed = error;
    };
  }

  receive(worker, data) {
    if (worker !== this.worker) return; // a late reply from a replaced worker
    const entry = this.pending.get(data.id);
    if (!entry) return;
    // A continued run's first part and its progress (sim/worker.js): the request stays pending.
    if (data.partial || data.progress) { entry.onUpdate?.(data); return; }
    this.pending.delete(data.id);
    if (data.error) {
      entry.reject(Object.assign(new Error(data.error.message), data.error));
      if (data.error.trapped || TRAPS.has(data.error.name)) {
        if (entry.message.type === 'run') this.runs.delete(entry.message.slot);
        this.replace();
      }
      return;
    }
    if (entry.message.type === 'run') this.runs.set(entry.message.slot, entry.message);
    if (data.metrics) rememberMetricTable(data.metrics);
    if (data.outcome) rememberGaugeUnits(data.outcome.gauges);
    entry.resolve(data);
  }

  /** Swap the trapped worker for a fresh one; rebuild the page's replays, then resend what was queued. */
  replace() {
    this.worker.onmessage = null;
    this.worker.terminate();
    this.replaced++;
    this.spawn();
    const queued = [...this.pending.values()];
    for (const message of this.runs.values()) {
      const id = this.nextId++;
      // A rebuild that fails (it ran before, so it should not) is simply forgotten.
      this.pending.set(id, { resolve: () => {}, reject: () => this.runs.delete(message.slot), message: { ...message, id } });
      this.worker.postMessage({ ...message, id });
    }
    // The worker answers in order, so these see the rebuilt replays.
    for (const entry of queued) this.worker.postMessage(entry.message);
  }

  /** `onUpdate(data)`: called with each part a request answers before its end (a continued run's first part, its progress). */
  request(type, payload = {}, onUpdate = null) {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const message = { id, type, ...payload };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, message, onUpdate });
      this.worker.postMessage(message);
    });
  }

  /**
   * Run a replay into `slot`. With `firstUs` (µs), the worker answers first
   * with the run up to a little past that time (`onUpdate({ partial: true, … })`,
   * then `{ progress: true, readyUs }` as it goes on) and resolves with the
   * whole run; a newer run for the slot rejects this one with `superseded`.
   */
  run(file, json, overrides, seed, slot = 'history', actions = [], { firstUs = null, onUpdate = null } = {}) {
    return this.request('run', { file, json, overrides, seed, slot, actions, firstUs }, onUpdate);
  }

  frame(tUs, slot = 'history') {
    return this.request('frame', { tUs, slot });
  }

  messages(fromUs, toUs, max, slot = 'history') {
    return this.request('messages', { fromUs, toUs, max, slot });
  }

  /** Drop the replays whose slot starts with `prefix` (an element left the page). */
  free(prefix) {
    for (const slot of [...this.runs.keys()]) if (slot.startsWith(prefix)) this.runs.delete(slot);
    return this.request('free', { prefix });
  }

  terminate() {
    this.worker.terminate();
  }
}

/**
 * A view of a shared client whose replay slots carry a prefix, so several
 * players on one page can share one worker (one WASM instance) without
 * overwriting each other's replays.
 */
export function scopedClient(client, prefix) {
  const slot = (s = 'history') => `${prefix}:${s}`;
  return {
    request: (type, payload) => client.request(type, payload),
    run: (file, json, overrides, seed, s, actions, options) => client.run(file, json, overrides, seed, slot(s), actions, options),
    frame: (tUs, s) => client.frame(tUs, slot(s)),
    messages: (fromUs, toUs, max, s) => client.messages(fromUs, toUs, max, slot(s)),
    free: () => client.free(`${prefix}:`),
  };
}
