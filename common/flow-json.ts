// NDJSON for flow records, about twice as fast as JSON.stringify: the record's fixed fields are numbers
// or strings that the flow table itself produced (addresses, ISO times, Zeek letters, enums), so they
// go into a template without escaping; every optional field (detection labels, which can carry bytes
// from the wire such as an SNI or a Host header) is escaped as JSON.stringify would.
// NOTE: field order. The required fields come first, in TEMPLATE_KEYS order, then the optional ones in
// LABEL_KEYS order, whatever order the record lists them in; keys the schema does not know, and
// optional fields that are undefined, are left out. agent/detect's label() writes every label key, in
// LABEL_KEYS order (undefined when it has nothing to say), so all labelled records share one hidden
// class and the named reads below stay monomorphic; with records of ~10 shapes (one per set of labels)
// the same reads go megamorphic (+0.25 × 10⁹ instructions on the 2 M-packet bench capture, issue 4).
import { FLOW_RECORD_OPTIONAL_FIELDS, FLOW_RECORD_REQUIRED_FIELDS, type FlowRecord } from './flow-record.js';

/** The required fields the template below writes, in its order: the schema's own (a test reads the output). */
export const TEMPLATE_KEYS = FLOW_RECORD_REQUIRED_FIELDS;

/**
 * Every optional field, in the order they are written (and the order agent/detect adds them to
 * records: app, app_guess, auth, encryption, then agent/detect/state.ts DETAIL_KEYS).
 */
export const LABEL_KEYS = [
  'app', 'app_guess', 'auth', 'encryption', 'tls_version', 'sni', 'alpn', 'ja4', 'tls_client_cert', 'http_method',
  'http_host', 'http_path_class', 'user_agent_family', 'jwt_alg', 'jwt_lifetime_s', 'ssh_client', 'ssh_server',
  'dns_query', 'dns_qtype', 'pg_auth', 'mysql_auth_plugin', 'snmp_version', 'app_version', 'auth_mech',
] as const;

const OPTIONAL_KEYS: readonly string[] = FLOW_RECORD_OPTIONAL_FIELDS;
/**
 * LABEL_KEYS names exactly the optional schema fields: the named reads below are complete. When the
 * schema gains or loses one and LABEL_KEYS does not (the test says so), the generic loop writes records.
 */
const NAMED =
  OPTIONAL_KEYS.length === LABEL_KEYS.length && OPTIONAL_KEYS.every((k) => (LABEL_KEYS as readonly string[]).includes(k));
/** Optional schema field → its JSON key prefix (the generic loop). */
const OPTIONAL = new Map<string, string>(OPTIONAL_KEYS.map((k) => [k, `,${JSON.stringify(k)}:`]));

