// A pool of simulation workers for sweeps: many independent `outcome` runs,
// handed out as workers free up, results returned in job order.
//
// Each worker is the same sim/worker.js the playground uses (one WASM instance
// each). The scenario text travels with every job: it is a few KB and the core
// parses it in well under a millisecond, against tens of milliseconds per run,
// so caching it in the worker would not be measurable (see the workshop test,
// which prints the per-run time).

import { rememberGaugeUnits } from '../lib/metric-table.js';

/** Jobs kept in flight per worker, so a worker never idles while a reply travels back. */
const DEPTH_PER_WORKER = 2;

/** Errors that mean the WASM instance trapped (a panic): that worker is replaced. */
const TRAPS = new Set(['RuntimeError', 'InternalError']);

const cancelledError = () => ({ name: 'AbortError', message: 'Cancelled before it ran' });

export class SimPool {
  constructor(size = Math.max(1, globalThis.navigator?.hardwareConcurrency || 2)) {
    this.size = Math.max(1, Math.floor(size));
    /** Workers start on first use, then stay warm between sweeps (WASM compiles once each). */
    this.slots = [];
    this.batch = null;
    this.nextId = 1;
    this.tail = Promise.resolve();
  }

  /**
   * Run `jobs` ({ file, json, overrides, seed, actions? }); resolves to one `{ outcome, runMs }`
   * or `{ error }` per job, in job order. `onProgress(done, total)` follows every reply.
   * After cancel(), jobs not yet handed out resolve as `{ error: { name: 'AbortError' } }`.
   * cancel() applies to the batch running now; a batch queued behind it still runs.
   */
  run(jobs, onProgress = () => {}) {
    // One batch at a time: a new batch waits for the previous one (cancel it to hurry).
    const started = this.tail.then(() => this.start(jobs, onProgress));
    this.tail = started.catch(() => {});
    return started;
  }

  start(jobs, onProgress) {
    this.ensureWorkers();
    return new Promise((resolve) => {
      const batch = {
        jobs, onProgress, resolve,
        results: new Array(jobs.length),
        next: 0, done: 0, inFlight: 0, cancelled: false,
      };
      this.batch = batch;
      if (jobs.length === 0) { this.finish(batch); return; }
      for (const slot of this.slots) this.feed(slot);
    });
  }

  /** Stop handing out jobs; the running ones finish and run() resolves. */
  cancel() {
    const batch = this.batch;
    if (!batch || batch.cancelled) return;
    batch.cancelled = true;
    for (let i = batch.next; i < batch.jobs.length; i++) batch.results[i] = { error: cancelledError() };
    batch.next = batch.jobs.length;
    if (batch.inFlight === 0) this.finish(batch);
  }

  terminate() {
    this.cancel();
    for (const slot of this.slots) slot.worker.terminate();
    this.slots = [];
    if (this.batch) this.failAll(this.batch, { name: 'AbortError', message: 'The pool was terminated' });
  }

  // ------------------------------------------------------------ internals

  ensureWorkers() {
    while (this.slots.length < this.size) this.slots.push(this.spawn());
  }

  spawn() {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    const slot = { worker, pending: new Map() }; // request id -> job index
    worker.onmessage = ({ data }) => this.receive(slot, data);
    worker.onerror = (event) => {
      // The module or the WASM failed to load: every job this worker holds fails,
      // and the batch does not wait on a worker that will never answer.
      event.preventDefault?.();
      const error = { name: 'Error', message: `A simulation worker failed: ${event.message || 'WASM could not be loaded'}` };
      this.retire(slot, error);
    };
    return slot;
  }

  /** Hand `slot` jobs until it holds DEPTH_PER_WORKER of them or none are left. */
  feed(slot) {
    const batch = this.batch;
    if (!batch) return;
    while (slot.pending.size < DEPTH_PER_WORKER && batch.next < batch.jobs.length) {
      const index = batch.next++;
      const { file, json, overrides, seed, actions } = batch.jobs[index];
      const id = this.nextId++;
      slot.pending.set(id, { index, batch });
      batch.inFlight++;
      slot.worker.postMessage({ id, type: 'outcome', file, json, overrides: overrides || {}, seed, actions: actions || [] });
    }
  }

  receive(slot, data) {
    const entry = slot.pending.get(data.id);
    if (!entry) return;
    slot.pending.delete(data.id);
    const { index, batch } = entry;
    if (batch.finished) return;
    batch.inFlight--;
    batch.results[index] = data.error ? { error: data.error } : { outcome: data.outcome, runMs: data.runMs };
    if (data.outcome) rememberGaugeUnits(data.outcome.gauges);
    batch.done++;
    if (batch === this.batch) {
      batch.onProgress(batch.done, batch.jobs.length);
      if (data.error && TRAPS.has(data.error.name)) {
        // A trapped instance may be corrupt: requeue nothing, but swap the worker.
        this.replace(slot);
        return;
      }
      this.feed(slot);
    }
    if (batch.inFlight === 0 && batch.next >= batch.jobs.length) this.finish(batch);
  }

  replace(slot) {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    const held = [...slot.pending.values()];
    // Nothing more from the trapped instance counts: its late replies are dropped.
    slot.pending.clear();
    slot.worker.onmessage = null;
    slot.worker.terminate();
    const fresh = this.spawn();
    this.slots[at] = fresh;
    // Jobs queued behind the trap go to the fresh worker.
    const batch = this.batch;
    if (batch) {
      for (const { index } of held) {
        batch.inFlight--;
        const { file, json, overrides, seed, actions } = batch.jobs[index];
        const id = this.nextId++;
        fresh.pending.set(id, { index, batch });
        batch.inFlight++;
        fresh.worker.postMessage({ id, type: 'outcome', file, json, overrides: overrides || {}, seed, actions: actions || [] });
      }
      this.feed(fresh);
      if (batch.inFlight === 0 && batch.next >= batch.jobs.length) this.finish(batch);
    }
  }

  retire(slot, error) {
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    slot.worker.terminate();
    const batch = this.batch;
    for (const { index, batch: owner } of slot.pending.values()) {
      owner.inFlight--;
      owner.results[index] = { error };
      owner.done++;
    }
    slot.pending.clear();
    if (!batch) return;
    if (this.slots.length === 0) { this.failAll(batch, error); return; }
    batch.onProgress(batch.done, batch.jobs.length);
    if (batch.inFlight === 0 && batch.next >= batch.jobs.length) this.finish(batch);
  }

  failAll(batch, error) {
    for (let i = 0; i < batch.jobs.length; i++) if (!batch.results[i]) batch.results[i] = { error };
    batch.next = batch.jobs.length;
    batch.inFlight = 0;
    this.finish(batch);
  }

  finish(batch) {
    if (batch.finished) return;
    batch.finished = true;
    if (this.batch === batch) this.batch = null;
    batch.resolve(batch.results);
  }
}
