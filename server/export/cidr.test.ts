import { describe, expect, it } from 'vitest';
import {
  aggregateExact,
  canonicalAddress,
  coveredBy,
  formatPrefix,
  minimalPrefixes,
  parseAddress,
  parsePrefix,
  prefixContains,
  type Prefix,
} from './cidr.js';

const P = (s: string): Prefix => {
  const p = parsePrefix(s);
  if (!p) throw new Error(`bad prefix ${s}`);
  return p;
};
const fmt = (ps: Prefix[]) => ps.map(formatPrefix);

describe('parsePrefix / formatPrefix', () => {
  it('reads bare addresses as hosts and canonicalises IPv6', () => {
    expect(formatPrefix(P('10.0.0.1'))).toBe('10.0.0.1/32');
    expect(formatPrefix(P('FD00:0:0::0020'))).toBe('fd00::20/128');
    expect(formatPrefix(P('2001:db8::/32'))).toBe('2001:db8::/32');
  });
  it('reads IPv4-mapped IPv6 as IPv4, addresses and prefixes', () => {
    expect(formatPrefix(P('::ffff:10.0.1.10'))).toBe('10.0.1.10/32');
    expect(formatPrefix(P('::ffff:10.0.0.0/104'))).toBe('10.0.0.0/8');
    expect(canonicalAddress('::ffff:192.168.1.1')).toBe('192.168.1.1');
  });
  it('clears host bits and says so', () => {
    const p = parsePrefix('10.0.0.5/24');
    expect(p && formatPrefix(p)).toBe('10.0.0.0/24');
    expect(p?.hostBits).toBe(true);
    expect(parsePrefix('10.0.0.0/24')?.hostBits).toBe(false);
  });
  it('rejects what is not an address or CIDR', () => {
    for (const bad of ['', 'web-1', '10.0.0.0/33', 'fd00::/129', '10.0.0.1/x', '300.1.1.1', 'fe80::1%eth0']) expect(parsePrefix(bad)).toBeNull();
  });
});

describe('aggregateExact', () => {
  const hosts = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => P(`10.0.1.${from + i}`));
  it('merges exactly covered prefixes: .0–.3 → /30', () => {
    expect(fmt(aggregateExact(hosts(0, 3)))).toEqual(['10.0.1.0/30']);
  });
  it('never widens: .0–.2 → /31 + /32, .1–.4 → /32 + /31 + /32', () => {
    expect(fmt(aggregateExact(hosts(0, 2)))).toEqual(['10.0.1.0/31', '10.0.1.2/32']);
    expect(fmt(aggregateExact(hosts(1, 4)))).toEqual(['10.0.1.1/32', '10.0.1.2/31', '10.0.1.4/32']);
  });
  it('merges a full /24 and keeps families apart', () => {
    const v6 = [P('fd00::0'), P('fd00::1'), P('fd00::2'), P('fd00::3')];
    expect(fmt(aggregateExact([...v6, ...hosts(0, 255)]))).toEqual(['10.0.1.0/24', 'fd00::/126']);
  });
  it('every result address was an input address (random sets)', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 50; round++) {
      const chosen = new Set<number>();
      for (let i = 0; i < 40; i++) chosen.add(Math.floor(rnd() * 64));
      const input = [...chosen].map((n) => P(`10.9.0.${n}`));
      const out = aggregateExact(input);
      for (let n = 0; n < 64; n++) {
        const a = parseAddress(`10.9.0.${n}`)!;
        expect(out.some((p) => prefixContains(p, a))).toBe(chosen.has(n));
      }
      // and it is minimal: no two results are siblings
      for (let i = 0; i + 1 < out.length; i++) {
        const a = out[i]!;
        const b = out[i + 1]!;
        const siblings = a.len === b.len && a.net >> BigInt(33 - a.len) === b.net >> BigInt(33 - b.len);
        expect(siblings).toBe(false);
      }
    }
  });
});

describe('minimalPrefixes / coveredBy', () => {
  it('drops contained and duplicate prefixes', () => {
    expect(fmt(minimalPrefixes([P('10.0.1.5'), P('10.0.0.0/16'), P('10.0.1.5'), P('fd00::1'), P('10.1.0.1')]))).toEqual([
      '10.0.0.0/16',
      '10.1.0.1/32',
      'fd00::1/128',
    ]);
  });
  it('a prefix is covered by a containing prefix or by hosts that tile it', () => {
    expect(coveredBy(P('10.0.1.0/30'), [P('10.0.0.0/16')])).toBe(true);
    expect(coveredBy(P('10.0.1.0/30'), [P('10.0.1.0'), P('10.0.1.1'), P('10.0.1.2'), P('10.0.1.3')])).toBe(true);
    expect(coveredBy(P('10.0.1.0/30'), [P('10.0.1.0'), P('10.0.1.1'), P('10.0.1.3')])).toBe(false);
    expect(coveredBy(P('10.0.1.0/32'), [P('fd00::/8')])).toBe(false);
  });
});
