// Link layers: Ethernet with tag stacks, Linux cooked v1/v2, BSD NULL/LOOP, raw IP; hand-built headers
// around a real IPv4 packet from testdata/.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP,
  LINKTYPE_NULL, LINKTYPE_RAW,
} from '../capture/source.js';
import { decodePacket } from './decode-packet.js';
import { LINKTYPE_RAW_OLD_12, LINKTYPE_RAW_OLD_14, MAX_VLAN_TAGS } from './link.js';
import { createDecodedPacket, IPPROTO_TCP, Skip } from './packet.js';
import { readPcapFile, testdataPath } from './testdata/pcap-fixtures.js';

let ip4: Uint8Array;
let eth: { off: number; capLen: number; wireLen: number; buf: Uint8Array };
beforeAll(() => {
  const f = readPcapFile(testdataPath('veth-ethernet.pcap'));
  const r = f.records.find((x) => f.buf[x.off + 12] === 0x08 && f.buf[x.off + 23] === IPPROTO_TCP && x.capLen === x.wireLen)!;
  ip4 = f.buf.slice(r.off + 14, r.off + r.capLen);
  eth = { ...r, buf: f.buf };
});

const cat = (...parts: (Uint8Array | number[])[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of parts) { out.set(x, o); o += x.length; }
  return out;
};
const MACS = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
const be16 = (v: number): number[] => [v >> 8, v & 0xff];
const tag = (tpid: number, tci: number): number[] => [...be16(tpid), ...be16(tci)];

const p = createDecodedPacket();
const decode = (bytes: Uint8Array, linktype: number, capLen = bytes.length): number =>
  decodePacket(p, bytes, 0, capLen, bytes.length, linktype);

describe('Ethernet', () => {
  it('decodes a real frame at a non-zero offset in a bigger buffer', () => {
    expect(decodePacket(p, eth.buf, eth.off, eth.capLen, eth.wireLen, LINKTYPE_ETHERNET)).toBe(Skip.ok);
    expect([p.vlan, p.ipVersion, p.proto]).toEqual([0, 4, IPPROTO_TCP]);
  });
  it('shorter than 14 bytes is truncated-link; an EtherType and nothing else is truncated-ip', () => {
    const frame = cat(MACS, be16(0x0800), ip4);
    for (let n = 0; n < 14; n++) expect(decode(frame, LINKTYPE_ETHERNET, n)).toBe(Skip['truncated-link']);
    expect(decode(frame, LINKTYPE_ETHERNET, 14)).toBe(Skip['truncated-ip']);
  });
  it('ARP, LLDP, 802.3 length frames, MPLS, PPPoE are non-ip', () => {
    for (const type of [0x0806, 0x88cc, 0x0040, 0x05dc, 0x8847, 0x8864, 0x0000, 0xffff]) {
      expect(decode(cat(MACS, be16(type), ip4), LINKTYPE_ETHERNET), `type 0x${type.toString(16)}`).toBe(Skip['non-ip']);
    }
  });
  it('802.1Q: the VLAN id is the low 12 bits of the TCI (priority and DEI bits ignored)', () => {
    expect(decode(cat(MACS, tag(0x8100, 0xf000 | 42), be16(0x0800), ip4), LINKTYPE_ETHERNET)).toBe(Skip.ok);
    expect(p.vlan).toBe(42);
    expect(decode(cat(MACS, tag(0x8100, 0x0fff), be16(0x0800), ip4), LINKTYPE_ETHERNET)).toBe(Skip.ok);
    expect(p.vlan).toBe(4095);
  });
  it('QinQ with any outer TPID reports the outer id', () => {
    for (const outer of [0x88a8, 0x9100, 0x8100]) {
      expect(decode(cat(MACS, tag(outer, 100), tag(0x8100, 200), be16(0x86dd), new Uint8Array(40)), LINKTYPE_ETHERNET))
        .toBe(Skip['bad-ip-version']); // reached the IPv6 header (all zeros): tags were walked
      expect(decode(cat(MACS, tag(outer, 100), tag(0x8100, 200), be16(0x0800), ip4), LINKTYPE_ETHERNET)).toBe(Skip.ok);
      expect(p.vlan).toBe(100);
    }
  });
  it(`walks up to ${MAX_VLAN_TAGS} stacked tags; deeper stacks are non-ip`, () => {
    const stack = (n: number): number[] => new Array(n).fill(0).flatMap((_, i) => tag(i % 2 ? 0x8100 : 0x88a8, i + 1));
    expect(decode(cat(MACS, stack(MAX_VLAN_TAGS), be16(0x0800), ip4), LINKTYPE_ETHERNET)).toBe(Skip.ok);
    expect(p.vlan).toBe(1);
    expect(decode(cat(MACS, stack(MAX_VLAN_TAGS + 1), be16(0x0800), ip4), LINKTYPE_ETHERNET)).toBe(Skip['non-ip']);
    // A frame that is nothing but tags until the end of the capture.
    const endless = cat(MACS, stack(1000));
    expect(decode(endless, LINKTYPE_ETHERNET)).toBe(Skip['non-ip']);
    expect(decode(endless, LINKTYPE_ETHERNET, 14 + 4 * 3 + 2)).toBe(Skip['truncated-link']);
  });
  it('a tag cut by the snap length is truncated-link', () => {
    const frame = cat(MACS, tag(0x8100, 7), be16(0x0800), ip4);
    for (let n = 14; n < 18; n++) expect(decode(frame, LINKTYPE_ETHERNET, n)).toBe(Skip['truncated-link']);
    expect(decode(frame, LINKTYPE_ETHERNET, 18)).toBe(Skip['truncated-ip']);
  });
});

