// The benchmark's synthetic capture generator, checked at a small scale against tcpdump and tshark:
// deterministic, readable by both, no malformed packets, valid checksums, exact IP lengths, and the
// traffic mix the benchmark claims (IPv6, 802.1Q, handshakes, FIN/RST, UDP, ICMP/ICMPv6).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaptureInfo, type CaptureSpec, DEFAULT_SPEC, existingCapture, generateCapture } from '../bench/make-capture.js';

const SPEC: CaptureSpec = { ...DEFAULT_SPEC, shortFlows: 1500, durationS: 300, longFlows: false };
const CHECKSUM_PREFS = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];
const ETH_HEADER = 14;
const VLAN_TAG = 4;
const IPV6_HEADER = 40;
const PCAP_HEADER = 24;
const RECORD_HEADER = 16;
const IPV4_TTL_OFFSET = 8;

let dir: string;
let path: string;
let info: CaptureInfo;

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** File offset of the TTL byte of the first untagged IPv4 packet (classic little-endian pcap). */
function firstIpv4TtlOffset(bytes: Buffer): number {
  for (let rec = PCAP_HEADER; rec + RECORD_HEADER <= bytes.length; rec += RECORD_HEADER + bytes.readUInt32LE(rec + 8)) {
    const frame = rec + RECORD_HEADER;
    if (bytes.readUInt16BE(frame + 12) === 0x0800) return frame + ETH_HEADER + IPV4_TTL_OFFSET;
  }
  throw new Error('no untagged IPv4 packet');
}

function expertErrors(file: string): string {
  return run('tshark', ['-r', file, ...CHECKSUM_PREFS, '-q', '-z', 'expert,error']);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'surfacemap-synth-'));
  path = join(dir, 'small.pcap');
  info = generateCapture(path, SPEC);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('bench/make-capture', () => {
  it('writes the same bytes for the same seed, and recognises a finished capture', () => {
    const again = join(dir, 'again.pcap');
    generateCapture(again, SPEC);
    expect(sha256(again)).toBe(sha256(path));
    expect(existingCapture(path, SPEC)?.packets).toBe(info.packets);
    expect(existingCapture(path, { ...SPEC, seed: SPEC.seed + 1 })).toBeNull();
    const other = join(dir, 'other.pcap');
    generateCapture(other, { ...SPEC, seed: SPEC.seed + 1 });
    expect(sha256(other)).not.toBe(sha256(path));
  });

  it('is read in full by tcpdump', () => {
    expect(run('tcpdump', ['-r', path, '--count'])).toContain(`${info.packets} packets`);
  });

  it('has no malformed packets or bad checksums according to tshark', () => {
    expect(expertErrors(path)).not.toMatch(/Errors \(\d+\)/);
    // Control: the same check does see a single corrupted IPv4 header.
    const bytes = readFileSync(path);
    const ttl = firstIpv4TtlOffset(bytes);
    bytes[ttl] = (bytes[ttl] ?? 0) ^ 1;
    const broken = join(dir, 'broken.pcap');
    writeFileSync(broken, bytes);
    expect(expertErrors(broken)).toMatch(/Bad checksum/);
  });

  it('has exact IP lengths, increasing timestamps and the promised mix', () => {
    const out = run('tshark', ['-r', path, '-T', 'fields', '-E', 'occurrence=f',
      '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'vlan.id', '-e', 'ip.len', '-e', 'ipv6.plen',
      '-e', 'tcp.flags', '-e', 'udp.srcport', '-e', 'icmp.type', '-e', 'icmpv6.type']);
    const lines = out.trim().split('\n');
    expect(lines.length).toBe(info.packets);
    const seen = { vlan: 0, v6: 0, syn: 0, synAck: 0, fin: 0, rst: 0, udp: 0, icmp: 0, icmp6: 0 };
    let lastTs = 0;
    for (const line of lines) {
      const [ts, frameLen, vlan, ipLen, ipv6Plen, flags, udp, icmp, icmp6] = line.split('\t');
      const l2 = ETH_HEADER + (vlan ? VLAN_TAG : 0);
      const ipBytes = ipLen ? Number(ipLen) : IPV6_HEADER + Number(ipv6Plen);
      expect(l2 + ipBytes).toBe(Number(frameLen));
      expect(Number(ts)).toBeGreaterThan(lastTs);
      lastTs = Number(ts);
      const f = flags ? Number(flags) : 0;
      if (vlan) seen.vlan++;
      if (ipv6Plen) seen.v6++;
      if ((f & 0x12) === 0x02) seen.syn++;
      if ((f & 0x12) === 0x12) seen.synAck++;
      if (f & 0x01) seen.fin++;
      if (f & 0x04) seen.rst++;
      if (udp) seen.udp++;
      if (icmp) seen.icmp++;
      if (icmp6) seen.icmp6++;
    }
    for (const [k, v] of Object.entries(seen)) expect(v, k).toBeGreaterThan(0);
    expect(info.ipv6Flows / info.flows).toBeGreaterThan(0.05);
    expect(info.ipv6Flows / info.flows).toBeLessThan(0.15);
    expect(info.vlanFlows).toBeGreaterThan(0);
  });
});
