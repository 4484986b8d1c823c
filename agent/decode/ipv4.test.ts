// IPv4: options, lengths, fragments, and bogus headers, built from real packets of testdata/.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_RAW } from '../capture/source.js';
import { formatAddress } from './address.js';
import { decodePacket } from './decode-packet.js';
import { createDecodedPacket, FRAG_FIRST, FRAG_NONE, IPPROTO_ICMP, IPPROTO_TCP, Skip } from './packet.js';
import { readPcapFile, testdataPath, writePcap, type PcapFile } from './testdata/pcap-fixtures.js';
import { atLeast, compareWithTshark } from './testdata/tshark-compare.js';

let eth: PcapFile;
beforeAll(() => { eth = readPcapFile(testdataPath('veth-ethernet.pcap')); });

/** IP bytes (Ethernet header removed) of the first whole IPv4 frame matching `pred`. */
function ipv4Packet(pred: (ip: Uint8Array) => boolean): Uint8Array {
  for (const r of eth.records) {
    if (r.capLen !== r.wireLen || eth.buf[r.off + 12] !== 0x08 || eth.buf[r.off + 13] !== 0x00) continue;
    const ip = eth.buf.slice(r.off + 14, r.off + r.capLen);
    if (pred(ip)) return ip;
  }
  throw new Error('no such packet in veth-ethernet.pcap');
}
const tcpWithData = (): Uint8Array => ipv4Packet((ip) => ip[9] === IPPROTO_TCP && ip.length > 60);
const setU16 = (b: Uint8Array, o: number, v: number): void => { b[o] = v >> 8; b[o + 1] = v & 0xff; };

/** The packet with IPv4 options inserted after the fixed header (IHL and total length adjusted). */
function withOptions(ip: Uint8Array, options: number[]): Uint8Array {
  const out = new Uint8Array(ip.length + options.length);
  out.set(ip.subarray(0, 20));
  out.set(options, 20);
  out.set(ip.subarray(20), 20 + options.length);
  out[0] = 0x40 | ((20 + options.length) / 4);
  setU16(out, 2, ip.length + options.length);
  return out;
}

const p = createDecodedPacket();
const decodeRaw = (ip: Uint8Array, capLen = ip.length, wireLen = ip.length): number =>
  decodePacket(p, ip, 0, capLen, wireLen, LINKTYPE_RAW);

describe('IPv4 header options (IHL > 5)', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'smd-ipv4-')); });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  it('skips options of every size up to 40 bytes; tshark agrees on every field', () => {
    const base = tcpWithData();
    const frames: { bytes: Uint8Array; wireLen: number }[] = [];
    // NOP padding, Router Alert (RFC 2113), Record Route (RFC 791) with room for 9 addresses + EOL.
    const optionSets = [[1, 1, 1, 0], [0x94, 4, 0, 0], [1, 1, 1, 1, 1, 1, 1, 0], [7, 39, 4, ...new Array(36).fill(0), 0]];
    for (const o of optionSets) frames.push({ bytes: withOptions(base, o), wireLen: base.length + o.length });
    const path = join(dir, 'options.pcap');
    writePcap(path, LINKTYPE_IPV4, frames);
    atLeast(compareWithTshark(path), { tcp4: 4 });
    // Same transport fields as without options.
    expect(decodeRaw(base)).toBe(Skip.ok);
    const plain = { ...p };
    for (const f of frames) {
      expect(decodeRaw(f.bytes)).toBe(Skip.ok);
      expect([p.sport, p.dport, p.tcpSeq, p.payloadLen, p.ipLen - f.bytes.length])
        .toEqual([plain.sport, plain.dport, plain.tcpSeq, plain.payloadLen, 0]);
      expect(p.payloadOff).toBe(plain.payloadOff + f.bytes.length - base.length);
    }
  });

  it('options cut by the snap length are truncated-ip; the transport header cut is truncated-l4', () => {
    const ip = withOptions(tcpWithData(), [1, 1, 1, 1, 1, 1, 1, 0]);
    expect(decodeRaw(ip, 27)).toBe(Skip['truncated-ip']);
    expect(decodeRaw(ip, 28)).toBe(Skip['truncated-l4']);
    expect(decodeRaw(ip, 28 + 13)).toBe(Skip['truncated-l4']);
    expect(decodeRaw(ip, 28 + 14)).toBe(Skip.ok);
    expect(p.payloadCap).toBe(0);
    expect(p.payloadLen).toBeGreaterThan(0);
  });
});

