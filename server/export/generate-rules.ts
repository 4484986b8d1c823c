// From observed edges to the tightest allow-list that admits them: one protocol and one port per rule,
// named sources, grouped per protected crown jewel/zone and boundary. Pure: the caller fetches the edges
// (GET /api/v1/edges, crossing only) and stores the rules in the intent YAML.
//
// NOTE: grouping. Every boundary-crossing edge in scope becomes part of one rule, keyed by
//   (protected target, direction, source zone, destination address, proto, port)   — ICMP without port.
// Inbound (the target is the destination): the rule's sources are the clients from that zone, its
// destination the one target host. Outbound (the target is the source, egress): the sources are the
// target's own hosts that call that destination. So `customer-db-tcp-5432-from-prod` admits
// `web-1, web-2` (prod) → customer-db:5432, and `customer-db-tcp-443-to-api.stripe.com` admits the
// database hosts' egress to that one address.
//
// NOTE: ephemeral ports. Edges go initiator → responder, so `dport` is the service's port. When the
// agent could only guess the initiator (no SYN seen, no well-known port on either side) a UDP reply
// may look like a flow to a port ≥ 32768; the rule is still generated (the set must admit what was
// observed) and its reason says to check which side initiated.
import type { AllowRule, Endpoint } from '../intent/model.js';
import { L4_PROTOS, type L4Proto } from '../../common/flow-record.js';
import type { ObservedEdge } from './edge.js';
import {
  aggregateExact,
  compareAddress,
  formatAddress,
  formatPrefix,
  hostPrefix,
  minimalPrefixes,
  parseAddress,
  parsePrefix,
  prefixSize,
  type Address,
  type Prefix,
} from './cidr.js';
import { cmp, protectsKey, portText, type Direction } from './rule-common.js';

export interface GenerateOptions {
  /** Rules around one crown jewel: every crossing edge with the jewel at either end. */
  jewel?: string;
  /** Rules around one zone: every crossing edge with the zone at either end. */
  zone?: string;
  owner: string;
  /** Why these rules exist; the observation (flows, dates, apps) is appended to it. */
  reason?: string;
  /** ISO date or date-time written into every rule's `created`. */
  created: string;
  expires?: string;
  /** `cidr`: merge host addresses into the smallest prefixes that cover exactly them (never wider). */
  aggregate?: false | 'cidr';
  /** Prepended to every id, e.g. `sm-`. */
  idPrefix?: string;
}

/** Above this, a destination port is usually a client's ephemeral port (Linux: 32768–60999). */
export const EPHEMERAL_PORT_MIN = 32768;
/** A group of sources is listed by name up to this many hosts (and this many characters). */
const NAME_LIST_MAX_HOSTS = 3;
const NAME_LIST_MAX_CHARS = 60;

interface Host {
  addr: Address;
  name: string; // src_name/dst_name, else the address
  zone: string;
}

interface Group {
  protects: { jewel?: string; zone?: string };
  target: string; // the jewel or zone name
  direction: Direction;
  proto: L4Proto;
  port: number | null;
  boundaryZone: string; // inbound: the sources' zone; outbound: the destination's zone
  sources: Map<string, Host>;
  /** One destination host, or a dual-stack pair (one IPv4 and one IPv6 address with the same name). */
  dsts: Host[];
  flows: number;
  bytes: number;
  first: string;
  last: string;
  apps: Set<string>;
}

const PROTO_ORDER: Record<L4Proto, number> = { tcp: 0, udp: 1, icmp: 2, icmp6: 3 };

function asProto(p: string): L4Proto {
  if (!(L4_PROTOS as readonly string[]).includes(p)) throw new Error(`edge with unknown protocol "${p}"`);
  return p as L4Proto;
}

function host(ip: string, name: string | null, zone: string, side: string): Host {
  const addr = parseAddress(ip);
  if (!addr) throw new Error(`edge ${side} "${ip}" is not an IP address (rules need asset-level edges, not group=zone)`);
  return { addr, name: name && name.trim() !== '' ? name : formatAddress(addr.v, addr.addr), zone };
}

