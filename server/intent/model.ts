// NOTE: the intent model — what a team declares (zones, crown jewels, inventory, allow-list rules) as
// opposed to what the agents observe. It lives in one YAML file (default DATA_DIR/surfacemap.yaml),
// meant to be kept in git; `intent-file.ts` reads, validates and edits it (keeping comments and order).
// The YAML keys are these field names (snake_case) exactly. Extend, don't rename: scripts rely on them.

/** Zone kinds people use; the YAML accepts any lower-case word, these are the documented ones. */
export const ZONE_KINDS = ['internal', 'external', 'partner', 'dmz', 'management', 'cloud'] as const;

/** Built-in zone for public address space no declared zone covers. */
export const INTERNET_ZONE = 'internet';
/** Built-in zone for private/ULA/link-local/loopback space no declared zone covers. */
export const UNASSIGNED_ZONE = 'unassigned';

export interface Zone {
  name: string; // [a-z0-9][a-z0-9_.-]*, unique; not `internet` or `unassigned`
  kind: string; // internal | external | partner | dmz | … (any lower-case word)
  cidrs: string[]; // IPv4 or IPv6 CIDRs or single addresses; most specific CIDR over all zones wins
  description?: string;
}

export interface CrownJewel {
  name: string; // unique
  /** IPs, CIDRs, or names (resolved through the declared inventory, then names seen in DNS/SNI). */
  match: string[];
  owner: string;
  why: string;
}

export interface InventoryItem {
  name: string; // unique
  address: string; // one IP or CIDR
  owner?: string;
  role?: string;
}

/**
 * One allow-list rule: admits `proto` traffic from every source to every destination on `dport`
 * (one port, or a range `{from, to}` only when a person wrote it so). Sources and destinations are
 * named groups of CIDRs, so a rule reads like a person wrote it and every renderer can name them.
 */
export interface Endpoint {
  name: string; // an asset, zone or crown-jewel name, or a label for a group
  cidrs: string[]; // /32 and /128 for single hosts; wider only when aggregated on request
}

export interface AllowRule {
  id: string; // unique, stable: used in renderer comments, CSV `rule` column, simulation output
  /** The crown jewel or zone this rule protects (grouping key for renderers and reports). */
  protects: { jewel?: string; zone?: string };
  src: Endpoint;
  dst: Endpoint;
  proto: 'tcp' | 'udp' | 'icmp' | 'icmp6';
  /** tcp/udp: one port or an inclusive range; icmp: omitted (all types). */
  dport?: number | { from: number; to: number };
  owner: string;
  reason: string;
  created: string; // ISO date (YYYY-MM-DD) or date-time
  expires?: string; // ISO date or date-time
}

export interface Intent {
  zones: Zone[];
  crown_jewels: CrownJewel[];
  inventory: InventoryItem[];
  rules: AllowRule[];
}

export const EMPTY_INTENT: Intent = { zones: [], crown_jewels: [], inventory: [], rules: [] };

/** The top-level YAML keys, in the order a new file gets them. */
export const INTENT_SECTIONS = ['zones', 'crown_jewels', 'inventory', 'rules'] as const;
export type IntentSection = (typeof INTENT_SECTIONS)[number];

/** Kinds reported for the built-in zones (zone lists, `zonePrefixes`). */
export const BUILTIN_ZONE_KINDS: Readonly<Record<string, string>> = {
  [INTERNET_ZONE]: 'external',
  [UNASSIGNED_ZONE]: 'internal',
};

/**
 * Address space that is `unassigned` (not `internet`) when no declared zone covers it: traffic in it
 * stays on a private network or a link, so calling it "internet" would invent boundary crossings.
 */
export const UNASSIGNED_RANGES: readonly { cidr: string; what: string }[] = [
  { cidr: '10.0.0.0/8', what: 'private (RFC 1918)' },
  { cidr: '172.16.0.0/12', what: 'private (RFC 1918)' },
  { cidr: '192.168.0.0/16', what: 'private (RFC 1918)' },
  { cidr: '100.64.0.0/10', what: 'carrier-grade NAT (RFC 6598)' },
  { cidr: '127.0.0.0/8', what: 'loopback' },
  { cidr: '169.254.0.0/16', what: 'link-local (RFC 3927)' },
  { cidr: '0.0.0.0/32', what: 'unspecified (DHCP clients before they have an address)' },
  { cidr: '224.0.0.0/24', what: 'link-local multicast (RFC 5771: mDNS, VRRP, OSPF)' },
  { cidr: '239.0.0.0/8', what: 'administratively scoped multicast (RFC 2365: SSDP)' },
  { cidr: '255.255.255.255/32', what: 'limited broadcast (DHCP)' },
  { cidr: 'fc00::/7', what: 'unique local (RFC 4193)' },
  { cidr: 'fe80::/10', what: 'link-local' },
  { cidr: '::1/128', what: 'loopback' },
  { cidr: '::/128', what: 'unspecified (duplicate address detection)' },
  { cidr: 'ff02::/16', what: 'link-local multicast (mDNS, NDP)' },
  { cidr: 'ff05::/16', what: 'site-local multicast (SSDP)' },
];
