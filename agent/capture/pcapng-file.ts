// pcapng files: any number of sections (each with its own byte order and interface list), any number of
// interfaces with their own link type, snaplen and timestamp resolution/offset.
// Spec: https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/
import { u16, u32, u32be, u32le } from '../../common/bytes.js';
import { MAX_RECORD_BYTES, hex32, walkFile, type RecordWalker } from './file-chunks.js';
import type { PacketSink, ReadOptions, ReadSummary } from './source.js';

// Block types, https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcapng#section-11.1
export const BT_SHB = 0x0a0d0d0a; // a palindrome: reads the same in both byte orders
export const BT_IDB = 0x00000001;
export const BT_PB = 0x00000002; // obsolete Packet Block
export const BT_SPB = 0x00000003;
export const BT_EPB = 0x00000006;

// Every block: type, total length, body, total length again.
// https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcapng#section-3.1
const BLK_TYPE = 0;
const BLK_TOTAL_LEN = 4;
const BLK_BODY = 8;
const BLOCK_MIN_LEN = 12;

// Section Header Block, https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcapng#section-4.1
const SHB_BYTE_ORDER_MAGIC = 8;
const SHB_MAJOR = 12;
const SHB_MINOR = 14;
const SHB_MIN_LEN = 28;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

// Interface Description Block, https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcapng#section-4.2
const IDB_LINKTYPE = 8;
const IDB_SNAPLEN = 12;
const IDB_OPTIONS = 16;
const IDB_MIN_LEN = 20;
const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

// Enhanced Packet Block, https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcapng#section-4.3
const EPB_IFACE = 8;
const EPB_TS_HIGH = 12;
const EPB_TS_LOW = 16;
const EPB_CAP_LEN = 20;
const EPB_WIRE_LEN = 24;
const EPB_DATA = 28;
const EPB_MIN_LEN = 32;

// Simple Packet Block, https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcapng#section-4.4
const SPB_WIRE_LEN = 8;
const SPB_DATA = 12;
const SPB_MIN_LEN = 16;

// Packet Block (obsolete), https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcapng#appendix-A
const PB_IFACE = 8; // 16 bits, then 16 bits drops count
const PB_TS_HIGH = 12;
const PB_TS_LOW = 16;
const PB_CAP_LEN = 20;
const PB_WIRE_LEN = 24;
const PB_DATA = 28;
const PB_MIN_LEN = 32;

// How an interface's 64-bit timestamp (high, low words) becomes microseconds; chosen once per IDB so
// the common cases stay exact in doubles. NOTE: A, B, C are the per-interface ifA/ifB/ifC below.
const TS_MICRO = 0; // units are µs:                    hi * 2^32 + lo
const TS_DIV = 1; // 10^-n, 6 < n <= 12:               hi * A + floor((hi * B + lo) / C), 2^32 = A*C + B
const TS_MUL = 2; // 10^-n, n < 6:                      (hi * 2^32 + lo) * A
const TS_BIN = 3; // 2^-n, n <= 32:                     hi * A + floor(lo * B)
const TS_FLOAT = 4; // anything else (rare): approximate floor((hi * 2^32 + lo) * A)
const TWO32 = 4294967296;

/** The first four bytes of every pcapng file are the SHB type. */
export function isPcapngMagic(b: Uint8Array): boolean {
  return u32le(b, 0) === BT_SHB;
}

