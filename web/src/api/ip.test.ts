import { describe, expect, it } from 'vitest';
import { checkCidr, checkCidrList, compareAddresses, formatAddress, parseAddress, subnetOf } from './ip';

describe('addresses', () => {
  it('parses IPv4 and IPv6 text forms, and refuses the rest', () => {
    expect(parseAddress('192.0.2.1')?.version).toBe(4);
    for (const v6 of ['::', '::1', '2001:db8::', 'fe80::1:2', '::ffff:192.0.2.1', '2001:db8:0:0:0:0:0:1']) expect(parseAddress(v6)?.version, v6).toBe(6);
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1::2::3', '2001:db8::g', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', 'office']) {
      expect(parseAddress(bad), bad).toBeNull();
    }
  });

  it('sorts numerically, IPv4 first', () => {
    const list = ['10.0.0.10', '2001:db8::2', '10.0.0.9', '::1', '9.255.255.255', '2001:db8::10'];
    expect([...list].sort(compareAddresses)).toEqual(['9.255.255.255', '10.0.0.9', '10.0.0.10', '::1', '2001:db8::2', '2001:db8::10']);
  });

  it('names the /24 or /64 an address is in', () => {
    expect(subnetOf('192.0.2.77')).toBe('192.0.2.0/24');
    expect(subnetOf('2001:db8:20::10')).toBe('2001:db8:20::/64');
  });

  it('formats IPv6 the RFC 5952 way', () => {
    expect(formatAddress(parseAddress('2001:0db8:0:0:1:0:0:1')!)).toBe('2001:db8::1:0:0:1');
    expect(formatAddress(parseAddress('::1')!)).toBe('::1');
  });
});

describe('CIDR checks for the zones editor', () => {
  it('accepts networks and single addresses', () => {
    expect(checkCidr('10.0.0.0/8')).toEqual({ ok: true, version: 4, prefix: 8 });
    expect(checkCidr('10.0.1.7')).toEqual({ ok: true, version: 4, prefix: 32 });
    expect(checkCidr('fd00:100::/32')).toEqual({ ok: true, version: 6, prefix: 32 });
    expect(checkCidr('0.0.0.0/0')).toMatchObject({ ok: true });
  });

  it('says what is wrong and how to fix it', () => {
    expect(checkCidr('10.0.300.0/24')).toMatchObject({ ok: false, message: expect.stringContaining('not an IP address or CIDR') });
    expect(checkCidr('10.0.0.0/33')).toMatchObject({ ok: false, message: expect.stringContaining('0–32') });
    expect(checkCidr('fd00::/129')).toMatchObject({ ok: false, message: expect.stringContaining('0–128') });
    expect(checkCidr('10.0.1.7/24')).toMatchObject({ ok: false, message: expect.stringContaining('did you mean 10.0.1.0/24') });
    expect(checkCidr('fd00::1/64')).toMatchObject({ ok: false, message: expect.stringContaining('did you mean fd00::/64') });
  });

  it('checks a list: every entry, duplicates, and that there is one at all', () => {
    expect(checkCidrList('10.0.0.0/8\n fd00::/8 ,192.0.2.1')).toEqual({ cidrs: ['10.0.0.0/8', 'fd00::/8', '192.0.2.1'], problems: [] });
    expect(checkCidrList('10.0.0.0/8\n10.0.0.0/8').problems).toEqual(['"10.0.0.0/8" is listed twice']);
    expect(checkCidrList('  ').problems).toEqual(['A zone needs at least one CIDR or address.']);
    expect(checkCidrList('bogus\n10.1.1.1/16').problems).toHaveLength(2);
  });
});
