import { describe, expect, it } from 'vitest';
import type { Edge } from '../api/types';
import { rectContains, rectsOverlap } from './geometry';
import { computeLayout, DEFAULT_THRESHOLD, type MapLayout } from './map-layout';

function edge(src: string, srcZone: string, dst: string, dstZone: string, over: Partial<Edge> = {}): Edge {
  return {
    src,
    src_name: null,
    src_zone: srcZone,
    src_jewel: null,
    dst,
    dst_name: null,
    dst_zone: dstZone,
    dst_jewel: null,
    dport: 443,
    proto: 'tcp',
    app: 'tls',
    auth: 'tls-server-only',
    encryption: 'tls',
    flows: 1,
    packets: 10,
    bytes: 1000,
    first_seen: '2026-11-27T00:00:00Z',
    last_seen: '2026-11-27T01:00:00Z',
    clients: 1,
    crown_jewel: null,
    crossing: srcZone !== dstZone,
    ...over,
  };
}

/** A deterministic generator (LCG), so the "random" big map is the same on every run. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ZONES = [
  { name: 'office', kind: 'internal' },
  { name: 'datacenter', kind: 'internal' },
  { name: 'dmz', kind: 'dmz' },
];

function smallEdges(): Edge[] {
  return [
    edge('192.0.2.10', 'office', '192.0.2.53', 'dmz', { dport: 53, proto: 'udp', app: 'dns', auth: 'none', encryption: 'none', bytes: 500 }),
    edge('192.0.2.110', 'office', '192.0.2.120', 'datacenter', {
      dport: 5432,
      app: 'postgresql',
      auth: 'md5',
      encryption: 'none',
      dst_jewel: 'customer-db',
      dst_name: 'db-1',
      crown_jewel: 'customer-db',
      bytes: 90_000,
    }),
    edge('192.0.2.110', 'office', '192.0.2.120', 'datacenter', { dport: 9443, dst_jewel: 'customer-db', dst_name: 'db-1', bytes: 7000 }),
    edge('2001:db8:20::10', 'office', '2001:db8:20::53', 'dmz', { dport: 53, proto: 'udp', encryption: 'none', auth: 'none' }),
    edge('192.0.2.10', 'office', '203.0.113.7', 'internet', { bytes: 123_456 }),
    edge('192.0.2.53', 'dmz', '192.0.2.10', 'office', { proto: 'icmp', dport: 3, app: 'icmp', auth: null, encryption: 'none' }),
  ];
}

function bigEdges(nAssets: number, seed = 7): Edge[] {
  const rnd = lcg(seed);
  const zones = ['office', 'datacenter', 'dmz', 'internet'];
  const ips: { ip: string; zone: string }[] = [];
  for (let i = 0; i < nAssets; i++) {
    const zone = zones[i % zones.length]!;
    const ip = zone === 'internet' ? `203.0.${(i * 7) % 250}.${(i % 200) + 1}` : `10.${zones.indexOf(zone)}.${Math.floor(i / 40)}.${(i % 250) + 1}`;
    ips.push({ ip, zone });
  }
  const jewel = { ip: '10.1.200.5', zone: 'datacenter' };
  const out: Edge[] = [];
  for (let i = 0; i < ips.length; i++) {
    const a = ips[i]!;
    const b = ips[Math.floor(rnd() * ips.length)]!;
    if (a.ip !== b.ip) out.push(edge(a.ip, a.zone, b.ip, b.zone, { bytes: 1 + Math.floor(rnd() * 1e6) }));
    if (i % 10 === 0) out.push(edge(a.ip, a.zone, jewel.ip, jewel.zone, { dst_jewel: 'payments', crown_jewel: 'payments', bytes: 5000 }));
  }
  return out;
}

function shuffled<T>(list: T[], seed: number): T[] {
  const rnd = lcg(seed);
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function expectReadable(l: MapLayout) {
  // No two nodes' cells (node + its labels) overlap.
  for (let i = 0; i < l.nodes.length; i++) {
    for (let j = i + 1; j < l.nodes.length; j++) {
      expect(rectsOverlap(l.nodes[i]!.box, l.nodes[j]!.box), `${l.nodes[i]!.id} overlaps ${l.nodes[j]!.id}`).toBe(false);
    }
  }
  // Every node inside its zone's region, and the node's circle inside its cell.
  const regionOf = new Map(l.regions.map((r) => [r.zone, r]));
  for (const n of l.nodes) {
    const r = regionOf.get(n.zone);
    expect(r, `region of ${n.zone}`).toBeDefined();
    expect(rectContains(r!, n.box), `${n.id} inside ${n.zone}`).toBe(true);
    expect(rectContains(n.box, { x: n.x - n.r, y: n.y - n.r, w: 2 * n.r, h: 2 * n.r })).toBe(true);
  }
  // Regions do not overlap each other.
  for (let i = 0; i < l.regions.length; i++) {
    for (let j = i + 1; j < l.regions.length; j++) expect(rectsOverlap(l.regions[i]!, l.regions[j]!)).toBe(false);
  }
  // Every link joins two drawn nodes.
  const ids = new Set(l.nodes.map((n) => n.id));
  for (const k of l.links) {
    expect(ids.has(k.source) && ids.has(k.target)).toBe(true);
    expect(k.source).not.toBe(k.target);
  }
}

describe('computeLayout', () => {
  it('draws every asset of a small view as its own node, inside its zone, without overlaps', () => {
    const l = computeLayout({ zones: ZONES, edges: smallEdges() });
    expect(l.level).toBe('asset');
    expect(l.nodes.map((n) => n.id).sort()).toEqual(
      ['192.0.2.10', '192.0.2.110', '192.0.2.120', '192.0.2.53', '2001:db8:20::10', '2001:db8:20::53', '203.0.113.7'].sort(),
    );
    expectReadable(l);
    // internet left of the internal zones; the empty-of-nothing declared zones all get a region.
    expect(l.regions.map((r) => r.zone)).toEqual(['internet', 'dmz', 'datacenter', 'office']);
    const db = l.nodes.find((n) => n.id === '192.0.2.120')!;
    expect(db).toMatchObject({ jewel: 'customer-db', label: 'db-1', sublabel: '192.0.2.120' });
    expect(db.r).toBeGreaterThan(l.nodes.find((n) => n.id === '192.0.2.10')!.r);
  });

  it('merges the edges between two nodes into one link and flags weak edges into a crown jewel', () => {
    const l = computeLayout({ zones: ZONES, edges: smallEdges() });
    const toDb = l.links.filter((k) => k.target === '192.0.2.120');
    expect(toDb).toHaveLength(1);
    expect(toDb[0]!.edges.map((e) => e.dport)).toEqual([5432, 9443]); // largest first
    expect(toDb[0]).toMatchObject({ security: 'plaintext', intoJewel: true, alert: true, bytes: 97_000 });
    const dns = l.links.find((k) => k.source === '192.0.2.10' && k.target === '192.0.2.53')!;
    expect(dns).toMatchObject({ security: 'unauthenticated', intoJewel: false, alert: false });
    // a→b and b→a are separate links and bend to opposite sides.
    const back = l.links.find((k) => k.source === '192.0.2.53' && k.target === '192.0.2.10')!;
    expect(back.security).toBe('unknown');
    expect(back.mid).not.toEqual(dns.mid);
  });

  it('gives identical output for the same input, whatever order the edges come in', () => {
    const edges = bigEdges(120);
    const a = computeLayout({ zones: ZONES, edges });
    const b = computeLayout({ zones: ZONES, edges: shuffled(edges, 3) });
    const c = computeLayout({ zones: [...ZONES].reverse(), edges: shuffled(edges, 11) });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c)).toBe(JSON.stringify(a));
    const small = computeLayout({ zones: ZONES, edges: smallEdges() });
    expect(JSON.stringify(computeLayout({ zones: ZONES, edges: shuffled(smallEdges(), 5) }))).toBe(JSON.stringify(small));
  });

  it('keeps existing nodes where they were when an asset in another zone appears', () => {
    const before = computeLayout({ zones: ZONES, edges: smallEdges() });
    const after = computeLayout({ zones: ZONES, edges: [...smallEdges(), edge('192.0.2.11', 'office', '192.0.2.53', 'dmz')] });
    const pos = (l: MapLayout, id: string) => {
      const n = l.nodes.find((m) => m.id === id)!;
      return { x: n.x, y: n.y, box: n.box };
    };
    // dmz sits before office, so its nodes do not move; office gains one node after the lower address.
    for (const id of ['192.0.2.53', '2001:db8:20::53', '203.0.113.7']) expect(pos(after, id)).toEqual(pos(before, id));
  });

  it('groups 300 assets into subnets or zones (never a crown jewel) and stays readable', () => {
    const edges = bigEdges(300);
    const l = computeLayout({ zones: ZONES, edges });
    expect(l.level).not.toBe('asset');
    expect(l.nodes.length).toBeLessThanOrEqual(DEFAULT_THRESHOLD + 1);
    expectReadable(l);
    const jewel = l.nodes.find((n) => n.jewel === 'payments');
    expect(jewel).toMatchObject({ kind: 'asset', id: '10.1.200.5' });
    // Every asset is represented exactly once.
    const members = l.nodes.flatMap((n) => n.members);
    const all = new Set(edges.flatMap((e) => [e.src, e.dst]));
    expect(new Set(members)).toEqual(all);
    expect(members).toHaveLength(all.size);
  });

  it('opens a group one level on expand, and keeps the rest in place', () => {
    const edges = bigEdges(300);
    const l = computeLayout({ zones: ZONES, edges });
    const group = l.nodes.find((n) => n.expandable)!;
    expect(group).toBeDefined();
    const opened = computeLayout({ zones: ZONES, edges, expanded: new Set([group.id]) });
    expect(opened.nodes.find((n) => n.id === group.id)).toBeUndefined();
    const inside = opened.nodes.filter((n) => n.members.some((m) => group.members.includes(m)));
    expect(inside.length).toBeGreaterThan(1);
    expect(inside.flatMap((n) => n.members).sort()).toEqual([...group.members].sort());
    expectReadable(opened);
  });

  it('draws nothing for no edges, but still one region per declared zone', () => {
    const l = computeLayout({ zones: ZONES, edges: [] });
    expect(l.nodes).toEqual([]);
    expect(l.links).toEqual([]);
    expect(l.regions.map((r) => r.zone).sort()).toEqual(['datacenter', 'dmz', 'office']);
    expectReadable(l);
  });
});
