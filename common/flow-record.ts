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
  },
  { additionalProperties: true, $id: 'FlowRecord' },
);

export type FlowRecord = Static<typeof FlowRecordSchema>;
export type EndReason = (typeof END_REASONS)[number];
export type InitiatorRule = (typeof INITIATOR_RULES)[number];
export type L4Proto = (typeof L4_PROTOS)[number];
