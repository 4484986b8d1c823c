// What the exports need from the store and the intent, handed to the pure functions of server/export:
// the boundary-crossing edges of a range, each agent's coverage, bearer-JWT lifetimes, the addresses
// of every jewel and zone, and the intent's rules. Routes call one method each (docs/exports.md,
// docs/api.md "Exports"). Every value reaches SQL as a `{name:Type}` parameter.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import {
  buildSpecModel,
  generateRules,
  hygiene,
  hygieneInputs,
  simulate,
  sizing,
  targetsFromEdges,
  type AgentCoverage,
  type HygieneFinding,
  type JwtObservation,
  type ObservedEdge,
  type SimulationResult,
  type Sizing,
  type SpecModel,
  type Targets,
} from '../export/index.js';
import {
  IntentError,
  INTERNET_ZONE,
  jewelPrefixes,
  parseIntent,
  UNASSIGNED_ZONE,
  zonePrefixes,
  type AllowRule,
  type Intent,
  type IntentIssue,
} from '../intent/index.js';
import { positionOf } from '../intent/intent-file.js';
import { formatPath, MAX_ISSUES, validateIntent, type RawIssue } from '../intent/validate.js';
import type { Store } from '../store/index.js';
import type { AnalysisRepository, TimeRange } from './analysis-repository.js';
import { displayIp } from './addresses.js';
import { zoneOf, type IntentLookup } from './intent-lookup.js';
import { chTimeToIso } from './stats-repository.js';

declare module 'fastify' {
  interface FastifyInstance {
    exportRepository: ExportRepository;
  }
}

/** Rules around one crown jewel, one zone, or (neither) everything. */
export interface Scope {
  jewel?: string;
  zone?: string;
}

/**
 * Crossing edges one export reads at most. A week of a 500-host company is a few tens of thousands of
 * asset-level edges; past this the caller is told to narrow the range (or the scope).
 */
export const MAX_EXPORT_EDGES = 250_000;

