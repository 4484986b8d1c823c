import { describe, expect, it } from 'vitest';
import type { ObservedEdge } from './edge.js';
import { generateRules, sizing, slug } from './generate-rules.js';
import { targetsFromEdges } from './rule-common.js';
import { simulate } from './simulate.js';
import { CREATED, EDGES } from './testdata/fixtures.js';

const base = { owner: 'dba-team', created: CREATED };
const byId = (rules: ReturnType<typeof generateRules>) => new Map(rules.map((r) => [r.id, r]));

function edge(over: Partial<ObservedEdge>): ObservedEdge {
  return {
    src: '10.0.1.10', src_name: 'web-1', src_zone: 'prod', src_jewel: null,
    dst: '10.0.2.20', dst_name: 'customer-db', dst_zone: 'data', dst_jewel: 'customer-db',
    dport: 5432, proto: 'tcp', app: 'postgres', auth: 'scram', encryption: 'tls',
    flows: 1, packets: 10, bytes: 1000, first_seen: '2026-11-20T00:00:00Z', last_seen: '2026-11-20T01:00:00Z',
    clients: 1, crossing: true, ...over,
  };
}

describe('generateRules around a crown jewel', () => {
  const rules = generateRules(EDGES, { ...base, jewel: 'customer-db' });
  const m = byId(rules);

  it('reads like a person wrote it: ids, named sources, one proto and port per rule, in a stable order', () => {
    expect(rules.map((r) => r.id)).toEqual([
      'customer-db-tcp-22-from-mgmt',
      'customer-db-tcp-5432-from-data',
      'customer-db-tcp-5432-from-prod',
      'customer-db-tcp-6432-from-prod',
      'customer-db-tcp-9187-from-mgmt',
      'customer-db-udp-51000-from-mgmt',
      'customer-db-icmp-from-mgmt',
      'customer-db-icmp6-from-mgmt',
      'customer-db-tcp-443-to-backups.s3.example',
      'customer-db-udp-8125-to-metrics',
    ]);
    for (const r of rules) {
      expect(r.protects).toEqual({ jewel: 'customer-db' });
      expect(r.owner).toBe('dba-team');
      expect(r.created).toBe(CREATED);
      expect(r.reason).toMatch(/^observed \d+ flows?/);
    }
  });

  it('merges the sources that share destination, proto and port, and a dual-stack destination', () => {
    const r = m.get('customer-db-tcp-5432-from-prod')!;
    expect(r.src).toEqual({ name: 'web-1, web-2, web-3', cidrs: ['10.0.1.10/32', '10.0.1.11/32', 'fd00:1::12/128'] });
    expect(r.dst).toEqual({ name: 'customer-db', cidrs: ['10.0.2.20/32', 'fd00:2::20/128'] });
    expect(r.proto).toBe('tcp');
    expect(r.dport).toBe(5432);
    expect(r.reason).toBe('observed 9300 flows (postgres) 2026-11-20..2026-11-26');
  });

  it('names a larger group after its zone, with host addresses unless aggregation is asked for', () => {
    expect(m.get('customer-db-tcp-6432-from-prod')!.src).toEqual({
      name: 'prod (4 hosts)',
      cidrs: ['10.0.1.20/32', '10.0.1.21/32', '10.0.1.22/32', '10.0.1.23/32'],
    });
    const agg = byId(generateRules(EDGES, { ...base, jewel: 'customer-db', aggregate: 'cidr' }));
    expect(agg.get('customer-db-tcp-6432-from-prod')!.src.cidrs).toEqual(['10.0.1.20/30']);
    expect(agg.get('customer-db-tcp-5432-from-prod')!.src.cidrs).toEqual(['10.0.1.10/31', 'fd00:1::12/128']);
  });

  it('aggregation never widens: three of four hosts stay /31 + /32', () => {
    const edges = EDGES.filter((e) => e.src !== '10.0.1.23');
    const r = byId(generateRules(edges, { ...base, jewel: 'customer-db', aggregate: 'cidr' })).get('customer-db-tcp-6432-from-prod')!;
    expect(r.src.cidrs).toEqual(['10.0.1.20/31', '10.0.1.22/32']);
  });

  it('ICMP rules have no port; egress rules start at the jewel', () => {
    const icmp = m.get('customer-db-icmp-from-mgmt')!;
    expect(icmp.dport).toBeUndefined();
    expect(icmp.src.cidrs).toEqual(['10.0.9.7/32']);
    expect(m.get('customer-db-icmp6-from-mgmt')!.dst.cidrs).toEqual(['fd00:2::20/128']);
    const out = m.get('customer-db-udp-8125-to-metrics')!;
    expect(out.src).toEqual({ name: 'customer-db', cidrs: ['10.0.2.20/32'] });
    expect(out.dst).toEqual({ name: 'metrics', cidrs: ['10.0.9.8/32'] });
  });

  it('flags a destination port in the ephemeral range in the reason', () => {
    expect(m.get('customer-db-udp-51000-from-mgmt')!.reason).toMatch(/ephemeral port: check which side initiated/);
    expect(m.get('customer-db-tcp-5432-from-prod')!.reason).not.toMatch(/ephemeral/);
  });

  it('leaves out edges that do not cross a boundary or do not touch the jewel', () => {
    const noise = [
      ...EDGES,
      edge({ src: '10.0.2.21', src_name: 'replica', src_zone: 'data', src_jewel: 'customer-db', crossing: false }),
      edge({ dst: '10.0.2.40', dst_name: 'cache', dst_jewel: null, dport: 6379 }),
    ];
    expect(generateRules(noise, { ...base, jewel: 'customer-db' })).toEqual(rules);
  });

  it('is deterministic: shuffled input, same rules; a reason and an id prefix are applied', () => {
    const shuffled = [...EDGES].reverse();
    expect(generateRules(shuffled, { ...base, jewel: 'customer-db' })).toEqual(rules);
    const r = generateRules(EDGES, { ...base, jewel: 'customer-db', reason: 'PCI scope', idPrefix: 'sm-', expires: '2027-01-01' });
    expect(r[0]!.id).toBe('sm-customer-db-tcp-22-from-mgmt');
    expect(r[0]!.reason).toBe('PCI scope; observed 12 flows (ssh) 2026-11-22..2026-11-25');
    expect(r[0]!.expires).toBe('2027-01-01');
  });

  it('admits every observed crossing edge of the jewel (simulation denies nothing)', () => {
    const sim = simulate(rules, EDGES);
    expect(sim.denied).toEqual([]);
    const inScope = EDGES.filter((e) => e.crossing && (e.src_jewel === 'customer-db' || e.dst_jewel === 'customer-db'));
    expect(sim.admitted).toBe(inScope.reduce((n, e) => n + e.flows, 0));
    for (const r of rules) expect(sim.by_rule[r.id]).toBeGreaterThan(0);
  });
});

