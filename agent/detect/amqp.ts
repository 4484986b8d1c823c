// AMQP 0-9-1: the client opens with the protocol header "AMQP" 0 0 9 1; the server answers with
// Connection.Start (the SASL mechanisms it offers), the client with Connection.Start-Ok, which names
// the mechanism it chose (the response, i.e. the credentials, is never read). auth: PLAIN and AMQPLAIN
// carry a user name and password → `password`; EXTERNAL takes the identity from the TLS client
// certificate (RabbitMQ's rabbitmq_auth_mechanism_ssl) → `mtls`; any other mechanism → `sasl`.
// auth_mech: the mechanism name. AMQP 1.0 headers ("AMQP" 0|2|3 1 0 0) are not recognised yet.
// https://www.rabbitmq.com/resources/specs/amqp0-9-1.pdf §4.2.2 (header), §4.2.3 (frames);
// Connection.Start-Ok: class 10, method 11 (amqp0-9-1.xml).
import { App, Auth, Enc, Mode, detailsOf, finish, type DetectState } from './state.js';
import { ascii, startsWith } from './text.js';

const FRAME_METHOD = 1;
const FRAME_END = 0xce;
const CLASS_CONNECTION = 10;
const METHOD_START_OK = 11;
const MAX_MECH = 32;

/** The 8-byte 0-9-1 protocol header, at the start of the client's first segment. */
export function looksLikeAmqp091Header(buf: Uint8Array, off: number, end: number): boolean {
  return end - off >= 8 && startsWith(buf, off, end, 'AMQP') && buf[off + 4] === 0 && buf[off + 5] === 0 &&
    buf[off + 6] === 9 && buf[off + 7] === 1;
}

export function amqpStart(s: DetectState, f: number): void {
  s.mode[f] = Mode.amqp;
  s.app[f] = App.amqp;
  s.enc[f] = Enc.none;
  s.auth[f] = Auth.unknown; // until Start-Ok is seen
  detailsOf(s, f).app_version = 'AMQP 0-9-1';
  s.dirDone[f * 2 + 1] = 1; // the server's Start lists what is offered, not what is used
}

function u32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

function isMechChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
}

/** A client segment after the header: Connection.Start-Ok names the mechanism; then the flow is done. */
export function amqpClientPacket(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  // frame: type(1) channel(2) size(4) payload(size) 0xCE; payload: class(2) method(2) arguments
  if (end - off < 16 || buf[off] !== FRAME_METHOD || buf[off + 1] !== 0 || buf[off + 2] !== 0) return finish(s, f);
  const size = u32(buf, off + 3);
  const p = off + 7;
  if (size < 4 + 4 + 1 || buf[p] !== 0 || buf[p + 1] !== CLASS_CONNECTION || buf[p + 2] !== 0 || buf[p + 3] !== METHOD_START_OK) {
    return finish(s, f);
  }
  const frameEnd = p + size;
  if (frameEnd < end && buf[frameEnd] !== FRAME_END) return finish(s, f);
  const table = u32(buf, p + 4); // client-properties field table
  const m = p + 8 + table;
  const lim = Math.min(end, frameEnd);
  if (table > size || m >= lim) return finish(s, f); // the mechanism is past what we have: auth stays unknown
  const n = buf[m]!;
  if (n === 0 || n > MAX_MECH || m + 1 + n > lim) return finish(s, f);
  for (let i = m + 1; i <= m + n; i++) if (!isMechChar(buf[i]!)) return finish(s, f);
  const mech = ascii(buf, m + 1, m + 1 + n, MAX_MECH);
  s.auth[f] = mech === 'PLAIN' || mech === 'AMQPLAIN' ? Auth.password : mech === 'EXTERNAL' ? Auth.mtls : Auth.sasl;
  detailsOf(s, f).auth_mech = mech;
  finish(s, f);
}
