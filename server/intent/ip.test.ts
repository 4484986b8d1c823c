import { describe, expect, it } from 'vitest';
import { contains, formatCidr, formatIp, formatIpv6Prefix, parseIp, parsePrefix, prefixTable, type Prefix } from './ip.js';

const prefix = (s: string): Prefix => {
  const p = parsePrefix(s);
  if (!p.ok) throw new Error(`bad ${s}`);
  return p.prefix;
};

describe('parseIp', () => {
  it('takes IPv4 and IPv6, and IPv4-mapped IPv6 is the same address as IPv4', () => {
    expect(parseIp('10.0.0.1')).toBe(parseIp('::ffff:10.0.0.1'));
    expect(parseIp('10.0.0.1')).toBe(parseIp('::ffff:a00:1'));
    expect(parseIp('fd00:100::1')).toBe(0xfd000100n << 96n | 1n);
    expect(formatIp(parseIp('::ffff:10.0.0.1')!)).toBe('10.0.0.1');
    expect(formatIp(parseIp('FD00:0100:0000::0001')!)).toBe('fd00:100::1');
  });

  it('refuses what only some tools read as an address', () => {
    for (const s of ['10.1', '0x0a.0.0.1', '010.0.0.1', '10.0.0.01', '10.0.0.256', ' 10.0.0.1', 'fe80::1%eth0', '1::2::3', '', 'x'.repeat(100), 'localhost']) {
      expect(parseIp(s), s).toBeNull();
    }
  });
});

describe('parsePrefix', () => {
  it('reads CIDRs and single addresses into the 128-bit space', () => {
    expect(parsePrefix('10.0.0.0/22')).toEqual({ ok: true, prefix: { net: parseIp('10.0.0.0'), len: 118 } });
    expect(parsePrefix('10.0.2.20')).toEqual({ ok: true, prefix: { net: parseIp('10.0.2.20'), len: 128 } });
    expect(parsePrefix('fd00:100::/32')).toEqual({ ok: true, prefix: { net: parseIp('fd00:100::'), len: 32 } });
    expect(parsePrefix('::/0')).toEqual({ ok: true, prefix: { net: 0n, len: 0 } });
    expect(prefix('::ffff:10.0.0.0/104')).toEqual(prefix('10.0.0.0/8'));
  });

  it('says which network is meant when host bits are set', () => {
    expect(parsePrefix('10.0.0.1/22')).toEqual({ ok: false, reason: 'host-bits', network: '10.0.0.0/22', host: '10.0.0.1' });
    expect(parsePrefix('fd00:100::1/32')).toEqual({ ok: false, reason: 'host-bits', network: 'fd00:100::/32', host: 'fd00:100::1' });
  });

  it('refuses bad lengths and addresses', () => {
    for (const s of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/022', '10.0.0.0/-1', '10.0.0.0/8/8', '::/129', '10.0.0.300/24', 'a/8']) {
      expect(parsePrefix(s), s).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('prints the natural form and the IPv6 form ClickHouse ip_trie takes', () => {
    expect(formatCidr(prefix('10.0.0.0/22'))).toBe('10.0.0.0/22');
    expect(formatIpv6Prefix(prefix('10.0.0.0/22'))).toBe('::ffff:10.0.0.0/118');
    expect(formatIpv6Prefix(prefix('10.0.2.20'))).toBe('::ffff:10.0.2.20/128');
    expect(formatIpv6Prefix(prefix('fd00:100::/32'))).toBe('fd00:100::/32');
    expect(formatIpv6Prefix(prefix('::/0'))).toBe('::/0');
  });

  it('knows containment', () => {
    expect(contains(prefix('10.0.0.0/8'), prefix('10.1.0.0/16'))).toBe(true);
    expect(contains(prefix('10.0.0.0/8'), prefix('10.0.0.0/8'))).toBe(true);
    expect(contains(prefix('10.1.0.0/16'), prefix('10.0.0.0/8'))).toBe(false);
    expect(contains(prefix('::/0'), prefix('10.0.0.0/8'))).toBe(true);
    expect(contains(prefix('fc00::/7'), prefix('10.0.0.0/8'))).toBe(false);
  });
});

describe('prefixTable', () => {
  it('finds the longest matching prefix; the first of equal prefixes wins', () => {
    const lookup = prefixTable([
      { prefix: prefix('10.0.0.0/8'), value: 'a' },
      { prefix: prefix('10.0.2.0/24'), value: 'b' },
      { prefix: prefix('10.0.2.0/24'), value: 'dup' },
      { prefix: prefix('10.0.2.20'), value: 'c' },
    ]);
    expect(lookup(parseIp('10.9.9.9')!)).toBe('a');
    expect(lookup(parseIp('10.0.2.1')!)).toBe('b');
    expect(lookup(parseIp('::ffff:10.0.2.20')!)).toBe('c');
    expect(lookup(parseIp('11.0.0.1')!)).toBeUndefined();
  });
});
