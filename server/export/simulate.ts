// Policy simulation: replay observed edges (or raw flow records) against a rule set and list what the
// rules would deny, before anyone flips default-deny.
//
// NOTE: scope. A rule set protects targets: the jewels and zones its rules name in `protects` (a rule
// with neither protects everything). Only boundary-crossing traffic that touches a protected target
// can be denied by it:
//   - with zone/jewel labels (edges): `crossing` (src_zone ≠ dst_zone, or the ends' jewels differ) and
//     dst_jewel/src_jewel is a protected jewel or dst_zone/src_zone a protected zone — inbound when the
//     destination is the target, outbound (egress) when the source is;
//   - without labels (raw flows): `opts.targets` gives each target's addresses, and a flow is in scope
//     when exactly one of its ends is inside a protected target.
// Everything else is `out_of_scope`: neither admitted nor denied by these rules.
// A flow is admitted when some rule that is not expired at `now` matches all of: proto, port (ICMP
// rules have none; a tcp/udp rule without a port admits every port), src in the rule's source CIDRs,
// dst in its destination CIDRs. Every matching rule is credited in `by_rule` / `usage`.
import type { AllowRule } from '../intent/model.js';
import type { ObservedFlow } from './edge.js';
import { isIcmp } from './edge.js';
import { formatAddress, parseAddress, parsePrefix, prefixContains, type Address, type Prefix } from './cidr.js';
import { cmp, compileRule, isExpired, type CompiledRule, type Targets } from './rule-common.js';

export interface SimulateOptions {
  /** Rules whose `expires` is at or before `now` admit nothing. Without `now`, expiry is not checked. */
  now?: string;
  /** Each protected target's addresses: needed only for flows without zone/jewel labels. */
  targets?: Targets;
}

