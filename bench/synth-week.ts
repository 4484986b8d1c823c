// NOTE: a synthetic week of a 500-host company, generated inside ClickHouse (`INSERT INTO flows SELECT …
// FROM numbers(…)`) through the real schema, so the `edges_1h` and `names` materialized views fill the
// rollups exactly as ingest does. Deterministic: row n is a pure function of n (intHash64), so the same
// row count gives the same week.
//
// The company (501 addresses in 11 zones, IPv4 and IPv6; `weekNetwork()`):
//   mgmt      10.9.0.0/24      prometheus, 2× dns, statsd, vault★, ldap★, bastion, backup, 7 others
//   prod-web  10.1.0.0/24 dmz  2 load balancers (public API), 18 web hosts
//   prod-api  10.2.0.0/24      40 API hosts
//   prod-data 10.3.0.0/24      postgres primary★ + replica★ (customer-db), 3 redis, 3 kafka, 17 others
//   payments  10.4.0.0/24      10 hosts, the crown jewel payments★ = 10.4.0.0/28
//   k8s       fd00:100::/64    120 pods (IPv6 only)
//   office    10.50.0.0/23     150 laptops (a third undeclared in the inventory)
//   dev       10.60.0.0/24 + fd00:600::/64, ci 10.70.0.0/24 (artifact-store★ 10.70.0.5), vpn 10.80.0.0/24 +
//   fd00:800::/64, partner 198.51.100.0/24 (kind partner); a forgotten box 10.99.0.7 in no zone whose
//   nightly cron talks to customer-db; 3 000 internet destinations (SaaS, CDNs, NTP) and 30 000
//   internet clients of the public API (both skewed: a few are hot, most are rare). The 100 hottest
//   destinations are called from every host; each one of the long tail from 3 hosts only (v1 let every
//   host call every destination: 1.2 M distinct crossing edges a week, not what a company looks like).
// Traffic: machine patterns at a flat rate (Prometheus scraping every host on :9090, DNS, StatsD UDP
// 8125, redis, kafka, a k8s mesh with mTLS, vault, LDAPS, replication, NTP, a long tail of fixed peer
// pairs) plus human-driven ones with a diurnal and weekday/weekend shape (public API through the load
// balancers, API tier → postgres/payments, egress to SaaS, office → LDAP and the API, SSH through the
// bastion, CI → artifact store and registries, dev → the replica). App, auth and encryption labels are
// set per service, consistently.
//
// Time: rows are time-ordered (row n sits at the n/N quantile of the week's traffic density), like a
// real insert stream; density = flat machine part + human part × hour-of-day × weekday factors.
import ipaddr from 'ipaddr.js';
import type { Store } from '../server/store/index.js';
import type { CrownJewel, Intent, InventoryItem, Zone } from '../server/intent/model.js';
import type { LookupContent } from '../server/repositories/intent-lookup.js';

/** Bump when the generated rows change (cache key of `.bench/query-week/`). */
export const SYNTH_WEEK_VERSION = 2;

const DAY_S = 86_400;
const HOUR_S = 3_600;

// ---------------------------------------------------------------------------------------------------
// The company

interface HostGroup {
  /** Index of the group's first host in `hosts`. */
  start: number;
  count: number;
}

const GROUP_NAMES = [
  'prometheus', 'dns', 'statsd', 'vault', 'ldap', 'bastion', 'backup', 'mgmtOther',
  'lb', 'web', 'api', 'pgPrimary', 'pgReplica', 'redis', 'kafka', 'dataOther', 'payments', 'k8s',
  'office', 'dev', 'artifact', 'ci', 'vpn', 'partner', 'pi',
] as const;
type GroupName = (typeof GROUP_NAMES)[number];

export interface WeekNetwork {
  /** Every address (display form: dotted IPv4 or IPv6), grouped contiguously by role. */
  hosts: string[];
  names: string[];
  groups: Record<GroupName, HostGroup>;
  intent: Intent;
}

interface ZoneDef extends Zone {
  /** Hosts of the zone, in `hosts` order: [group, count, address of the i-th]. */
  members: [GroupName, number, (i: number) => string][];
}

const v4 = (base: string, first: number) => (i: number) => `${base}.${first + i}`;
const v4in23 = (i: number) => `10.50.${Math.floor((10 + i) / 250)}.${(10 + i) % 250}`;
const v6 = (prefix: string, first: number) => (i: number) => `${prefix}${(first + i).toString(16)}`;
const mixed = (v4base: string, v6prefix: string, half: number) => (i: number) =>
  i < half ? `${v4base}.${10 + i}` : `${v6prefix}${(0x10 + i - half).toString(16)}`;

