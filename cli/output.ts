// Buffered, blocking writes to a file descriptor. Flow records can be produced far faster than a pipe
// drains; writing synchronously gives natural back-pressure (no unbounded in-memory queue).
import { writeSync } from 'node:fs';

const FLUSH_AT = 256 * 1024;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export interface LineWriter {
  line(s: string): void;
  flush(): void;
}

function writeAll(fd: number, buf: Uint8Array): void {
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(sleeper, 0, 0, 2); // non-blocking pipe is full: wait for the reader
        continue;
      }
      if (code === 'EPIPE') process.exit(0); // reader went away (e.g. `| head`)
      throw e;
    }
  }
}

/** Lines are encoded straight into one reused buffer (no joined string, no per-flush allocation). */
export function createLineWriter(fd: number): LineWriter {
  let buf = Buffer.allocUnsafe(FLUSH_AT);
  let off = 0;
  const flush = (): void => {
    if (off === 0) return;
    writeAll(fd, buf.subarray(0, off));
    off = 0;
  };
  return {
    line(s: string) {
      const worst = s.length * 3 + 1; // UTF-8 bytes per UTF-16 unit, at most
      if (off + worst > buf.length) {
        flush();
        if (worst > buf.length) buf = Buffer.allocUnsafe(worst);
      }
      off += buf.write(s, off);
      buf[off++] = 0x0a;
    },
    flush,
  };
}