/** The range holds more edges than an export reads: a 400 with what to do. */
export class TooManyEdgesError extends Error {
  override name = 'TooManyEdgesError';
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** DateTime64 parameters are UTC wall-clock text. */
const chTime = (d: Date) => d.toISOString().replace('Z', '');

type Num = string | number;

/** Per agent: when it saw flows in range, which zones/VLANs, which hours, the sampling used. */
const COVERAGE = `
SELECT agent,
       min(start) AS first_seen, max(end) AS last_seen,
       groupUniqArray(toStartOfHour(start)) AS hours,
       max(sampling) AS sampling,
       groupUniqArrayIf(64)(vlan, vlan != 0) AS vlans,
       groupUniqArrayArray(64)([${zoneOf('src')}, ${zoneOf('dst')}]) AS zones
FROM flows
WHERE start >= {from:DateTime64(6, 'UTC')} AND start <= {to:DateTime64(6, 'UTC')}
GROUP BY agent
ORDER BY agent`;

/** The latest cumulative packet/drop counters each agent reported (since it started). */
const AGENT_COUNTERS = `
SELECT agent,
       argMaxIf(agent_packets, received_at, agent_packets IS NOT NULL) AS packets,
       argMaxIf(agent_dropped, received_at, agent_dropped IS NOT NULL) AS dropped,
       countIf(agent_packets IS NOT NULL) AS with_stats
FROM ingest_batches FINAL
WHERE agent IN {agents:Array(String)}
GROUP BY agent`;

const JWT = `
SELECT IPv6NumToString(dst) AS dst, dport, max(jwt_lifetime_s) AS max_lifetime_s
FROM flows
WHERE start >= {from:DateTime64(6, 'UTC')} AND start <= {to:DateTime64(6, 'UTC')} AND jwt_lifetime_s IS NOT NULL
GROUP BY dst, dport
ORDER BY dst, dport`;

const IPS_FOR_NAMES = `
SELECT name, groupUniqArray(1000)(IPv6NumToString(ip)) AS ips FROM names WHERE name IN {names:Array(String)} GROUP BY name`;

// ---------- names the intent file accepts ----------

/** intent/schema.ts EndpointSchema: what an endpoint name may hold, and how it must end. */
const ENDPOINT_NAME_MAX = 100;
const ENDPOINT_BAD_CHARS = /[^A-Za-z0-9_.:/@+ -]+/g;

/**
 * A generated endpoint name the intent YAML accepts. generateRules names groups like a person would
 * (`web-1, web-2`, `prod (4 hosts)`), but the YAML's endpoint names allow no `,` or `()`: the list
 * becomes `web-1 + web-2` and the count `prod: 4 hosts`; any other character outside the schema (a
 * name seen on the wire may hold anything) becomes `-`. Applied to every generated rule, so a rule
 * exported directly and the same rule saved to the YAML are identical.
 */
export function storableName(name: string): string {
  const t = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // é → e
    .replace(/\s*,\s*/g, ' + ')
    .replace(/\s*\((\d+) hosts\)$/, ': $1 hosts')
    .replace(ENDPOINT_BAD_CHARS, '-')
    .replace(/\s+/g, ' ')
    .slice(0, ENDPOINT_NAME_MAX)
    .replace(/^[^A-Za-z0-9_:]+/, '')
    .replace(/[ ]+$/, '');
  return t === '' ? 'unnamed' : t;
}

const storable = (r: AllowRule): AllowRule => ({ ...r, src: { ...r.src, name: storableName(r.src.name) }, dst: { ...r.dst, name: storableName(r.dst.name) } });

// ---------- policy files ----------

/**
 * The rules of an uploaded policy (YAML). A whole intent file is validated as it is; a file with rules
 * but no `zones`/`crown_jewels` of its own (a policy kept next to the server's intent) is validated
 * against the server's zones and jewels, so `protects: {jewel: vault}` may name a jewel declared there.
 * Throws IntentError whose issues carry the policy's line and column.
 */
export function parsePolicy(text: string, base: Intent, file: string | null = null): AllowRule[] {
  const parsed = parseIntent(text, { file: file ?? 'policy' });
  const reFile = (e: IntentError) => new IntentError(file, e.issues, e.truncated);
  if (parsed.error === null) return parsed.intent!.rules;
  // YAML syntax errors, or a file with its own zones/jewels (or not a mapping): its own errors stand.
  let value: unknown = null;
  if (parsed.doc.errors.length === 0 && parsed.doc.warnings.length === 0) {
    try {
      value = parsed.doc.toJS({ maxAliasCount: 100 });
    } catch {
      value = null; // parseIntent reported it
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || 'zones' in value || 'crown_jewels' in value) throw reFile(parsed.error);
  const merged = { ...(value as Record<string, unknown>), zones: base.zones, crown_jewels: base.crown_jewels, inventory: base.inventory };
  const locate = (path: readonly (string | number)[], atKey = false) => positionOf(parsed.doc, parsed.lineCounter, path, atKey);
  const result = validateIntent(merged, (path) => {
    const pos = locate(path);
    return pos === null ? formatPath(path) : `line ${pos.line}`;
  });
  if (result.intent !== null) return result.intent.rules;
  const issues: IntentIssue[] = result.issues
    .slice(0, MAX_ISSUES)
    .map((raw: RawIssue) => ({ path: formatPath(raw.path), ...(locate(raw.path, raw.atKey) ?? {}), message: raw.message }))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  throw new IntentError(file, issues, result.issues.length > MAX_ISSUES);
}

/** Rules from a request body, checked like the YAML's (CIDRs, ports, dates, jewels and zones that exist). */
export function checkRules(rules: readonly AllowRule[], base: Intent): AllowRule[] {
  const result = validateIntent({ zones: base.zones, crown_jewels: base.crown_jewels, inventory: base.inventory, rules }, (path) => formatPath(path));
  if (result.intent !== null) return result.intent.rules;
  const issues = result.issues.slice(0, MAX_ISSUES).map((raw) => ({ path: `body.${formatPath(raw.path)}`, message: raw.message }));
  throw new IntentError(null, issues, result.issues.length > MAX_ISSUES);
}

// ---------- the repository ----------

export interface ExportDeps {
  store: Store;
  lookup: IntentLookup;
  analysis: AnalysisRepository;
  /** The current intent (the YAML as last read). */
  intent: () => Intent;
}

export interface GenerateRequest {
  owner: string;
  reason?: string;
  expires?: string;
  aggregate?: 'cidr';
  now: Date;
}

/** What is wrong with a scope (both given, or naming nothing declared), or null when it is fine. */
export function scopeProblem(intent: Intent, scope: Scope): { status: 400 | 404; message: string } | null {
  if (scope.jewel !== undefined && scope.zone !== undefined) return { status: 400, message: 'pass jewel or zone, not both' };
  if (scope.jewel !== undefined && !intent.crown_jewels.some((j) => j.name === scope.jewel)) {
    const names = intent.crown_jewels.map((j) => j.name);
    return { status: 404, message: `no crown jewel named ${JSON.stringify(scope.jewel)} in the intent file${names.length ? ` (there are: ${names.slice(0, 20).join(', ')})` : ' (it declares none)'}` };
  }
  if (scope.zone !== undefined && scope.zone !== INTERNET_ZONE && scope.zone !== UNASSIGNED_ZONE && !intent.zones.some((z) => z.name === scope.zone)) {
    const names = [...intent.zones.map((z) => z.name), INTERNET_ZONE, UNASSIGNED_ZONE];
    return { status: 404, message: `no zone named ${JSON.stringify(scope.zone)} in the intent file (there are: ${names.slice(0, 20).join(', ')})` };
  }
  return null;
}

/** The intent's rules that protect this scope (all of them for no scope). */
export function rulesInScope(rules: readonly AllowRule[], scope: Scope): AllowRule[] {
  if (scope.jewel !== undefined) return rules.filter((r) => r.protects.jewel === scope.jewel);
  if (scope.zone !== undefined) return rules.filter((r) => r.protects.jewel === undefined && r.protects.zone === scope.zone);
  return [...rules];
}

/** `2026-11-27` */
export const dateOf = (d: Date) => d.toISOString().slice(0, 10);

export function createExportRepository({ store, lookup, analysis, intent }: ExportDeps) {
  /** Every boundary-crossing asset-level edge in range (of the scope: either end in the jewel/zone). */
  async function crossingEdges(range: TimeRange, scope: Scope = {}): Promise<ObservedEdge[]> {
    const { total, edges } = await analysis.edges(range, { crossing: true, jewel: scope.jewel, zone: scope.zone }, { limit: MAX_EXPORT_EDGES, offset: 0 }, 'asset');
    if (total > MAX_EXPORT_EDGES)
      throw new TooManyEdgesError(`the range holds ${total} boundary-crossing edges, more than the ${MAX_EXPORT_EDGES} an export reads: narrow the range (from/to) or the scope`);
    return edges;
  }

  /** Each protected target's addresses: the intent's jewels (names resolved as the map does) and zones, plus what the edges label. */
  async function targets(edges: readonly ObservedEdge[] = []): Promise<Targets> {
    const i = intent();
    const names = new Set<string>();
    for (const j of i.crown_jewels) for (const m of j.match) if (!/^[0-9a-fA-F.:]+(\/\d+)?$/.test(m)) names.add(m.toLowerCase());
    const resolved = new Map<string, string[]>();
    if (names.size > 0) {
      const rows = await store.query<{ name: string; ips: string[] }>(IPS_FOR_NAMES, { names: [...names] });
      for (const r of rows) resolved.set(r.name, r.ips);
    }
    const jewels: Record<string, Set<string>> = {};
    const zones: Record<string, Set<string>> = {};
    const add = (m: Record<string, Set<string>>, k: string, v: string) => (m[k] ??= new Set()).add(v);
    for (const p of jewelPrefixes(i, (n) => resolved.get(n.toLowerCase()) ?? [])) add(jewels, p.jewel, p.prefix);
    for (const p of zonePrefixes(i)) add(zones, p.zone, p.prefix);
    const fromEdges = targetsFromEdges(edges);
    for (const [k, v] of Object.entries(fromEdges.jewels)) for (const a of v) add(jewels, k, a);
    for (const [k, v] of Object.entries(fromEdges.zones)) for (const a of v) add(zones, k, a);
    const obj = (m: Record<string, Set<string>>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, [...v].sort()]));
    return { jewels: obj(jewels), zones: obj(zones) };
  }

