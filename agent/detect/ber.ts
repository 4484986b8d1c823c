// ASN.1 BER tag + length, for the detectors of BER protocols (SNMP, LDAP). The result goes into the
// shared `tl` array instead of an object: no allocation per call on the per-packet path. Callers read
// tl right after their own berHeader() call (everything here is synchronous).

/** After a successful berHeader(): tl[0] = offset of the contents, tl[1] = their length. */
export const tl = new Int32Array(2);

/** BER tag+length at `at` (definite lengths up to 3 length bytes); false if malformed or another tag. */
export function berHeader(buf: Uint8Array, at: number, end: number, tag: number): boolean {
  if (at + 2 > end || buf[at] !== tag) return false;
  let len = buf[at + 1]!;
  let c = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || c + n > end) return false;
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | buf[c + i]!;
    c += n;
  }
  tl[0] = c;
  tl[1] = len;
  return true;
}
