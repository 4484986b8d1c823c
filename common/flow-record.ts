// The one flow record type: produced by the agent, validated by the collector, stored in ClickHouse,
// drawn by the web UI. Extend it here (and in README's field table); never redefine it elsewhere.
import { Type, type Static } from '@sinclair/typebox';

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

export const FlowRecordSchema = Type.Object(
  {
    proto: Type.Union(L4_PROTOS.map((p) => Type.Literal(p))),
    /** Initiator address: dotted IPv4 or RFC 5952 IPv6. */
    src: Type.String({ maxLength: 45 }),
    /** Initiator port; ICMP: the type of the first initiator message. */
    sport: Type.Integer({ minimum: 0, maximum: 65535 }),
    dst: Type.String({ maxLength: 45 }),
    /** Responder port; ICMP: the code of the first initiator message. */
    dport: Type.Integer({ minimum: 0, maximum: 65535 }),
    /** ISO-8601 UTC with microseconds: first and last packet of this record. */
    start: Type.String({ format: 'date-time' }),
    end: Type.String({ format: 'date-time' }),
    orig_pkts: Type.Integer({ minimum: 0 }),
    resp_pkts: Type.Integer({ minimum: 0 }),
    /** Bytes at the IP layer (from the IP length fields, like Zeek's orig_ip_bytes). */
    orig_ip_bytes: Type.Integer({ minimum: 0 }),
    resp_ip_bytes: Type.Integer({ minimum: 0 }),
    /** L4 payload bytes (from the headers, not the captured length). */
    orig_bytes: Type.Integer({ minimum: 0 }),
    resp_bytes: Type.Integer({ minimum: 0 }),
    /** Zeek conn_state vocabulary for TCP (S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH); UDP/ICMP: S0 (one way) or SF (answered). */
    state: Type.String({ maxLength: 8 }),
    /** Zeek-style history letters, upper case = initiator. */
    history: Type.String({ maxLength: 64 }),
    end_reason: Type.Union(END_REASONS.map((r) => Type.Literal(r))),
    initiator: Type.Union(INITIATOR_RULES.map((r) => Type.Literal(r))),
    /** 1-in-N sampling this record was made with (1 = every packet); counters are already scaled. */
    sampling: Type.Integer({ minimum: 1 }),
    /** First fragments seen in this flow (IPv4/IPv6 fragments carrying the L4 header). */
    frags: Type.Integer({ minimum: 0 }),
    /** VLAN id of the first packet (outer tag with QinQ), 0 when untagged. */
    vlan: Type.Integer({ minimum: 0, maximum: 4095 }),

    // --- detection labels (all optional; see AUTH_METHODS / ENCRYPTIONS above) ---
    /** Application protocol (`http`, `http2`, `tls`, `ssh`, `dns`, `postgres`, `mysql`, `redis`, `statsd`, `snmp`, `prometheus`, …); `unknown` when nothing matched. */
    app: Type.Optional(Type.String({ maxLength: 32 })),
    /** `port` when `app` is only a guess from a well-known port; absent when it came from content (or is `unknown`). */
    app_guess: Type.Optional(Type.Union(APP_GUESSES.map((g) => Type.Literal(g)))),
    auth: Type.Optional(Type.Union(AUTH_METHODS.map((a) => Type.Literal(a)))),
    encryption: Type.Optional(Type.Union(ENCRYPTIONS.map((e) => Type.Literal(e)))),
    /** Negotiated TLS version from the ServerHello (`TLS 1.0` … `TLS 1.3`). */
    tls_version: Type.Optional(Type.String({ maxLength: 16 })),
    /** Server name from the ClientHello. */
    sni: Type.Optional(Type.String({ maxLength: 255 })),
    /** ALPN protocols offered by the client, comma-separated, in its order. */
    alpn: Type.Optional(Type.String({ maxLength: 128 })),
    /** JA4 TLS client fingerprint (https://github.com/FoxIO-LLC/ja4). */
    ja4: Type.Optional(Type.String({ maxLength: 40 })),
    /** TLS 1.2 client certificate: `sent`, `empty` (asked, none given), `not-requested`; absent when not visible (TLS 1.3, resumption). */
    tls_client_cert: Type.Optional(Type.String({ maxLength: 16 })),
    http_host: Type.Optional(Type.String({ maxLength: 255 })),
    http_method: Type.Optional(Type.String({ maxLength: 16 })),
    /** `metrics` (/metrics, /federate), `health` (/healthz, /health, /ready, /readyz, /livez), `other`; never the path itself. */
    http_path_class: Type.Optional(Type.String({ maxLength: 16 })),
    /** Product of the User-Agent from a known list (`curl`, `prometheus`, `python-requests`, `go-http-client`, `browser`, …) or `other`. */
    user_agent_family: Type.Optional(Type.String({ maxLength: 32 })),
    /** Bearer JWT: header `alg` and `exp − iat` in seconds (the token itself is never kept). */
    jwt_alg: Type.Optional(Type.String({ maxLength: 16 })),
    jwt_lifetime_s: Type.Optional(Type.Number()),
    /** SSH software banners (`OpenSSH_9.2p1 Debian-2+deb12u6`). */
    ssh_client: Type.Optional(Type.String({ maxLength: 64 })),
    ssh_server: Type.Optional(Type.String({ maxLength: 64 })),
    /** First DNS query name and its type (`A`, `AAAA`, … or the number). */
    dns_query: Type.Optional(Type.String({ maxLength: 253 })),
    dns_qtype: Type.Optional(Type.String({ maxLength: 12 })),
    /** PostgreSQL authentication request: `trust`, `password`, `md5`, `scram-sha-256`, `scram-sha-256-plus`, `gss`, `sspi`, `ssl` (encrypted before auth), `error`. */
    pg_auth: Type.Optional(Type.String({ maxLength: 24 })),
    /** MySQL/MariaDB auth plugin (`mysql_native_password`, `caching_sha2_password`, …). */
    mysql_auth_plugin: Type.Optional(Type.String({ maxLength: 40 })),
    /** `1`, `2c` or `3`. */
    snmp_version: Type.Optional(Type.String({ maxLength: 4 })),
    /** Protocol version the wire shows, for protocols without a field of their own (`MQTT 3.1.1`, `SMB 3.1.1`, `LDAPv3`, `NTPv4`, `AMQP 0-9-1`, …). */
    app_version: Type.Optional(Type.String({ maxLength: 24 })),
    /** Authentication mechanism named on the wire, beneath `auth` (`SCRAM-SHA-256`, `PLAIN`, `NTLMSSP`, `Kerberos`, `simple`, `CredSSP`, …); never a credential. */
    auth_mech: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: true, $id: 'FlowRecord' },
);

export type FlowRecord = Static<typeof FlowRecordSchema>;
export type EndReason = (typeof END_REASONS)[number];
export type InitiatorRule = (typeof INITIATOR_RULES)[number];
export type L4Proto = (typeof L4_PROTOS)[number];
export type AuthMethod = (typeof AUTH_METHODS)[number];
export type Encryption = (typeof ENCRYPTIONS)[number];
