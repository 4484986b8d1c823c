// Allow-list → one nftables file: `table inet surfacemap { … }` that replaces itself when loaded
// (`nft -f FILE`) and touches nothing else. Checked by `nft -c -f` in the tests.
// Syntax: https://wiki.nftables.org/wiki-nftables/index.php/Quick_reference-nftables_in_10_minutes
//
// NOTE: layout.
//   hook input  (on the protected host): chain `input` holds the inbound rules, chain `output` the
//               outbound (egress) rules, when there are any;
//   hook forward (on a router/firewall between zones): chain `forward` holds every rule.
// Each chain accepts loopback (input/output), established/related return traffic and, on a host,
// IPv6 neighbour discovery (without it IPv6 stops working), then the rules, then a final
// `counter log drop` (or only `counter log` with `finalDrop: false`: a dry run whose counters show
// what would be dropped). The chain policy is `accept` unless `policy: 'drop'` is asked for, so
// deleting the table (`nft delete table inet surfacemap`) always restores the host.
// Source groups become named sets (`src_<name>_v4`); a destination with several CIDRs does too.
import type { AllowRule } from '../intent/model.js';
import { formatAddress, isHost, minimalPrefixes, type Prefix } from './cidr.js';
import {
  activeRules,
  assertUniqueIds,
  compileRule,
  directions,
  inputWarnings,
  portText,
  type CompiledRule,
  type Direction,
  type ExportWarning,
  type Rendered,
  type Targets,
} from './rule-common.js';

export interface NftablesOptions {
  /** `input` (default): rules for the protected host itself; `forward`: for a firewall between zones. */
  hook?: 'input' | 'forward';
  /** Chain policy (default `accept`: the final rule drops, so deleting the table undoes everything). */
  policy?: 'drop' | 'accept';
  /** End each chain with `counter log drop` (default true); false logs and counts only. */
  finalDrop?: boolean;
  /** Table name (default `surfacemap`), family `inet`. */
  table?: string;
  /** Each protected target's addresses, to put inbound rules in `input` and egress rules in `output`. */
  targets?: Targets;
  /** Leave out rules expired at this instant. */
  now?: string;
}

/** nft rejects comments over 128 characters. */
export const NFT_COMMENT_MAX = 128;
const NFT_NAME_MAX = 64; // kernel limit is 255; shorter names stay readable
const LOG_PREFIX_DROP = 'surfacemap drop: ';
const LOG_PREFIX_DRY = 'surfacemap unmatched: ';
const ND_TYPES = 'nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert';

/** Printable ASCII without `"` and `\` (nft strings have no escapes), at most `max` characters. */
export function nftString(s: string, max = NFT_COMMENT_MAX): string {
  const clean = s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/["\\]/g, "'")
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 3)}...`;
}

/** A `#` comment line: one line, printable ASCII. */
const hashComment = (s: string) => `# ${nftString(s, Infinity)}`;

function nftName(s: string): string {
  const t = s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_]+/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
  return t.slice(0, NFT_NAME_MAX - 8) || 'group';
}

const elem = (p: Prefix) => (isHost(p) ? formatAddress(p.v, p.net) : `${formatAddress(p.v, p.net)}/${p.len}`);

interface NftSet {
  name: string;
  v: 4 | 6;
  label: string;
  elements: Prefix[];
}

/** Named sets, shared by rules whose endpoint has the same name and the same addresses. */
function setRegistry() {
  const byKey = new Map<string, NftSet>();
  const names = new Set<string>();
  return {
    sets: () => [...byKey.values()],
    ref(side: 'src' | 'dst', label: string, v: 4 | 6, elements: Prefix[]): string {
      const key = [side, label, v, elements.map(elem).join(',')].join('\u0000');
      let s = byKey.get(key);
      if (!s) {
        const base = `${side}_${nftName(label)}_v${v}`;
        let name = base;
        for (let k = 2; names.has(name); k++) name = `${base}_${k}`;
        names.add(name);
        byKey.set(key, (s = { name, v, label, elements }));
      }
      return `@${s.name}`;
    },
  };
}

function l4(rule: AllowRule): string {
  if (rule.proto === 'icmp') return 'meta l4proto icmp';
  if (rule.proto === 'icmp6') return 'meta l4proto ipv6-icmp';
  const p = portText(rule);
  return p === '' ? `meta l4proto ${rule.proto}` : `${rule.proto} dport ${p}`;
}