const ZONES: ZoneDef[] = [
  { name: 'mgmt', kind: 'management', description: 'DNS, monitoring, vault, LDAP, bastion', cidrs: ['10.9.0.0/24'], members: [
    ['prometheus', 1, v4('10.9.0', 10)], ['dns', 2, v4('10.9.0', 11)], ['statsd', 1, v4('10.9.0', 13)],
    ['vault', 1, v4('10.9.0', 20)], ['ldap', 1, v4('10.9.0', 21)], ['bastion', 1, v4('10.9.0', 30)],
    ['backup', 1, v4('10.9.0', 31)], ['mgmtOther', 7, v4('10.9.0', 40)],
  ] },
  { name: 'prod-web', kind: 'dmz', description: 'public load balancers and web', cidrs: ['10.1.0.0/24'], members: [
    ['lb', 2, v4('10.1.0', 10)], ['web', 18, v4('10.1.0', 20)],
  ] },
  { name: 'prod-api', kind: 'internal', description: 'API tier', cidrs: ['10.2.0.0/24'], members: [['api', 40, v4('10.2.0', 10)]] },
  { name: 'prod-data', kind: 'internal', description: 'databases and queues', cidrs: ['10.3.0.0/24'], members: [
    ['pgPrimary', 1, v4('10.3.0', 10)], ['pgReplica', 1, v4('10.3.0', 11)], ['redis', 3, v4('10.3.0', 20)],
    ['kafka', 3, v4('10.3.0', 30)], ['dataOther', 17, v4('10.3.0', 40)],
  ] },
  { name: 'payments', kind: 'internal', description: 'payment processing', cidrs: ['10.4.0.0/24'], members: [['payments', 10, v4('10.4.0', 1)]] },
  { name: 'k8s', kind: 'internal', description: 'Kubernetes pods', cidrs: ['fd00:100::/64'], members: [['k8s', 120, v6('fd00:100::', 0x10)]] },
  { name: 'office', kind: 'internal', description: 'laptops', cidrs: ['10.50.0.0/23'], members: [['office', 150, v4in23]] },
  { name: 'dev', kind: 'internal', description: 'developer VMs', cidrs: ['10.60.0.0/24', 'fd00:600::/64'], members: [['dev', 60, mixed('10.60.0', 'fd00:600::', 30)]] },
  { name: 'ci', kind: 'internal', description: 'CI runners and the artifact store', cidrs: ['10.70.0.0/24'], members: [
    ['artifact', 1, v4('10.70.0', 5)], ['ci', 29, v4('10.70.0', 10)],
  ] },
  { name: 'vpn', kind: 'internal', description: 'remote staff', cidrs: ['10.80.0.0/24', 'fd00:800::/64'], members: [['vpn', 20, mixed('10.80.0', 'fd00:800::', 10)]] },
  { name: 'partner', kind: 'partner', description: 'payment partner', cidrs: ['198.51.100.0/24'], members: [['partner', 10, v4('198.51.100', 10)]] },
];

const JEWELS: CrownJewel[] = [
  { name: 'customer-db', match: ['10.3.0.10', '10.3.0.11'], owner: 'data-team', why: 'customer PII' },
  { name: 'payments', match: ['10.4.0.0/28'], owner: 'payments-team', why: 'card data (PCI)' },
  { name: 'vault', match: ['10.9.0.20'], owner: 'platform-team', why: 'every secret' },
  { name: 'ldap', match: ['10.9.0.21'], owner: 'it', why: 'staff identities' },
  { name: 'artifact-store', match: ['10.70.0.5'], owner: 'platform-team', why: 'what production runs' },
];

/** Which hosts the declared inventory leaves out (the unknowns the inventory view must surface). */
function undeclared(group: GroupName, i: number): boolean {
  if (group === 'pi') return true;
  if (group === 'office') return i % 3 === 2;
  if (group === 'dataOther') return i >= 12;
  if (group === 'dev') return i >= 30;
  return false;
}

export function weekNetwork(): WeekNetwork {
  const hosts: string[] = [];
  const names: string[] = [];
  const inventory: InventoryItem[] = [];
  const groups = {} as Record<GroupName, HostGroup>;
  const add = (group: GroupName, count: number, addr: (i: number) => string, zone: string) => {
    groups[group] = { start: hosts.length, count };
    for (let i = 0; i < count; i++) {
      const ip = addr(i);
      const name = `${group.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}-${i + 1}`;
      hosts.push(ip);
      names.push(name);
      if (!undeclared(group, i)) inventory.push({ name, address: ip, owner: `${zone}-owners`, role: group });
    }
  };
  for (const z of ZONES) for (const [group, count, addr] of z.members) add(group, count, addr, z.name);
  add('pi', 1, () => '10.99.0.7', 'none');
  const zones: Zone[] = ZONES.map(({ name, kind, description, cidrs }) => ({ name, kind, description, cidrs }));
  for (const g of GROUP_NAMES) if (groups[g] === undefined) throw new Error(`synth-week: group ${g} has no hosts`);
  return { hosts, names, groups, intent: { zones, crown_jewels: JEWELS, inventory, rules: [] } };
}

// ---------------------------------------------------------------------------------------------------
// The intent as YAML and as dictionary rows

/** The intent file for the week (zones, the 5 crown jewels, the declared inventory). */
export function intentYaml(intent: Intent): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = ['# surfacemap intent for the synthetic week (bench/synth-week.ts)', 'zones:'];
  for (const z of intent.zones) {
    lines.push(`  - name: ${z.name}`, `    kind: ${z.kind}`);
    if (z.description) lines.push(`    description: ${q(z.description)}`);
    lines.push(`    cidrs: [${z.cidrs.map(q).join(', ')}]`);
  }
  lines.push('crown_jewels:');
  for (const j of intent.crown_jewels) {
    lines.push(`  - name: ${j.name}`, `    match: [${j.match.map(q).join(', ')}]`, `    owner: ${q(j.owner)}`, `    why: ${q(j.why)}`);
  }
  lines.push('inventory:');
  for (const item of intent.inventory) {
    lines.push(`  - name: ${item.name}`, `    address: ${q(item.address)}`);
    if (item.owner) lines.push(`    owner: ${q(item.owner)}`);
    if (item.role) lines.push(`    role: ${q(item.role)}`);
  }
  return lines.join('\n') + '\n';
}

