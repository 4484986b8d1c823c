// Allow-list → AWS security group rules as JSON in the EC2 API's request shape: one
// AuthorizeSecurityGroupIngress / AuthorizeSecurityGroupEgress request per protected target, each
// usable as `aws ec2 authorize-security-group-ingress --cli-input-json` input.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html
//
// NOTE: a security group applies to every instance in it, so the destination hosts inside a target
// are not expressed (the group is the target). Rules with the same protocol and ports are merged into
// one IpPermission with every peer CIDR once (AWS refuses duplicates). ICMP/ICMPv6 admit every type
// and code (FromPort/ToPort -1). JSON has no comments: rule ids and owners go into each range's
// Description, and everything else is in the warnings.
import type { AllowRule } from '../intent/model.js';
import { comparePrefix, formatAddress, minimalPrefixes, type Prefix } from './cidr.js';
import {
  activeRules,
  assertUniqueIds,
  compileRule,
  directions,
  inputWarnings,
  protectsKey,
  protectsName,
  type CompiledRule,
  type Direction,
  type ExportWarning,
  type Rendered,
  type Targets,
  widensDestinations,
} from './rule-common.js';

export interface AwsOptions {
  targets?: Targets;
  /** Security group id per protected target name (jewel or zone). Missing ones get a placeholder the API rejects. */
  groupIds?: Record<string, string>;
  /** Leave out rules expired at this instant. */
  now?: string;
}

export interface AwsIpPermission {
  IpProtocol: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  FromPort: number;
  ToPort: number;
  IpRanges?: { CidrIp: string; Description: string }[];
  Ipv6Ranges?: { CidrIpv6: string; Description: string }[];
}

export interface AwsRequest {
  GroupId: string;
  IpPermissions: AwsIpPermission[];
}

export interface AwsDocument {
  AuthorizeSecurityGroupIngress: AwsRequest[];
  AuthorizeSecurityGroupEgress: AwsRequest[];
}

/** AWS: "Constraints: Up to 255 characters in length. Allowed characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*". */
export const AWS_DESCRIPTION_MAX = 255;
/** Default quota: inbound and outbound rules per security group, per address family. */
export const AWS_RULES_PER_GROUP = 60;

export function awsDescription(s: string): string {
  const t = s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length <= AWS_DESCRIPTION_MAX ? t : t.slice(0, AWS_DESCRIPTION_MAX).trimEnd();
}

const PROTO: Record<AllowRule['proto'], AwsIpPermission['IpProtocol']> = { tcp: 'tcp', udp: 'udp', icmp: 'icmp', icmp6: 'icmpv6' };
const PROTO_ORDER = ['tcp', 'udp', 'icmp', 'icmpv6'];
const cidr = (p: Prefix) => `${formatAddress(p.v, p.net)}/${p.len}`;

interface PermAcc {
  perm: Omit<AwsIpPermission, 'IpRanges' | 'Ipv6Ranges'>;
  ranges: Map<string, { p: Prefix; names: string[]; ids: string[]; owners: string[] }>;
}

function permKey(c: CompiledRule): { key: string; perm: PermAcc['perm'] } {
  const IpProtocol = PROTO[c.rule.proto];
  const icmp = IpProtocol === 'icmp' || IpProtocol === 'icmpv6';
  const FromPort = icmp ? -1 : (c.ports?.from ?? 0);
  const ToPort = icmp ? -1 : (c.ports?.to ?? 65535);
  return { key: `${IpProtocol}|${FromPort}|${ToPort}`, perm: { IpProtocol, FromPort, ToPort } };
}

function describe(r: PermAcc['ranges'] extends Map<string, infer V> ? V : never): string {
  return awsDescription(`${[...new Set(r.names)].join(', ')} (rule ${r.ids.join(', ')}; owner ${[...new Set(r.owners)].join(', ')})`);
}

