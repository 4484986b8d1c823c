// TLS: version, SNI, ALPN, JA3/JA4 client fingerprints, and whether the client authenticated with a
// certificate (TLS 1.2: CertificateRequest from the server, then the client's Certificate message).
// Records: https://www.rfc-editor.org/rfc/rfc5246#section-6.2 (TLS 1.2), rfc8446 §5.1 (TLS 1.3).
// Handshake: https://www.rfc-editor.org/rfc/rfc5246#section-7.4 ; ClientHello rfc8446 §4.1.2.
// JA3: https://github.com/salesforce/ja3 ; JA4: https://github.com/FoxIO-LLC/ja4/blob/main/technical_details/JA4.md
// NOTE: the byte stream of each direction is followed across TCP segments with two counters per
// direction (bytes left in the current record, bytes left in the current handshake message); only the
// headers and the two hello messages are read, everything else is skipped by length.
import { createHash } from 'node:crypto';
import { u16be } from '../../common/bytes.js';
import { App, Auth, Enc, Mode, detailsOf, finish, type DetectState } from './state.js';
import { ascii, u24be } from './text.js';

const REC_HEADER = 5;
const REC_CHANGE_CIPHER_SPEC = 20;
const REC_ALERT = 21;
const REC_HANDSHAKE = 22;
const REC_APPLICATION_DATA = 23;
/** 2^14 plaintext + 2048 expansion (rfc5246 §6.2.3). */
const REC_MAX_LEN = 18432;

const HS_HEADER = 4;
const HS_CLIENT_HELLO = 1;
const HS_SERVER_HELLO = 2;
const HS_CERTIFICATE = 11;
const HS_CERTIFICATE_REQUEST = 13;
const HS_SERVER_HELLO_DONE = 14;
const HS_CLIENT_KEY_EXCHANGE = 16;

const EXT_SERVER_NAME = 0x0000;
const EXT_SUPPORTED_GROUPS = 0x000a;
const EXT_EC_POINT_FORMATS = 0x000b;
const EXT_SIGNATURE_ALGORITHMS = 0x000d;
const EXT_ALPN = 0x0010;
const EXT_SUPPORTED_VERSIONS = 0x002b;

const HELLO_RANDOM = 32;
/** Records plus handshake messages looked at per segment (real flights have a dozen). */
export const MAX_TLS_STEPS = 128;
let steps = 0;
/** Extension/cipher lists longer than this are not fingerprinted (no real hello has more). */
const MAX_LIST = 256;
const MAX_ALPN_TEXT = 128;

// Per-flow flags (DetectState.flags) while in Mode.tls.
const F_CERT_REQUESTED = 1;
const F_TLS13 = 2;
const F_SERVER_HELLO = 4;

/** True when buf[off..end) starts with a TLS handshake record holding a ClientHello (or ServerHello). */
export function looksLikeTlsHello(buf: Uint8Array, off: number, end: number, hsType: number): boolean {
  if (end - off < REC_HEADER + HS_HEADER + 2) return false;
  if (buf[off] !== REC_HANDSHAKE || buf[off + 1] !== 3 || buf[off + 2]! > 4) return false;
  const len = u16be(buf, off + 3);
  if (len < HS_HEADER || len > REC_MAX_LEN) return false;
  return buf[off + REC_HEADER] === hsType && buf[off + REC_HEADER + 4] === 3;
}

/** Start following TLS on both directions from their next bytes. */
export function tlsStart(s: DetectState, f: number): void {
  s.mode[f] = Mode.tls;
  s.enc[f] = Enc.tls;
  if (s.app[f] === 0) s.app[f] = App.tls;
  if (s.auth[f] === 0) s.auth[f] = Auth.unknown;
  s.flags[f] = 0;
  for (let d = f * 2; d <= f * 2 + 1; d++) {
    s.a[d] = 0;
    s.b[d] = 0;
    s.c[d] = 0;
    s.dirDone[d] = 0;
  }
}

