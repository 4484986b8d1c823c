// Test-only helpers for the capture readers: make real captures on loopback with tcpdump, ask tshark
// what is in a file, rewrite files into the other byte order, and write synthetic pcapng blocks.
// NOTE: not imported by production code. Every external step is bounded in count and time.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PacketSink } from './source.js';

/** One packet as a reader or tshark sees it. */
export interface Rec {
  tsUs: number;
  cap: number;
  wire: number;
  md5: string;
}

/** Throws (so the test fails loudly) when a required tool is missing. */
export function requireTools(...names: string[]): void {
  for (const n of names) {
    try {
      execFileSync('sh', ['-c', `command -v ${n}`], { stdio: 'pipe' });
    } catch {
      throw new Error(`required tool "${n}" is not installed; these tests compare against it`);
    }
  }
}

export interface LoopbackCapture {
  /** tcpdump -i value. */
  iface: 'lo' | 'any';
  port: number;
  /** UDP payload sizes to send, in order. */
  sizes: number[];
  snaplen?: number;
  /** tcpdump -y value (e.g. LINUX_SLL2). */
  linktype?: string;
  /** Nanosecond timestamps (tcpdump --time-stamp-precision nano, ns pcap magic). */
  nano?: boolean;
}

/**
 * Captures UDP datagrams sent to 127.0.0.1:port with tcpdump into `out` (classic pcap).
 * Bounded: at most sizes.length datagrams, tcpdump killed after ~20 s in any case.
 */
export async function captureLoopback(out: string, c: LoopbackCapture): Promise<void> {
  const args = ['-i', c.iface, '-n', '-Z', 'root', '-U', '--immediate-mode', '-B', '16384', '-s', String(c.snaplen ?? 262144)];
  if (c.linktype !== undefined) args.push('-y', c.linktype);
  if (c.nano === true) args.push('--time-stamp-precision', 'nano');
  args.push('-w', out, `udp and dst port ${c.port}`);
  const td = spawn('tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => td.on('exit', (code) => resolve(code)));
  const hardKill = setTimeout(() => td.kill('SIGKILL'), 20_000);
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`tcpdump did not start: ${stderr}`)), 10_000);
      td.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('listening on')) {
          clearTimeout(t);
          resolve();
        }
      });
      td.on('exit', () => {
        clearTimeout(t);
        reject(new Error(`tcpdump exited early: ${stderr}`));
      });
    });
    const sock = createSocket('udp4');
    try {
      for (let i = 0; i < c.sizes.length; i++) {
        const payload = Buffer.alloc(c.sizes[i]!, i & 0xff);
        await new Promise<void>((resolve, reject) =>
          sock.send(payload, c.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
        );
        if (i % 8 === 7) await sleep(2); // pace a little so the kernel does not drop
      }
    } finally {
      sock.close();
    }
    await sleep(300);
    td.kill('SIGINT');
    await exited;
    // Loopback should lose nothing; a capture with few packets would make the comparisons weak.
    const captured = Number(/(\d+) packets? captured/.exec(stderr)?.[1] ?? 0);
    if (captured < c.sizes.length / 2) {
      throw new Error(`tcpdump captured only ${captured} of ${c.sizes.length} datagrams: ${stderr}`);
    }
  } finally {
    clearTimeout(hardKill);
    if (td.exitCode === null) td.kill('SIGKILL');
  }
}

/** Runs a tool, bounded in time; returns stdout. */
export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** "1700000000.123456789" → whole µs, exactly (no float rounding), rounded down. */
export function epochToUs(s: string): number {
  const neg = s.startsWith('-');
  const [sec, frac = ''] = (neg ? s.slice(1) : s).split('.');
  const us = Number(sec) * 1e6 + Number((frac + '000000').slice(0, 6));
  return neg ? -us : us;
}

export interface TsharkRec extends Rec {
  ifid: number;
  /** frame.protocols, e.g. "eth:ethertype:ip:udp:data" */
  protocols: string;
}