/** A CIDR or address in the dictionaries' form: IPv6 text, IPv4 as ::ffff:a.b.c.d/(96+n). */
export function dictPrefix(cidr: string): string {
  const [net, bits] = cidr.includes('/') ? ipaddr.parseCIDR(cidr) : [ipaddr.parse(cidr), ipaddr.parse(cidr).kind() === 'ipv4' ? 32 : 128];
  return net.kind() === 'ipv4' ? `::ffff:${net.toString()}/${96 + bits}` : `${net.toString()}/${bits}`;
}

/** Built-in `unassigned` space (server/intent/model.ts UNASSIGNED_RANGES), for the hand-made lookup. */
const UNASSIGNED = [
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '0.0.0.0/32',
  '224.0.0.0/24', '239.0.0.0/8', '255.255.255.255/32', 'fc00::/7', 'fe80::/10', '::1/128', '::/128', 'ff02::/16', 'ff05::/16',
];

/** Dictionary rows for the intent, built by hand (no name matches: every jewel is IPs/CIDRs). */
export function lookupContentFor(intent: Intent): LookupContent {
  const declared = intent.zones.flatMap((z) => z.cidrs.map((c) => ({ prefix: dictPrefix(c), zone: z.name, kind: z.kind })));
  const builtins = UNASSIGNED.map((c) => ({ prefix: dictPrefix(c), zone: 'unassigned', kind: 'internal' }));
  const zones = [...declared, ...builtins, { prefix: '::/0', zone: 'internet', kind: 'external' }];
  const jewels = intent.crown_jewels.flatMap((j) => j.match.map((m) => ({ prefix: dictPrefix(m), jewel: j.name })));
  return { key: `synth-week-${SYNTH_WEEK_VERSION}`, zones, jewels };
}

/** Zones and jewels as CIDR lists with [first, last] address (for the naive multiIf peer). */
export function cidrRanges(intent: Intent): { zones: { zone: string; lo: string; hi: string }[]; jewels: { jewel: string; lo: string; hi: string }[]; unassigned: { lo: string; hi: string }[] } {
  const range = (cidr: string) => {
    const [net, bits] = ipaddr.IPv6.parseCIDR(dictPrefix(cidr));
    const lo = net.toByteArray();
    const hi = net.toByteArray();
    for (let b = bits; b < 128; b++) {
      const byte = b >> 3;
      const mask = 0x80 >> (b & 7);
      lo[byte] = lo[byte]! & ~mask;
      hi[byte] = hi[byte]! | mask;
    }
    return { lo: ipaddr.fromByteArray(lo).toString(), hi: ipaddr.fromByteArray(hi).toString() };
  };
  // Most specific first, like the zone rule ("most specific CIDR wins").
  const zones = intent.zones
    .flatMap((z) => z.cidrs.map((c) => ({ zone: z.name, bits: Number(dictPrefix(c).split('/')[1]), ...range(c) })))
    .sort((a, b) => b.bits - a.bits)
    .map(({ zone, lo, hi }) => ({ zone, lo, hi }));
  const jewels = intent.crown_jewels.flatMap((j) => j.match.map((m) => ({ jewel: j.name, ...range(m) })));
  return { zones, jewels, unassigned: UNASSIGNED.map(range) };
}

// ---------------------------------------------------------------------------------------------------
// Time: the week's traffic density and its inverse, as SQL over the row's quantile `pos` ∈ [0, 1)

/** Human activity by hour of day (UTC), before normalising. */
const HOUR_FACTOR = [0.1, 0.08, 0.07, 0.07, 0.08, 0.12, 0.3, 0.7, 1.4, 1.9, 2.0, 2.0, 1.7, 1.9, 2.0, 1.9, 1.7, 1.3, 0.9, 0.7, 0.5, 0.35, 0.25, 0.15];
/** Monday … Sunday. */
const DAY_FACTOR = [1, 1, 1, 1, 1, 0.28, 0.28];
/** Share of the average traffic that runs at a flat rate (scrapes, DNS, metrics, queues). */
const MACHINE_SHARE = 0.62;

interface Density {
  /** Cumulative share of the week at the start of each day (7) and each day's share. */
  dayStart: number[];
  dayWidth: number[];
  /** Within a weekday / weekend day: cumulative share at each hour's start and each hour's share. */
  hourStart: [number[], number[]];
  hourWidth: [number[], number[]];
  /** Share of the human patterns at each hour, weekday / weekend. */
  humanShare: [number[], number[]];
}

function density(): Density {
  const mean = DAY_FACTOR.reduce((s, d) => s + d * HOUR_FACTOR.reduce((a, h) => a + h, 0), 0) / (7 * 24);
  const rate = (d: number, h: number) => MACHINE_SHARE + ((1 - MACHINE_SHARE) * DAY_FACTOR[d]! * HOUR_FACTOR[h]!) / mean;
  const dayTotals = DAY_FACTOR.map((_, d) => HOUR_FACTOR.reduce((s, _h, h) => s + rate(d, h), 0));
  const week = dayTotals.reduce((a, b) => a + b, 0);
  const cumulative = (xs: number[]) => xs.map((_, i) => xs.slice(0, i).reduce((a, b) => a + b, 0));
  const dayWidth = dayTotals.map((t) => t / week);
  const perHour = (d: number) => {
    const r = HOUR_FACTOR.map((_, h) => rate(d, h));
    const total = r.reduce((a, b) => a + b, 0);
    return r.map((x) => x / total);
  };
  const weekday = perHour(0);
  const weekend = perHour(6);
  const share = (d: number) => HOUR_FACTOR.map((_, h) => 1 - MACHINE_SHARE / rate(d, h));
  return {
    dayStart: cumulative(dayWidth),
    dayWidth,
    hourStart: [cumulative(weekday), cumulative(weekend)],
    hourWidth: [weekday, weekend],
    humanShare: [share(0), share(6)],
  };
}

