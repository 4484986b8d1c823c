// PostgreSQL: SSLRequest / GSSENCRequest / StartupMessage from the client, then the server's answer:
// 'S'/'N' to an SSLRequest, or the first AuthenticationXXX message ('R') naming the method.
// https://www.postgresql.org/docs/current/protocol-message-formats.html
// https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP
import { u32be } from '../../common/bytes.js';
import { App, Auth, Enc, Mode, detailsOf, finish, type DetectState } from './state.js';
import { tlsStart } from './tls.js';
import { indexOfByte, startsWith } from './text.js';

const CODE_PROTOCOL_3 = 196608; // 3 << 16
const CODE_CANCEL = 80877102;
const CODE_SSL = 80877103;
const CODE_GSSENC = 80877104;
const MAX_STARTUP_LEN = 10000;

const MSG_AUTH = 0x52; // 'R'
const MSG_ERROR = 0x45; // 'E'
const MSG_NEGOTIATE_VERSION = 0x76; // 'v'
const AUTH_OK = 0;
const AUTH_KERBEROS_V5 = 2;
const AUTH_CLEARTEXT = 3;
const AUTH_MD5 = 5;
const AUTH_GSS = 7;
const AUTH_SSPI = 9;
const AUTH_SASL = 10;

// Flow flags while in Mode.postgres: what the client asked, so the server's answer can be read.
const F_SSL_ASKED = 1;
const F_GSSENC_ASKED = 2;
const F_STARTUP_SENT = 4;

/** The first client message: 0 = not PostgreSQL, else its code (SSL, GSSENC, cancel, protocol). */
export function postgresFirstMessage(buf: Uint8Array, off: number, end: number): number {
  if (end - off < 8) return 0;
  const len = u32be(buf, off);
  const code = u32be(buf, off + 4);
  if (len === 8 && (code === CODE_SSL || code === CODE_GSSENC)) return code;
  if (len === 16 && code === CODE_CANCEL) return code;
  if (code === CODE_PROTOCOL_3 && len > 8 && len <= MAX_STARTUP_LEN) {
    // Parameters are NUL-terminated key/value pairs ending with a NUL; "user" is required.
    const lim = Math.min(end, off + len);
    return indexOfByte(buf, off + 8, lim, 0) > off + 8 && hasUserKey(buf, off + 8, lim) ? code : 0;
  }
  return 0;
}

function hasUserKey(buf: Uint8Array, from: number, to: number): boolean {
  // Walk at most 16 key/value pairs.
  let at = from;
  for (let i = 0; i < 16 && at < to && buf[at] !== 0; i++) {
    if (startsWith(buf, at, to, 'user\0')) return true;
    const k = indexOfByte(buf, at, to, 0);
    if (k < 0) return false;
    const v = indexOfByte(buf, k + 1, to, 0);
    if (v < 0) return false;
    at = v + 1;
  }
  return false;
}

export function postgresStart(s: DetectState, f: number, code: number): void {
  s.mode[f] = Mode.postgres;
  s.app[f] = App.postgres;
  s.flags[f] = code === CODE_SSL ? F_SSL_ASKED : code === CODE_GSSENC ? F_GSSENC_ASKED : code === CODE_PROTOCOL_3 ? F_STARTUP_SENT : 0;
  if (code === CODE_CANCEL) {
    s.enc[f] = Enc.none;
    s.auth[f] = Auth.none; // a cancel carries a secret key from the earlier session, no login
    finish(s, f);
  }
}

export function postgresClientPacket(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  // After 'N' to an SSLRequest the client goes on in cleartext with its StartupMessage.
  const code = postgresFirstMessage(buf, off, end);
  if (code === CODE_PROTOCOL_3) s.flags[f] = F_STARTUP_SENT;
  else if (code === CODE_SSL) s.flags[f] = F_SSL_ASKED;
  else if (code === CODE_GSSENC) s.flags[f] = F_GSSENC_ASKED;
}

export function postgresServerPacket(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  const fl = s.flags[f]!;
  if (fl & (F_SSL_ASKED | F_GSSENC_ASKED)) {
    if (end - off < 1) return;
    const c = buf[off];
    s.flags[f] = 0;
    if (c === 0x53 /* S */ && (fl & F_SSL_ASKED)) {
      detailsOf(s, f).pg_auth = 'ssl';
      tlsStart(s, f); // the TLS handshake follows; auth comes from it (mtls / tls-server-only)
    } else if (c === 0x47 /* G */) {
      detailsOf(s, f).pg_auth = 'gss';
      s.enc[f] = Enc.unknown; // GSSAPI encryption: not followed
      s.auth[f] = Auth.gss;
      finish(s, f);
    } else if (c === 0x4e /* N */) {
      s.enc[f] = Enc.none; // refused: a cleartext StartupMessage follows
    }
    return;
  }
  if ((fl & F_STARTUP_SENT) === 0) return;
  let at = off;
  // A NegotiateProtocolVersion may come before the authentication request.
  if (end - at >= 5 && buf[at] === MSG_NEGOTIATE_VERSION) at += 1 + u32be(buf, at + 1);
  if (end - at < 5) return;
  const type = buf[at];
  if (type === MSG_ERROR) {
    detailsOf(s, f).pg_auth = 'error';
    if (s.enc[f] === 0) s.enc[f] = Enc.none;
    s.auth[f] = Auth.unknown;
    finish(s, f);
    return;
  }
  if (type !== MSG_AUTH || end - at < 9) return;
  const len = u32be(buf, at + 1);
  const method = u32be(buf, at + 5);
  const det = detailsOf(s, f);
  if (s.enc[f] === 0) s.enc[f] = Enc.none;
  switch (method) {
    case AUTH_OK: det.pg_auth = 'trust'; s.auth[f] = Auth.trust; break;
    case AUTH_CLEARTEXT: det.pg_auth = 'password'; s.auth[f] = Auth.password; break;
    case AUTH_MD5: det.pg_auth = 'md5'; s.auth[f] = Auth.md5; break;
    case AUTH_KERBEROS_V5:
    case AUTH_GSS: det.pg_auth = 'gss'; s.auth[f] = Auth.gss; break;
    case AUTH_SSPI: det.pg_auth = 'sspi'; s.auth[f] = Auth.gss; break;
    case AUTH_SASL: {
      // A list of NUL-terminated mechanism names ending with an empty one.
      const lim = Math.min(end, at + 1 + len);
      const plus = containsAscii(buf, at + 9, lim, 'SCRAM-SHA-256-PLUS');
      const scram = containsAscii(buf, at + 9, lim, 'SCRAM-SHA-256');
      det.pg_auth = plus ? 'scram-sha-256-plus' : scram ? 'scram-sha-256' : 'sasl';
      s.auth[f] = scram ? Auth.scram : Auth.sasl;
      break;
    }
    default: det.pg_auth = `other-${method & 0xff}`; s.auth[f] = Auth.unknown;
  }
  finish(s, f);
}

function containsAscii(buf: Uint8Array, from: number, to: number, s: string): boolean {
  for (let i = from; i + s.length <= to; i++) if (startsWith(buf, i, to, s)) return true;
  return false;
}
