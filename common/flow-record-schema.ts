// The flow record's JSON schema (TypeBox): what the collector validates, field by field, with each
// field's meaning. The type and the vocabularies are in flow-record.ts, which the agent imports without
// loading TypeBox. Extend both together (flow-record-schema.test.ts checks they agree) and README's
// field table.
import { Type } from '@sinclair/typebox';
import { APP_GUESSES, AUTH_METHODS, ENCRYPTIONS, END_REASONS, INITIATOR_RULES, L4_PROTOS } from './flow-record.js';

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
