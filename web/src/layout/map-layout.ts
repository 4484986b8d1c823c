// The map's placement: zones as regions, assets (or groups of them) as nodes on a grid inside their
// zone's region, links between nodes. Pure and deterministic: the same zones and edges give the same
// coordinates whatever order the edges arrive in (everything is placed by a stable sort on names and
// numeric addresses, never by randomness), so positions do not jump between reloads.
//
// NOTE: shapes.
//   regions: one per zone, { zone, kind, x, y, w, h } — a rectangle with the zone's name in a header
//   nodes:   { id, kind: asset | subnet | zone | rest, zone, x, y (centre), r, box (its grid cell) }
//            ids: the IP for assets, `subnet:<zone>:<cidr>`, `zone:<zone>`, `rest:<zone>:<parent>`
//   links:   one per (source node, target node), with every edge between them, largest first
//
// Large views: with more than `threshold` assets (~60 stay readable on a laptop screen), assets are
// grouped per /24 (IPv4) or /64 (IPv6) subnet inside each zone, and when that is still too many, per
// zone. Crown jewels are never grouped. `expanded` opens a group one level (zone → subnets → assets).
import { compareAddresses, subnetOf } from '../api/ip';
import type { Edge } from '../api/types';
import { curveBetween, type Point, type Rect } from './geometry';
import { edgeSecurity, isWeak, worstSecurity, type Security } from './security';

export type NodeKind = 'asset' | 'subnet' | 'zone' | 'rest';
export type Level = 'asset' | 'subnet' | 'zone';

export interface ZoneSpec {
  name: string;
  kind: string;
}

export interface Region extends Rect {
  zone: string;
  kind: string;
  /** Assets of this zone in view (grouped or not). */
  assets: number;
}

export interface MapNode {
  id: string;
  kind: NodeKind;
  zone: string;
  /** Name for assets (IP when none), CIDR for subnets, zone name for zone groups. */
  label: string;
  /** IP under a named asset; "N hosts" for groups. */
  sublabel: string;
  ip: string | null;
  name: string | null;
  jewel: string | null;
  /** Addresses inside (an asset: itself). */
  members: string[];
  expandable: boolean;
  x: number;
  y: number;
  r: number;
  /** The grid cell the node and its labels occupy; cells never overlap. */
  box: Rect;
  bytes: number;
}

export interface MapLink<E extends Edge = Edge> {
  id: string;
  source: string;
  target: string;
  /** Edges drawn by this link, largest first. */
  edges: E[];
  bytes: number;
  flows: number;
  security: Security;
  /** Some edge ends at a crown jewel. */
  intoJewel: boolean;
  /** A plaintext or unauthenticated edge into a crown jewel: drawn with a warning marker. */
  alert: boolean;
  path: string;
  mid: Point;
}

export interface MapLayout<E extends Edge = Edge> {
  level: Level;
  regions: Region[];
  nodes: MapNode[];
  links: MapLink<E>[];
  /** Edges whose two ends fell into the same node (inside a group): not drawn, counted. */
  hiddenEdges: number;
  width: number;
  height: number;
}

export interface LayoutInput<E extends Edge = Edge> {
  /** Declared zones (an empty declared zone still gets a region). Zones seen on edges are added. */
  zones: readonly ZoneSpec[];
  edges: readonly E[];
  expanded?: ReadonlySet<string>;
  /** Most nodes drawn before grouping; default 60. */
  threshold?: number;
}

export const DEFAULT_THRESHOLD = 60;
export const CELL_W = 172;
export const CELL_H = 100;
export const REGION_PAD = 18;
export const REGION_HEADER = 44;
export const REGION_GAP = 64;
const MAX_COLS = 6;
/** Node centre below the top of its cell; labels go below the node. */
const NODE_Y = 30;
export const NODE_R: Record<NodeKind | 'jewel', number> = { asset: 15, jewel: 21, subnet: 20, zone: 24, rest: 16 };

/** Left to right: outside first, then the shared middle, then the inside; unknown kinds by name. */
const KIND_ORDER = ['internet', 'external', 'partner', 'dmz', 'cloud', 'internal', 'management'];
const BUILTIN_KIND: Record<string, string> = { internet: 'internet', unassigned: 'unassigned' };

