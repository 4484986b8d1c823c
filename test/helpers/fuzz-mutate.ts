// Test-only mutators for the robustness fuzz test: damage real packets and real capture files the way
// broken writers, cut-off downloads, bad disks and hostile senders do (bit flips, overwrites, cuts,
// inserted/duplicated bytes, bogus length fields), and say what was done in a short op list.
// NOTE: shapes. A PacketCase is what a PacketSink call receives (bytes, lengths, link type, time).
// A FileCase is the mutated file plus `firstChange`, the lowest file offset any op touched: every
// byte before it is the seed's own, so every packet whose block ends there must still be delivered.
import type { Rng } from './fuzz-rng.js';
import {
  BLK, BT, BYTE_ORDER_MAGIC, EPB, IDB, PCAP_FH, PCAP_REC, SHB, SPB,
  listOptions, optionsStart, rd16, rd32, wr16, wr32, type Block, type SeedFile, type SeedPacket,
} from './capture-layout.js';
import { SUPPORTED_LINKTYPES, fieldMax, interestingValues, packetFields, readField, writeField } from './packet-layout.js';

// ---------------------------------------------------------------------------------------------------
// Packet level

export interface PacketCase {
  bytes: Uint8Array;
  /** Usually bytes.length; sometimes more (a record claiming more than its buffer holds). */
  capLen: number;
  wireLen: number;
  linktype: number;
  tsUs: number;
  ops: string[];
}

/**
 * Capture times a reader can hand over: classic pcap reaches (2^32−1)·10^6 + 2^32−1 µs; pcapng's 64-bit
 * counter reaches 2^64−1 µs (more with coarser if_tsresol), and if_tsoffset can make it negative.
 */
export const EXTREME_TIMES_US = [
  0, 4294967295 * 1e6 + 4294967295, 2 ** 64 - 1, 2 ** 63, 8.64e18, 8.64e18 + 1000, 253402300800e6, 253402300799999999,
  -1, -1e6, -62167219200e6, -8.64e18 - 1000, 2 ** 53, 2 ** 53 + 2,
];

const PACKET_OPS = ['field', 'flip', 'overwrite', 'truncate', 'insert', 'duplicate', 'delete', 'linktype', 'wirelen', 'time'] as const;
const PACKET_OP_WEIGHTS = [32, 14, 12, 12, 5, 4, 5, 7, 5, 4];

export interface PacketMutationOptions {
  /** Allow the capture times only pcapng can produce (beyond year 9999, negative). */
  extremeTimes: boolean;
}

