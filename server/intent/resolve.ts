// Which zone and which crown jewel an address belongs to — pure functions of the intent.
//
// Zones: the most specific declared CIDR containing the address wins, over all zones (10.0.2.0/24 in
// `data` beats 10.0.0.0/16 in `prod`). No declared CIDR: `unassigned` for private, unique-local,
// link-local, loopback and CGNAT space (UNASSIGNED_RANGES), `internet` otherwise. IPv4 given as
// ::ffff:a.b.c.d is IPv4.
//
// `zonePrefixes` is the same answer as a prefix list for a ClickHouse `ip_trie` dictionary (which also
// takes the most specific prefix). For the two to agree, a built-in range is listed only when no
// declared prefix contains it (a declared 0.0.0.0/0 must beat the built-in 10.0.0.0/8).
import { INTERNET_ZONE, BUILTIN_ZONE_KINDS, UNASSIGNED_RANGES, UNASSIGNED_ZONE, type Intent } from './model.js';
import { contains, formatIpv6Prefix, parseIp, parsePrefix, prefixTable, type Prefix } from './ip.js';
import { looksLikeAddress } from './validate.js';

/** Addresses seen on the wire for a name (DNS answers, TLS SNI, HTTP Host); none by default. */
export type ResolveName = (name: string) => readonly string[];
export const RESOLVE_NONE: ResolveName = () => [];

export interface ZoneMatch {
  zone: string;
  kind: string;
  /** The CIDR that decided it, as written ('10.0.0.0/22'; '::/0' for `internet`). */
  cidr: string;
}

export interface ZonePrefix {
  /** IPv6 form: `::ffff:10.0.0.0/118` for 10.0.0.0/22. */
  prefix: string;
  zone: string;
  kind: string;
}

export interface JewelPrefix {
  prefix: string;
  jewel: string;
}

const INTERNET: ZoneMatch = { zone: INTERNET_ZONE, kind: BUILTIN_ZONE_KINDS[INTERNET_ZONE]!, cidr: '::/0' };

const BUILTIN = UNASSIGNED_RANGES.map(({ cidr }) => {
  const p = parsePrefix(cidr);
  if (!p.ok) throw new Error(`UNASSIGNED_RANGES: bad ${cidr}`);
  return { prefix: p.prefix, value: { zone: UNASSIGNED_ZONE, kind: BUILTIN_ZONE_KINDS[UNASSIGNED_ZONE]!, cidr } satisfies ZoneMatch };
});
const builtinLookup = prefixTable(BUILTIN);

function declaredZonePrefixes(intent: Intent): { prefix: Prefix; value: ZoneMatch }[] {
  const out: { prefix: Prefix; value: ZoneMatch }[] = [];
  for (const z of intent.zones) {
    for (const cidr of z.cidrs) {
      const p = parsePrefix(cidr);
      if (p.ok) out.push({ prefix: p.prefix, value: { zone: z.name, kind: z.kind, cidr } });
    }
  }
  return out;
}

function toAddress(ip: string): bigint {
  const addr = parseIp(ip);
  if (addr === null) throw new TypeError(`not an IP address: ${JSON.stringify(ip)}`);
  return addr;
}

/** A zone lookup compiled once for an intent: (ip) → the zone that address is in. */
export function createZoneLookup(intent: Intent): (ip: string) => ZoneMatch {
  const declared = prefixTable(declaredZonePrefixes(intent));
  return (ip) => {
    const addr = toAddress(ip);
    return declared(addr) ?? builtinLookup(addr) ?? INTERNET;
  };
}

const zoneLookups = new WeakMap<Intent, (ip: string) => ZoneMatch>();

/** The zone of `ip` (an IPv4 or IPv6 address). Compiled lookups are cached per intent object. */
export function zoneMatch(intent: Intent, ip: string): ZoneMatch {
  let lookup = zoneLookups.get(intent);
  if (lookup === undefined) zoneLookups.set(intent, (lookup = createZoneLookup(intent)));
  return lookup(ip);
}

