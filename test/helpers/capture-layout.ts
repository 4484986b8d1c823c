// Test-only, independent reading of the seed captures for the fuzz test: where every record/block
// starts and ends, which field sits where, and the packets inside. Deliberately not the agent's reader,
// so a mutation can be aimed at a structure the reader is being tested on.
// NOTE: shapes. `SeedFile.blocks` covers the whole file in order (pcap: file header, then records;
// pcapng: every block). `SeedPacket.blockEnd` is the file offset just past the block that carries it.
// Specs: classic pcap https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/ ,
// pcapng https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Folders whose captures seed the fuzz test; new files there are picked up automatically. */
export const SEED_DIRS = ['agent/decode/testdata', 'fixtures'];

export type BlockKind = 'file-header' | 'record' | 'shb' | 'idb' | 'epb' | 'pb' | 'spb' | 'other';

export interface Block {
  start: number;
  end: number;
  kind: BlockKind;
  /** pcapng block type (0 for classic pcap). */
  type: number;
  /** Byte order of the section (pcapng) or file (pcap). */
  le: boolean;
}

export interface SeedPacket {
  seed: string;
  bytes: Uint8Array;
  wireLen: number;
  linktype: number;
  /** Approximate capture time (µs); good enough to keep a seed's packets in order. */
  tsUs: number;
  /** File offset just past the record/block holding this packet. */
  blockEnd: number;
}

export interface SeedFile {
  /** Path relative to the repository root. */
  name: string;
  path: string;
  bytes: Uint8Array;
  format: 'pcap' | 'pcapng';
  /** Byte order of the file (pcap) or of its first section (pcapng). */
  le: boolean;
  blocks: Block[];
  packets: SeedPacket[];
}

// Offsets (see the specs above).
export const PCAP_HDR_LEN = 24;
export const PCAP_REC_HDR_LEN = 16;
export const PCAP_FH = { magic: 0, major: 4, minor: 6, snaplen: 16, linktype: 20 } as const;
export const PCAP_REC = { tsSec: 0, tsFrac: 4, capLen: 8, wireLen: 12 } as const;
export const BT = { SHB: 0x0a0d0d0a, IDB: 1, PB: 2, SPB: 3, NRB: 4, ISB: 5, EPB: 6 } as const;
export const BLK = { type: 0, len: 4, body: 8 } as const;
export const SHB = { bom: 8, major: 12, minor: 14, sectionLen: 16, options: 24 } as const;
export const IDB = { linktype: 8, reserved: 10, snaplen: 12, options: 16 } as const;
export const EPB = { ifid: 8, tsHigh: 12, tsLow: 16, capLen: 20, wireLen: 24, data: 28 } as const;
export const SPB = { wireLen: 8, data: 12 } as const;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export function rd16(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
}

export function rd32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function wr16(b: Uint8Array, o: number, v: number, le: boolean): void {
  if (o < 0 || o + 2 > b.length) return;
  if (le) { b[o] = v & 0xff; b[o + 1] = (v >>> 8) & 0xff; } else { b[o] = (v >>> 8) & 0xff; b[o + 1] = v & 0xff; }
}

export function wr32(b: Uint8Array, o: number, v: number, le: boolean): void {
  if (o < 0 || o + 4 > b.length) return;
  for (let i = 0; i < 4; i++) b[o + (le ? i : 3 - i)] = (v >>> (8 * i)) & 0xff;
}

export type CaptureMagic = 'pcap' | 'pcapng' | undefined;

export function sniffCapture(head: Uint8Array): CaptureMagic {
  if (head.length < 4) return undefined;
  const le = rd32(head, 0, true);
  const be = rd32(head, 0, false);
  if (le === BT.SHB) return 'pcapng';
  for (const m of [0xa1b2c3d4, 0xa1b23c4d]) if (le === m || be === m) return 'pcap';
  return undefined;
}

/** Every capture file (by magic, not by name) under the seed folders, recursively, sorted by path. */
export function findSeedFiles(root: string = REPO_ROOT): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return; // a seed folder that does not exist yet has no seeds
    }
    for (const n of names.sort()) {
      const p = join(dir, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size >= 4 && sniffCapture(readFileSync(p).subarray(0, 4)) !== undefined) out.push(p);
    }
  };
  for (const d of SEED_DIRS) walk(join(root, d));
  return out;
}

/** Reads one seed; throws when it is not a well-formed capture (a seed must be good). */
export function loadSeedFile(path: string): SeedFile {
  return parseCapture(relative(REPO_ROOT, path), path, new Uint8Array(readFileSync(path)));
}

/** Layout and packets of a well-formed capture held in memory; throws when it is not one. */
export function parseCapture(name: string, path: string, bytes: Uint8Array): SeedFile {
  const kind = sniffCapture(bytes);
  if (kind === 'pcap') return parsePcap(name, path, bytes);
  if (kind === 'pcapng') return parsePcapng(name, path, bytes);
  throw new Error(`${name}: not a pcap or pcapng file`);
}