/** One mutated packet from a seed packet, with its time `tsUs` (already placed on the batch clock). */
export function mutatePacket(rng: Rng, seed: SeedPacket, tsUs: number, opts: PacketMutationOptions): PacketCase {
  let b = seed.bytes.slice();
  const c: PacketCase = { bytes: b, capLen: b.length, wireLen: seed.wireLen, linktype: seed.linktype, tsUs, ops: [] };
  const roll = rng.int(100);
  const nOps = roll < 7 ? 0 : roll < 62 ? 1 : roll < 87 ? 2 : rng.range(3, 6);
  for (let k = 0; k < nOps; k++) {
    const op = PACKET_OPS[rng.weighted(PACKET_OP_WEIGHTS)]!;
    switch (op) {
      case 'field': {
        const fields = packetFields(b, c.linktype);
        if (fields.length === 0) { flipBits(rng, b, c.ops); break; }
        const f = rng.pick(fields);
        const cur = readField(b, f);
        const v = rng.chance(0.7) ? rng.pick(interestingValues(f, cur, b.length)) : rng.int(fieldMax(f) + 1);
        const val = (f.bits === 32 ? v >>> 0 : v & fieldMax(f));
        writeField(b, f, val);
        c.ops.push(`set ${f.role}@${f.off} ${cur}→${val}`);
        break;
      }
      case 'flip':
        flipBits(rng, b, c.ops);
        break;
      case 'overwrite': {
        if (b.length === 0) break;
        const n = rng.range(1, Math.min(8, b.length));
        const at = rng.int(b.length - n + 1);
        const kind = rng.int(3);
        for (let i = 0; i < n; i++) b[at + i] = kind === 0 ? 0 : kind === 1 ? 0xff : rng.u32() & 0xff;
        c.ops.push(`overwrite@${at}+${n} ${kind === 0 ? '0x00' : kind === 1 ? '0xff' : 'random'}`);
        break;
      }
      case 'truncate': {
        const n = rng.chance(0.5) ? rng.int(b.length + 1) : Math.max(0, b.length - rng.range(1, 8));
        b = b.slice(0, n);
        c.ops.push(`truncate→${n}`);
        break;
      }
      case 'insert':
      case 'duplicate': {
        const at = rng.int(b.length + 1);
        const n = rng.range(1, 16);
        const ins = op === 'insert' || b.length === 0 ? rng.bytes(n) : b.slice(at, Math.min(b.length, at + n));
        const out = new Uint8Array(b.length + ins.length);
        out.set(b.subarray(0, at), 0);
        out.set(ins, at);
        out.set(b.subarray(at), at + ins.length);
        b = out;
        c.ops.push(`${op}@${at}+${ins.length}`);
        break;
      }
      case 'delete': {
        if (b.length === 0) break;
        const at = rng.int(b.length);
        const n = rng.range(1, Math.min(16, b.length - at));
        const out = new Uint8Array(b.length - n);
        out.set(b.subarray(0, at), 0);
        out.set(b.subarray(at + n), at);
        b = out;
        c.ops.push(`delete@${at}+${n}`);
        break;
      }
      case 'linktype': {
        const lt = rng.chance(0.9) ? rng.pick(SUPPORTED_LINKTYPES) : rng.chance(0.5) ? rng.int(300) : rng.u32();
        c.ops.push(`linktype ${c.linktype}→${lt}`);
        c.linktype = lt;
        break;
      }
      case 'wirelen': {
        const w = rng.pick([0, b.length - 1, b.length + 1, b.length * 2, 65535, 65536, 0xffffffff, rng.u32(), rng.int(b.length + 64)]);
        const wire = Math.max(0, w) >>> 0;
        c.ops.push(`wireLen ${c.wireLen}→${wire}`);
        c.wireLen = wire;
        break;
      }
      case 'time': {
        const choice = rng.int(opts.extremeTimes ? 6 : 5);
        const t = choice === 0 ? tsUs - rng.int(3600e6) // out of order
          : choice === 1 ? tsUs + rng.pick([61e6, 301e6, 1801e6, 86400e6]) // past idle/active timeouts
          : choice === 2 ? tsUs + rng.int(2e6) - 1e6
          : choice === 3 ? 0
          : choice === 4 ? rng.u32() * 1e6 + rng.u32() // anything classic pcap can say
          : rng.pick(EXTREME_TIMES_US);
        c.ops.push(`time ${c.tsUs}→${t}`);
        c.tsUs = t;
        break;
      }
    }
  }
  c.bytes = b;
  c.capLen = b.length;
  return c;
}

function flipBits(rng: Rng, b: Uint8Array, ops: string[]): void {
  if (b.length === 0) return;
  const n = rng.pick([1, 1, 1, 2, 3, 8]);
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    const bit = rng.int(b.length * 8);
    b[bit >> 3] ^= 1 << (bit & 7);
    at.push(bit);
  }
  ops.push(`flip bits ${at.join(',')}`);
}

// ---------------------------------------------------------------------------------------------------
// File level

export interface FileCase {
  bytes: Uint8Array;
  ops: string[];
  /** Lowest file offset any op changed (bytes.length of the seed when nothing changed). */
  firstChange: number;
  /** The only op was a cut at this offset (exact expectations apply). */
  pureTruncateAt?: number;
}

const MIB64 = 64 * 1024 * 1024;
const PCAPNG_BLOCK_TYPES = [BT.SHB, BT.IDB, BT.PB, BT.SPB, BT.NRB, BT.ISB, BT.EPB, 0x00000bad, 0x40000bad, 0x80000001, 0xffffffff];

/** One damaged capture from a seed file. `others` are seeds that may be spliced in. */
export function mutateFile(rng: Rng, seed: SeedFile, others: readonly SeedFile[]): FileCase {
  const orig = seed.bytes;
  const c: FileCase = { bytes: orig.slice(), ops: [], firstChange: orig.length };
  const touched = (off: number): void => { if (off < c.firstChange) c.firstChange = Math.max(0, off); };

  if (rng.chance(0.03)) return c; // controls: the seed itself must read back exactly

  // 1. In-place ops (no offsets move), aimed with the seed's layout.
  const inPlace = rng.weighted([20, 45, 25, 10]);
  for (let k = 0; k < inPlace; k++) {
    if (rng.chance(0.7)) {
      const at = seed.format === 'pcap' ? pcapFieldOp(rng, seed, c.bytes, c.ops) : pcapngFieldOp(rng, seed, c.bytes, c.ops);
      touched(at);
    } else {
      touched(rawOp(rng, c.bytes, c.ops, seed.blocks));
    }
  }

  // 2. At most one op that moves offsets.
  if (rng.chance(0.3) || c.ops.length === 0) {
    const r = shiftOp(rng, seed, c.bytes, c.ops);
    c.bytes = r.bytes;
    touched(r.at);
  }

  // 3. A cut or something appended at the end.
  const onlyCut = c.ops.length === 0 ? rng.chance(0.5) : false;
  if (onlyCut || rng.chance(0.25)) {
    if (onlyCut || rng.chance(0.55)) {
      const n = cutPoint(rng, seed, c.bytes.length);
      c.bytes = c.bytes.slice(0, n);
      c.ops.push(`truncate→${n}`);
      touched(n);
      if (onlyCut) c.pureTruncateAt = n;
    } else {
      const tail = appendTail(rng, seed, others, c.ops);
      const out = new Uint8Array(c.bytes.length + tail.length);
      out.set(c.bytes, 0);
      out.set(tail, c.bytes.length);
      touched(c.bytes.length);
      c.bytes = out;
    }
  }
  return c;
}