/** Follow one segment of direction `d` (payload buf[off..end)). */
export function tlsSegment(s: DetectState, f: number, d: number, fromOrig: boolean, buf: Uint8Array, off: number, end: number): void {
  let pos = off;
  steps = 0;
  while (pos < end && s.dirDone[d] === 0 && s.mode[f] === Mode.tls) {
    if (++steps > MAX_TLS_STEPS) { s.dirDone[d] = 1; return; }
    if (s.a[d] === 0) {
      if (pos + REC_HEADER > end) { s.dirDone[d] = 1; return; }
      const type = buf[pos]!;
      const len = u16be(buf, pos + 3);
      if (type < REC_CHANGE_CIPHER_SPEC || type > REC_APPLICATION_DATA || buf[pos + 1] !== 3 || len > REC_MAX_LEN) {
        s.dirDone[d] = 1; // not (or no longer) a record boundary we understand
        return;
      }
      pos += REC_HEADER;
      if (type !== REC_HANDSHAKE || len === 0) {
        // ChangeCipherSpec / application data: what follows is encrypted. A cleartext alert ends it too.
        endOfCleartext(s, f, d, fromOrig, type);
        return;
      }
      s.a[d] = len;
      s.c[d] = type;
      continue;
    }
    const take = Math.min(s.a[d]!, end - pos);
    handshakeBytes(s, f, d, fromOrig, buf, pos, pos + take);
    s.a[d] -= take;
    pos += take;
  }
}

function endOfCleartext(s: DetectState, f: number, d: number, fromOrig: boolean, type: number): void {
  s.dirDone[d] = 1;
  if (fromOrig || type === REC_ALERT) {
    if (s.flags[f]! & F_CERT_REQUESTED) {
      // Asked for a certificate but moved on without a Certificate message (or aborted).
      s.auth[f] = Auth.unknown;
      finish(s, f);
    }
    return;
  }
  // Server's ChangeCipherSpec before ServerHelloDone: an abbreviated (resumed) handshake, or TLS 1.3's
  // compatibility record. Either way the client's authentication is not visible.
  if ((s.flags[f]! & F_SERVER_HELLO) !== 0) {
    s.auth[f] = Auth.unknown;
    finish(s, f);
  }
}

/** Handshake-layer bytes [from, to) of direction d (one record's worth or less). */
function handshakeBytes(s: DetectState, f: number, d: number, fromOrig: boolean, buf: Uint8Array, from: number, to: number): void {
  let q = from;
  while (q < to) {
    if (++steps > MAX_TLS_STEPS) { s.dirDone[d] = 1; return; }
    const left = s.b[d]!;
    if (left > 0) {
      const skip = Math.min(left, to - q);
      s.b[d] = left - skip;
      q += skip;
      continue;
    }
    if (q + HS_HEADER > to) { s.dirDone[d] = 1; return; } // header split across records: give up
    const type = buf[q]!;
    const len = u24be(buf, q + 1);
    q += HS_HEADER;
    const bodyEnd = Math.min(to, q + len);
    if (fromOrig) clientMessage(s, f, type, buf, q, bodyEnd);
    else serverMessage(s, f, type, buf, q, bodyEnd);
    if (s.mode[f] !== Mode.tls || s.dirDone[d] === 1) return;
    s.b[d] = len;
  }
}

function clientMessage(s: DetectState, f: number, type: number, buf: Uint8Array, from: number, to: number): void {
  if (type === HS_CLIENT_HELLO) {
    parseClientHello(s, f, buf, from, to);
    return;
  }
  if ((s.flags[f]! & F_CERT_REQUESTED) === 0) return;
  if (type === HS_CERTIFICATE) {
    if (from + 3 > to) {
      // The list length lies in the next segment: say unknown rather than guess.
      s.auth[f] = Auth.unknown;
      finish(s, f);
      return;
    }
    // certificate_list<0..2^24-1>: empty means "I have none" (rfc5246 §7.4.6).
    const sent = u24be(buf, from) > 0;
    s.auth[f] = sent ? Auth.mtls : Auth['tls-server-only'];
    detailsOf(s, f).tls_client_cert = sent ? 'sent' : 'empty';
    finish(s, f);
  } else if (type === HS_CLIENT_KEY_EXCHANGE) {
    s.auth[f] = Auth['tls-server-only'];
    detailsOf(s, f).tls_client_cert = 'empty';
    finish(s, f);
  }
}

