// Redis (RESP2/RESP3): the client's first command. AUTH, or HELLO with an AUTH argument, means a
// password (or ACL user + password) was presented; its value is never read.
// https://redis.io/docs/latest/develop/reference/protocol-spec/ ; AUTH/HELLO: redis.io/docs/latest/commands/
import { App, Auth, Enc, finish, type DetectState } from './state.js';
import { equalsLower, isAlpha, isDigit } from './text.js';

const MAX_ARGS = 8;
const MAX_ARG_LEN = 64;

/** Parses "$<n>\r\n" at `at`; returns n, or -1. `next` receives the offset after "\r\n". */
function bulkHeader(buf: Uint8Array, at: number, end: number, next: Int32Array): number {
  if (buf[at] !== 0x24) return -1; // '$'
  let i = at + 1;
  let n = 0;
  const lim = Math.min(end, at + 12);
  while (i < lim && isDigit(buf[i]!)) n = n * 10 + buf[i++]! - 0x30;
  if (i === at + 1 || i + 1 >= end || buf[i] !== 0x0d || buf[i + 1] !== 0x0a) return -1;
  next[0] = i + 2;
  return n;
}

const cursor = new Int32Array(1);

/**
 * A RESP array of bulk strings ("*<n>\r\n$<len>\r\n<command>\r\n…") at buf[off..end)? Returns the
 * number of elements, or 0.
 */
export function respArrayLength(buf: Uint8Array, off: number, end: number): number {
  if (end - off < 8 || buf[off] !== 0x2a) return 0; // '*'
  let i = off + 1;
  let n = 0;
  while (i < end && i < off + 6 && isDigit(buf[i]!)) n = n * 10 + buf[i++]! - 0x30;
  if (n === 0 || i + 2 >= end || buf[i] !== 0x0d || buf[i + 1] !== 0x0a) return 0;
  const len = bulkHeader(buf, i + 2, end, cursor);
  if (len <= 0 || len > MAX_ARG_LEN) return 0;
  // The command name is letters (and '|' / '_' in a few subcommand spellings).
  const c = cursor[0]!;
  for (let k = c; k < Math.min(end, c + len); k++) {
    const ch = buf[k]!;
    if (!isAlpha(ch) && ch !== 0x7c && ch !== 0x5f) return 0;
  }
  return n;
}

/** `n`: the array length respArrayLength() found at buf[off..end). */
export function redisStart(s: DetectState, f: number, n: number, buf: Uint8Array, off: number, end: number): void {
  s.app[f] = App.redis;
  s.enc[f] = Enc.none;
  let i = off + 1;
  while (i < end && buf[i] !== 0x0d) i++;
  let at = i + 2;
  let auth: number = Auth.none;
  for (let k = 0; k < Math.min(n, MAX_ARGS); k++) {
    const len = bulkHeader(buf, at, end, cursor);
    if (len < 0) break;
    const v = cursor[0]!;
    // Arguments are compared only against the words AUTH / HELLO, never copied.
    if (len === 4 && equalsLower(buf, v, v + 4, 'auth')) { auth = Auth.password; break; }
    if (k === 0 && !(len === 5 && equalsLower(buf, v, v + 5, 'hello'))) break;
    at = v + len + 2;
    if (at >= end) break;
  }
  s.auth[f] = auth;
  finish(s, f);
}
