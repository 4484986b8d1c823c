// HTTP/1.x requests (method, Host, path class, User-Agent family, Authorization scheme, API-key
// headers), HTTP/2 prior knowledge, h2c upgrade, Prometheus scrapes and remote-write.
// HTTP/1.1 message syntax: https://www.rfc-editor.org/rfc/rfc9112#section-2 (request line §3,
// fields §5); Authorization: rfc9110 §11.6.2; HTTP/2 preface: rfc9113 §3.4; h2c: rfc7540 §3.2.
// Prometheus remote write: https://prometheus.io/docs/specs/prw/remote_write_spec/
// NOTE: bounded: at most MAX_HEAD_BYTES of a packet and MAX_HEADER_LINES lines are read per request.
import { App, Auth, Enc, Mode, detailsOf, finish, type DetectState } from './state.js';
import { jwtFacts } from './jwt.js';
import { ascii, equalsLower, indexOfByte, isAlpha, isDigit, lineEnd, skipBlanks, startsWith, trimEnd } from './text.js';

const MAX_HEAD_BYTES = 4096;
const MAX_HEADER_LINES = 64;
const MAX_METHOD = 16;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

const H2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
const KNOWN_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'];

// Flow flags while in Mode.http.
const F_UPGRADE_H2C = 1;
/** The last response was 401/407: the client may retry with credentials on this connection. */
const F_CHALLENGED = 2;

/** The method buf[from..to) when it is a known one (no allocation), else 'other'. */
function knownMethod(buf: Uint8Array, from: number, to: number): string {
  for (const m of KNOWN_METHODS) if (m.length === to - from && startsWith(buf, from, to, m)) return m;
  return 'other';
}

/** Length of an HTTP method token at `off` followed by a space, or 0. Upper-case letters only. */
function methodLength(buf: Uint8Array, off: number, end: number): number {
  let i = off;
  const lim = Math.min(end, off + MAX_METHOD);
  while (i < lim && buf[i]! >= 0x41 && buf[i]! <= 0x5a) i++;
  return i - off >= 3 && i < end && buf[i] === 0x20 ? i - off : 0;
}

/** Does buf[off..end) start like an HTTP/1.x request line ("METHOD SP target SP HTTP/1.x")? */
export function looksLikeHttpRequest(buf: Uint8Array, off: number, end: number): boolean {
  const m = methodLength(buf, off, end);
  if (m === 0) return false;
  const t = off + m + 1;
  const c = buf[t];
  // origin-form "/…", asterisk-form "*", absolute-form "http://…", authority-form "host:port" (CONNECT)
  if (c === undefined || !(c === 0x2f || c === 0x2a || isAlpha(c) || isDigit(c))) return false;
  const lim = Math.min(end, off + MAX_HEAD_BYTES);
  const le = lineEnd(buf, t, lim);
  if (le < 0) {
    // The request line may run past what we read; the method must then be a known one.
    return knownMethod(buf, off, off + m) !== 'other';
  }
  return le - 8 > t && startsWith(buf, le - 8, le, 'HTTP/1.');
}

export function looksLikeH2Preface(buf: Uint8Array, off: number, end: number): boolean {
  return startsWith(buf, off, end, 'PRI * HTTP/2.0');
}

export function looksLikeHttpResponse(buf: Uint8Array, off: number, end: number): boolean {
  return startsWith(buf, off, end, 'HTTP/1.') && end - off >= 12 && buf[off + 8] === 0x20 && isDigit(buf[off + 9]!);
}

/** A flow that opened with the HTTP/2 connection preface (prior knowledge, cleartext). */
export function h2Start(s: DetectState, f: number): void {
  s.app[f] = App.http2;
  s.enc[f] = Enc.none;
  s.auth[f] = Auth.unknown; // headers are HPACK-compressed; not decoded here
  finish(s, f);
}

export function httpStart(s: DetectState, f: number): void {
  s.mode[f] = Mode.http;
  s.app[f] = App.http;
  s.enc[f] = Enc.none;
  s.flags[f] = 0;
}

