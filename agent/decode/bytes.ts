// Unsigned integer reads at a byte offset, endianness in the name (cf. token-types' UINT16_BE).
// NOTE: callers bounds-check first; these never check, so they stay small enough for V8 to inline.
// 32-bit reads return unsigned numbers (`>>> 0`), never negative.

export function u8(b: Uint8Array, o: number): number {
  return b[o];
}

export function u16be(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

export function u16le(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

export function u32be(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

export function u32le(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}