function serverMessage(s: DetectState, f: number, type: number, buf: Uint8Array, from: number, to: number): void {
  if (type === HS_SERVER_HELLO) {
    s.flags[f] |= F_SERVER_HELLO;
    parseServerHello(s, f, buf, from, to);
    if (s.flags[f]! & F_TLS13) {
      // Everything after the ServerHello is encrypted in TLS 1.3: say so (auth unknown) rather than guess.
      s.auth[f] = Auth.unknown;
      finish(s, f);
    }
  } else if (type === HS_CERTIFICATE_REQUEST) {
    s.flags[f] |= F_CERT_REQUESTED;
  } else if (type === HS_SERVER_HELLO_DONE) {
    s.dirDone[f * 2 + 1] = 1;
    if ((s.flags[f]! & F_CERT_REQUESTED) === 0) {
      s.auth[f] = Auth['tls-server-only'];
      detailsOf(s, f).tls_client_cert = 'not-requested';
      finish(s, f);
    }
  }
}

export function tlsVersionName(v: number): string | undefined {
  switch (v) {
    case 0x0304: return 'TLS 1.3';
    case 0x0303: return 'TLS 1.2';
    case 0x0302: return 'TLS 1.1';
    case 0x0301: return 'TLS 1.0';
    case 0x0300: return 'SSL 3.0';
    default: return undefined;
  }
}

function parseServerHello(s: DetectState, f: number, buf: Uint8Array, from: number, to: number): void {
  if (from + 2 + HELLO_RANDOM + 1 > to) return;
  let version = u16be(buf, from);
  let q = from + 2 + HELLO_RANDOM;
  q += 1 + buf[q]!; // session id
  q += 2 + 1; // cipher suite, compression
  if (q + 2 <= to) {
    const extEnd = Math.min(to, q + 2 + u16be(buf, q));
    q += 2;
    while (q + 4 <= extEnd) {
      const type = u16be(buf, q);
      const len = u16be(buf, q + 2);
      q += 4;
      if (type === EXT_SUPPORTED_VERSIONS && len === 2 && q + 2 <= extEnd) version = u16be(buf, q);
      q += len;
    }
  }
  if (version === 0x0304) s.flags[f] |= F_TLS13;
  const name = tlsVersionName(version);
  if (name !== undefined) detailsOf(s, f).tls_version = name;
}

/** GREASE values (rfc8701): 0x?a?a with both bytes equal. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v >>> 8) === (v & 0xff);
}

/** What a ClientHello says, for the fingerprints. Lists are as sent (GREASE is removed later). */
export interface ClientHelloInfo {
  version: number;
  ciphers: number[];
  extensions: number[];
  groups: number[];
  pointFormats: number[];
  sigAlgs: number[];
  supportedVersions: number[];
  sni: string | undefined;
  alpn: string[];
  /** The whole hello was captured (fingerprints are only made from complete hellos). */
  complete: boolean;
}

// NOTE: two readers of a ClientHello. The hot path (scanClientHello) only finds SNI and ALPN and hashes
// everything JA4 depends on (version, cipher list, extension types in order, signature algorithms,
// supported versions, SNI presence, the first ALPN value's ends) into a 53-bit key of two 32-bit hashes;
// the full, allocating reader (readClientHello) runs only when that key is not in the cache.
const sc = {
  sniAt: -1, sniLen: 0,
  alpnAt: -1, alpnEnd: 0,
  complete: false,
  hashA: 0, hashB: 0,
};

function hashByte(v: number): void {
  sc.hashA = Math.imul(sc.hashA ^ v, 0x01000193); // FNV-1a
  sc.hashB = (Math.imul(sc.hashB, 0x2f) + v + 0x9e37) | 0; // a polynomial hash with another base
}

/** Mixes buf[from..to) in two bytes at a time (the lists hashed are of 16-bit values). */
function hashBytes(buf: Uint8Array, from: number, to: number): void {
  let a = sc.hashA;
  let b = sc.hashB;
  let i = from;
  for (; i + 1 < to; i += 2) {
    const v = (buf[i]! << 8) | buf[i + 1]!;
    a = Math.imul(a ^ v, 0x01000193);
    b = (Math.imul(b, 0x2f) + v + 0x9e37) | 0;
  }
  if (i < to) {
    const v = buf[i]! | 0x10000; // an odd last byte, marked so it differs from a pair
    a = Math.imul(a ^ v, 0x01000193);
    b = (Math.imul(b, 0x2f) + v + 0x9e37) | 0;
  }
  sc.hashA = a;
  sc.hashB = b;
}

