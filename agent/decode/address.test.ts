// formatAddress against RFC 5952's own examples and Node's inet_ntop (net.SocketAddress).
import { SocketAddress } from 'node:net';
import { describe, expect, it } from 'vitest';
import { formatAddress } from './address.js';

/** The four big-endian 32-bit words of an IPv6 address in any valid text form. */
function words(text: string): [number, number, number, number] {
  const b = new SocketAddress({ address: text, family: 'ipv6' }).address; // normalised, validates
  const half = b.split('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').flatMap((g) => {
    if (!g.includes('.')) return [parseInt(g, 16)];
    const [a, c, d, e] = g.split('.').map(Number);
    return [(a! << 8) | c!, (d! << 8) | e!];
  }));
  const head = parse(half[0]!);
  const tail = half.length > 1 ? parse(half[1]!) : [];
  const groups = [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  return [0, 1, 2, 3].map((i) => ((groups[2 * i]! << 16) | groups[2 * i + 1]!) >>> 0) as [number, number, number, number];
}

describe('formatAddress', () => {
  it('prints IPv4-mapped addresses as dotted quads', () => {
    expect(formatAddress(0, 0, 0xffff, 0x0a630001)).toBe('10.99.0.1');
    expect(formatAddress(0, 0, 0xffff, 0)).toBe('0.0.0.0');
    expect(formatAddress(0, 0, 0xffff, 0xffffffff)).toBe('255.255.255.255');
    expect(formatAddress(0, 0, 0xffff, 0xc0a80101 | 0)).toBe('192.168.1.1'); // a signed word works too
  });

  // RFC 5952 §4: https://www.rfc-editor.org/rfc/rfc5952#section-4
  it.each([
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'], // §4.1 leading zeros, §4.2.1 longest run
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // §4.2.2 a single 0 group stays
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // §4.2.3 the longest run
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // §4.2.3 the first of equal runs
    ['2001:DB8::AAAA:BBBB', '2001:db8::aaaa:bbbb'], // §4.3 lowercase
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['fe80:0:0:0:0:0:0:a', 'fe80::a'],
    ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
    ['0:0:1:0:0:0:1:0', '0:0:1::1:0'],
    ['::ffff:0:1.2.3.4', '::ffff:0:102:304'], // IPv4-translated (RFC 2765) is not IPv4-mapped
    ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
  ])('%s → %s', (text, want) => {
    expect(formatAddress(...words(text))).toBe(want);
  });

  it('agrees with inet_ntop (net.SocketAddress) on 5000 addresses rich in zero groups', () => {
    let seed = 0x2545f491;
    const rnd = (): number => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return seed >>> 0; };
    let checked = 0;
    for (let i = 0; i < 5000; i++) {
      const groups = Array.from({ length: 8 }, () => (rnd() % 3 === 0 ? rnd() & 0xffff : 0));
      if (groups.slice(0, 5).every((g) => g === 0) && (groups[5] === 0 || groups[5] === 0xffff)) continue; // inet_ntop prints these with a dotted tail
      const text = groups.map((g) => g.toString(16)).join(':');
      const w = words(text);
      expect(formatAddress(...w), text).toBe(new SocketAddress({ address: text, family: 'ipv6' }).address);
      checked++;
    }
    expect(checked).toBeGreaterThan(4000);
  });
});