/** Which target an edge belongs to, and which way, for the chosen scope; null when out of scope. */
function scopeOf(e: ObservedEdge, o: GenerateOptions): { protects: Group['protects']; target: string; direction: Direction } | null {
  if (o.jewel !== undefined) {
    if (e.dst_jewel === o.jewel) return { protects: { jewel: o.jewel }, target: o.jewel, direction: 'inbound' };
    if (e.src_jewel === o.jewel) return { protects: { jewel: o.jewel }, target: o.jewel, direction: 'outbound' };
    return null;
  }
  if (o.zone !== undefined) {
    if (e.dst_zone === o.zone) return { protects: { zone: o.zone }, target: o.zone, direction: 'inbound' };
    if (e.src_zone === o.zone) return { protects: { zone: o.zone }, target: o.zone, direction: 'outbound' };
    return null;
  }
  // Everything: a jewel's perimeter first (inbound, then its egress), else the destination's zone.
  if (e.dst_jewel) return { protects: { jewel: e.dst_jewel }, target: e.dst_jewel, direction: 'inbound' };
  if (e.src_jewel) return { protects: { jewel: e.src_jewel }, target: e.src_jewel, direction: 'outbound' };
  return { protects: { zone: e.dst_zone }, target: e.dst_zone, direction: 'inbound' };
}

/** `customer-db`, `api.stripe.com`, `fd00-20`: lower case, [a-z0-9.-]. */
export function slug(s: string): string {
  const t = s
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return t === '' ? 'x' : t;
}

const dateOf = (iso: string) => iso.slice(0, 10);

function groupName(hosts: Host[], collective: string): string {
  if (hosts.length === 1) return hosts[0]!.name;
  const names = [...new Set(hosts.map((h) => h.name))];
  const list = names.join(', ');
  if (names.length === hosts.length && hosts.length <= NAME_LIST_MAX_HOSTS && list.length <= NAME_LIST_MAX_CHARS) return list;
  return `${collective} (${hosts.length} hosts)`;
}

function endpointOf(hosts: Host[], name: string, aggregate: GenerateOptions['aggregate']): Endpoint {
  const prefixes = hosts.map((h) => hostPrefix(h.addr));
  const cidrs = (aggregate === 'cidr' ? aggregateExact(prefixes) : minimalPrefixes(prefixes)).map(formatPrefix);
  return { name, cidrs };
}

function reasonOf(g: Group, o: GenerateOptions): string {
  const apps = [...g.apps].sort();
  const observed =
    `observed ${g.flows} flow${g.flows === 1 ? '' : 's'}` +
    (apps.length ? ` (${apps.join(', ')})` : '') +
    ` ${dateOf(g.first)}..${dateOf(g.last)}`;
  const ephemeral =
    g.port !== null && g.port >= EPHEMERAL_PORT_MIN
      ? `; port ${g.port} is usually a client's ephemeral port: check which side initiated`
      : '';
  return (o.reason && o.reason.trim() !== '' ? `${o.reason.trim()}; ${observed}` : observed) + ephemeral;
}

/**
 * The tightest rule set admitting every boundary-crossing edge in scope: around `jewel` (either
 * direction), around `zone`, or everything (each edge protected by its destination's jewel, else its
 * source's jewel as egress, else its destination's zone). Deterministic: same edges → same rules, ids
 * and order (by target, inbound before outbound, protocol, port, source zone, destination address).
 */