/** Bit flips or byte overwrites anywhere, in the first bytes, or in a block's header. */
function rawOp(rng: Rng, b: Uint8Array, ops: string[], blocks: readonly Block[]): number {
  if (b.length === 0) return 0;
  const where = rng.int(3);
  const blk = rng.pick(blocks);
  const lo = where === 0 ? 0 : where === 1 ? 0 : blk.start;
  const hi = where === 0 ? b.length : where === 1 ? Math.min(b.length, 64) : Math.min(b.length, blk.start + 32);
  if (rng.chance(0.5)) {
    const n = rng.pick([1, 1, 2, 4, 16]);
    let min = b.length;
    const bits: number[] = [];
    for (let i = 0; i < n; i++) {
      const bit = (lo + rng.int(hi - lo)) * 8 + rng.int(8);
      b[bit >> 3] ^= 1 << (bit & 7);
      bits.push(bit);
      min = Math.min(min, bit >> 3);
    }
    ops.push(`flip bits ${bits.join(',')}`);
    return min;
  }
  const n = rng.range(1, 16);
  const at = lo + rng.int(Math.max(1, hi - lo));
  const kind = rng.int(3);
  for (let i = 0; i < n && at + i < b.length; i++) b[at + i] = kind === 0 ? 0 : kind === 1 ? 0xff : rng.u32() & 0xff;
  ops.push(`overwrite@${at}+${n} ${kind === 0 ? '0x00' : kind === 1 ? '0xff' : 'random'}`);
  return at;
}

function lengthValues(rng: Rng, cur: number, extra: number[]): number {
  return rng.chance(0.85)
    ? rng.pick([0, 1, 4, 8, 11, 12, 13, 15, 16, 17, 28, 31, 32, cur - 1, cur + 1, cur - 4, cur + 4, cur * 2,
      262144, 262145, MIB64 - 4, MIB64, MIB64 + 4, 0x7fffffff, 0xfffffffc, 0xffffffff, ...extra]) >>> 0
    : rng.u32();
}

/** A classic pcap header or record field set to a bogus value; returns the offset changed. */
function pcapFieldOp(rng: Rng, seed: SeedFile, b: Uint8Array, ops: string[]): number {
  const le = seed.le;
  const recs = seed.blocks.filter((x) => x.kind === 'record');
  const which = rng.weighted([4, 3, 4, 5, recs.length ? 30 : 0, recs.length ? 8 : 0, recs.length ? 5 : 0]);
  const set32 = (name: string, off: number, v: number): number => {
    ops.push(`set ${name}@${off} ${rd32(b, off, le)}→${v >>> 0}`);
    wr32(b, off, v >>> 0, le);
    return off;
  };
  switch (which) {
    case 0: {
      const magics = [0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1, 0xa1b2cd34, 0x34cdb2a1, BT.SHB, 0, rng.u32()];
      return set32('magic', PCAP_FH.magic, rng.pick(magics));
    }
    case 1: {
      const off = rng.chance(0.5) ? PCAP_FH.major : PCAP_FH.minor;
      const v = rng.pick([0, 1, 2, 3, 4, 0xffff, rng.int(0x10000)]);
      ops.push(`set version@${off} ${rd16(b, off, le)}→${v}`);
      wr16(b, off, v, le);
      return off;
    }
    case 2:
      return set32('snaplen', PCAP_FH.snaplen, rng.pick([0, 1, 15, 16, 64, 65535, 262144, 262145, MIB64, MIB64 + 1, 0x7fffffff, 0xffffffff, rng.u32()]));
    case 3: {
      const cur = rd32(b, PCAP_FH.linktype, le);
      return set32('linktype', PCAP_FH.linktype, rng.pick([rng.pick(SUPPORTED_LINKTYPES), cur | 0x04000000, cur | 0x10000000, cur | 0xf0000000, rng.int(300), rng.u32()]));
    }
    case 4: {
      const r = rng.pick(recs);
      const cap = rd32(b, r.start + PCAP_REC.capLen, le);
      const snap = rd32(b, PCAP_FH.snaplen, le);
      const rest = b.length - r.start - 16;
      return set32('rec.capLen', r.start + PCAP_REC.capLen, lengthValues(rng, cap, [snap, snap + 1, rest, rest + 1, rest - 1]));
    }
    case 5: {
      const r = rng.pick(recs);
      const cap = rd32(b, r.start + PCAP_REC.capLen, le);
      return set32('rec.wireLen', r.start + PCAP_REC.wireLen, rng.pick([0, cap - 1, cap, cap + 1, 0xffffffff, rng.u32()]));
    }
    default: {
      const r = rng.pick(recs);
      return rng.chance(0.5)
        ? set32('rec.tsSec', r.start + PCAP_REC.tsSec, rng.pick([0, 0xffffffff, 0x80000000, rng.u32()]))
        : set32('rec.tsFrac', r.start + PCAP_REC.tsFrac, rng.pick([999999, 1000000, 999999999, 1000000000, 0xffffffff, rng.u32()]));
    }
  }
}

