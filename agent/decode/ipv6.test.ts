// IPv6: extension-header chains (RFC 8200 §4), fragments, lengths, built around a real UDP packet.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINKTYPE_ETHERNET, LINKTYPE_IPV6, LINKTYPE_RAW } from '../capture/source.js';
import { formatAddress } from './address.js';
import { decodePacket } from './decode-packet.js';
import {
  IPV6_AH, IPV6_DSTOPTS, IPV6_FRAGMENT, IPV6_HIP, IPV6_HOPOPTS, IPV6_MOBILITY, IPV6_ROUTING, IPV6_SHIM6,
  MAX_EXT_HEADERS,
} from './ipv6.js';
import { createDecodedPacket, FRAG_FIRST, FRAG_NONE, IPPROTO_UDP, Skip } from './packet.js';
import { readPcapFile, testdataPath, writePcap } from './testdata/pcap-fixtures.js';
import { atLeast, compareWithTshark } from './testdata/tshark-compare.js';

/** IPv6 bytes of the first whole UDP-over-IPv6 frame in veth-ethernet.pcap, without extension headers. */
let udp6: Uint8Array;
beforeAll(() => {
  const eth = readPcapFile(testdataPath('veth-ethernet.pcap'));
  const r = eth.records.find((x) => eth.buf[x.off + 12] === 0x86 && eth.buf[x.off + 20] === IPPROTO_UDP && x.capLen === x.wireLen)!;
  udp6 = eth.buf.slice(r.off + 14, r.off + r.capLen);
});

interface Ext { type: number; bytes: number[] }
/** Options header (hop-by-hop, destination) of 8*(units+1) bytes holding one PadN option. */
const opts = (type: number, units = 0): Ext => {
  const size = 8 * (units + 1);
  return { type, bytes: [0, units, 1, size - 4, ...new Array(size - 4).fill(0)] };
};
/** Routing header of an experimental type (RFC 4727) with Segments Left 0: nodes pass it over. */
const routing = (): Ext => ({ type: IPV6_ROUTING, bytes: [0, 0, 253, 0, 0, 0, 0, 0] });
const fragment = (offset8: number, more: boolean): Ext =>
  ({ type: IPV6_FRAGMENT, bytes: [0, 0, offset8 >> 5, ((offset8 << 3) & 0xf8) | (more ? 1 : 0), 0xde, 0xad, 0xbe, 0xef] });
/** AH with a 12-byte ICV: payload length field 4 → (4 + 2) * 4 = 24 bytes (RFC 4302 §2.2). */
const ah = (): Ext => ({ type: IPV6_AH, bytes: [0, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, ...new Array(12).fill(0)] });
const generic = (type: number): Ext => ({ type, bytes: [0, 0, 0, 0, 0, 0, 0, 0] });

/** `udp6` with the headers inserted after the fixed header, next-header chain and payload length fixed. */
function withExt(chain: Ext[], base = udp6): Uint8Array {
  const extLen = chain.reduce((n, e) => n + e.bytes.length, 0);
  const out = new Uint8Array(base.length + extLen);
  out.set(base.subarray(0, 40));
  let o = 40;
  let nextField = 6; // where the previous header keeps its next-header byte
  for (const e of chain) {
    out[nextField] = e.type;
    out.set(e.bytes, o);
    nextField = o;
    o += e.bytes.length;
  }
  out[nextField] = base[6]!;
  out.set(base.subarray(40), o);
  const plen = base.length - 40 + extLen;
  out[4] = plen >> 8; out[5] = plen & 0xff;
  return out;
}

const p = createDecodedPacket();
const decodeRaw = (ip: Uint8Array, capLen = ip.length, wireLen = ip.length): number =>
  decodePacket(p, ip, 0, capLen, wireLen, LINKTYPE_RAW);

