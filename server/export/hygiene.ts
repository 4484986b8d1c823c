// Rule hygiene after enforcing: rules nothing has used for N days, rules broader than the traffic they
// admit, rules nobody owns or can explain, expired rules. Pure: usage comes from a simulation over the
// last N days (simulate.ts `hygieneInputs`) or from enforcement counters.
import type { AllowRule } from '../intent/model.js';
import { isHost, maxLen, prefixSize } from './cidr.js';
import { cmp, compileRule, expiryInstant, isExpired, portText } from './rule-common.js';

export type FindingKind = 'unused' | 'any-address' | 'any-port' | 'wide-port-range' | 'broad-prefix' | 'missing-owner' | 'missing-reason' | 'expired';

export interface HygieneFinding {
  rule: string;
  kind: FindingKind;
  message: string;
}

export interface HygieneOptions {
  /** A rule with no match in this many days is `unused` (default 30). */
  staleDays?: number;
  /** ISO date-time the report is made at. */
  now: string;
  /**
   * Distinct source/destination addresses each rule admitted in the observed window (simulate's
   * `usage`): a prefix of /16 or wider (IPv6: /48) that admitted ≤ 2 hosts is `broad-prefix`. Without
   * it, prefix breadth is not judged.
   */
  hosts?: Map<string, { src: number; dst: number }>;
}

/** Ranges wider than this many ports are findings. */
export const WIDE_PORT_RANGE = 1000;
const BROAD_LEN = { 4: 16, 6: 48 } as const;
const FEW_HOSTS = 2;
const DAY_MS = 86_400_000;

const KIND_ORDER: FindingKind[] = ['expired', 'unused', 'any-address', 'any-port', 'wide-port-range', 'broad-prefix', 'missing-owner', 'missing-reason'];

/**
 * Findings for every rule, sorted by rule id then kind. `usage` maps a rule id to when it last matched
 * (ISO) or null when never; a rule missing from the map never matched. A rule younger than `staleDays`
 * (by `created`) is not reported unused: it has not had the chance.
 */
export function hygiene(rules: readonly AllowRule[], usage: Map<string, string | null>, o: HygieneOptions): HygieneFinding[] {
  const staleDays = o.staleDays ?? 30;
  const now = Date.parse(o.now);
  if (Number.isNaN(now)) throw new Error(`hygiene: now "${o.now}" is not a date-time`);
  const cutoff = now - staleDays * DAY_MS;
  const out: HygieneFinding[] = [];
  for (const r of rules) {
    const add = (kind: FindingKind, message: string) => out.push({ rule: r.id, kind, message });
    if (isExpired(r, o.now)) add('expired', `expired ${r.expires}`);
    else if (r.expires !== undefined && expiryInstant(r) === null) add('expired', `expires "${r.expires}" is not a date: treated as never expiring`);

    const last = usage.get(r.id) ?? null;
    const created = Date.parse(r.created);
    const oldEnough = Number.isNaN(created) || created <= cutoff;
    if (oldEnough && (last === null || Date.parse(last) < cutoff))
      add('unused', last === null ? `no flow matched it (window of ${staleDays} days)` : `last matched ${last}, more than ${staleDays} days ago`);

    const c = compileRule(r);
    for (const [side, ps] of [['source', c.src], ['destination', c.dst]] as const) {
      for (const p of ps) {
        if (p.len === 0) {
          add('any-address', `${side} ${p.v === 4 ? '0.0.0.0/0' : '::/0'}: any address`);
          continue;
        }
        if (isHost(p) || p.len > BROAD_LEN[p.v]) continue;
        const seen = o.hosts?.get(r.id);
        if (!seen) continue;
        const n = side === 'source' ? seen.src : seen.dst;
        if (n <= FEW_HOSTS)
          add('broad-prefix', `${side} /${p.len} (${prefixSize(p)} addresses, ≤ /${BROAD_LEN[p.v]} of /${maxLen(p.v)}) admitted only ${n} observed host${n === 1 ? '' : 's'}`);
      }
    }
    if ((r.proto === 'tcp' || r.proto === 'udp') && c.ports === null) add('any-port', `${r.proto} on any port`);
    else if (c.ports && c.ports.to - c.ports.from + 1 > WIDE_PORT_RANGE)
      add('wide-port-range', `${r.proto} ports ${portText(r)} (${c.ports.to - c.ports.from + 1} ports)`);

    if (!r.owner || r.owner.trim() === '') add('missing-owner', 'no owner');
    if (!r.reason || r.reason.trim() === '') add('missing-reason', 'no reason');
  }
  return out.sort((a, b) => cmp(a.rule, b.rule) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || cmp(a.message, b.message));
}