function zoneRank(z: ZoneSpec): number {
  if (z.name === 'internet') return -1;
  if (z.name === 'unassigned') return 99;
  const i = KIND_ORDER.indexOf(z.kind);
  return i < 0 ? KIND_ORDER.length : i;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Asset {
  ip: string;
  name: string | null;
  zone: string;
  jewel: string | null;
  bytes: number;
}

interface Unit {
  id: string;
  kind: NodeKind;
  zone: string;
  label: string;
  sublabel: string;
  ip: string | null;
  name: string | null;
  jewel: string | null;
  members: Asset[];
  expandable: boolean;
  sortKey: string;
}

function assetUnit(a: Asset): Unit {
  return {
    id: a.ip,
    kind: 'asset',
    zone: a.zone,
    label: a.name ?? a.ip,
    sublabel: a.name ? a.ip : '',
    ip: a.ip,
    name: a.name,
    jewel: a.jewel,
    members: [a],
    expandable: false,
    sortKey: a.ip,
  };
}

const hosts = (n: number) => `${n} host${n === 1 ? '' : 's'}`;

function groupUnit(id: string, kind: NodeKind, zone: string, label: string, members: Asset[], expandable: boolean): Unit {
  return { id, kind, zone, label, sublabel: hosts(members.length), ip: null, name: null, jewel: null, members, expandable, sortKey: members[0]!.ip };
}

/** Every address on the edges, with its zone, name and jewel; bytes summed over its edges. */
function collectAssets(edges: readonly Edge[]): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const add = (ip: string, name: string | null, zone: string, jewel: string | null, bytes: number) => {
    const a = assets.get(ip);
    if (!a) assets.set(ip, { ip, name, zone, jewel, bytes });
    else {
      a.bytes += bytes;
      // Several rows may disagree only if the server changed its mind mid-query; keep a stable choice.
      if (name !== null && (a.name === null || name < a.name)) a.name = name;
      if (jewel !== null && (a.jewel === null || jewel < a.jewel)) a.jewel = jewel;
    }
  };
  for (const e of edges) {
    add(e.src, e.src_name, e.src_zone, e.src_jewel, e.bytes);
    add(e.dst, e.dst_name, e.dst_zone, e.dst_jewel, e.bytes);
  }
  return assets;
}

function sortAssets(list: Asset[]): Asset[] {
  return list.sort((a, b) => compareAddresses(a.ip, b.ip) || byText(a.ip, b.ip));
}

/** Groups the zone's (non-jewel) assets per subnet; a subnet with one asset is that asset. */
function subnetUnits(zone: string, members: Asset[], expanded: ReadonlySet<string>): Unit[] {
  const bySubnet = new Map<string, Asset[]>();
  for (const a of members) {
    const s = subnetOf(a.ip);
    const list = bySubnet.get(s);
    if (list) list.push(a);
    else bySubnet.set(s, [a]);
  }
  const out: Unit[] = [];
  for (const [cidr, list] of bySubnet) {
    const id = `subnet:${zone}:${cidr}`;
    if (list.length === 1) out.push(assetUnit(list[0]!));
    else if (expanded.has(id)) out.push(...list.map(assetUnit));
    else out.push(groupUnit(id, 'subnet', zone, cidr, list, true));
  }
  return out;
}

function zoneUnits(zone: string, members: Asset[], level: Level, expanded: ReadonlySet<string>): Unit[] {
  if (members.length === 0) return [];
  if (level === 'asset') return members.map(assetUnit);
  if (level === 'subnet') return subnetUnits(zone, members, expanded);
  if (members.length === 1) return [assetUnit(members[0]!)];
  const id = `zone:${zone}`;
  if (expanded.has(id)) return subnetUnits(zone, members, expanded);
  return [groupUnit(id, 'zone', zone, `${zone} (all hosts)`, members, true)];
}

function countSubnets(members: Asset[]): number {
  return new Set(members.map((a) => subnetOf(a.ip))).size;
}

/** Keeps an expanded zone readable: past `cap` units, the smallest are folded into one `rest` node. */
function capUnits(zone: string, units: Unit[], cap: number): Unit[] {
  if (units.length <= cap) return units;
  const bytesOf = (u: Unit) => u.members.reduce((s, a) => s + a.bytes, 0);
  const ranked = [...units].sort((a, b) => bytesOf(b) - bytesOf(a) || byText(a.id, b.id));
  const keep = new Set(ranked.slice(0, cap - 1).map((u) => u.id));
  const rest = ranked.slice(cap - 1).flatMap((u) => u.members);
  const kept = units.filter((u) => keep.has(u.id));
  const r = groupUnit(`rest:${zone}`, 'rest', zone, `+${rest.length} more`, sortAssets(rest), false);
  r.sublabel = 'smaller hosts';
  return [...kept, r];
}

