import { describe, expect, it } from 'vitest';
import { formatIp, parseIp, parsePrefix, prefixTable } from './ip.js';
import { EMPTY_INTENT, UNASSIGNED_RANGES, type Intent } from './model.js';
import { createJewelLookup, jewelOf, jewelPrefixes, zoneMatch, zoneOf, zonePrefixes } from './resolve.js';

const intent: Intent = {
  ...EMPTY_INTENT,
  zones: [
    { name: 'prod', kind: 'internal', cidrs: ['10.0.0.0/16', 'fd00:100::/32'] },
    { name: 'data', kind: 'internal', cidrs: ['10.0.2.0/24', 'fd00:100:2::/48'] },
    { name: 'dbhost', kind: 'internal', cidrs: ['10.0.2.20'] },
    { name: 'partner', kind: 'partner', cidrs: ['203.0.113.0/24', '2001:db8::/32'] },
  ],
  inventory: [
    { name: 'customer-db', address: '10.0.2.20' },
    { name: 'files', address: '10.0.3.0/28' },
  ],
  crown_jewels: [
    { name: 'customer-db', match: ['customer-db', 'fd00:100:2::20'], owner: 'o', why: 'w' },
    { name: 'files', match: ['files', 'files.acme.example'], owner: 'o', why: 'w' },
    { name: 'data-tier', match: ['10.0.2.0/24'], owner: 'o', why: 'w' },
    { name: 'dup', match: ['10.0.2.0/24'], owner: 'o', why: 'w' },
  ],
};

describe('zoneOf', () => {
  it('takes the most specific declared CIDR over all zones', () => {
    expect(zoneOf(intent, '10.0.1.10')).toBe('prod');
    expect(zoneOf(intent, '10.0.2.21')).toBe('data');
    expect(zoneOf(intent, '10.0.2.20')).toBe('dbhost');
    expect(zoneOf(intent, 'fd00:100::1')).toBe('prod');
    expect(zoneOf(intent, 'fd00:100:2::20')).toBe('data');
    expect(zoneOf(intent, '2001:db8:1::1')).toBe('partner');
    expect(zoneMatch(intent, '10.0.2.21')).toEqual({ zone: 'data', kind: 'internal', cidr: '10.0.2.0/24' });
  });

  it('matches IPv4 written as IPv4-mapped IPv6 against IPv4 CIDRs', () => {
    expect(zoneOf(intent, '::ffff:10.0.2.20')).toBe('dbhost');
    expect(zoneOf(intent, '::ffff:203.0.113.9')).toBe('partner');
    expect(zoneOf(intent, '::FFFF:a00:215')).toBe('data'); // 10.0.2.21 in hex
  });

  it('falls back to unassigned for private, ULA, link-local, loopback and CGNAT space, else internet', () => {
    for (const ip of ['10.9.0.1', '172.16.5.5', '172.31.255.255', '192.168.1.1', '100.64.0.1', '127.0.0.1', '169.254.1.1', 'fd12::1', 'fe80::1', '::1', '224.0.0.251', 'ff02::fb', '0.0.0.0', '255.255.255.255']) {
      expect(zoneOf(intent, ip), ip).toBe('unassigned');
    }
    for (const ip of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:1.1.1.1', '11.0.0.1']) {
      expect(zoneOf(intent, ip), ip).toBe('internet');
    }
    expect(zoneMatch(EMPTY_INTENT, '1.1.1.1')).toEqual({ zone: 'internet', kind: 'external', cidr: '::/0' });
    expect(zoneMatch(EMPTY_INTENT, '10.1.1.1')).toEqual({ zone: 'unassigned', kind: 'internal', cidr: '10.0.0.0/8' });
  });

  it('a declared prefix beats the built-in ranges, however wide it is', () => {
    const wan: Intent = { ...EMPTY_INTENT, zones: [{ name: 'everything', kind: 'internal', cidrs: ['0.0.0.0/0'] }] };
    expect(zoneOf(wan, '10.1.2.3')).toBe('everything');
    expect(zoneOf(wan, '8.8.8.8')).toBe('everything');
    expect(zoneOf(wan, 'fd00::1')).toBe('unassigned');
    expect(zoneOf(wan, '2001:db8::1')).toBe('internet');
  });

  it('refuses what is not an address', () => {
    expect(() => zoneOf(intent, 'customer-db')).toThrow(TypeError);
    expect(() => zoneOf(intent, '10.0.0.0/8')).toThrow('not an IP address: "10.0.0.0/8"');
  });
});

