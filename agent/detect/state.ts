// Per-flow detection state, shared by the protocol parsers and the dispatcher (detector.ts).
// NOTE: layout. Everything numeric lives in typed arrays indexed by the flow table's flow id `f`
// (per-direction arrays at f*2 = originator, f*2+1 = responder), allocated once at `maxFlows`, so a
// packet that is not inspected costs nothing and one that is costs no allocation unless a label is
// found. String labels (SNI, Host, …) go into `details[f]`, an object made only when the first one is.
import type { AuthMethod, Encryption, FlowRecord } from '../../common/flow-record.js';
import { AUTH_METHODS, ENCRYPTIONS } from '../../common/flow-record.js';

/** Application names; the index is the code kept in `app`. 0 = not (yet) detected. */
export const APP_NAMES = [
  'unknown', 'http', 'http2', 'tls', 'ssh', 'dns', 'mdns', 'postgres', 'mysql', 'redis', 'statsd', 'snmp',
  'prometheus', 'prometheus-remote-write', 'icmp',
  // directory / file sharing / remote desktop / document DB (agent/detect/ldap.ts, smb.ts, rdp.ts, mongodb.ts)
  'ldap', 'smb', 'rdp', 'mongodb',
  // messaging / logging / time (agent/detect/mqtt.ts, syslog.ts, ntp.ts, amqp.ts, kafka.ts)
  'mqtt', 'syslog', 'ntp', 'amqp', 'kafka',
] as const;
export type AppName = (typeof APP_NAMES)[number];
export const App: { readonly [K in AppName]: number } = Object.fromEntries(APP_NAMES.map((n, i) => [n, i])) as {
  [K in AppName]: number;
};

/** Auth codes are AUTH_METHODS index + 1 (0 = nothing learnt yet). */
export const Auth: { readonly [K in AuthMethod]: number } = Object.fromEntries(AUTH_METHODS.map((n, i) => [n, i + 1])) as {
  [K in AuthMethod]: number;
};
/** Encryption codes are ENCRYPTIONS index + 1 (0 = nothing learnt yet). */
export const Enc: { readonly [K in Encryption]: number } = Object.fromEntries(ENCRYPTIONS.map((n, i) => [n, i + 1])) as {
  [K in Encryption]: number;
};

/** Which parser owns the flow's next packets. */
export const Mode = {
  /** Nothing recognised yet: every inspected packet is offered to every content matcher. */
  probe: 0,
  http: 1,
  tls: 2,
  ssh: 3,
  dns: 4,
  postgres: 5,
  mysql: 6,
  redis: 7,
  snmp: 8,
  /** Recognised and finished: no further packets wanted. */
  done: 9,
  // 20–29: agent/detect/ldap.ts, smb.ts, rdp.ts, mongodb.ts
  ldap: 20,
  smb: 21,
  rdp: 22,
  mongodb: 23,
  // 30–39: agent/detect/amqp.ts, kafka.ts
  amqp: 30,
  kafka: 31,
} as const;

/**
 * The detail fields, in the order they are written into records (one order: records share shapes); the
 * same as common/flow-json.ts LABEL_KEYS after app, app_guess, auth, encryption (detector.test.ts).
 */
export const DETAIL_KEYS = [
  'tls_version', 'sni', 'alpn', 'ja4', 'tls_client_cert', 'http_method', 'http_host', 'http_path_class',
  'user_agent_family', 'jwt_alg', 'jwt_lifetime_s', 'ssh_client', 'ssh_server', 'dns_query', 'dns_qtype',
  'pg_auth', 'mysql_auth_plugin', 'snmp_version', 'app_version', 'auth_mech',
] as const;
export type DetailKey = (typeof DETAIL_KEYS)[number];
export type Details = { [K in DetailKey]?: FlowRecord[K] };