/** What JSON.stringify might escape: control characters, '"', '\\', and anything past printable ASCII. */
const NEEDS_ESCAPING = /[\u0000-\u001f"\\\u007f-\uffff]/;

/**
 * A JSON string: printable ASCII without '"' or '\\' (every enum, most names) needs no escaping.
 * (One regular-expression test, compiled to machine code: ~25 % fewer instructions than a charCodeAt loop.)
 */
function jsonString(v: string): string {
  return NEEDS_ESCAPING.test(v) ? JSON.stringify(v) : `"${v}"`;
}

// Written fragments (`,"app":"http"`) of recent string values, direct-mapped per field by length and
// first character: labels are mostly a few constants per field (app, auth, encryption, TLS version,
// JA4 and ALPN from the detector's own caches), and a hit saves the escape scan and two concatenations.
// A hit needs an equal string (=== compares contents), so the output is the same either way.
const SLOTS = 16;
const cachedValue: (string | undefined)[] = new Array<string | undefined>(LABEL_KEYS.length * SLOTS).fill(undefined);
const cachedFragment: string[] = new Array<string>(LABEL_KEYS.length * SLOTS).fill('');

/** `,"key":value` for LABEL_KEYS[field] (whose `prefix` is `,"key":`). */
function fragment(field: number, prefix: string, v: unknown): string {
  if (typeof v !== 'string') return prefix + JSON.stringify(v);
  const slot = field * SLOTS + ((v.length * 5 + v.charCodeAt(0)) & (SLOTS - 1)); // '' → NaN & 15 = 0
  if (cachedValue[slot] === v) return cachedFragment[slot]!;
  const f = prefix + jsonString(v);
  cachedValue[slot] = v;
  cachedFragment[slot] = f;
  return f;
}

/** One flow record as a JSON object (no newline). Keys not in the schema are left out. */
export function flowRecordToJson(r: FlowRecord): string {
  let s =
    `{"proto":"${r.proto}","src":"${r.src}","sport":${r.sport},"dst":"${r.dst}","dport":${r.dport},` +
    `"start":"${r.start}","end":"${r.end}","orig_pkts":${r.orig_pkts},"resp_pkts":${r.resp_pkts},` +
    `"orig_ip_bytes":${r.orig_ip_bytes},"resp_ip_bytes":${r.resp_ip_bytes},"orig_bytes":${r.orig_bytes},` +
    `"resp_bytes":${r.resp_bytes},"state":"${r.state}","history":"${r.history}","end_reason":"${r.end_reason}",` +
    `"initiator":"${r.initiator}","sampling":${r.sampling},"frags":${r.frags},"vlan":${r.vlan}`;
  if (!NAMED) return s + optionalFields(r) + '}';
  // One named read per field, in LABEL_KEYS order (a record without labels reads 24 absent properties
  // of one hidden class: cheap, and cheaper than Object.keys).
  let v: unknown;
  if ((v = r.app) !== undefined) s += fragment(0, ',"app":', v);
  if ((v = r.app_guess) !== undefined) s += fragment(1, ',"app_guess":', v);
  if ((v = r.auth) !== undefined) s += fragment(2, ',"auth":', v);
  if ((v = r.encryption) !== undefined) s += fragment(3, ',"encryption":', v);
  if ((v = r.tls_version) !== undefined) s += fragment(4, ',"tls_version":', v);
  if ((v = r.sni) !== undefined) s += fragment(5, ',"sni":', v);
  if ((v = r.alpn) !== undefined) s += fragment(6, ',"alpn":', v);
  if ((v = r.ja4) !== undefined) s += fragment(7, ',"ja4":', v);
  if ((v = r.tls_client_cert) !== undefined) s += fragment(8, ',"tls_client_cert":', v);
  if ((v = r.http_method) !== undefined) s += fragment(9, ',"http_method":', v);
  if ((v = r.http_host) !== undefined) s += fragment(10, ',"http_host":', v);
  if ((v = r.http_path_class) !== undefined) s += fragment(11, ',"http_path_class":', v);
  if ((v = r.user_agent_family) !== undefined) s += fragment(12, ',"user_agent_family":', v);
  if ((v = r.jwt_alg) !== undefined) s += fragment(13, ',"jwt_alg":', v);
  if ((v = r.jwt_lifetime_s) !== undefined) s += fragment(14, ',"jwt_lifetime_s":', v);
  if ((v = r.ssh_client) !== undefined) s += fragment(15, ',"ssh_client":', v);
  if ((v = r.ssh_server) !== undefined) s += fragment(16, ',"ssh_server":', v);
  if ((v = r.dns_query) !== undefined) s += fragment(17, ',"dns_query":', v);
  if ((v = r.dns_qtype) !== undefined) s += fragment(18, ',"dns_qtype":', v);
  if ((v = r.pg_auth) !== undefined) s += fragment(19, ',"pg_auth":', v);
  if ((v = r.mysql_auth_plugin) !== undefined) s += fragment(20, ',"mysql_auth_plugin":', v);
  if ((v = r.snmp_version) !== undefined) s += fragment(21, ',"snmp_version":', v);
  if ((v = r.app_version) !== undefined) s += fragment(22, ',"app_version":', v);
  if ((v = r.auth_mech) !== undefined) s += fragment(23, ',"auth_mech":', v);
  return s + '}';
}

/** The optional fields in the record's own key order (only while LABEL_KEYS lags the schema). */
function optionalFields(r: FlowRecord): string {
  const rec = r as unknown as Record<string, unknown>;
  let s = '';
  for (const k of Object.keys(r)) {
    const prefix = OPTIONAL.get(k);
    if (prefix === undefined) continue;
    const v = rec[k];
    if (v === undefined) continue;
    s += prefix + (typeof v === 'string' ? jsonString(v) : JSON.stringify(v));
  }
  return s;
}
