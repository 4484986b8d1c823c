// Opens a capture file, sniffs its magic number and hands it to the pcap or pcapng walker, driven by
// the plain chunk loop (default) or, on request, by the worker-thread ring.
import { closeSync, openSync, readSync } from 'node:fs';
import { u32be, u32le } from '../../common/bytes.js';
import { DEFAULT_CHUNK_BYTES, hex32, walkFile, walkFileYielding, type RecordWalker } from './file-chunks.js';
import { PCAP_MAGIC_KUZNETSOV, createPcapWalker, sniffPcapMagic } from './pcap-file.js';
import { createPcapngWalker, isPcapngMagic } from './pcapng-file.js';
import { walkFileWithWorker, type RingTuning } from './ring-reader.js';
import type { FileReadTuning, PacketSink, ReadOptions, ReadSummary } from './source.js';

export interface ReaderTuning extends RingTuning {
  /** Passed to sink.readFile (the flow pipeline's decode worker): `use` true = always, false = never. */
  decodeWorker?: boolean;
  decodeRing?: Omit<FileReadTuning, 'use'>;
  /**
   * Read through the worker-thread ring instead of the plain chunk loop. Off by default: on the 2-core
   * dev machine it was no faster (decode + flow table over the 1 GB / 2.1 M-packet synthetic capture,
   * 20 interleaved runs each: median 1.56 s plain vs 1.60 s worker), because kernel read-ahead already
   * overlaps disk I/O and the page-cache copy is only ~0.2 s per GB. Kept for re-measuring elsewhere.
   */
  worker?: boolean;
  /** Chunk size of the plain loop. */
  chunkBytes?: number;
}

/**
 * Reads every packet record of a pcap or pcapng file into `sink`, in file order.
 * Rejects when the file cannot be opened or read; corrupt or unrecognised content resolves with
 * `error` set (everything before the bad spot has already been handed to the sink).
 * NOTE: the walk is synchronous on the calling thread (the event loop is not served until the file
 * is done, unless opts.yieldBetweenChunks); only the file reads may run on a worker thread — or, when
 * the sink reads files itself (sink.readFile: the flow pipeline), also walking and decoding.
 */
export async function readCaptureFile(path: string, sink: PacketSink, opts: ReadOptions = {}): Promise<ReadSummary> {
  return readCaptureFileTuned(path, sink, opts, {});
}

/** readCaptureFile with the I/O strategy exposed, for tests and benchmarks. */
export async function readCaptureFileTuned(
  path: string,
  sink: PacketSink,
  opts: ReadOptions,
  tuning: ReaderTuning,
): Promise<ReadSummary> {
  const head = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  let got: number;
  try {
    got = readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (got < 4) {
    return { packets: 0, bytes: 0, format: 'pcap', error: `file is ${got === 0 ? 'empty' : `only ${got} bytes`}: not a pcap or pcapng file` };
  }
  let walker: RecordWalker;
  if (isPcapngMagic(head)) walker = createPcapngWalker(sink);
  else if (sniffPcapMagic(head) !== undefined) walker = createPcapWalker(sink);
  else if (u32be(head, 0) === PCAP_MAGIC_KUZNETSOV || u32le(head, 0) === PCAP_MAGIC_KUZNETSOV) {
    return {
      packets: 0, bytes: 0, format: 'pcap',
      error: `modified (Kuznetsov) pcap, magic ${hex32(PCAP_MAGIC_KUZNETSOV)}, is not supported: convert it with \`editcap -F pcap IN OUT\``,
    };
  } else {
    return { packets: 0, bytes: 0, format: 'pcap', error: `not a pcap or pcapng file (magic ${hex32(u32be(head, 0))})` };
  }
  if (sink.readFile !== undefined && tuning.worker !== true) {
    const format = walker.format === 'pcapng' ? 'pcapng' : 'pcap';
    const done = await sink.readFile(path, format, opts, { ...tuning.decodeRing, use: tuning.decodeWorker });
    if (done !== null) return done;
  }
  return tuning.worker === true
    ? walkFileWithWorker(path, walker, opts, tuning)
    : opts.yieldBetweenChunks === true
      ? walkFileYielding(path, walker, opts, tuning.chunkBytes ?? DEFAULT_CHUNK_BYTES)
      : walkFile(path, walker, opts, tuning.chunkBytes ?? DEFAULT_CHUNK_BYTES);
}
