// MongoDB wire protocol, client side: the connection's first message must be a `hello` / `isMaster`
// command (OP_QUERY on `<db>.$cmd`, or OP_MSG); then the authentication mechanism from a
// `speculativeAuthenticate` document in it, or from a later `saslStart` / `authenticate` command.
// A command other than these before any authentication means the connection works without it (`none`);
// a connection that only says hello (drivers' monitoring connections) stays `unknown`.
// Only the command names and the mechanism name are read: never user names, payloads or documents.
// Wire protocol (MsgHeader, OP_QUERY, OP_MSG): https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/
// BSON: https://bsonspec.org/spec.html ; handshake and speculative authentication:
// https://github.com/mongodb/specifications/blob/master/source/auth/auth.md
import { u32le } from '../../common/bytes.js';
import { App, Auth, Enc, Mode, detailsOf, finish, type DetectState } from './state.js';
import { ascii, startsWith } from './text.js';

const HEADER = 16;
const H_RESPONSE_TO = 8;
const H_OP_CODE = 12;
const OP_QUERY = 2004;
const OP_MSG = 2013;
const MAX_MESSAGE = 48_000_000;
/** The smallest BSON document: a size and the terminating 0. */
const MIN_DOC = 5;
const MAX_ELEMENTS = 48;
const MAX_NAME = 64;
const MAX_MECH = 20;

const BSON_DOUBLE = 1;
const BSON_STRING = 2;
const BSON_DOCUMENT = 3;

/** The command document's offset in the client message at buf[off..end), or -1 (OP_QUERY on *.$cmd, OP_MSG kind 0). */
function commandDoc(buf: Uint8Array, off: number, end: number): number {
  if (end - off < HEADER + 4 + MIN_DOC) return -1;
  const len = u32le(buf, off);
  if (len < HEADER + 4 + MIN_DOC || len > MAX_MESSAGE || off + len > end || u32le(buf, off + H_RESPONSE_TO) !== 0) return -1;
  const mEnd = off + len;
  const op = u32le(buf, off + H_OP_CODE);
  let doc: number;
  if (op === OP_MSG) {
    const at = off + HEADER + 4; // flagBits, then sections
    if (buf[at] !== 0) return -1; // section kind 0: the command body
    doc = at + 1;
  } else if (op === OP_QUERY) {
    // flags, fullCollectionName cstring ending in ".$cmd", numberToSkip, numberToReturn, query
    let at = off + HEADER + 4;
    const lim = Math.min(mEnd, at + 128);
    while (at < lim && buf[at] !== 0) at++;
    if (at >= lim || at - 5 < off + HEADER + 4 || !startsWith(buf, at - 5, at, '.$cmd')) return -1;
    doc = at + 1 + 8;
  } else {
    return -1;
  }
  if (doc + MIN_DOC > mEnd) return -1;
  const size = u32le(buf, doc);
  return size >= MIN_DOC && doc + size <= mEnd && buf[doc + size - 1] === 0 ? doc : -1;
}

/** True when the element at `at` (type byte, then its NUL-terminated name) is named `name`. */
function nameIs(buf: Uint8Array, at: number, end: number, name: string): boolean {
  return startsWith(buf, at + 1, end, name) && buf[at + 1 + name.length] === 0;
}

/** Offset just past the element at `at` in a document ending at `end`, or -1 (malformed / unknown type). */
function skipElement(buf: Uint8Array, at: number, end: number): number {
  const type = buf[at]!;
  let p = at + 1;
  const lim = Math.min(end, p + MAX_NAME);
  while (p < lim && buf[p] !== 0) p++;
  if (p >= lim) return -1;
  p++; // past the name's NUL
  let n: number;
  switch (type) {
    case BSON_DOUBLE: case 9: case 17: case 18: n = 8; break; // double, UTC datetime, timestamp, int64
    case BSON_STRING: case 13: case 14: // string, JavaScript, symbol: int32 length + bytes
      if (p + 4 > end) return -1;
      n = 4 + u32le(buf, p);
      break;
    case BSON_DOCUMENT: case 4: // document, array
      if (p + 4 > end) return -1;
      n = u32le(buf, p);
      break;
    case 5: // binary: int32 length, subtype, bytes
      if (p + 4 > end) return -1;
      n = 5 + u32le(buf, p);
      break;
    case 7: n = 12; break; // ObjectId
    case 8: n = 1; break; // boolean
    case 10: case 0x7f: case 0xff: n = 0; break; // null, max key, min key
    case 16: n = 4; break; // int32
    case 19: n = 16; break; // decimal128
    default: return -1; // regex, DBPointer, code-with-scope: not in handshakes
  }
  return n > end - p ? -1 : p + n;
}

