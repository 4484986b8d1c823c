// DNS over UDP and TCP: the first question (name and type) and, from answers, IP → name pairs.
// Message format: https://www.rfc-editor.org/rfc/rfc1035#section-4.1 ; TCP length prefix rfc1035
// §4.2.2 ; AAAA rfc3596 ; mDNS (same format, port 5353) rfc6762.
// NOTE: names are read with compression pointers followed at most MAX_POINTERS times; at most
// MAX_ANSWERS answers are read. The callback gets the question's name for each A/AAAA address.
import { u16be } from '../../common/bytes.js';
import { formatAddress } from '../decode/address.js';
import { App, Auth, Enc, Mode, detailsOf, finish, type DetectState } from './state.js';
import { ascii } from './text.js';

const HEADER = 12;
const OFF_FLAGS = 2;
const OFF_QDCOUNT = 4;
const OFF_ANCOUNT = 6;
const OFF_NSCOUNT = 8;
const OFF_ARCOUNT = 10;
const FLAG_QR = 0x8000;
const OPCODE_MASK = 0x7800;
const MAX_NAME = 253;
const MAX_POINTERS = 16;
const MAX_ANSWERS = 32;
const TYPE_A = 1;
const TYPE_AAAA = 28;
const CLASS_IN = 1;

export type OnName = (ip: string, name: string, tsUs: number) => void;

const QTYPES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV',
  35: 'NAPTR', 39: 'DNAME', 43: 'DS', 48: 'DNSKEY', 52: 'TLSA', 64: 'SVCB', 65: 'HTTPS', 99: 'SPF',
  251: 'IXFR', 252: 'AXFR', 255: 'ANY', 257: 'CAA',
};

export function qtypeName(t: number): string {
  return QTYPES[t] ?? String(t);
}

/** Reads a (possibly compressed) name at `at` in msg [m, end); returns the offset after it or -1. */
function skipName(buf: Uint8Array, at: number, end: number): number {
  while (at < end) {
    const len = buf[at]!;
    if (len === 0) return at + 1;
    if ((len & 0xc0) === 0xc0) return at + 2 <= end ? at + 2 : -1;
    if ((len & 0xc0) !== 0) return -1;
    at += 1 + len;
  }
  return -1;
}

/** Name bytes are assembled here (dots, lower case), then decoded in one call: one flat string. */
const nameScratch = new Uint8Array(MAX_NAME + 64);

/** The text of the name at `at` (lower case, dotted, no trailing dot; "." for the root), or null. */
function readName(buf: Uint8Array, m: number, at: number, end: number): string | null {
  let n = 0;
  let jumps = 0;
  while (at < end) {
    const len = buf[at]!;
    if (len === 0) return n === 0 ? '.' : ascii(nameScratch, 0, n, MAX_NAME);
    if ((len & 0xc0) === 0xc0) {
      if (at + 2 > end || ++jumps > MAX_POINTERS) return null;
      const target = m + (((len & 0x3f) << 8) | buf[at + 1]!);
      if (target >= at) return null; // pointers go backwards
      at = target;
      continue;
    }
    if ((len & 0xc0) !== 0 || at + 1 + len > end) return null;
    if (n + len + 1 > MAX_NAME + 1) return null;
    if (n > 0) nameScratch[n++] = 0x2e;
    // Host names are LDH; anything else printable (underscores in SRV names are common) is kept.
    for (let i = at + 1; i <= at + len; i++) {
      let c = buf[i]!;
      if (c < 0x21 || c > 0x7e) return null;
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      nameScratch[n++] = c;
    }
    at += 1 + len;
  }
  return null;
}

/**
 * A DNS message at buf[m..end) with exactly one question that reads cleanly? Returns the offset after
 * the question, or -1. `response` asks for QR=1 (else QR=0).
 */