export function zoneOf(intent: Intent, ip: string): string {
  return zoneMatch(intent, ip).zone;
}

/**
 * Every prefix → zone, for an `ip_trie` dictionary: the declared CIDRs, then the built-in ranges no
 * declared prefix contains, then `::/0` → internet unless declared. Longest match over this list gives
 * the same zone as `zoneOf` for every address.
 */
export function zonePrefixes(intent: Intent): ZonePrefix[] {
  const declared = declaredZonePrefixes(intent);
  const out: ZonePrefix[] = [];
  const listed = new Set<string>();
  const push = (prefix: Prefix, zone: string, kind: string) => {
    const text = formatIpv6Prefix(prefix);
    if (listed.has(text)) return; // the same prefix twice: the first (declared) one wins, as in zoneOf
    listed.add(text);
    out.push({ prefix: text, zone, kind });
  };
  for (const d of declared) push(d.prefix, d.value.zone, d.value.kind);
  for (const b of BUILTIN) {
    if (!declared.some((d) => contains(d.prefix, b.prefix))) push(b.prefix, b.value.zone, b.value.kind);
  }
  push({ net: 0n, len: 0 }, INTERNET.zone, INTERNET.kind);
  return out;
}

/** Each crown jewel's prefixes, in file order: addresses and CIDRs as written, names resolved. */
function jewelEntries(intent: Intent, resolveName: ResolveName): { prefix: Prefix; value: string }[] {
  const inventory = new Map(intent.inventory.map((item) => [item.name, item.address]));
  const out: { prefix: Prefix; value: string }[] = [];
  const add = (text: string, jewel: string) => {
    const p = parsePrefix(text);
    if (p.ok) out.push({ prefix: p.prefix, value: jewel });
  };
  for (const j of intent.crown_jewels) {
    for (const m of j.match) {
      if (looksLikeAddress(m)) add(m, j.name);
      else if (inventory.has(m)) add(inventory.get(m)!, j.name); // the declared inventory first…
      else for (const ip of resolveName(m)) add(ip, j.name); // …then names seen on the wire
    }
  }
  return out;
}

/**
 * A jewel lookup: (ip) → the crown jewel covering it, or null. The most specific match wins; the same
 * prefix in two jewels goes to the one declared first.
 */
export function createJewelLookup(intent: Intent, resolveName: ResolveName = RESOLVE_NONE): (ip: string) => string | null {
  const table = prefixTable(jewelEntries(intent, resolveName));
  return (ip) => table(toAddress(ip)) ?? null;
}

const jewelLookups = new WeakMap<Intent, (ip: string) => string | null>();

/**
 * The crown jewel covering `ip`, or null. Without `resolveName`, names resolve through the declared
 * inventory only (and the compiled lookup is cached per intent object); with it, it is compiled per
 * call: for many addresses, use createJewelLookup.
 */
export function jewelOf(intent: Intent, ip: string, resolveName?: ResolveName): string | null {
  if (resolveName !== undefined) return createJewelLookup(intent, resolveName)(ip);
  let lookup = jewelLookups.get(intent);
  if (lookup === undefined) jewelLookups.set(intent, (lookup = createJewelLookup(intent)));
  return lookup(ip);
}

/** Every prefix → crown jewel (IPv6 form, one row per prefix), for an `ip_trie` dictionary. */
export function jewelPrefixes(intent: Intent, resolveName: ResolveName = RESOLVE_NONE): JewelPrefix[] {
  const out: JewelPrefix[] = [];
  const listed = new Set<string>();
  for (const { prefix, value } of jewelEntries(intent, resolveName)) {
    const text = formatIpv6Prefix(prefix);
    if (listed.has(text)) continue;
    listed.add(text);
    out.push({ prefix: text, jewel: value });
  }
  return out;
}
