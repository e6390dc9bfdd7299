// Talks to the simulation worker. Everything else in the page sees plain data.
export class SimClient {
  constructor() {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.nextId = 1;
    this.pending = new Map();
    this.worker.onmessage = ({ data }) => {
      const entry = this.pending.get(data.id);
      if (!entry) return;
      this.pending.delete(data.id);
      if (data.error) entry.reject(Object.assign(new Error(data.error.message), data.error));
      else entry.resolve(data);
    };
    this.worker.onerror = (event) => {
      const error = new Error(`The simulation worker failed to start: ${event.message || 'WASM could not be loaded'}`);
      for (const entry of this.pending.values()) entry.reject(error);
      this.pending.clear();
      this.failed = error;
    };
  }

  request(type, payload = {}) {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, ...payload });
    });
  }

  run(file, json, overrides, seed, slot = 'history') {
    return this.request('run', { file, json, overrides, seed, slot });
  }

  frame(tUs, slot = 'history') {
    return this.request('frame', { tUs, slot });
  }

  messages(fromUs, toUs, max, slot = 'history') {
    return this.request('messages', { fromUs, toUs, max, slot });
  }

  terminate() {
    this.worker.terminate();
  }
}
