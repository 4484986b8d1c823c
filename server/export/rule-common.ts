// What every renderer, the simulator and the hygiene report share about one AllowRule: its parsed
// addresses and ports, when it expires, what it protects, and which way it points (inbound to the
// protected jewel/zone, or outbound from it).
import type { AllowRule } from '../intent/model.js';
import type { ObservedEdge } from './edge.js';
import { coveredBy, parsePrefix, type ParsedPrefix, type Prefix } from './cidr.js';

/** Something a format cannot express, or an input it had to adjust. Never silent. */
export interface ExportWarning {
  /** Rule id, when the warning is about one rule. */
  rule?: string;
  /** Stable machine-readable kind, e.g. `icmp-not-expressible`, `family-mismatch`. */
  code: string;
  message: string;
}

/** A rendered allow-list: the text (or file) and what the format could not express. */
export interface Rendered {
  text: string;
  warnings: ExportWarning[];
}

export type Direction = 'inbound' | 'outbound';

/**
 * The addresses of each protected jewel and zone (IPs or CIDRs), to tell inbound from outbound rules.
 * From the store: a jewel's `addresses` (GET /api/v1/jewels/:name/surface), a zone's `cidrs` (intent);
 * or `targetsFromEdges` over the edges the rules were generated from.
 */
export interface Targets {
  jewels: Record<string, string[]>;
  zones: Record<string, string[]>;
}

/** The addresses the edges label with each jewel and zone (either end). */
export function targetsFromEdges(edges: readonly ObservedEdge[]): Targets {
  const jewels = new Map<string, Set<string>>();
  const zones = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, k: string | null, ip: string) => {
    if (!k) return;
    let s = m.get(k);
    if (!s) m.set(k, (s = new Set()));
    s.add(ip);
  };
  for (const e of edges) {
    add(jewels, e.src_jewel, e.src);
    add(jewels, e.dst_jewel, e.dst);
    add(zones, e.src_zone, e.src);
    add(zones, e.dst_zone, e.dst);
  }
  const obj = (m: Map<string, Set<string>>) =>
    Object.fromEntries([...m.keys()].sort().map((k) => [k, [...m.get(k)!].sort()]));
  return { jewels: obj(jewels), zones: obj(zones) };
}

/** `jewel:customer-db`, `zone:data`, or `all` when a rule names neither. */
export function protectsKey(rule: Pick<AllowRule, 'protects'>): string {
  if (rule.protects.jewel) return `jewel:${rule.protects.jewel}`;
  if (rule.protects.zone) return `zone:${rule.protects.zone}`;
  return 'all';
}

export function protectsName(rule: Pick<AllowRule, 'protects'>): string {
  return rule.protects.jewel ?? rule.protects.zone ?? 'all';
}

/** `5432`, `8000-9000`, or `` (ICMP, or any port). */
export function portText(rule: AllowRule): string {
  const p = rule.dport;
  if (p === undefined) return '';
  if (typeof p === 'number') return String(p);
  return p.from === p.to ? String(p.from) : `${p.from}-${p.to}`;
}

