// ClickHouse Native format blocks, written column by column, for `INSERT … FORMAT Native`.
// Layout (https://clickhouse.com/docs/interfaces/formats/Native; no block info, as over HTTP and from a
// file): VarUInt columns, VarUInt rows, then per column its name and type (VarUInt length + UTF-8) and
// its values: String as VarUInt length + bytes, UInt16/32/64 and Int64 little-endian, IPv6 as 16 bytes
// in network order, DateTime64(6) as Int64 microseconds since the epoch, Nullable(T) as a null map
// (one byte per row, 1 = NULL) followed by every row's T (0 under a NULL).
//
// NOTE: why Native and not TabSeparated: the engine parses a row format into LowCardinality columns one
// value at a time, and that dominated the insert. 101 159 flow rows into a Null table with the flows
// column types: TabSeparated 0.7–1.0 CPU s (0.21 s with the 22 LowCardinality columns typed String),
// RowBinary 0.8 s, Native 0.03 s; into `flows` with its four materialized views, 1.1–1.4 CPU s against
// 0.4–0.5 s (docs/decisions.md, "Native inserts"). LowCardinality columns are sent as `String` and the
// engine converts the whole column at once (input_format_native_allow_types_conversion, on by default).

/** A growable byte buffer; `take` hands its bytes over and starts again. */
export class ByteSink {
  buf: Buffer;
  off = 0;
  constructor(initial = 1024) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(64, initial));
  }
  /** Room for `extra` more bytes. */
  ensure(extra: number): void {
    if (this.off + extra <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.off + extra));
    this.buf.copy(grown, 0, 0, this.off);
    this.buf = grown;
  }
  varUInt(n: number): void {
    this.ensure(10);
    const b = this.buf;
    let w = this.off;
    while (n >= 0x80) {
      b[w++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    b[w++] = n;
    this.off = w;
  }
  /** A String value from bytes [s, e) of `src`. */
  bytes(src: Uint8Array, s: number, e: number): void {
    const n = e - s;
    this.varUInt(n);
    this.ensure(n);
    const b = this.buf;
    let w = this.off;
    for (let i = s; i < e; i++) b[w++] = src[i]!;
    this.off = w;
  }
  /** A String value from a JS string (UTF-8). */
  text(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.varUInt(n);
    this.ensure(n);
    this.off += this.buf.write(s, this.off, 'utf8');
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.off++] = v;
  }
  u16(v: number): void {
    this.ensure(2);
    const b = this.buf;
    b[this.off] = v & 0xff;
    b[this.off + 1] = v >>> 8;
    this.off += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.off);
    this.off += 4;
  }
  /** A 64-bit integer given as a JS number: exact for |v| ≤ 2^53 − 1 (the callers' range). */
  i64(v: number): void {
    this.ensure(8);
    const hi = Math.floor(v / 4294967296);
    this.buf.writeUInt32LE(v - hi * 4294967296, this.off);
    this.buf.writeInt32LE(hi, this.off + 4);
    this.off += 8;
  }
  big64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(v, this.off);
    this.off += 8;
  }
  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.off);
    this.off += 8;
  }
  /** IPv4 a.b.c.d as the 16 bytes of ::ffff:a.b.c.d. */
  ipv4(a: number, b: number, c: number, d: number): void {
    this.ensure(16);
    const o = this.buf;
    const w = this.off;
    o.fill(0, w, w + 10);
    o[w + 10] = 0xff;
    o[w + 11] = 0xff;
    o[w + 12] = a;
    o[w + 13] = b;
    o[w + 14] = c;
    o[w + 15] = d;
    this.off += 16;
  }
  /** 16 address bytes. */
  ip16(bytes: Uint8Array): void {
    this.ensure(16);
    this.buf.set(bytes, this.off);
    this.off += 16;
  }
}

/** One column of a block: its name and Native type, its values, and (Nullable) its null map. */
export interface NativeColumn {
  name: string;
  type: string;
  values: ByteSink;
  nulls: ByteSink | null;
}