describe('Linux cooked captures', () => {
  // LINKTYPE_LINUX_SLL: packet type, ARPHRD type, address length, address (8), protocol.
  const sll = (hatype: number, proto: number): number[] =>
    [...be16(4), ...be16(hatype), ...be16(6), ...MACS.slice(0, 6), 0, 0, ...be16(proto)];
  // LINKTYPE_LINUX_SLL2: protocol, reserved, ifindex (4), ARPHRD type, packet type, address length, address (8).
  const sll2 = (hatype: number, proto: number): number[] =>
    [...be16(proto), 0, 0, 0, 0, 0, 3, ...be16(hatype), 4, 6, ...MACS.slice(0, 6), 0, 0];

  it('SLL and SLL2 carry the EtherType; IPv4 decodes', () => {
    expect(decode(cat(sll(1, 0x0800), ip4), LINKTYPE_LINUX_SLL)).toBe(Skip.ok);
    expect(decode(cat(sll2(1, 0x0800), ip4), LINKTYPE_LINUX_SLL2)).toBe(Skip.ok);
    // A tunnel device (ARPHRD_NONE) still says 0x0800.
    expect(decode(cat(sll(0xfffe, 0x0800), ip4), LINKTYPE_LINUX_SLL)).toBe(Skip.ok);
  });
  it('a VLAN tag that libpcap put back after the cooked header is walked', () => {
    expect(decode(cat(sll(1, 0x8100), be16(0x2000 | 55), be16(0x0800), ip4), LINKTYPE_LINUX_SLL)).toBe(Skip.ok);
    expect(p.vlan).toBe(55);
    expect(decode(cat(sll2(1, 0x8100), be16(55), be16(0x0800), ip4), LINKTYPE_LINUX_SLL2)).toBe(Skip.ok);
    expect(p.vlan).toBe(55);
  });
  it('netlink (ARPHRD_NETLINK), 802.2 LLC and ARP are non-ip', () => {
    expect(decode(cat(sll(824, 0x0800), ip4), LINKTYPE_LINUX_SLL)).toBe(Skip['non-ip']);
    expect(decode(cat(sll2(824, 0x0800), ip4), LINKTYPE_LINUX_SLL2)).toBe(Skip['non-ip']);
    expect(decode(cat(sll(1, 0x0004), ip4), LINKTYPE_LINUX_SLL)).toBe(Skip['non-ip']);
    expect(decode(cat(sll2(1, 0x0806), ip4), LINKTYPE_LINUX_SLL2)).toBe(Skip['non-ip']);
  });
  it('headers cut short are truncated-link', () => {
    for (let n = 0; n < 16; n++) expect(decode(cat(sll(1, 0x0800), ip4), LINKTYPE_LINUX_SLL, n)).toBe(Skip['truncated-link']);
    for (let n = 0; n < 20; n++) expect(decode(cat(sll2(1, 0x0800), ip4), LINKTYPE_LINUX_SLL2, n)).toBe(Skip['truncated-link']);
  });
});

