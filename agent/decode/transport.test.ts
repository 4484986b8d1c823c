// TCP, UDP, ICMP, ICMPv6: required fields vs snap length, bogus lengths, unsupported protocols; built
// from real packets of testdata/ with their IP header lengths kept consistent.
import { beforeAll, describe, expect, it } from 'vitest';
import { LINKTYPE_RAW } from '../capture/source.js';
import { decodePacket } from './decode-packet.js';
import { createDecodedPacket, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, Skip } from './packet.js';
import { readPcapFile, testdataPath } from './testdata/pcap-fixtures.js';

/** Whole IP packets (Ethernet header removed) from veth-ethernet.pcap. */
let packets: Uint8Array[];
beforeAll(() => {
  const f = readPcapFile(testdataPath('veth-ethernet.pcap'));
  const type = (off: number): number => (f.buf[off + 12]! << 8) | f.buf[off + 13]!;
  packets = f.records.filter((r) => r.capLen === r.wireLen && (type(r.off) === 0x0800 || type(r.off) === 0x86dd))
    .map((r) => f.buf.slice(r.off + 14, r.off + r.capLen));
});
const l4Off = (ip: Uint8Array): number => (ip[0]! >> 4 === 4 ? (ip[0]! & 15) * 4 : 40);
const proto = (ip: Uint8Array): number => (ip[0]! >> 4 === 4 ? ip[9]! : ip[6]!);
function find(version: number, pr: number, pred: (ip: Uint8Array, l4: number) => boolean = () => true): Uint8Array {
  const ip = packets.find((x) => x[0]! >> 4 === version && proto(x) === pr && pred(x, l4Off(x)));
  if (!ip) throw new Error(`no v${version} proto ${pr} packet in veth-ethernet.pcap`);
  return ip.slice();
}

const p = createDecodedPacket();
const decodeRaw = (ip: Uint8Array, capLen = ip.length, wireLen = ip.length): number =>
  decodePacket(p, ip, 0, capLen, wireLen, LINKTYPE_RAW);

/** Appends `extra` bytes to the transport header region and fixes the IP length field. */
function grow(ip: Uint8Array, extra: number): Uint8Array {
  const out = new Uint8Array(ip.length + extra);
  out.set(ip);
  if (ip[0]! >> 4 === 4) { const t = ip.length + extra; out[2] = t >> 8; out[3] = t & 0xff; } else {
    const pl = ip.length + extra - 40; out[4] = pl >> 8; out[5] = pl & 0xff;
  }
  return out;
}

describe('TCP', () => {
  it('needs only the first 14 bytes for ports, seq, ack and flags; the payload may be cut', () => {
    for (const v of [4, 6]) {
      const ip = find(v, IPPROTO_TCP, (x, l4) => x.length - l4 > 40); // carries data
      const l4 = l4Off(ip);
      expect(decodeRaw(ip)).toBe(Skip.ok);
      const full = { ...p };
      for (let cap = l4; cap < l4 + 14; cap++) expect(decodeRaw(ip, cap, ip.length), `v${v} cap ${cap}`).toBe(Skip['truncated-l4']);
      for (let cap = l4 + 14; cap <= ip.length; cap++) {
        expect(decodeRaw(ip, cap, ip.length)).toBe(Skip.ok);
        expect([p.sport, p.dport, p.tcpSeq, p.tcpAck, p.tcpFlags, p.payloadLen])
          .toEqual([full.sport, full.dport, full.tcpSeq, full.tcpAck, full.tcpFlags, full.payloadLen]);
        expect(p.payloadCap).toBe(Math.max(0, cap - full.payloadOff));
      }
    }
  });
  it('every flag bit is reported; seq and ack are unsigned 32-bit', () => {
    const ip = find(4, IPPROTO_TCP);
    const l4 = l4Off(ip);
    ip[l4 + 13] = 0xff;
    ip.fill(0xff, l4 + 4, l4 + 12);
    expect(decodeRaw(ip)).toBe(Skip.ok);
    expect([p.tcpFlags, p.tcpSeq, p.tcpAck]).toEqual([0xff, 0xffffffff, 0xffffffff]);
  });
  it('a data offset below 5 or past the IP payload is bad-l4-header', () => {
    const base = find(4, IPPROTO_TCP, (x, l4) => x.length - l4 === 32); // 12 bytes of options, no data
    const l4 = l4Off(base);
    for (const doff of [0, 1, 4, 9, 15]) {
      const ip = base.slice();
      ip[l4 + 12] = (doff << 4) | (ip[l4 + 12]! & 15);
      expect(decodeRaw(ip), `data offset ${doff}`).toBe(Skip['bad-l4-header']);
    }
    const ip = base.slice();
    ip[l4 + 12] = (8 << 4);
    expect(decodeRaw(ip)).toBe(Skip.ok);
    expect([p.payloadLen, p.payloadCap, p.payloadOff]).toEqual([0, 0, l4 + 32]);
  });
  it('an IP payload shorter than 20 bytes cannot hold TCP: bad-l4-header', () => {
    const ip = find(4, IPPROTO_TCP).subarray(0, 20 + 19).slice();
    ip[2] = 0; ip[3] = 39;
    expect(decodeRaw(ip)).toBe(Skip['bad-l4-header']);
  });
});