const lit = (x: number) => x.toPrecision(15);
const arr = (xs: number[]) => `[${xs.map(lit).join(', ')}]`;
/** Index of the interval `x` falls in, for sorted starts (starts[0] = 0): Σ (x ≥ starts[i]). */
const bucketOf = (x: string, starts: number[]) => `(${starts.slice(1).map((s) => `(${x} >= ${lit(s)})`).join(' + ')})`;

// ---------------------------------------------------------------------------------------------------
// Patterns: data, turned into per-pattern constant arrays that one generic SELECT indexes by `pid`
// (a 26-branch multiIf per column costs ~20× more than an array lookup).

type Cls = 'machine' | 'human';
/** A weighted choice of host groups, weights in tenths (sum 10). */
type Mix = [HostGroup, number][];
type PoolName = 'clients' | 'dests' | 'ntp' | 'registries';
/** dst = the peer of src within src's group: (src·mul + (h mod choices)·step + add) mod count. */
interface Peer { mul: number; choices: number; step: number; add: number }

interface Pattern {
  name: string;
  cls: Cls;
  weight: number;
  src: { mix: Mix } | { pool: PoolName };
  dst: { mix: Mix } | { pool: PoolName } | { peer: Peer };
  /**
   * For a destination pool: members ranked ≥ `hot` are each called by only `owners` hosts of the
   * source mix (the long tail of sites one team uses), the hot ones by every host.
   */
  tailOwners?: { hot: number; owners: number };
  /** A port, or `peer`: a port of the destination's own (8000 + 13·k). */
  dport: number | 'peer';
  proto: 'tcp' | 'udp';
  app: string;
  appGuess?: 'port';
  auth: string;
  enc: 'none' | 'tls' | 'ssh' | 'unknown';
  /** Mean bytes at the IP layer, initiator / responder. */
  bytes: [number, number];
  /** Mean duration, seconds. */
  dur: number;
  /** A fixed name, or `pool`: the destination pool member's own name. */
  sni?: string;
  httpHost?: string;
  http?: { method: string; pathClass: string; ua: string };
  dns?: boolean;
  pgAuth?: string;
  tls?: string;
}

const POOLS: Record<PoolName, { id: number; size: number; skew: number; octets: number[]; salt: number }> = {
  // 30 000 clients of the public API, a few hot (skew: k = ⌊u^skew · size⌋; half the calls come from the first 1/8).
  clients: { id: 1, size: 30_000, skew: 3, octets: [2, 5, 31, 37, 46, 62, 77, 80, 81, 82, 84, 85, 86, 88, 89, 90, 91, 93, 94, 95, 109, 176, 178, 185, 188, 193, 194, 212, 213, 217], salt: 23 },
  // 3 000 SaaS/CDN destinations; `registries` are the 50 hottest of them.
  dests: { id: 2, size: 3_000, skew: 2.5, octets: [13, 18, 20, 34, 35, 40, 52, 54, 104, 142, 151, 157, 162, 199], salt: 11 },
  ntp: { id: 3, size: 4, skew: 1, octets: [162], salt: 5 },
  registries: { id: 4, size: 50, skew: 1, octets: [13, 18, 20, 34, 35, 40, 52, 54, 104, 142, 151, 157, 162, 199], salt: 11 },
};
const POOL_LIST = Object.values(POOLS).sort((a, b) => a.id - b.id);

const DNS_NAMES = ['api.example.com', 'db.internal', 'redis.internal', 'kafka.internal', 'vault.internal', 'ldap.internal', 'github.com',
  'registry.npmjs.org', 'pypi.org', 'slack.com', 'login.microsoftonline.com', 'statsd.internal', 'prometheus.internal',
  'artifacts.internal', 'ntp.ubuntu.com', 'sentry.io', 'api.stripe.com', 's3.amazonaws.com', 'google.com', 'time.cloudflare.com'];