describe('generateRules for a zone and for everything', () => {
  it('zone: inbound from other zones and the zone’s egress', () => {
    const rules = generateRules(EDGES, { ...base, zone: 'mgmt' });
    expect(rules.map((r) => r.id)).toEqual(['mgmt-udp-53-from-prod', 'mgmt-udp-8125-from-data', 'mgmt-tcp-22-to-customer-db', 'mgmt-tcp-9187-to-customer-db', 'mgmt-udp-51000-to-customer-db', 'mgmt-icmp-to-customer-db', 'mgmt-icmp6-to-customer-db']);
    expect(rules.every((r) => r.protects.zone === 'mgmt')).toBe(true);
    expect(simulate(rules, EDGES).denied).toEqual([]);
  });

  it('everything: each edge is protected by its destination jewel, else its source jewel, else its destination zone', () => {
    const rules = generateRules(EDGES, { ...base });
    const m = byId(rules);
    expect(m.get('payments-api-tcp-8443-from-office')!.protects).toEqual({ jewel: 'payments-api' });
    expect(m.get('customer-db-tcp-5432-from-data')!.src.name).toBe('payments-api');
    expect(m.get('data-tcp-6379-from-prod')!.protects).toEqual({ zone: 'data' });
    expect(m.get('internet-tcp-443-from-prod')!.dst.name).toBe('api.stripe.com');
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const sim = simulate(rules, EDGES);
    expect(sim.denied).toEqual([]);
    expect(sim.admitted).toBe(EDGES.filter((e) => e.crossing).reduce((n, e) => n + e.flows, 0));
    expect(sim.out_of_scope).toBe(EDGES.filter((e) => !e.crossing).reduce((n, e) => n + e.flows, 0));
  });

  it('jewel hosts with their own names get their own rules and ids; same-family addresses are never merged', () => {
    const edges = [
      edge({ dst: '10.0.2.20', dst_name: 'db-1' }),
      edge({ dst: '10.0.2.21', dst_name: 'db-2' }),
      edge({ dst: '10.0.2.22', dst_name: 'customer-db' }),
      edge({ dst: '10.0.2.23', dst_name: 'customer-db' }),
    ];
    const rules = generateRules(edges, { ...base, jewel: 'customer-db' });
    expect(rules.map((r) => [r.id, r.dst.cidrs.join(' ')])).toEqual([
      ['customer-db-db-1-tcp-5432-from-prod', '10.0.2.20/32'],
      ['customer-db-db-2-tcp-5432-from-prod', '10.0.2.21/32'],
      ['customer-db-10.0.2.22-tcp-5432-from-prod', '10.0.2.22/32'],
      ['customer-db-10.0.2.23-tcp-5432-from-prod', '10.0.2.23/32'],
    ]);
  });

  it('reads IPv4-mapped addresses as IPv4 and names unnamed hosts by address', () => {
    const rules = generateRules([edge({ src: '::ffff:10.0.1.10', src_name: null, dst: '::ffff:10.0.2.20' })], { ...base, jewel: 'customer-db' });
    expect(rules[0]!.src).toEqual({ name: '10.0.1.10', cidrs: ['10.0.1.10/32'] });
    expect(rules[0]!.dst.cidrs).toEqual(['10.0.2.20/32']);
  });

  it('refuses zone-level edges and conflicting options', () => {
    expect(() => generateRules([edge({ src: 'prod', src_name: null })], { ...base, jewel: 'customer-db' })).toThrow(/not an IP address/);
    expect(() => generateRules(EDGES, { ...base, jewel: 'customer-db', zone: 'data' })).toThrow(/not both/);
  });

  it('slug keeps ids readable', () => {
    expect(slug('API.Stripe.com')).toBe('api.stripe.com');
    expect(slug('fd00:2::20')).toBe('fd00-2-20');
    expect(slug('Ana’s laptop')).toBe('ana-s-laptop');
  });
});

