// IPv4 header decoder.
// NOTE: returns the offset of the transport header (>= 0) or minus a Skip code. On success it has set
// ipVersion, proto, the addresses (IPv4-mapped: [0, 0, 0xffff, addr]), ipLen (the total-length field),
// fragment, and leaves the transport length (total length − header length) in `out.payloadLen` for the
// transport decoder, which replaces it with the L4 payload length.
import { u16be, u32be, u8 } from '../../common/bytes.js';
import { FRAG_FIRST, Skip, type DecodedPacket } from './packet.js';

const TRUNCATED_IP = Skip['truncated-ip'];
const BAD_IP_VERSION = Skip['bad-ip-version'];
const BAD_IP_HEADER = Skip['bad-ip-header'];
const BAD_IP_LENGTH = Skip['bad-ip-length'];
const IP_FRAGMENT = Skip['ip-fragment'];

// RFC 791 §3.1, https://www.rfc-editor.org/rfc/rfc791#section-3.1
// version (4 bits) | IHL (4 bits, 32-bit words) | TOS (1) | total length (2) | identification (2) |
// flags (3 bits: reserved, DF, MF) | fragment offset (13 bits, 8-byte units) | TTL (1) | protocol (1) |
// header checksum (2) | source (4) | destination (4) | options (IHL*4 − 20)
const IPV4_VERSION_IHL = 0;
const IPV4_TOTAL_LENGTH = 2;
const IPV4_FLAGS_FRAGMENT = 6;
const IPV4_PROTOCOL = 9;
const IPV4_SRC = 12;
const IPV4_DST = 16;
export const IPV4_MIN_HDR_LEN = 20;
const IPV4_FLAG_MF = 0x2000;
const IPV4_FRAGMENT_OFFSET_MASK = 0x1fff;

/**
 * @param end one past the last captured byte
 * @param wireLen bytes the link layer says were on the wire from `off` on (>= captured bytes)
 */
export function decodeIpv4(out: DecodedPacket, buf: Uint8Array, off: number, end: number, wireLen: number): number {
  if (off >= end) return -TRUNCATED_IP;
  const versionIhl = u8(buf, off + IPV4_VERSION_IHL);
  if (versionIhl >> 4 !== 4) return -BAD_IP_VERSION;
  const hdrLen = (versionIhl & 0x0f) * 4;
  // An IHL below 5 cannot hold the fixed header; one longer than the frame cannot be right either.
  if (hdrLen < IPV4_MIN_HDR_LEN || hdrLen > wireLen) return -BAD_IP_HEADER;
  if (off + hdrLen > end) return -TRUNCATED_IP;
  // Trust the total length, never the frame length (Ethernet pads short frames to 60 bytes), but it
  // must cover the header and fit in what was on the wire.
  // NOTE: a TSO/"BIG TCP" super-packet captured on the sending host may carry total length 0; it is
  // counted as bad-ip-length rather than guessed at.
  const totalLen = u16be(buf, off + IPV4_TOTAL_LENGTH);
  if (totalLen < hdrLen || totalLen > wireLen) return -BAD_IP_LENGTH;

  out.ipVersion = 4;
  out.proto = u8(buf, off + IPV4_PROTOCOL);
  out.src0 = 0; out.src1 = 0; out.src2 = 0xffff; out.src3 = u32be(buf, off + IPV4_SRC);
  out.dst0 = 0; out.dst1 = 0; out.dst2 = 0xffff; out.dst3 = u32be(buf, off + IPV4_DST);
  out.ipLen = totalLen;

  const flagsFragment = u16be(buf, off + IPV4_FLAGS_FRAGMENT);
  if ((flagsFragment & IPV4_FRAGMENT_OFFSET_MASK) !== 0) return -IP_FRAGMENT;
  if ((flagsFragment & IPV4_FLAG_MF) !== 0) out.fragment = FRAG_FIRST;
  out.payloadLen = totalLen - hdrLen;
  return off + hdrLen;
}
