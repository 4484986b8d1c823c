// The procurement spec: every boundary-crossing traffic pattern of the observed window, a summary a
// buyer can hand to a vendor ("a platform that can't handle our top five patterns is out"), and how
// complete the observation was. One model, rendered as CSV, Markdown and XLSX (render-spec.ts).
//
// NOTE: a pattern is (source zone, destination asset, L4, port), the asset being the destination's
// name when it has one (so a dual-stack or load-balanced name is one pattern), else its address. Its
// sources are merged (listed in `source_assets`), and the app protocols, encryptions and auth methods seen are listed most flows
// first. ICMP patterns have no port (an edge's ICMP `dport` is a message code).
import type { ObservedEdge } from './edge.js';
import { isIcmp } from './edge.js';
import { canonicalAddress, compareAddressText, parseAddress } from './cidr.js';
import { cmp } from './rule-common.js';

export interface SpecRow {
  source_zone: string;
  /** Source names (or addresses), sorted. */
  source_assets: string[];
  /** Distinct source addresses. */
  sources: number;
  destination_asset: string;
  /** Its addresses (a name with IPv4 and IPv6, or several addresses, is one pattern), sorted. */
  destination_addresses: string[];
  destination_zone: string;
  /** null for ICMP. */
  port: number | null;
  l4: string;
  /** App protocols seen, most flows first. */
  app: string[];
  encryption: string[];
  auth: string[];
  flows: number;
  bytes: number;
  flows_per_day: number;
  bytes_per_day: number;
  first_seen: string;
  last_seen: string;
  /** The crown jewel at either end (destination first), or null. */
  crown_jewel: string | null;
  /** The destination is a crown jewel. */
  into_crown_jewel: boolean;
  /** Longest bearer-JWT lifetime (exp − iat) seen on this destination and port, seconds; null if none. */
  jwt_max_lifetime_s: number | null;
}

export interface PatternRef {
  /** `prod → customer-db tcp/5432 (postgres)` */
  pattern: string;
  /** Index into `rows`. */
  row: number;
  flows_per_day: number;
  bytes_per_day: number;
  /** What makes it notable (e.g. `plaintext, unauthenticated`), when the section says. */
  note?: string;
}

export interface Requirement {
  id: 'udp' | 'non-http-tcp' | 'mtls' | 'long-lived-tokens' | 'plaintext' | 'icmp' | 'ipv6';
  requirement: string;
  needed: boolean;
  /** How many patterns show it. */
  patterns: number;
  /** Up to five of them, busiest first. */
  evidence: string[];
}

/** What the lead's store knows about each agent over the window. */
export interface AgentCoverage {
  agent: string;
  /** Interfaces, VLANs or networks it watched. */
  segments: string[];
  first_seen: string | null;
  last_seen: string | null;
  hours_watched: number;
  /** Stretches inside the window with no data from this agent. */
  gaps: { from: string; to: string }[];
  /** 1-in-N packet sampling (1 = every packet); the largest N seen. */
  sampling: number;
  packets: number | null;
  packets_dropped: number | null;
}

export interface JwtObservation {
  dst: string;
  dport: number;
  max_lifetime_s: number;
}

export interface SpecExtra {
  /** The observed window (ISO date-times). */
  from: string;
  to: string;
  /** When the spec was made (printed; never read from the clock). */
  generated: string;
  agents?: AgentCoverage[];
  /** Bearer-JWT lifetimes per destination and port (from flow labels `jwt_lifetime_s`). */
  jwt?: JwtObservation[];
}

export interface SpecModel {
  from: string;
  to: string;
  generated: string;
  window_days: number;
  rows: SpecRow[];
  summary: {
    top_by_flows: PatternRef[];
    top_by_bytes: PatternRef[];
    udp: PatternRef[];
    /** Into a crown jewel and plaintext (encryption none) or unauthenticated (auth none/trust). */
    weak_into_jewels: PatternRef[];
    requirements: Requirement[];
  };
  completeness: {
    window_hours: number;
    agents: AgentCoverage[];
    hours_watched: number;
    gap_count: number;
    /** Distinct sampling rates in use (1 = none). */
    sampling: number[];
    packets_dropped: number | null;
    /** Patterns whose first and last flow fell on one UTC day of a longer window: their period may exceed it. */
    one_day_patterns: PatternRef[];
  };
}

export const TOP_N = 5;
/** HTTP-family app labels; every other TCP app is a "non-HTTP TCP protocol". */
export const HTTP_APPS = new Set(['http', 'http2', 'https', 'grpc', 'prometheus', 'prometheus-remote-write']);
export const LONG_LIVED_TOKEN_S = 24 * 3600;
const UNAUTHENTICATED = new Set(['none', 'trust']);
const DAY_MS = 86_400_000;