  /** Which agents watched what, for how long, with which sampling and losses, over the range. */
  async function coverage(range: TimeRange): Promise<AgentCoverage[]> {
    await lookup.ensure();
    const rows = await store.query<{
      agent: string; first_seen: string; last_seen: string; hours: string[]; sampling: Num; vlans: Num[]; zones: string[];
    }>(COVERAGE, { from: chTime(range.from), to: chTime(range.to) });
    if (rows.length === 0) return [];
    const counters = await store.query<{ agent: string; packets: Num | null; dropped: Num | null; with_stats: Num }>(AGENT_COUNTERS, {
      agents: rows.map((r) => r.agent),
    });
    const byAgent = new Map(counters.map((c) => [c.agent, c]));
    return rows.map((r) => {
      const hours = r.hours.map((h) => Date.parse(chTimeToIso(h))).sort((a, b) => a - b);
      const gaps: { from: string; to: string }[] = [];
      for (let k = 1; k < hours.length; k++) {
        if (hours[k]! - hours[k - 1]! > HOUR_MS) gaps.push({ from: new Date(hours[k - 1]! + HOUR_MS).toISOString(), to: new Date(hours[k]!).toISOString() });
      }
      const c = byAgent.get(r.agent);
      const withStats = c !== undefined && Number(c.with_stats) > 0;
      return {
        agent: r.agent,
        segments: [
          ...[...new Set(r.zones)].sort().map((z) => `zone ${z}`),
          ...r.vlans.map(Number).sort((a, b) => a - b).map((v) => `vlan ${v}`),
        ],
        first_seen: chTimeToIso(r.first_seen),
        last_seen: chTimeToIso(r.last_seen),
        hours_watched: hours.length,
        gaps,
        sampling: Math.max(1, Number(r.sampling)),
        packets: withStats && c.packets !== null ? Number(c.packets) : null,
        packets_dropped: withStats && c.dropped !== null ? Number(c.dropped) : null,
      };
    });
  }

