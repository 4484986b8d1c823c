// Encodes scripted packets as classic pcap records (LINKTYPE_ETHERNET) into one large buffer that
// is flushed with a single write when nearly full. IP lengths are exact; IPv4 header and L4
// checksums are computed too (so checksum-validating tools such as Zeek accept the packets).
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Rng } from './synth-random.js';
import type { Host } from './synth-network.js';
import {
  type Dir, type Flow, SPECIAL_PORT_UNREACHABLE, TCP_ACK, TCP_FIN, TCP_SYN, metaBurst, metaDir, metaFlags, metaLen, metaSpecial,
} from './synth-script.js';

// pcap savefile: https://www.tcpdump.org/manpages/pcap-savefile.5.html
const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_VERSION_MAJOR = 2;
const PCAP_VERSION_MINOR = 4;
const PCAP_SNAPLEN = 65535;
const LINKTYPE_ETHERNET = 1;
const PCAP_GLOBAL_HEADER_LEN = 24;
const PCAP_RECORD_HEADER_LEN = 16;

// Ethernet II and 802.1Q: https://standards.ieee.org/ieee/802.1Q/6844/
const ETH_OFF_ETHERTYPE = 12;
const VLAN_TAG_LEN = 4;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;

// IPv4: https://www.rfc-editor.org/rfc/rfc791#section-3.1 ; IPv6: https://www.rfc-editor.org/rfc/rfc8200#section-3
const IPV4_HEADER_LEN = 20;
const IPV4_VERSION_IHL = 0x45;
const IPV4_FLAG_DF = 0x4000;
const IPV4_OFF_TOTAL_LEN = 2;
const IPV4_OFF_ID = 4;
const IPV4_OFF_FLAGS = 6;
const IPV4_OFF_TTL = 8;
const IPV4_OFF_PROTO = 9;
const IPV4_OFF_CHECKSUM = 10;
const IPV4_OFF_SRC = 12;
const IPV4_OFF_DST = 16;
const IPV6_HEADER_LEN = 40;
const IPV6_OFF_PAYLOAD_LEN = 4;
const IPV6_OFF_NEXT_HEADER = 6;
const IPV6_OFF_HOP_LIMIT = 7;
const IPV6_OFF_SRC = 8;
const IPV6_OFF_DST = 24;

// TCP: https://www.rfc-editor.org/rfc/rfc9293#section-3.1 (SYNs carry an MSS option)
const TCP_HEADER_LEN = 20;
const TCP_MSS_OPTION_LEN = 4;
const TCP_OPT_MSS = 2;
const TCP_WINDOW = 65535;
const TCP_OFF_CHECKSUM = 16;
// UDP: https://www.rfc-editor.org/rfc/rfc768 ; ICMP: rfc792, ICMPv6: rfc4443
const UDP_HEADER_LEN = 8;
const UDP_OFF_CHECKSUM = 6;
const ICMP_HEADER_LEN = 8;
const ICMP_OFF_CHECKSUM = 2;
const ICMP_ECHO_REQUEST = 8;
const ICMP_ECHO_REPLY = 0;
const ICMP_UNREACHABLE = 3;
const ICMP_CODE_PORT = 3;
const ICMPV6_ECHO_REQUEST = 128;
const ICMPV6_ECHO_REPLY = 129;
const ICMPV6_UNREACHABLE = 1;
const ICMPV6_CODE_PORT = 4;

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;

const TTL_LOCAL = 64;
const TTL_REMOTE = 52;
const OUT_CHUNK_BYTES = 16 * 1024 * 1024;
/** Upper bound of one record: pcap header + Ethernet + VLAN + 1500-byte IP packet, rounded up. */
const MAX_RECORD_BYTES = 2048;

export interface PcapWriter {
  fd: number;
  buf: Buffer;
  pos: number;
  packets: number;
  /** File bytes written so far (including headers). */
  bytes: number;
  lastTsUs: number;
  /** Random bytes that payload filler is copied from. */
  filler: Buffer;
  rng: Rng;
}