const round2 = (n: number) => Math.round(n * 100) / 100;

export function patternLabel(r: SpecRow): string {
  const port = r.port === null ? r.l4 : `${r.l4}/${r.port}`;
  const app = r.app.filter((a) => a !== 'unknown' && a !== 'icmp');
  return `${r.source_zone} → ${r.destination_asset} ${port}${app.length ? ` (${app.join(', ')})` : ''}`;
}

interface Acc {
  row: Omit<SpecRow, 'source_assets' | 'sources' | 'destination_addresses' | 'app' | 'encryption' | 'auth' | 'flows_per_day' | 'bytes_per_day'>;
  sources: Map<string, string>; // address → name
  dsts: Set<string>;
  app: Map<string, number>;
  encryption: Map<string, number>;
  auth: Map<string, number>;
}

const bump = (m: Map<string, number>, k: string | null | undefined, n: number) => {
  const key = k && k !== '' ? k : 'unknown';
  m.set(key, (m.get(key) ?? 0) + n);
};
const byCount = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])).map(([k]) => k);

/** The spec from crossing edges (asset level) over the window `extra.from`–`extra.to`. */
export function buildSpecModel(edges: readonly ObservedEdge[], extra: SpecExtra): SpecModel {
  const fromMs = Date.parse(extra.from);
  const toMs = Date.parse(extra.to);
  if (Number.isNaN(fromMs) || Number.isNaN(toMs) || toMs <= fromMs) throw new Error(`buildSpecModel: bad window ${extra.from} – ${extra.to}`);
  const days = (toMs - fromMs) / DAY_MS;
  const jwt = new Map<string, number>();
  for (const j of extra.jwt ?? []) {
    const k = `${canonicalAddress(j.dst)}|${j.dport}`;
    jwt.set(k, Math.max(jwt.get(k) ?? 0, j.max_lifetime_s));
  }

  const accs = new Map<string, Acc>();
  for (const e of edges) {
    if (!e.crossing) continue;
    const dst = canonicalAddress(e.dst);
    const src = canonicalAddress(e.src);
    const port = isIcmp(e.proto) ? null : e.dport;
    const key = [e.src_zone, e.dst_name ?? dst, e.dst_zone, e.proto, port ?? ''].join('\u0000');
    let a = accs.get(key);
    if (!a) {
      a = {
        row: {
          source_zone: e.src_zone,
          destination_asset: e.dst_name ?? dst,
          destination_zone: e.dst_zone,
          port,
          l4: e.proto,
          flows: 0,
          bytes: 0,
          first_seen: e.first_seen,
          last_seen: e.last_seen,
          crown_jewel: e.dst_jewel ?? e.src_jewel ?? null,
          into_crown_jewel: e.dst_jewel !== null && e.dst_jewel !== undefined,
          jwt_max_lifetime_s: null,
        },
        sources: new Map(),
        dsts: new Set(),
        app: new Map(),
        encryption: new Map(),
        auth: new Map(),
      };
      accs.set(key, a);
    }
    const r = a.row;
    r.flows += e.flows;
    r.bytes += e.bytes;
    if (e.first_seen < r.first_seen) r.first_seen = e.first_seen;
    if (e.last_seen > r.last_seen) r.last_seen = e.last_seen;
    if (!r.crown_jewel) r.crown_jewel = e.dst_jewel ?? e.src_jewel ?? null;
    if (!a.sources.has(src)) a.sources.set(src, e.src_name ?? src);
    a.dsts.add(dst);
    const life = port === null ? undefined : jwt.get(`${dst}|${port}`);
    if (life !== undefined && life > (r.jwt_max_lifetime_s ?? -1)) r.jwt_max_lifetime_s = life;
    bump(a.app, e.app, e.flows);
    bump(a.encryption, e.encryption, e.flows);
    bump(a.auth, e.auth, e.flows);
  }

  const rows: SpecRow[] = [...accs.values()].map((a) => ({
    ...a.row,
    source_assets: [...a.sources.entries()].sort((x, y) => compareAddressText(x[0], y[0])).map(([, n]) => n).filter((n, i, l) => l.indexOf(n) === i),
    sources: a.sources.size,
    destination_addresses: [...a.dsts].sort(compareAddressText),
    app: byCount(a.app),
    encryption: byCount(a.encryption),
    auth: byCount(a.auth),
    flows_per_day: round2(a.row.flows / days),
    bytes_per_day: Math.round(a.row.bytes / days),
  }));
  rows.sort(
    (a, b) =>
      b.bytes - a.bytes ||
      b.flows - a.flows ||
      cmp(a.source_zone, b.source_zone) ||
      cmp(a.destination_asset, b.destination_asset) ||
      compareAddressText(a.destination_addresses[0]!, b.destination_addresses[0]!) ||
      cmp(a.l4, b.l4) ||
      (a.port ?? -1) - (b.port ?? -1),
  );

  const ref = (i: number, note?: string): PatternRef => ({
    pattern: patternLabel(rows[i]!),
    row: i,
    flows_per_day: rows[i]!.flows_per_day,
    bytes_per_day: rows[i]!.bytes_per_day,
    ...(note ? { note } : {}),
  });
  const idx = rows.map((_, i) => i);
  // rows are bytes-first already; flows order needs its own sort (stable on the bytes order).
  const byFlows = [...idx].sort((a, b) => rows[b]!.flows - rows[a]!.flows);
  const busiest = (pred: (r: SpecRow) => boolean) => byFlows.filter((i) => pred(rows[i]!));

  const plaintext = (r: SpecRow) => !isIcmp(r.l4) && r.encryption.includes('none');
  const unauthenticated = (r: SpecRow) => !isIcmp(r.l4) && r.auth.some((x) => UNAUTHENTICATED.has(x));
  const weak = busiest((r) => r.into_crown_jewel && (plaintext(r) || unauthenticated(r))).map((i) => {
    const r = rows[i]!;
    return ref(i, [plaintext(r) ? 'plaintext' : '', unauthenticated(r) ? 'unauthenticated' : ''].filter(Boolean).join(', '));
  });

  const req = (id: Requirement['id'], requirement: string, pred: (r: SpecRow) => boolean): Requirement => {
    const hits = busiest(pred);
    return { id, requirement, needed: hits.length > 0, patterns: hits.length, evidence: hits.slice(0, TOP_N).map((i) => patternLabel(rows[i]!)) };
  };
  const requirements: Requirement[] = [
    req('udp', 'Handles UDP flows (metrics, DNS, syslog), not only TCP', (r) => r.l4 === 'udp'),
    req('non-http-tcp', 'Handles non-HTTP TCP protocols (databases, caches, SSH, raw TLS)', (r) => r.l4 === 'tcp' && r.app.some((a) => !HTTP_APPS.has(a))),
    req('mtls', 'Works with mutual TLS between services (client certificates)', (r) => r.auth.includes('mtls')),
    req('long-lived-tokens', 'Copes with bearer tokens (JWT) valid for more than 24 h', (r) => (r.jwt_max_lifetime_s ?? 0) > LONG_LIVED_TOKEN_S),
    req('plaintext', 'Handles plaintext (unencrypted) protocols', plaintext),
    req('icmp', 'Handles ICMP / ICMPv6 (ping, health checks)', (r) => isIcmp(r.l4)),
    req('ipv6', 'Handles IPv6', (r) => r.destination_addresses.some((d) => parseAddress(d)?.v === 6)),
  ];

  const agents = [...(extra.agents ?? [])].sort((a, b) => cmp(a.agent, b.agent));
  const dropped = agents.some((a) => a.packets_dropped !== null) ? agents.reduce((n, a) => n + (a.packets_dropped ?? 0), 0) : null;
  const oneDay = days > 1 ? busiest((r) => r.first_seen.slice(0, 10) === r.last_seen.slice(0, 10)).map((i) => ref(i, `seen ${rows[i]!.first_seen.slice(0, 10)}`)) : [];

  return {
    from: extra.from,
    to: extra.to,
    generated: extra.generated,
    window_days: round2(days),
    rows,
    summary: {
      top_by_flows: byFlows.slice(0, TOP_N).map((i) => ref(i)),
      top_by_bytes: idx.slice(0, TOP_N).map((i) => ref(i)),
      udp: busiest((r) => r.l4 === 'udp').map((i) => ref(i)),
      weak_into_jewels: weak,
      requirements,
    },
    completeness: {
      window_hours: round2(days * 24),
      agents,
      hours_watched: round2(agents.reduce((n, a) => n + a.hours_watched, 0)),
      gap_count: agents.reduce((n, a) => n + a.gaps.length, 0),
      sampling: [...new Set(agents.map((a) => a.sampling))].sort((a, b) => a - b),
      packets_dropped: dropped,
      one_day_patterns: oneDay,
    },
  };
}
