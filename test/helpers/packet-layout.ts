// Test-only: where the header fields a decoder trusts (lengths, next-header numbers, EtherTypes) sit in
// a captured packet, so the fuzz test can set them to bogus values. Written independently of
// agent/decode; it only has to be right for well-formed seed packets.
// NOTE: shape. A Field is a byte offset in the packet, a width, and for 4-bit fields which nibble.
// Specs: Ethernet/802.1Q https://www.tcpdump.org/linktypes/LINKTYPE_ETHERNET.html, SLL/SLL2
// https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and LINKTYPE_LINUX_SLL2.html, NULL/LOOP
// https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html, IPv4 RFC 791 §3.1, IPv6 RFC 8200 §3–4,
// AH RFC 4302 §2, TCP RFC 9293 §3.1, UDP RFC 768, ICMP RFC 792 / RFC 4443.

export type FieldRole =
  | 'ethertype' | 'vlan-tci' | 'sll-hatype' | 'null-family'
  | 'ip-version' | 'ipv4-ihl' | 'ipv4-total-length' | 'ipv4-frag' | 'ipv4-proto'
  | 'ipv6-payload-length' | 'ipv6-next-header' | 'ext-next-header' | 'ext-length' | 'frag-offset'
  | 'tcp-data-offset' | 'tcp-flags' | 'udp-length' | 'icmp-type' | 'icmp-code' | 'port';

export interface Field {
  role: FieldRole;
  off: number;
  /** 4 = a nibble (see `hiNibble`), else 8/16/32 big-endian (NULL's family: host order, see `le`). */
  bits: 4 | 8 | 16 | 32;
  hiNibble?: boolean;
  le?: boolean;
}

/** Link types the agent supports (LINKTYPE_* values, plus the old DLT_RAW numbers 12 and 14). */
export const SUPPORTED_LINKTYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276] as const;

const ETH_VLAN_TYPES = new Set([0x8100, 0x88a8, 0x9100]);
const IPV6_EXT = new Set([0, 43, 60, 135, 139, 140]);

/** The fields found in `b` for `linktype`, outermost first. Stops where the packet stops making sense. */
export function packetFields(b: Uint8Array, linktype: number): Field[] {
  const f: Field[] = [];
  const has = (o: number, n: number): boolean => o >= 0 && o + n <= b.length;
  const be16 = (o: number): number => (b[o]! << 8) | b[o + 1]!;
  let l3 = -1;
  let version = 0;
  let type = -1;
  let o = 0;
  switch (linktype) {
    case 1:
      if (!has(0, 14)) return f;
      f.push({ role: 'ethertype', off: 12, bits: 16 });
      type = be16(12);
      o = 14;
      break;
    case 113:
      if (!has(0, 16)) return f;
      f.push({ role: 'sll-hatype', off: 2, bits: 16 }, { role: 'ethertype', off: 14, bits: 16 });
      type = be16(14);
      o = 16;
      break;
    case 276:
      if (!has(0, 20)) return f;
      f.push({ role: 'ethertype', off: 0, bits: 16 }, { role: 'sll-hatype', off: 8, bits: 16 });
      type = be16(0);
      o = 20;
      break;
    case 0:
    case 108:
      if (!has(0, 4)) return f;
      f.push({ role: 'null-family', off: 0, bits: 32, le: linktype === 0 });
      l3 = 4;
      break;
    default:
      l3 = 0;
  }
  if (type >= 0) {
    for (let tags = 0; ETH_VLAN_TYPES.has(type) && tags < 8 && has(o, 4); tags++) {
      f.push({ role: 'vlan-tci', off: o, bits: 16 }, { role: 'ethertype', off: o + 2, bits: 16 });
      type = be16(o + 2);
      o += 4;
    }
    if (type !== 0x0800 && type !== 0x86dd) return f;
    l3 = o;
  }
  if (!has(l3, 1)) return f;
  f.push({ role: 'ip-version', off: l3, bits: 4, hiNibble: true });
  version = b[l3]! >> 4;
  let proto = -1;
  let l4 = -1;
  if (version === 4) {
    if (!has(l3, 20)) return f;
    f.push(
      { role: 'ipv4-ihl', off: l3, bits: 4, hiNibble: false },
      { role: 'ipv4-total-length', off: l3 + 2, bits: 16 },
      { role: 'ipv4-frag', off: l3 + 6, bits: 16 },
      { role: 'ipv4-proto', off: l3 + 9, bits: 8 },
    );
    proto = b[l3 + 9]!;
    l4 = l3 + (b[l3]! & 0x0f) * 4;
  } else if (version === 6) {
    if (!has(l3, 40)) return f;
    f.push({ role: 'ipv6-payload-length', off: l3 + 4, bits: 16 }, { role: 'ipv6-next-header', off: l3 + 6, bits: 8 });
    let next = b[l3 + 6]!;
    let e = l3 + 40;
    for (let n = 0; n < 16 && has(e, 8); n++) {
      if (IPV6_EXT.has(next)) {
        f.push({ role: 'ext-next-header', off: e, bits: 8 }, { role: 'ext-length', off: e + 1, bits: 8 });
        const len = (b[e + 1]! + 1) * 8;
        next = b[e]!;
        e += len;
      } else if (next === 51) {
        f.push({ role: 'ext-next-header', off: e, bits: 8 }, { role: 'ext-length', off: e + 1, bits: 8 });
        const len = (b[e + 1]! + 2) * 4;
        next = b[e]!;
        e += len;
      } else if (next === 44) {
        f.push({ role: 'ext-next-header', off: e, bits: 8 }, { role: 'frag-offset', off: e + 2, bits: 16 });
        next = b[e]!;
        e += 8;
      } else {
        break;
      }
    }
    proto = next;
    l4 = e;
  }
  if (l4 < 0) return f;
  if (proto === 6 && has(l4, 14)) {
    f.push(
      { role: 'port', off: l4, bits: 16 }, { role: 'port', off: l4 + 2, bits: 16 },
      { role: 'tcp-data-offset', off: l4 + 12, bits: 4, hiNibble: true },
      { role: 'tcp-flags', off: l4 + 13, bits: 8 },
    );
  } else if (proto === 17 && has(l4, 6)) {
    f.push({ role: 'port', off: l4, bits: 16 }, { role: 'port', off: l4 + 2, bits: 16 }, { role: 'udp-length', off: l4 + 4, bits: 16 });
  } else if ((proto === 1 || proto === 58) && has(l4, 2)) {
    f.push({ role: 'icmp-type', off: l4, bits: 8 }, { role: 'icmp-code', off: l4 + 1, bits: 8 });
  }
  return f;
}