/** A pcapng block or option field set to a bogus value; returns the offset changed. */
function pcapngFieldOp(rng: Rng, seed: SeedFile, b: Uint8Array, ops: string[]): number {
  const blocks = seed.blocks;
  const byKind = (k: Block['kind'] | 'packet'): Block[] =>
    blocks.filter((x) => (k === 'packet' ? x.kind === 'epb' || x.kind === 'pb' : x.kind === k));
  const packetsBlk = byKind('packet');
  const idbs = byKind('idb');
  const shbs = byKind('shb');
  const which = rng.weighted([25, 6, 4, 3, 3, idbs.length ? 4 : 0, idbs.length ? 3 : 0, 10,
    packetsBlk.length ? 10 : 0, packetsBlk.length ? 12 : 0, packetsBlk.length ? 4 : 0, packetsBlk.length ? 5 : 0, packetsBlk.length ? 3 : 0]);
  const set32 = (name: string, off: number, v: number, le: boolean): number => {
    ops.push(`set ${name}@${off} ${rd32(b, off, le)}→${v >>> 0}`);
    wr32(b, off, v >>> 0, le);
    return off;
  };
  const set16 = (name: string, off: number, v: number, le: boolean): number => {
    ops.push(`set ${name}@${off} ${rd16(b, off, le)}→${v & 0xffff}`);
    wr16(b, off, v & 0xffff, le);
    return off;
  };
  switch (which) {
    case 0: { // a block's total length, at its start, its end or both
      const blk = rng.pick(blocks);
      const len = blk.end - blk.start;
      const rest = b.length - blk.start;
      const v = lengthValues(rng, len, [rest, rest + 4, (rng.int(rest) & ~3) >>> 0, 24, 20, 36]);
      const where = rng.int(3);
      if (where !== 1) set32('blk.len', blk.start + BLK.len, v, blk.le);
      if (where !== 0) set32('blk.trailer', blk.end - 4, v, blk.le);
      return where === 1 ? blk.end - 4 : blk.start + BLK.len;
    }
    case 1: { // a block's type
      const blk = rng.pick(blocks);
      return set32('blk.type', blk.start + BLK.type, rng.pick([...PCAPNG_BLOCK_TYPES, rng.u32()]), blk.le);
    }
    case 2: { // SHB byte-order magic
      const s = rng.pick(shbs);
      return set32('shb.bom', s.start + SHB.bom, rng.pick([0x4d3c2b1a, 0, rng.u32()]), s.le);
    }
    case 3: { // SHB version
      const s = rng.pick(shbs);
      return set16(rng.chance(0.7) ? 'shb.major' : 'shb.minor', s.start + (rng.chance(0.7) ? SHB.major : SHB.minor), rng.pick([0, 1, 2, 0xffff, rng.int(0x10000)]), s.le);
    }
    case 4: { // SHB section length (64 bits; -1 = unknown)
      const s = rng.pick(shbs);
      set32('shb.sectionLen.lo', s.start + SHB.sectionLen, rng.u32(), s.le);
      return set32('shb.sectionLen.hi', s.start + SHB.sectionLen + 4, rng.pick([0, 0xffffffff, rng.u32()]), s.le);
    }
    case 5: { // IDB link type
      const i = rng.pick(idbs);
      return set16('idb.linktype', i.start + IDB.linktype, rng.chance(0.7) ? rng.pick(SUPPORTED_LINKTYPES) : rng.int(0x10000), i.le);
    }
    case 6: { // IDB snaplen
      const i = rng.pick(idbs);
      return set32('idb.snaplen', i.start + IDB.snaplen, rng.pick([0, 1, 14, 20, 60, 65535, 0xffffffff, rng.u32()]), i.le);
    }
    case 7: { // an option's code or length (SHB, IDB, EPB)
      const cands = blocks.filter((x) => optionsStart(b, x) !== undefined);
      const blk = rng.pick(cands);
      const start = optionsStart(b, blk)!;
      const opts = start < blk.end - 4 ? listOptions(b, start, blk.end - 4, blk.le) : [];
      if (opts.length === 0) {
        // No options: make the block claim one that runs past its end.
        if (start + 4 > blk.end - 4) return rawOp(rng, b, ops, [blk]);
        return set16('opt.len(none)', start + 2, rng.pick([4, 8, 0xffff]), blk.le);
      }
      const o = rng.pick(opts);
      const room = blk.end - 4 - o.off - 4;
      if (rng.chance(0.7)) return set16('opt.len', o.off + 2, rng.pick([0, 1, 2, 3, 4, 7, 8, room, room + 1, room + 4, 0xfffe, 0xffff, rng.int(0x10000)]), blk.le);
      return set16('opt.code', o.off, rng.pick([0, 1, 2, 9, 14, 0x8000, 0xffff, rng.int(0x10000)]), blk.le);
    }
    case 8: { // packet block interface id
      const p = rng.pick(packetsBlk);
      const n = idbs.length;
      const v = rng.pick([0, 1, n - 1, n, n + 1, 0xffff, 0x10000, 0xffffffff, rng.u32()]);
      return p.kind === 'pb' ? set16('pb.ifid', p.start + EPB.ifid, v, p.le) : set32('epb.ifid', p.start + EPB.ifid, v, p.le);
    }
    case 9: { // packet block captured length
      const p = rng.pick(packetsBlk);
      const cap = rd32(b, p.start + EPB.capLen, p.le);
      const room = p.end - p.start - 32;
      return set32('epb.capLen', p.start + EPB.capLen, lengthValues(rng, cap, [room, room + 1, room - 1, room + 4]), p.le);
    }
    case 10: { // packet block original length
      const p = rng.pick(packetsBlk);
      const cap = rd32(b, p.start + EPB.capLen, p.le);
      return set32('epb.wireLen', p.start + EPB.wireLen, rng.pick([0, cap - 1, cap + 1, 0xffffffff, rng.u32()]), p.le);
    }
    case 11: { // packet block timestamp
      const p = rng.pick(packetsBlk);
      return rng.chance(0.5)
        ? set32('epb.tsHigh', p.start + EPB.tsHigh, rng.pick([0, 1, 0x80000000, 0xffffffff, rng.u32(), rd32(b, p.start + EPB.tsHigh, p.le) + 1]), p.le)
        : set32('epb.tsLow', p.start + EPB.tsLow, rng.pick([0, 0xffffffff, rng.u32()]), p.le);
    }
    default: { // EPB ↔ obsolete Packet Block (same layout but a 16-bit interface id and a drops count)
      const p = rng.pick(packetsBlk);
      return set32('blk.type', p.start + BLK.type, p.kind === 'epb' ? BT.PB : BT.EPB, p.le);
    }
  }
}