/** One request-side packet: parse it when it starts a request (later requests may add auth). */
export function httpRequestPacket(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  if (looksLikeH2Preface(buf, off, end)) {
    h2Start(s, f);
    return;
  }
  const m = methodLength(buf, off, end);
  if (m === 0) return;
  const lim = Math.min(end, off + MAX_HEAD_BYTES);
  const det = detailsOf(s, f);
  const first = det.http_method === undefined;
  if (first) det.http_method = knownMethod(buf, off, off + m);
  // Request target: origin-form "/p?q", absolute-form "http://h/p", "*" (rfc9112 §3.2).
  let t = off + m + 1;
  let te = indexOfByte(buf, t, lim, 0x20);
  if (te < 0) te = lim;
  if (first) {
    if (buf[t] !== 0x2f && equalsLower(buf, t, te, 'http')) {
      const slash = indexOfByte(buf, t, te, 0x3a) >= 0 ? findPathStart(buf, t, te) : -1;
      t = slash < 0 ? te : slash;
    }
    let pe = t;
    while (pe < te && buf[pe] !== 0x3f && buf[pe] !== 0x23) pe++;
    det.http_path_class = pathClass(buf, t, pe);
  }
  let auth = 0;
  let apiKey = false;
  let cookie = false;
  let remoteWrite = false;
  let lineStart = lineEnd(buf, off, lim);
  if (lineStart < 0) return;
  lineStart += buf[lineStart] === 0x0d ? 2 : 1;
  for (let n = 0; n < MAX_HEADER_LINES && lineStart < lim; n++) {
    const le = lineEnd(buf, lineStart, lim);
    const stop = le < 0 ? lim : le;
    if (stop === lineStart) break; // empty line: end of the header section
    const colon = indexOfByte(buf, lineStart, stop, 0x3a);
    if (colon > lineStart) {
      const v = skipBlanks(buf, colon + 1, stop);
      const ve = trimEnd(buf, v, stop);
      const nl = colon - lineStart;
      const c0 = buf[lineStart]! | 0x20;
      if (c0 === 0x68 && nl === 4 && equalsLower(buf, lineStart, colon, 'host')) {
        if (first) det.http_host = hostWithoutPort(buf, v, ve);
      } else if (c0 === 0x75 && nl === 10 && equalsLower(buf, lineStart, colon, 'user-agent')) {
        if (first) det.user_agent_family = userAgentFamily(buf, v, ve);
      } else if (c0 === 0x61 && nl === 13 && equalsLower(buf, lineStart, colon, 'authorization')) {
        auth = authorization(s, f, buf, v, ve);
      } else if (c0 === 0x63 && nl === 6 && equalsLower(buf, lineStart, colon, 'cookie')) {
        cookie = true;
      } else if (c0 === 0x75 && nl === 7 && equalsLower(buf, lineStart, colon, 'upgrade')) {
        if (equalsLower(buf, v, ve, 'h2c')) s.flags[f] |= F_UPGRADE_H2C;
      } else if (isApiKeyHeader(buf, lineStart, colon)) {
        apiKey = true;
      } else if (c0 === 0x78 && equalsLower(buf, lineStart, colon, 'x-prometheus-remote-write-version')) {
        remoteWrite = true;
      }
    }
    if (le < 0) break;
    lineStart = le + (buf[le] === 0x0d ? 2 : 1);
  }
  const code = auth !== 0 ? auth : apiKey ? Auth['api-key'] : cookie ? Auth.cookie : Auth.none;
  // Keep the strongest evidence across the requests we look at (a 401 then a retry with credentials).
  if (s.auth[f] === 0 || s.auth[f] === Auth.none || (s.auth[f] === Auth.cookie && code !== Auth.none)) s.auth[f] = code;
  if (first) {
    if (remoteWrite) s.app[f] = App['prometheus-remote-write'];
    else if (det.http_path_class === 'metrics' && det.http_method === 'GET') s.app[f] = App.prometheus;
  }
}

