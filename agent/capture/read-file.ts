// Opens a capture file, sniffs its magic number and hands it to the pcap or pcapng walker, driven by
// the plain chunk loop or, for big files, by the worker-thread ring.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { u32be, u32le } from './bytes.js';
import { DEFAULT_CHUNK_BYTES, hex32, walkFile, type RecordWalker } from './file-chunks.js';
import { PCAP_MAGIC_KUZNETSOV, createPcapWalker, sniffPcapMagic } from './pcap-file.js';
import { createPcapngWalker, isPcapngMagic } from './pcapng-file.js';
import { walkFileWithWorker, type RingTuning } from './ring-reader.js';
import type { PacketSink, ReadOptions, ReadSummary } from './source.js';

/** Files at least this big are read by a worker thread (its ~30 ms start-up pays off above this). */
export const WORKER_MIN_FILE_BYTES = 64 * 1024 * 1024;

export interface ReaderTuning extends RingTuning {
  /** true/false forces the worker ring on/off; default: by file size. */
  worker?: boolean;
  /** Chunk size of the plain loop. */
  chunkBytes?: number;
}

/**
 * Reads every packet record of a pcap or pcapng file into `sink`, in file order.
 * Rejects when the file cannot be opened or read; corrupt or unrecognised content resolves with
 * `error` set (everything before the bad spot has already been handed to the sink).
 * NOTE: the walk is synchronous on the calling thread (the event loop is not served until the file
 * is done); only the file reads may run on a worker thread.
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
  let size: number;
  try {
    size = fstatSync(fd).size;
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
  const useWorker = tuning.worker ?? size >= WORKER_MIN_FILE_BYTES;
  return useWorker
    ? walkFileWithWorker(path, walker, opts, tuning)
    : walkFile(path, walker, opts, tuning.chunkBytes ?? DEFAULT_CHUNK_BYTES);
}
