// Buffered, blocking writes to a file descriptor. Flow records can be produced far faster than a pipe
// drains; writing synchronously gives natural back-pressure (no unbounded in-memory queue).
import { writeSync } from 'node:fs';

const FLUSH_AT = 256 * 1024;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export interface LineWriter {
  line(s: string): void;
  flush(): void;
}

function writeAll(fd: number, data: string): void {
  let buf = Buffer.from(data, 'utf8');
  while (buf.length > 0) {
    try {
      const n = writeSync(fd, buf);
      buf = buf.subarray(n);
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

export function createLineWriter(fd: number): LineWriter {
  let parts: string[] = [];
  let size = 0;
  return {
    line(s: string) {
      parts.push(s);
      size += s.length + 1;
      if (size >= FLUSH_AT) this.flush();
    },
    flush() {
      if (parts.length === 0) return;
      writeAll(fd, parts.join('\n') + '\n');
      parts = [];
      size = 0;
    },
  };
}