function patterns(g: Record<GroupName, HostGroup>): Pattern[] {
  const span = (first: GroupName, last: GroupName): HostGroup => ({ start: g[first].start, count: g[last].start + g[last].count - g[first].start });
  const one = (x: GroupName | HostGroup): { mix: Mix } => ({ mix: [[typeof x === 'string' ? g[x] : x, 10]] });
  const internal = span('prometheus', 'vpn'); // every declared-zone host but partners (and not the pi)
  const apiOrPod: { mix: Mix } = { mix: [[g.api, 3], [g.k8s, 7]] };
  const p = (x: Omit<Pattern, 'proto'> & { proto?: 'tcp' | 'udp' }): Pattern => ({ proto: 'tcp', ...x });
  return [
    // --- machine: flat rate
    p({ name: 'prometheus-scrape', cls: 'machine', weight: 28, src: one('prometheus'), dst: one(internal), dport: 9090, app: 'http', auth: 'none', enc: 'none',
      bytes: [700, 24_000], dur: 0.05, http: { method: 'GET', pathClass: 'metrics', ua: 'prometheus' } }),
    p({ name: 'dns', cls: 'machine', weight: 26, src: one(internal), dst: one('dns'), dport: 53, proto: 'udp', app: 'dns', auth: '', enc: 'none',
      bytes: [75, 160], dur: 0.01, dns: true }),
    p({ name: 'statsd', cls: 'machine', weight: 14, src: one(span('lb', 'k8s')), dst: one('statsd'), dport: 8125, proto: 'udp', app: 'statsd', auth: '', enc: 'none',
      bytes: [900, 0], dur: 0.001 }),
    p({ name: 'redis', cls: 'machine', weight: 8, src: apiOrPod, dst: one('redis'), dport: 6379, app: 'redis', auth: 'password', enc: 'none',
      bytes: [2_000, 6_000], dur: 2 }),
    p({ name: 'kafka', cls: 'machine', weight: 7, src: apiOrPod, dst: one('kafka'), dport: 9092, app: 'kafka', appGuess: 'port', auth: 'unknown', enc: 'unknown',
      bytes: [40_000, 8_000], dur: 30 }),
    p({ name: 'k8s-mesh', cls: 'machine', weight: 8, src: one('k8s'), dst: { peer: { mul: 31, choices: 5, step: 17, add: 1 } }, dport: 8443, app: 'tls', auth: 'mtls', enc: 'tls',
      bytes: [3_000, 12_000], dur: 0.3, tls: 'TLS 1.2' }),
    p({ name: 'vault', cls: 'machine', weight: 2, src: apiOrPod, dst: one('vault'), dport: 8200, app: 'tls', auth: 'tls-server-only', enc: 'tls',
      bytes: [1_500, 3_000], dur: 0.2, tls: 'TLS 1.2', sni: 'vault.internal' }),
    p({ name: 'ldaps', cls: 'machine', weight: 1.5, src: one(internal), dst: one('ldap'), dport: 636, app: 'ldaps', appGuess: 'port', auth: 'unknown', enc: 'tls',
      bytes: [1_200, 2_500], dur: 0.1, tls: 'TLS 1.3' }),
    p({ name: 'pg-replication', cls: 'machine', weight: 0.3, src: one('pgPrimary'), dst: one('pgReplica'), dport: 5432, app: 'postgres', auth: 'scram', enc: 'tls',
      bytes: [400_000, 20_000], dur: 600, pgAuth: 'scram-sha-256' }),
    p({ name: 'backup', cls: 'machine', weight: 0.1, src: one('backup'), dst: one('pgReplica'), dport: 5432, app: 'postgres', auth: 'scram', enc: 'tls',
      bytes: [20_000, 5_000_000], dur: 120, pgAuth: 'scram-sha-256' }),
    p({ name: 'forgotten-pi', cls: 'machine', weight: 0.05, src: one('pi'), dst: one('pgPrimary'), dport: 5432, app: 'postgres', auth: 'trust', enc: 'none',
      bytes: [3_000, 90_000], dur: 4, pgAuth: 'trust' }),
    p({ name: 'ntp', cls: 'machine', weight: 2, src: one(internal), dst: { pool: 'ntp' }, dport: 123, proto: 'udp', app: 'ntp', appGuess: 'port', auth: '', enc: 'none',
      bytes: [76, 76], dur: 0.02 }),
    p({ name: 'long-tail', cls: 'machine', weight: 3.5, src: one(internal), dst: { peer: { mul: 37, choices: 6, step: 101, add: 13 } }, dport: 'peer', app: 'unknown', auth: '', enc: 'unknown',
      bytes: [1_500, 4_000], dur: 1 }),
    // --- human: diurnal, weekdays
    p({ name: 'api-ingress', cls: 'human', weight: 25, src: { pool: 'clients' }, dst: one('lb'), dport: 443, app: 'tls', auth: 'tls-server-only', enc: 'tls',
      bytes: [2_500, 30_000], dur: 3, sni: 'api.example.com', tls: 'TLS 1.3' }),
    p({ name: 'lb-to-api', cls: 'human', weight: 20, src: one(span('lb', 'web')), dst: one('api'), dport: 8080, app: 'http', auth: 'bearer', enc: 'none',
      bytes: [2_000, 25_000], dur: 0.2, httpHost: 'api.internal:8080', http: { method: 'POST', pathClass: 'other', ua: 'go-http-client' } }),
    p({ name: 'api-to-db', cls: 'human', weight: 15, src: apiOrPod, dst: { mix: [[g.pgPrimary, 9], [g.pgReplica, 1]] }, dport: 5432, app: 'postgres', auth: 'scram', enc: 'tls',
      bytes: [5_000, 40_000], dur: 5, pgAuth: 'scram-sha-256' }),
    p({ name: 'api-to-payments', cls: 'human', weight: 4, src: one('api'), dst: one('payments'), dport: 443, app: 'tls', auth: 'mtls', enc: 'tls',
      bytes: [3_000, 4_000], dur: 0.4, sni: 'payments.internal', tls: 'TLS 1.2' }),
    p({ name: 'partner-to-payments', cls: 'human', weight: 2, src: one('partner'), dst: one('payments'), dport: 443, app: 'tls', auth: 'mtls', enc: 'tls',
      bytes: [2_000, 3_000], dur: 0.5, sni: 'payments.example.com', tls: 'TLS 1.2' }),
    p({ name: 'egress', cls: 'human', weight: 18, src: { mix: [[g.office, 4], [g.dev, 2], [g.ci, 1], [g.k8s, 2], [g.api, 1]] }, dst: { pool: 'dests' }, dport: 443,
      tailOwners: { hot: 100, owners: 3 },
      app: 'tls', auth: 'unknown', enc: 'tls', bytes: [4_000, 60_000], dur: 8, sni: 'pool', tls: 'TLS 1.3' }),
    p({ name: 'office-ldap', cls: 'human', weight: 3, src: one('office'), dst: one('ldap'), dport: 389, app: 'ldap', appGuess: 'port', auth: 'password', enc: 'none',
      bytes: [600, 1_500], dur: 0.1 }),
    p({ name: 'office-api', cls: 'human', weight: 3, src: one('office'), dst: one('lb'), dport: 443, app: 'tls', auth: 'tls-server-only', enc: 'tls',
      bytes: [3_000, 50_000], dur: 5, sni: 'api.example.com', tls: 'TLS 1.3' }),
    p({ name: 'ssh-bastion', cls: 'human', weight: 1, src: { mix: [[g.office, 5], [g.vpn, 5]] }, dst: one('bastion'), dport: 22, app: 'ssh', auth: 'unknown', enc: 'ssh',
      bytes: [30_000, 200_000], dur: 900 }),
    p({ name: 'ssh-hop', cls: 'human', weight: 1, src: one('bastion'), dst: one(internal), dport: 22, app: 'ssh', auth: 'unknown', enc: 'ssh',
      bytes: [20_000, 150_000], dur: 600 }),
    p({ name: 'ci-artifacts', cls: 'human', weight: 3, src: one('ci'), dst: one('artifact'), dport: 443, app: 'tls', auth: 'unknown', enc: 'tls',
      bytes: [50_000, 2_000_000], dur: 20, sni: 'artifacts.internal', tls: 'TLS 1.3' }),
    p({ name: 'ci-registries', cls: 'human', weight: 2, src: one('ci'), dst: { pool: 'registries' }, dport: 443, app: 'tls', auth: 'unknown', enc: 'tls',
      bytes: [20_000, 5_000_000], dur: 15, sni: 'pool', tls: 'TLS 1.3' }),
    p({ name: 'ci-deploy', cls: 'human', weight: 1, src: one('ci'), dst: one('k8s'), dport: 6443, app: 'tls', auth: 'mtls', enc: 'tls',
      bytes: [10_000, 30_000], dur: 2, tls: 'TLS 1.2' }),
    p({ name: 'dev-replica', cls: 'human', weight: 1, src: one('dev'), dst: one('pgReplica'), dport: 5432, app: 'postgres', auth: 'md5', enc: 'none',
      bytes: [4_000, 300_000], dur: 60, pgAuth: 'md5' }),
  ];
}

