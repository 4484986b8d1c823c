// decodePacket against tshark on real captures: the committed ones in testdata/, the same traffic
// captured afresh in namespaces of this test's own, and link types derived from those frames.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP,
  LINKTYPE_NULL, LINKTYPE_RAW,
} from '../capture/source.js';
import { decodePacket } from './decode-packet.js';
import { LINKTYPE_RAW_OLD_12, LINKTYPE_RAW_OLD_14 } from './link.js';
import { createDecodedPacket, SKIP_REASONS, Skip, type DecodedPacket, type SkipReason } from './packet.js';
import { readPcapFile, testdataPath, tsharkRows, writePcap } from './testdata/pcap-fixtures.js';
import { atLeast, compareWithTshark } from './testdata/tshark-compare.js';

/** What veth-ethernet.pcap (and a fresh run of make-captures.sh) must contain. */
const ETHERNET_KINDS = {
  tcp4: 10, tcp6: 10, udp4: 3, udp6: 3, icmp4: 3, icmp6: 4, 'non-ip': 2, 'ip-fragment': 8,
  'icmp4-first-fragment': 2, 'icmp6-first-fragment': 2,
};
const COOKED_KINDS = { tcp4: 10, udp6: 2, icmp4: 2 };
const VLAN_KINDS = {
  'tcp4-vlan': 4, 'udp6-vlan': 4, 'icmp4-vlan': 4, 'icmp6-vlan': 3, 'non-ip': 1,
};

describe('decodePacket on committed real captures, field by field against tshark', () => {
  it('Ethernet on a veth: TCP/UDP/ICMP over v4 and v6, fragments, extension headers, ARP', () => {
    atLeast(compareWithTshark(testdataPath('veth-ethernet.pcap')), ETHERNET_KINDS);
  });
  it('Linux cooked v1 (tcpdump -i any -y LINUX_SLL)', () => {
    expect(readPcapFile(testdataPath('any-sll.pcap')).linktype).toBe(LINKTYPE_LINUX_SLL);
    atLeast(compareWithTshark(testdataPath('any-sll.pcap')), COOKED_KINDS);
  });
  it('Linux cooked v2 (tcpdump -i any -y LINUX_SLL2)', () => {
    expect(readPcapFile(testdataPath('any-sll2.pcap')).linktype).toBe(LINKTYPE_LINUX_SLL2);
    atLeast(compareWithTshark(testdataPath('any-sll2.pcap')), COOKED_KINDS);
  });
  it('802.1Q, QinQ (802.1ad and 0x9100 outer) and triple-stacked tags', () => {
    atLeast(compareWithTshark(testdataPath('vlan-tags.pcap')), VLAN_KINDS);
    // The outer tag is reported even when tshark files it under ieee8021ad.
    const rows = tsharkRows(testdataPath('vlan-tags.pcap'));
    const vlans = new Set(rows.map((r) => Number(r['ieee8021ad.id'] || r['vlan.id'])));
    expect([...vlans].sort((a, b) => a - b)).toEqual([10, 100, 300, 4094]);
  });
});