describe('UDP', () => {
  it('needs only ports and length (6 bytes)', () => {
    for (const v of [4, 6]) {
      const ip = find(v, IPPROTO_UDP);
      const l4 = l4Off(ip);
      for (let cap = l4; cap < l4 + 6; cap++) expect(decodeRaw(ip, cap, ip.length)).toBe(Skip['truncated-l4']);
      expect(decodeRaw(ip, l4 + 6, ip.length)).toBe(Skip.ok);
      expect([p.payloadLen, p.payloadCap]).toEqual([ip.length - l4 - 8, 0]);
    }
  });
  it('a UDP length shorter than the IP payload wins (the rest is padding)', () => {
    const ip = grow(find(4, IPPROTO_UDP), 10);
    expect(decodeRaw(ip)).toBe(Skip.ok);
    expect([p.ipLen, p.payloadLen, p.payloadCap]).toEqual([ip.length, ip.length - 10 - 28, ip.length - 10 - 28]);
  });
  it('a UDP length longer than the IP payload is cut to the IP payload', () => {
    const ip = find(6, IPPROTO_UDP);
    const l4 = l4Off(ip);
    ip[l4 + 4] = 0x05; ip[l4 + 5] = 0xdc;
    expect(decodeRaw(ip)).toBe(Skip.ok);
    expect([p.payloadLen, p.payloadCap]).toEqual([ip.length - l4 - 8, ip.length - l4 - 8]);
  });
  it('a UDP length below 8, or an IP payload below 8, is bad-l4-header', () => {
    for (const len of [0, 1, 7]) {
      const ip = find(4, IPPROTO_UDP);
      ip[l4Off(ip) + 4] = 0; ip[l4Off(ip) + 5] = len;
      expect(decodeRaw(ip), `udp length ${len}`).toBe(Skip['bad-l4-header']);
    }
    const ip = find(4, IPPROTO_UDP).slice(0, 27);
    ip[2] = 0; ip[3] = 27;
    expect(decodeRaw(ip)).toBe(Skip['bad-l4-header']);
  });
});

describe('ICMP and ICMPv6', () => {
  it('echo: type, code and identifier; the identifier needs 6 bytes', () => {
    for (const [v, pr, req] of [[4, IPPROTO_ICMP, 8], [6, IPPROTO_ICMPV6, 128]] as const) {
      const ip = find(v, pr, (x, l4) => x[l4] === req);
      const l4 = l4Off(ip);
      expect(decodeRaw(ip)).toBe(Skip.ok);
      expect([p.sport, p.dport, p.icmpId]).toEqual([req, 0, (ip[l4 + 4]! << 8) | ip[l4 + 5]!]);
      expect(p.icmpId).not.toBe(0);
      expect(p.payloadLen).toBe(ip.length - l4 - 8);
      for (let cap = l4; cap < l4 + 6; cap++) expect(decodeRaw(ip, cap, ip.length), `v${v} cap ${cap}`).toBe(Skip['truncated-l4']);
      expect(decodeRaw(ip, l4 + 6, ip.length)).toBe(Skip.ok);
      // The echo reply type of each family is also an echo.
      ip[l4] = v === 4 ? 0 : 129;
      expect(decodeRaw(ip)).toBe(Skip.ok);
      expect(p.icmpId).not.toBe(0);
    }
  });
  it('other messages: identifier 0, and type + code (2 bytes) suffice', () => {
    const unreach = find(4, IPPROTO_ICMP, (x, l4) => x[l4] === 3);
    const l4 = l4Off(unreach);
    expect(decodeRaw(unreach, l4 + 1, unreach.length)).toBe(Skip['truncated-l4']);
    expect(decodeRaw(unreach, l4 + 2, unreach.length)).toBe(Skip.ok);
    expect([p.sport, p.dport, p.icmpId]).toEqual([3, 3, 0]);
    // Echo type numbers of the other family are not echoes.
    const ns = find(6, IPPROTO_ICMPV6, (x, o) => x[o] === 135);
    ns[40] = 8;
    expect(decodeRaw(ns)).toBe(Skip.ok);
    expect(p.icmpId).toBe(0);
  });
  it('fewer than 8 bytes of ICMP is bad-l4-header', () => {
    const ip = find(4, IPPROTO_ICMP).slice(0, 27);
    ip[2] = 0; ip[3] = 27;
    expect(decodeRaw(ip)).toBe(Skip['bad-l4-header']);
  });
  it('ICMPv4 inside IPv6 and ICMPv6 inside IPv4 are unsupported-l4', () => {
    const v4 = find(4, IPPROTO_ICMP);
    v4[9] = IPPROTO_ICMPV6;
    expect(decodeRaw(v4)).toBe(Skip['unsupported-l4']);
    const v6 = find(6, IPPROTO_ICMPV6);
    v6[6] = IPPROTO_ICMP;
    expect(decodeRaw(v6)).toBe(Skip['unsupported-l4']);
  });
});

describe('unsupported transport protocols', () => {
  it('GRE, SCTP, ESP, AH over IPv4, IP-in-IP, IGMP, OSPF… are unsupported-l4 with the protocol set', () => {
    for (const pr of [47, 132, 50, 51, 4, 41, 2, 89, 0, 255]) {
      const ip = find(4, IPPROTO_UDP);
      ip[9] = pr;
      expect(decodeRaw(ip), `protocol ${pr}`).toBe(Skip['unsupported-l4']);
      expect(p.proto).toBe(pr);
    }
  });
});