export function generateRules(edges: readonly ObservedEdge[], o: GenerateOptions): AllowRule[] {
  if (o.jewel !== undefined && o.zone !== undefined) throw new Error('generateRules: pass jewel or zone, not both');
  // Pass 1: one group per destination address.
  const perAddress = new Map<string, Group>();
  for (const e of edges) {
    if (!e.crossing) continue;
    const scope = scopeOf(e, o);
    if (!scope) continue;
    const proto = asProto(e.proto);
    const port = proto === 'icmp' || proto === 'icmp6' ? null : e.dport;
    const src = host(e.src, e.src_name, e.src_zone, 'src');
    const dst = host(e.dst, e.dst_name, e.dst_zone, 'dst');
    const boundaryZone = scope.direction === 'inbound' ? e.src_zone : e.dst_zone;
    const key = [protectsKey(scope), scope.direction, e.src_zone, proto, port ?? '', dst.name, addressText(dst.addr)].join('\u0000');
    let g = perAddress.get(key);
    if (!g) {
      g = { ...scope, proto, port, boundaryZone, sources: new Map(), dsts: [dst], flows: 0, bytes: 0, first: e.first_seen, last: e.last_seen, apps: new Set() };
      perAddress.set(key, g);
    }
    const srcText = addressText(src.addr);
    if (!g.sources.has(srcText)) g.sources.set(srcText, src);
    g.flows += e.flows;
    g.bytes += e.bytes;
    if (e.first_seen < g.first) g.first = e.first_seen;
    if (e.last_seen > g.last) g.last = e.last_seen;
    if (e.app && e.app !== 'unknown') g.apps.add(e.app);
  }
  // Pass 2: a named destination's IPv4 and IPv6 addresses share one rule (a flow never mixes families,
  // so this admits nothing more); two addresses of one family stay two rules (merging them would).
  const byName = new Map<string, Group[]>();
  for (const [key, g] of perAddress) {
    const nameKey = key.slice(0, key.lastIndexOf('\u0000'));
    const named = g.dsts[0]!.name !== addressText(g.dsts[0]!.addr);
    const k = named ? nameKey : key;
    const list = byName.get(k);
    if (list) list.push(g);
    else byName.set(k, [g]);
  }
  const groups: Group[] = [];
  for (const list of byName.values()) {
    const v4 = list.filter((g) => g.dsts[0]!.addr.v === 4).sort(byDst);
    const v6 = list.filter((g) => g.dsts[0]!.addr.v === 6).sort(byDst);
    for (let i = 0; i < Math.max(v4.length, v6.length); i++) {
      const pair = [v4[i], v6[i]].filter((g): g is Group => g !== undefined);
      groups.push(pair.length === 1 ? pair[0]! : mergeGroups(pair[0]!, pair[1]!));
    }
  }

  const sorted = groups.sort(
    (a, b) =>
      cmp(protectsKey(a), protectsKey(b)) ||
      (a.direction === b.direction ? 0 : a.direction === 'inbound' ? -1 : 1) ||
      PROTO_ORDER[a.proto] - PROTO_ORDER[b.proto] ||
      (a.port ?? -1) - (b.port ?? -1) ||
      cmp(a.boundaryZone, b.boundaryZone) ||
      compareAddress(a.dsts[0]!.addr, b.dsts[0]!.addr) ||
      compareAddress(firstSource(a), firstSource(b)),
  );

  const rules: AllowRule[] = sorted.map((g) => {
    const sources = [...g.sources.values()].sort((a, b) => compareAddress(a.addr, b.addr));
    const collective = g.direction === 'inbound' ? g.boundaryZone : g.target;
    const rule: AllowRule = {
      id: '',
      protects: g.protects,
      src: endpointOf(sources, groupName(sources, collective), o.aggregate),
      dst: endpointOf(g.dsts, g.dsts[0]!.name, false),
      proto: g.proto,
      ...(g.port !== null ? { dport: g.port } : {}),
      owner: o.owner,
      reason: reasonOf(g, o),
      created: o.created,
      ...(o.expires ? { expires: o.expires } : {}),
    };
    return rule;
  });
  assignIds(rules, sorted, o.idPrefix ?? '');
  return rules;
}

const addressText = (a: Address) => formatAddress(a.v, a.addr);
const byDst = (a: Group, b: Group) => compareAddress(a.dsts[0]!.addr, b.dsts[0]!.addr);

