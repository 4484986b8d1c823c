// The one flow record type: produced by the agent, validated by the collector, stored in ClickHouse,
// drawn by the web UI. Extend it here (and in README's field table); never redefine it elsewhere.
// The TypeBox schema is in flow-record-schema.ts: the agent's hot path imports this file for the type
// and the vocabularies only, and loading TypeBox and building the schema cost ~0.1 s at every start.
import type { Static } from '@sinclair/typebox';
import type { FlowRecordSchema } from './flow-record-schema.js';

/** Why a record was emitted. `active` records are periodic exports of a flow that goes on. */
export const END_REASONS = ['idle', 'active', 'fin', 'rst', 'evicted', 'eof'] as const;
/**
 * How the initiator (src) was decided; see README "Who is the initiator":
 * `syn` first packet was a SYN; `synack` first packet was a SYN-ACK (its receiver initiated);
 * `reply` first packet was an ICMP reply (its receiver initiated); `port` only the sender's port is a
 * likely server port, so the receiver initiated; `first` the sender of the first packet.
 */
export const INITIATOR_RULES = ['syn', 'synack', 'reply', 'port', 'first'] as const;
export const L4_PROTOS = ['tcp', 'udp', 'icmp', 'icmp6'] as const;

// NOTE: detection labels (agent/detect; README "Protocol and auth detection"). Every one is optional so
// records written before detection existed, or with `--no-detect`, stay valid. Only derived labels are
// kept: never payload bytes, tokens, passwords, community strings or full URL paths.
/**
 * How the client authenticates, as far as the first packets show:
 * `none` the protocol was seen and no credential was presented (HTTP without Authorization, Redis
 * without AUTH, LDAP anonymous bind, MQTT without username); `basic`, `bearer`, `digest`, `negotiate`
 * (Kerberos/NTLM via SPNEGO), `other-scheme` HTTP Authorization schemes; `api-key` an API-key header
 * (X-API-Key, Api-Key, X-Auth-Token …); `cookie` a Cookie header and no Authorization (a session);
 * `mtls` TLS 1.2 server asked for a client certificate and the client sent one; `tls-server-only` TLS
 * 1.2 without a client certificate (not asked, or asked and an empty one sent); `password` a password
 * sent in the protocol (Redis AUTH, PostgreSQL cleartext, MySQL password plugins, LDAP simple bind,
 * MQTT username/password); `md5` / `scram` PostgreSQL md5 / SASL SCRAM-SHA-256; `trust` PostgreSQL
 * AuthenticationOk with no challenge; `gss` GSSAPI/Kerberos/SSPI; `sasl` another SASL mechanism;
 * `community` SNMP v1/v2c (a shared string, never stored); `usm` SNMPv3 user-based authentication;
 * `unknown` not visible (TLS 1.3, SSH, HTTP/2, an undetected protocol).
 * Appended later: `symmetric-key` an NTP packet carrying a symmetric-key MAC (key id + digest, RFC 5905
 * §7.3 / RFC 8573; auth_mech tells the digest length: `MD5/AES-CMAC` or `SHA1`).
 * `nts` an NTP packet carrying an NTS Authenticator extension field (Network Time Security, RFC 8915).
 * `ntlm` NTLM challenge/response (an NTLMSSP AUTHENTICATE with a user; SMB, raw or inside SPNEGO:
 * `auth_mech` `NTLMSSP`); anonymous NTLMSSP (no user, no response) is `none`.
 * `nla` RDP Network Level Authentication: the server selected CredSSP (HYBRID / HYBRID_EX), so the
 * user authenticates (SPNEGO: Kerberos or NTLM, inside TLS) before a session exists.
 */
export const AUTH_METHODS = [
  'none', 'basic', 'bearer', 'digest', 'negotiate', 'other-scheme', 'api-key', 'cookie', 'mtls',
  'tls-server-only', 'password', 'md5', 'scram', 'trust', 'gss', 'sasl', 'community', 'usm', 'unknown',
  'symmetric-key', 'ntlm', 'nla',
  'nts', // NTP with an NTS Authenticator (agent/detect/ntp.ts)
] as const;
/**
 * `none` cleartext; `tls` TLS (also after a PostgreSQL/MySQL SSL upgrade); `ssh`; `app` encrypted by the
 * application protocol itself (SNMPv3 privacy); `unknown` not determined.
 */
export const ENCRYPTIONS = ['none', 'tls', 'ssh', 'app', 'unknown'] as const;
/** How `app` was decided: `content` from payload bytes; `port` only from a well-known port (a guess). */
export const APP_GUESSES = ['content', 'port'] as const;


/**
 * The schema's fields in its order: the required ones (every record has them), then the optional
 * detection labels. flow-record-schema.test.ts keeps these lists equal to FlowRecordSchema.
 */
export const FLOW_RECORD_REQUIRED_FIELDS = [
  'proto', 'src', 'sport', 'dst', 'dport', 'start', 'end', 'orig_pkts', 'resp_pkts', 'orig_ip_bytes',
  'resp_ip_bytes', 'orig_bytes', 'resp_bytes', 'state', 'history', 'end_reason', 'initiator', 'sampling',
  'frags', 'vlan',
] as const;
export const FLOW_RECORD_OPTIONAL_FIELDS = [
  'app', 'app_guess', 'auth', 'encryption', 'tls_version', 'sni', 'alpn', 'ja4', 'tls_client_cert',
  'http_host', 'http_method', 'http_path_class', 'user_agent_family', 'jwt_alg', 'jwt_lifetime_s',
  'ssh_client', 'ssh_server', 'dns_query', 'dns_qtype', 'pg_auth', 'mysql_auth_plugin', 'snmp_version',
  'app_version', 'auth_mech',
] as const;

export type FlowRecord = Static<typeof FlowRecordSchema>;
export type EndReason = (typeof END_REASONS)[number];
export type InitiatorRule = (typeof INITIATOR_RULES)[number];
export type L4Proto = (typeof L4_PROTOS)[number];
export type AuthMethod = (typeof AUTH_METHODS)[number];
export type Encryption = (typeof ENCRYPTIONS)[number];