describe('sizing', () => {
  it('counts rules, addresses, CIDRs, labels and ports', () => {
    const rules = generateRules(EDGES, { ...base, jewel: 'customer-db' });
    expect(sizing(rules)).toEqual({
      rules: 10,
      // web-1, web-2, web-3, batch-1..4, jump, prometheus (v4 + v6), syslog-relay/metrics, payments-api,
      // customer-db (v4 + v6), backups
      distinct_addresses: 15,
      distinct_cidrs: 15,
      distinct_labels: 9,
      ports: 9,
      by_proto: { icmp: 1, icmp6: 1, tcp: 6, udp: 2 },
    });
    const agg = sizing(generateRules(EDGES, { ...base, jewel: 'customer-db', aggregate: 'cidr' }));
    expect(agg.distinct_addresses).toBe(15);
    expect(agg.distinct_cidrs).toBe(11);
  });

  it('counts a wide prefix by its size', () => {
    const [r] = generateRules([edge({})], { ...base, jewel: 'customer-db' });
    const wide = { ...r!, src: { name: 'everyone', cidrs: ['0.0.0.0/0'] } };
    expect(sizing([wide]).distinct_addresses).toBe(2 ** 32);
  });

  it('targetsFromEdges lists each jewel’s and zone’s addresses', () => {
    const t = targetsFromEdges(EDGES);
    expect(t.jewels['customer-db']).toEqual(['10.0.2.20', 'fd00:2::20']);
    expect(t.zones['office']).toEqual(['192.168.10.50']);
  });
});