export function openPcapWriter(path: string, filler: Buffer, rng: Rng): PcapWriter {
  const w: PcapWriter = { fd: openSync(path, 'w'), buf: Buffer.alloc(OUT_CHUNK_BYTES), pos: 0, packets: 0, bytes: 0, lastTsUs: 0, filler, rng };
  const b = w.buf;
  b.writeUInt32LE(PCAP_MAGIC_US, 0);
  b.writeUInt16LE(PCAP_VERSION_MAJOR, 4);
  b.writeUInt16LE(PCAP_VERSION_MINOR, 6);
  b.writeInt32LE(0, 8);
  b.writeUInt32LE(0, 12);
  b.writeUInt32LE(PCAP_SNAPLEN, 16);
  b.writeUInt32LE(LINKTYPE_ETHERNET, 20);
  w.pos = PCAP_GLOBAL_HEADER_LEN;
  return w;
}

function flush(w: PcapWriter): void {
  let off = 0;
  while (off < w.pos) off += writeSync(w.fd, w.buf, off, w.pos - off);
  w.bytes += w.pos;
  w.pos = 0;
}

export function closePcapWriter(w: PcapWriter): void {
  flush(w);
  closeSync(w.fd);
}

// --- checksums: https://www.rfc-editor.org/rfc/rfc1071 ---

function sum16be(b: Buffer, off: number, len: number): number {
  let s = 0;
  const end = off + (len & ~1);
  for (let i = off; i < end; i += 2) s += (b[i] << 8) | b[i + 1];
  if (len & 1) s += b[off + len - 1] << 8;
  return s;
}

