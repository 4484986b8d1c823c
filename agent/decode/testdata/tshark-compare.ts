// Test support: decode every record of a capture and check each field against tshark's dissection.
// NOTE: test-only; nothing in agent/ imports it.
import { expect } from 'vitest';
import { formatAddress } from '../address.js';
import { decodePacket } from '../decode-packet.js';
import {
  createDecodedPacket, FRAG_FIRST, FRAG_NONE, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP,
  SKIP_REASONS, Skip, type DecodedPacket, type SkipReason,
} from '../packet.js';
import { readPcapFile, tsharkRows, type TsharkRow } from './pcap-fixtures.js';

const L4_BY_TOKEN: Record<string, number> = { tcp: IPPROTO_TCP, udp: IPPROTO_UDP, icmp: IPPROTO_ICMP, icmpv6: IPPROTO_ICMPV6 };

/** The protocol tshark dissected right after the (first) IP header and its extension headers. */
function l4Token(protocols: string): string | undefined {
  const tokens = protocols.split(':');
  let i = tokens.findIndex((t) => t === 'ip' || t === 'ipv6');
  if (i < 0) return undefined;
  i++;
  while (i < tokens.length && tokens[i]!.startsWith('ipv6.')) i++;
  return tokens[i];
}

export function expectedReason(row: TsharkRow): SkipReason {
  const token = l4Token(row['frame.protocols']);
  if (token === undefined) return 'non-ip';
  if (Number(row['ip.frag_offset'] || 0) > 0 || Number(row['ipv6.fraghdr.offset'] || 0) > 0) return 'ip-fragment';
  return token in L4_BY_TOKEN ? 'ok' : 'unsupported-l4';
}

const num = (s: string | number): number => Number(s);
const hex = (p: DecodedPacket): string => Buffer.from(p.buf.buffer, p.buf.byteOffset + p.payloadOff, p.payloadCap).toString('hex');

/** A summary of what one packet was, so tests can insist that a capture covers what it should. */
export function kind(p: DecodedPacket, reason: number): string {
  if (reason !== Skip.ok) return SKIP_REASONS[reason]!;
  const name = { [IPPROTO_TCP]: 'tcp', [IPPROTO_UDP]: 'udp', [IPPROTO_ICMP]: 'icmp', [IPPROTO_ICMPV6]: 'icmp' }[p.proto];
  return `${name}${p.ipVersion}${p.fragment === FRAG_FIRST ? '-first-fragment' : ''}${p.vlan ? '-vlan' : ''}`;
}

