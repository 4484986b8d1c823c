// First bytes of application messages for the synthetic capture, so that protocol detection has
// real work to do (HTTP, TLS with SNI/ALPN, DNS, SSH, PostgreSQL, MySQL, Redis, StatsD, rsync).
// Only the start of each burst carries these bytes; the rest of a burst is random filler.
import { type Rng, randomBytes, uniformInt, pick } from './synth-random.js';

// NOTE: a tiny big-endian byte builder; lengths are patched in after the body is known.
type Bytes = number[];

function u8(out: Bytes, v: number): void {
  out.push(v & 0xff);
}
function u16be(out: Bytes, v: number): void {
  out.push((v >>> 8) & 0xff, v & 0xff);
}
function u24be(out: Bytes, v: number): void {
  out.push((v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}
function u32be(out: Bytes, v: number): void {
  out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}
function u16le(out: Bytes, v: number): void {
  out.push(v & 0xff, (v >>> 8) & 0xff);
}
function u24le(out: Bytes, v: number): void {
  out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff);
}
function u32le(out: Bytes, v: number): void {
  out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}
function ascii(out: Bytes, s: string): void {
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i) & 0x7f);
}
function raw(out: Bytes, b: Uint8Array): void {
  for (const x of b) out.push(x);
}
/** Wraps `body` with a big-endian length prefix of `width` bytes. */
function withLen(width: 1 | 2 | 3, body: Bytes): Bytes {
  const out: Bytes = [];
  if (width === 1) u8(out, body.length);
  else if (width === 2) u16be(out, body.length);
  else u24be(out, body.length);
  return out.concat(body);
}