describe('IPv6 extension headers', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'smd-ipv6-')); });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  it('hop-by-hop, routing, destination options and fragment chains: tshark agrees on every field', () => {
    const chains: Ext[][] = [
      [opts(IPV6_HOPOPTS)], [opts(IPV6_DSTOPTS, 3)], [routing()], [fragment(0, true)], [fragment(0, false)],
      [opts(IPV6_HOPOPTS, 1), opts(IPV6_DSTOPTS), routing(), fragment(0, true), opts(IPV6_DSTOPTS, 2)],
    ];
    const path = join(dir, 'ext.pcap');
    writePcap(path, LINKTYPE_IPV6, chains.map((c) => { const b = withExt(c); return { bytes: b, wireLen: b.length }; }));
    atLeast(compareWithTshark(path), { udp6: 4, 'udp6-first-fragment': 2 });
  });

  it('walks AH, Mobility, HIP and Shim6 headers too, to the same UDP payload', () => {
    expect(decodeRaw(udp6)).toBe(Skip.ok);
    const plain = { ...p };
    for (const chain of [[ah()], [generic(IPV6_MOBILITY)], [generic(IPV6_HIP)], [generic(IPV6_SHIM6)],
      [opts(IPV6_HOPOPTS), ah(), generic(IPV6_SHIM6), opts(IPV6_DSTOPTS)]]) {
      const ip = withExt(chain);
      expect(decodeRaw(ip), chain.map((e) => e.type).join(',')).toBe(Skip.ok);
      expect([p.proto, p.sport, p.dport, p.payloadLen, p.payloadCap, p.ipLen])
        .toEqual([IPPROTO_UDP, plain.sport, plain.dport, plain.payloadLen, plain.payloadCap, ip.length]);
      expect(p.payloadOff).toBe(plain.payloadOff + ip.length - udp6.length);
    }
  });

  it('a fragment header: offset 0 with M is the first fragment; offset 0 without M is atomic (RFC 6946)', () => {
    expect(decodeRaw(withExt([fragment(0, true)]))).toBe(Skip.ok);
    expect(p.fragment).toBe(FRAG_FIRST);
    expect(decodeRaw(withExt([fragment(0, false)]))).toBe(Skip.ok);
    expect(p.fragment).toBe(FRAG_NONE);
  });

  it('a fragment header with an offset is ip-fragment, with addresses, length and protocol filled in', () => {
    for (const [off, more] of [[1, true], [185, false], [8191, true]] as const) {
      const ip = withExt([opts(IPV6_HOPOPTS), fragment(off, more)]);
      expect(decodeRaw(ip)).toBe(Skip['ip-fragment']);
      expect([formatAddress(p.src0, p.src1, p.src2, p.src3), p.proto, p.ipLen]).toEqual(['fd00:99::1', IPPROTO_UDP, ip.length]);
    }
  });

  it(`up to ${MAX_EXT_HEADERS} headers are walked; one more is bad-ip-header`, () => {
    expect(decodeRaw(withExt(new Array(MAX_EXT_HEADERS).fill(opts(IPV6_DSTOPTS))))).toBe(Skip.ok);
    expect(decodeRaw(withExt(new Array(MAX_EXT_HEADERS + 1).fill(opts(IPV6_DSTOPTS))))).toBe(Skip['bad-ip-header']);
  });

  it('a chain that never ends (every header names another) stops at the bound or the payload end', () => {
    // 2 KB of zeros after the fixed header: hop-by-hop headers naming hop-by-hop, 8 bytes each.
    const zeros = new Uint8Array(40 + 2048);
    zeros.set(udp6.subarray(0, 40));
    zeros[4] = 2048 >> 8; zeros[5] = 0; zeros[6] = IPV6_HOPOPTS;
    expect(decodeRaw(zeros)).toBe(Skip['bad-ip-header']);
    // The same, but the payload length ends inside the chain.
    zeros[4] = 0; zeros[5] = 20;
    expect(decodeRaw(zeros)).toBe(Skip['bad-ip-header']);
    // Destination options of the maximum size (2 KB) naming themselves.
    const big = new Uint8Array(40 + 4 * 2048).fill(0);
    big.set(udp6.subarray(0, 40));
    const plen = 4 * 2048;
    big[4] = plen >> 8; big[5] = plen & 0xff; big[6] = IPV6_DSTOPTS;
    for (let o = 40; o < big.length; o += 2048) { big[o] = IPV6_DSTOPTS; big[o + 1] = 255; }
    expect(decodeRaw(big)).toBe(Skip['bad-ip-header']);
  });

  it('an extension header longer than the payload length is bad-ip-header', () => {
    const ip = withExt([opts(IPV6_DSTOPTS)]);
    ip[41] = 10; // claims 88 bytes
    expect(decodeRaw(ip)).toBe(Skip['bad-ip-header']);
  });

  it('an extension header cut by the snap length is truncated-ip; the transport header, truncated-l4', () => {
    const ip = withExt([opts(IPV6_HOPOPTS), opts(IPV6_DSTOPTS, 1)]);
    for (let cap = 40; cap < 40 + 8 + 16; cap++) expect(decodeRaw(ip, cap, ip.length), `cap ${cap}`).toBe(Skip['truncated-ip']);
    for (let cap = 64; cap < 64 + 6; cap++) expect(decodeRaw(ip, cap, ip.length), `cap ${cap}`).toBe(Skip['truncated-l4']);
    expect(decodeRaw(ip, 70, ip.length)).toBe(Skip.ok);
  });

  it('ESP, No Next Header and other protocols end the walk as unsupported-l4', () => {
    for (const nh of [50, 59, 47, 132, 4, 41, 1, 255]) {
      const ip = udp6.slice();
      ip[6] = nh;
      expect(decodeRaw(ip), `next header ${nh}`).toBe(Skip['unsupported-l4']);
      expect(p.proto).toBe(nh);
      const chained = withExt([opts(IPV6_HOPOPTS), opts(IPV6_DSTOPTS)], ip);
      expect(decodeRaw(chained), `next header ${nh} after options`).toBe(Skip['unsupported-l4']);
    }
  });
});