/** What tshark sees in a file: one entry per frame. */
export function tsharkRecords(file: string): TsharkRec[] {
  const out = run('tshark', [
    '-n', '-r', file, '-o', 'frame.generate_md5_hash:TRUE', '-T', 'fields', '-E', 'separator=\t',
    '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len', '-e', 'frame.md5_hash',
    '-e', 'frame.interface_id', '-e', 'frame.protocols',
  ]);
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [ts, cap, wire, md5, ifid, protocols] = l.split('\t');
      return { tsUs: ts ? epochToUs(ts) : NaN, cap: Number(cap), wire: Number(wire), md5: md5!, ifid: Number(ifid || 0), protocols: protocols! };
    });
}

export interface Collected extends Rec {
  linktype: number;
}

/** A sink that copies what it is given (the reader's buffer is reused) into plain records. */
export function collectingSink(): { sink: PacketSink; recs: Collected[] } {
  const recs: Collected[] = [];
  const sink: PacketSink = {
    packet(buf, off, capLen, wireLen, tsUs, linktype) {
      const md5 = createHash('md5').update(buf.subarray(off, off + capLen)).digest('hex');
      recs.push({ tsUs, cap: capLen, wire: wireLen, md5, linktype });
    },
  };
  return { sink, recs };
}

/** Just the fields both sides have, for toEqual. */
export function plain(r: Rec): Rec {
  return { tsUs: r.tsUs, cap: r.cap, wire: r.wire, md5: r.md5 };
}

/** Rewrites a little-endian classic pcap file in big-endian byte order (header and record headers). */
export function swapPcapToBigEndian(src: string, dst: string): void {
  const b = Buffer.from(readFileSync(src));
  if (b.readUInt32LE(0) !== 0xa1b2c3d4 && b.readUInt32LE(0) !== 0xa1b23c4d) throw new Error(`${src}: not a little-endian pcap`);
  const sw32 = (o: number) => b.writeUInt32BE(b.readUInt32LE(o), o);
  const sw16 = (o: number) => b.writeUInt16BE(b.readUInt16LE(o), o);
  sw32(0);
  sw16(4);
  sw16(6);
  sw32(8);
  sw32(12);
  sw32(16);
  sw32(20);
  let p = 24;
  while (p + 16 <= b.length) {
    const cap = b.readUInt32LE(p + 8);
    for (let i = 0; i < 16; i += 4) sw32(p + i);
    p += 16 + cap;
  }
  writeFileSync(dst, b);
}

// ---- a tiny pcapng model: enough to re-write real files in either byte order and to build odd cases.

export type Block =
  | { kind: 'shb' }
  | { kind: 'idb'; linktype: number; snaplen: number; tsresol?: number; tsoffset?: bigint; name?: string }
  | { kind: 'epb'; ifid: number; ts: bigint; wire: number; data: Buffer }
  | { kind: 'pb'; ifid: number; ts: bigint; wire: number; data: Buffer }
  | { kind: 'spb'; wire: number; data: Buffer }
  | { kind: 'raw'; type: number; body: Buffer };

/** Parses a pcapng file written by editcap/mergecap (SHB, IDB, EPB; other blocks are dropped). */
export function parsePcapng(bytes: Buffer): Block[] {
  const blocks: Block[] = [];
  let p = 0;
  let le = true;
  const r32 = (o: number) => (le ? bytes.readUInt32LE(o) : bytes.readUInt32BE(o));
  const r16 = (o: number) => (le ? bytes.readUInt16LE(o) : bytes.readUInt16BE(o));
  while (p + 12 <= bytes.length) {
    const type0 = bytes.readUInt32LE(p);
    if (type0 === 0x0a0d0d0a) le = bytes.readUInt32LE(p + 8) === 0x1a2b3c4d;
    const type = r32(p);
    const len = r32(p + 4);
    if (type === 0x0a0d0d0a) blocks.push({ kind: 'shb' });
    else if (type === 1) {
      const idb: Block = { kind: 'idb', linktype: r16(p + 8), snaplen: r32(p + 12) };
      for (let o = p + 16; o + 4 <= p + len - 4; ) {
        const code = r16(o);
        const olen = r16(o + 2);
        if (code === 0) break;
        if (code === 9) idb.tsresol = bytes[o + 4]!;
        if (code === 2) idb.name = bytes.toString('utf8', o + 4, o + 4 + olen);
        if (code === 14) idb.tsoffset = le ? bytes.readBigInt64LE(o + 4) : bytes.readBigInt64BE(o + 4);
        o += 4 + ((olen + 3) & ~3);
      }
      blocks.push(idb);
    } else if (type === 6) {
      const cap = r32(p + 20);
      blocks.push({
        kind: 'epb', ifid: r32(p + 8), ts: (BigInt(r32(p + 12)) << 32n) | BigInt(r32(p + 16)), wire: r32(p + 24),
        data: Buffer.from(bytes.subarray(p + 28, p + 28 + cap)),
      });
    }
    p += len;
  }
  return blocks;
}