export function text(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

// --- HTTP/1.1: https://www.rfc-editor.org/rfc/rfc9112 ---

const PATHS = ['/api/v1/orders', '/api/v1/users/me', '/healthz', '/static/app.js', '/login', '/api/v2/search?q=x'];
const AGENTS = ['curl/8.5.0', 'python-requests/2.31.0', 'Go-http-client/1.1', 'okhttp/4.12.0'];

export function httpRequest(rng: Rng, host: string, path?: string): Buffer {
  const p = path ?? pick(rng, PATHS);
  const auth = rng() < 0.4 ? `Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.${uniformInt(rng, 1e5, 9e5)}.sig\r\n` : '';
  return text(`GET ${p} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${pick(rng, AGENTS)}\r\nAccept: */*\r\n${auth}\r\n`);
}

export function httpResponseHead(contentLength: number, contentType = 'application/json'): Buffer {
  return text(`HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\nContent-Length: ${contentLength}\r\nConnection: keep-alive\r\n\r\n`);
}

// --- TLS 1.3 handshake: https://www.rfc-editor.org/rfc/rfc8446#section-4.1.2 ---

const TLS_HANDSHAKE = 0x16;
const TLS_CHANGE_CIPHER_SPEC = 0x14;
const HS_CLIENT_HELLO = 1;
const HS_SERVER_HELLO = 2;
const EXT_SERVER_NAME = 0x0000;
const EXT_SUPPORTED_GROUPS = 0x000a;
const EXT_SIGNATURE_ALGORITHMS = 0x000d;
const EXT_ALPN = 0x0010;
const EXT_SUPPORTED_VERSIONS = 0x002b;
const EXT_KEY_SHARE = 0x0033;
const GROUP_X25519 = 0x001d;

function extension(type: number, data: Bytes): Bytes {
  const out: Bytes = [];
  u16be(out, type);
  return out.concat(withLen(2, data));
}

function tlsRecord(type: number, version: number, body: Bytes): Buffer {
  const out: Bytes = [];
  u8(out, type);
  u16be(out, version);
  return Buffer.from(out.concat(withLen(2, body)));
}

function handshake(msgType: number, body: Bytes): Bytes {
  return [msgType].concat(withLen(3, body));
}

export function tlsClientHello(rng: Rng, sni: string, alpn: readonly string[]): Buffer {
  const b: Bytes = [];
  u16be(b, 0x0303);
  raw(b, randomBytes(rng, 32));
  b.push(...withLen(1, [...randomBytes(rng, 32)]));
  const suites: Bytes = [];
  for (const s of [0x1301, 0x1302, 0x1303, 0xc02f, 0xc030]) u16be(suites, s);
  b.push(...withLen(2, suites), 1, 0);
  const name: Bytes = [0];
  name.push(...withLen(2, [...text(sni)]));
  const alpnList: Bytes = [];
  for (const a of alpn) alpnList.push(...withLen(1, [...text(a)]));
  const share: Bytes = [];
  u16be(share, GROUP_X25519);
  share.push(...withLen(2, [...randomBytes(rng, 32)]));
  const exts = [
    ...extension(EXT_SERVER_NAME, withLen(2, name)),
    ...extension(EXT_SUPPORTED_VERSIONS, withLen(1, [0x03, 0x04, 0x03, 0x03])),
    ...extension(EXT_SUPPORTED_GROUPS, withLen(2, [0x00, GROUP_X25519])),
    ...extension(EXT_SIGNATURE_ALGORITHMS, withLen(2, [0x04, 0x03, 0x08, 0x04])),
    ...(alpn.length > 0 ? extension(EXT_ALPN, withLen(2, alpnList)) : []),
    ...extension(EXT_KEY_SHARE, withLen(2, share)),
  ];
  b.push(...withLen(2, exts));
  return tlsRecord(TLS_HANDSHAKE, 0x0301, handshake(HS_CLIENT_HELLO, b));
}

/** ServerHello followed by the middlebox-compatibility ChangeCipherSpec record. */
export function tlsServerHello(rng: Rng): Buffer {
  const b: Bytes = [];
  u16be(b, 0x0303);
  raw(b, randomBytes(rng, 32));
  b.push(...withLen(1, [...randomBytes(rng, 32)]));
  u16be(b, 0x1301);
  b.push(0);
  const share: Bytes = [];
  u16be(share, GROUP_X25519);
  share.push(...withLen(2, [...randomBytes(rng, 32)]));
  const exts = [...extension(EXT_SUPPORTED_VERSIONS, [0x03, 0x04]), ...extension(EXT_KEY_SHARE, share)];
  b.push(...withLen(2, exts));
  const hello = tlsRecord(TLS_HANDSHAKE, 0x0303, handshake(HS_SERVER_HELLO, b));
  return Buffer.concat([hello, tlsRecord(TLS_CHANGE_CIPHER_SPEC, 0x0303, [1])]);
}

// --- DNS: https://www.rfc-editor.org/rfc/rfc1035#section-4.1 ---

export const DNS_TYPE_A = 1;
export const DNS_TYPE_AAAA = 28;
const DNS_CLASS_IN = 1;
const DNS_FLAGS_QUERY = 0x0100; // RD
const DNS_FLAGS_ANSWER = 0x8180; // QR RD RA, NOERROR
const DNS_FLAGS_NXDOMAIN = 0x8183;
const DNS_NAME_POINTER_TO_QUESTION = 0xc00c;

function dnsQuestion(name: string, qtype: number): Bytes {
  const out: Bytes = [];
  for (const label of name.split('.')) out.push(...withLen(1, [...text(label)]));
  out.push(0);
  u16be(out, qtype);
  u16be(out, DNS_CLASS_IN);
  return out;
}

export function dnsQuery(id: number, name: string, qtype: number): Buffer {
  const out: Bytes = [];
  u16be(out, id);
  u16be(out, DNS_FLAGS_QUERY);
  u16be(out, 1);
  u16be(out, 0);
  u16be(out, 0);
  u16be(out, 0);
  return Buffer.from(out.concat(dnsQuestion(name, qtype)));
}

/** One answer with `addr` (4 or 16 bytes), or NXDOMAIN when `addr` is null. */
export function dnsResponse(id: number, name: string, qtype: number, addr: Uint8Array | null): Buffer {
  const out: Bytes = [];
  u16be(out, id);
  u16be(out, addr ? DNS_FLAGS_ANSWER : DNS_FLAGS_NXDOMAIN);
  u16be(out, 1);
  u16be(out, addr ? 1 : 0);
  u16be(out, 0);
  u16be(out, 0);
  out.push(...dnsQuestion(name, qtype));
  if (addr) {
    u16be(out, DNS_NAME_POINTER_TO_QUESTION);
    u16be(out, qtype);
    u16be(out, DNS_CLASS_IN);
    u32be(out, 300);
    out.push(...withLen(2, [...addr]));
  }
  return Buffer.from(out);
}

// --- SSH: https://www.rfc-editor.org/rfc/rfc4253#section-4.2 ---

export function sshBanner(software: string): Buffer {
  return text(`SSH-2.0-${software}\r\n`);
}

// --- PostgreSQL: https://www.postgresql.org/docs/current/protocol-message-formats.html ---

const PG_SSL_REQUEST_CODE = 80877103;
const PG_PROTOCOL_3_0 = 196608;
const PG_AUTH_SASL = 10;

export function pgSslRequest(): Buffer {
  const out: Bytes = [];
  u32be(out, 8);
  u32be(out, PG_SSL_REQUEST_CODE);
  return Buffer.from(out);
}

export function pgStartup(user: string, database: string): Buffer {
  const body: Bytes = [];
  u32be(body, PG_PROTOCOL_3_0);
  for (const s of ['user', user, 'database', database, 'application_name', 'orders-api']) {
    ascii(body, s);
    body.push(0);
  }
  body.push(0);
  const out: Bytes = [];
  u32be(out, body.length + 4);
  return Buffer.from(out.concat(body));
}

export function pgAuthSasl(): Buffer {
  const body: Bytes = [];
  u32be(body, PG_AUTH_SASL);
  ascii(body, 'SCRAM-SHA-256');
  body.push(0, 0);
  const out: Bytes = [0x52]; // 'R'
  u32be(out, body.length + 4);
  return Buffer.from(out.concat(body));
}

// --- MySQL: https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html ---

const MYSQL_CAPS = 0x000fa68d; // includes CLIENT_PROTOCOL_41, CLIENT_SECURE_CONNECTION, CLIENT_PLUGIN_AUTH

function mysqlPacket(seq: number, payload: Bytes): Buffer {
  const out: Bytes = [];
  u24le(out, payload.length);
  out.push(seq);
  return Buffer.from(out.concat(payload));
}

export function mysqlGreeting(rng: Rng): Buffer {
  const p: Bytes = [10];
  ascii(p, '8.0.36');
  p.push(0);
  u32le(p, uniformInt(rng, 1, 1e6));
  raw(p, randomBytes(rng, 8));
  p.push(0);
  u16le(p, MYSQL_CAPS & 0xffff);
  p.push(0xff);
  u16le(p, 0x0002);
  u16le(p, MYSQL_CAPS >>> 16);
  p.push(21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  raw(p, randomBytes(rng, 12));
  p.push(0);
  ascii(p, 'caching_sha2_password');
  p.push(0);
  return mysqlPacket(0, p);
}

export function mysqlLogin(rng: Rng, user: string): Buffer {
  const p: Bytes = [];
  u32le(p, MYSQL_CAPS);
  u32le(p, 16 * 1024 * 1024);
  p.push(0xff);
  for (let i = 0; i < 23; i++) p.push(0);
  ascii(p, user);
  p.push(0, 32);
  raw(p, randomBytes(rng, 32));
  ascii(p, 'caching_sha2_password');
  p.push(0);
  return mysqlPacket(1, p);
}

// --- Redis RESP: https://redis.io/docs/latest/develop/reference/protocol-spec/ ---

export function redisCommand(rng: Rng): Buffer {
  const key = `session:${uniformInt(rng, 1, 99999)}`;
  const cmd = rng() < 0.7 ? 'GET' : 'SET';
  const args = cmd === 'GET' ? [cmd, key] : [cmd, key, 'v'.repeat(uniformInt(rng, 1, 40))];
  return text(`*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`);
}

export function redisReply(rng: Rng): Buffer {
  const n = uniformInt(rng, 1, 40);
  return rng() < 0.2 ? text('+OK\r\n') : text(`$${n}\r\n${'x'.repeat(n)}\r\n`);
}

// --- StatsD and Graphite plaintext lines (one datagram = whole lines) ---

const STATSD_METRICS = ['api.requests', 'api.latency_ms', 'worker.jobs', 'cache.hits', 'cache.misses', 'db.pool.used'];
const STATSD_TYPES = ['c', 'ms', 'g'];

/** Whole StatsD lines filling at most `max` bytes (at least one line). */
export function statsdDatagram(rng: Rng, service: string, max: number): Buffer {
  let s = '';
  for (;;) {
    const line = `${service}.${pick(rng, STATSD_METRICS)}:${uniformInt(rng, 1, 999)}|${pick(rng, STATSD_TYPES)}\n`;
    if (s.length > 0 && s.length + line.length > max) break;
    s += line;
    if (s.length >= max) break;
  }
  return text(s);
}

export function graphiteDatagram(rng: Rng, host: string, tsSec: number, max: number): Buffer {
  let s = '';
  for (;;) {
    const line = `servers.${host}.cpu.core${uniformInt(rng, 0, 63)}.user ${(rng() * 100).toFixed(2)} ${tsSec}\n`;
    if (s.length > 0 && s.length + line.length > max) break;
    s += line;
  }
  return text(s);
}

export function rsyncGreeting(): Buffer {
  return text('@RSYNCD: 31.0 sha512 sha256 sha1 md5 md4\n');
}

// --- SNMPv2c GetRequest for sysDescr.0: https://www.rfc-editor.org/rfc/rfc3416 (BER-encoded) ---

const SNMP_SYSDESCR_OID = [0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00];

export function snmpGetRequest(requestId: number): Buffer {
  const varbind = [0x30, 12, 0x06, SNMP_SYSDESCR_OID.length, ...SNMP_SYSDESCR_OID, 0x05, 0x00];
  const pduBody: Bytes = [0x02, 0x04];
  u32be(pduBody, requestId);
  pduBody.push(0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, varbind.length, ...varbind);
  const body: Bytes = [0x02, 0x01, 0x01, 0x04, 0x06];
  ascii(body, 'public');
  body.push(0xa0, pduBody.length, ...pduBody);
  return Buffer.from([0x30, body.length, ...body]);
}