function orderUnits(units: Unit[]): Unit[] {
  const kindRank = (u: Unit) => (u.jewel ? 0 : u.kind === 'zone' ? 1 : u.kind === 'rest' ? 3 : 2);
  return units.sort(
    (a, b) =>
      kindRank(a) - kindRank(b) ||
      (a.jewel && b.jewel ? byText(a.jewel, b.jewel) : 0) ||
      compareAddresses(a.sortKey, b.sortKey) ||
      byText(a.id, b.id),
  );
}

function columnsFor(n: number): number {
  if (n <= 1) return 1;
  return Math.max(1, Math.min(MAX_COLS, Math.ceil(Math.sqrt(n * 1.6))));
}

/** The map's preferred width:height — a laptop or wall screen minus the app's chrome. */
export const TARGET_ASPECT = 1.9;

interface Packed {
  at: { x: number; y: number; h: number }[];
  width: number;
  height: number;
}

/** Places boxes in rows no wider than `target` (a box wider than it gets a row of its own). */
export function packRows(boxes: readonly { w: number; h: number }[], target: number): Packed {
  const at: Packed['at'] = [];
  let x = 0;
  let y = 0;
  let rowH = 0;
  let rowStart = 0;
  let width = 0;
  const closeRow = () => {
    for (let i = rowStart; i < at.length; i++) at[i]!.h = rowH;
  };
  boxes.forEach((b, i) => {
    if (x > 0 && x + b.w > target) {
      closeRow();
      y += rowH + REGION_GAP;
      x = 0;
      rowH = 0;
      rowStart = i;
    }
    at.push({ x, y, h: b.h });
    x += b.w + REGION_GAP;
    width = Math.max(width, x - REGION_GAP);
    rowH = Math.max(rowH, b.h);
  });
  closeRow();
  return { at, width, height: boxes.length === 0 ? 0 : y + rowH };
}

/** The row width whose packing has the aspect closest to TARGET_ASPECT (candidates: every row-break point). */
function bestTarget(boxes: readonly { w: number; h: number }[]): number {
  if (boxes.length === 0) return 0;
  const widest = boxes.reduce((m, b) => Math.max(m, b.w), 0);
  const candidates = new Set<number>([widest]);
  // Every run of consecutive boxes is a possible row: its width is a candidate target.
  for (let i = 0; i < boxes.length; i++) {
    let w = -REGION_GAP;
    for (let j = i; j < boxes.length; j++) {
      w += boxes[j]!.w + REGION_GAP;
      if (w >= widest) candidates.add(w);
    }
  }
  let best = widest;
  let bestScore = Infinity;
  for (const t of [...candidates].sort((a, b) => a - b)) {
    const p = packRows(boxes, t);
    const score = Math.abs(Math.log(p.width / Math.max(1, p.height) / TARGET_ASPECT));
    if (score < bestScore - 1e-9) {
      best = t;
      bestScore = score;
    }
  }
  return best;
}

