// Kafka: client requests are "length(4) api_key(2) api_version(2) correlation_id(4) client_id(2 + n)"
// followed by the body (https://kafka.apache.org/protocol#protocol_messages). A connection opens with
// ApiVersions (18), SaslHandshake (17) or, from old clients or clients told the broker version,
// straight with Metadata (3) or another request. Only these three are recognised as a first request,
// with strict checks (the length is the whole segment, versions in range, a printable client id), so
// random binary does not pass. auth: SaslHandshake names the SASL mechanism (`sasl` + auth_mech
// `PLAIN`, `SCRAM-SHA-256`, `GSSAPI`, `OAUTHBEARER`, …); any other request before one means no SASL
// (`none`; SASL must come first on a SASL listener); a flow that shows only ApiVersions stays `unknown`.
// TLS listeners are found by the TLS detector. The protocol version is per request: app_version is
// not reported.
import { App, Auth, Enc, Mode, detailsOf, finish, type DetectState } from './state.js';
import { ascii } from './text.js';

const API_METADATA = 3;
const API_SASL_HANDSHAKE = 17;
const API_VERSIONS = 18;
const MAX_METADATA_VERSION = 13;
const MAX_SASL_HANDSHAKE_VERSION = 1;
const MAX_API_VERSIONS_VERSION = 4;
const MAX_CLIENT_ID = 256;
/** Highest api_key assigned so far is below this (kafka.apache.org/protocol#protocol_api_keys). */
const MAX_API_KEY = 100;
const MAX_MECH = 32;

function u16(buf: Uint8Array, at: number): number {
  return (buf[at]! << 8) | buf[at + 1]!;
}

/** The api_key of a whole plausible first request at buf[off..end), or -1. */
export function kafkaRequestApi(buf: Uint8Array, off: number, end: number): number {
  // First requests are small: the length's top two bytes are 0, and it covers exactly this segment.
  if (end - off < 14 || buf[off] !== 0 || buf[off + 1] !== 0) return -1;
  const len = u16(buf, off + 2);
  if (len + 4 !== end - off) return -1;
  if (buf[off + 4] !== 0) return -1;
  const api = buf[off + 5]!;
  const version = buf[off + 6] === 0 ? buf[off + 7]! : 255;
  if (api === API_VERSIONS ? version > MAX_API_VERSIONS_VERSION
    : api === API_METADATA ? version > MAX_METADATA_VERSION
    : api === API_SASL_HANDSHAKE ? version > MAX_SASL_HANDSHAKE_VERSION
    : true) return -1;
  if (buf[off + 8]! & 0x80) return -1; // correlation ids are not negative
  // client_id: a nullable string (-1 = null), printable
  const idLen = u16(buf, off + 12);
  if (idLen === 0xffff) return api;
  if (idLen > MAX_CLIENT_ID || off + 14 + idLen > end) return -1;
  for (let i = off + 14; i < off + 14 + idLen; i++) {
    const c = buf[i]!;
    if (c < 0x20 || c > 0x7e) return -1;
  }
  return api;
}

/**
 * The api_key of a later client segment that starts a request (any api key, length not checked: a
 * request may span segments), or -1.
 */
export function kafkaLaterApi(buf: Uint8Array, off: number, end: number): number {
  if (end - off < 14 || buf[off] !== 0 || buf[off + 4] !== 0 || buf[off + 5]! > MAX_API_KEY || buf[off + 6] !== 0) return -1;
  return buf[off + 5]!;
}

/** SaslHandshake request: the mechanism string after the header (v0/v1 use request header v1). */
function saslMechanism(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  s.auth[f] = Auth.sasl;
  const idLen = u16(buf, off + 12);
  const m = off + 14 + (idLen === 0xffff ? 0 : idLen);
  if (m + 2 > end) return;
  const n = u16(buf, m);
  if (n === 0 || n > MAX_MECH || m + 2 + n > end) return;
  for (let i = m + 2; i < m + 2 + n; i++) {
    const c = buf[i]!;
    if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f)) return;
  }
  detailsOf(s, f).auth_mech = ascii(buf, m + 2, m + 2 + n, MAX_MECH);
}

/** `api`: what kafkaRequestApi() found in the client's first segment. */
export function kafkaStart(s: DetectState, f: number, api: number, buf: Uint8Array, off: number, end: number): void {
  s.app[f] = App.kafka;
  s.enc[f] = Enc.none;
  s.mode[f] = Mode.kafka;
  s.dirDone[f * 2 + 1] = 1; // responses add nothing
  kafkaClientPacket(s, f, api, buf, off, end);
}

/** A client segment: `api` is its request's api_key (-1 when it is not a whole request). */
export function kafkaClientPacket(s: DetectState, f: number, api: number, buf: Uint8Array, off: number, end: number): void {
  if (api === API_VERSIONS) {
    s.auth[f] = Auth.unknown; // SASL, if any, comes next
    return;
  }
  if (api === API_SASL_HANDSHAKE) saslMechanism(s, f, buf, off, end);
  else if (api >= 0) s.auth[f] = Auth.none;
  finish(s, f);
}