/** Inserts, deletes, duplicates or rebuilds a region; returns the new bytes and the first offset changed. */
function shiftOp(rng: Rng, seed: SeedFile, b: Uint8Array, ops: string[]): { bytes: Uint8Array; at: number } {
  const blocks = seed.blocks;
  const boundary = (): number => rng.pick(blocks).start;
  const splice = (at: number, del: number, ins: Uint8Array): Uint8Array => {
    const out = new Uint8Array(b.length - del + ins.length);
    out.set(b.subarray(0, at), 0);
    out.set(ins, at);
    out.set(b.subarray(at + del), at + ins.length);
    return out;
  };
  const ng = seed.format === 'pcapng';
  const which = rng.weighted([5, 5, 4, 4, 6, ng ? 6 : 0, ng ? 4 : 0, ng ? 3 : 0, ng ? 6 : 0]);
  switch (which) {
    case 0: { // random bytes anywhere
      const at = rng.int(b.length + 1);
      const n = rng.range(1, 64);
      ops.push(`insert@${at}+${n}`);
      return { bytes: splice(at, 0, rng.bytes(n)), at };
    }
    case 1: { // random, 4-byte-aligned bytes at a block boundary (a bogus block)
      const at = boundary();
      const n = rng.range(1, 16) * 4;
      ops.push(`insert-at-boundary@${at}+${n}`);
      return { bytes: splice(at, 0, rng.bytes(n)), at };
    }
    case 2: { // delete a range
      const at = rng.int(b.length);
      const n = rng.range(1, Math.min(64, b.length - at));
      ops.push(`delete@${at}+${n}`);
      return { bytes: splice(at, n, new Uint8Array(0)), at };
    }
    case 3: { // delete whole blocks
      const i = rng.int(blocks.length);
      const j = Math.min(blocks.length - 1, i + rng.int(3));
      const at = blocks[i]!.start;
      const n = blocks[j]!.end - at;
      ops.push(`delete-blocks ${i}..${j}@${at}+${n}`);
      return { bytes: splice(at, n, new Uint8Array(0)), at };
    }
    case 4: { // duplicate a block (or a piece of one) somewhere at a block boundary
      const src = rng.pick(blocks);
      const at = rng.chance(0.5) ? src.end : boundary();
      let piece = rng.chance(0.7) ? b.slice(src.start, src.end) : b.slice(src.start, src.start + rng.int(src.end - src.start));
      // Many copies of an interface block: sections with more interfaces than the reader starts with.
      const copies = src.kind === 'idb' && rng.chance(0.4) ? rng.range(2, 40) : 1;
      if (copies > 1) {
        const many = new Uint8Array(piece.length * copies);
        for (let k = 0; k < copies; k++) many.set(piece, k * piece.length);
        piece = many;
      }
      ops.push(`duplicate ${src.kind}@${src.start}${copies > 1 ? `×${copies}` : ''}(${piece.length} bytes)→${at}`);
      return { bytes: splice(at, 0, piece), at };
    }
    case 5: { // rebuild an IDB with if_tsresol / if_tsoffset options
      const idbs = blocks.filter((x) => x.kind === 'idb');
      if (idbs.length === 0) return shiftOp(rng, { ...seed, format: 'pcap' }, b, ops);
      const i = rng.pick(idbs);
      const tsresol = rng.pick([0, 1, 3, 5, 6, 7, 9, 12, 13, 19, 0x7f, 0x80, 0x86, 0x8a, 0x9e, 0xa0, 0xa1, 0xff, rng.int(256)]);
      const offset = rng.chance(0.5) ? undefined : [rng.pick([0, 0xffffffff, 0x7fffffff, 0x80000000, rng.u32()]), rng.u32()] as const;
      const idb = buildIdb(rd16(b, i.start + IDB.linktype, i.le), rd32(b, i.start + IDB.snaplen, i.le), tsresol, offset, i.le);
      ops.push(`rebuild idb@${i.start} tsresol=${tsresol}${offset ? ` tsoffset=[${offset[0]},${offset[1]}]` : ''}`);
      return { bytes: splice(i.start, i.end - i.start, idb), at: i.start };
    }
    case 6: { // an EPB rewritten as a Simple Packet Block
      const epbs = blocks.filter((x) => x.kind === 'epb');
      if (epbs.length === 0) return shiftOp(rng, { ...seed, format: 'pcap' }, b, ops);
      const p = rng.pick(epbs);
      const cap = Math.min(rd32(b, p.start + EPB.capLen, p.le), p.end - p.start - 32);
      const data = b.slice(p.start + EPB.data, p.start + EPB.data + cap);
      const wire = rng.pick([rd32(b, p.start + EPB.wireLen, p.le), cap, cap + 100, 0, 0xffffffff]);
      const spb = buildSpb(data, wire, p.le);
      ops.push(`epb@${p.start}→spb wire=${wire}`);
      return { bytes: splice(p.start, p.end - p.start, spb), at: p.start };
    }
    case 8: { // options (some with bogus lengths) inserted at the start of an SHB/IDB/EPB's options
      const cands = blocks.filter((x) => optionsStart(b, x) !== undefined);
      if (cands.length === 0) return shiftOp(rng, { ...seed, format: 'pcap' }, b, ops);
      const blk = rng.pick(cands);
      const at = optionsStart(b, blk)!;
      const opts = buildOptions(rng, blk.le);
      const out = splice(at, 0, opts.bytes);
      const len = blk.end - blk.start + opts.bytes.length;
      wr32(out, blk.start + BLK.len, len, blk.le);
      wr32(out, blk.start + len - 4, len, blk.le);
      ops.push(`add-options ${blk.kind}@${blk.start} ${opts.text}`);
      return { bytes: out, at: blk.start + BLK.len };
    }
    default: { // a new section: the seed's leading SHB+IDBs again, at a block boundary
      const firstPacket = blocks.findIndex((x) => x.kind === 'epb' || x.kind === 'pb' || x.kind === 'spb');
      const head = b.slice(0, firstPacket < 0 ? b.length : blocks[firstPacket]!.start);
      const at = boundary();
      ops.push(`new-section@${at}(${head.length} bytes)`);
      return { bytes: splice(at, 0, head), at };
    }
  }
}

