// IPv6 header and extension-header walk.
// NOTE: returns the offset of the transport header (>= 0) or minus a Skip code. On success it has set
// ipVersion, proto (the first header that is not an extension header), the addresses, ipLen
// (40 + payload length), fragment, and leaves the transport length (payload length − extension
// headers) in `out.payloadLen` for the transport decoder, which replaces it with the L4 payload length.
import { u16be, u32be, u8 } from '../../common/bytes.js';
import { FRAG_FIRST, Skip, type DecodedPacket } from './packet.js';

const TRUNCATED_IP = Skip['truncated-ip'];
const BAD_IP_VERSION = Skip['bad-ip-version'];
const BAD_IP_HEADER = Skip['bad-ip-header'];
const BAD_IP_LENGTH = Skip['bad-ip-length'];
const IP_FRAGMENT = Skip['ip-fragment'];

// RFC 8200 §3, https://www.rfc-editor.org/rfc/rfc8200#section-3
// version (4 bits) | traffic class (8 bits) | flow label (20 bits) | payload length (2) |
// next header (1) | hop limit (1) | source (16) | destination (16)
const IPV6_VERSION = 0;
const IPV6_PAYLOAD_LENGTH = 4;
const IPV6_NEXT_HEADER = 6;
const IPV6_SRC = 8;
const IPV6_DST = 24;
export const IPV6_HDR_LEN = 40;

// Extension headers, IANA "IPv6 Extension Header Types",
// https://www.iana.org/assignments/ipv6-parameters/ipv6-parameters.xhtml#extension-header
export const IPV6_HOPOPTS = 0; // RFC 8200 §4.3
export const IPV6_ROUTING = 43; // RFC 8200 §4.4
export const IPV6_FRAGMENT = 44; // RFC 8200 §4.5
export const IPV6_AH = 51; // RFC 4302 §2
export const IPV6_DSTOPTS = 60; // RFC 8200 §4.6
export const IPV6_MOBILITY = 135; // RFC 6275 §6.1.1
export const IPV6_HIP = 139; // RFC 7401 §5.1
export const IPV6_SHIM6 = 140; // RFC 5533 §5.1
// ESP (50) and No Next Header (59) end the walk like any transport protocol; the transport decoder
// reports them as unsupported-l4.

// Generic extension header, RFC 8200 §4 (also Mobility, HIP, Shim6):
// next header (1) | header extension length (1, 8-byte units not counting the first 8) | data
const EXT_NEXT_HEADER = 0;
const EXT_LENGTH = 1;
const EXT_MIN_LEN = 8;
// Authentication Header, RFC 4302 §2: next header (1) | payload length (1, 4-byte units minus 2) | …
const AH_LENGTH = 1;
// Fragment header, RFC 8200 §4.5: next header (1) | reserved (1) |
// fragment offset (13 bits, 8-byte units) | reserved (2 bits) | M flag (1 bit) | identification (4)
const FRAG_OFFSET_FLAGS = 2;
const FRAG_HDR_LEN = 8;
const FRAG_M_FLAG = 0x0001;

/** More extension headers than this is an attack or garbage (RFC 8200 §4.1 allows about eight). */
export const MAX_EXT_HEADERS = 16;

/**
 * @param end one past the last captured byte
 * @param wireLen bytes the link layer says were on the wire from `off` on (>= captured bytes)
 */
export function decodeIpv6(out: DecodedPacket, buf: Uint8Array, off: number, end: number, wireLen: number): number {
  if (off >= end) return -TRUNCATED_IP;
  if (u8(buf, off + IPV6_VERSION) >> 4 !== 6) return -BAD_IP_VERSION;
  if (wireLen < IPV6_HDR_LEN) return -BAD_IP_HEADER;
  if (off + IPV6_HDR_LEN > end) return -TRUNCATED_IP;
  // Trust the payload length, never the frame length (Ethernet pads short frames).
  const ipLen = IPV6_HDR_LEN + u16be(buf, off + IPV6_PAYLOAD_LENGTH);
  if (ipLen > wireLen) return -BAD_IP_LENGTH;

  out.ipVersion = 6;
  out.src0 = u32be(buf, off + IPV6_SRC);
  out.src1 = u32be(buf, off + IPV6_SRC + 4);
  out.src2 = u32be(buf, off + IPV6_SRC + 8);
  out.src3 = u32be(buf, off + IPV6_SRC + 12);
  out.dst0 = u32be(buf, off + IPV6_DST);
  out.dst1 = u32be(buf, off + IPV6_DST + 4);
  out.dst2 = u32be(buf, off + IPV6_DST + 8);
  out.dst3 = u32be(buf, off + IPV6_DST + 12);
  out.ipLen = ipLen;

  const ipEnd = off + ipLen;
  let next = u8(buf, off + IPV6_NEXT_HEADER);
  let o = off + IPV6_HDR_LEN;
  // Each header moves `o` forward by at least 8 bytes, so the walk ends; the count bound keeps it short.
  for (let n = 0; ; n++) {
    let len: number;
    if (next === IPV6_HOPOPTS || next === IPV6_ROUTING || next === IPV6_DSTOPTS ||
        next === IPV6_MOBILITY || next === IPV6_HIP || next === IPV6_SHIM6) {
      if (o + EXT_MIN_LEN > ipEnd) return -BAD_IP_HEADER;
      if (o + EXT_MIN_LEN > end) return -TRUNCATED_IP;
      len = (u8(buf, o + EXT_LENGTH) + 1) * 8;
    } else if (next === IPV6_AH) {
      if (o + EXT_MIN_LEN > ipEnd) return -BAD_IP_HEADER;
      if (o + EXT_MIN_LEN > end) return -TRUNCATED_IP;
      len = (u8(buf, o + AH_LENGTH) + 2) * 4;
    } else if (next === IPV6_FRAGMENT) {
      if (o + FRAG_HDR_LEN > ipEnd) return -BAD_IP_HEADER;
      if (o + FRAG_HDR_LEN > end) return -TRUNCATED_IP;
      const offsetFlags = u16be(buf, o + FRAG_OFFSET_FLAGS);
      if (offsetFlags >>> 3 !== 0) {
        out.proto = u8(buf, o + EXT_NEXT_HEADER);
        return -IP_FRAGMENT;
      }
      // Offset 0 without M is an "atomic fragment" (RFC 6946 §4): the whole packet, not a fragment.
      if ((offsetFlags & FRAG_M_FLAG) !== 0) out.fragment = FRAG_FIRST;
      len = FRAG_HDR_LEN;
    } else {
      break;
    }
    if (n === MAX_EXT_HEADERS) return -BAD_IP_HEADER;
    if (o + len > ipEnd) return -BAD_IP_HEADER;
    if (o + len > end) return -TRUNCATED_IP;
    next = u8(buf, o + EXT_NEXT_HEADER);
    o += len;
  }
  out.proto = next;
  out.payloadLen = ipEnd - o;
  return o;
}