export function portRange(rule: AllowRule): { from: number; to: number } | null {
  const p = rule.dport;
  if (p === undefined) return null;
  return typeof p === 'number' ? { from: p, to: p } : { from: p.from, to: p.to };
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The instant a rule stops admitting traffic, in ms since the epoch; null when it has no (parseable)
 * `expires`. A date without a time (`2026-12-01`) is valid through that whole day (UTC).
 */
export function expiryInstant(rule: AllowRule): number | null {
  if (!rule.expires) return null;
  const t = DATE_ONLY.test(rule.expires) ? Date.parse(`${rule.expires}T00:00:00Z`) + 86_400_000 : Date.parse(rule.expires);
  return Number.isNaN(t) ? null : t;
}

export function isExpired(rule: AllowRule, now: string | Date | undefined): boolean {
  if (now === undefined) return false;
  const exp = expiryInstant(rule);
  const n = typeof now === 'string' ? Date.parse(now) : now.getTime();
  return exp !== null && !Number.isNaN(n) && n >= exp;
}

export interface CompiledRule {
  rule: AllowRule;
  src: Prefix[];
  dst: Prefix[];
  ports: { from: number; to: number } | null;
  /** CIDR texts that are not addresses, and texts with host bits set (cleared here). */
  invalid: string[];
  hostBits: string[];
}

function compileEndpoint(cidrs: readonly string[], invalid: string[], hostBits: string[]): Prefix[] {
  const out: Prefix[] = [];
  for (const c of cidrs) {
    const p: ParsedPrefix | null = parsePrefix(c);
    if (!p) invalid.push(c);
    else {
      if (p.hostBits) hostBits.push(c);
      out.push({ v: p.v, net: p.net, len: p.len });
    }
  }
  return out;
}

export function compileRule(rule: AllowRule): CompiledRule {
  const invalid: string[] = [];
  const hostBits: string[] = [];
  const src = compileEndpoint(rule.src.cidrs, invalid, hostBits);
  const dst = compileEndpoint(rule.dst.cidrs, invalid, hostBits);
  return { rule, src, dst, ports: portRange(rule), invalid, hostBits };
}

/** Warnings every renderer repeats for a rule's input problems. */
export function inputWarnings(c: CompiledRule): ExportWarning[] {
  const w: ExportWarning[] = [];
  const id = c.rule.id;
  for (const t of c.invalid) w.push({ rule: id, code: 'invalid-address', message: `rule ${id}: "${t}" is not an IP address or CIDR; left out` });
  for (const t of c.hostBits) w.push({ rule: id, code: 'host-bits', message: `rule ${id}: "${t}" has host bits set; used as its network` });
  const wantV = c.rule.proto === 'icmp' ? 4 : c.rule.proto === 'icmp6' ? 6 : null;
  if (wantV !== null && [...c.src, ...c.dst].some((p) => p.v !== wantV))
    w.push({ rule: id, code: 'family-mismatch', message: `rule ${id}: ${c.rule.proto} only exists over IPv${wantV}; its IPv${wantV === 4 ? 6 : 4} addresses admit nothing` });
  if ((c.rule.proto === 'tcp' || c.rule.proto === 'udp') && c.ports === null)
    w.push({ rule: id, code: 'any-port', message: `rule ${id}: ${c.rule.proto} without a port admits every port` });
  return w;
}

/**
 * Which way a rule points, judged by its protected target's addresses: `inbound` when every
 * destination is inside the target (this wins when both ends are, e.g. a jewel's replicas in two zones),
 * `outbound` when every source is, else null (the caller warns and treats the rule as inbound).
 * A rule protecting nothing (`protects: {}`) is inbound.
 */
export function ruleDirection(c: CompiledRule, targets: Targets): Direction | null {
  const { jewel, zone } = c.rule.protects;
  const texts = jewel !== undefined ? targets.jewels[jewel] : zone !== undefined ? targets.zones[zone] : undefined;
  if (jewel === undefined && zone === undefined) return 'inbound';
  if (!texts) return null;
  const t: Prefix[] = [];
  for (const s of texts) {
    const p = parsePrefix(s);
    if (p) t.push(p);
  }
  const inside = (ps: Prefix[]) => ps.length > 0 && ps.every((p) => coveredBy(p, t));
  if (inside(c.dst)) return 'inbound';
  if (inside(c.src)) return 'outbound';
  return null;
}

/** Direction of every rule, with a warning for each one whose direction could not be told. */
export function directions(rules: readonly CompiledRule[], targets: Targets, warnings: ExportWarning[]): Map<string, Direction> {
  const out = new Map<string, Direction>();
  for (const c of rules) {
    const d = ruleDirection(c, targets);
    if (d === null)
      warnings.push({
        rule: c.rule.id,
        code: 'direction-unknown',
        message: `rule ${c.rule.id}: neither its sources nor its destinations are inside ${protectsKey(c.rule)}'s known addresses; treated as inbound`,
      });
    out.set(c.rule.id, d ?? 'inbound');
  }
  return out;
}

/** Rules that are not expired at `now` (all of them without `now`), with a warning per expired one. */
export function activeRules(rules: readonly AllowRule[], now: string | undefined, warnings: ExportWarning[]): AllowRule[] {
  return rules.filter((r) => {
    if (!isExpired(r, now)) return true;
    warnings.push({ rule: r.id, code: 'expired', message: `rule ${r.id} expired (${r.expires}); left out` });
    return false;
  });
}

export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every rule id once; a renderer refuses duplicates (they would make comments and sets ambiguous). */
export function assertUniqueIds(rules: readonly AllowRule[]): void {
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.id)) throw new Error(`duplicate rule id "${r.id}"`);
    seen.add(r.id);
  }
}

/**
 * True when a policy that applies to every destination host at once (a pod selector, a security
 * group) admits more than these rules do: some rule's destinations are fewer than all the rules'
 * destinations of the same address family (families of its sources only: a flow never mixes them).
 */
export function widensDestinations(rules: readonly CompiledRule[]): boolean {
  const key = (ps: readonly { v: 4 | 6; net: bigint; len: number }[], v: 4 | 6) =>
    [...new Set(ps.filter((p) => p.v === v).map((p) => `${p.net}/${p.len}`))].sort().join(',');
  for (const v of [4, 6] as const) {
    const all = key(rules.flatMap((c) => c.dst), v);
    for (const c of rules) if (c.src.some((p) => p.v === v) && key(c.dst, v) !== all) return true;
  }
  return false;
}
