// NOTE: shape of a decoded packet. One instance is reused for every packet (no per-packet objects on the
// hot path); its fields are valid until the next decode. Addresses are four uint32 words in network
// order; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d → [0, 0, 0xffff, a.b.c.d]) so v4 and v6 share one
// key shape in the flow table.

/** Why a packet was skipped. Index 0 means "decoded". Names appear in the CLI summary. */
export const SKIP_REASONS = [
  'ok',
  'unsupported-linktype',
  'truncated-link',
  'non-ip',
  'truncated-ip',
  'bad-ip-version',
  'bad-ip-header',
  'bad-ip-length',
  'ip-fragment',
  'unsupported-l4',
  'truncated-l4',
  'bad-l4-header',
  /** Capture time before 1970 or after 9999 (a corrupt pcapng timestamp, a wrong if_tsresol/if_tsoffset). */
  'bad-timestamp',
] as const;

/**
 * Latest capture time we accept: 9999-12-31T23:59:59Z, the last whole second of ISO-8601's 4-digit
 * years (a double cannot hold …59.999999 exactly at this size: its step is 32 µs).
 */
export const MAX_TS_US = 253_402_300_799_000_000;
export type SkipReason = (typeof SKIP_REASONS)[number];
export const Skip: { readonly [K in SkipReason]: number } = Object.fromEntries(
  SKIP_REASONS.map((r, i) => [r, i]),
) as { [K in SkipReason]: number };

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;

/** Fragment position of the packet (IPv4 MF/offset, IPv6 Fragment header). */
export const FRAG_NONE = 0;
export const FRAG_FIRST = 1;

export interface DecodedPacket {
  /** Capture timestamp, microseconds since the Unix epoch. */
  tsUs: number;
  /** Bytes the packet had on the wire (for sanity; flow byte counts come from IP lengths). */
  wireLen: number;
  vlan: number;
  ipVersion: number;
  /** IP protocol number of the transport header (after IPv6 extension headers). */
  proto: number;
  src0: number; src1: number; src2: number; src3: number;
  dst0: number; dst1: number; dst2: number; dst3: number;
  /** TCP/UDP ports; ICMP/ICMPv6: sport = type, dport = code. */
  sport: number;
  dport: number;
  /** ICMP/ICMPv6 echo request/reply identifier (so a ping and its replies form one flow); else 0. */
  icmpId: number;
  /** TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80). */
  tcpFlags: number;
  tcpSeq: number;
  tcpAck: number;
  /** IP bytes of this packet from the IP header's length fields (IPv4 total length; IPv6 40 + payload length). */
  ipLen: number;
  /** L4 payload bytes as the headers say (not limited by the snap length). */
  payloadLen: number;
  /** Buffer holding the packet and the offset/length of the captured L4 payload in it. */
  buf: Uint8Array;
  payloadOff: number;
  payloadCap: number;
  fragment: number;
}

export function createDecodedPacket(): DecodedPacket {
  return {
    tsUs: 0, wireLen: 0, vlan: 0, ipVersion: 0, proto: 0,
    src0: 0, src1: 0, src2: 0, src3: 0, dst0: 0, dst1: 0, dst2: 0, dst3: 0,
    sport: 0, dport: 0, icmpId: 0, tcpFlags: 0, tcpSeq: 0, tcpAck: 0,
    ipLen: 0, payloadLen: 0, buf: new Uint8Array(0), payloadOff: 0, payloadCap: 0, fragment: FRAG_NONE,
  };
}
