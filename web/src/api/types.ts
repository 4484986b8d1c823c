// NOTE: response shapes of the HTTP API as docs/api.md describes them. The flow record itself is the
// one type in common/flow-record.ts (type-only import: nothing of the server's schema code is bundled).
import type { FlowRecord } from '../../../common/flow-record';
import type { AllowRule } from '../../../server/intent/model';

export type { AllowRule, FlowRecord };

/** ISO-8601 date-time string. */
export type Iso = string;

/** One aggregated edge: src asset (or zone with group=zone) → dst asset, port, proto, app, auth. */
export interface Edge {
  src: string;
  src_name: string | null;
  src_zone: string;
  src_jewel: string | null;
  dst: string;
  dst_name: string | null;
  dst_zone: string;
  dst_jewel: string | null;
  dport: number;
  proto: string;
  app: string | null;
  auth: string | null;
  encryption: string | null;
  flows: number;
  packets: number;
  bytes: number;
  first_seen: Iso;
  last_seen: Iso;
  clients: number;
  /** The jewel at either end (dst first), null when neither is one. */
  crown_jewel: string | null;
  crossing: boolean;
}

export interface EdgesResponse {
  from: Iso;
  to: Iso;
  total: number;
  edges: Edge[];
}

export interface SurfaceEdge extends Edge {
  boundary: 'zone' | 'jewel' | 'none';
}

export interface JewelSurface {
  jewel: string;
  addresses: string[];
  inbound: SurfaceEdge[];
  outbound: SurfaceEdge[];
}

export interface EgressDestination {
  dst: string;
  dst_name: string | null;
  dst_zone: string;
  dport: number;
  proto: string;
  app: string | null;
  flows: number;
  bytes: number;
}

export interface EgressResponse {
  services: { asset: string; name: string | null; zone: string; destinations: EgressDestination[] }[];
}

export interface AssetName {
  name: string;
  source: string;
}

export interface InventoryAsset {
  ip: string;
  name: string | null;
  names: AssetName[];
  zone: string;
  declared: boolean;
  owner: string | null;
  role: string | null;
  jewel: string | null;
  flows: number;
  bytes: number;
  first_seen: Iso | null;
  last_seen: Iso | null;
  jewel_flows: number;
  jewel_bytes: number;
  jewel_peers: number;
}

export interface InventoryItem {
  name: string;
  address: string;
  owner?: string;
  role?: string;
}

export interface InventoryResponse {
  discovered: InventoryAsset[];
  declared_unseen: InventoryItem[];
  unknown: InventoryAsset[];
}

export type FlowRow = FlowRecord & { agent: string };

export interface FlowsResponse {
  total: number;
  flows: FlowRow[];
}

export interface Snapshot {
  name: string;
  from: Iso;
  to: Iso;
  created: Iso;
  edges: number;
}

/** Edges in a diff carry no `clients` count. */
export interface ChangedEdge extends Edge {
  flows_before: number;
  bytes_before: number;
}

export interface SnapshotDiff {
  a: Snapshot;
  /** The snapshot compared against, or `now` with the range it covered. */
  b: { name: string; from: Iso; to: Iso };
  new: Edge[];
  gone: Edge[];
  changed: ChangedEdge[];
  /** How many edges each list has in all; each list holds at most the request's `limit` (default 1000). */
  totals: { new: number; gone: number; changed: number };
}

export interface Zone {
  name: string;
  kind: string;
  cidrs: string[];
  description?: string;
}

export interface CrownJewel {
  name: string;
  match: string[];
  owner: string;
  why: string;
}

export interface Stats {
  store: { kind: 'embedded' | 'server' };
  totals: { flows: number; packets: number; bytes: number; first_seen: Iso | null; last_seen: Iso | null };
  by_proto: { proto: string; flows: number; packets: number; bytes: number; first_seen: Iso | null; last_seen: Iso | null }[];
  agents: {
    agent: string;
    last_contact: Iso;
    batches: number;
    records: number;
    spool_backlog: number | null;
    packets: number | null;
    dropped: number | null;
  }[];
}

/** What POST /api/v1/simulate answers (issue 6): the observed flows the rule set would deny. */
export interface SimulationResult {
  /** Flows in scope that some rule admits. */
  admitted: number;
  /** Flows in scope that no rule admits (the sum of `denied[].flows`). */
  denied_flows: number;
  /** Flows these rules do not govern. */
  out_of_scope: number;
  /** Grouped by (src, dst, dport, proto, app), most flows first. */
  denied: SimulatedDenial[];
}

export interface SimulatedDenial {
  src: string;
  src_name: string | null;
  dst: string;
  dst_name: string | null;
  dport: number;
  proto: string;
  app: string | null;
  flows: number;
  bytes: number;
  /** Why no rule admits it, naming the nearest rules. */
  reason: string;
}

/** GET /api/v1/export/allowlist?format=json: the rules an allow-list holds, their size, each format's warnings. */
export interface AllowlistRules {
  scope: { jewel?: string; zone?: string };
  source: 'observed' | 'intent';
  from: Iso;
  to: Iso;
  rules: AllowRule[];
  sizing: { rules: number; distinct_addresses: number; distinct_cidrs: number; distinct_labels: number; ports: number; by_proto: Record<string, number> };
  warnings: Record<string, { rule?: string; code: string; message: string }[]>;
}

export const SPEC_FORMATS = ['csv', 'xlsx', 'md'] as const;
export type SpecFormat = (typeof SPEC_FORMATS)[number];
export const ALLOWLIST_FORMATS = ['nftables', 'k8s', 'cilium', 'aws', 'csv'] as const;
export type AllowlistFormat = (typeof ALLOWLIST_FORMATS)[number];