export function dnsQuestionEnd(buf: Uint8Array, m: number, end: number, response: boolean): number {
  if (end - m < HEADER + 5) return -1;
  const flags = u16be(buf, m + OFF_FLAGS);
  if (((flags & FLAG_QR) !== 0) !== response) return -1;
  if ((flags & OPCODE_MASK) > (5 << 11)) return -1; // opcodes 0..5 are assigned
  if (u16be(buf, m + OFF_QDCOUNT) !== 1) return -1;
  if (!response && (u16be(buf, m + OFF_ANCOUNT) > 0 || u16be(buf, m + OFF_NSCOUNT) > 8 || u16be(buf, m + OFF_ARCOUNT) > 8)) return -1;
  const q = skipName(buf, m + HEADER, end);
  if (q < 0 || q + 4 > end) return -1;
  if (buf[m + HEADER]! >= 0xc0) return -1; // the question name itself is never a pointer
  const qclass = u16be(buf, q + 2) & 0x7fff; // mDNS uses the top bit (unicast response)
  if (qclass !== CLASS_IN && qclass !== 3 && qclass !== 255) return -1;
  return q + 4;
}

export function dnsStart(s: DetectState, f: number, mdns: boolean): void {
  s.mode[f] = Mode.dns;
  s.app[f] = mdns ? App.mdns : App.dns;
  s.enc[f] = Enc.none;
  s.auth[f] = Auth.none;
}

/** Offset of the DNS message in a segment: +2 over TCP (length prefix), or -1 when it does not fit. */
export function dnsMessageStart(tcp: boolean, buf: Uint8Array, off: number, end: number): number {
  if (!tcp) return off;
  if (end - off < 2 + HEADER) return -1;
  const len = u16be(buf, off);
  return len >= HEADER && len <= 65535 ? off + 2 : -1;
}

/** One packet of a DNS flow. */
export function dnsPacket(
  s: DetectState, f: number, d: number, tcp: boolean, buf: Uint8Array, off: number, end: number, tsUs: number, onName: OnName | null,
): void {
  const m = dnsMessageStart(tcp, buf, off, end);
  if (m < 0) return;
  const flags = end - m >= HEADER ? u16be(buf, m + OFF_FLAGS) : 0;
  const response = (flags & FLAG_QR) !== 0;
  // The answer to a query already read, and nobody wants names: nothing more to learn.
  if (response && onName === null && s.details[f]?.dns_query !== undefined) {
    finish(s, f);
    return;
  }
  const qEnd = dnsQuestionEnd(buf, m, end, response);
  if (qEnd < 0) return;
  const det = detailsOf(s, f);
  if (det.dns_query === undefined) {
    const name = readName(buf, m, m + HEADER, end);
    if (name !== null) {
      det.dns_query = name;
      det.dns_qtype = qtypeName(u16be(buf, qEnd - 4));
    }
  }
  if (!response) {
    // Without a names callback the answer adds nothing to the labels (see the check above): stop now
    // rather than be called again for it.
    if (onName === null && det.dns_query !== undefined) finish(s, f);
    return;
  }
  s.dirDone[d] = 1;
  if (onName !== null) answers(buf, m, qEnd, end, tsUs, onName);
  finish(s, f);
}

function answers(buf: Uint8Array, m: number, at: number, end: number, tsUs: number, onName: OnName): void {
  const n = Math.min(u16be(buf, m + OFF_ANCOUNT), MAX_ANSWERS);
  let qname: string | null | undefined;
  for (let i = 0; i < n; i++) {
    const r = skipName(buf, at, end);
    if (r < 0 || r + 10 > end) return;
    const type = u16be(buf, r);
    const cls = u16be(buf, r + 2) & 0x7fff;
    const rdlen = u16be(buf, r + 8);
    const rd = r + 10;
    if (rd + rdlen > end) return;
    if (cls === CLASS_IN && ((type === TYPE_A && rdlen === 4) || (type === TYPE_AAAA && rdlen === 16))) {
      if (qname === undefined) qname = readName(buf, m, m + HEADER, end);
      if (qname === null) return;
      const ip =
        type === TYPE_A
          ? `${buf[rd]}.${buf[rd + 1]}.${buf[rd + 2]}.${buf[rd + 3]}`
          : formatAddress(word(buf, rd), word(buf, rd + 4), word(buf, rd + 8), word(buf, rd + 12));
      onName(ip, qname, tsUs);
    }
    at = rd + rdlen;
  }
}

function word(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