/** Writes blocks as one pcapng byte stream in the given byte order. */
export function writePcapng(blocks: Block[], le: boolean): Buffer {
  const parts: Buffer[] = [];
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    if (le) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    return b;
  };
  const u16 = (v: number) => {
    const b = Buffer.alloc(2);
    if (le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    return b;
  };
  const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  const opt = (code: number, value: Buffer) => Buffer.concat([u16(code), u16(value.length), pad(value)]);
  const block = (type: number, body: Buffer) => {
    const len = 12 + body.length;
    parts.push(u32(type), u32(len), body, u32(len));
  };
  const ts = (t: bigint) => Buffer.concat([u32(Number(t >> 32n)), u32(Number(t & 0xffffffffn))]);
  for (const b of blocks) {
    switch (b.kind) {
      case 'shb':
        block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d), u16(1), u16(0), u32(0xffffffff), u32(0xffffffff)]));
        break;
      case 'idb': {
        const opts: Buffer[] = [];
        if (b.name !== undefined) opts.push(opt(2, Buffer.from(b.name)));
        if (b.tsresol !== undefined) opts.push(opt(9, Buffer.from([b.tsresol])));
        if (b.tsoffset !== undefined) {
          const v = Buffer.alloc(8);
          if (le) v.writeBigInt64LE(b.tsoffset);
          else v.writeBigInt64BE(b.tsoffset);
          opts.push(opt(14, v));
        }
        if (opts.length > 0) opts.push(opt(0, Buffer.alloc(0)));
        block(1, Buffer.concat([u16(b.linktype), u16(0), u32(b.snaplen), ...opts]));
        break;
      }
      case 'epb':
        block(6, Buffer.concat([u32(b.ifid), ts(b.ts), u32(b.data.length), u32(b.wire), pad(b.data)]));
        break;
      case 'pb':
        block(2, Buffer.concat([u16(b.ifid), u16(0), ts(b.ts), u32(b.data.length), u32(b.wire), pad(b.data)]));
        break;
      case 'spb':
        block(3, Buffer.concat([u32(b.wire), pad(b.data)]));
        break;
      case 'raw':
        block(b.type, pad(b.body));
        break;
    }
  }
  return Buffer.concat(parts);
}

/** Offsets of each block in a pcapng byte stream (for tests that corrupt a given block). */
export function blockOffsets(bytes: Buffer): { off: number; type: number; len: number }[] {
  const out: { off: number; type: number; len: number }[] = [];
  let p = 0;
  let le = true;
  while (p + 12 <= bytes.length) {
    if (bytes.readUInt32LE(p) === 0x0a0d0d0a) le = bytes.readUInt32LE(p + 8) === 0x1a2b3c4d;
    const type = le ? bytes.readUInt32LE(p) : bytes.readUInt32BE(p);
    const len = le ? bytes.readUInt32LE(p + 4) : bytes.readUInt32BE(p + 4);
    out.push({ off: p, type, len });
    p += len;
  }
  return out;
}

/** Offsets of each record header in a classic pcap file. */
export function pcapRecordOffsets(bytes: Buffer): number[] {
  const le = bytes.readUInt32LE(0) === 0xa1b2c3d4 || bytes.readUInt32LE(0) === 0xa1b23c4d;
  const out: number[] = [];
  for (let p = 24; p + 16 <= bytes.length; ) {
    out.push(p);
    p += 16 + (le ? bytes.readUInt32LE(p + 8) : bytes.readUInt32BE(p + 8));
  }
  return out;
}