/** One response-side packet: a 101 to an h2c upgrade turns the flow into HTTP/2. */
export function httpResponsePacket(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  if (!looksLikeHttpResponse(buf, off, end)) return;
  if ((s.flags[f]! & F_UPGRADE_H2C) !== 0 && startsWith(buf, off + 9, end, '101')) s.app[f] = App.http2;
  // A 401/407 challenge without credentials: wait for the retry (same connection, e.g. curl --anyauth).
  // Anything else answers the question: done.
  const challenged = startsWith(buf, off + 9, end, '401') || startsWith(buf, off + 9, end, '407');
  if (challenged && (s.flags[f]! & F_CHALLENGED) === 0 && (s.auth[f] === Auth.none || s.auth[f] === Auth.cookie)) {
    s.flags[f] |= F_CHALLENGED;
    return;
  }
  finish(s, f);
}

function findPathStart(buf: Uint8Array, from: number, to: number): number {
  // "scheme://authority/path": the first '/' after "//".
  const ss = indexOfByte(buf, from, to, 0x2f);
  if (ss < 0 || buf[ss + 1] !== 0x2f) return -1;
  return indexOfByte(buf, ss + 2, to, 0x2f);
}

const METRICS_PATHS = ['/metrics', '/federate', '/actuator/prometheus', '/stats/prometheus'];
const HEALTH_PATHS = ['/healthz', '/health', '/ready', '/readyz', '/livez', '/readiness', '/liveness', '/ping', '/status'];

/** `metrics`, `health` or `other` for the path buf[from..to) (query already cut); never the path. */
export function pathClass(buf: Uint8Array, from: number, to: number): string {
  if (to > from + 1 && buf[to - 1] === 0x2f) to--; // "/metrics/" like "/metrics"
  const n = to - from;
  for (const p of METRICS_PATHS) if (n === p.length && equalsLower(buf, from, to, p)) return 'metrics';
  for (const p of HEALTH_PATHS) if (n === p.length && equalsLower(buf, from, to, p)) return 'health';
  // "/health/live", "/healthz/ready"…
  if (equalsLower(buf, from, to, '/health/') || equalsLower(buf, from, to, '/healthz/')) return 'health';
  return 'other';
}

function hostWithoutPort(buf: Uint8Array, from: number, to: number): string {
  let e = to;
  if (buf[from] === 0x5b) {
    const rb = indexOfByte(buf, from, to, 0x5d);
    if (rb > 0) e = rb + 1;
  } else {
    const colon = indexOfByte(buf, from, to, 0x3a);
    if (colon >= 0) e = colon;
  }
  return ascii(buf, from, e, 255, true);
}

const API_KEY_HEADERS = ['x-api-key', 'api-key', 'apikey', 'x-apikey', 'x-auth-token', 'x-access-token', 'x-api-token', 'private-token'];

function isApiKeyHeader(buf: Uint8Array, from: number, to: number): boolean {
  const n = to - from;
  if (n < 6 || n > 14) return false; // the shortest and longest names in the list
  for (const h of API_KEY_HEADERS) if (h.length === n && equalsLower(buf, from, to, h)) return true;
  return false;
}

function authorization(s: DetectState, f: number, buf: Uint8Array, from: number, to: number): number {
  let se = from;
  while (se < to && buf[se] !== 0x20) se++;
  const n = se - from;
  if (n === 5 && equalsLower(buf, from, se, 'basic')) return Auth.basic;
  if (n === 6 && equalsLower(buf, from, se, 'bearer')) {
    const jwt = jwtFacts(buf, skipBlanks(buf, se, to), to);
    if (jwt !== null) {
      const det = detailsOf(s, f);
      if (jwt.alg !== undefined) det.jwt_alg = jwt.alg;
      if (jwt.lifetimeS !== undefined) det.jwt_lifetime_s = jwt.lifetimeS;
    }
    return Auth.bearer;
  }
  if (n === 6 && equalsLower(buf, from, se, 'digest')) return Auth.digest;
  if ((n === 9 && equalsLower(buf, from, se, 'negotiate')) || (n === 4 && equalsLower(buf, from, se, 'ntlm'))) return Auth.negotiate;
  // "Authorization: <key>" with no scheme, or a vendor scheme (AWS4-HMAC-SHA256, token, ApiKey…).
  if ((n === 6 && equalsLower(buf, from, se, 'apikey')) || (n === 7 && equalsLower(buf, from, se, 'api-key'))) return Auth['api-key'];
  return Auth['other-scheme'];
}