  async function jwtLifetimes(range: TimeRange): Promise<JwtObservation[]> {
    const rows = await store.query<{ dst: string; dport: Num; max_lifetime_s: Num }>(JWT, { from: chTime(range.from), to: chTime(range.to) });
    return rows.map((r) => ({ dst: displayIp(r.dst), dport: Number(r.dport), max_lifetime_s: Number(r.max_lifetime_s) }));
  }

  return {
    crossingEdges,
    targets,
    coverage,

    /** The procurement spec of the range. */
    async spec(range: TimeRange, now: Date): Promise<SpecModel> {
      const [edges, agents, jwt] = await Promise.all([crossingEdges(range), coverage(range), jwtLifetimes(range)]);
      return buildSpecModel(edges, { from: range.from.toISOString(), to: range.to.toISOString(), generated: now.toISOString(), agents, jwt });
    },

    /** The tightest rules admitting the scope's observed crossing edges, with names the YAML accepts. */
    async generate(range: TimeRange, scope: Scope, g: GenerateRequest): Promise<{ rules: AllowRule[]; sizing: Sizing; edges: ObservedEdge[] }> {
      const edges = await crossingEdges(range, scope);
      const rules = generateRules(edges, {
        ...scope,
        owner: g.owner,
        reason: g.reason,
        created: dateOf(g.now),
        expires: g.expires,
        aggregate: g.aggregate ?? false,
      }).map(storable);
      return { rules, sizing: sizing(rules), edges };
    },

    /** Replays the range's crossing edges against `rules`. */
    async simulate(rules: readonly AllowRule[], range: TimeRange, now: Date): Promise<SimulationResult> {
      const edges = await crossingEdges(range);
      return simulate(rules, edges, { now: now.toISOString() });
    },

    /** The hygiene report of the intent's rules over the last `days` days. */
    async hygiene(days: number, now: Date): Promise<{ from: string; to: string; rules: number; findings: HygieneFinding[]; usage: SimulationResult['usage'] }> {
      const rules = intent().rules;
      const range = { from: new Date(now.getTime() - days * DAY_MS), to: now };
      const edges = await crossingEdges(range);
      const sim = simulate(rules, edges, { now: now.toISOString() });
      const { usage, hosts } = hygieneInputs(sim);
      const findings = hygiene(rules, usage, { now: now.toISOString(), staleDays: days, hosts });
      return { from: range.from.toISOString(), to: range.to.toISOString(), rules: rules.length, findings, usage: sim.usage };
    },
  };
}

export type ExportRepository = ReturnType<typeof createExportRepository>;

const exportRepository = fp(
  async (fastify: FastifyInstance) => {
    fastify.decorate(
      'exportRepository',
      createExportRepository({
        store: fastify.store,
        lookup: fastify.intentLookup,
        analysis: fastify.analysisRepository,
        intent: () => fastify.intent.current().intent,
      }),
    );
  },
  { name: 'export-repository', dependencies: ['store', 'intent', 'intent-lookup', 'analysis-repository'] },
);

export default exportRepository;

/**
 * Registers the repository in `fastify` unless it is already there (app.ts registers it once for the
 * app); the export, rules and simulate routes call this so they work either way.
 */
export async function ensureExportRepository(fastify: FastifyInstance): Promise<void> {
  if (!fastify.hasDecorator('exportRepository')) await fastify.register(exportRepository);
}