/** Where to cut: anywhere, near a block boundary, or inside the first bytes. */
function cutPoint(rng: Rng, seed: SeedFile, len: number): number {
  const which = rng.int(3);
  const n = which === 0 ? rng.int(len + 1)
    : which === 1 ? rng.pick(seed.blocks).end + rng.range(-16, 16)
    : rng.int(Math.min(len, 40) + 1);
  return Math.max(0, Math.min(len, n));
}

/** Bytes to append: garbage, zeros, a block again, part of a block, or (pcapng) another whole file. */
function appendTail(rng: Rng, seed: SeedFile, others: readonly SeedFile[], ops: string[]): Uint8Array {
  const which = rng.int(5);
  if (which === 0) {
    const n = rng.range(1, 256);
    ops.push(`append random ${n}`);
    return rng.bytes(n);
  }
  if (which === 1) {
    const n = rng.range(1, 64);
    const v = rng.chance(0.5) ? 0 : 0xff;
    ops.push(`append ${n}×${v}`);
    return new Uint8Array(n).fill(v);
  }
  const blk = rng.pick(seed.blocks);
  if (which === 2) {
    ops.push(`append copy of ${blk.kind}@${blk.start}`);
    return seed.bytes.slice(blk.start, blk.end);
  }
  if (which === 3) {
    const n = rng.int(blk.end - blk.start);
    ops.push(`append ${n} bytes of ${blk.kind}@${blk.start}`);
    return seed.bytes.slice(blk.start, blk.start + n);
  }
  const other = seed.format === 'pcapng' ? others.filter((o) => o.format === 'pcapng') : [];
  if (other.length === 0) {
    ops.push(`append copy of ${blk.kind}@${blk.start}`);
    return seed.bytes.slice(blk.start, blk.end);
  }
  const o = rng.pick(other);
  ops.push(`append file ${o.name}`);
  return o.bytes.slice();
}