function mergeGroups(a: Group, b: Group): Group {
  const sources = new Map(a.sources);
  for (const [k, h] of b.sources) if (!sources.has(k)) sources.set(k, h);
  return {
    ...a,
    sources,
    dsts: [...a.dsts, ...b.dsts],
    flows: a.flows + b.flows,
    bytes: a.bytes + b.bytes,
    first: a.first < b.first ? a.first : b.first,
    last: a.last > b.last ? a.last : b.last,
    apps: new Set([...a.apps, ...b.apps]),
  };
}

function firstSource(g: Group): Address {
  let min: Address | null = null;
  for (const h of g.sources.values()) if (!min || compareAddress(h.addr, min) < 0) min = h.addr;
  return min!;
}

/**
 * `customer-db-tcp-5432-from-prod`, `customer-db-icmp-from-prod`, `customer-db-tcp-443-to-api.stripe.com`.
 * When a target has several destination hosts on the same port, the host is added
 * (`data-customer-db-tcp-5432-from-prod`); what still collides gets `-2`, `-3` in rule order.
 */
function assignIds(rules: AllowRule[], groups: Group[], prefix: string): void {
  const base = (g: Group, withHost: boolean) => {
    const port = g.port === null ? '' : `-${g.port}`;
    const t = slug(g.target);
    if (g.direction === 'outbound') return `${t}-${g.proto}${port}-to-${slug(g.dsts[0]!.name)}`;
    const d = g.dsts[0]!;
    const hostSlug = slug(d.name) === t ? slug(addressText(d.addr)) : slug(d.name);
    return `${t}${withHost ? `-${hostSlug}` : ''}-${g.proto}${port}-from-${slug(g.boundaryZone)}`;
  };
  const first = groups.map((g) => base(g, false));
  const count = new Map<string, number>();
  for (const id of first) count.set(id, (count.get(id) ?? 0) + 1);
  const second = groups.map((g, i) => (count.get(first[i]!)! > 1 && g.direction === 'inbound' ? base(g, true) : first[i]!));
  const taken = new Set<string>();
  rules.forEach((r, i) => {
    let id = second[i]!;
    if (taken.has(id)) {
      let k = 2;
      while (taken.has(`${id}-${k}`)) k++;
      id = `${id}-${k}`;
    }
    taken.add(id);
    r.id = `${prefix}${id}`;
  });
}

export interface Sizing {
  rules: number;
  /** Addresses the rules name, counted once (a /24 is 256). */
  distinct_addresses: number;
  /** Distinct CIDR entries (a vendor's "IP set entries"). */
  distinct_cidrs: number;
  /** Distinct endpoint names (a vendor's "labels"/"groups"/"tags"). */
  distinct_labels: number;
  /** Distinct protocol/port entries (`tcp/5432`, `udp/8125`, `icmp`). */
  ports: number;
  /** Rules per protocol: ICMP rules are what NetworkPolicy cannot express. */
  by_proto: Record<string, number>;
}

/** A rule set's size, to hold against a vendor's limits. */
export function sizing(rules: readonly AllowRule[]): Sizing {
  const prefixes: Prefix[] = [];
  const cidrs = new Set<string>();
  const labels = new Set<string>();
  const ports = new Set<string>();
  const byProto: Record<string, number> = {};
  for (const r of rules) {
    for (const ep of [r.src, r.dst]) {
      labels.add(ep.name);
      for (const c of ep.cidrs) {
        const p = parsePrefix(c);
        if (!p) continue;
        prefixes.push(p);
        cidrs.add(formatPrefix(p));
      }
    }
    const pt = portText(r);
    ports.add(pt === '' ? r.proto : `${r.proto}/${pt}`);
    byProto[r.proto] = (byProto[r.proto] ?? 0) + 1;
  }
  let addresses = 0n;
  for (const p of minimalPrefixes(prefixes)) addresses += prefixSize(p);
  return {
    rules: rules.length,
    distinct_addresses: Number(addresses),
    distinct_cidrs: cidrs.size,
    distinct_labels: labels.size,
    ports: ports.size,
    by_proto: Object.fromEntries(Object.entries(byProto).sort(([a], [b]) => cmp(a, b))),
  };
}