// Product tokens (lower case) → family. Anything else is 'other'; the raw string is never kept.
const UA_FAMILIES = new Map<string, string>(Object.entries({
  curl: 'curl', wget: 'wget', prometheus: 'prometheus', 'python-requests': 'python-requests',
  'python-urllib': 'python-urllib', 'python-httpx': 'python-httpx', aiohttp: 'python-aiohttp',
  'go-http-client': 'go-http-client', okhttp: 'okhttp', java: 'java', 'apache-httpclient': 'java',
  'jakarta commons-httpclient': 'java', 'node-fetch': 'node', axios: 'node', undici: 'node', node: 'node',
  'kube-probe': 'kube-probe', kubernetes: 'kubernetes', 'grafana': 'grafana', 'grafana-agent': 'grafana-agent',
  'vmagent': 'victoriametrics', telegraf: 'telegraf', 'elastic-heartbeat': 'elastic', 'datadog-agent': 'datadog',
  'consul health check': 'consul', 'elb-healthchecker': 'aws-elb', 'googlehc': 'google-lb', 'grpc-go': 'grpc',
  'grpc-java-netty': 'grpc', 'grpc-python': 'grpc', 'grpc-node-js': 'grpc', 'grpc-c': 'grpc', envoy: 'envoy',
  'blackbox-exporter': 'prometheus', alertmanager: 'prometheus', 'otel-collector': 'opentelemetry',
  'opentelemetry collector contrib': 'opentelemetry', 'aws-sdk-go': 'aws-sdk', 'aws-sdk-java': 'aws-sdk',
  'boto3': 'aws-sdk', botocore: 'aws-sdk', 'docker': 'docker', 'helm': 'helm', 'terraform': 'terraform',
  'dart': 'dart', 'ruby': 'ruby', 'faraday': 'ruby', 'rest-client': 'ruby', 'guzzlehttp': 'php', 'reqwest': 'rust',
  'nginx': 'nginx', 'httpie': 'httpie', 'postmanruntime': 'postman', 'wordpress': 'wordpress', 'zabbix': 'zabbix',
}));

// Looked up without making a string of the token: by a hash of its lower-cased bytes, then compared.
const UA_BY_HASH = new Map<number, [string, string][]>();
for (const [name, family] of UA_FAMILIES) {
  let h = FNV_OFFSET;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), FNV_PRIME);
  const key = h & 0x3fffffff;
  const list = UA_BY_HASH.get(key);
  if (list === undefined) UA_BY_HASH.set(key, [[name, family]]);
  else list.push([name, family]);
}

/** The family of the product name buf[from..to) (ASCII case-insensitive), or undefined. */
function uaFamilyOf(buf: Uint8Array, from: number, to: number): string | undefined {
  let h = FNV_OFFSET;
  for (let i = from; i < to; i++) {
    let c = buf[i]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  const list = UA_BY_HASH.get(h & 0x3fffffff);
  if (list === undefined) return undefined;
  for (const [name, family] of list) if (name.length === to - from && equalsLower(buf, from, to, name)) return family;
  return undefined;
}

/** Family of a User-Agent value buf[from..to): its first product token, looked up. */
export function userAgentFamily(buf: Uint8Array, from: number, to: number): string {
  if (equalsLower(buf, from, to, 'mozilla/')) return 'browser';
  let e = from;
  while (e < to && e - from < 40 && buf[e] !== 0x2f && buf[e] !== 0x20 && buf[e] !== 0x3b && buf[e] !== 0x28) e++;
  if (e === from) return 'other';
  const fam = uaFamilyOf(buf, from, e);
  if (fam !== undefined) return fam;
  // Two-word products ("Consul Health Check", "Jakarta Commons-HttpClient/3.1").
  if (buf[e] === 0x20) {
    let e2 = e + 1;
    while (e2 < to && e2 - from < 40 && buf[e2] !== 0x2f && buf[e2] !== 0x3b && buf[e2] !== 0x28) e2++;
    const two = uaFamilyOf(buf, from, trimEnd(buf, from, e2));
    if (two !== undefined) return two;
  }
  if (e - from === 6 && buf[e] === 0x2f && equalsLower(buf, from, e, 'python')) return 'python';
  return 'other';
}
