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

/**
 * A view of a shared client whose replay slots carry a prefix, so several
 * players on one page can share one worker (one WASM instance) without
 * overwriting each other's replays.
 */
export function scopedClient(client, prefix) {
  const slot = (s = 'history') => `${prefix}:${s}`;
  return {
    request: (type, payload) => client.request(type, payload),
    run: (file, json, overrides, seed, s) => client.run(file, json, overrides, seed, slot(s)),
    frame: (tUs, s) => client.frame(tUs, slot(s)),
    messages: (fromUs, toUs, max, s) => client.messages(fromUs, toUs, max, slot(s)),
    free: () => client.request('free', { prefix: `${prefix}:` }),
  };
}
