// Address arithmetic for the exports: prefixes as (family, network as a bigint, length), so sorting,
// containment and exact aggregation are integer operations. ipaddr.js does the parsing.
// IPv4-mapped IPv6 (`::ffff:a.b.c.d`, how ClickHouse stores IPv4) is read as IPv4, and
// `::ffff:a.b.c.d/n` with n ≥ 96 as the IPv4 prefix /n−96.
import ipaddr from 'ipaddr.js';

export interface Prefix {
  v: 4 | 6;
  /** Network address (host bits cleared). */
  net: bigint;
  len: number;
}

export interface Address {
  v: 4 | 6;
  addr: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;

function bytesToBigint(bytes: number[]): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** An IP address, or null when `s` is not one. */
export function parseAddress(s: string): Address | null {
  const t = s.trim();
  if (!ipaddr.isValid(t)) return null;
  const a = ipaddr.process(t); // ::ffff:a.b.c.d → IPv4
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).zoneId) return null;
  return { v: a.kind() === 'ipv4' ? 4 : 6, addr: bytesToBigint(a.toByteArray()) };
}

const mask = (v: 4 | 6, len: number): bigint => {
  const bits = BigInt(BITS[v]);
  return len === 0 ? 0n : ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(len))) - 1n);
};

export interface ParsedPrefix extends Prefix {
  /** The text had host bits set below its length (`10.0.0.5/24`): the prefix was cleared to its network. */
  hostBits: boolean;
}

/** An IP or CIDR (a bare address is a /32 or /128), or null when `s` is neither. */
export function parsePrefix(s: string): ParsedPrefix | null {
  const t = s.trim();
  const slash = t.indexOf('/');
  if (slash < 0) {
    const a = parseAddress(t);
    return a ? { v: a.v, net: a.addr, len: BITS[a.v], hostBits: false } : null;
  }
  const lenText = t.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return null;
  let len = Number(lenText);
  const addrText = t.slice(0, slash);
  if (!ipaddr.isValid(addrText)) return null;
  const parsed = ipaddr.parse(addrText);
  let v: 4 | 6 = parsed.kind() === 'ipv4' ? 4 : 6;
  if (len > BITS[v]) return null;
  let bytes = parsed.toByteArray();
  if (v === 6 && (parsed as ipaddr.IPv6).isIPv4MappedAddress() && len >= 96) {
    v = 4;
    len -= 96;
    bytes = bytes.slice(12);
  }
  const raw = bytesToBigint(bytes);
  const net = raw & mask(v, len);
  return { v, net, len, hostBits: net !== raw };
}

export function formatAddress(v: 4 | 6, addr: bigint): string {
  const bytes: number[] = [];
  for (let i = BITS[v] / 8 - 1; i >= 0; i--) bytes.push(Number((addr >> BigInt(i * 8)) & 0xffn));
  if (v === 4) return bytes.join('.');
  return (ipaddr.fromByteArray(bytes) as ipaddr.IPv6).toRFC5952String();
}

/** Always with the length: `10.0.1.10/32`, `fd00::20/128`. */
export function formatPrefix(p: Prefix): string {
  return `${formatAddress(p.v, p.net)}/${p.len}`;
}

/** Canonical text of an address (`::ffff:10.0.0.1` → `10.0.0.1`), or the input when it is not one. */
export function canonicalAddress(s: string): string {
  const a = parseAddress(s);
  return a ? formatAddress(a.v, a.addr) : s;
}

export function hostPrefix(a: Address): Prefix {
  return { v: a.v, net: a.addr, len: BITS[a.v] };
}

export const isHost = (p: Prefix): boolean => p.len === BITS[p.v];
export const maxLen = (v: 4 | 6): number => BITS[v];

export function prefixContains(p: Prefix, a: Address): boolean {
  return p.v === a.v && (a.addr & mask(p.v, p.len)) === p.net;
}

/** `outer` contains every address of `inner`. */
export function prefixCovers(outer: Prefix, inner: Prefix): boolean {
  return outer.v === inner.v && outer.len <= inner.len && (inner.net & mask(outer.v, outer.len)) === outer.net;
}

export function prefixSize(p: Prefix): bigint {
  return 1n << BigInt(BITS[p.v] - p.len);
}

/** IPv4 before IPv6, then by network, then shorter first. */
export function comparePrefix(a: Prefix, b: Prefix): number {
  if (a.v !== b.v) return a.v - b.v;
  if (a.net !== b.net) return a.net < b.net ? -1 : 1;
  return a.len - b.len;
}

export function compareAddress(a: Address, b: Address): number {
  if (a.v !== b.v) return a.v - b.v;
  return a.addr === b.addr ? 0 : a.addr < b.addr ? -1 : 1;
}

/** Compare address texts numerically; texts that are not addresses sort after, by text. */
export function compareAddressText(a: string, b: string): number {
  const pa = parseAddress(a);
  const pb = parseAddress(b);
  if (pa && pb) return compareAddress(pa, pb);
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted, without duplicates and without prefixes contained in another one of the list. */
export function minimalPrefixes(list: readonly Prefix[]): Prefix[] {
  const sorted = [...list].sort(comparePrefix);
  const out: Prefix[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && prefixCovers(last, p)) continue; // sorted by network then length: a cover comes first
    out.push({ v: p.v, net: p.net, len: p.len });
  }
  return out;
}

/**
 * The smallest list of prefixes that covers exactly the same addresses as `list`: two sibling
 * prefixes (10.0.0.0/32 + 10.0.0.1/32) become their parent (10.0.0.0/31), repeatedly. Never widens:
 * a parent is formed only when both halves are present, so .0–.3 → /30 but .0–.2 → /31 + /32.
 */
export function aggregateExact(list: readonly Prefix[]): Prefix[] {
  let cur = minimalPrefixes(list);
  for (;;) {
    const next: Prefix[] = [];
    let merged = false;
    for (let i = 0; i < cur.length; i++) {
      const a = cur[i]!;
      const b = cur[i + 1];
      if (b && a.v === b.v && a.len === b.len && a.len > 0) {
        const parentLen = a.len - 1;
        const parentNet = a.net & mask(a.v, parentLen);
        if (parentNet === a.net && (b.net & mask(b.v, parentLen)) === parentNet) {
          next.push({ v: a.v, net: parentNet, len: parentLen });
          i++;
          merged = true;
          continue;
        }
      }
      next.push(a);
    }
    cur = minimalPrefixes(next);
    if (!merged) return cur;
  }
}

/** How many addresses of `p` the (possibly overlapping) `targets` cover. */
export function coveredCount(p: Prefix, targets: readonly Prefix[]): bigint {
  let n = 0n;
  for (const t of minimalPrefixes(targets)) {
    if (prefixCovers(t, p)) return prefixSize(p);
    if (prefixCovers(p, t)) n += prefixSize(t);
  }
  return n;
}

/** Every address of `p` is inside `targets` (which may be a list of hosts that tile it). */
export function coveredBy(p: Prefix, targets: readonly Prefix[]): boolean {
  return coveredCount(p, targets) === prefixSize(p);
}

/** Parse a list of CIDR/IP texts; `bad` collects the texts that are neither. */
export function parsePrefixes(texts: readonly string[], bad?: string[]): ParsedPrefix[] {
  const out: ParsedPrefix[] = [];
  for (const t of texts) {
    const p = parsePrefix(t);
    if (p) out.push(p);
    else bad?.push(t);
  }
  return out;
}