/** Scans a ClientHello body buf[from..to) (possibly cut short by the capture) into `sc`. */
function scanClientHello(buf: Uint8Array, from: number, to: number): boolean {
  if (from + 2 + HELLO_RANDOM + 1 > to) return false;
  sc.sniAt = -1;
  sc.alpnAt = -1;
  sc.complete = false;
  sc.hashA = 0x811c9dc5;
  sc.hashB = 0x2545f491;
  hashBytes(buf, from, from + 2); // version
  let q = from + 2 + HELLO_RANDOM;
  q += 1 + buf[q]!;
  if (q + 2 > to) return true;
  const cEnd = q + 2 + u16be(buf, q);
  hashBytes(buf, q, Math.min(cEnd, to)); // cipher suites, with their length
  q = cEnd;
  if (q + 1 > to) return true;
  q += 1 + buf[q]!; // compression methods
  if (q + 2 > to) {
    sc.complete = q === to; // a hello without extensions
    return true;
  }
  const extEnd = q + 2 + u16be(buf, q);
  q += 2;
  let n = 0;
  while (q + 4 <= Math.min(extEnd, to) && n++ < MAX_LIST) {
    const type = u16be(buf, q);
    const len = u16be(buf, q + 2);
    const b = q + 4;
    const e = b + len;
    hashBytes(buf, q, q + 2);
    if (e <= to) {
      if (type === EXT_SERVER_NAME) {
        // server_name_list<1..2^16-1> of (name_type, HostName<1..2^16-1>) (rfc6066 §3)
        if (b + 5 <= e && buf[b + 2] === 0) {
          const nl = u16be(buf, b + 3);
          if (b + 5 + nl <= e) { sc.sniAt = b + 5; sc.sniLen = nl; }
        }
      } else if (type === EXT_ALPN) {
        // ProtocolNameList<2..2^16-1> of ProtocolName<1..2^8-1> (rfc7301 §3.1)
        if (b + 2 <= e) {
          sc.alpnAt = b + 2;
          sc.alpnEnd = Math.min(e, b + 2 + u16be(buf, b));
          const fl = buf[sc.alpnAt]!;
          if (sc.alpnAt + 1 + fl <= sc.alpnEnd && fl > 0) { hashByte(buf[sc.alpnAt + 1]!); hashByte(buf[sc.alpnAt + fl]!); }
        }
      } else if (type === EXT_SIGNATURE_ALGORITHMS || type === EXT_SUPPORTED_VERSIONS) {
        hashBytes(buf, b, e);
      }
    }
    q = e;
  }
  hashByte(sc.sniAt >= 0 ? 1 : 0);
  sc.complete = q === extEnd && extEnd <= to;
  return true;
}

function alpnList(buf: Uint8Array, at: number, end: number): string[] {
  const out: string[] = [];
  let q = at;
  while (q < end && out.length < 16) {
    const n = buf[q]!;
    if (q + 1 + n > end) break;
    out.push(ascii(buf, q + 1, q + 1 + n, 64));
    q += 1 + n;
  }
  return out;
}

/**
 * Recently seen ALPN lists as text: a direct-mapped table (slot = hash of the list's bytes), each hit
 * checked against the bytes before use. Numbers-only slots: no hashing of boxed keys.
 */
const ALPN_SLOTS = 1024;
const alpnCache: (string | undefined)[] = new Array<string | undefined>(ALPN_SLOTS).fill(undefined);

/** Does `text` ("a,b") spell the ALPN list buf[at..end)? */
function alpnMatches(text: string, buf: Uint8Array, at: number, end: number): boolean {
  let k = 0;
  let q = at;
  while (q < end) {
    const n = buf[q]!;
    if (q + 1 + n > end) return false;
    if (k > 0) { if (text.charCodeAt(k) !== 0x2c) return false; k++; }
    for (let i = q + 1; i <= q + n; i++, k++) {
      const c = buf[i]!;
      if (text.charCodeAt(k) !== (c < 0x20 || c > 0x7e ? 0x3f : c)) return false;
    }
    q += 1 + n;
  }
  return k === text.length;
}