describe('IPv6 lengths and version', () => {
  it('uses the payload length, not the frame length, when the frame is padded', () => {
    const padded = new Uint8Array(udp6.length + 9).fill(0xaa);
    padded.set(udp6);
    expect(decodeRaw(padded)).toBe(Skip.ok);
    expect([p.ipLen, p.payloadOff + p.payloadCap]).toEqual([udp6.length, udp6.length]);
  });
  it('a payload length beyond the bytes on the wire is bad-ip-length', () => {
    const ip = udp6.slice();
    ip[5] += 1;
    expect(decodeRaw(ip)).toBe(Skip['bad-ip-length']);
  });
  it('payload length 0 (a jumbogram, RFC 2675) is not decoded as a UDP packet', () => {
    const ip = udp6.slice();
    ip[4] = 0; ip[5] = 0;
    expect(decodeRaw(ip)).toBe(Skip['bad-l4-header']);
  });
  it('fewer than 40 bytes on the wire is bad-ip-header; fewer captured is truncated-ip', () => {
    expect(decodeRaw(udp6, 39, 39)).toBe(Skip['bad-ip-header']);
    expect(decodeRaw(udp6, 39, udp6.length)).toBe(Skip['truncated-ip']);
  });
  it('a version nibble that is not 6 under EtherType IPv6 is bad-ip-version', () => {
    const frame = new Uint8Array(14 + udp6.length);
    frame[12] = 0x86; frame[13] = 0xdd;
    frame.set(udp6, 14);
    frame[14] = 0x45;
    expect(decodePacket(p, frame, 0, frame.length, frame.length, LINKTYPE_ETHERNET)).toBe(Skip['bad-ip-version']);
  });
});