export function nativeColumn(name: string, type: string, hintBytes = 1024): NativeColumn {
  return { name, type, values: new ByteSink(hintBytes), nulls: type.startsWith('Nullable(') ? new ByteSink(hintBytes >> 3) : null };
}

/**
 * The block of `rows` rows held by `columns`, in a buffer of its own, and the columns emptied for the
 * next block. NOTE: the buffer is a SharedArrayBuffer so a worker can post it to the main thread without
 * copying and without a transfer: transferring detaches the ArrayBuffer, and the first detach in an
 * isolate invalidates V8's ArrayBufferDetaching protector, which deoptimises every function that reads
 * typed arrays there (the collector's fast path among them) and adds detach checks to them for good.
 */
export function sealBlock(columns: readonly NativeColumn[], rows: number): Uint8Array {
  const head = new ByteSink(64);
  head.varUInt(columns.length);
  head.varUInt(rows);
  const names = columns.map((c) => {
    const s = new ByteSink(64);
    s.text(c.name);
    s.text(c.type);
    return s;
  });
  let total = head.off;
  for (let i = 0; i < columns.length; i++) total += names[i]!.off + columns[i]!.values.off + (columns[i]!.nulls?.off ?? 0);
  const out = Buffer.from(new SharedArrayBuffer(total));
  let w = head.buf.copy(out, 0, 0, head.off);
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    w += names[i]!.buf.copy(out, w, 0, names[i]!.off);
    if (c.nulls !== null) {
      w += c.nulls.buf.copy(out, w, 0, c.nulls.off);
      c.nulls.off = 0;
    }
    w += c.values.buf.copy(out, w, 0, c.values.off);
    c.values.off = 0;
  }
  return new Uint8Array(out.buffer, out.byteOffset, total);
}

// ---- values the text of a flow record gives and Native wants as numbers ----

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** What parseTime read last: whole seconds since the epoch (exact in a double for any 4-digit year) and µs. */
let parsedSeconds = 0;
let parsedMicros = 0;

/**
 * Reads an RFC 3339 date-time (`YYYY-MM-DD[Tt ]HH:MM:SS[.f+]([Zz]|±HH:MM)`, bytes [s, e) of `b`) into
 * parsedSeconds/parsedMicros; false when it is not one (including a day its month does not have).
 * Digits past the sixth of the fraction are dropped and a leap second (:60) is the next minute's :00,
 * as ClickHouse's own parser does for DateTime64(6).
 */
function parseTime(b: Uint8Array, s: number, e: number): boolean {
  if (e - s < 20) return false;
  let bad = false;
  const dig = (i: number): number => {
    const v = b[s + i]! - 0x30;
    if (!(v >= 0 && v <= 9)) bad = true;
    return v;
  };
  const y = dig(0) * 1000 + dig(1) * 100 + dig(2) * 10 + dig(3);
  const mo = dig(5) * 10 + dig(6);
  const d = dig(8) * 10 + dig(9);
  const hh = dig(11) * 10 + dig(12);
  const mi = dig(14) * 10 + dig(15);
  const ss = dig(17) * 10 + dig(18);
  const t = b[s + 10];
  if (bad || b[s + 4] !== 0x2d || b[s + 7] !== 0x2d || b[s + 13] !== 0x3a || b[s + 16] !== 0x3a) return false;
  if (t !== 0x54 && t !== 0x74 && t !== 0x20) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || hh > 23 || mi > 59 || ss > 60) return false;
  let i = s + 19;
  let frac = 0;
  if (b[i] === 0x2e) {
    i++;
    const f = i;
    while (i < e && b[i]! >= 0x30 && b[i]! <= 0x39) {
      if (i - f < 6) frac = frac * 10 + (b[i]! - 0x30);
      i++;
    }
    if (i === f) return false;
    for (let k = i - f; k < 6; k++) frac *= 10;
  }
  let offsetMin = 0;
  const z = b[i];
  if (z === 0x5a || z === 0x7a) {
    i++;
  } else if ((z === 0x2b || z === 0x2d) && e - i === 6 && b[i + 3] === 0x3a) {
    for (const k of [1, 2, 4, 5]) if (!(b[i + k]! >= 0x30 && b[i + k]! <= 0x39)) return false;
    const oh = (b[i + 1]! - 0x30) * 10 + (b[i + 2]! - 0x30);
    const om = (b[i + 4]! - 0x30) * 10 + (b[i + 5]! - 0x30);
    if (oh > 23 || om > 59) return false;
    offsetMin = (z === 0x2b ? 1 : -1) * (oh * 60 + om);
    i += 6;
  } else return false;
  if (i !== e) return false;
  parsedSeconds = daysFromCivil(y, mo, d) * 86_400 + hh * 3600 + (mi - offsetMin) * 60 + ss;
  parsedMicros = frac;
  return true;
}

