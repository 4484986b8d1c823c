// Test support for the decoders: a few lines of classic-pcap reading and writing (so these tests do not
// wait on agent/capture), and tshark as the reference dissector.
// NOTE: test-only; nothing in agent/ imports it.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const TESTDATA = fileURLToPath(new URL('.', import.meta.url));
export const testdataPath = (name: string): string => join(TESTDATA, name);

export interface PcapRecord {
  /** Offset of the packet bytes in `PcapFile.buf`. */
  off: number;
  capLen: number;
  wireLen: number;
}

export interface PcapFile {
  buf: Uint8Array;
  linktype: number;
  records: PcapRecord[];
}

// https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html §4 (file header) and §5 (record header)
export function readPcap(buf: Uint8Array): PcapFile {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = dv.getUint32(0, true);
  let le: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) le = false;
  else throw new Error(`not a classic pcap file (magic 0x${magic.toString(16)})`);
  const linktype = dv.getUint32(20, le) & 0x0fffffff;
  const records: PcapRecord[] = [];
  for (let o = 24; o + 16 <= buf.length; ) {
    const capLen = dv.getUint32(o + 8, le);
    const wireLen = dv.getUint32(o + 12, le);
    if (o + 16 + capLen > buf.length) throw new Error(`record at ${o} runs past the end of the file`);
    records.push({ off: o + 16, capLen, wireLen });
    o += 16 + capLen;
  }
  return { buf, linktype, records };
}

export function readPcapFile(path: string): PcapFile {
  return readPcap(new Uint8Array(readFileSync(path)));
}

/** Little-endian, microsecond classic pcap with the given frames (timestamps are the frame index). */
export function writePcap(path: string, linktype: number, frames: { bytes: Uint8Array; wireLen: number }[]): void {
  const size = 24 + frames.reduce((n, f) => n + 16 + f.bytes.length, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 262144, true);
  dv.setUint32(20, linktype, true);
  let o = 24;
  frames.forEach((f, i) => {
    dv.setUint32(o, 1_700_000_000 + i, true);
    dv.setUint32(o + 8, f.bytes.length, true);
    dv.setUint32(o + 12, f.wireLen, true);
    out.set(f.bytes, o + 16);
    o += 16 + f.bytes.length;
  });
  writeFileSync(path, out);
}

/** The fields each test compares, in this order (first occurrence of each). */
export const TSHARK_FIELDS = [
  'frame.number', 'frame.protocols', 'frame.len', 'frame.cap_len',
  'ieee8021ad.id', 'vlan.id',
  'ip.src', 'ip.dst', 'ip.len', 'ip.hdr_len', 'ip.proto', 'ip.frag_offset', 'ip.flags.mf',
  'ipv6.src', 'ipv6.dst', 'ipv6.plen', 'ipv6.fraghdr.offset', 'ipv6.fraghdr.more',
  'ipv6.hopopts.len_oct', 'ipv6.dstopts.len_oct', 'ipv6.routing.len_oct',
  'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.len', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.payload',
  'udp.srcport', 'udp.dstport', 'udp.length', 'udp.payload',
  'icmp.type', 'icmp.code', 'icmp.ident',
  'icmpv6.type', 'icmpv6.code', 'icmpv6.echo.identifier',
] as const;
export type TsharkField = (typeof TSHARK_FIELDS)[number];
export type TsharkRow = Record<TsharkField, string>;

/**
 * One row per frame from `tshark -T fields`, fragments dissected one by one (no reassembly).
 * Throws when tshark is missing: these tests need it.
 */
export function tsharkRows(path: string): TsharkRow[] {
  const args = [
    '-r', path, '-n', '-T', 'fields', '-E', 'occurrence=f', '-E', 'separator=/t',
    '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE',
    ...TSHARK_FIELDS.flatMap((f) => ['-e', f]),
  ];
  const text = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  return text.split('\n').filter((l) => l.length > 0).map((line) => {
    const cols = line.split('\t');
    const row = {} as TsharkRow;
    TSHARK_FIELDS.forEach((f, i) => { row[f] = cols[i] ?? ''; });
    return row;
  });
}

/** Bytes of a record as a fresh array (for mutation in tests). */
export function recordBytes(file: PcapFile, i: number): Uint8Array {
  const r = file.records[i];
  return file.buf.slice(r.off, r.off + r.capLen);
}
