// Strict IP and CIDR parsing in one 128-bit space: IPv6 as is, IPv4 as its IPv4-mapped IPv6 form
// (::ffff:a.b.c.d, RFC 4291 §2.5.5.2), so `::ffff:10.0.0.1` and `10.0.0.1` are the same address and
// one prefix table serves both families. This is also how the store keeps addresses (IPv6 columns).
//
// Stricter than ipaddr.js's `parse`, which also takes `10.1`, `0x0a.0.0.1`, `010.0.0.1` (octal to some
// tools, decimal to others) and zone ids (`fe80::1%eth0`): none of those belong in a policy file.
import ipaddr from 'ipaddr.js';

/** A prefix in the 128-bit space: `net` has no host bits set; `len` is 0..128. */
export interface Prefix {
  net: bigint;
  len: number;
}

/** ::ffff:0:0/96, where IPv4 lives in the 128-bit space. */
export const V4_MAPPED_NET = 0xffffn << 32n;
export const V4_MAPPED_LEN = 96;
const ALL_ONES = (1n << 128n) - 1n;
/** Longest text worth parsing: a full IPv6 address with an embedded IPv4 and /128 is 50 characters. */
const MAX_TEXT = 64;

export function maskOf(len: number): bigint {
  return len === 0 ? 0n : (ALL_ONES << BigInt(128 - len)) & ALL_ONES;
}

export function isV4Mapped(addr: bigint): boolean {
  return addr >> 32n === 0xffffn;
}

/** An address in the 128-bit space, or null when `text` is not exactly one IPv4 or IPv6 address. */
export function parseIp(text: string): bigint | null {
  if (text.length === 0 || text.length > MAX_TEXT) return null;
  if (text.includes(':')) {
    if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return null;
    let v = 0n;
    for (const part of ipaddr.IPv6.parse(text).parts) v = (v << 16n) | BigInt(part);
    return v;
  }
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return null;
  let v = 0n;
  for (const octet of ipaddr.IPv4.parse(text).octets) v = (v << 8n) | BigInt(octet);
  return V4_MAPPED_NET | v;
}

export type PrefixParse =
  | { ok: true; prefix: Prefix }
  | { ok: false; reason: 'invalid' }
  /** The address has bits set past the prefix length; `network` is the CIDR meant, `host` the address. */
  | { ok: false; reason: 'host-bits'; network: string; host: string };

/** `10.0.0.0/22`, `fd00:100::/32`, or a single address (`10.0.2.20` = /32, `fd00::1` = /128). */
export function parsePrefix(text: string): PrefixParse {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const addr = parseIp(addrText);
  if (addr === null) return { ok: false, reason: 'invalid' };
  const v4 = !addrText.includes(':');
  const max = v4 ? 32 : 128;
  let len = max;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(lenText)) return { ok: false, reason: 'invalid' };
    len = Number(lenText);
    if (len > max) return { ok: false, reason: 'invalid' };
  }
  const len128 = v4 ? len + V4_MAPPED_LEN : len;
  const net = addr & maskOf(len128);
  if (net !== addr) {
    return { ok: false, reason: 'host-bits', network: formatCidr({ net, len: len128 }), host: formatIp(addr) };
  }
  return { ok: true, prefix: { net, len: len128 } };
}

/** True when `inner` lies inside `outer` (or equals it). */
export function contains(outer: Prefix, inner: Prefix): boolean {
  return outer.len <= inner.len && (inner.net & maskOf(outer.len)) === outer.net;
}

function v4Text(addr: bigint): string {
  const n = Number(addr & 0xffffffffn);
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function v6Text(addr: bigint): string {
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((addr >> BigInt(i * 16)) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

/** The natural text of an address: dotted IPv4 for IPv4-mapped addresses, RFC 5952 IPv6 otherwise. */
export function formatIp(addr: bigint): string {
  return isV4Mapped(addr) ? v4Text(addr) : v6Text(addr);
}

/** The natural CIDR text: `10.0.0.0/22` for prefixes inside ::ffff:0:0/96, `fd00:100::/32` otherwise. */
export function formatCidr(p: Prefix): string {
  if (p.len >= V4_MAPPED_LEN && isV4Mapped(p.net)) return `${v4Text(p.net)}/${p.len - V4_MAPPED_LEN}`;
  return `${v6Text(p.net)}/${p.len}`;
}

/**
 * The IPv6 form every prefix has in the 128-bit space: `::ffff:10.0.0.0/118` for 10.0.0.0/22, as a
 * ClickHouse `ip_trie` dictionary keyed on IPv6 wants it.
 */
export function formatIpv6Prefix(p: Prefix): string {
  if (p.len >= V4_MAPPED_LEN && isV4Mapped(p.net)) return `::ffff:${v4Text(p.net)}/${p.len}`;
  return `${v6Text(p.net)}/${p.len}`;
}

/**
 * Longest-prefix match over a fixed set of prefixes: one Map per prefix length, tried from the most
 * specific length down. A few distinct lengths is the common case, so a lookup is a few Map gets.
 * With the same prefix given twice, the first one given wins.
 */
export function prefixTable<T>(entries: Iterable<{ prefix: Prefix; value: T }>): (addr: bigint) => T | undefined {
  const byLen = new Map<number, Map<bigint, T>>();
  for (const { prefix, value } of entries) {
    let m = byLen.get(prefix.len);
    if (m === undefined) byLen.set(prefix.len, (m = new Map()));
    if (!m.has(prefix.net)) m.set(prefix.net, value);
  }
  const levels = [...byLen.entries()].sort((a, b) => b[0] - a[0]).map(([len, m]) => ({ mask: maskOf(len), m }));
  return (addr) => {
    for (const { mask, m } of levels) {
      const hit = m.get(addr & mask);
      if (hit !== undefined) return hit;
    }
    return undefined;
  };
}
