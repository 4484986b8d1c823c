// LDAP over TCP: the client's first LDAPMessage (BindRequest, SearchRequest, a StartTLS ExtendedRequest,
// …) and, after a StartTLS request, the server's ExtendedResponse. Only labels are kept: the protocol
// version of a BindRequest, the kind of bind (anonymous / simple with a password / the SASL mechanism
// name); never the DN, the password or SASL credentials (their bytes are skipped by length, not read).
// After a GSSAPI / GSS-SPNEGO bind, the client's next message says whether a SASL security layer is on:
// plain LDAP (none), or a length-prefixed Kerberos wrap token whose Sealed flag says confidentiality.
// LDAPMessage, BindRequest, ExtendedRequest: https://www.rfc-editor.org/rfc/rfc4511#section-4.1.1
// Anonymous / unauthenticated simple binds: https://www.rfc-editor.org/rfc/rfc4513#section-5.1
// StartTLS: https://www.rfc-editor.org/rfc/rfc4511#section-4.14 ; SASL names: rfc4422 §3.1
// BER: ITU-T X.690 §8.1 (tag, length in short or long form).
// SASL security layer: https://www.rfc-editor.org/rfc/rfc4422#section-3.7 (4-octet length, then the
// buffer), GSSAPI: https://www.rfc-editor.org/rfc/rfc4752#section-3.3 ; the Kerberos wrap token's
// header (TOK_ID 05 04, Flags, Filler FF): https://www.rfc-editor.org/rfc/rfc4121#section-4.2.6.2
import { u32be } from '../../common/bytes.js';
import { App, Auth, Enc, Mode, detailsOf, finish, type DetectState } from './state.js';
import { tlsStart } from './tls.js';
import { ascii, startsWith } from './text.js';
import { berHeader, tl } from './ber.js';

const TAG_SEQUENCE = 0x30;
const TAG_INTEGER = 0x02;
const TAG_ENUMERATED = 0x0a;
const TAG_OCTET_STRING = 0x04;
// protocolOp [APPLICATION n] tags (constructed 0x60 | n, primitive 0x40 | n)
const OP_BIND_REQUEST = 0x60;
const OP_BIND_RESPONSE = 0x61;
const OP_UNBIND_REQUEST = 0x42;
const OP_SEARCH_REQUEST = 0x63;
const OP_MODIFY_REQUEST = 0x66;
const OP_ADD_REQUEST = 0x68;
const OP_DEL_REQUEST = 0x4a;
const OP_MODDN_REQUEST = 0x6c;
const OP_COMPARE_REQUEST = 0x6e;
const OP_ABANDON_REQUEST = 0x50;
const OP_EXTENDED_REQUEST = 0x77;
const OP_EXTENDED_RESPONSE = 0x78;
// AuthenticationChoice: simple [0] OCTET STRING, sasl [3] SaslCredentials
const AUTH_SIMPLE = 0x80;
const AUTH_SASL = 0xa3;
const EXT_REQUEST_NAME = 0x80;
const OID_STARTTLS = '1.3.6.1.4.1.1466.20037';
const RESULT_SUCCESS = 0;
/** SASL mechanism names are at most 20 characters of A-Z 0-9 - _ (RFC 4422 §3.1). */
const MAX_SASL_NAME = 20;
const SASL_BUFFER_LEN = 4;
const WRAP_TOK_ID_0 = 0x05;
const WRAP_TOK_ID_1 = 0x04;
const WRAP_FLAGS = 2;
const WRAP_FILLER = 3;
const WRAP_FILLER_BYTE = 0xff;
const WRAP_FLAG_SEALED = 0x02;
const WRAP_HEADER = 16;

// Flow flags while in Mode.ldap.
const F_STARTTLS_ASKED = 1;
const F_BIND_SEEN = 2;
/** A GSSAPI / GSS-SPNEGO bind: a security layer may wrap everything after it. */
const F_SASL_LAYER = 4;

/** End of the LDAPMessage ldapOp() last accepted (as its length says: it may lie past the packet). */
let msgEndAt = 0;


/** tl[1] read through a call: TypeScript narrows `tl[1]` after a literal compare, berHeader() changes it. */
function contentLen(): number {
  return tl[1]!;
}

/**
 * Offset of the protocolOp of the LDAPMessage at buf[off..end), or -1. The whole message must be in
 * the packet (clients send their first request in one segment), unless `partial`, and the messageID a
 * 1–4 byte INTEGER.
 */
