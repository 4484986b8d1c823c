// A small pool of worker threads running decodeIngestBody, so parsing, validating and encoding a
// 50 000-record batch (~250 ms of CPU) happens off the event loop. Bodies go over by transfer, not copy;
// the flows blocks come back in SharedArrayBuffers (decode-worker.ts).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DecodeResult } from './ingest-batch.js';

export interface DecodePool {
  decode(body: Uint8Array): Promise<DecodeResult>;
  close(): Promise<void>;
}

interface Pending {
  resolve: (r: DecodeResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * From the built JavaScript the worker is `decode-worker.js` next to this file. From the TypeScript
 * sources (vitest) Node 20 cannot start a `.ts` worker, so the worker first registers tsx's loader
 * (a devDependency) and then imports the same `decode-worker.ts`.
 */
function spawnWorker(): Worker {
  const self = import.meta.url;
  if (self.endsWith('.ts')) {
    // require.resolve gives the CommonJS build; its register() mis-resolves from an eval'd worker,
    // the ES module build beside it works.
    const tsx = pathToFileURL(createRequire(self).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
    const entry = new URL('./decode-worker.ts', self).href;
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(boot, { eval: true });
  }
  return new Worker(new URL('./decode-worker.js', self));
}

/** A transferable copy of `body` unless it already owns its whole ArrayBuffer. */
function ownBuffer(body: Uint8Array): Uint8Array {
  if (body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer) return body;
  const copy = new Uint8Array(body.byteLength);
  copy.set(body);
  return copy;
}

/**
 * `size` workers. They start at once (each warms up its decoder, 0.1–0.4 s, see decode-worker.ts), so the
 * first batches do not wait for a worker to load and warm up; `lazy` starts each at its first job.
 */
export function createDecodePool(size: number, opts: { lazy?: boolean } = {}): DecodePool {
  const slots: (Slot | null)[] = new Array(size).fill(null);
  let nextId = 1;
  let closed = false;

  function start(index: number): Slot {
    const slot: Slot = { worker: spawnWorker(), pending: new Map() };
    const fail = (err: Error) => {
      if (slots[index] === slot) slots[index] = null;
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
    };
    slot.worker.on('message', (msg: { id: number; result?: DecodeResult; crash?: string }) => {
      const p = slot.pending.get(msg.id);
      if (!p) return;
      slot.pending.delete(msg.id);
      if (msg.result) p.resolve(msg.result);
      else p.reject(new Error(`decode worker failed: ${msg.crash}`));
    });
    slot.worker.on('error', (err) => fail(err));
    slot.worker.on('exit', (code) => fail(new Error(`decode worker exited with code ${code}`)));
    // An idle pool must not keep the process alive.
    slot.worker.unref();
    slots[index] = slot;
    return slot;
  }

  /** The live worker with the fewest jobs in flight (starting workers lazily). */
  function pick(): Slot {
    let best: Slot | null = null;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i] ?? start(i);
      if (best === null || s.pending.size < best.pending.size) best = s;
    }
    return best!;
  }

  if (opts.lazy !== true) for (let i = 0; i < size; i++) start(i);

  return {
    decode(body) {
      if (closed) return Promise.reject(new Error('decode pool is closed'));
      const slot = pick();
      const id = nextId++;
      const own = ownBuffer(body);
      return new Promise<DecodeResult>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.ref();
        slot.worker.postMessage({ id, body: own }, [own.buffer as ArrayBuffer]);
      }).finally(() => {
        if (slot.pending.size === 0) slot.worker.unref();
      });
    },
    async close() {
      closed = true;
      const live = slots.filter((s): s is Slot => s !== null);
      slots.fill(null);
      await Promise.all(live.map((s) => s.worker.terminate()));
    },
  };
}