describe('decodePacket on other link types made from the same real frames', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'smd-decode-')); });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  /** Untagged IP frames of veth-ethernet.pcap with the 14-byte Ethernet header swapped for `header(version)`. */
  function relink(name: string, linktype: number, header: (version: number, i: number) => Uint8Array | null): string {
    const eth = readPcapFile(testdataPath('veth-ethernet.pcap'));
    const frames: { bytes: Uint8Array; wireLen: number }[] = [];
    eth.records.forEach((r, i) => {
      const type = (eth.buf[r.off + 12]! << 8) | eth.buf[r.off + 13]!;
      if (type !== 0x0800 && type !== 0x86dd) return;
      const h = header(type === 0x0800 ? 4 : 6, i);
      if (h === null) return;
      const bytes = new Uint8Array(h.length + r.capLen - 14);
      bytes.set(h);
      bytes.set(eth.buf.subarray(r.off + 14, r.off + r.capLen), h.length);
      frames.push({ bytes, wireLen: r.wireLen - 14 + h.length });
    });
    const path = join(dir, name);
    writePcap(path, linktype, frames);
    return path;
  }
  const af6 = [24, 28, 30];
  const u32 = (v: number, le: boolean): Uint8Array => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, le);
    return b;
  };
  const v4v6 = { tcp4: 10, tcp6: 10, udp4: 3, udp6: 3, icmp4: 3, icmp6: 4, 'ip-fragment': 8 };

  it('BSD NULL written on a little-endian host (AF_INET6 as 24, 28 and 30)', () => {
    const path = relink('null-le.pcap', LINKTYPE_NULL, (v, i) => u32(v === 4 ? 2 : af6[i % 3]!, true));
    atLeast(compareWithTshark(path), v4v6);
  });
  it('BSD NULL written on a big-endian host', () => {
    const path = relink('null-be.pcap', LINKTYPE_NULL, (v, i) => u32(v === 4 ? 2 : af6[i % 3]!, false));
    atLeast(compareWithTshark(path), v4v6);
  });
  it('OpenBSD LOOP (network byte order)', () => {
    const path = relink('loop.pcap', LINKTYPE_LOOP, (v) => u32(v === 4 ? 2 : 24, false));
    atLeast(compareWithTshark(path), v4v6);
  });
  for (const [name, lt] of [['RAW 101', LINKTYPE_RAW], ['RAW 12', LINKTYPE_RAW_OLD_12], ['RAW 14', LINKTYPE_RAW_OLD_14]] as const) {
    it(`raw IP, link type ${name}`, () => {
      const path = relink(`raw-${lt}.pcap`, lt, () => new Uint8Array(0));
      atLeast(compareWithTshark(path), v4v6);
    });
  }
  it('LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229)', () => {
    const p4 = relink('ipv4.pcap', LINKTYPE_IPV4, (v) => (v === 4 ? new Uint8Array(0) : null));
    atLeast(compareWithTshark(p4), { tcp4: 10, udp4: 3, icmp4: 3, 'ip-fragment': 4 });
    const p6 = relink('ipv6.pcap', LINKTYPE_IPV6, (v) => (v === 6 ? new Uint8Array(0) : null));
    atLeast(compareWithTshark(p6), { tcp6: 10, udp6: 3, icmp6: 4, 'ip-fragment': 4 });
  });
  it('an IPv6 packet on the IPv4-only link type is bad-ip-version, not decoded', () => {
    const eth = readPcapFile(testdataPath('veth-ethernet.pcap'));
    const r = eth.records.find((x) => eth.buf[x.off + 12] === 0x86)!;
    const p = createDecodedPacket();
    expect(decodePacket(p, eth.buf, r.off + 14, r.capLen - 14, r.wireLen - 14, LINKTYPE_IPV4)).toBe(Skip['bad-ip-version']);
    expect(decodePacket(p, eth.buf, r.off + 14, r.capLen - 14, r.wireLen - 14, LINKTYPE_IPV6)).toBe(Skip.ok);
  });
  it('Ethernet frames with padding and a trailer: the IP length wins over the frame length', () => {
    const eth = readPcapFile(testdataPath('veth-ethernet.pcap'));
    const frames = eth.records.map((r) => {
      const whole = r.capLen === r.wireLen;
      // Pad to the 60-byte minimum like a NIC, then 4 bytes of FCS-like trailer.
      const padded = whole ? Math.max(r.capLen, 60) + 4 : r.capLen;
      const bytes = new Uint8Array(padded).fill(0xee);
      bytes.set(eth.buf.subarray(r.off, r.off + r.capLen));
      return { bytes, wireLen: r.wireLen - r.capLen + padded };
    });
    const path = join(dir, 'padded.pcap');
    writePcap(path, LINKTYPE_ETHERNET, frames);
    atLeast(compareWithTshark(path), ETHERNET_KINDS);
    // And the decode equals the unpadded one, field by field.
    const padded = readPcapFile(path);
    const a = createDecodedPacket();
    const b = createDecodedPacket();
    eth.records.forEach((r, i) => {
      const q = padded.records[i]!;
      const ra = decodePacket(a, eth.buf, r.off, r.capLen, r.wireLen, LINKTYPE_ETHERNET);
      const rb = decodePacket(b, padded.buf, q.off, q.capLen, q.wireLen, LINKTYPE_ETHERNET);
      expect(rb).toBe(ra);
      const rel = (p: DecodedPacket, off: number) => ({ ...p, buf: 0, wireLen: 0, payloadOff: p.payloadOff && p.payloadOff - off });
      expect(rel(b, q.off)).toEqual(rel(a, r.off));
    });
  });
});

describe('decodePacket on traffic captured during this test run', () => {
  // make-captures.sh makes its own network namespaces (and removes them); it needs root, ip, tcpdump,
  // curl, socat and python3, and fails loudly without them.
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'smd-capture-'));
    execFileSync('bash', [testdataPath('make-captures.sh'), dir], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 90_000 });
  });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  it('Ethernet', () => { atLeast(compareWithTshark(join(dir, 'veth-ethernet.pcap')), ETHERNET_KINDS); });
  it('SLL', () => { atLeast(compareWithTshark(join(dir, 'any-sll.pcap')), COOKED_KINDS); });
  it('SLL2', () => { atLeast(compareWithTshark(join(dir, 'any-sll2.pcap')), COOKED_KINDS); });
  it('VLAN tags', () => { atLeast(compareWithTshark(join(dir, 'vlan-tags.pcap')), VLAN_KINDS); });
});

