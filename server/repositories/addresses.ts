// Addresses between ClickHouse (IPv6 columns, IPv4 stored ::ffff:-mapped) and people (dotted IPv4).
import ipaddr from 'ipaddr.js';

/** "::ffff:10.0.0.1" → "10.0.0.1"; IPv6 unchanged (ClickHouse already prints it compressed). */
export function displayIp(chIp: string): string {
  return chIp.startsWith('::ffff:') && chIp.includes('.') ? chIp.slice(7) : chIp;
}

/** A valid IPv4/IPv6 address in the form ClickHouse's IPv6 columns hold, or null. */
export function toStoredIp(s: string): string | null {
  if (!ipaddr.isValid(s)) return null;
  const a = ipaddr.parse(s);
  return a.kind() === 'ipv4' ? `::ffff:${a.toString()}` : a.toString();
}

interface Prefix<T> {
  net: ipaddr.IPv4 | ipaddr.IPv6;
  bits: number;
  value: T;
}

/** Longest-prefix match over a small list (declared inventory): IPv4 CIDRs match ::ffff: addresses. */
export function createPrefixMatcher<T>(entries: readonly { cidr: string; value: T }[]) {
  const prefixes: Prefix<T>[] = [];
  for (const e of entries) {
    try {
      const [net, bits] = e.cidr.includes('/') ? ipaddr.parseCIDR(e.cidr) : (() => {
        const a = ipaddr.parse(e.cidr);
        return [a, a.kind() === 'ipv4' ? 32 : 128] as [ipaddr.IPv4 | ipaddr.IPv6, number];
      })();
      prefixes.push({ net, bits, value: e.value });
    } catch {
      // validated by the intent schema; an entry that still does not parse matches nothing
    }
  }
  prefixes.sort((a, b) => b.bits - a.bits);
  return (ip: string): T | undefined => {
    if (!ipaddr.isValid(ip)) return undefined;
    const a = ipaddr.process(ip);
    for (const p of prefixes) if (p.net.kind() === a.kind() && a.match(p.net as never, p.bits)) return p.value;
    return undefined;
  };
}