export function readField(b: Uint8Array, f: Field): number {
  switch (f.bits) {
    case 4: return f.hiNibble ? b[f.off]! >> 4 : b[f.off]! & 0x0f;
    case 8: return b[f.off]!;
    case 16: return (b[f.off]! << 8) | b[f.off + 1]!;
    default:
      return f.le
        ? (b[f.off]! | (b[f.off + 1]! << 8) | (b[f.off + 2]! << 16) | (b[f.off + 3]! << 24)) >>> 0
        : ((b[f.off]! << 24) | (b[f.off + 1]! << 16) | (b[f.off + 2]! << 8) | b[f.off + 3]!) >>> 0;
  }
}

export function writeField(b: Uint8Array, f: Field, v: number): void {
  switch (f.bits) {
    case 4:
      b[f.off] = f.hiNibble ? (b[f.off]! & 0x0f) | ((v & 0x0f) << 4) : (b[f.off]! & 0xf0) | (v & 0x0f);
      return;
    case 8:
      b[f.off] = v & 0xff;
      return;
    case 16:
      b[f.off] = (v >>> 8) & 0xff;
      b[f.off + 1] = v & 0xff;
      return;
    default:
      for (let i = 0; i < 4; i++) b[f.off + (f.le ? i : 3 - i)] = (v >>> (8 * i)) & 0xff;
  }
}

/** Values worth trying in a field of this role (the caller adds random ones). */
export function interestingValues(f: Field, current: number, packetLen: number): number[] {
  const near = (v: number): number[] => [v - 1, v + 1, v - 4, v + 4, v - 8, v + 8];
  switch (f.role) {
    case 'ethertype': return [0x0800, 0x86dd, 0x8100, 0x88a8, 0x9100, 0x0806, 0x0000, 0xffff];
    case 'null-family': return [2, 24, 28, 30, 0x02000000, 0x18000000, 0x1e000000, 0, 0xffffffff, 0x10000];
    case 'sll-hatype': return [1, 772, 824, 0xffff];
    case 'ip-version': return [4, 6, 0, 5, 15];
    case 'ipv4-ihl':
    case 'tcp-data-offset':
      return [0, 1, 4, 5, 6, 14, 15];
    case 'ipv4-proto':
    case 'ipv6-next-header':
    case 'ext-next-header':
      return [0, 1, 6, 17, 43, 44, 50, 51, 58, 59, 60, 135, 139, 140, 255];
    case 'ipv4-frag': return [0x2000, 0x0001, 0x1fff, 0x3fff, 0x4000, 0xffff, current | 0x2000, current & ~0x2000];
    case 'frag-offset': return [0x0001, 0x0008, 0xfff9, 0xffff, 0];
    case 'ext-length': return [0, 1, 2, 0x7f, 0xfe, 0xff];
    case 'tcp-flags': return [0x02, 0x12, 0x10, 0x11, 0x04, 0x14, 0x01, 0x00, 0xff, 0x03, 0x06];
    case 'icmp-type': return [0, 3, 8, 11, 128, 129, 1, 135, 136, 255];
    case 'port': return [0, 53, 80, 443, 1023, 1024, 65535];
    default: // 16-bit lengths
      return [0, 1, 7, 8, 19, 20, 39, 40, 41, 0x7fff, 0x8000, 0xfffe, 0xffff, packetLen, ...near(current), ...near(packetLen)];
  }
}

/** Largest value a field can hold. */
export function fieldMax(f: Field): number {
  return f.bits === 32 ? 0xffffffff : (1 << f.bits) - 1;
}