describe('jewelOf', () => {
  it('resolves names through the declared inventory, addresses and CIDRs as written', () => {
    expect(jewelOf(intent, '10.0.2.20')).toBe('customer-db');
    expect(jewelOf(intent, '::ffff:10.0.2.20')).toBe('customer-db');
    expect(jewelOf(intent, 'fd00:100:2::20')).toBe('customer-db');
    expect(jewelOf(intent, '10.0.3.5')).toBe('files'); // an inventory item can be a CIDR
    expect(jewelOf(intent, '10.0.2.99')).toBe('data-tier'); // the same prefix in `dup`: first declared wins
    expect(jewelOf(intent, '10.0.1.10')).toBeNull();
  });

  it('resolves other names through names seen on the wire, the inventory first', () => {
    const seen: Record<string, string[]> = { 'files.acme.example': ['10.0.9.9', 'fd00:9::9', 'not-an-ip'], 'customer-db': ['10.0.7.7'] };
    const resolveName = (name: string) => seen[name] ?? [];
    expect(jewelOf(intent, '10.0.9.9', resolveName)).toBe('files');
    expect(jewelOf(intent, 'fd00:9::9', resolveName)).toBe('files');
    expect(jewelOf(intent, '10.0.9.9')).toBeNull(); // no resolver: declared inventory only
    expect(jewelOf(intent, '10.0.7.7', resolveName)).toBeNull(); // customer-db is declared: the wire does not override it
    const lookup = createJewelLookup(intent, resolveName);
    expect(['10.0.9.9', '10.0.2.20', '8.8.8.8'].map(lookup)).toEqual(['files', 'customer-db', null]);
  });
});

describe('prefix lists for ClickHouse ip_trie', () => {
  it('lists declared prefixes in IPv6 form, then the built-in ranges no declared prefix contains, then ::/0', () => {
    const small: Intent = { ...EMPTY_INTENT, zones: [{ name: 'corp', kind: 'internal', cidrs: ['10.0.0.0/8', '10.0.2.20', 'fd00:100::/32'] }] };
    const rows = zonePrefixes(small);
    expect(rows.slice(0, 3)).toEqual([
      { prefix: '::ffff:10.0.0.0/104', zone: 'corp', kind: 'internal' },
      { prefix: '::ffff:10.0.2.20/128', zone: 'corp', kind: 'internal' },
      { prefix: 'fd00:100::/32', zone: 'corp', kind: 'internal' },
    ]);
    const builtins = rows.slice(3, -1);
    expect(builtins.every((r) => r.zone === 'unassigned' && r.kind === 'internal')).toBe(true);
    // 10.0.0.0/8 is declared, so the built-in 10.0.0.0/8 is left out; fc00::/7 is wider than fd00:100::/32 and stays.
    expect(builtins.map((r) => r.prefix)).not.toContain('::ffff:10.0.0.0/104');
    expect(builtins.map((r) => r.prefix)).toContain('fc00::/7');
    expect(builtins).toHaveLength(UNASSIGNED_RANGES.length - 1);
    expect(rows.at(-1)).toEqual({ prefix: '::/0', zone: 'internet', kind: 'external' });
  });

  it('a longest-prefix match over zonePrefixes gives zoneOf for every address', () => {
    const rows = zonePrefixes(intent);
    const trie = prefixTable(
      rows.map((r) => {
        const p = parsePrefix(r.prefix);
        if (!p.ok) throw new Error(r.prefix);
        return { prefix: p.prefix, value: r.zone };
      }),
    );
    // Addresses near every prefix boundary, plus a deterministic pseudo-random spread.
    let seed = 12345n;
    const next = () => (seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n));
    const samples: bigint[] = [];
    for (const r of rows) {
      const p = parsePrefix(r.prefix);
      if (!p.ok) continue;
      const size = 1n << BigInt(128 - p.prefix.len);
      samples.push(p.prefix.net, p.prefix.net + size - 1n, p.prefix.net + size, p.prefix.net - 1n);
    }
    for (let i = 0; i < 2000; i++) {
      const r = next();
      samples.push(i % 2 === 0 ? (0xffffn << 32n) | (r & 0xffffffffn) : (r << 64n) | next());
    }
    for (const addr of samples) {
      if (addr < 0n || addr >= 1n << 128n) continue;
      const ip = formatIp(addr);
      expect(trie(parseIp(ip)!), ip).toBe(zoneOf(intent, ip));
    }
  });

  it('lists jewel prefixes once each, names resolved', () => {
    const resolveName = (name: string) => (name === 'files.acme.example' ? ['10.0.9.9'] : []);
    expect(jewelPrefixes(intent, resolveName)).toEqual([
      { prefix: '::ffff:10.0.2.20/128', jewel: 'customer-db' },
      { prefix: 'fd00:100:2::20/128', jewel: 'customer-db' },
      { prefix: '::ffff:10.0.3.0/124', jewel: 'files' },
      { prefix: '::ffff:10.0.9.9/128', jewel: 'files' },
      { prefix: '::ffff:10.0.2.0/120', jewel: 'data-tier' },
    ]);
  });
});