function alpnText(buf: Uint8Array, at: number, end: number): string {
  let h = 0x811c9dc5;
  for (let i = at; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  const slot = (h ^ (h >>> 16)) & (ALPN_SLOTS - 1);
  const hit = alpnCache[slot];
  if (hit !== undefined && alpnMatches(hit, buf, at, end)) return hit;
  let text = alpnList(buf, at, end).join(',');
  if (text.length > MAX_ALPN_TEXT) text = text.slice(0, MAX_ALPN_TEXT);
  alpnCache[slot] = text;
  return text;
}

/** Reads a ClientHello body buf[from..to) (possibly cut short by the capture) into lists. Allocates. */
export function readClientHello(buf: Uint8Array, from: number, to: number): ClientHelloInfo | null {
  if (from + 2 + HELLO_RANDOM + 1 > to) return null;
  const h: ClientHelloInfo = {
    version: u16be(buf, from), ciphers: [], extensions: [], groups: [], pointFormats: [], sigAlgs: [],
    supportedVersions: [], sni: undefined, alpn: [], complete: false,
  };
  let q = from + 2 + HELLO_RANDOM;
  q += 1 + buf[q]!;
  if (q + 2 > to) return h;
  const cEnd = q + 2 + u16be(buf, q);
  for (q += 2; q + 2 <= Math.min(cEnd, to) && h.ciphers.length < MAX_LIST; q += 2) h.ciphers.push(u16be(buf, q));
  q = cEnd;
  if (q + 1 > to) return h;
  q += 1 + buf[q]!;
  if (q + 2 > to) {
    h.complete = q === to;
    return h;
  }
  const extEnd = q + 2 + u16be(buf, q);
  q += 2;
  while (q + 4 <= Math.min(extEnd, to) && h.extensions.length < MAX_LIST) {
    const type = u16be(buf, q);
    const len = u16be(buf, q + 2);
    const b = q + 4;
    const e = b + len;
    h.extensions.push(type);
    if (e <= to) {
      switch (type) {
        case EXT_SERVER_NAME:
          if (b + 5 <= e && buf[b + 2] === 0 && b + 5 + u16be(buf, b + 3) <= e) h.sni = ascii(buf, b + 5, b + 5 + u16be(buf, b + 3), 255, true);
          break;
        case EXT_ALPN:
          if (b + 2 <= e) h.alpn = alpnList(buf, b + 2, Math.min(e, b + 2 + u16be(buf, b)));
          break;
        case EXT_SUPPORTED_GROUPS:
          if (b + 2 <= e) readU16List(buf, b + 2, Math.min(e, b + 2 + u16be(buf, b)), h.groups);
          break;
        case EXT_SIGNATURE_ALGORITHMS:
          if (b + 2 <= e) readU16List(buf, b + 2, Math.min(e, b + 2 + u16be(buf, b)), h.sigAlgs);
          break;
        case EXT_EC_POINT_FORMATS:
          if (b + 1 <= e) for (let i = b + 1; i < Math.min(e, b + 1 + buf[b]!); i++) h.pointFormats.push(buf[i]!);
          break;
        case EXT_SUPPORTED_VERSIONS:
          if (b + 1 <= e) readU16List(buf, b + 1, Math.min(e, b + 1 + buf[b]!), h.supportedVersions);
          break;
      }
    }
    q = e;
  }
  h.complete = q === extEnd && extEnd <= to;
  return h;
}

function readU16List(buf: Uint8Array, from: number, to: number, out: number[]): void {
  for (let q = from; q + 2 <= to && out.length < MAX_LIST; q += 2) out.push(u16be(buf, q));
}

/**
 * JA4 of recently seen hello shapes: most flows come from a handful of client builds, so the SHA-256
 * is computed once per shape. Keyed by the two 32-bit scan hashes in a direct-mapped table (a new shape
 * takes over its slot; numbers only, no boxed Map keys). (JA3 is
 * available as a function, checked against tshark in the tests, but not put in records: JA4 says more
 * and every extra field costs every record.)
 */
const FP_SLOTS = 4096;
const fpHashA = new Int32Array(FP_SLOTS);
const fpHashB = new Int32Array(FP_SLOTS);
const fpText: (string | undefined)[] = new Array<string | undefined>(FP_SLOTS).fill(undefined);

function parseClientHello(s: DetectState, f: number, buf: Uint8Array, from: number, to: number): void {
  if (!scanClientHello(buf, from, to)) return;
  const det = detailsOf(s, f);
  if (sc.sniAt >= 0) det.sni = ascii(buf, sc.sniAt, sc.sniAt + sc.sniLen, 255, true);
  if (sc.alpnAt >= 0 && sc.alpnAt < sc.alpnEnd) {
    const text = alpnText(buf, sc.alpnAt, sc.alpnEnd);
    if (text.length > 0) det.alpn = text;
    // PostgreSQL 17 direct TLS (sslnegotiation=direct) names itself in ALPN.
    if (s.app[f] === App.tls && (text === 'postgresql' || text.startsWith('postgresql,'))) s.app[f] = App.postgres;
  }
  if (sc.complete) {
    // Direct-mapped by the first hash; a hit needs both 32-bit hashes to agree.
    const a = sc.hashA | 0;
    const b = sc.hashB | 0;
    const slot = (a ^ (a >>> 16)) & (FP_SLOTS - 1);
    let fp = fpText[slot];
    if (fp === undefined || fpHashA[slot] !== a || fpHashB[slot] !== b) {
      fp = ja4(readClientHello(buf, from, to)!, 't');
      fpText[slot] = fp;
      fpHashA[slot] = a;
      fpHashB[slot] = b;
    }
    det.ja4 = fp;
  }
}

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

/** JA3: md5 of "version,ciphers,extensions,groups,point formats" in decimal, GREASE removed. */
export function ja3(h: ClientHelloInfo): string {
  const dec = (l: number[]): string => l.filter((v) => !isGrease(v)).join('-');
  const text = `${h.version},${dec(h.ciphers)},${dec(h.extensions)},${dec(h.groups)},${h.pointFormats.join('-')}`;
  return createHash('md5').update(text).digest('hex');
}

const JA4_VERSIONS: Record<number, string> = {
  0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3', 0x0002: 's2', 0xfeff: 'd1', 0xfefd: 'd2', 0xfefc: 'd3',
};

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function sha12(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** JA4 (a_b_c) of a ClientHello; `transport` is 't' (TCP) or 'q' (QUIC). */
export function ja4(h: ClientHelloInfo, transport: 't' | 'q'): string {
  const versions = h.supportedVersions.filter((v) => !isGrease(v));
  const version = versions.length > 0 ? Math.max(...versions) : h.version;
  const ciphers = h.ciphers.filter((v) => !isGrease(v));
  const exts = h.extensions.filter((v) => !isGrease(v));
  const two = (n: number): string => String(Math.min(n, 99)).padStart(2, '0');
  let alpn = '00';
  const first = h.alpn[0];
  if (first !== undefined && first.length > 0) {
    const a = first.charCodeAt(0);
    const z = first.charCodeAt(first.length - 1);
    alpn = isAlnum(a) && isAlnum(z) ? first[0]! + first[first.length - 1]! : a.toString(16).padStart(2, '0')[0]! + z.toString(16).padStart(2, '0')[1]!;
  }
  const partA = `${transport}${JA4_VERSIONS[version] ?? '00'}${h.sni !== undefined ? 'd' : 'i'}${two(ciphers.length)}${two(exts.length)}${alpn}`;
  const partB = ciphers.length === 0 ? '000000000000' : sha12(ciphers.map(hex4).sort().join(','));
  const extList = exts.filter((v) => v !== EXT_SERVER_NAME && v !== EXT_ALPN).map(hex4).sort().join(',');
  const sig = h.sigAlgs.filter((v) => !isGrease(v)).map(hex4).join(',');
  const partC = exts.length === 0 ? '000000000000' : sha12(sig.length > 0 ? `${extList}_${sig}` : extList);
  return `${partA}_${partB}_${partC}`;
}
