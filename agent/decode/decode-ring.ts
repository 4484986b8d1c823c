// Reading a capture file with read + walk + decode on a worker thread (decode-worker.ts) and the flow
// table (whatever consumes DecodedPacketSink) on the calling thread, so the two halves run on two cores.
// NOTE: the main thread blocks (Atomics.wait) between chunks, as the plain chunk loop blocks in read();
// it takes each chunk's message with receiveMessageOnPort, feeds its descriptors to the sink with
// `buf` = the chunk (payload offsets point into it), then releases the chunk. The worker reuses a chunk's
// memory only after that, so the payload bytes the detector reads stay valid for the whole call.
import { closeSync, existsSync, fstatSync, openSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { FileReadTuning, PacketSink, ReadOptions, ReadSummary } from '../capture/source.js';
import { CTRL_ABORT, CTRL_PRODUCED, CTRL_RELEASED, CTRL_WAKE_AT, CTRL_WORDS, readDescriptor, type ChunkMessage } from './decode-descriptor.js';
import { createDecodedPacket, type DecodedPacket } from './packet.js';

/** Takes packets decoded on the worker, in file order. */
export interface DecodedPacketSink {
  /** A record that decoded (Skip.ok) with a valid timestamp; `p` (and `p.buf`) is valid during the call only. */
  packet(p: DecodedPacket): void;
  /** `count` records skipped for `reason` (a Skip code, bad-timestamp included); their order does not matter. */
  skipped(reason: number, count: number): void;
}

/**
 * Files at least this large are decoded on the worker. Below it the worker's start-up (its own module
 * graph; tens of ms on an idle machine, 250 ms at load average 15) costs more than the ~0.35 µs of
 * main-thread work it takes off each packet (docs/benchmarks.md, replay 2026-11-28 04:20 UTC): 64 MB ≈
 * 130 k packets of the synthetic capture. On the busy 2-core dev VM, 1, 4 and 16 MB files were slower with it.
 */
export const DECODE_WORKER_MIN_BYTES = 64 * 1024 * 1024;

export const DEFAULT_DECODE_SLOT_BYTES = 1024 * 1024;
export const DEFAULT_DECODE_SLOTS = 16;

export type DecodeRingTuning = Pick<FileReadTuning, 'slotBytes' | 'slots'>;

const WORKER_URL = new URL('./decode-worker.js', import.meta.url);

/**
 * Whether the compiled worker script is there (it is under dist/; running from the TypeScript sources,
 * e.g. under vitest, it is not, and readers use the single-thread loop).
 */
export function decodeWorkerAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER_URL));
}

/**
 * `PacketSink.readFile` for a sink that takes decoded packets (agent/pipeline.ts): reads the file on
 * the worker when it is large enough (or `tuning.use`), else declines (null) and the reader goes on as
 * usual. `force` (the CLI's `--decode-thread on|off`) overrides the size rule: true always, false never;
 * `tuning.use` overrides both.
 */
export function createFileDecoder(sink: DecodedPacketSink, force?: boolean): NonNullable<PacketSink['readFile']> {
  return async (path, format, opts, tuning) => {
    const want = tuning.use ?? force;
    if (want === false || !decodeWorkerAvailable()) return null;
    if (want !== true && statSync(path).size < DECODE_WORKER_MIN_BYTES) return null;
    try {
      return await walkFileDecoding(path, format, sink, opts, tuning);
    } catch (e) {
      // No second thread to be had (nothing was handed to the sink yet): read on this one.
      if (e instanceof DecodeWorkerUnavailable) return null;
      throw e;
    }
  };
}

/** Files read through the worker so far in this process (tests check the worker path really ran). */
export const decodeWorkerStats = { files: 0 };

/** Thrown (as a rejection) when the worker could not be started; the caller reads on one thread instead. */
export class DecodeWorkerUnavailable extends Error {}

/**
 * Same contract as walkFile() with a decoding sink: every record of the file reaches `sink` (decoded, or
 * counted as skipped), in file order. Rejects with DecodeWorkerUnavailable before any packet was handed
 * over when the worker cannot start; otherwise as walkFile().
 */