export function computeLayout<E extends Edge>(input: LayoutInput<E>): MapLayout<E> {
  const threshold = input.threshold ?? DEFAULT_THRESHOLD;
  const expanded = input.expanded ?? new Set<string>();
  const assets = collectAssets(input.edges);

  // Zones: declared ones plus every zone seen on an edge.
  const zoneKinds = new Map<string, string>();
  for (const z of input.zones) zoneKinds.set(z.name, z.kind);
  for (const a of assets.values()) if (!zoneKinds.has(a.zone)) zoneKinds.set(a.zone, BUILTIN_KIND[a.zone] ?? 'other');
  const zones = [...zoneKinds].map(([name, kind]) => ({ name, kind }));
  zones.sort((a, b) => zoneRank(a) - zoneRank(b) || byText(a.name, b.name));

  const perZone = new Map<string, { jewels: Asset[]; others: Asset[] }>();
  for (const z of zones) perZone.set(z.name, { jewels: [], others: [] });
  for (const a of sortAssets([...assets.values()])) {
    const p = perZone.get(a.zone)!;
    (a.jewel ? p.jewels : p.others).push(a);
  }

  // Level of detail: as fine as fits under the threshold.
  let jewelCount = 0;
  let otherCount = 0;
  let subnetCount = 0;
  for (const p of perZone.values()) {
    jewelCount += p.jewels.length;
    otherCount += p.others.length;
    subnetCount += countSubnets(p.others);
  }
  const level: Level =
    jewelCount + otherCount <= threshold ? 'asset' : jewelCount + subnetCount <= threshold ? 'subnet' : 'zone';

  // Units per zone, then the grid inside each zone's region.
  const unitsByZone = new Map<string, Unit[]>();
  for (const z of zones) {
    const p = perZone.get(z.name)!;
    const units = [...p.jewels.map(assetUnit), ...zoneUnits(z.name, p.others, level, expanded)];
    unitsByZone.set(z.name, orderUnits(level === 'asset' ? units : capUnits(z.name, units, threshold)));
  }

  interface Box {
    zone: ZoneSpec;
    cols: number;
    rows: number;
    w: number;
    h: number;
  }
  const boxes: Box[] = zones.map((zone) => {
    const n = unitsByZone.get(zone.name)!.length;
    const cols = columnsFor(n);
    const rows = Math.max(1, Math.ceil(n / cols));
    return { zone, cols, rows, w: 2 * REGION_PAD + cols * CELL_W, h: REGION_HEADER + rows * CELL_H + REGION_PAD };
  });

  // Shelf packing: regions left to right, a new row when a row would get wider than `target`. The
  // target is the one (of a fixed list of candidates) whose map comes closest to a wide screen's shape.
  const rows = packRows(boxes.map((b) => ({ w: b.w, h: b.h })), bestTarget(boxes));
  const regions: Region[] = [];
  const nodes: MapNode[] = [];
  boxes.forEach((b, bi) => {
    const { x, y, h } = rows.at[bi]!;
    const units = unitsByZone.get(b.zone.name)!;
    regions.push({ zone: b.zone.name, kind: b.zone.kind, x, y, w: b.w, h, assets: units.reduce((s, u) => s + u.members.length, 0) });
    units.forEach((u, i) => {
      const col = i % b.cols;
      const row = Math.floor(i / b.cols);
      const box = { x: x + REGION_PAD + col * CELL_W, y: y + REGION_HEADER + row * CELL_H, w: CELL_W, h: CELL_H };
      nodes.push({
        id: u.id,
        kind: u.kind,
        zone: u.zone,
        label: u.label,
        sublabel: u.sublabel,
        ip: u.ip,
        name: u.name,
        jewel: u.jewel,
        members: u.members.map((a) => a.ip),
        expandable: u.expandable,
        x: box.x + CELL_W / 2,
        y: box.y + NODE_Y,
        r: u.jewel ? NODE_R.jewel : NODE_R[u.kind],
        box,
        bytes: u.members.reduce((s, a) => s + a.bytes, 0),
      });
    });
  });
  const { width, height } = rows;

  // Links: edges between the nodes their ends fall into.
  const nodeOf = new Map<string, MapNode>();
  for (const n of nodes) for (const m of n.members) nodeOf.set(m, n);
  const byPair = new Map<string, { source: MapNode; target: MapNode; edges: E[] }>();
  let hiddenEdges = 0;
  for (const e of input.edges) {
    const s = nodeOf.get(e.src)!;
    const t = nodeOf.get(e.dst)!;
    if (s === t) {
      hiddenEdges++;
      continue;
    }
    const id = `${s.id}→${t.id}`;
    const l = byPair.get(id);
    if (l) l.edges.push(e);
    else byPair.set(id, { source: s, target: t, edges: [e] });
  }
  const links: MapLink<E>[] = [];
  for (const [id, l] of byPair) {
    l.edges.sort((a, b) => b.bytes - a.bytes || b.flows - a.flows || byText(edgeKey(a), edgeKey(b)));
    const security = worstSecurity(l.edges.map(edgeSecurity));
    const intoJewel = l.edges.some((e) => e.dst_jewel !== null);
    const alert = l.edges.some((e) => e.dst_jewel !== null && isWeak(edgeSecurity(e)));
    const curve = curveBetween(l.source, l.source.r + 2, l.target, l.target.r + 6);
    links.push({
      id,
      source: l.source.id,
      target: l.target.id,
      edges: l.edges,
      bytes: l.edges.reduce((s, e) => s + e.bytes, 0),
      flows: l.edges.reduce((s, e) => s + e.flows, 0),
      security,
      intoJewel,
      alert,
      path: curve.d,
      mid: curve.mid,
    });
  }
  // Drawn smallest first, so the big ones (and alerts) end up on top.
  links.sort((a, b) => Number(a.alert) - Number(b.alert) || a.bytes - b.bytes || byText(a.id, b.id));

  return { level, regions, nodes, links, hiddenEdges, width, height };
}

/** The identity of an edge as the snapshot diff keys it: (src, dst, dport, proto, app, auth). */
export function edgeKey(e: Pick<Edge, 'src' | 'dst' | 'dport' | 'proto' | 'app' | 'auth'>): string {
  return `${e.src}|${e.dst}|${e.dport}|${e.proto}|${e.app ?? ''}|${e.auth ?? ''}`;
}