describe('IPv4 lengths', () => {
  it('uses the total length, not the frame length, when the frame is padded', () => {
    const ip = tcpWithData();
    const padded = new Uint8Array(ip.length + 30).fill(0x55);
    padded.set(ip);
    expect(decodeRaw(padded)).toBe(Skip.ok);
    expect(p.ipLen).toBe(ip.length);
    expect(p.payloadOff + p.payloadCap).toBe(ip.length);
  });

  it('a total length below the header length is bad-ip-length', () => {
    for (const total of [0, 1, 19]) {
      const ip = tcpWithData();
      setU16(ip, 2, total);
      expect(decodeRaw(ip), `total ${total}`).toBe(Skip['bad-ip-length']);
    }
  });

  it('a total length beyond the bytes on the wire is bad-ip-length (a cut snap length is not)', () => {
    const ip = tcpWithData();
    setU16(ip, 2, ip.length + 1);
    expect(decodeRaw(ip)).toBe(Skip['bad-ip-length']);
    expect(decodeRaw(tcpWithData(), 40, 60_000)).toBe(Skip.ok);
    setU16(ip, 2, 0xffff);
    expect(decodeRaw(ip)).toBe(Skip['bad-ip-length']);
  });

  it('IHL below 5, or longer than the packet on the wire, is bad-ip-header', () => {
    for (const ihl of [0, 1, 4]) {
      const ip = tcpWithData();
      ip[0] = 0x40 | ihl;
      expect(decodeRaw(ip), `IHL ${ihl}`).toBe(Skip['bad-ip-header']);
    }
    const ack = ipv4Packet((ip) => ip[9] === IPPROTO_TCP && ip.length === 40);
    ack[0] = 0x4f; // 60-byte header in a 40-byte packet
    expect(decodeRaw(ack)).toBe(Skip['bad-ip-header']);
    // … but only cut by the snap length when the wire had the bytes.
    expect(decodeRaw(ack, 40, 100)).toBe(Skip['truncated-ip']);
  });

  it('a version nibble that is not 4 under EtherType IPv4 is bad-ip-version', () => {
    for (const v of [0, 5, 6, 15]) {
      const frame = new Uint8Array(14 + 60);
      frame[12] = 0x08;
      const ip = tcpWithData().subarray(0, 60);
      frame.set(ip, 14);
      frame[14] = (v << 4) | 5;
      expect(decodePacket(p, frame, 0, frame.length, frame.length, LINKTYPE_ETHERNET), `version ${v}`).toBe(Skip['bad-ip-version']);
    }
  });
});

describe('IPv4 fragments', () => {
  const reasonAndFragment = (flagsFragment: number): [number, number] => {
    const ip = ipv4Packet((x) => x[9] === IPPROTO_ICMP && x[20] === 8);
    setU16(ip, 6, flagsFragment);
    return [decodeRaw(ip), p.fragment];
  };

  it('MF with offset 0 is a first fragment and decodes on', () => {
    expect(reasonAndFragment(0x2000)).toEqual([Skip.ok, FRAG_FIRST]);
    expect(p.icmpId).not.toBe(0);
  });
  it('DF alone, or no flags, is not a fragment', () => {
    expect(reasonAndFragment(0x4000)).toEqual([Skip.ok, FRAG_NONE]);
    expect(reasonAndFragment(0)).toEqual([Skip.ok, FRAG_NONE]);
  });
  it('a non-zero offset, with or without MF, is ip-fragment, addresses and length still filled in', () => {
    for (const v of [0x2001, 0x0001, 0x1fff, 0x3fff]) {
      expect(reasonAndFragment(v)[0], `flags/offset 0x${v.toString(16)}`).toBe(Skip['ip-fragment']);
      expect(formatAddress(p.src0, p.src1, p.src2, p.src3)).toBe('10.99.0.1');
      expect(p.proto).toBe(IPPROTO_ICMP);
      expect(p.ipLen).toBeGreaterThan(20);
    }
  });
  it('real fragments of ping -s 3000: first decodes (MF), the others are ip-fragment', () => {
    const reasons: string[] = [];
    for (const r of eth.records) {
      const ip = eth.buf.subarray(r.off + 14, r.off + r.capLen);
      if (eth.buf[r.off + 12] !== 0x08 || eth.buf[r.off + 13] !== 0x00) continue;
      if ((((ip[6]! << 8) | ip[7]!) & 0x3fff) === 0) continue; // neither MF nor an offset
      const got = decodePacket(p, eth.buf, r.off, r.capLen, r.wireLen, LINKTYPE_ETHERNET);
      reasons.push(got === Skip.ok ? `ok/${p.fragment}` : String(got));
    }
    expect(reasons).toEqual(['ok/1', String(Skip['ip-fragment']), String(Skip['ip-fragment']),
      'ok/1', String(Skip['ip-fragment']), String(Skip['ip-fragment'])]);
  });
});