export async function walkFileDecoding(
  path: string,
  format: 'pcap' | 'pcapng',
  sink: DecodedPacketSink,
  opts: ReadOptions = {},
  tuning: DecodeRingTuning = {},
): Promise<ReadSummary> {
  const slots = Math.max(2, tuning.slots ?? DEFAULT_DECODE_SLOTS);
  const slotBytes = Math.max(4096, tuning.slotBytes ?? DEFAULT_DECODE_SLOT_BYTES);
  const ctrlSab = new SharedArrayBuffer(CTRL_WORDS * 4);
  const ctrl = new Int32Array(ctrlSab);
  const fd = openSync(path, 'r');
  const { port1, port2 } = new MessageChannel();
  let worker: Worker | undefined;
  try {
    const total = fstatSync(fd).size;
    try {
      worker = new Worker(WORKER_URL, {
        workerData: { fd, format, slots, slotBytes, ctrl: ctrlSab, port: port2 },
        transferList: [port2],
      });
      const w = worker;
      await new Promise<void>((resolve, reject) => {
        const fail = (e: unknown): void => reject(new DecodeWorkerUnavailable(`decode worker did not start: ${String(e)}`));
        w.once('message', () => resolve());
        w.once('error', fail);
        w.once('exit', (code) => fail(`exit code ${code}`));
      });
      w.removeAllListeners('error');
      w.removeAllListeners('exit');
      // From here the worker reports everything through chunk messages; a stray error event must not crash us.
      w.on('error', () => {});
      decodeWorkerStats.files++;
    } catch (e) {
      throw e instanceof DecodeWorkerUnavailable ? e : new DecodeWorkerUnavailable(String(e));
    }

    const onProgress = opts.onProgress;
    const yieldBetween = opts.yieldBetweenChunks === true;
    const pkt = createDecodedPacket();
    let got = 0;
    let lastData: SharedArrayBuffer | undefined;
    let lastBuf: Buffer<ArrayBufferLike> = Buffer.alloc(0);
    for (;;) {
      let m = receiveMessageOnPort(port1);
      while (m === undefined) {
        Atomics.wait(ctrl, CTRL_PRODUCED, got, 1000);
        m = receiveMessageOnPort(port1);
      }
      got++;
      const c = m.message as ChunkMessage;
      if (c.ioError !== undefined) throw new Error(`reading ${path}: ${c.ioError}`);
      if (c.count > 0) {
        if (c.data !== lastData) {
          lastData = c.data;
          lastBuf = Buffer.from(c.data);
        }
        pkt.buf = lastBuf;
        const u = new Uint32Array(c.desc);
        const f = new Float64Array(c.desc);
        for (let i = 0, n = c.count; i < n; i++) {
          readDescriptor(u, f, i, pkt);
          sink.packet(pkt);
        }
      }
      if (c.skipped !== null) for (let r = 0; r < c.skipped.length; r++) if (c.skipped[r]! > 0) sink.skipped(r, c.skipped[r]!);
      const released = Atomics.add(ctrl, CTRL_RELEASED, 1) + 1;
      const wakeAt = Atomics.load(ctrl, CTRL_WAKE_AT);
      if (wakeAt !== 0 && released >= wakeAt) {
        Atomics.store(ctrl, CTRL_WAKE_AT, 0);
        Atomics.notify(ctrl, CTRL_RELEASED);
      }
      if (onProgress !== undefined) onProgress(c.consumed, total);
      if (c.end) {
        const summary: ReadSummary = { packets: c.packets, bytes: c.consumed, format };
        if (c.error !== undefined) summary.error = c.error;
        return summary;
      }
      if (yieldBetween) await new Promise<void>((r) => setImmediate(r));
    }
  } finally {
    Atomics.store(ctrl, CTRL_ABORT, 1);
    Atomics.notify(ctrl, CTRL_RELEASED);
    port1.close();
    // The worker reads our fd: it must be gone before the fd is closed (and its number reused).
    if (worker !== undefined) await worker.terminate();
    closeSync(fd);
  }
}