function ruleLines(c: CompiledRule, sets: ReturnType<typeof setRegistry>, warnings: ExportWarning[]): string[] {
  const r = c.rule;
  const lines = [hashComment(`${r.id}: ${r.src.name} -> ${r.dst.name} ${r.proto}${portText(r) ? `/${portText(r)}` : ''}; owner ${r.owner}; reason ${r.reason}${r.expires ? `; expires ${r.expires}` : ''}`)];
  const families: (4 | 6)[] = r.proto === 'icmp' ? [4] : r.proto === 'icmp6' ? [6] : [4, 6];
  const comment = nftString(`${r.id} | ${r.owner} | ${r.reason}`);
  let emitted = 0;
  for (const v of families) {
    const src = minimalPrefixes(c.src.filter((p) => p.v === v));
    const dst = minimalPrefixes(c.dst.filter((p) => p.v === v));
    if (src.length === 0 || dst.length === 0) continue;
    const ip = v === 4 ? 'ip' : 'ip6';
    const s = sets.ref('src', r.src.name, v, src);
    const d = dst.length === 1 ? elem(dst[0]!) : sets.ref('dst', r.dst.name, v, dst);
    lines.push(`${ip} saddr ${s} ${ip} daddr ${d} ${l4(r)} counter accept comment "${comment}"`);
    emitted++;
  }
  if (emitted === 0) {
    warnings.push({ rule: r.id, code: 'nothing-to-admit', message: `rule ${r.id}: no source and destination of the same address family for ${r.proto}; nothing rendered` });
    lines.push(hashComment(`(nothing rendered: no source/destination pair of one address family)`));
  }
  return lines;
}

/** The nftables file and its warnings. */
export function buildNftables(rules: readonly AllowRule[], o: NftablesOptions = {}): Rendered {
  assertUniqueIds(rules);
  const hook = o.hook ?? 'input';
  const policy = o.policy ?? 'accept';
  const finalDrop = o.finalDrop ?? true;
  const table = nftName(o.table ?? 'surfacemap');
  const warnings: ExportWarning[] = [];
  const active = activeRules(rules, o.now, warnings);
  const compiled = active.map(compileRule);
  for (const c of compiled) warnings.push(...inputWarnings(c));
  let dirs: Map<string, Direction>;
  if (hook === 'forward') dirs = new Map(compiled.map((c) => [c.rule.id, 'inbound' as const]));
  else if (o.targets) dirs = directions(compiled, o.targets, warnings);
  else {
    dirs = new Map(compiled.map((c) => [c.rule.id, 'inbound' as const]));
    if (compiled.length) warnings.push({ code: 'no-targets', message: 'no target addresses given: every rule was put in the input chain (egress rules need the output chain)' });
  }

  const sets = setRegistry();
  const body = (dir: Direction | 'all') =>
    compiled.filter((c) => dir === 'all' || dirs.get(c.rule.id) === dir).flatMap((c) => ruleLines(c, sets, warnings));
  const chains: { name: string; hook: string; pre: string[]; body: string[] }[] = [];
  if (hook === 'forward') {
    chains.push({ name: 'forward', hook: 'forward', pre: ['ct state established,related accept'], body: body('all') });
  } else {
    chains.push({
      name: 'input',
      hook: 'input',
      pre: ['iif "lo" accept', 'ct state established,related accept', `icmpv6 type { ${ND_TYPES} } accept`],
      body: body('inbound'),
    });
    const out = body('outbound');
    if (out.length)
      chains.push({
        name: 'output',
        hook: 'output',
        pre: ['oif "lo" accept', 'ct state established,related accept', `icmpv6 type { ${ND_TYPES} } accept`],
        body: out,
      });
  }
  const last = finalDrop ? `counter log prefix "${LOG_PREFIX_DROP}" drop` : `counter log prefix "${LOG_PREFIX_DRY}"`;

  const t = '\t';
  const lines: string[] = [
    '#!/usr/sbin/nft -f',
    hashComment(`surfacemap allow-list: ${active.length} rule(s); hook ${hook}, chain policy ${policy}, ${finalDrop ? 'final counter+log+drop' : 'final counter+log only (dry run)'}`),
    hashComment(`load: nft -f FILE (replaces table inet ${table}, nothing else); undo: nft delete table inet ${table}`),
  ];
  if (warnings.length) {
    lines.push(hashComment('warnings:'));
    for (const w of warnings) lines.push(hashComment(`  ${w.message}`));
  }
  lines.push(`table inet ${table}`, `delete table inet ${table}`, '', `table inet ${table} {`);
  for (const s of sets.sets()) {
    const type = s.v === 4 ? 'ipv4_addr' : 'ipv6_addr';
    lines.push(`${t}set ${s.name} {`, `${t}${t}type ${type}; flags interval;`, `${t}${t}comment "${nftString(s.label)}"`);
    lines.push(`${t}${t}elements = { ${s.elements.map(elem).join(`,\n${t}${t}${t}     `)} }`, `${t}}`);
  }
  for (const ch of chains) {
    lines.push('', `${t}chain ${ch.name} {`, `${t}${t}type filter hook ${ch.hook} priority filter; policy ${policy};`);
    for (const l of [...ch.pre, ...ch.body, last]) lines.push(`${t}${t}${l}`);
    lines.push(`${t}}`);
  }
  lines.push('}', '');
  return { text: lines.join('\n'), warnings };
}

/** `table inet surfacemap { … }` for `nft -f`; warnings are in its header comment (and `buildNftables`). */
export function renderNftables(rules: readonly AllowRule[], o: NftablesOptions = {}): string {
  return buildNftables(rules, o).text;
}
