// Link-layer decoders: find where the IP header starts.
// NOTE: each returns the offset of the network-layer header (>= 0) or minus a Skip code, and sets
// `out.vlan` (outer VLAN id, 0 when untagged) and `out.ipVersion` (4 or 6 when the link layer names
// the protocol, 0 when only the IP version nibble can tell, as with raw IP).
import {
  LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP, LINKTYPE_NULL, LINKTYPE_RAW,
} from '../capture/source.js';
import { u16be, u32be, u32le } from '../../common/bytes.js';
import { Skip, type DecodedPacket } from './packet.js';

/** DLT_RAW as numbered in old files and on some BSDs (https://www.tcpdump.org/linktypes.html). */
export const LINKTYPE_RAW_OLD_12 = 12;
export const LINKTYPE_RAW_OLD_14 = 14;

const TRUNCATED_LINK = Skip['truncated-link'];
const NON_IP = Skip['non-ip'];
const UNSUPPORTED_LINKTYPE = Skip['unsupported-linktype'];

// https://www.iana.org/assignments/ieee-802-numbers/ (EtherType)
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100; // IEEE 802.1Q C-tag
export const ETHERTYPE_QINQ = 0x88a8; // IEEE 802.1ad S-tag
export const ETHERTYPE_QINQ_OLD = 0x9100; // pre-802.1ad vendor S-tag

/** Stacked VLAN tags followed before giving up (QinQ is 2; a few more leave room for odd gear). */
export const MAX_VLAN_TAGS = 8;

// Ethernet II frame, IEEE 802.3 clause 3 (https://www.tcpdump.org/linktypes/LINKTYPE_ETHERNET.html):
// dst MAC (6) | src MAC (6) | EtherType (2)
const ETH_TYPE = 12;
const ETH_HDR_LEN = 14;

// IEEE 802.1Q tag after a TPID: TCI (PCP 3 bits | DEI 1 | VID 12) (2) | inner EtherType (2)
const VLAN_TCI = 0;
const VLAN_TYPE = 2;
const VLAN_TAG_LEN = 4;
const VLAN_VID_MASK = 0x0fff;

// Linux cooked v1, https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html:
// packet type (2) | ARPHRD_ type (2) | addr len (2) | addr (8) | protocol (2)
const SLL_HATYPE = 2;
const SLL_PROTOCOL = 14;
const SLL_HDR_LEN = 16;

// Linux cooked v2, https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html:
// protocol (2) | reserved (2) | ifindex (4) | ARPHRD_ type (2) | packet type (1) | addr len (1) | addr (8)
const SLL2_PROTOCOL = 0;
const SLL2_HATYPE = 8;
const SLL2_HDR_LEN = 20;

/** ARPHRD_NETLINK: the protocol field holds a netlink family, not an EtherType. */
const ARPHRD_NETLINK = 824;

// BSD loopback, https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html and LINKTYPE_LOOP.html:
// address family (4), host byte order for NULL, network byte order for LOOP.
const NULL_HDR_LEN = 4;
const BSD_AF_INET = 2;
const BSD_AF_INET6_BSD = 24; // NetBSD, OpenBSD, BSD/OS
const BSD_AF_INET6_FREEBSD = 28;
const BSD_AF_INET6_DARWIN = 30;

/** Dispatch on the capture's link type. `end` is one past the last captured byte. */
export function decodeLink(out: DecodedPacket, buf: Uint8Array, off: number, end: number, linktype: number): number {
  switch (linktype) {
    case LINKTYPE_ETHERNET:
      return decodeEthernet(out, buf, off, end);
    case LINKTYPE_LINUX_SLL:
      return decodeSll(out, buf, off, end);
    case LINKTYPE_LINUX_SLL2:
      return decodeSll2(out, buf, off, end);
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
      return decodeNull(out, buf, off, end, linktype === LINKTYPE_LOOP);
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_OLD_12:
    case LINKTYPE_RAW_OLD_14:
      out.ipVersion = 0;
      return off;
    case LINKTYPE_IPV4:
      out.ipVersion = 4;
      return off;
    case LINKTYPE_IPV6:
      out.ipVersion = 6;
      return off;
    default:
      return -UNSUPPORTED_LINKTYPE;
  }
}

export function decodeEthernet(out: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  if (off + ETH_HDR_LEN > end) return -TRUNCATED_LINK;
  return followEthertype(out, buf, off + ETH_HDR_LEN, end, u16be(buf, off + ETH_TYPE));
}

export function decodeSll(out: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  if (off + SLL_HDR_LEN > end) return -TRUNCATED_LINK;
  if (u16be(buf, off + SLL_HATYPE) === ARPHRD_NETLINK) return -NON_IP;
  return followEthertype(out, buf, off + SLL_HDR_LEN, end, u16be(buf, off + SLL_PROTOCOL));
}

export function decodeSll2(out: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  if (off + SLL2_HDR_LEN > end) return -TRUNCATED_LINK;
  if (u16be(buf, off + SLL2_HATYPE) === ARPHRD_NETLINK) return -NON_IP;
  return followEthertype(out, buf, off + SLL2_HDR_LEN, end, u16be(buf, off + SLL2_PROTOCOL));
}

export function decodeNull(out: DecodedPacket, buf: Uint8Array, off: number, end: number, networkOrder: boolean): number {
  if (off + NULL_HDR_LEN > end) return -TRUNCATED_LINK;
  // Files written on a host of the other byte order: the family then sits in the top 16 bits
  // (the same test libpcap and Wireshark use).
  let af = networkOrder ? u32be(buf, off) : u32le(buf, off);
  if (af > 0xffff) af = networkOrder ? u32le(buf, off) : u32be(buf, off);
  if (af === BSD_AF_INET) {
    out.ipVersion = 4;
  } else if (af === BSD_AF_INET6_BSD || af === BSD_AF_INET6_FREEBSD || af === BSD_AF_INET6_DARWIN) {
    out.ipVersion = 6;
  } else {
    return -NON_IP;
  }
  return off + NULL_HDR_LEN;
}

/**
 * Walk 802.1Q / 802.1ad / 0x9100 tags (QinQ, any depth up to MAX_VLAN_TAGS) from `o`, the first byte
 * after an EtherType field holding `type`, to IPv4 or IPv6. Records the outermost VLAN id.
 */
function followEthertype(out: DecodedPacket, buf: Uint8Array, o: number, end: number, type: number): number {
  let tags = 0;
  while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
    if (tags === MAX_VLAN_TAGS) return -NON_IP;
    if (o + VLAN_TAG_LEN > end) return -TRUNCATED_LINK;
    if (tags === 0) out.vlan = u16be(buf, o + VLAN_TCI) & VLAN_VID_MASK;
    type = u16be(buf, o + VLAN_TYPE);
    o += VLAN_TAG_LEN;
    tags++;
  }
  if (type === ETHERTYPE_IPV4) {
    out.ipVersion = 4;
    return o;
  }
  if (type === ETHERTYPE_IPV6) {
    out.ipVersion = 6;
    return o;
  }
  return -NON_IP;
}