function request(groupId: string, rules: CompiledRule[], dir: Direction): AwsRequest {
  const perms = new Map<string, PermAcc>();
  for (const c of rules) {
    const { key, perm } = permKey(c);
    let acc = perms.get(key);
    if (!acc) perms.set(key, (acc = { perm, ranges: new Map() }));
    const wantV = c.rule.proto === 'icmp' ? 4 : c.rule.proto === 'icmp6' ? 6 : null;
    const peers = minimalPrefixes(dir === 'inbound' ? c.src : c.dst).filter((p) => wantV === null || p.v === wantV);
    const peerName = dir === 'inbound' ? c.rule.src.name : c.rule.dst.name;
    for (const p of peers) {
      const k = cidr(p);
      const r = acc.ranges.get(k);
      if (r) {
        r.names.push(peerName);
        r.ids.push(c.rule.id);
        r.owners.push(c.rule.owner);
      } else acc.ranges.set(k, { p, names: [peerName], ids: [c.rule.id], owners: [c.rule.owner] });
    }
  }
  const IpPermissions = [...perms.values()]
    .filter((a) => a.ranges.size > 0)
    .sort((a, b) => PROTO_ORDER.indexOf(a.perm.IpProtocol) - PROTO_ORDER.indexOf(b.perm.IpProtocol) || a.perm.FromPort - b.perm.FromPort || a.perm.ToPort - b.perm.ToPort)
    .map((a) => {
      const ranges = [...a.ranges.values()].sort((x, y) => comparePrefix(x.p, y.p));
      const v4 = ranges.filter((r) => r.p.v === 4).map((r) => ({ CidrIp: cidr(r.p), Description: describe(r) }));
      const v6 = ranges.filter((r) => r.p.v === 6).map((r) => ({ CidrIpv6: cidr(r.p), Description: describe(r) }));
      return { ...a.perm, ...(v4.length ? { IpRanges: v4 } : {}), ...(v6.length ? { Ipv6Ranges: v6 } : {}) };
    });
  return { GroupId: groupId, IpPermissions };
}

function countEntries(req: AwsRequest, v: 4 | 6): number {
  return req.IpPermissions.reduce((n, p) => n + (v === 4 ? (p.IpRanges?.length ?? 0) : (p.Ipv6Ranges?.length ?? 0)), 0);
}

/** The request objects and the warnings. */
export function awsSecurityGroupRules(rules: readonly AllowRule[], o: AwsOptions = {}): { document: AwsDocument; warnings: ExportWarning[] } {
  assertUniqueIds(rules);
  const warnings: ExportWarning[] = [];
  const compiled = activeRules(rules, o.now, warnings).map(compileRule);
  for (const c of compiled) warnings.push(...inputWarnings(c));
  let dirs: Map<string, Direction>;
  if (o.targets) dirs = directions(compiled, o.targets, warnings);
  else {
    dirs = new Map(compiled.map((c) => [c.rule.id, 'inbound' as const]));
    if (compiled.length) warnings.push({ code: 'no-targets', message: 'no target addresses given: every rule was rendered as ingress' });
  }
  const byTarget = new Map<string, { name: string; in: CompiledRule[]; out: CompiledRule[] }>();
  for (const c of compiled) {
    const key = protectsKey(c.rule);
    let t = byTarget.get(key);
    if (!t) byTarget.set(key, (t = { name: protectsName(c.rule), in: [], out: [] }));
    (dirs.get(c.rule.id) === 'outbound' ? t.out : t.in).push(c);
  }
  const document: AwsDocument = { AuthorizeSecurityGroupIngress: [], AuthorizeSecurityGroupEgress: [] };
  for (const t of byTarget.values()) {
    let groupId = o.groupIds?.[t.name];
    if (!groupId) {
      groupId = `REPLACE-with-security-group-of-${awsDescription(t.name).replace(/ /g, '-')}`;
      warnings.push({ code: 'group-id-placeholder', message: `no security group id for ${t.name}: GroupId is a placeholder the API will reject` });
    }
    if (widensDestinations(t.in))
      warnings.push({ code: 'destination-by-group', message: `${t.name}: rules for different destination hosts apply to every instance in the group` });
    for (const [list, rules, dir] of [
      [document.AuthorizeSecurityGroupIngress, t.in, 'inbound'],
      [document.AuthorizeSecurityGroupEgress, t.out, 'outbound'],
    ] as const) {
      if (rules.length === 0) continue;
      const req = request(groupId, rules, dir);
      for (const v of [4, 6] as const) {
        const n = countEntries(req, v);
        if (n > AWS_RULES_PER_GROUP)
          warnings.push({
            code: 'aws-quota',
            message: `${t.name}: ${n} ${dir === 'inbound' ? 'inbound' : 'outbound'} IPv${v} rules, over the default quota of ${AWS_RULES_PER_GROUP} per security group (aggregate CIDRs or raise the quota)`,
          });
      }
      list.push(req);
    }
  }
  return { document, warnings };
}

export function buildAws(rules: readonly AllowRule[], o: AwsOptions = {}): Rendered {
  const { document, warnings } = awsSecurityGroupRules(rules, o);
  return { text: `${JSON.stringify(document, null, 2)}\n`, warnings };
}

/** `{ AuthorizeSecurityGroupIngress: [...], AuthorizeSecurityGroupEgress: [...] }` as JSON. */
export function renderAws(rules: readonly AllowRule[], o: AwsOptions = {}): string {
  return buildAws(rules, o).text;
}
