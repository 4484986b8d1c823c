// TLS: version, SNI, ALPN, JA3/JA4 client fingerprints, and whether the client authenticated with a
// certificate (TLS 1.2: CertificateRequest from the server, then the client's Certificate message).
// Records: https://www.rfc-editor.org/rfc/rfc5246#section-6.2 (TLS 1.2), rfc8446 §5.1 (TLS 1.3).
// Handshake: https://www.rfc-editor.org/rfc/rfc5246#section-7.4 ; ClientHello rfc8446 §4.1.2.
// JA3: https://github.com/salesforce/ja3 ; JA4: https://github.com/FoxIO-LLC/ja4/blob/main/technical_details/JA4.md
// NOTE: the byte stream of each direction is followed across TCP segments with two counters per
// direction (bytes left in the current record, bytes left in the current handshake message); only the
// headers and the two hello messages are read, everything else is skipped by length.
import { createHash } from 'node:crypto';
import { u16be } from '../decode/bytes.js';
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

// NOTE: the hot path scans a hello into these reused arrays (no per-hello arrays); lists are cut at
// MAX_LIST. `hashA`/`hashB` are two independent 32-bit hashes of everything the fingerprints depend on,
// the key of the fingerprint cache.
const sc = {
  version: 0,
  ciphers: new Uint16Array(MAX_LIST), nCiphers: 0,
  exts: new Uint16Array(MAX_LIST), nExts: 0,
  groups: new Uint16Array(MAX_LIST), nGroups: 0,
  points: new Uint16Array(MAX_LIST), nPoints: 0,
  sigs: new Uint16Array(MAX_LIST), nSigs: 0,
  versions: new Uint16Array(MAX_LIST), nVersions: 0,
  sniAt: -1, sniLen: 0,
  alpnAt: -1, alpnEnd: 0,
  complete: false,
  hashA: 0, hashB: 0,
};

