// Unsigned integer reads at a byte offset, endianness in the name (cf. token-types' UINT16_BE). Shared by
// the capture-file readers and the packet decoders.
// NOTE: callers bounds-check first; these never check, so they stay small enough for V8 to inline, and
// they work on any Uint8Array (Buffer pools included) without a DataView. 32-bit reads are unsigned.

export function u8(b: Uint8Array, o: number): number {
  return b[o]!;
}

export function u16be(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

export function u16le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

export function u32be(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function u32le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/** Byte order chosen at run time (pcapng sections): off the per-packet paths only. */
export function u16(b: Uint8Array, o: number, le: boolean): number {
  return le ? u16le(b, o) : u16be(b, o);
}

export function u32(b: Uint8Array, o: number, le: boolean): number {
  return le ? u32le(b, o) : u32be(b, o);
}