function ldapOp(buf: Uint8Array, off: number, end: number, partial = false): number {
  if (!berHeader(buf, off, end, TAG_SEQUENCE)) return -1;
  const msgEnd = tl[0]! + tl[1]!;
  if (tl[1]! < 5 || (msgEnd > end && !partial)) return -1;
  const lim = msgEnd > end ? end : msgEnd;
  if (!berHeader(buf, tl[0]!, lim, TAG_INTEGER) || tl[1]! < 1 || tl[1]! > 4) return -1;
  const op = tl[0]! + tl[1]!;
  msgEndAt = msgEnd;
  return op + 2 <= lim ? op : -1;
}

/** The protocolOp offset when buf[off..end) starts with a client's LDAP request, else -1. */
export function ldapRequestOp(buf: Uint8Array, off: number, end: number): number {
  const op = ldapOp(buf, off, end, true);
  if (op < 0) return -1;
  const msgEnd = msgEndAt;
  const tag = buf[op]!;
  // Only a BindRequest may continue past this segment: a Kerberos ticket in SASL credentials (an
  // Active Directory one with its PAC is often 2–6 KB) does not fit one; what we read precedes it.
  if (msgEnd > end && tag !== OP_BIND_REQUEST) return -1;
  switch (tag) {
    case OP_BIND_REQUEST: {
      // version INTEGER (1..127), name LDAPDN, then simple [0] or sasl [3]
      if (!berHeader(buf, op, msgEnd > end ? end : msgEnd, tag) || tl[0]! + tl[1]! > msgEnd) return -1;
      const bEnd = Math.min(tl[0]! + tl[1]!, end);
      if (!berHeader(buf, tl[0]!, bEnd, TAG_INTEGER) || tl[1] !== 1) return -1;
      const v = buf[tl[0]!]!;
      if (v < 1 || v > 3) return -1;
      if (!berHeader(buf, tl[0]! + 1, bEnd, TAG_OCTET_STRING)) return -1;
      const a = tl[0]! + tl[1]!;
      return a < bEnd && (buf[a] === AUTH_SIMPLE || buf[a] === AUTH_SASL) ? op : -1;
    }
    case OP_SEARCH_REQUEST:
    case OP_MODIFY_REQUEST:
    case OP_ADD_REQUEST:
    case OP_MODDN_REQUEST:
    case OP_COMPARE_REQUEST:
      // each starts with an LDAPDN (baseObject / object / entry)
      return berHeader(buf, op, msgEnd, tag) && berHeader(buf, tl[0]!, msgEnd, TAG_OCTET_STRING) ? op : -1;
    case OP_EXTENDED_REQUEST:
      return berHeader(buf, op, msgEnd, tag) && berHeader(buf, tl[0]!, msgEnd, EXT_REQUEST_NAME) ? op : -1;
    default:
      return -1; // Unbind, Abandon, Delete first: not worth a label
  }
}

/** A recognised first request: label the flow and read the operation. */
export function ldapStart(s: DetectState, f: number, buf: Uint8Array, op: number, end: number): void {
  s.mode[f] = Mode.ldap;
  s.app[f] = App.ldap;
  s.enc[f] = Enc.none;
  s.flags[f] = 0;
  ldapRequest(s, f, buf, op, end);
}

/**
 * Later client packets: a bind or StartTLS after a search or a refused StartTLS; after a GSSAPI bind,
 * the first message that is not a bind step.
 */
export function ldapClientPacket(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  const op = ldapRequestOp(buf, off, end);
  const layer = (s.flags[f]! & F_SASL_LAYER) !== 0;
  if (op >= 0) {
    if (layer && buf[op] !== OP_BIND_REQUEST) finish(s, f); // plain LDAP after the bind: no security layer
    else ldapRequest(s, f, buf, op, end);
  } else if (layer) {
    saslWrapped(s, f, buf, off, end);
  }
}

/** A SASL buffer holding a Kerberos wrap token: `app` encryption when it is sealed, else integrity only. */
function saslWrapped(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  if (end - off < SASL_BUFFER_LEN + WRAP_HEADER || u32be(buf, off) < WRAP_HEADER) return;
  const t = off + SASL_BUFFER_LEN;
  if (buf[t] !== WRAP_TOK_ID_0 || buf[t + 1] !== WRAP_TOK_ID_1 || buf[t + WRAP_FILLER] !== WRAP_FILLER_BYTE) return;
  s.enc[f] = (buf[t + WRAP_FLAGS]! & WRAP_FLAG_SEALED) !== 0 ? Enc.app : Enc.none;
  finish(s, f);
}