// ---------------------------------------------------------------------------------------------------
// The INSERT … SELECT

const OUT_COLUMNS = [
  'received_at', 'agent', 'start', 'end', 'proto', 'src', 'sport', 'dst', 'dport', 'orig_pkts', 'resp_pkts', 'orig_ip_bytes',
  'resp_ip_bytes', 'orig_bytes', 'resp_bytes', 'state', 'history', 'end_reason', 'initiator', 'sampling', 'frags', 'vlan',
  'app', 'app_guess', 'auth', 'encryption', 'tls_version', 'sni', 'http_host', 'http_method', 'http_path_class',
  'user_agent_family', 'dns_query', 'dns_qtype', 'pg_auth',
] as const;

const MAX_MIX = 5;
const str = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const strs = (xs: string[]) => `[${xs.map(str).join(', ')}]`;
const ints = (xs: number[]) => `[${xs.join(', ')}]`;
const nested = (xss: number[][]) => `[${xss.map(ints).join(', ')}]`;

/** Σ (u ≥ cumulative weight) within a class: the pattern's index among that class's patterns. */
function pickPattern(ps: Pattern[], cls: Cls, u: string, offset: number): string {
  const mine = ps.filter((p) => p.cls === cls);
  const total = mine.reduce((s, p) => s + p.weight, 0);
  let acc = 0;
  const cuts: string[] = [];
  for (const p of mine.slice(0, -1)) {
    acc += p.weight / total;
    cuts.push(`(${u} >= ${lit(acc)})`);
  }
  return `(${offset} + ${cuts.join(' + ')})`;
}

/** Per-pattern arrays for a host mix: cut points (in tenths, 10 = unused), group starts and counts. */
function mixArrays(ps: Pattern[], end: (p: Pattern) => { mix: Mix } | null) {
  const cuts: number[][] = Array.from({ length: MAX_MIX - 1 }, () => []);
  const starts: number[][] = [];
  const counts: number[][] = [];
  for (const p of ps) {
    const mix = end(p)?.mix ?? [[{ start: 0, count: 1 }, 10]];
    if (mix.length > MAX_MIX || mix.reduce((s, [, w]) => s + w, 0) !== 10) throw new Error(`synth-week: bad mix in ${p.name}`);
    let acc = 0;
    for (let j = 0; j < MAX_MIX - 1; j++) {
      acc += mix[j]?.[1] ?? 0;
      cuts[j]!.push(j < mix.length - 1 ? acc : 10);
    }
    const pad = <T>(xs: T[], fill: T) => [...xs, ...Array<T>(MAX_MIX - xs.length).fill(fill)];
    starts.push(pad(mix.map(([grp]) => grp.start), 0));
    counts.push(pad(mix.map(([grp]) => grp.count), 1));
  }
  return { cuts, starts, counts };
}

