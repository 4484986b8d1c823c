// The chunk loop shared by the pcap and pcapng readers: read the file into one reused buffer, let the
// format's walker consume whole records, carry the partial record at the chunk end over to the next read,
// and grow the buffer when a single record is larger than it.
// NOTE: a walker owns its parse state (header seen, interfaces, byte order) across calls; the loop only
// owns bytes. Offsets handed to walk() are buffer offsets; `base` turns them into file offsets.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ReadOptions, ReadSummary } from './source.js';

/** ~2 MiB: big enough that syscalls are rare, small enough to stay in L2/L3 while the decoder runs. */
export const DEFAULT_CHUNK_BYTES = 2 * 1024 * 1024;
/** No record or block may be larger than this; beyond it the length field is taken to be corrupt. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

export interface RecordWalker {
  readonly format: ReadSummary['format'];
  /** Packets handed to the sink so far. */
  packets: number;
  /**
   * When walk() stops before `end` without an error: the total length of the record starting at the
   * returned offset, as far as it is known (at least one more byte than is buffered).
   */
  need: number;
  /** Set when the input is corrupt; reading stops. */
  error: string | undefined;
  /**
   * Consume whole records in buf[start, end). base is the file offset of buf[0].
   * Returns the buffer offset of the first byte not consumed.
   */
  walk(buf: Buffer, start: number, end: number, base: number): number;
  /** The error for a file that ends inside the record at file offset `fileOff` (`have` bytes of it present). */
  truncated(fileOff: number, have: number): string;
}

interface ChunkLoop {
  /** Reads and walks one chunk; false once the file is done (or corrupt). */
  step(): boolean;
  /** Closes the file and says what was read. */
  finish(): ReadSummary;
}

/** The chunk loop as steps, so a caller can run it straight through or yield between chunks. */
function openChunkLoop(path: string, walker: RecordWalker, opts: ReadOptions, chunkBytes: number): ChunkLoop {
  const fd = openSync(path, 'r');
  let closed = false;
  const close = (): void => {
    if (!closed) {
      closed = true;
      closeSync(fd);
    }
  };
  try {
    const total = fstatSync(fd).size;
    const onProgress = opts.onProgress;
    let buf = Buffer.allocUnsafe(Math.max(64, chunkBytes));
    let base = 0; // file offset of buf[0]
    let fill = 0; // valid bytes in buf
    let consumed = 0; // file offset just past the last whole record
    return {
      step(): boolean {
        // Fill the rest of the buffer (one read per chunk; short reads just loop again).
        const n = readSync(fd, buf, fill, buf.length - fill, base + fill);
        const eof = n === 0;
        fill += n;
        const pos = walker.walk(buf, 0, fill, base);
        consumed = base + pos;
        if (onProgress !== undefined) onProgress(consumed, total);
        if (walker.error !== undefined) return false;
        const rest = fill - pos;
        if (eof) {
          if (rest > 0) walker.error = walker.truncated(consumed, rest);
          return false;
        }
        if (walker.need > buf.length || rest === buf.length) {
          // One record larger than the buffer: grow (walkers cap `need` at MAX_RECORD_BYTES).
          const bigger = Buffer.allocUnsafe(Math.max(walker.need, buf.length * 2));
          buf.copy(bigger, 0, pos, fill);
          buf = bigger;
        } else if (rest > 0 && pos > 0) {
          buf.copyWithin(0, pos, fill);
        }
        base = consumed;
        fill = rest;
        return true;
      },
      finish(): ReadSummary {
        close();
        const summary: ReadSummary = { packets: walker.packets, bytes: consumed, format: walker.format };
        if (walker.error !== undefined) summary.error = walker.error;
        return summary;
      },
    };
  } catch (err) {
    close();
    throw err;
  }
}

/**
 * Runs `walker` over the file at `path`. Rejects only when the file cannot be opened or read (operator
 * error); corrupt content ends the read with `error` set in the summary.
 */
export function walkFile(
  path: string,
  walker: RecordWalker,
  opts: ReadOptions = {},
  chunkBytes: number = DEFAULT_CHUNK_BYTES,
): ReadSummary {
  const loop = openChunkLoop(path, walker, opts, chunkBytes);
  try {
    while (loop.step());
  } catch (err) {
    loop.finish(); // closes the file
    throw err;
  }
  return loop.finish();
}

/**
 * walkFile() that gives the event loop a turn after each chunk (~2 MiB), so timers and network I/O
 * (the agent's sender) go on while a large file is read. Same results as walkFile().
 */
export async function walkFileYielding(
  path: string,
  walker: RecordWalker,
  opts: ReadOptions = {},
  chunkBytes: number = DEFAULT_CHUNK_BYTES,
): Promise<ReadSummary> {
  const loop = openChunkLoop(path, walker, opts, chunkBytes);
  try {
    while (loop.step()) await new Promise<void>((r) => setImmediate(r));
  } catch (err) {
    loop.finish(); // closes the file
    throw err;
  }
  return loop.finish();
}

/** "0xa1b2c3d4" style, for messages. */
export function hex32(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}