describe('decodePacket on real packets cut short at every byte', () => {
  const RANK: Partial<Record<SkipReason, number>> = { 'truncated-link': 0, 'truncated-ip': 1, 'truncated-l4': 2 };

  for (const name of ['veth-ethernet.pcap', 'any-sll.pcap', 'any-sll2.pcap', 'vlan-tags.pcap']) {
    it(`${name}: snap length cuts give truncated-* in layer order, then the full result`, () => {
      const file = readPcapFile(testdataPath(name));
      const full = createDecodedPacket();
      const cut = createDecodedPacket();
      for (const r of file.records) {
        const want = decodePacket(full, file.buf, r.off, r.capLen, r.wireLen, file.linktype);
        let lastRank = -1;
        for (let capLen = 0; capLen <= r.capLen; capLen++) {
          // The wire length stays: the link says the rest was there, only the snap length cut it.
          const got = decodePacket(cut, file.buf, r.off, capLen, r.wireLen, file.linktype);
          const at = `${name} @${r.off} cut at ${capLen}: ${SKIP_REASONS[got]}`;
          if (got === want) {
            lastRank = 3;
            if (got === Skip.ok) {
              expect([cut.src3, cut.dst3, cut.sport, cut.dport, cut.proto, cut.ipLen, cut.payloadLen, cut.vlan], at)
                .toEqual([full.src3, full.dst3, full.sport, full.dport, full.proto, full.ipLen, full.payloadLen, full.vlan]);
              expect(cut.payloadCap, at).toBe(Math.max(0, Math.min(full.payloadCap, r.off + capLen - cut.payloadOff)));
            }
            continue;
          }
          const rank = RANK[SKIP_REASONS[got]!];
          expect(rank, at).toBeDefined();
          expect(rank!, at).toBeGreaterThanOrEqual(lastRank);
          expect(lastRank, `${at} after the full result`).toBeLessThan(3);
          lastRank = rank!;
        }
        expect(lastRank, `${name} @${r.off}: full capture gives the full result`).toBe(3);
      }
    });
  }

  it('records whose wire length is also cut never throw and never decode past the bytes', () => {
    const file = readPcapFile(testdataPath('veth-ethernet.pcap'));
    const p = createDecodedPacket();
    let decoded = 0;
    for (const r of file.records) {
      for (let len = 0; len <= r.capLen; len++) {
        // A private copy exactly `len` long, so a read past the end would come back undefined.
        const bytes = file.buf.slice(r.off, r.off + len);
        const got = decodePacket(p, bytes, 0, len, len, LINKTYPE_ETHERNET);
        expect(got >= 0 && got < SKIP_REASONS.length).toBe(true);
        if (got === Skip.ok) {
          decoded++;
          expect(p.ipLen).toBeLessThanOrEqual(len);
          expect(p.payloadOff + p.payloadCap).toBeLessThanOrEqual(len);
          expect(Number.isInteger(p.sport) && Number.isInteger(p.src3) && Number.isInteger(p.payloadLen)).toBe(true);
        }
      }
    }
    expect(decoded).toBeGreaterThan(0);
  });
});

describe('decodePacket on mutated real packets', () => {
  it('never throws and never reports bytes outside the record, under every link type', () => {
    const sources = ['veth-ethernet.pcap', 'any-sll.pcap', 'any-sll2.pcap', 'vlan-tags.pcap'].map((n) => readPcapFile(testdataPath(n)));
    const frames = sources.flatMap((f) => f.records.map((r) => f.buf.slice(r.off, r.off + r.capLen)));
    const linktypes = [LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_NULL, LINKTYPE_LOOP,
      LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6];
    let seed = 0x9e3779b9;
    const rnd = (n: number): number => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) % n; };
    const p = createDecodedPacket();
    const seen = new Set<number>();
    // Each round: a real frame, a few bytes flipped in its first 80, cut to a random length, at a
    // random offset inside a larger buffer whose other bytes are junk.
    for (let round = 0; round < 20_000; round++) {
      const frame = frames[rnd(frames.length)]!;
      const len = rnd(frame.length + 1);
      const pad = rnd(8);
      const buf = new Uint8Array(pad + len + rnd(8)).fill(0xa5);
      buf.set(frame.subarray(0, len), pad);
      for (let k = rnd(4); k > 0; k--) buf[pad + rnd(Math.min(80, len) || 1)] = rnd(256);
      const wireLen = rnd(2) ? len : len + rnd(1500);
      const lt = linktypes[rnd(linktypes.length)]!;
      const got = decodePacket(p, buf, pad, len, wireLen, lt);
      expect(Number.isInteger(got) && got >= 0 && got < SKIP_REASONS.length).toBe(true);
      seen.add(got);
      if (got !== Skip.ok) continue;
      const at = `round ${round}`;
      expect(p.payloadLen, at).toBeGreaterThanOrEqual(0);
      expect(p.payloadCap, at).toBeGreaterThanOrEqual(0);
      expect(p.payloadCap, at).toBeLessThanOrEqual(p.payloadLen);
      expect(p.payloadOff + p.payloadCap, at).toBeLessThanOrEqual(pad + len);
      expect(p.payloadOff, at).toBeGreaterThan(pad);
      expect(p.ipLen, at).toBeLessThanOrEqual(Math.max(wireLen, len));
      expect(p.sport < 65536 && p.dport < 65536 && p.vlan < 4096, at).toBe(true);
    }
    // The mutations reach every layer's checks.
    for (const r of ['ok', 'non-ip', 'truncated-link', 'truncated-ip', 'bad-ip-version', 'bad-ip-header', 'bad-ip-length',
      'ip-fragment', 'unsupported-l4', 'truncated-l4', 'bad-l4-header'] as const) {
      expect(seen.has(Skip[r]), r).toBe(true);
    }
  });
});