/** The generating SELECT's INSERT, with parameters {hosts}, {total}, {offset}, {count}, {week_start}. */
export function generateSql(net: WeekNetwork): string {
  const d = density();
  const ps = [...patterns(net.groups)].sort((a, b) => (a.cls === b.cls ? 0 : a.cls === 'machine' ? -1 : 1));
  const machineCount = ps.filter((p) => p.cls === 'machine').length;
  const u = (h: string) => `(${h} % 1000000) / 1000000.0`;
  const at = (array: string, idx = 'pid') => `${array}[${idx} + 1]`;
  const src = mixArrays(ps, (p) => ('mix' in p.src ? p.src : null));
  // A peer destination lives in the source's group.
  const dst = mixArrays(ps, (p) => ('mix' in p.dst ? p.dst : 'peer' in p.dst && 'mix' in p.src ? p.src : null));
  const peer = (f: keyof Peer, none: number) => ints(ps.map((p) => ('peer' in p.dst ? p.dst.peer[f] : none)));
  const poolOf = (e: Pattern['src'] | Pattern['dst']) => ('pool' in e ? POOLS[e.pool].id : 0);
  const srcPool = ints(ps.map((p) => poolOf(p.src)));
  const dstPool = ints(ps.map((p) => poolOf(p.dst)));
  const pools = [{ size: 1, skew: 1, octets: [10], salt: 0 }, ...POOL_LIST];
  const per = (f: (p: Pattern) => string) => strs(ps.map(f));
  const nums = (f: (p: Pattern) => number) => `[${ps.map((p) => lit(f(p))).join(', ')}]`;
  const scale = 'exp2(4 * uC - 2)'; // volume skew 0.25–4× around the mean
  const host = (idx: string) => `{hosts:Array(IPv6)}[${idx} + 1]`;
  const col: Record<(typeof OUT_COLUMNS)[number], string> = {
    // Received a few seconds after the flow ended: partitions are days of the week, as with live agents.
    received_at: `toDateTime(end) + 5`,
    agent: `concat('agent-', toString(hA % 12))`,
    start: 'start',
    end: `start + toIntervalMicrosecond(toUInt64(${at(nums((p) => p.dur))} * 1000000 * (0.2 + 1.6 * uC)))`,
    proto: at(per((p) => p.proto)),
    src: 'src',
    sport: 'toUInt16(32768 + hC % 28000)',
    dst: 'dst',
    dport: `toUInt16(if(${at(ints(ps.map((p) => (p.dport === 'peer' ? 1 : 0))))} = 1, 8000 + (intHash64(d_idx) % 60) * 13, ${at(ints(ps.map((p) => (p.dport === 'peer' ? 0 : p.dport))))}))`,
    orig_pkts: 'toUInt64(ceil(ob / 900) + 1)',
    resp_pkts: 'toUInt64(if(rb = 0, 0, ceil(rb / 1200) + 1))',
    orig_ip_bytes: 'toUInt64(ob)',
    resp_ip_bytes: 'toUInt64(rb)',
    orig_bytes: 'toUInt64(greatest(ob - 40 * (ceil(ob / 900) + 1), 0))',
    resp_bytes: 'toUInt64(if(rb = 0, 0, greatest(rb - 40 * (ceil(rb / 1200) + 1), 0)))',
    state: `if(rb = 0, 'S0', 'SF')`,
    history: `if(proto = 'tcp', 'ShADadFf', if(rb = 0, 'D', 'Dd'))`,
    end_reason: `if(proto = 'tcp', 'fin', 'idle')`,
    initiator: `if(proto = 'tcp', 'syn', 'port')`,
    sampling: '1',
    frags: '0',
    vlan: '0',
    app: at(per((p) => p.app)),
    app_guess: at(per((p) => p.appGuess ?? '')),
    auth: at(per((p) => p.auth)),
    encryption: at(per((p) => p.enc)),
    tls_version: at(per((p) => p.tls ?? '')),
    sni: `if(${at(per((p) => p.sni ?? ''))} = 'pool', concat('s', toString(pool_k), '.saas.example'), ${at(per((p) => p.sni ?? ''))})`,
    http_host: at(per((p) => p.httpHost ?? '')),
    http_method: at(per((p) => p.http?.method ?? '')),
    http_path_class: at(per((p) => p.http?.pathClass ?? '')),
    user_agent_family: at(per((p) => p.http?.ua ?? '')),
    dns_query: `if(${at(ints(ps.map((p) => (p.dns ? 1 : 0))))} = 1, ${strs(DNS_NAMES)}[hB % ${DNS_NAMES.length} + 1], '')`,
    dns_qtype: `if(${at(ints(ps.map((p) => (p.dns ? 1 : 0))))} = 1, if(hC % 4 = 0, 'AAAA', 'A'), '')`,
    pg_auth: at(per((p) => p.pgAuth ?? '')),
  };
  const comp = (cuts: number[][], digit: string) => cuts.map((c) => `(${digit} >= ${at(ints(c))})`).join(' + ');
  // Layers: (1) row number → hashes and time; (2) → pattern; (3) → endpoints; (4) → volumes; (5) → columns.
  return `
INSERT INTO flows (${OUT_COLUMNS.join(', ')})
SELECT ${OUT_COLUMNS.map((c) => `${col[c]} AS ${c}`).join(',\n       ')}
FROM (
  SELECT *, ${at(nums((p) => p.bytes[0]))} * ${scale} AS ob, ${at(nums((p) => p.bytes[1]))} * ${scale} AS rb,
         ${at(per((p) => p.proto))} AS proto
  FROM (
    SELECT *,
           if(${at(srcPool)} != 0, pool_ip, ${host('s_idx')}) AS src,
           if(${at(dstPool)} != 0, pool_ip, ${host('d_idx')}) AS dst
    FROM (
      SELECT *,
             ${at(ints(ps.map((p) => p.tailOwners?.hot ?? 0)))} AS tail_hot,
             tail_hot > 0 AND pool_k >= tail_hot AS owned,
             ${comp(src.cuts, 'if(owned, intHash64(pool_k) % 10, hC % 10)')} AS s_comp,
             ${comp(dst.cuts, 'intDiv(hC, 10) % 10')} AS d_comp,
             ${nested(src.counts)}[pid + 1][s_comp + 1] AS s_count,
             ${nested(dst.counts)}[pid + 1][d_comp + 1] AS d_count,
             if(owned, intHash64(pool_k * 8 + hB % ${at(ints(ps.map((p) => p.tailOwners?.owners ?? 1)))}), hA) % s_count AS s_local,
             ${nested(src.starts)}[pid + 1][s_comp + 1] + s_local AS s_idx,
             ${nested(dst.starts)}[pid + 1][d_comp + 1]
               + if(${at(peer('mul', 0))} = 0, hB % d_count,
                    (s_local * ${at(peer('mul', 0))} + (hB % ${at(peer('choices', 1))}) * ${at(peer('step', 0))} + ${at(peer('add', 0))}) % d_count) AS d_idx,
             greatest(${at(srcPool)}, ${at(dstPool)}) AS pool,
             toUInt32(floor(pow(uB, ${at(`[${pools.map((x) => lit(x.skew)).join(', ')}]`, 'pool')}) * ${at(ints(pools.map((x) => x.size)), 'pool')})) AS pool_k,
             toIPv6(toIPv4(bitOr(
               bitShiftLeft(toUInt32(${at(nested(pools.map((x) => x.octets)), 'pool')}[pool_k % ${at(ints(pools.map((x) => x.octets.length)), 'pool')} + 1]), 24),
               toUInt32(intHash64(pool_k * 7919 + ${at(ints(pools.map((x) => x.salt)), 'pool')}) % 16777216)))) AS pool_ip
      FROM (
        SELECT *, if(${u('hD')} < share, ${pickPattern(ps, 'human', u('hE'), machineCount)}, ${pickPattern(ps, 'machine', u('hE'), 0)}) AS pid
        FROM (
          SELECT number, intHash64(number) AS hA, intHash64(bitXor(number, 0x5bd1e995)) AS hB, intHash64(bitXor(number, 0x1b873593)) AS hC,
                 intHash64(bitXor(number, 0x85ebca6b)) AS hD, intHash64(bitXor(number, 0xc2b2ae35)) AS hE,
                 ${u('intHash64(bitXor(number, 0x27d4eb2f))')} AS uB, ${u('intHash64(bitXor(number, 0x165667b1))')} AS uC,
                 (number + 0.5) / {total:UInt64} AS pos,
                 ${bucketOf('pos', d.dayStart)} AS day,
                 (pos - ${arr(d.dayStart)}[day + 1]) / ${arr(d.dayWidth)}[day + 1] AS in_day,
                 day >= 5 AS weekend,
                 if(weekend, ${bucketOf('in_day', d.hourStart[1])}, ${bucketOf('in_day', d.hourStart[0])}) AS hour,
                 (in_day - if(weekend, ${arr(d.hourStart[1])}[hour + 1], ${arr(d.hourStart[0])}[hour + 1]))
                   / if(weekend, ${arr(d.hourWidth[1])}[hour + 1], ${arr(d.hourWidth[0])}[hour + 1]) AS in_hour,
                 if(weekend, ${arr(d.humanShare[1])}[hour + 1], ${arr(d.humanShare[0])}[hour + 1]) AS share,
                 toDateTime64({week_start:UInt32}, 6, 'UTC')
                   + toIntervalMicrosecond(toUInt64((day * ${DAY_S} + hour * ${HOUR_S} + least(in_hour, 0.999999) * ${HOUR_S}) * 1000000)) AS start
          FROM numbers({offset:UInt64}, {count:UInt64})
        )
      )
    )
  )
)`;
}

