// NTP over UDP: the 48-byte header (leap indicator, version, mode; stratum, poll) and what follows it.
// A datagram of exactly 48 bytes carries no authentication; 48 + 4-byte key id + digest carries a
// symmetric-key MAC (RFC 5905 §7.3, RFC 8573): a 16-byte digest is MD5 or AES-128-CMAC (the wire does
// not say which), a 20-byte one SHA1 (or a longer hash that chrony and ntpd cut to 20 bytes). A 4-byte
// MAC (key id 0) is a crypto-NAK. Otherwise extension fields follow the header (RFC 7822: type, length,
// value, 4-byte aligned), optionally then a MAC; an NTS Authenticator field (type 0x0404, RFC 8915
// §5.6) means NTS: `auth` `nts` (the AEAD algorithm was agreed inside the TLS 1.3 NTS-KE session, so no
// auth_mech). The key id, digest, cookies and timestamps are never kept.
// https://www.rfc-editor.org/rfc/rfc5905#section-7.3 ; control (mode 6) and private (mode 7) messages
// have other layouts and are not matched.
// The header has little structure (random 48-byte datagrams pass these checks about 1 in 440), so the
// dispatcher offers only UDP flows with port 123 on either side (detector.ts probeUdp).
import { App, Auth, Enc, detailsOf, finish, type DetectState } from './state.js';

export const NTP_HEADER = 48;
const MAC_MD5 = NTP_HEADER + 4 + 16;
const MAC_SHA1 = NTP_HEADER + 4 + 20;
const CRYPTO_NAK = NTP_HEADER + 4;
const MAX_STRATUM = 16;
const MIN_POLL = -10;
const MAX_POLL = 17;
const EF_MIN = 16; // RFC 7822 §7.5: an extension field is at least 16 bytes
const MAX_EXT_FIELDS = 16;
const EF_NTS_AUTHENTICATOR = 0x0404;
/** What ntpExtensions() found after the header. */
const EXT_NONE = 1;
const EXT_NTS = 2;

/** Extension fields filling buf[at..end) (a trailing MAC allowed): EXT_NTS, EXT_NONE, or 0 if malformed. */
function ntpExtensions(buf: Uint8Array, at: number, end: number): number {
  let nts = false;
  for (let k = 0; k < MAX_EXT_FIELDS; k++) {
    const left = end - at;
    if (left === 0 || (k > 0 && (left === 20 || left === 24))) return nts ? EXT_NTS : EXT_NONE;
    if (left < EF_MIN) return 0;
    const type = (buf[at]! << 8) | buf[at + 1]!;
    const len = (buf[at + 2]! << 8) | buf[at + 3]!;
    if (len < EF_MIN || (len & 3) !== 0 || len > left) return 0;
    if (type === EF_NTS_AUTHENTICATOR) nts = true;
    at += len;
  }
  return 0;
}

/** The NTP version (1–4) of a mode 1–5 message filling buf[off..end), or 0. */
export function ntpVersion(buf: Uint8Array, off: number, end: number): number {
  const len = end - off;
  if (len < NTP_HEADER || (len & 3) !== 0) return 0;
  const b0 = buf[off]!;
  const version = (b0 >> 3) & 7;
  const mode = b0 & 7;
  if (version < 1 || version > 4 || mode < 1 || mode > 5) return 0;
  if (buf[off + 1]! > MAX_STRATUM) return 0;
  const poll = (buf[off + 2]! << 24) >> 24; // signed log2 seconds
  if (poll < MIN_POLL || poll > MAX_POLL) return 0;
  if (len === NTP_HEADER || len === MAC_MD5 || len === MAC_SHA1 || len === CRYPTO_NAK) return version;
  return version === 4 && ntpExtensions(buf, off + NTP_HEADER, end) !== 0 ? version : 0;
}

/** `buf[off..end)`: the message ntpVersion() accepted. */
export function ntpStart(s: DetectState, f: number, version: number, buf: Uint8Array, off: number, end: number): void {
  s.app[f] = App.ntp;
  s.enc[f] = Enc.none;
  const det = detailsOf(s, f);
  det.app_version = version === 4 ? 'NTPv4' : version === 3 ? 'NTPv3' : version === 2 ? 'NTPv2' : 'NTPv1';
  const len = end - off;
  if (len === MAC_MD5 || len === MAC_SHA1) {
    s.auth[f] = Auth['symmetric-key'];
    det.auth_mech = len === MAC_MD5 ? 'MD5/AES-CMAC' : 'SHA1';
  } else if (len > MAC_SHA1 && ntpExtensions(buf, off + NTP_HEADER, end) === EXT_NTS) {
    s.auth[f] = Auth.nts;
  } else {
    s.auth[f] = Auth.none; // a plain header, a crypto-NAK (no key used), or extension fields without NTS
  }
  finish(s, f);
}