export interface DeniedGroup {
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

export interface RuleUsage {
  flows: number;
  bytes: number;
  /** Latest `last_seen` (edges) / `end` (flows) among what it matched; null when nothing matched. */
  last_matched: string | null;
  /** Distinct source / destination addresses it matched (to judge a broad prefix). */
  src_hosts: number;
  dst_hosts: number;
}

export interface SimulationResult {
  /** Flows in scope that some rule admits. */
  admitted: number;
  /** Flows in scope that no rule admits (the sum of `denied[].flows`). */
  denied_flows: number;
  /** Flows these rules do not govern (see scope above). */
  out_of_scope: number;
  /** Grouped by (src, dst, dport, proto, app), most flows first. */
  denied: DeniedGroup[];
  /** Rule id → flows it matched (every rule of the set, 0 when unused). */
  by_rule: Record<string, number>;
  usage: Record<string, RuleUsage>;
}

interface Compiled extends CompiledRule {
  expired: boolean;
}

function portMatches(c: CompiledRule, proto: string, dport: number): boolean {
  if (isIcmp(proto)) return true;
  return c.ports === null || (dport >= c.ports.from && dport <= c.ports.to);
}

const inAny = (ps: readonly Prefix[], a: Address) => ps.some((p) => prefixContains(p, a));

function matches(c: CompiledRule, proto: string, dport: number, src: Address, dst: Address): boolean {
  return c.rule.proto === proto && portMatches(c, proto, dport) && inAny(c.src, src) && inAny(c.dst, dst);
}

function describePorts(cs: readonly CompiledRule[]): string {
  const ps = [...new Set(cs.map((c) => (c.ports === null ? 'any' : c.ports.from === c.ports.to ? `${c.ports.from}` : `${c.ports.from}-${c.ports.to}`)))];
  return ps.sort().join(', ');
}

const ids = (cs: readonly CompiledRule[]) => cs.map((c) => c.rule.id).join(', ');

/** The nearest miss, in words. */
function denialReason(rules: readonly Compiled[], proto: string, dport: number, src: Address, dst: Address, dstLabel: string, srcLabel: string): string {
  const expired = rules.filter((c) => c.expired && matches(c, proto, dport, src, dst));
  if (expired.length) return `only expired rule(s) admit it: ${ids(expired)}`;
  const live = rules.filter((c) => !c.expired && c.rule.proto === proto);
  const toDst = live.filter((c) => inAny(c.dst, dst));
  const portDesc = isIcmp(proto) ? proto : `${proto}/${dport}`;
  if (toDst.length === 0) {
    const fromSrc = live.filter((c) => inAny(c.src, src) && portMatches(c, proto, dport));
    if (fromSrc.length) return `destination ${dstLabel} is not in the destinations of ${ids(fromSrc)}`;
    return `no ${proto} rule admits traffic to ${dstLabel}`;
  }
  const portOk = toDst.filter((c) => portMatches(c, proto, dport));
  if (portOk.length === 0) return `${portDesc} to ${dstLabel} is not admitted (rules to it admit ${proto} ${describePorts(toDst)})`;
  return `source ${srcLabel} is not in the sources of ${ids(portOk)} (${portDesc} to ${dstLabel})`;
}

interface ScopeFn {
  (item: ObservedFlow, src: Address, dst: Address): boolean;
}

function scopeFor(rules: readonly AllowRule[], targets: Targets | undefined): ScopeFn {
  const jewels = new Set<string>();
  const zones = new Set<string>();
  let all = false;
  for (const r of rules) {
    if (r.protects.jewel !== undefined) jewels.add(r.protects.jewel);
    else if (r.protects.zone !== undefined) zones.add(r.protects.zone);
    else all = true;
  }
  const targetPrefixes: Prefix[][] = [];
  if (targets) {
    const add = (texts: string[] | undefined) => {
      const ps: Prefix[] = [];
      for (const t of texts ?? []) {
        const p = parsePrefix(t);
        if (p) ps.push(p);
      }
      targetPrefixes.push(ps);
    };
    for (const j of jewels) add(targets.jewels[j]);
    for (const z of zones) add(targets.zones[z]);
  }
  return (item, src, dst) => {
    if (item.src_zone !== undefined && item.dst_zone !== undefined) {
      const sj = item.src_jewel ?? null;
      const dj = item.dst_jewel ?? null;
      const crossing = item.crossing ?? (item.src_zone !== item.dst_zone || sj !== dj);
      if (!crossing) return false;
      return all || (dj !== null && jewels.has(dj)) || (sj !== null && jewels.has(sj)) || zones.has(item.dst_zone) || zones.has(item.src_zone);
    }
    if (!targets) throw new Error('simulate: flows without zone/jewel labels need opts.targets');
    if (all) return true;
    return targetPrefixes.some((ps) => inAny(ps, src) !== inAny(ps, dst));
  };
}

/** Replay `items` against `rules`: what would be admitted, what denied (and why), which rules were used. */
export function simulate(rules: readonly AllowRule[], items: readonly ObservedFlow[], opts: SimulateOptions = {}): SimulationResult {
  const compiled: Compiled[] = rules.map((r) => ({ ...compileRule(r), expired: isExpired(r, opts.now) }));
  const inScope = scopeFor(rules, opts.targets);
  const addrCache = new Map<string, Address>();
  const addr = (s: string): Address => {
    let a = addrCache.get(s);
    if (!a) {
      const p = parseAddress(s);
      if (!p) throw new Error(`simulate: "${s}" is not an IP address (simulation needs asset-level edges or flows)`);
      addrCache.set(s, (a = p));
    }
    return a;
  };
  const byRule: Record<string, number> = {};
  const use = new Map<string, { flows: number; bytes: number; last: string | null; srcs: Set<string>; dsts: Set<string> }>();
  for (const c of compiled) {
    byRule[c.rule.id] = 0;
    use.set(c.rule.id, { flows: 0, bytes: 0, last: null, srcs: new Set(), dsts: new Set() });
  }
  const denied = new Map<string, DeniedGroup>();
  let admitted = 0;
  let deniedFlows = 0;
  let outOfScope = 0;

  for (const item of items) {
    const src = addr(item.src);
    const dst = addr(item.dst);
    const flows = item.flows ?? 1;
    const bytes = item.bytes ?? (item.orig_ip_bytes ?? 0) + (item.resp_ip_bytes ?? 0);
    if (!inScope(item, src, dst)) {
      outOfScope += flows;
      continue;
    }
    let ok = false;
    const seen = item.last_seen ?? item.end ?? null;
    for (const c of compiled) {
      if (c.expired || !matches(c, item.proto, item.dport, src, dst)) continue;
      ok = true;
      byRule[c.rule.id]! += flows;
      const u = use.get(c.rule.id)!;
      u.flows += flows;
      u.bytes += bytes;
      if (seen !== null && (u.last === null || seen > u.last)) u.last = seen;
      u.srcs.add(formatAddress(src.v, src.addr));
      u.dsts.add(formatAddress(dst.v, dst.addr));
    }
    if (ok) {
      admitted += flows;
      continue;
    }
    deniedFlows += flows;
    const srcText = formatAddress(src.v, src.addr);
    const dstText = formatAddress(dst.v, dst.addr);
    const app = item.app ?? null;
    const key = [srcText, dstText, item.dport, item.proto, app ?? ''].join('\u0000');
    let g = denied.get(key);
    if (!g) {
      const srcName = item.src_name ?? null;
      const dstName = item.dst_name ?? null;
      g = {
        src: srcText,
        src_name: srcName,
        dst: dstText,
        dst_name: dstName,
        dport: item.dport,
        proto: item.proto,
        app,
        flows: 0,
        bytes: 0,
        reason: denialReason(compiled, item.proto, item.dport, src, dst, dstName ? `${dstName} (${dstText})` : dstText, srcName ? `${srcName} (${srcText})` : srcText),
      };
      denied.set(key, g);
    }
    g.flows += flows;
    g.bytes += bytes;
  }

  const usage: Record<string, RuleUsage> = {};
  for (const [id, u] of use) usage[id] = { flows: u.flows, bytes: u.bytes, last_matched: u.last, src_hosts: u.srcs.size, dst_hosts: u.dsts.size };
  return {
    admitted,
    denied_flows: deniedFlows,
    out_of_scope: outOfScope,
    denied: [...denied.values()].sort(
      (a, b) => b.flows - a.flows || b.bytes - a.bytes || cmp(a.src, b.src) || cmp(a.dst, b.dst) || a.dport - b.dport || cmp(a.proto, b.proto) || cmp(a.app ?? '', b.app ?? ''),
    ),
    by_rule: byRule,
    usage,
  };
}

/** The hygiene report's inputs from a simulation over the last N days. */
export function hygieneInputs(sim: SimulationResult): { usage: Map<string, string | null>; hosts: Map<string, { src: number; dst: number }> } {
  const usage = new Map<string, string | null>();
  const hosts = new Map<string, { src: number; dst: number }>();
  for (const [id, u] of Object.entries(sim.usage)) {
    usage.set(id, u.last_matched);
    hosts.set(id, { src: u.src_hosts, dst: u.dst_hosts });
  }
  return { usage, hosts };
}
