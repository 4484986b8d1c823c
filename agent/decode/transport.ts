// Transport-header decoders: TCP, UDP, ICMP, ICMPv6.
// NOTE: on entry `out.proto` and `out.ipVersion` are set and `out.payloadLen` holds the transport
// length the IP header gave (bytes from `off` to the end of the IP packet). Each decoder fills ports
// (ICMP: type and code), flags, and replaces `out.payloadLen` with the L4 payload length from the
// headers; `payloadOff`/`payloadCap` locate the captured part of that payload. Returns a Skip code.
import { u16be, u32be, u8 } from '../../common/bytes.js';
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, Skip, type DecodedPacket } from './packet.js';

const OK = Skip.ok;
const TRUNCATED_L4 = Skip['truncated-l4'];
const BAD_L4_HEADER = Skip['bad-l4-header'];
const UNSUPPORTED_L4 = Skip['unsupported-l4'];

// TCP, RFC 9293 §3.1, https://www.rfc-editor.org/rfc/rfc9293#section-3.1
// source port (2) | destination port (2) | sequence number (4) | acknowledgment number (4) |
// data offset (4 bits, 32-bit words) | reserved (4 bits) | flags (1: CWR ECE URG ACK PSH RST SYN FIN) |
// window (2) | checksum (2) | urgent pointer (2) | options (data offset*4 − 20)
const TCP_SRC_PORT = 0;
const TCP_DST_PORT = 2;
const TCP_SEQ = 4;
const TCP_ACK = 8;
const TCP_DATA_OFFSET = 12;
const TCP_FLAGS = 13;
/** Bytes that hold everything decoded here (ports, seq, ack, data offset, flags). */
const TCP_NEEDED = 14;
export const TCP_MIN_HDR_LEN = 20;

// UDP, RFC 768, https://www.rfc-editor.org/rfc/rfc768
// source port (2) | destination port (2) | length (2, header + data) | checksum (2)
const UDP_SRC_PORT = 0;
const UDP_DST_PORT = 2;
const UDP_LENGTH = 4;
const UDP_NEEDED = 6;
export const UDP_HDR_LEN = 8;

// ICMP, RFC 792 (https://www.rfc-editor.org/rfc/rfc792), and ICMPv6, RFC 4443 §2.1
// (https://www.rfc-editor.org/rfc/rfc4443#section-2.1): type (1) | code (1) | checksum (2) |
// 4 bytes that depend on the type; echo request/reply (RFC 792 p.14, RFC 4443 §4.1–4.2):
// identifier (2) | sequence number (2). Every message defined by either RFC has these 8 bytes.
const ICMP_TYPE = 0;
const ICMP_CODE = 1;
const ICMP_ECHO_ID = 4;
const ICMP_NEEDED = 2;
const ICMP_ECHO_NEEDED = 6;
export const ICMP_HDR_LEN = 8;
const ICMP_ECHO_REPLY = 0;
const ICMP_ECHO_REQUEST = 8;
const ICMPV6_ECHO_REQUEST = 128;
const ICMPV6_ECHO_REPLY = 129;

/** Dispatch on `out.proto`; `end` is one past the last captured byte. */
export function decodeTransport(out: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  const proto = out.proto;
  if (proto === IPPROTO_TCP) return decodeTcp(out, buf, off, end);
  if (proto === IPPROTO_UDP) return decodeUdp(out, buf, off, end);
  if (proto === IPPROTO_ICMP && out.ipVersion === 4) return decodeIcmp(out, buf, off, end);
  if (proto === IPPROTO_ICMPV6 && out.ipVersion === 6) return decodeIcmp(out, buf, off, end);
  return UNSUPPORTED_L4;
}

export function decodeTcp(out: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  const l4Len = out.payloadLen;
  if (l4Len < TCP_MIN_HDR_LEN) return BAD_L4_HEADER;
  if (off + TCP_NEEDED > end) return TRUNCATED_L4;
  const hdrLen = (u8(buf, off + TCP_DATA_OFFSET) >> 4) * 4;
  if (hdrLen < TCP_MIN_HDR_LEN || hdrLen > l4Len) return BAD_L4_HEADER;
  out.sport = u16be(buf, off + TCP_SRC_PORT);
  out.dport = u16be(buf, off + TCP_DST_PORT);
  out.tcpSeq = u32be(buf, off + TCP_SEQ);
  out.tcpAck = u32be(buf, off + TCP_ACK);
  out.tcpFlags = u8(buf, off + TCP_FLAGS);
  setPayload(out, off + hdrLen, l4Len - hdrLen, end);
  return OK;
}

export function decodeUdp(out: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  const l4Len = out.payloadLen;
  if (l4Len < UDP_HDR_LEN) return BAD_L4_HEADER;
  if (off + UDP_NEEDED > end) return TRUNCATED_L4;
  const udpLen = u16be(buf, off + UDP_LENGTH);
  if (udpLen < UDP_HDR_LEN) return BAD_L4_HEADER;
  out.sport = u16be(buf, off + UDP_SRC_PORT);
  out.dport = u16be(buf, off + UDP_DST_PORT);
  // The smaller of the two: bytes past the UDP length are IP-level padding; a UDP length past the IP
  // payload is a first fragment (the rest is in later fragments) or a lie, and only these bytes are here.
  setPayload(out, off + UDP_HDR_LEN, (udpLen < l4Len ? udpLen : l4Len) - UDP_HDR_LEN, end);
  return OK;
}

/** ICMP and ICMPv6 share the layout decoded here; `out.ipVersion` tells the echo types apart. */
export function decodeIcmp(out: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  const l4Len = out.payloadLen;
  if (l4Len < ICMP_HDR_LEN) return BAD_L4_HEADER;
  if (off + ICMP_NEEDED > end) return TRUNCATED_L4;
  const type = u8(buf, off + ICMP_TYPE);
  const echo = out.ipVersion === 4
    ? type === ICMP_ECHO_REQUEST || type === ICMP_ECHO_REPLY
    : type === ICMPV6_ECHO_REQUEST || type === ICMPV6_ECHO_REPLY;
  if (echo) {
    if (off + ICMP_ECHO_NEEDED > end) return TRUNCATED_L4;
    out.icmpId = u16be(buf, off + ICMP_ECHO_ID);
  }
  out.sport = type;
  out.dport = u8(buf, off + ICMP_CODE);
  setPayload(out, off + ICMP_HDR_LEN, l4Len - ICMP_HDR_LEN, end);
  return OK;
}

/**
 * Payload from `payloadOff`, `payloadLen` bytes by the headers, of which those before `end` were
 * captured. When the snap length cut the packet before the payload (TCP options, say), the offset is
 * clamped to `end` so that [payloadOff, payloadOff + payloadCap) always lies inside the record.
 */
function setPayload(out: DecodedPacket, payloadOff: number, payloadLen: number, end: number): void {
  if (payloadOff > end) payloadOff = end;
  let cap = end - payloadOff;
  if (cap > payloadLen) cap = payloadLen; // Ethernet padding and trailers are not payload
  out.payloadOff = payloadOff;
  out.payloadLen = payloadLen;
  out.payloadCap = cap;
}
