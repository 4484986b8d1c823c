// Small byte/ASCII helpers for the protocol parsers. Everything takes (buf, from, to) bounds and never
// reads outside them. Strings are made only for labels that are kept, and are capped.

/** True when buf[at..] starts with the ASCII string `s` (case-sensitive) within `end`. */
export function startsWith(buf: Uint8Array, at: number, end: number, s: string): boolean {
  if (at + s.length > end) return false;
  for (let i = 0; i < s.length; i++) if (buf[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** ASCII case-insensitive compare of buf[at..at+s.length) with lower-case `s`. */
export function equalsLower(buf: Uint8Array, at: number, end: number, s: string): boolean {
  if (at + s.length > end) return false;
  for (let i = 0; i < s.length; i++) {
    let c = buf[at + i]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== s.charCodeAt(i)) return false;
  }
  return true;
}

/** Index of the first `byte` in [from, to), or -1. */
export function indexOfByte(buf: Uint8Array, from: number, to: number, byte: number): number {
  for (let i = from; i < to; i++) if (buf[i] === byte) return i;
  return -1;
}

/** Index of the "\r\n" or lone "\n" ending the line that starts at `from`, or -1 within `to`. */
export function lineEnd(buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (buf[i] === 0x0a) return i > from && buf[i - 1] === 0x0d ? i - 1 : i;
  return -1;
}

// Node's native latin1 decoder, callable on any Uint8Array (one C++ call instead of a string built
// character by character).
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;

/**
 * Printable-ASCII text of buf[from..to), at most `max` characters; other bytes become '?'.
 * `lower` folds A-Z. Used for names (SNI, Host, banners), never for secrets.
 */
export function ascii(buf: Uint8Array, from: number, to: number, max: number, lower = false): string {
  if (to - from > max) to = from + max;
  if (to <= from) return '';
  let clean = true;
  let upper = false;
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if (c < 0x20 || c > 0x7e) { clean = false; break; }
    if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  if (clean) {
    const text = latin1Slice.call(buf, from, to);
    return lower && upper ? text.toLowerCase() : text;
  }
  let s = '';
  for (let i = from; i < to; i++) {
    let c = buf[i]!;
    if (c < 0x20 || c > 0x7e) c = 0x3f;
    else if (lower && c >= 0x41 && c <= 0x5a) c |= 0x20;
    s += String.fromCharCode(c);
  }
  return s;
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Skips spaces and tabs. */
export function skipBlanks(buf: Uint8Array, at: number, end: number): number {
  while (at < end && (buf[at] === 0x20 || buf[at] === 0x09)) at++;
  return at;
}

/** Trailing spaces/tabs removed: the new end. */
export function trimEnd(buf: Uint8Array, from: number, end: number): number {
  while (end > from && (buf[end - 1] === 0x20 || buf[end - 1] === 0x09)) end--;
  return end;
}

export function u24be(b: Uint8Array, o: number): number {
  return (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;
}

export function u24le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16);
}