/**
 * 1–4 pcapng options (code, length, value padded to 32 bits; pcapng §3.5), sometimes ending with
 * opt_endofopt, sometimes with one length field set to a value that does not match its value.
 */
function buildOptions(rng: Rng, le: boolean): { bytes: Uint8Array; text: string } {
  const parts: number[][] = [];
  const text: string[] = [];
  const n = rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    const code = rng.pick([1, 2, 3, 4, 9, 14, 0x8000, 2988, 2989, rng.int(0x10000)]);
    const len = rng.pick([0, 1, 3, 4, 8, 12, rng.int(40)]);
    const opt = new Uint8Array(4 + ((len + 3) & ~3));
    wr16(opt, 0, code, le);
    wr16(opt, 2, len, le);
    opt.set(rng.bytes(len), 4);
    parts.push([...opt]);
    text.push(`${code}/${len}`);
  }
  if (rng.chance(0.5)) { parts.push([0, 0, 0, 0]); text.push('end'); }
  const bytes = Uint8Array.from(parts.flat());
  if (rng.chance(0.5)) {
    const i = rng.int(parts.length);
    const off = parts.slice(0, i).reduce((a, p) => a + p.length, 0);
    const bogus = rng.pick([0xffff, 0xfffe, bytes.length - off, bytes.length - off + 1, rng.int(0x10000)]);
    wr16(bytes, off + 2, bogus, le);
    text.push(`len#${i}=${bogus}`);
  }
  return { bytes, text: text.join(',') };
}

/** An Interface Description Block with if_tsresol and optionally if_tsoffset (pcapng §4.2). */
export function buildIdb(linktype: number, snaplen: number, tsresol: number, offset: readonly [number, number] | undefined, le: boolean): Uint8Array {
  const len = 20 + 8 + (offset ? 12 : 0) + 4;
  const b = new Uint8Array(len);
  wr32(b, BLK.type, BT.IDB, le);
  wr32(b, BLK.len, len, le);
  wr16(b, IDB.linktype, linktype, le);
  wr32(b, IDB.snaplen, snaplen, le);
  let o = IDB.options;
  wr16(b, o, 9, le); // if_tsresol
  wr16(b, o + 2, 1, le);
  b[o + 4] = tsresol;
  o += 8;
  if (offset) {
    wr16(b, o, 14, le); // if_tsoffset: signed 64-bit seconds
    wr16(b, o + 2, 8, le);
    wr32(b, o + 4, le ? offset[1] : offset[0], le);
    wr32(b, o + 8, le ? offset[0] : offset[1], le);
    o += 12;
  }
  // opt_endofopt (4 zero bytes) is already there.
  wr32(b, len - 4, len, le);
  return b;
}

/** A Simple Packet Block (pcapng §4.4). */
export function buildSpb(data: Uint8Array, wireLen: number, le: boolean): Uint8Array {
  const len = 16 + ((data.length + 3) & ~3);
  const b = new Uint8Array(len);
  wr32(b, BLK.type, BT.SPB, le);
  wr32(b, BLK.len, len, le);
  wr32(b, SPB.wireLen, wireLen, le);
  b.set(data, SPB.data);
  wr32(b, len - 4, len, le);
  return b;
}