describe('BSD NULL and LOOP', () => {
  const le32 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24];
  const be32 = (v: number): number[] => le32(v).reverse();
  const ip6 = new Uint8Array(48);
  beforeAll(() => { ip6[0] = 0x60; ip6[5] = 8; ip6[6] = 59; });

  it('AF_INET and the three AF_INET6 values, in either byte order, for both link types', () => {
    for (const lt of [LINKTYPE_NULL, LINKTYPE_LOOP]) {
      for (const order of [le32, be32]) {
        expect(decode(cat(order(2), ip4), lt)).toBe(Skip.ok);
        for (const af of [24, 28, 30]) {
          // No Next Header after a well-formed IPv6 header: decoded as far as the transport layer.
          expect(decode(cat(order(af), ip6), lt), `lt ${lt} af ${af}`).toBe(Skip['unsupported-l4']);
          expect(p.ipVersion).toBe(6);
        }
      }
    }
  });
  it('other families (AF_INET6 = 10 is Linux, not BSD; AF_UNSPEC; garbage) are non-ip', () => {
    for (const af of [0, 1, 10, 17, 0x12345678, 0xffffffff]) {
      expect(decode(cat(le32(af), ip4), LINKTYPE_NULL), `af ${af}`).toBe(Skip['non-ip']);
    }
  });
  it('fewer than 4 bytes is truncated-link', () => {
    for (let n = 0; n < 4; n++) expect(decode(cat(le32(2), ip4), LINKTYPE_NULL, n)).toBe(Skip['truncated-link']);
  });
});

describe('raw IP and unknown link types', () => {
  it('raw IP (101, 12, 14) picks the version from the first nibble', () => {
    for (const lt of [LINKTYPE_RAW, LINKTYPE_RAW_OLD_12, LINKTYPE_RAW_OLD_14]) {
      expect(decode(ip4, lt)).toBe(Skip.ok);
      const bad = ip4.slice();
      bad[0] = 0x55;
      expect(decode(bad, lt)).toBe(Skip['bad-ip-version']);
      expect(decode(ip4, lt, 0)).toBe(Skip['truncated-ip']);
    }
  });
  it('LINKTYPE_IPV4 / LINKTYPE_IPV6 insist on their version', () => {
    expect(decode(ip4, LINKTYPE_IPV4)).toBe(Skip.ok);
    expect(decode(ip4, LINKTYPE_IPV6)).toBe(Skip['bad-ip-version']);
  });
  it('anything else is unsupported-linktype', () => {
    for (const lt of [2, 9, 105, 127, 147, 220, 0xffff, -1, 1.5]) expect(decode(ip4, lt), `${lt}`).toBe(Skip['unsupported-linktype']);
  });
});

describe('arguments outside the buffer', () => {
  it('a capLen past the end of the buffer is cut to the buffer; bad offsets are truncated-link', () => {
    const frame = cat(MACS, be16(0x0800), ip4);
    expect(decodePacket(p, frame, 0, frame.length + 1000, frame.length + 1000, LINKTYPE_ETHERNET)).toBe(Skip.ok);
    expect(p.payloadOff + p.payloadCap).toBeLessThanOrEqual(frame.length);
    for (const [off, cap] of [[-1, 10], [frame.length + 1, 10], [0, -5], [Number.NaN, 10], [0, Number.NaN]]) {
      expect(decodePacket(p, frame, off!, cap!, 100, LINKTYPE_ETHERNET), `off ${off} cap ${cap}`).toBe(Skip['truncated-link']);
    }
  });
});