function foldComplement(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

function pseudoHeaderSum(b: Buffer, ipOff: number, v6: boolean, proto: number, l4Len: number): number {
  if (v6) return sum16be(b, ipOff + IPV6_OFF_SRC, 32) + proto + (l4Len >>> 16) + (l4Len & 0xffff);
  return sum16be(b, ipOff + IPV4_OFF_SRC, 8) + proto + l4Len;
}

function writeL4Checksum(b: Buffer, ipOff: number, l4Off: number, l4Len: number, v6: boolean, proto: number): void {
  const fieldOff = proto === IPPROTO_TCP ? TCP_OFF_CHECKSUM : proto === IPPROTO_UDP ? UDP_OFF_CHECKSUM : ICMP_OFF_CHECKSUM;
  b.writeUInt16BE(0, l4Off + fieldOff);
  const pseudo = proto === IPPROTO_ICMP ? 0 : pseudoHeaderSum(b, ipOff, v6, proto, l4Len);
  let c = foldComplement(pseudo + sum16be(b, l4Off, l4Len));
  if (c === 0 && proto === IPPROTO_UDP) c = 0xffff;
  b.writeUInt16BE(c, l4Off + fieldOff);
}

// --- headers ---

function writeEthernet(b: Buffer, off: number, dst: Host, src: Host, vlan: number, v6: boolean): number {
  b.set(dst.mac, off);
  b.set(src.mac, off + 6);
  let p = off + ETH_OFF_ETHERTYPE;
  if (vlan !== 0) {
    b.writeUInt16BE(ETHERTYPE_VLAN, p);
    b.writeUInt16BE(vlan & 0x0fff, p + 2);
    p += VLAN_TAG_LEN;
  }
  b.writeUInt16BE(v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, p);
  return p + 2;
}

/** Writes an IPv4 or IPv6 header for an IP packet of `ipLen` bytes; returns the header length.
 * `id` is the IPv4 identification, or the IPv6 flow label. */
function writeIpHeader(b: Buffer, off: number, v6: boolean, proto: number, ipLen: number, src: Host, dst: Host, id: number, df: boolean): number {
  const ttl = src.external ? TTL_REMOTE : TTL_LOCAL;
  if (v6) {
    b.writeUInt32BE((0x6 << 28) | (id & 0xfffff), off);
    b.writeUInt16BE(ipLen - IPV6_HEADER_LEN, off + IPV6_OFF_PAYLOAD_LEN);
    b[off + IPV6_OFF_NEXT_HEADER] = proto;
    b[off + IPV6_OFF_HOP_LIMIT] = ttl;
    b.set(src.v6, off + IPV6_OFF_SRC);
    b.set(dst.v6, off + IPV6_OFF_DST);
    return IPV6_HEADER_LEN;
  }
  b[off] = IPV4_VERSION_IHL;
  b[off + 1] = 0;
  b.writeUInt16BE(ipLen, off + IPV4_OFF_TOTAL_LEN);
  b.writeUInt16BE(id & 0xffff, off + IPV4_OFF_ID);
  b.writeUInt16BE(df ? IPV4_FLAG_DF : 0, off + IPV4_OFF_FLAGS);
  b[off + IPV4_OFF_TTL] = ttl;
  b[off + IPV4_OFF_PROTO] = proto;
  b.writeUInt16BE(0, off + IPV4_OFF_CHECKSUM);
  b.writeUInt32BE(src.v4, off + IPV4_OFF_SRC);
  b.writeUInt32BE(dst.v4, off + IPV4_OFF_DST);
  b.writeUInt16BE(foldComplement(sum16be(b, off, IPV4_HEADER_LEN)), off + IPV4_OFF_CHECKSUM);
  return IPV4_HEADER_LEN;
}

function writeTcpHeader(b: Buffer, off: number, f: Flow, dir: Dir, flags: number, len: number, mss: number): number {
  const syn = (flags & TCP_SYN) !== 0;
  let seq: number;
  if (syn) {
    seq = f.isn[dir];
    f.nextSeq[dir] = (seq + 1) >>> 0;
  } else {
    seq = f.nextSeq[dir];
    f.nextSeq[dir] = (seq + len + (flags & TCP_FIN ? 1 : 0)) >>> 0;
  }
  const ack = flags & TCP_ACK ? f.nextSeq[dir === 0 ? 1 : 0] : 0;
  const hdrLen = syn ? TCP_HEADER_LEN + TCP_MSS_OPTION_LEN : TCP_HEADER_LEN;
  b.writeUInt16BE(dir === 0 ? f.cport : f.sport, off);
  b.writeUInt16BE(dir === 0 ? f.sport : f.cport, off + 2);
  b.writeUInt32BE(seq, off + 4);
  b.writeUInt32BE(ack, off + 8);
  b.writeUInt16BE(((hdrLen / 4) << 12) | flags, off + 12);
  b.writeUInt16BE(TCP_WINDOW, off + 14);
  b.writeUInt32BE(0, off + 16);
  if (syn) {
    b[off + 20] = TCP_OPT_MSS;
    b[off + 21] = TCP_MSS_OPTION_LEN;
    b.writeUInt16BE(mss, off + 22);
  }
  return hdrLen;
}

function writeUdpHeader(b: Buffer, off: number, sport: number, dport: number, payloadLen: number): number {
  b.writeUInt16BE(sport, off);
  b.writeUInt16BE(dport, off + 2);
  b.writeUInt16BE(UDP_HEADER_LEN + payloadLen, off + 4);
  b.writeUInt16BE(0, off + 6);
  return UDP_HEADER_LEN;
}

function writeIcmpEcho(b: Buffer, off: number, f: Flow, dir: Dir): number {
  if (dir === 0) f.icmpSeq = (f.icmpSeq + 1) & 0xffff;
  const type = f.v6 ? (dir === 0 ? ICMPV6_ECHO_REQUEST : ICMPV6_ECHO_REPLY) : dir === 0 ? ICMP_ECHO_REQUEST : ICMP_ECHO_REPLY;
  b[off] = type;
  b[off + 1] = 0;
  b.writeUInt16BE(0, off + 2);
  b.writeUInt16BE(f.cport, off + 4);
  b.writeUInt16BE(f.icmpSeq, off + 6);
  return ICMP_HEADER_LEN;
}

function writePayload(w: PcapWriter, f: Flow, dir: Dir, burstStart: boolean, off: number, len: number): void {
  let done = 0;
  if (burstStart) {
    const prefix = f.prefix(dir, f.bursts[dir]);
    f.bursts[dir]++;
    if (prefix) {
      done = Math.min(len, prefix.length);
      w.buf.set(done === prefix.length ? prefix : prefix.subarray(0, done), off);
    }
  }
  if (done < len) {
    const start = 2 * Math.floor(w.rng() * ((w.filler.length - MAX_RECORD_BYTES) / 2));
    w.filler.copy(w.buf, off + done, start, start + len - done);
  }
}

/** ICMP(v6) port unreachable quoting the client's UDP datagram header (`quotedLen` payload bytes). */
function writePortUnreachable(w: PcapWriter, ipOff: number, f: Flow, quotedLen: number): number {
  const b = w.buf;
  const v6 = f.v6;
  const proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
  const innerHdr = v6 ? IPV6_HEADER_LEN : IPV4_HEADER_LEN;
  const l4Len = ICMP_HEADER_LEN + innerHdr + UDP_HEADER_LEN;
  const ipHdr = v6 ? IPV6_HEADER_LEN : IPV4_HEADER_LEN;
  f.ipId = (f.ipId + 1) & 0xffff;
  writeIpHeader(b, ipOff, v6, proto, ipHdr + l4Len, f.server, f.client, v6 ? f.id : f.ipId, false);
  const l4 = ipOff + ipHdr;
  b[l4] = v6 ? ICMPV6_UNREACHABLE : ICMP_UNREACHABLE;
  b[l4 + 1] = v6 ? ICMPV6_CODE_PORT : ICMP_CODE_PORT;
  b.writeUInt32BE(0, l4 + 2);
  b.writeUInt16BE(0, l4 + 6);
  const inner = l4 + ICMP_HEADER_LEN;
  writeIpHeader(b, inner, v6, IPPROTO_UDP, innerHdr + UDP_HEADER_LEN + quotedLen, f.client, f.server, v6 ? f.id : f.ipId - 1, false);
  writeUdpHeader(b, inner + innerHdr, f.cport, f.sport, quotedLen);
  writeL4Checksum(b, ipOff, l4, l4Len, v6, proto);
  return ipHdr + l4Len;
}

function l4HeaderLen(proto: number, flags: number): number {
  if (proto === IPPROTO_TCP) return flags & TCP_SYN ? TCP_HEADER_LEN + TCP_MSS_OPTION_LEN : TCP_HEADER_LEN;
  return proto === IPPROTO_UDP ? UDP_HEADER_LEN : ICMP_HEADER_LEN;
}

/** Writes the IP packet of one scripted packet at `ipOff`; returns its length. */
function writeIpPacket(w: PcapWriter, ipOff: number, f: Flow, m: number): number {
  const dir = metaDir(m);
  const flags = metaFlags(m);
  const len = metaLen(m);
  if (metaSpecial(m) === SPECIAL_PORT_UNREACHABLE) return writePortUnreachable(w, ipOff, f, len);
  const b = w.buf;
  const src = dir === 0 ? f.client : f.server;
  const dst = dir === 0 ? f.server : f.client;
  const ipHdr = f.v6 ? IPV6_HEADER_LEN : IPV4_HEADER_LEN;
  const ipLen = ipHdr + l4HeaderLen(f.proto, flags) + len;
  f.ipId = (f.ipId + 1) & 0xffff;
  writeIpHeader(b, ipOff, f.v6, f.proto, ipLen, src, dst, f.v6 ? f.id : f.ipId, f.proto === IPPROTO_TCP);
  const l4 = ipOff + ipHdr;
  let l4Hdr: number;
  if (f.proto === IPPROTO_TCP) l4Hdr = writeTcpHeader(b, l4, f, dir, flags, len, f.v6 ? 1440 : 1460);
  else if (f.proto === IPPROTO_UDP) l4Hdr = writeUdpHeader(b, l4, dir === 0 ? f.cport : f.sport, dir === 0 ? f.sport : f.cport, len);
  else l4Hdr = writeIcmpEcho(b, l4, f, dir);
  writePayload(w, f, dir, metaBurst(m), l4 + l4Hdr, len);
  writeL4Checksum(b, ipOff, l4, l4Hdr + len, f.v6, f.proto);
  return ipLen;
}

/** Appends the flow's next packet at time `tsUs` (µs since the epoch; forced to increase). */
export function writeFlowPacket(w: PcapWriter, f: Flow, tsUs: number, m: number): void {
  if (w.pos + MAX_RECORD_BYTES > w.buf.length) flush(w);
  const ts = Math.max(Math.round(tsUs), w.lastTsUs + 1);
  w.lastTsUs = ts;
  const b = w.buf;
  const rec = w.pos;
  const src = metaDir(m) === 0 ? f.client : f.server;
  const dst = metaDir(m) === 0 ? f.server : f.client;
  const ipOff = writeEthernet(b, rec + PCAP_RECORD_HEADER_LEN, dst, src, f.vlan, f.v6);
  const ipLen = writeIpPacket(w, ipOff, f, m);
  const frameLen = ipOff - rec - PCAP_RECORD_HEADER_LEN + ipLen;
  const sec = Math.floor(ts / 1e6);
  b.writeUInt32LE(sec, rec);
  b.writeUInt32LE(ts - sec * 1e6, rec + 4);
  b.writeUInt32LE(frameLen, rec + 8);
  b.writeUInt32LE(frameLen, rec + 12);
  w.pos = ipOff + ipLen;
  w.packets++;
}