export interface GenerateProgress {
  rowsDone: number;
  rowsTotal: number;
  seconds: number;
}

/**
 * Inserts `total` rows for the week starting at `weekStart` (a Monday 00:00 UTC) in chunks of
 * `chunkRows`, in time order. The materialized views fill `edges_1h` and `names` as with any insert.
 */
export async function generateWeek(
  store: Store,
  net: WeekNetwork,
  opts: { total: number; chunkRows: number; weekStart: Date; onProgress?: (p: GenerateProgress) => void },
): Promise<void> {
  const sql = generateSql(net);
  const t0 = performance.now();
  for (let offset = 0; offset < opts.total; offset += opts.chunkRows) {
    const count = Math.min(opts.chunkRows, opts.total - offset);
    await store.command(
      sql,
      { hosts: net.hosts.map((h) => (h.includes(':') ? h : `::ffff:${h}`)), total: opts.total, offset, count, week_start: Math.floor(opts.weekStart.getTime() / 1000) },
      // insert_deduplicate = 0: no block hashes for retried inserts (there are none here).
      { async_insert: 0, max_execution_time: 0, insert_deduplicate: 0 },
    );
    opts.onProgress?.({ rowsDone: offset + count, rowsTotal: opts.total, seconds: (performance.now() - t0) / 1000 });
  }
}
