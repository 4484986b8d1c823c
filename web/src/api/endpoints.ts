// Typed calls, one per endpoint of docs/api.md. Components never build URLs themselves.
import { requestFile, requestJson, type Download, type Query } from './client';
import type {
  AllowRule,
  AllowlistFormat,
  AllowlistRules,
  CrownJewel,
  EdgesResponse,
  EgressResponse,
  FlowsResponse,
  InventoryItem,
  InventoryResponse,
  JewelSurface,
  SimulationResult,
  Snapshot,
  SnapshotDiff,
  SpecFormat,
  Stats,
  Zone,
} from './types';

const V1 = '/api/v1';
const enc = encodeURIComponent;

export interface Range {
  from: string;
  to: string;
}

export interface EdgeQuery extends Range {
  crossing?: boolean;
  zone?: string;
  asset?: string;
  jewel?: string;
  port?: number | string;
  proto?: string;
  app?: string;
  auth?: string;
  group?: 'asset' | 'zone';
  limit?: number;
  offset?: number;
}

export interface FlowQuery extends Range {
  src?: string;
  dst?: string;
  port?: number | string;
  proto?: string;
  app?: string;
  auth?: string;
  sort?: 'start' | 'bytes' | 'packets' | 'dport';
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

/** A list endpoint may answer `{ <key>: [...] }` or a bare array. */
function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  const v = (body as Record<string, unknown> | null)?.[key];
  return Array.isArray(v) ? (v as T[]) : [];
}

export const api = {
  stats: (token?: string) => requestJson<Stats>(`${V1}/stats`, { token }),

  edges: (q: EdgeQuery, signal?: AbortSignal) =>
    requestJson<EdgesResponse>(`${V1}/edges`, { query: q as unknown as Query, signal }),
  jewelSurface: (name: string, r: Range) => requestJson<JewelSurface>(`${V1}/jewels/${enc(name)}/surface`, { query: { ...r } }),
  egress: (q: Range & { asset?: string; zone?: string }) => requestJson<EgressResponse>(`${V1}/egress`, { query: { ...q } }),
  inventory: (r: Range) => requestJson<InventoryResponse>(`${V1}/inventory`, { query: { ...r } }),
  flows: (q: FlowQuery, signal?: AbortSignal) =>
    requestJson<FlowsResponse>(`${V1}/flows`, { query: q as unknown as Query, signal }),

  snapshots: async () => listOf<Snapshot>(await requestJson<unknown>(`${V1}/snapshots`), 'snapshots'),
  saveSnapshot: (name: string, r: Range) => requestJson<Snapshot>(`${V1}/snapshots`, { method: 'POST', body: { name, ...r } }),
  deleteSnapshot: (name: string) => requestJson<void>(`${V1}/snapshots/${enc(name)}`, { method: 'DELETE' }),
  /** `b` is a snapshot name or 'now' (then `range` is the range "now" covers). */
  snapshotDiff: (a: string, b: string, range?: Range) =>
    requestJson<SnapshotDiff>(`${V1}/snapshots/diff`, { query: { a, b, ...(b === 'now' ? range : {}) } }),

  zones: async () => listOf<Zone>(await requestJson<unknown>(`${V1}/zones`), 'zones'),
  putZone: (z: Zone) =>
    requestJson<unknown>(`${V1}/zones/${enc(z.name)}`, {
      method: 'PUT',
      body: { kind: z.kind, cidrs: z.cidrs, ...(z.description ? { description: z.description } : {}) },
    }),
  deleteZone: (name: string) => requestJson<void>(`${V1}/zones/${enc(name)}`, { method: 'DELETE' }),

  crownJewels: async () => listOf<CrownJewel>(await requestJson<unknown>(`${V1}/crown-jewels`), 'crown_jewels'),
  putCrownJewel: (j: CrownJewel) =>
    requestJson<unknown>(`${V1}/crown-jewels/${enc(j.name)}`, { method: 'PUT', body: { match: j.match, owner: j.owner, why: j.why } }),
  deleteCrownJewel: (name: string) => requestJson<void>(`${V1}/crown-jewels/${enc(name)}`, { method: 'DELETE' }),

  declaredInventory: async () => listOf<InventoryItem>(await requestJson<unknown>(`${V1}/inventory/declared`), 'inventory'),

  exportSpec: (format: SpecFormat, r: Range): Promise<Download> =>
    requestFile(`${V1}/export/spec`, `surfacemap-spec.${format}`, { query: { format, ...r } }),
  /** The rules of an allow-list (generated from the range's observed flows, or the intent's own), as JSON. */
  allowlistRules: (a: AllowlistRequest, r: Range) =>
    requestJson<AllowlistRules>(`${V1}/export/allowlist`, { query: { ...allowlistQuery(a), format: 'json', ...r } }),
  exportAllowlist: (a: AllowlistRequest, format: AllowlistFormat, r: Range): Promise<Download> =>
    requestFile(`${V1}/export/allowlist`, `surfacemap-allowlist-${a.target.kind}-${a.target.name}.${ALLOWLIST_EXT[format]}`, {
      query: { ...allowlistQuery(a), format, ...r },
    }),
  /** Generates the rules for a target from the range's observed flows and writes them into the intent YAML. */
  saveGeneratedRules: (a: AllowlistRequest & { owner: string; reason: string }, r: Range) =>
    requestJson<{ rules: AllowRule[]; saved: boolean; added?: number; updated?: number; unchanged?: number }>(`${V1}/rules/generate`, {
      method: 'POST',
      body: { [a.target.kind]: a.target.name, owner: a.owner, reason: a.reason, save: true, ...r },
    }),
  /** Replays the range's observed crossing flows against `rules`: what they would deny. */
  simulate: (rules: AllowRule[], r: Range) =>
    requestJson<SimulationResult & { rules: number }>(`${V1}/simulate`, { method: 'POST', query: { ...r }, body: { rules } }),
};

export interface AllowlistTarget {
  kind: 'jewel' | 'zone';
  name: string;
}

export interface AllowlistRequest {
  target: AllowlistTarget;
  /** observed: the tightest rules for the range's crossing flows; intent: the YAML's rules for the target. */
  source: 'observed' | 'intent';
  /** Generated rules only: who owns them and why (the server appends the observation). */
  owner?: string;
  reason?: string;
}

function allowlistQuery(a: AllowlistRequest): Query {
  return {
    [a.target.kind]: a.target.name,
    source: a.source,
    ...(a.source === 'observed' ? { owner: a.owner, reason: a.reason } : {}),
  };
}

export const ALLOWLIST_EXT: Record<AllowlistFormat, string> = {
  nftables: 'nft',
  k8s: 'yaml',
  cilium: 'yaml',
  aws: 'json',
  csv: 'csv',
};
