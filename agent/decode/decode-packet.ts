// One captured packet → the reused DecodedPacket: link layer, IPv4/IPv6, transport.
// NOTE: allocation-free and never throws: every read is bounds-checked against off+capLen (and the
// buffer's own length); a packet that cannot be decoded comes back as a Skip reason code.
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeLink } from './link.js';
import { FRAG_NONE, Skip, type DecodedPacket } from './packet.js';
import { decodeTransport } from './transport.js';

const TRUNCATED_LINK = Skip['truncated-link'];
const TRUNCATED_IP = Skip['truncated-ip'];
const BAD_IP_VERSION = Skip['bad-ip-version'];

/**
 * Decode one captured packet into `out`; returns a Skip reason code (Skip.ok = 0 when decoded).
 * Fields are only meaningful for Skip.ok, except that an `ip-fragment` (non-first fragment) still has
 * ipVersion, the addresses, proto and ipLen filled in, for callers that want to count its bytes.
 */
export function decodePacket(out: DecodedPacket, buf: Uint8Array, off: number, capLen: number,
                             wireLen: number, linktype: number): number {
  // The caller owns tsUs; everything else is reset so no field leaks from the previous packet.
  out.buf = buf;
  out.wireLen = wireLen;
  out.vlan = 0; out.ipVersion = 0; out.proto = 0;
  out.src0 = 0; out.src1 = 0; out.src2 = 0; out.src3 = 0;
  out.dst0 = 0; out.dst1 = 0; out.dst2 = 0; out.dst3 = 0;
  out.sport = 0; out.dport = 0; out.icmpId = 0;
  out.tcpFlags = 0; out.tcpSeq = 0; out.tcpAck = 0;
  out.ipLen = 0; out.payloadLen = 0; out.payloadOff = 0; out.payloadCap = 0;
  out.fragment = FRAG_NONE;

  let end = off + capLen;
  if (end > buf.length) end = buf.length;
  // Written so that NaN or negative arguments also land here.
  if (!(off >= 0 && end >= off)) return TRUNCATED_LINK;

  const l3 = decodeLink(out, buf, off, end, linktype);
  if (l3 < 0) return -l3;
  if (l3 >= end) return TRUNCATED_IP;
  // Bytes on the wire from the IP header on; a record claiming fewer than it captured is believed
  // for what it captured.
  const wire = (wireLen > end - off ? wireLen : end - off) - (l3 - off);

  let version = out.ipVersion;
  if (version === 0) version = buf[l3] >> 4;
  let l4: number;
  if (version === 4) l4 = decodeIpv4(out, buf, l3, end, wire);
  else if (version === 6) l4 = decodeIpv6(out, buf, l3, end, wire);
  else return BAD_IP_VERSION;
  if (l4 < 0) return -l4;
  return decodeTransport(out, buf, l4, end);
}