export interface DetectState {
  /** Mode.* per flow. */
  mode: Uint8Array;
  app: Uint8Array;
  auth: Uint8Array;
  enc: Uint8Array;
  /** Per direction: 1 once this direction has nothing more to tell the current parser. */
  dirDone: Uint8Array;
  /** Per direction parser scratch (TLS: bytes left in the current record / handshake message). */
  a: Int32Array;
  b: Int32Array;
  /** Per direction: content type of the current TLS record. */
  c: Uint8Array;
  /** Per flow parser flags (meaning depends on the mode). */
  flags: Uint32Array;
  details: (Details | undefined)[];
}

export function createDetectState(n: number): DetectState {
  return {
    mode: new Uint8Array(n),
    app: new Uint8Array(n),
    auth: new Uint8Array(n),
    enc: new Uint8Array(n),
    dirDone: new Uint8Array(n * 2),
    a: new Int32Array(n * 2),
    b: new Int32Array(n * 2),
    c: new Uint8Array(n * 2),
    flags: new Uint32Array(n),
    details: new Array<Details | undefined>(n), // holey: no 4 MB fill at start; a hole reads as undefined
  };
}

/** The flow's details object, made on first use; every key present from the start (one V8 shape). */
export function detailsOf(s: DetectState, f: number): Details {
  let d = s.details[f];
  if (d === undefined) {
    d = emptyDetails();
    s.details[f] = d;
  }
  return d;
}

function emptyDetails(): Details {
  return {
    tls_version: undefined, sni: undefined, alpn: undefined, ja4: undefined, tls_client_cert: undefined,
    http_method: undefined, http_host: undefined, http_path_class: undefined, user_agent_family: undefined,
    jwt_alg: undefined, jwt_lifetime_s: undefined, ssh_client: undefined, ssh_server: undefined, dns_query: undefined,
    dns_qtype: undefined, pg_auth: undefined, mysql_auth_plugin: undefined, snmp_version: undefined,
    app_version: undefined, auth_mech: undefined,
  };
}

/** Both directions have nothing more to say: stop. */
export function finish(s: DetectState, f: number): void {
  s.mode[f] = Mode.done;
  s.dirDone[f * 2] = 1;
  s.dirDone[f * 2 + 1] = 1;
}

/**
 * No details: what copyDetails() writes for a flow without. Not frozen: it keeps the hidden class of
 * detailsOf()'s objects, so copyDetails() reads one shape. Never written to.
 */
const NO_DETAILS: Readonly<Details> = emptyDetails();

/**
 * Adds every detail field to a record, in DETAIL_KEYS order, undefined ones too (`x` undefined: all
 * of them undefined): with label()'s app, app_guess, auth and encryption, every labelled record then
 * has the same keys in the same order, one V8 hidden class, which is what keeps common/flow-json.ts's
 * reads monomorphic. JSON output leaves undefined fields out.
 */
export function copyDetails(x: Details | undefined, rec: FlowRecord): void {
  const d = x ?? NO_DETAILS;
  rec.tls_version = d.tls_version;
  rec.sni = d.sni;
  rec.alpn = d.alpn;
  rec.ja4 = d.ja4;
  rec.tls_client_cert = d.tls_client_cert;
  rec.http_method = d.http_method;
  rec.http_host = d.http_host;
  rec.http_path_class = d.http_path_class;
  rec.user_agent_family = d.user_agent_family;
  rec.jwt_alg = d.jwt_alg;
  rec.jwt_lifetime_s = d.jwt_lifetime_s;
  rec.ssh_client = d.ssh_client;
  rec.ssh_server = d.ssh_server;
  rec.dns_query = d.dns_query;
  rec.dns_qtype = d.dns_qtype;
  rec.pg_auth = d.pg_auth;
  rec.mysql_auth_plugin = d.mysql_auth_plugin;
  rec.snmp_version = d.snmp_version;
  rec.app_version = d.app_version;
  rec.auth_mech = d.auth_mech;
}
