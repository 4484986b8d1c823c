// The chunk loop with file I/O moved to a worker thread: the worker fills the slots of a
// SharedArrayBuffer ring with pread()s while the main thread walks records in the slot before,
// so reading (kernel copy) and decoding overlap on two cores.
// NOTE: ring layout, one slot after another:
//   [ prefix: PREFIX_BYTES ][ data: slotBytes ]
// The worker only writes `data`. After walking slot i the main thread copies the partial record at its
// end into the tail of slot i+1's `prefix`, so that record is contiguous with the bytes that follow it.
// A record longer than PREFIX_BYTES is assembled in a private scratch buffer instead (slow, rare).
// Control words (Int32Array): state[i] (0 = worker may fill, 1 = full), count[i] (bytes read; 0 = end of
// file; -1 = read error, message in the text area), and an abort flag set by the main thread.
import { closeSync, fstatSync, openSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { RecordWalker } from './file-chunks.js';
import type { ReadOptions, ReadSummary } from './source.js';

/** Room for one whole record of the largest standard snaplen (262144) plus any header. */
export const PREFIX_BYTES = 512 * 1024;
export const DEFAULT_SLOT_BYTES = 1024 * 1024;
export const DEFAULT_SLOTS = 4;
const ERROR_TEXT_BYTES = 1024;

// The worker is plain CommonJS evaluated from a string, so it runs the same from dist/ and from the
// TypeScript sources under vitest (no separate worker file to resolve).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { readSync } = require('node:fs');
const { fd, sab, ctrlSab, slots, slotBytes, prefix } = workerData;
const ctrl = new Int32Array(ctrlSab, 0, 2 * slots + 1);
const text = new Uint8Array(ctrlSab, (2 * slots + 1) * 4);
const buf = Buffer.from(sab);
const ABORT = 2 * slots;
const stride = prefix + slotBytes;
let pos = 0;
let slot = 0;
let done = false;
while (!done) {
  while (Atomics.load(ctrl, slot) !== 0 && Atomics.load(ctrl, ABORT) === 0) Atomics.wait(ctrl, slot, 1, 1000);
  if (Atomics.load(ctrl, ABORT) !== 0) break;
  const off = slot * stride + prefix;
  let n = 0;
  try {
    for (;;) {
      const r = readSync(fd, buf, off + n, slotBytes - n, pos + n);
      if (r === 0) break;
      n += r;
      if (n === slotBytes) break;
    }
  } catch (e) {
    const msg = Buffer.from(String(e && e.message || e)).subarray(0, text.length - 1);
    text.set(msg);
    text[msg.length] = 0;
    n = -1;
  }
  if (n > 0) pos += n;
  else done = true;
  ctrl[slots + slot] = n;
  Atomics.store(ctrl, slot, 1);
  Atomics.notify(ctrl, slot);
  slot = (slot + 1) % slots;
}
`;

export interface RingTuning {
  slotBytes?: number;
  slots?: number;
  /** Longest partial record carried between slots without the scratch buffer (tests make it tiny). */
  prefixBytes?: number;
}

/**
 * Same contract as walkFile(), with reads done by a worker thread. Rejects when the file cannot be
 * opened or read; corrupt content ends the read with `error` set.
 */
export async function walkFileWithWorker(
  path: string,
  walker: RecordWalker,
  opts: ReadOptions = {},
  tuning: RingTuning = {},
): Promise<ReadSummary> {
  const slotBytes = tuning.slotBytes ?? DEFAULT_SLOT_BYTES;
  const slots = Math.max(2, tuning.slots ?? DEFAULT_SLOTS);
  const prefix = tuning.prefixBytes ?? PREFIX_BYTES;
  const fd = openSync(path, 'r');
  let worker: Worker | undefined;
  const ctrlSab = new SharedArrayBuffer((2 * slots + 1) * 4 + ERROR_TEXT_BYTES);
  const ctrl = new Int32Array(ctrlSab, 0, 2 * slots + 1);
  const ABORT = 2 * slots;
  try {
    const total = fstatSync(fd).size;
    const stride = prefix + slotBytes;
    const sab = new SharedArrayBuffer(slots * stride);
    const buf = Buffer.from(sab);
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { fd, sab, ctrlSab, slots, slotBytes, prefix } });
    const onProgress = opts.onProgress;

    let slot = 0;
    let carry = 0; // bytes of a partial record waiting in the tail of this slot's prefix
    let fileOff = 0; // file offset of the first carried byte (or of the slot data when carry is 0)
    let consumed = 0;
    let scratch: Buffer | undefined; // assembles a record longer than PREFIX_BYTES
    let scratchFill = 0;
    for (;;) {
      while (Atomics.load(ctrl, slot) === 0) Atomics.wait(ctrl, slot, 0, 1000);
      const n = ctrl[slots + slot]!;
      if (n < 0) {
        const text = new Uint8Array(ctrlSab, ctrl.byteLength);
        throw new Error(`reading ${path}: ${Buffer.from(text.subarray(0, text.indexOf(0))).toString()}`);
      }
      const dataStart = slot * stride + prefix;
      let rest: number;
      let tail: Buffer; // where the unconsumed bytes are
      let tailAt: number;
      if (scratch === undefined) {
        const start = dataStart - carry;
        const end = dataStart + n;
        const pos = walker.walk(buf, start, end, fileOff - start);
        consumed = fileOff + (pos - start);
        rest = end - pos;
        tail = buf;
        tailAt = pos;
      } else {
        if (scratchFill + n > scratch.length) {
          const bigger = Buffer.allocUnsafe(Math.max(scratchFill + n, scratch.length * 2));
          scratch.copy(bigger, 0, 0, scratchFill);
          scratch = bigger;
        }
        buf.copy(scratch, scratchFill, dataStart, dataStart + n);
        scratchFill += n;
        const pos = walker.walk(scratch, 0, scratchFill, fileOff);
        consumed = fileOff + pos;
        rest = scratchFill - pos;
        tail = scratch;
        tailAt = pos;
      }
      if (onProgress !== undefined) onProgress(consumed, total);
      if (walker.error !== undefined) break;
      if (n === 0) {
        if (rest > 0) walker.error = walker.truncated(consumed, rest);
        break;
      }
      const next = (slot + 1) % slots;
      if (rest <= prefix) {
        const nextData = next * stride + prefix;
        tail.copy(buf, nextData - rest, tailAt, tailAt + rest);
        carry = rest;
        scratch = undefined;
        scratchFill = 0;
      } else if (tail === scratch) {
        scratch.copyWithin(0, tailAt, tailAt + rest);
        scratchFill = rest;
        carry = 0;
      } else {
        scratch = Buffer.allocUnsafe(Math.max(walker.need, 2 * rest));
        buf.copy(scratch, 0, tailAt, tailAt + rest);
        scratchFill = rest;
        carry = 0;
      }
      fileOff = consumed;
      Atomics.store(ctrl, slot, 0);
      Atomics.notify(ctrl, slot);
      slot = next;
    }
    const summary: ReadSummary = { packets: walker.packets, bytes: consumed, format: walker.format };
    if (walker.error !== undefined) summary.error = walker.error;
    return summary;
  } finally {
    Atomics.store(ctrl, ABORT, 1);
    for (let i = 0; i < slots; i++) Atomics.notify(ctrl, i);
    // The worker uses our fd: it must be gone before the fd is closed (and its number reused).
    if (worker !== undefined) await worker.terminate();
    closeSync(fd);
  }
}