function ldapRequest(s: DetectState, f: number, buf: Uint8Array, op: number, end: number): void {
  const tag = buf[op]!;
  if (tag === OP_BIND_REQUEST) {
    bindRequest(s, f, buf, op, end);
    return;
  }
  if (tag === OP_EXTENDED_REQUEST) {
    // requestName [0] LDAPOID: only StartTLS matters here
    if (berHeader(buf, op, end, tag) && berHeader(buf, tl[0]!, end, EXT_REQUEST_NAME) && tl[1] === OID_STARTTLS.length &&
      startsWith(buf, tl[0]!, end, OID_STARTTLS)) {
      s.flags[f] |= F_STARTTLS_ASKED;
    }
    return;
  }
  // An operation before any bind: the connection is anonymous (RFC 4513 §5.1.1), unless a bind follows.
  if ((s.flags[f]! & F_BIND_SEEN) === 0 && (tag === OP_SEARCH_REQUEST || tag === OP_MODIFY_REQUEST || tag === OP_ADD_REQUEST ||
    tag === OP_MODDN_REQUEST || tag === OP_COMPARE_REQUEST || tag === OP_DEL_REQUEST || tag === OP_ABANDON_REQUEST ||
    tag === OP_UNBIND_REQUEST)) {
    s.auth[f] = Auth.none;
  }
}

function bindRequest(s: DetectState, f: number, buf: Uint8Array, op: number, end: number): void {
  if (!berHeader(buf, op, end, OP_BIND_REQUEST)) return;
  const bEnd = Math.min(end, tl[0]! + tl[1]!);
  if (!berHeader(buf, tl[0]!, bEnd, TAG_INTEGER) || tl[1] !== 1) return;
  const version = buf[tl[0]!]!;
  if (!berHeader(buf, tl[0]! + 1, bEnd, TAG_OCTET_STRING)) return;
  // the DN itself is skipped by its length, never read
  const a = tl[0]! + tl[1]!;
  const det = detailsOf(s, f);
  det.app_version = version === 3 ? 'LDAPv3' : version === 2 ? 'LDAPv2' : 'LDAPv1';
  s.flags[f] |= F_BIND_SEEN;
  if (berHeader(buf, a, bEnd, AUTH_SIMPLE)) {
    det.auth_mech = 'simple';
    // Empty password: anonymous (empty DN) or unauthenticated (a DN, no password) bind: no credential.
    s.auth[f] = contentLen() === 0 ? Auth.none : Auth.password;
  } else if (berHeader(buf, a, bEnd, AUTH_SASL) && berHeader(buf, tl[0]!, bEnd, TAG_OCTET_STRING)) {
    const m = tl[0]!;
    const n = tl[1]!;
    const name = n > 0 && n <= MAX_SASL_NAME && m + n <= bEnd && saslNameChars(buf, m, m + n) ? ascii(buf, m, m + n, MAX_SASL_NAME) : 'other';
    det.auth_mech = name;
    s.auth[f] = saslAuth(name);
    if (name === 'GSSAPI' || name === 'GSS-SPNEGO') s.flags[f] |= F_SASL_LAYER;
  } else {
    s.auth[f] = Auth.unknown;
  }
  // A bind inside a cleartext connection is all we wanted; wait only for a StartTLS answer, or for
  // what follows a bind that may have set up a security layer.
  if ((s.flags[f]! & (F_STARTTLS_ASKED | F_SASL_LAYER)) === 0) finish(s, f);
}

function saslNameChars(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f)) return false;
  }
  return true;
}

/** `auth` for a SASL mechanism name. */
export function saslAuth(mech: string): number {
  if (mech.startsWith('SCRAM-')) return Auth.scram;
  if (mech === 'GSSAPI' || mech === 'GS2-KRB5') return Auth.gss;
  if (mech === 'GSS-SPNEGO') return Auth.negotiate; // Kerberos or NTLM inside SPNEGO
  if (mech === 'PLAIN' || mech === 'LOGIN') return Auth.password; // the password itself is in the message
  if (mech === 'ANONYMOUS') return Auth.none;
  return Auth.sasl; // EXTERNAL (TLS client certificate), DIGEST-MD5, CRAM-MD5, OAUTHBEARER, …
}

/** Server packets: the answer to a StartTLS request (success: the TLS handshake follows). */
export function ldapServerPacket(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  if ((s.flags[f]! & F_STARTTLS_ASKED) === 0) return;
  const op = ldapOp(buf, off, end);
  if (op < 0) return;
  const tag = buf[op]!;
  if (tag !== OP_EXTENDED_RESPONSE && tag !== OP_BIND_RESPONSE) return;
  if (!berHeader(buf, op, end, tag) || !berHeader(buf, tl[0]!, end, TAG_ENUMERATED) || tl[1] !== 1) return;
  if (tag === OP_BIND_RESPONSE) return;
  s.flags[f] &= ~F_STARTTLS_ASKED;
  if (buf[tl[0]!] === RESULT_SUCCESS) {
    tlsStart(s, f); // app stays ldap; auth comes from the handshake (unknown for TLS 1.3)
  } else if ((s.flags[f]! & F_BIND_SEEN) !== 0) {
    finish(s, f); // refused after the bind was seen: nothing more to learn
  }
}