// ---------------------------------------------------------------------------------------------------
// Seed variants: the same packets in the other byte order / timestamp unit, so both code paths of
// the readers get fuzzed from seeds that happen to be little-endian microsecond files.

/** A classic pcap seed rewritten big-endian (or little-endian) and/or with nanosecond timestamps. */
export function pcapVariant(seed: SeedFile, bigEndian: boolean, nsec: boolean): Uint8Array {
  const src = seed.bytes;
  const le = seed.le;
  const out = src.slice();
  const ole = !bigEndian;
  wr32(out, PCAP_FH.magic, nsec ? 0xa1b23c4d : 0xa1b2c3d4, ole);
  const srcNs = rd32(src, 0, le) === 0xa1b23c4d;
  wr16(out, PCAP_FH.major, rd16(src, PCAP_FH.major, le), ole);
  wr16(out, PCAP_FH.minor, rd16(src, PCAP_FH.minor, le), ole);
  for (const o of [8, 12, PCAP_FH.snaplen, PCAP_FH.linktype]) wr32(out, o, rd32(src, o, le), ole);
  for (const r of seed.blocks) {
    if (r.kind !== 'record') continue;
    let frac = rd32(src, r.start + PCAP_REC.tsFrac, le);
    if (nsec && !srcNs) frac *= 1000;
    else if (!nsec && srcNs) frac = Math.floor(frac / 1000);
    wr32(out, r.start + PCAP_REC.tsSec, rd32(src, r.start + PCAP_REC.tsSec, le), ole);
    wr32(out, r.start + PCAP_REC.tsFrac, frac, ole);
    wr32(out, r.start + PCAP_REC.capLen, rd32(src, r.start + PCAP_REC.capLen, le), ole);
    wr32(out, r.start + PCAP_REC.wireLen, rd32(src, r.start + PCAP_REC.wireLen, le), ole);
  }
  return out;
}

/** A pcapng seed with every section rewritten in the other byte order (headers and the options we know). */
export function pcapngSwapped(seed: SeedFile): Uint8Array {
  const src = seed.bytes;
  const out = src.slice();
  const sw32 = (o: number, le: boolean): void => wr32(out, o, rd32(src, o, le), !le);
  const sw16 = (o: number, le: boolean): void => wr16(out, o, rd16(src, o, le), !le);
  const swOptions = (start: number, end: number, le: boolean, blkType: number): void => {
    for (const opt of listOptions(src, start, end, le)) {
      sw16(opt.off, le);
      sw16(opt.off + 2, le);
      if (blkType === BT.IDB && opt.code === 14 && opt.len === 8) {
        // if_tsoffset is a 64-bit integer: swap as a whole.
        for (let i = 0; i < 8; i++) out[opt.off + 4 + i] = src[opt.off + 4 + 7 - i]!;
      } else if (blkType === BT.IDB && (opt.code === 8 && opt.len === 8)) {
        for (let i = 0; i < 8; i++) out[opt.off + 4 + i] = src[opt.off + 4 + 7 - i]!; // if_speed
      }
    }
  };
  for (const blk of seed.blocks) {
    const le = blk.le;
    const s = blk.start;
    sw32(s + BLK.type, le);
    sw32(s + BLK.len, le);
    sw32(blk.end - 4, le);
    switch (blk.kind) {
      case 'shb':
        wr32(out, s + SHB.bom, BYTE_ORDER_MAGIC, !le);
        sw16(s + SHB.major, le);
        sw16(s + SHB.minor, le);
        for (let i = 0; i < 8; i++) out[s + SHB.sectionLen + i] = src[s + SHB.sectionLen + 7 - i]!;
        swOptions(s + SHB.options, blk.end - 4, le, BT.SHB);
        break;
      case 'idb':
        sw16(s + IDB.linktype, le);
        sw16(s + IDB.reserved, le);
        sw32(s + IDB.snaplen, le);
        swOptions(s + IDB.options, blk.end - 4, le, BT.IDB);
        break;
      case 'epb':
      case 'pb': {
        if (blk.kind === 'epb') sw32(s + EPB.ifid, le);
        else { sw16(s + EPB.ifid, le); sw16(s + EPB.ifid + 2, le); }
        for (const o of [EPB.tsHigh, EPB.tsLow, EPB.capLen, EPB.wireLen]) sw32(s + o, le);
        swOptions(optionsStart(src, blk)!, blk.end - 4, le, blk.type);
        break;
      }
      case 'spb':
        sw32(s + SPB.wireLen, le);
        break;
      default:
        break; // other blocks are skipped by length; their bodies need not make sense
    }
  }
  return out;
}
