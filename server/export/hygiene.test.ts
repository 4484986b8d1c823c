import { describe, expect, it } from 'vitest';
import type { AllowRule } from '../intent/model.js';
import { hygiene } from './hygiene.js';

const NOW = '2026-12-31T00:00:00Z';

function rule(id: string, over: Partial<AllowRule> = {}): AllowRule {
  return {
    id, protects: { jewel: 'customer-db' }, src: { name: 'web-1', cidrs: ['10.0.1.10/32'] }, dst: { name: 'customer-db', cidrs: ['10.0.2.20/32'] },
    proto: 'tcp', dport: 5432, owner: 'dba-team', reason: 'app reads orders', created: '2026-10-01', ...over,
  };
}

const kinds = (fs: ReturnType<typeof hygiene>) => fs.map((f) => `${f.rule}:${f.kind}`);

describe('hygiene', () => {
  it('a tight, used, owned rule has no findings', () => {
    expect(hygiene([rule('ok')], new Map([['ok', '2026-12-30T12:00:00Z']]), { now: NOW })).toEqual([]);
  });

  it('unused: never matched, or last matched before the window; young rules get time', () => {
    const rules = [rule('never'), rule('stale'), rule('recent'), rule('young', { created: '2026-12-20' })];
    const usage = new Map<string, string | null>([['never', null], ['stale', '2026-11-15T00:00:00Z'], ['recent', '2026-12-15T00:00:00Z'], ['young', null]]);
    const fs = hygiene(rules, usage, { now: NOW });
    expect(kinds(fs)).toEqual(['never:unused', 'stale:unused']);
    expect(fs[1]!.message).toBe('last matched 2026-11-15T00:00:00Z, more than 30 days ago');
    expect(kinds(hygiene(rules, usage, { now: NOW, staleDays: 60 }))).toEqual(['never:unused']);
    expect(kinds(hygiene([rule('missing')], new Map(), { now: NOW }))).toEqual(['missing:unused']);
  });

  it('too broad: any address, any port, wide ranges, a /16 or /48 used by two hosts', () => {
    const rules = [
      rule('any4', { src: { name: 'anyone', cidrs: ['0.0.0.0/0'] } }),
      rule('any6', { src: { name: 'anyone', cidrs: ['::/0'] } }),
      rule('anyport', { dport: undefined }),
      rule('range', { dport: { from: 1024, to: 65535 } }),
      rule('okrange', { dport: { from: 8000, to: 8999 } }),
      rule('slash16', { src: { name: 'prod', cidrs: ['10.0.0.0/16'] } }),
      rule('slash16busy', { src: { name: 'prod', cidrs: ['10.0.0.0/16'] } }),
      rule('slash48', { src: { name: 'prod6', cidrs: ['fd00:1::/48'] } }),
      rule('slash24', { src: { name: 'prod', cidrs: ['10.0.1.0/24'] } }),
      rule('icmp', { proto: 'icmp', dport: undefined }),
    ];
    const used = new Map(rules.map((r) => [r.id, '2026-12-30T00:00:00Z']));
    const hosts = new Map([
      ['slash16', { src: 2, dst: 1 }],
      ['slash16busy', { src: 300, dst: 1 }],
      ['slash48', { src: 1, dst: 1 }],
      ['slash24', { src: 1, dst: 1 }],
    ]);
    const fs = hygiene(rules, used, { now: NOW, hosts });
    expect(kinds(fs)).toEqual(['any4:any-address', 'any6:any-address', 'anyport:any-port', 'range:wide-port-range', 'slash16:broad-prefix', 'slash48:broad-prefix']);
    expect(fs.find((f) => f.rule === 'slash16')!.message).toBe('source /16 (65536 addresses, ≤ /16 of /32) admitted only 2 observed hosts');
    // without host counts, prefix breadth is not judged
    expect(kinds(hygiene(rules, used, { now: NOW })).filter((k) => k.endsWith('broad-prefix'))).toEqual([]);
  });

  it('missing owner or reason, and expired rules', () => {
    const rules = [rule('noowner', { owner: ' ' }), rule('noreason', { reason: '' }), rule('expired', { expires: '2026-12-30' }), rule('later', { expires: '2027-01-01' }), rule('baddate', { expires: 'soon' })];
    const used = new Map(rules.map((r) => [r.id, '2026-12-30T00:00:00Z']));
    const fs = hygiene(rules, used, { now: NOW });
    expect(kinds(fs)).toEqual(['baddate:expired', 'expired:expired', 'noowner:missing-owner', 'noreason:missing-reason']);
    expect(fs[0]!.message).toMatch(/not a date/);
  });

  it('refuses a bad now', () => {
    expect(() => hygiene([], new Map(), { now: 'yesterday' })).toThrow(/not a date-time/);
  });
});