function hashIn(v: number): void {
  sc.hashA = Math.imul(sc.hashA ^ v, 0x01000193); // FNV-1a step over 16-bit values
  let k = Math.imul(v + 0x9e3779b9, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  let h = sc.hashB ^ Math.imul(k, 0x1b873593); // murmur3 step
  h = (h << 13) | (h >>> 19);
  sc.hashB = (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function push(list: Uint16Array, n: number, v: number, tag: number): number {
  if (n >= MAX_LIST) return n;
  list[n] = v;
  hashIn((tag << 16) | v);
  return n + 1;
}

/** Scans a ClientHello body buf[from..to) (possibly cut short by the capture) into `sc`. */
function scanClientHello(buf: Uint8Array, from: number, to: number): boolean {
  if (from + 2 + HELLO_RANDOM + 1 > to) return false;
  sc.version = u16be(buf, from);
  sc.nCiphers = sc.nExts = sc.nGroups = sc.nPoints = sc.nSigs = sc.nVersions = 0;
  sc.sniAt = -1;
  sc.alpnAt = -1;
  sc.complete = false;
  sc.hashA = 0x811c9dc5;
  sc.hashB = 0x2545f491;
  hashIn(sc.version);
  let q = from + 2 + HELLO_RANDOM;
  q += 1 + buf[q]!;
  if (q + 2 > to) return true;
  const cEnd = q + 2 + u16be(buf, q);
  for (q += 2; q + 2 <= Math.min(cEnd, to); q += 2) sc.nCiphers = push(sc.ciphers, sc.nCiphers, u16be(buf, q), 1);
  q = cEnd;
  if (q + 1 > to) return true;
  q += 1 + buf[q]!; // compression methods
  if (q + 2 > to) {
    sc.complete = q === to; // a hello without extensions
    return true;
  }
  const extEnd = q + 2 + u16be(buf, q);
  q += 2;
  while (q + 4 <= Math.min(extEnd, to) && sc.nExts < MAX_LIST) {
    const type = u16be(buf, q);
    const len = u16be(buf, q + 2);
    const b = q + 4;
    const e = b + len;
    sc.nExts = push(sc.exts, sc.nExts, type, 2);
    if (e <= to) scanExtension(type, buf, b, e);
    q = e;
  }
  sc.complete = q === extEnd && extEnd <= to;
  return true;
}

function scanExtension(type: number, buf: Uint8Array, b: number, e: number): void {
  switch (type) {
    case EXT_SERVER_NAME:
      // server_name_list<1..2^16-1> of (name_type, HostName<1..2^16-1>) (rfc6066 §3)
      if (b + 5 <= e && buf[b + 2] === 0) {
        const n = u16be(buf, b + 3);
        if (b + 5 + n <= e) { sc.sniAt = b + 5; sc.sniLen = n; hashIn(0x50000); }
      }
      break;
    case EXT_ALPN:
      // ProtocolNameList<2..2^16-1> of ProtocolName<1..2^8-1> (rfc7301 §3.1)
      if (b + 2 <= e) {
        sc.alpnAt = b + 2;
        sc.alpnEnd = Math.min(e, b + 2 + u16be(buf, b));
        // The first protocol's first and last byte are part of JA4.
        const n = buf[sc.alpnAt]!;
        if (sc.alpnAt + 1 + n <= sc.alpnEnd && n > 0) hashIn((6 << 16) | (buf[sc.alpnAt + 1]! << 8) | buf[sc.alpnAt + n]!);
      }
      break;
    case EXT_SUPPORTED_GROUPS:
      if (b + 2 <= e) for (let q = b + 2; q + 2 <= Math.min(e, b + 2 + u16be(buf, b)); q += 2) sc.nGroups = push(sc.groups, sc.nGroups, u16be(buf, q), 3);
      break;
    case EXT_SIGNATURE_ALGORITHMS:
      if (b + 2 <= e) for (let q = b + 2; q + 2 <= Math.min(e, b + 2 + u16be(buf, b)); q += 2) sc.nSigs = push(sc.sigs, sc.nSigs, u16be(buf, q), 4);
      break;
    case EXT_EC_POINT_FORMATS:
      if (b + 1 <= e) for (let q = b + 1; q < Math.min(e, b + 1 + buf[b]!); q++) sc.nPoints = push(sc.points, sc.nPoints, buf[q]!, 7);
      break;
    case EXT_SUPPORTED_VERSIONS:
      if (b + 1 <= e) for (let q = b + 1; q + 2 <= Math.min(e, b + 1 + buf[b]!); q += 2) sc.nVersions = push(sc.versions, sc.nVersions, u16be(buf, q), 8);
      break;
  }
}

function alpnList(buf: Uint8Array): string[] {
  const out: string[] = [];
  let q = sc.alpnAt;
  if (q < 0) return out;
  while (q < sc.alpnEnd && out.length < 16) {
    const n = buf[q]!;
    if (q + 1 + n > sc.alpnEnd) break;
    out.push(ascii(buf, q + 1, q + 1 + n, 64));
    q += 1 + n;
  }
  return out;
}

function infoFromScan(buf: Uint8Array): ClientHelloInfo {
  return {
    version: sc.version,
    ciphers: Array.from(sc.ciphers.subarray(0, sc.nCiphers)),
    extensions: Array.from(sc.exts.subarray(0, sc.nExts)),
    groups: Array.from(sc.groups.subarray(0, sc.nGroups)),
    pointFormats: Array.from(sc.points.subarray(0, sc.nPoints)),
    sigAlgs: Array.from(sc.sigs.subarray(0, sc.nSigs)),
    supportedVersions: Array.from(sc.versions.subarray(0, sc.nVersions)),
    sni: sc.sniAt >= 0 ? ascii(buf, sc.sniAt, sc.sniAt + sc.sniLen, 255, true) : undefined,
    alpn: alpnList(buf),
    complete: sc.complete,
  };
}

/** Reads a ClientHello body buf[from..to) (possibly cut short by the capture). Allocates; for tests. */
export function readClientHello(buf: Uint8Array, from: number, to: number): ClientHelloInfo | null {
  return scanClientHello(buf, from, to) ? infoFromScan(buf) : null;
}

/**
 * JA4 of recently seen hello shapes: most flows come from a handful of client builds, so the SHA-256
 * is computed once per shape. Keyed by the two 32-bit scan hashes; cleared when full. (JA3 is
 * available as a function, checked against tshark in the tests, but not put in records: JA4 says more
 * and every extra field costs every record.)
 */
const FP_CACHE_MAX = 4096;
const fpCache = new Map<number, string>();

function parseClientHello(s: DetectState, f: number, buf: Uint8Array, from: number, to: number): void {
  if (!scanClientHello(buf, from, to)) return;
  const det = detailsOf(s, f);
  if (sc.sniAt >= 0) det.sni = ascii(buf, sc.sniAt, sc.sniAt + sc.sniLen, 255, true);
  if (sc.alpnAt >= 0) {
    const first = sc.alpnAt < sc.alpnEnd ? buf[sc.alpnAt]! : 0;
    // One protocol (the common case) without building a list.
    const text = first > 0 && sc.alpnAt + 1 + first === sc.alpnEnd ? ascii(buf, sc.alpnAt + 1, sc.alpnEnd, 64) : alpnList(buf).join(',');
    if (text.length > 0) det.alpn = text.length > MAX_ALPN_TEXT ? text.slice(0, MAX_ALPN_TEXT) : text;
    // PostgreSQL 17 direct TLS (sslnegotiation=direct) names itself in ALPN.
    if (s.app[f] === App.tls && first === 10 && sc.alpnAt + 11 <= sc.alpnEnd && ascii(buf, sc.alpnAt + 1, sc.alpnAt + 11, 10) === 'postgresql') {
      s.app[f] = App.postgres;
    }
  }
  if (sc.complete) {
    const key = (sc.hashA >>> 0) * 0x200000 + (sc.hashB & 0x1fffff);
    let fp = fpCache.get(key);
    if (fp === undefined) {
      fp = ja4(infoFromScan(buf), 't');
      if (fpCache.size >= FP_CACHE_MAX) fpCache.clear();
      fpCache.set(key, fp);
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
