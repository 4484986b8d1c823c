import { describe, expect, it } from 'vitest';
import type { AllowRule } from '../intent/model.js';
import type { ObservedFlow } from './edge.js';
import { generateRules } from './generate-rules.js';
import { hygieneInputs, simulate } from './simulate.js';
import { targetsFromEdges } from './rule-common.js';
import { CREATED, EDGES } from './testdata/fixtures.js';

const rules = generateRules(EDGES, { owner: 'dba-team', created: CREATED, jewel: 'customer-db' });
const without = (id: string) => rules.filter((r) => r.id !== id);
const jewelEdges = EDGES.filter((e) => e.crossing && (e.dst_jewel === 'customer-db' || e.src_jewel === 'customer-db'));

function rule(over: Partial<AllowRule>): AllowRule {
  return {
    id: 'r', protects: { jewel: 'customer-db' }, src: { name: 'web', cidrs: ['10.0.1.0/24'] }, dst: { name: 'db', cidrs: ['10.0.2.20/32'] },
    proto: 'tcp', dport: 5432, owner: 'o', reason: 'x', created: CREATED, ...over,
  };
}

describe('simulate', () => {
  it('with a rule removed, denies exactly the edges that rule admitted, grouped, with volume and reason', () => {
    const sim = simulate(without('customer-db-tcp-5432-from-prod'), EDGES);
    expect(sim.denied.map((d) => [d.src_name, d.dst, d.dport, d.proto, d.flows])).toEqual([
      ['web-1', '10.0.2.20', 5432, 'tcp', 4200],
      ['web-2', '10.0.2.20', 5432, 'tcp', 3900],
      ['web-3', 'fd00:2::20', 5432, 'tcp', 1200],
    ]);
    expect(sim.denied[0]).toMatchObject({ src: '10.0.1.10', dst_name: 'customer-db', app: 'postgres', bytes: 98000000 });
    expect(sim.denied[0]!.reason).toBe('source web-1 (10.0.1.10) is not in the sources of customer-db-tcp-5432-from-data (tcp/5432 to customer-db (10.0.2.20))');
    expect(sim.denied[2]!.reason).toBe('no tcp rule admits traffic to customer-db (fd00:2::20)');
    expect(sim.denied_flows).toBe(9300);
    expect(sim.admitted + sim.denied_flows).toBe(jewelEdges.reduce((n, e) => n + e.flows, 0));
  });

  it('names a port mismatch, an egress gap and an expired rule', () => {
    const moved = rules.map((r) => (r.id === 'customer-db-tcp-9187-from-mgmt' ? { ...r, dport: 9188 } : r));
    expect(simulate(moved, EDGES).denied.map((d) => d.reason)).toEqual([
      'tcp/9187 to customer-db (10.0.2.20) is not admitted (rules to it admit tcp 22, 5432, 6432, 9188)',
    ]);
    const noEgress = simulate(without('customer-db-udp-8125-to-metrics'), EDGES);
    expect(noEgress.denied.map((d) => [d.src_name, d.dst_name, d.reason])).toEqual([['customer-db', 'metrics', 'no udp rule admits traffic to metrics (10.0.9.8)']]);
    const expiring = rules.map((r) => (r.id === 'customer-db-tcp-22-from-mgmt' ? { ...r, expires: '2026-11-26' } : r));
    expect(simulate(expiring, EDGES, { now: '2026-11-26T23:59:59Z' }).denied).toEqual([]);
    const after = simulate(expiring, EDGES, { now: '2026-11-27T00:00:00Z' });
    expect(after.denied.map((d) => d.reason)).toEqual(['only expired rule(s) admit it: customer-db-tcp-22-from-mgmt']);
    expect(after.by_rule['customer-db-tcp-22-from-mgmt']).toBe(0);
  });

  it('counts traffic outside the protected targets as out of scope, not denied', () => {
    const sim = simulate(rules, EDGES);
    const outside = EDGES.filter((e) => !jewelEdges.includes(e)).reduce((n, e) => n + e.flows, 0);
    expect(sim.out_of_scope).toBe(outside);
    expect(simulate([], EDGES)).toMatchObject({ admitted: 0, denied_flows: 0, out_of_scope: EDGES.reduce((n, e) => n + e.flows, 0) });
  });

  it('matches port ranges, any-port rules, and ICMP without ports', () => {
    const flows: ObservedFlow[] = [
      { src: '10.0.1.5', dst: '10.0.2.20', dport: 8000, proto: 'tcp' },
      { src: '10.0.1.5', dst: '10.0.2.20', dport: 9000, proto: 'tcp' },
      { src: '10.0.1.5', dst: '10.0.2.20', dport: 9001, proto: 'tcp' },
      { src: '10.0.1.5', dst: '10.0.2.20', dport: 3, proto: 'icmp' },
      { src: '10.0.1.5', dst: '10.0.2.20', dport: 53, proto: 'udp' },
    ];
    const rs = [
      rule({ id: 'range', dport: { from: 8000, to: 9000 } }),
      rule({ id: 'ping', proto: 'icmp', dport: undefined }),
      rule({ id: 'udp-any', proto: 'udp', dport: undefined }),
    ];
    const targets = { jewels: { 'customer-db': ['10.0.2.20'] }, zones: {} };
    const sim = simulate(rs, flows, { targets });
    expect(sim.by_rule).toEqual({ range: 2, ping: 1, 'udp-any': 1 });
    expect(sim.denied.map((d) => d.dport)).toEqual([9001]);
  });

  it('raw flows: IPv4-mapped addresses match IPv4 CIDRs; scope comes from target addresses; bytes from IP counters', () => {
    const flows: ObservedFlow[] = [
      { src: '::ffff:10.0.1.10', dst: '::ffff:10.0.2.20', dport: 5432, proto: 'tcp', orig_ip_bytes: 100, resp_ip_bytes: 900, end: '2026-11-26T10:00:00.000000Z' },
      { src: '::ffff:10.0.1.99', dst: '::ffff:10.0.2.20', dport: 5432, proto: 'tcp', orig_ip_bytes: 60, resp_ip_bytes: 40 },
      { src: '10.0.1.10', dst: '10.0.1.11', dport: 8080, proto: 'tcp' },
    ];
    const sim = simulate(rules, flows, { targets: targetsFromEdges(EDGES) });
    expect(sim.admitted).toBe(1);
    expect(sim.out_of_scope).toBe(1);
    expect(sim.denied).toMatchObject([{ src: '10.0.1.99', dst: '10.0.2.20', src_name: null, flows: 1, bytes: 100 }]);
    expect(sim.usage['customer-db-tcp-5432-from-prod']).toEqual({ flows: 1, bytes: 1000, last_matched: '2026-11-26T10:00:00.000000Z', src_hosts: 1, dst_hosts: 1 });
    expect(() => simulate(rules, flows)).toThrow(/need opts.targets/);
  });

  it('credits every matching rule and reports usage for hygiene', () => {
    const rs = [rule({ id: 'a' }), rule({ id: 'b', src: { name: 'one', cidrs: ['10.0.1.10/32'] } }), rule({ id: 'unused', dport: 1 })];
    const sim = simulate(rs, [{ src: '10.0.1.10', dst: '10.0.2.20', dport: 5432, proto: 'tcp', flows: 3, last_seen: '2026-11-26T00:00:00Z', src_zone: 'prod', dst_zone: 'data', dst_jewel: 'customer-db' }]);
    expect(sim.by_rule).toEqual({ a: 3, b: 3, unused: 0 });
    const { usage, hosts } = hygieneInputs(sim);
    expect([...usage]).toEqual([['a', '2026-11-26T00:00:00Z'], ['b', '2026-11-26T00:00:00Z'], ['unused', null]]);
    expect(hosts.get('a')).toEqual({ src: 1, dst: 1 });
  });

  it('labelled flows that do not cross a boundary are out of scope, even into the jewel', () => {
    const sim = simulate([rule({})], [{ src: '10.0.2.21', dst: '10.0.2.20', dport: 5432, proto: 'tcp', src_zone: 'data', dst_zone: 'data', src_jewel: 'customer-db', dst_jewel: 'customer-db' }]);
    expect(sim).toMatchObject({ admitted: 0, denied_flows: 0, out_of_scope: 1 });
  });
});