export function createPcapngWalker(sink: PacketSink): RecordWalker {
  let inSection = false;
  let le = true;
  // Interfaces of the current section, indexed by interface id (typed arrays, grown by doubling).
  let ifCount = 0;
  let ifLink = new Int32Array(8);
  let ifSnap = new Float64Array(8);
  let ifMode = new Uint8Array(8);
  let ifA = new Float64Array(8);
  let ifB = new Float64Array(8);
  let ifC = new Float64Array(8);
  let ifOffUs = new Float64Array(8);
  /** Timestamp of the last EPB/PB, used for Simple Packet Blocks, which carry none. */
  let lastTsUs = 0;

  const w: RecordWalker = {
    format: 'pcapng',
    packets: 0,
    need: 0,
    error: undefined,
    walk(buf, start, end, base) {
      let p = start;
      for (;;) {
        // Runs of well-formed EPBs take the fast loop; everything else, one block at a time.
        if (inSection) p = le ? epbRunLe(buf, p, end) : epbRunBe(buf, p, end);
        const next = oneBlock(buf, p, end, base);
        if (next < 0) return p;
        p = next;
      }
    },
    truncated(fileOff, have) {
      const detail = have < BLOCK_MIN_LEN
        ? `only ${have} bytes are present, less than a block header`
        : `only ${have} of its ${w.need} bytes are present`;
      return `file ends mid-block at offset ${fileOff}: truncated capture? (${detail})`;
    },
  };

  /**
   * Handles the block at p: returns the offset after it, or -1 when reading must pause (w.need set:
   * the block is not all buffered) or stop (w.error set).
   */
  function oneBlock(buf: Buffer, p: number, end: number, base: number): number {
    if (end - p < BLOCK_MIN_LEN) {
      w.need = BLOCK_MIN_LEN;
      return -1;
    }
    const type = u32le(buf, p + BLK_TYPE); // only compared with palindromes until le is known
    if (type === BT_SHB) {
      // A new section: its byte order comes from its own byte-order magic.
      if (end - p < SHB_MIN_LEN) {
        w.need = SHB_MIN_LEN;
        return -1;
      }
      const bom = u32le(buf, p + SHB_BYTE_ORDER_MAGIC);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (u32be(buf, p + SHB_BYTE_ORDER_MAGIC) === BYTE_ORDER_MAGIC) le = false;
      else {
        w.error = `section header at offset ${base + p} has a bad byte-order magic (${hex32(u32be(buf, p + SHB_BYTE_ORDER_MAGIC))}): file is corrupt`;
        return -1;
      }
      const major = u16(buf, p + SHB_MAJOR, le);
      if (major !== 1) {
        w.error = `section header at offset ${base + p} has pcapng version ${major}.${u16(buf, p + SHB_MINOR, le)}, this reader knows 1.x`;
        return -1;
      }
      inSection = true;
      ifCount = 0;
    } else if (!inSection) {
      w.error = `not a pcapng file: no section header block at offset ${base + p}`;
      return -1;
    }
    const len = u32(buf, p + BLK_TOTAL_LEN, le);
    const btype = u32(buf, p + BLK_TYPE, le);
    if (len < BLOCK_MIN_LEN || (len & 3) !== 0 || len > MAX_RECORD_BYTES) {
      w.error = `block at offset ${base + p} (type ${hex32(btype)}) claims a length of ${len} bytes: file is corrupt`;
      return -1;
    }
    if (type === BT_SHB && len < SHB_MIN_LEN) {
      w.error = `section header at offset ${base + p} claims a length of ${len} bytes (minimum ${SHB_MIN_LEN}): file is corrupt`;
      return -1;
    }
    if (end - p < len) {
      w.need = len;
      return -1;
    }
    const trailer = u32(buf, p + len - 4, le);
    if (trailer !== len) {
      w.error = `block at offset ${base + p} (type ${hex32(btype)}): length ${len} at its start but ${trailer} at its end: file is corrupt`;
      return -1;
    }

    if (btype === BT_EPB || btype === BT_PB) {
      const epb = btype === BT_EPB;
      if (len < (epb ? EPB_MIN_LEN : PB_MIN_LEN)) {
        w.error = `${epb ? 'enhanced packet' : 'packet'} block at offset ${base + p} is only ${len} bytes: file is corrupt`;
        return -1;
      }
      const ifid = epb ? u32(buf, p + EPB_IFACE, le) : u16(buf, p + PB_IFACE, le);
      if (ifid >= ifCount) {
        w.error = `packet block at offset ${base + p} refers to interface ${ifid}, but the section defines ${ifCount === 0 ? 'no interfaces' : `only ${ifCount} (0..${ifCount - 1})`}: file is corrupt`;
        return -1;
      }
      const cap = u32(buf, p + (epb ? EPB_CAP_LEN : PB_CAP_LEN), le);
      const room = len - (epb ? EPB_MIN_LEN : PB_MIN_LEN);
      if (cap > room) {
        w.error = `packet block at offset ${base + p} claims ${cap} captured bytes but the ${len}-byte block holds at most ${room}: file is corrupt`;
        return -1;
      }
      const hi = u32(buf, p + (epb ? EPB_TS_HIGH : PB_TS_HIGH), le);
      const lo = u32(buf, p + (epb ? EPB_TS_LOW : PB_TS_LOW), le);
      const tsUs = tsToUs(ifMode[ifid]!, ifA[ifid]!, ifB[ifid]!, ifC[ifid]!, hi, lo) + ifOffUs[ifid]!;
      lastTsUs = tsUs;
      const wire = u32(buf, p + (epb ? EPB_WIRE_LEN : PB_WIRE_LEN), le);
      sink.packet(buf, p + (epb ? EPB_DATA : PB_DATA), cap, wire, tsUs, ifLink[ifid]!);
      w.packets++;
    } else if (btype === BT_SPB) {
      if (ifCount === 0) {
        w.error = `simple packet block at offset ${base + p} but the section defines no interface: file is corrupt`;
        return -1;
      }
      if (len < SPB_MIN_LEN) {
        w.error = `simple packet block at offset ${base + p} is only ${len} bytes: file is corrupt`;
        return -1;
      }
      // Captured length = min(original length, snaplen, what the block holds).
      const wire = u32(buf, p + SPB_WIRE_LEN, le);
      const snap = ifSnap[0]!;
      let cap = wire;
      if (snap !== 0 && cap > snap) cap = snap;
      if (cap > len - SPB_MIN_LEN) cap = len - SPB_MIN_LEN;
      sink.packet(buf, p + SPB_DATA, cap, wire, lastTsUs, ifLink[0]!);
      w.packets++;
    } else if (btype === BT_IDB) {
      const err = addInterface(buf, p, len, base);
      if (err !== undefined) {
        w.error = err;
        return -1;
      }
    }
    // SHB options, statistics, name resolution, custom and unknown blocks: skipped by length.
    return p + len;
  }

  // The fast loops: consecutive complete, well-formed EPBs of the current section, one copy per byte
  // order. They stop at the first block they do not like and leave it to oneBlock() (which also
  // produces the error message when it is corrupt).
  function epbRunLe(buf: Buffer, p: number, end: number): number {
    const count = ifCount;
    const links = ifLink;
    const modes = ifMode;
    const offs = ifOffUs;
    let last = lastTsUs;
    let n = 0;
    while (end - p >= EPB_MIN_LEN && u32le(buf, p + BLK_TYPE) === BT_EPB) {
      const len = u32le(buf, p + BLK_TOTAL_LEN);
      if (len > end - p || len < EPB_MIN_LEN || (len & 3) !== 0 || u32le(buf, p + len - 4) !== len) break;
      const ifid = u32le(buf, p + EPB_IFACE);
      const cap = u32le(buf, p + EPB_CAP_LEN);
      if (ifid >= count || cap > len - EPB_MIN_LEN) break;
      const hi = u32le(buf, p + EPB_TS_HIGH);
      const lo = u32le(buf, p + EPB_TS_LOW);
      const mode = modes[ifid]!;
      last = (mode === TS_MICRO ? hi * TWO32 + lo : tsToUs(mode, ifA[ifid]!, ifB[ifid]!, ifC[ifid]!, hi, lo)) + offs[ifid]!;
      sink.packet(buf, p + EPB_DATA, cap, u32le(buf, p + EPB_WIRE_LEN), last, links[ifid]!);
      n++;
      p += len;
    }
    lastTsUs = last;
    w.packets += n;
    return p;
  }

  function epbRunBe(buf: Buffer, p: number, end: number): number {
    const count = ifCount;
    const links = ifLink;
    const modes = ifMode;
    const offs = ifOffUs;
    let last = lastTsUs;
    let n = 0;
    while (end - p >= EPB_MIN_LEN && u32be(buf, p + BLK_TYPE) === BT_EPB) {
      const len = u32be(buf, p + BLK_TOTAL_LEN);
      if (len > end - p || len < EPB_MIN_LEN || (len & 3) !== 0 || u32be(buf, p + len - 4) !== len) break;
      const ifid = u32be(buf, p + EPB_IFACE);
      const cap = u32be(buf, p + EPB_CAP_LEN);
      if (ifid >= count || cap > len - EPB_MIN_LEN) break;
      const hi = u32be(buf, p + EPB_TS_HIGH);
      const lo = u32be(buf, p + EPB_TS_LOW);
      const mode = modes[ifid]!;
      last = (mode === TS_MICRO ? hi * TWO32 + lo : tsToUs(mode, ifA[ifid]!, ifB[ifid]!, ifC[ifid]!, hi, lo)) + offs[ifid]!;
      sink.packet(buf, p + EPB_DATA, cap, u32be(buf, p + EPB_WIRE_LEN), last, links[ifid]!);
      n++;
      p += len;
    }
    lastTsUs = last;
    w.packets += n;
    return p;
  }

  /** Parses an IDB into the next interface slot; returns an error text for a corrupt one. */
  function addInterface(buf: Buffer, p: number, len: number, base: number): string | undefined {
    if (len < IDB_MIN_LEN) return `interface description block at offset ${base + p} is only ${len} bytes: file is corrupt`;
    if (ifCount === ifLink.length) growInterfaces();
    const i = ifCount;
    ifLink[i] = u16(buf, p + IDB_LINKTYPE, le);
    ifSnap[i] = u32(buf, p + IDB_SNAPLEN, le);
    let tsresol = 6; // default: microseconds
    let offHi = 0;
    let offLo = 0;
    // Options: code (16), length (16), value padded to 32 bits; ends at opt_endofopt or the block end.
    const optEnd = p + len - 4;
    let o = p + IDB_OPTIONS;
    while (optEnd - o >= 4) {
      const code = u16(buf, o, le);
      const olen = u16(buf, o + 2, le);
      if (code === OPT_ENDOFOPT) break;
      if (o + 4 + olen > optEnd) {
        return `interface description block at offset ${base + p}: option ${code} at offset ${base + o} runs past the block end: file is corrupt`;
      }
      if (code === OPT_IF_TSRESOL && olen >= 1) tsresol = buf[o + 4]!;
      else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        // Signed 64-bit seconds, in the section's byte order.
        offHi = le ? u32le(buf, o + 8) | 0 : u32be(buf, o + 4) | 0;
        offLo = le ? u32le(buf, o + 4) : u32be(buf, o + 8);
      }
      o += 4 + ((olen + 3) & ~3);
    }
    setResolution(i, tsresol);
    ifOffUs[i] = (offHi * TWO32 + offLo) * 1e6;
    ifCount++;
    return undefined;
  }

  /** if_tsresol: MSB clear → 10^-n seconds, MSB set → 2^-n seconds. */
  function setResolution(i: number, tsresol: number): void {
    const n = tsresol & 0x7f;
    if ((tsresol & 0x80) === 0) {
      if (n === 6) {
        ifMode[i] = TS_MICRO;
      } else if (n > 6 && n <= 12) {
        const c = 10 ** (n - 6);
        ifMode[i] = TS_DIV;
        ifA[i] = Math.floor(TWO32 / c);
        ifB[i] = TWO32 - ifA[i]! * c;
        ifC[i] = c;
      } else if (n < 6) {
        ifMode[i] = TS_MUL;
        ifA[i] = 10 ** (6 - n);
      } else {
        ifMode[i] = TS_FLOAT;
        ifA[i] = 10 ** (6 - n);
      }
    } else if (n <= 32) {
      ifMode[i] = TS_BIN;
      ifA[i] = 1e6 * 2 ** (32 - n);
      ifB[i] = 1e6 / 2 ** n; // exact: 1e6 = 15625 * 2^6
    } else {
      ifMode[i] = TS_FLOAT;
      ifA[i] = 1e6 / 2 ** n;
    }
  }

  function growInterfaces(): void {
    const size = ifLink.length * 2;
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    ifLink = grow(ifLink, new Int32Array(size));
    ifSnap = grow(ifSnap, new Float64Array(size));
    ifMode = grow(ifMode, new Uint8Array(size));
    ifA = grow(ifA, new Float64Array(size));
    ifB = grow(ifB, new Float64Array(size));
    ifC = grow(ifC, new Float64Array(size));
    ifOffUs = grow(ifOffUs, new Float64Array(size));
  }

  return w;
}

/** A 64-bit timestamp (two 32-bit words) in an interface's units → whole microseconds (rounded down). */
function tsToUs(mode: number, a: number, b: number, c: number, hi: number, lo: number): number {
  switch (mode) {
    case TS_MICRO:
      return hi * TWO32 + lo;
    case TS_DIV:
      return hi * a + Math.floor((hi * b + lo) / c);
    case TS_MUL:
      return (hi * TWO32 + lo) * a;
    case TS_BIN:
      return hi * a + Math.floor(lo * b);
    default:
      return Math.floor((hi * TWO32 + lo) * a);
  }
}

/** Reads a pcapng file synchronously in ~2 MiB chunks (see file-chunks.ts). */
export function readPcapngFile(path: string, sink: PacketSink, opts: ReadOptions = {}, chunkBytes?: number): ReadSummary {
  return walkFile(path, createPcapngWalker(sink), opts, chunkBytes);
}