function parsePcap(name: string, path: string, b: Uint8Array): SeedFile {
  const le = rd32(b, 0, true) === 0xa1b2c3d4 || rd32(b, 0, true) === 0xa1b23c4d;
  const nsec = rd32(b, 0, le) === 0xa1b23c4d;
  const linktype = rd32(b, PCAP_FH.linktype, le) & 0xffff;
  const blocks: Block[] = [{ start: 0, end: PCAP_HDR_LEN, kind: 'file-header', type: 0, le }];
  const packets: SeedPacket[] = [];
  let o = PCAP_HDR_LEN;
  while (o < b.length) {
    if (o + PCAP_REC_HDR_LEN > b.length) throw new Error(`${name}: record header at ${o} is cut short`);
    const cap = rd32(b, o + PCAP_REC.capLen, le);
    const end = o + PCAP_REC_HDR_LEN + cap;
    if (end > b.length) throw new Error(`${name}: record at ${o} runs past the end`);
    const frac = rd32(b, o + PCAP_REC.tsFrac, le);
    packets.push({
      seed: name,
      bytes: b.slice(o + PCAP_REC_HDR_LEN, end),
      wireLen: rd32(b, o + PCAP_REC.wireLen, le),
      linktype,
      tsUs: rd32(b, o + PCAP_REC.tsSec, le) * 1e6 + (nsec ? Math.floor(frac / 1000) : frac),
      blockEnd: end,
    });
    blocks.push({ start: o, end, kind: 'record', type: 0, le });
    o = end;
  }
  return { name, path, bytes: b, format: 'pcap', le, blocks, packets };
}

function parsePcapng(name: string, path: string, b: Uint8Array): SeedFile {
  const blocks: Block[] = [];
  const packets: SeedPacket[] = [];
  let le = true;
  let firstLe: boolean | undefined;
  let links: number[] = [];
  let scale: number[] = []; // µs per timestamp unit, per interface
  let lastTs = 0;
  let o = 0;
  while (o < b.length) {
    if (o + 12 > b.length) throw new Error(`${name}: block header at ${o} is cut short`);
    const typeLe = rd32(b, o, true);
    if (typeLe === BT.SHB) {
      const bom = rd32(b, o + SHB.bom, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (rd32(b, o + SHB.bom, false) === BYTE_ORDER_MAGIC) le = false;
      else throw new Error(`${name}: bad byte-order magic at ${o}`);
      firstLe ??= le;
      links = [];
      scale = [];
    }
    const type = rd32(b, o, le);
    const len = rd32(b, o + BLK.len, le);
    if (len < 12 || len % 4 !== 0 || o + len > b.length || rd32(b, o + len - 4, le) !== len) {
      throw new Error(`${name}: block at ${o} has a bad length ${len}`);
    }
    const end = o + len;
    let kind: BlockKind = 'other';
    if (type === BT.SHB) kind = 'shb';
    else if (type === BT.IDB) {
      kind = 'idb';
      links.push(rd16(b, o + IDB.linktype, le));
      let tsresol = 6;
      for (const opt of listOptions(b, o + IDB.options, end - 4, le)) {
        if (opt.code === 9 && opt.len >= 1) tsresol = b[opt.off + 4]!;
      }
      scale.push((tsresol & 0x80) !== 0 ? 1e6 / 2 ** (tsresol & 0x7f) : 10 ** (6 - tsresol));
    } else if (type === BT.EPB || type === BT.PB) {
      kind = type === BT.EPB ? 'epb' : 'pb';
      const ifid = type === BT.EPB ? rd32(b, o + EPB.ifid, le) : rd16(b, o + EPB.ifid, le);
      if (ifid >= links.length) throw new Error(`${name}: block at ${o} names interface ${ifid}`);
      const cap = rd32(b, o + EPB.capLen, le);
      const ts = (rd32(b, o + EPB.tsHigh, le) * 2 ** 32 + rd32(b, o + EPB.tsLow, le)) * scale[ifid]!;
      lastTs = Math.floor(ts);
      packets.push({
        seed: name,
        bytes: b.slice(o + EPB.data, o + EPB.data + cap),
        wireLen: rd32(b, o + EPB.wireLen, le),
        linktype: links[ifid]!,
        tsUs: lastTs,
        blockEnd: end,
      });
    } else if (type === BT.SPB) {
      kind = 'spb';
      if (links.length === 0) throw new Error(`${name}: simple packet block at ${o} without an interface`);
      const wire = rd32(b, o + SPB.wireLen, le);
      const cap = Math.min(wire, len - 16);
      packets.push({ seed: name, bytes: b.slice(o + SPB.data, o + SPB.data + cap), wireLen: wire, linktype: links[0]!, tsUs: lastTs, blockEnd: end });
    }
    blocks.push({ start: o, end, kind, type, le });
    o = end;
  }
  return { name, path, bytes: b, format: 'pcapng', le: firstLe ?? true, blocks, packets };
}

export interface OptionAt {
  /** File offset of the option's code field. */
  off: number;
  code: number;
  len: number;
}

/** pcapng options (code 16, length 16, value padded to 32 bits) from `o` up to `end`. */
export function listOptions(b: Uint8Array, o: number, end: number, le: boolean): OptionAt[] {
  const out: OptionAt[] = [];
  while (end - o >= 4) {
    const code = rd16(b, o, le);
    const len = rd16(b, o + 2, le);
    out.push({ off: o, code, len });
    if (code === 0 || o + 4 + len > end) break;
    o += 4 + ((len + 3) & ~3);
  }
  return out;
}

/** Where a block's options start (undefined when the block type has none we know of). */
export function optionsStart(b: Uint8Array, blk: Block): number | undefined {
  switch (blk.kind) {
    case 'shb': return blk.start + SHB.options;
    case 'idb': return blk.start + IDB.options;
    case 'epb':
    case 'pb': {
      const cap = rd32(b, blk.start + EPB.capLen, blk.le);
      return blk.start + EPB.data + ((cap + 3) & ~3);
    }
    default: return undefined;
  }
}