/** Decodes every record and checks each field against tshark's; returns how many of each kind. */
export function compareWithTshark(path: string): Map<string, number> {
  const file = readPcapFile(path);
  const rows = tsharkRows(path);
  expect(rows.length, `${path}: frame count`).toBe(file.records.length);
  const kinds = new Map<string, number>();
  const p = createDecodedPacket();
  file.records.forEach((rec, i) => {
    const row = rows[i]!;
    const at = `${path} frame ${row['frame.number']}`;
    const reason = decodePacket(p, file.buf, rec.off, rec.capLen, rec.wireLen, file.linktype);
    kinds.set(kind(p, reason), (kinds.get(kind(p, reason)) ?? 0) + 1);
    expect(SKIP_REASONS[reason], `${at}: reason`).toBe(expectedReason(row));
    expect(p.wireLen, `${at}: wireLen`).toBe(num(row['frame.len']));
    if (reason !== Skip.ok) return;

    const outerVlan = row['ieee8021ad.id'] || row['vlan.id'] || '0';
    expect(p.vlan, `${at}: vlan`).toBe(num(outerVlan));
    const token = l4Token(row['frame.protocols'])!;
    expect(p.proto, `${at}: proto`).toBe(L4_BY_TOKEN[token]);
    let l4Len: number; // transport bytes by tshark's numbers
    if (row['ip.src']) {
      expect(p.ipVersion, `${at}: ipVersion`).toBe(4);
      expect(formatAddress(p.src0, p.src1, p.src2, p.src3), `${at}: ip.src`).toBe(row['ip.src']);
      expect(formatAddress(p.dst0, p.dst1, p.dst2, p.dst3), `${at}: ip.dst`).toBe(row['ip.dst']);
      expect([p.src0, p.src1, p.src2], `${at}: IPv4-mapped`).toEqual([0, 0, 0xffff]);
      expect(p.ipLen, `${at}: ip.len`).toBe(num(row['ip.len']));
      expect(p.proto, `${at}: ip.proto`).toBe(num(row['ip.proto']));
      expect(p.fragment, `${at}: ip.flags.mf`).toBe(row['ip.flags.mf'] === '1' ? FRAG_FIRST : FRAG_NONE);
      l4Len = num(row['ip.len']) - num(row['ip.hdr_len']);
    } else {
      expect(p.ipVersion, `${at}: ipVersion`).toBe(6);
      expect(formatAddress(p.src0, p.src1, p.src2, p.src3), `${at}: ipv6.src`).toBe(row['ipv6.src']);
      expect(formatAddress(p.dst0, p.dst1, p.dst2, p.dst3), `${at}: ipv6.dst`).toBe(row['ipv6.dst']);
      expect(p.ipLen, `${at}: ipv6.plen`).toBe(40 + num(row['ipv6.plen']));
      expect(p.fragment, `${at}: ipv6.fraghdr.more`).toBe(row['ipv6.fraghdr.more'] === '1' ? FRAG_FIRST : FRAG_NONE);
      const ext = num(row['ipv6.hopopts.len_oct'] || 0) + num(row['ipv6.dstopts.len_oct'] || 0) +
        num(row['ipv6.routing.len_oct'] || 0) + (row['ipv6.fraghdr.offset'] ? 8 : 0);
      l4Len = num(row['ipv6.plen']) - ext;
    }
    for (const w of [p.src0, p.src1, p.src2, p.src3, p.dst0, p.dst1, p.dst2, p.dst3]) {
      expect(w >= 0 && w <= 0xffffffff && Number.isInteger(w), `${at}: address word ${w}`).toBe(true);
    }

    if (p.proto === IPPROTO_TCP) {
      expect(p.sport, `${at}: tcp.srcport`).toBe(num(row['tcp.srcport']));
      expect(p.dport, `${at}: tcp.dstport`).toBe(num(row['tcp.dstport']));
      expect(p.tcpFlags, `${at}: tcp.flags`).toBe(num(row['tcp.flags']) & 0xff);
      expect(p.tcpSeq, `${at}: tcp.seq_raw`).toBe(num(row['tcp.seq_raw']));
      expect(p.tcpAck, `${at}: tcp.ack_raw`).toBe(num(row['tcp.ack_raw']));
      expect(p.payloadLen, `${at}: tcp.len`).toBe(num(row['tcp.len']));
      expect(hex(p), `${at}: tcp.payload`).toBe(row['tcp.payload']);
    } else if (p.proto === IPPROTO_UDP) {
      expect(p.sport, `${at}: udp.srcport`).toBe(num(row['udp.srcport']));
      expect(p.dport, `${at}: udp.dstport`).toBe(num(row['udp.dstport']));
      expect(p.payloadLen, `${at}: udp.length`).toBe(num(row['udp.length']) - 8);
      expect(hex(p), `${at}: udp.payload`).toBe(row['udp.payload']);
    } else {
      const v4 = p.proto === IPPROTO_ICMP;
      const type = num(row[v4 ? 'icmp.type' : 'icmpv6.type']);
      expect(p.sport, `${at}: icmp type`).toBe(type);
      expect(p.dport, `${at}: icmp code`).toBe(num(row[v4 ? 'icmp.code' : 'icmpv6.code']));
      const echo = v4 ? type === 0 || type === 8 : type === 128 || type === 129;
      expect(p.icmpId, `${at}: icmp id`).toBe(echo ? num(row[v4 ? 'icmp.ident' : 'icmpv6.echo.identifier']) : 0);
      expect(p.payloadLen, `${at}: icmp payload length`).toBe(l4Len - 8);
    }
    // Captured payload: never past the record, never more than the headers say.
    expect(p.payloadCap, `${at}: payloadCap`).toBeLessThanOrEqual(p.payloadLen);
    expect(p.payloadCap, `${at}: payloadCap >= 0`).toBeGreaterThanOrEqual(0);
    expect(p.payloadOff + p.payloadCap, `${at}: payload end`).toBeLessThanOrEqual(rec.off + rec.capLen);
    if (num(row['frame.cap_len']) === num(row['frame.len'])) {
      expect(p.payloadCap, `${at}: whole payload captured`).toBe(p.payloadLen);
    }
  });
  return kinds;
}

export const atLeast = (kinds: Map<string, number>, want: Record<string, number>): void => {
  const got = Object.fromEntries(Object.keys(want).map((k) => [k, Math.min(kinds.get(k) ?? 0, want[k]!)]));
  expect(got, `kinds seen: ${JSON.stringify(Object.fromEntries(kinds))}`).toEqual(want);
};