/** Past this many seconds from the epoch (~285 years) µs no longer fit a double exactly. */
const SAFE_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / 1_000_000) - 1;

/** An RFC 3339 date-time (bytes [s, e)) as µs since the epoch (BigInt), or null; see parseTime. */
export function timeMicros(b: Uint8Array, s: number, e: number): bigint | null {
  return parseTime(b, s, e) ? BigInt(parsedSeconds) * 1_000_000n + BigInt(parsedMicros) : null;
}

/** Writes a DateTime64(6) value (µs since the epoch) parsed from bytes [s, e); false if not a date-time. */
export function writeTime(sink: ByteSink, b: Uint8Array, s: number, e: number): boolean {
  if (!parseTime(b, s, e)) return false;
  if (Math.abs(parsedSeconds) <= SAFE_SECONDS) sink.i64(parsedSeconds * 1_000_000 + parsedMicros);
  else sink.big64(BigInt(parsedSeconds) * 1_000_000n + BigInt(parsedMicros));
  return true;
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}

/**
 * The 16 bytes of an IPv6 address in text (`::` compression, an embedded dotted IPv4 tail, either
 * case), into `out`; false when the text is not one. IPv4 text gives its ::ffff: mapped form. Callers
 * check the text with node:net's isIP first (the collector's rule for what an address is); this only
 * has to read what that accepts, and refuses anything it does not understand.
 */
export function ipBytes(text: string, out: Uint8Array): boolean {
  if (!text.includes(':')) {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
    if (m === null) return false;
    out.fill(0, 0, 10);
    out[10] = 0xff;
    out[11] = 0xff;
    for (let k = 0; k < 4; k++) {
      const v = Number(m[k + 1]);
      if (v > 255) return false;
      out[12 + k] = v;
    }
    return true;
  }
  const gap = text.indexOf('::');
  if (gap >= 0 && text.indexOf('::', gap + 1) >= 0) return false;
  const head = gap < 0 ? text : text.slice(0, gap);
  const tail = gap < 0 ? '' : text.slice(gap + 2);
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === '' ? [] : tail.split(':');
  const words: number[] = [];
  const tailWords: number[] = [];
  const read = (parts: string[], into: number[], last: boolean): boolean => {
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!;
      if (last && k === parts.length - 1 && p.includes('.')) {
        const v4 = new Uint8Array(16);
        if (!ipBytes(p, v4)) return false;
        into.push((v4[12]! << 8) | v4[13]!, (v4[14]! << 8) | v4[15]!);
        continue;
      }
      if (p.length < 1 || p.length > 4) return false;
      let v = 0;
      for (let c = 0; c < p.length; c++) {
        const code = p.charCodeAt(c);
        const h = code < 128 ? HEX[code]! : -1;
        if (h < 0) return false;
        v = v * 16 + h;
      }
      into.push(v);
    }
    return true;
  };
  if (!read(headParts, words, gap < 0) || !read(tailParts, tailWords, true)) return false;
  const fill = 8 - words.length - tailWords.length;
  if (gap < 0 ? fill !== 0 : fill < 1) return false;
  for (let k = 0; k < fill; k++) words.push(0);
  words.push(...tailWords);
  for (let k = 0; k < 8; k++) {
    out[2 * k] = words[k]! >>> 8;
    out[2 * k + 1] = words[k]! & 0xff;
  }
  return true;
}
