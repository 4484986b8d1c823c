// NOTE: what the exports read. An `ObservedEdge` is one row of `GET /api/v1/edges` at asset level
// (docs/api.md "Analysis"): traffic from one initiator address to one responder address, port and
// protocol, summed over a time range. `src`/`dst` are IP addresses (IPv4 dotted, IPv6 RFC 5952; an
// IPv4-mapped `::ffff:a.b.c.d` is read as IPv4 everywhere in server/export).

export interface ObservedEdge {
  src: string;
  src_name: string | null;
  src_zone: string;
  src_jewel: string | null;
  dst: string;
  dst_name: string | null;
  dst_zone: string;
  dst_jewel: string | null;
  /** Responder port; ICMP: the code of the initiator's first message (not a port). */
  dport: number;
  /** `tcp` | `udp` | `icmp` | `icmp6`. */
  proto: string;
  app: string;
  auth: string;
  encryption: string;
  flows: number;
  packets: number;
  bytes: number;
  first_seen: string;
  last_seen: string;
  clients: number;
  /** The jewel at either end (dst first); optional here because nothing in server/export needs it. */
  crown_jewel?: string | null;
  crossing: boolean;
}

/**
 * One flow as the simulator takes it: a raw flow record (common/flow-record.ts) fits, and so does an
 * edge. Zone/jewel labels are optional; without them the simulator needs target addresses to decide
 * what is in scope (see simulate.ts).
 */
export interface ObservedFlow {
  src: string;
  dst: string;
  dport: number;
  proto: string;
  src_name?: string | null;
  dst_name?: string | null;
  src_zone?: string;
  dst_zone?: string;
  src_jewel?: string | null;
  dst_jewel?: string | null;
  crossing?: boolean;
  app?: string | null;
  /** Flows this item stands for (an edge's `flows`); 1 when absent (one raw record). */
  flows?: number;
  bytes?: number;
  /** A raw record's IP-layer bytes, used when `bytes` is absent. */
  orig_ip_bytes?: number;
  resp_ip_bytes?: number;
  /** When it was last seen (edge `last_seen`, record `end`): feeds the hygiene report's "last matched". */
  last_seen?: string;
  end?: string;
}

export const isIcmp = (proto: string): boolean => proto === 'icmp' || proto === 'icmp6';
