// Text form of the four-word addresses in DecodedPacket. Per flow, not per packet, so it may allocate.

/**
 * IPv4-mapped (::ffff:a.b.c.d, how DecodedPacket stores IPv4) → dotted quad "a.b.c.d"; anything else →
 * RFC 5952 §4 text: lowercase hex, no leading zeros, the longest run of two or more zero groups
 * (the first one on a tie) shortened to "::". https://www.rfc-editor.org/rfc/rfc5952#section-4
 * Words are the address's 32-bit big-endian words (unsigned or not).
 */
export function formatAddress(w0: number, w1: number, w2: number, w3: number): string {
  if (w0 === 0 && w1 === 0 && (w2 >>> 0) === 0xffff) {
    return `${w3 >>> 24}.${(w3 >>> 16) & 0xff}.${(w3 >>> 8) & 0xff}.${w3 & 0xff}`;
  }
  const groups = [
    w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff,
  ];
  let bestStart = -1;
  let bestLen = 1; // a lone zero group is not shortened (RFC 5952 §4.2.2)
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return groups.map(hex).join(':');
  const head = groups.slice(0, bestStart).map(hex).join(':');
  const tail = groups.slice(bestStart + bestLen).map(hex).join(':');
  return `${head}::${tail}`;
}

function hex(g: number): string {
  return g.toString(16);
}
