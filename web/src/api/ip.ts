// Addresses as the API writes them (dotted IPv4, RFC 5952 IPv6): parsing to bytes for sorting, subnet
// keys for map aggregation and CIDR checks for the zones editor. Pure; no dependencies.

export interface Address {
  version: 4 | 6;
  bytes: Uint8Array; // 4 or 16
}

const V4_PART = /^(0|[1-9]\d{0,2})$/;

export function parseIPv4(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!V4_PART.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** RFC 4291 §2.2 text forms: eight groups, one `::`, an embedded dotted IPv4 tail. No zone ids. */
export function parseIPv6(s: string): Uint8Array | null {
  if (s.length < 2 || s.length > 45) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (HEX_GROUP.test(p)) out.push(parseInt(p, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  // A dotted tail is only allowed at the very end.
  if (halves.length === 2 && halves[0]!.includes('.')) return null;
  const n = head.length + tail.length;
  if (halves.length === 1 ? n !== 8 : n > 7) return null;
  const all = [...head, ...new Array<number>(8 - n).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

export function parseAddress(s: string): Address | null {
  const t = s.trim();
  if (t.includes(':')) {
    const b = parseIPv6(t);
    return b ? { version: 6, bytes: b } : null;
  }
  const b = parseIPv4(t);
  return b ? { version: 4, bytes: b } : null;
}

/** Orders addresses numerically, IPv4 before IPv6; anything unparsable last, by text. */
export function compareAddresses(a: string, b: string): number {
  const pa = parseAddress(a);
  const pb = parseAddress(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  if (pa.version !== pb.version) return pa.version - pb.version;
  for (let i = 0; i < pa.bytes.length; i++) {
    const d = pa.bytes[i]! - pb.bytes[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** The /24 (IPv4) or /64 (IPv6) an address is in, as CIDR text; the address itself when unparsable. */
export function subnetOf(ip: string): string {
  const a = parseAddress(ip);
  if (!a) return ip;
  const b = a.bytes.slice();
  if (a.version === 4) return `${b[0]}.${b[1]}.${b[2]}.0/24`;
  b.fill(0, 8);
  return `${formatAddress({ version: 6, bytes: b })}/64`;
}

export type CidrCheck = { ok: true; version: 4 | 6; prefix: number } | { ok: false; message: string };

/** Checks one CIDR (or single address) as a zone accepts it; the message says how to fix it. */
export function checkCidr(text: string): CidrCheck {
  const s = text.trim();
  if (s === '') return { ok: false, message: 'empty entry' };
  const slash = s.indexOf('/');
  const addrText = slash < 0 ? s : s.slice(0, slash);
  const addr = parseAddress(addrText);
  if (!addr) {
    return {
      ok: false,
      message: `"${s}" is not an IP address or CIDR (examples: 10.0.1.0/24, 10.0.1.7, fd00:10::/48)`,
    };
  }
  const max = addr.version === 4 ? 32 : 128;
  if (slash < 0) return { ok: true, version: addr.version, prefix: max };
  const pText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(pText) || Number(pText) > max) {
    return { ok: false, message: `"${s}": the prefix length after "/" must be 0–${max} for IPv${addr.version}` };
  }
  const prefix = Number(pText);
  // Host bits set (10.0.1.7/24) usually means a typo: say which network was meant.
  const net = addr.bytes.slice();
  for (let bit = prefix; bit < max; bit++) net[bit >> 3]! &= ~(0x80 >> (bit & 7));
  if (net.some((v, i) => v !== addr.bytes[i])) {
    return { ok: false, message: `"${s}" has host bits set; did you mean ${formatAddress({ version: addr.version, bytes: net })}/${prefix}?` };
  }
  return { ok: true, version: addr.version, prefix };
}

/** Dotted IPv4, or RFC 5952 IPv6 (longest zero run as `::`, lower case). */
export function formatAddress(a: Address): string {
  const b = a.bytes;
  if (a.version === 4) return Array.from(b).join('.');
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/**
 * Checks a zone's CIDR list (one per line or comma-separated): every entry valid, no duplicates.
 * Returns the cleaned list and the problems (each naming its entry).
 */
export function checkCidrList(text: string): { cidrs: string[]; problems: string[] } {
  const entries = text
    .split(/[\s,]+/)
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    const c = checkCidr(e);
    if (!c.ok) problems.push(c.message);
    else if (seen.has(e)) problems.push(`"${e}" is listed twice`);
    seen.add(e);
  }
  if (entries.length === 0) problems.push('A zone needs at least one CIDR or address.');
  return { cidrs: entries, problems };
}