/** Offset of the element `name` of `type` in the document at `doc`, or -1. */
function findElement(buf: Uint8Array, doc: number, name: string, type: number): number {
  const end = doc + u32le(buf, doc) - 1;
  let at = doc + 4;
  for (let i = 0; i < MAX_ELEMENTS && at < end; i++) {
    if (buf[at] === type && nameIs(buf, at, end, name)) return at;
    at = skipElement(buf, at, end);
    if (at < 0) return -1;
  }
  return -1;
}

const CMD_OTHER = 0;
const CMD_HELLO = 1;
const CMD_SASL_START = 2;
const CMD_AUTHENTICATE = 3;
const CMD_SASL_CONTINUE = 4;

/** Which command the document at `doc` is (its first element's name). */
function commandKind(buf: Uint8Array, doc: number): number {
  const end = doc + u32le(buf, doc);
  const at = doc + 4;
  if (at >= end - 1) return CMD_OTHER;
  if (nameIs(buf, at, end, 'hello') || nameIs(buf, at, end, 'isMaster') || nameIs(buf, at, end, 'ismaster')) return CMD_HELLO;
  if (nameIs(buf, at, end, 'saslStart')) return CMD_SASL_START;
  if (nameIs(buf, at, end, 'authenticate')) return CMD_AUTHENTICATE;
  if (nameIs(buf, at, end, 'saslContinue')) return CMD_SASL_CONTINUE;
  return CMD_OTHER;
}

/** The command document of a client's first message when it is a hello / isMaster, else -1. */
export function mongoHello(buf: Uint8Array, off: number, end: number): number {
  const doc = commandDoc(buf, off, end);
  return doc >= 0 && commandKind(buf, doc) === CMD_HELLO ? doc : -1;
}

export function mongoStart(s: DetectState, f: number, buf: Uint8Array, doc: number): void {
  s.mode[f] = Mode.mongodb;
  s.app[f] = App.mongodb;
  s.enc[f] = Enc.none; // TLS would have been caught as TLS before any of this
  helloAuth(s, f, buf, doc);
}

/** Later client messages: saslStart / authenticate name the mechanism; any other command means no auth. */
export function mongoClientPacket(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  const doc = commandDoc(buf, off, end);
  if (doc < 0) return;
  const kind = commandKind(buf, doc);
  if (kind === CMD_HELLO) helloAuth(s, f, buf, doc);
  else if (kind === CMD_SASL_START || kind === CMD_AUTHENTICATE) mechanism(s, f, buf, doc);
  else if (kind === CMD_OTHER) {
    if (s.auth[f] === 0) s.auth[f] = Auth.none; // a command was sent without authenticating first
    finish(s, f);
  }
}

function helloAuth(s: DetectState, f: number, buf: Uint8Array, doc: number): void {
  const spec = findElement(buf, doc, 'speculativeAuthenticate', BSON_DOCUMENT);
  if (spec < 0) return;
  const inner = spec + 1 + 'speculativeAuthenticate'.length + 1;
  const size = u32le(buf, inner);
  if (size < MIN_DOC || inner + size > doc + u32le(buf, doc)) return;
  mechanism(s, f, buf, inner);
}

function mechanism(s: DetectState, f: number, buf: Uint8Array, doc: number): void {
  const m = findElement(buf, doc, 'mechanism', BSON_STRING);
  if (m < 0) return;
  const at = m + 1 + 'mechanism'.length + 1;
  const n = u32le(buf, at) - 1; // the length counts the trailing NUL
  const from = at + 4;
  const ok = n > 0 && n <= MAX_MECH && from + n < doc + u32le(buf, doc) && mechChars(buf, from, from + n);
  const name = ok ? ascii(buf, from, from + n, MAX_MECH) : 'other';
  detailsOf(s, f).auth_mech = name;
  s.auth[f] = mechAuth(name);
  finish(s, f);
}

function mechChars(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f)) return false;
  }
  return true;
}

/** `auth` for a MongoDB mechanism name. */
function mechAuth(mech: string): number {
  if (mech.startsWith('SCRAM-')) return Auth.scram;
  if (mech === 'PLAIN') return Auth.password; // LDAP proxy auth: the password is in the payload
  if (mech === 'GSSAPI') return Auth.gss;
  if (mech === 'MONGODB-X509') return Auth.mtls; // the TLS client certificate is the credential
  if (mech === 'MONGODB-CR') return Auth.md5; // the pre-3.0 challenge-response (MD5 digests)
  return Auth.sasl; // MONGODB-AWS, MONGODB-OIDC, …
}
