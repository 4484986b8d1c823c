// RDP: the client's X.224 Connection Request (TPKT) with its optional RDP_NEG_REQ, and the server's
// Connection Confirm with RDP_NEG_RSP (the security protocol it selected) or RDP_NEG_FAILURE.
// The routing token / cookie ("Cookie: mstshash=<user>") between the X.224 header and RDP_NEG_REQ is
// never read: RDP_NEG_REQ is found at the end of the TPDU by its fixed length.
// TPKT: https://www.rfc-editor.org/rfc/rfc1006#section-6 ; X.224 CR/CC: ITU-T X.224 §13.3–13.4
// [MS-RDPBCGR] 2.2.1.1 (Client X.224 Connection Request), 2.2.1.1.1 (RDP_NEG_REQ), 2.2.1.2.1
// (RDP_NEG_RSP), 2.2.1.2.2 (RDP_NEG_FAILURE), 5.4 (security protocols: standard RDP, TLS, CredSSP):
//   https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-rdpbcgr/
import { u16be, u16le, u32le } from '../../common/bytes.js';
import { App, Auth, Enc, Mode, detailsOf, finish, type DetectState } from './state.js';

const TPKT_VERSION = 3;
const TPKT_HEADER = 4;
const X224_CR = 0xe0;
const X224_CC = 0xd0;
/** LI, code, DST-REF(2), SRC-REF(2), class: the fixed part of a CR/CC TPDU. */
const X224_FIXED = 7;
const NEG_LEN = 8;
const TYPE_NEG_RSP = 0x02;
const TYPE_NEG_FAILURE = 0x03;
const PROTOCOL_RDP = 0;
const PROTOCOL_SSL = 0x1;
const PROTOCOL_HYBRID = 0x2;
const PROTOCOL_RDSTLS = 0x4;
const PROTOCOL_HYBRID_EX = 0x8;
const PROTOCOL_RDSAAD = 0x10;
/** A Connection Request is small: a cookie, a routing token and RDP_NEG_REQ (+ correlation info). */
const MAX_CR_LEN = 512;

/** True when buf[off..end) is exactly a TPKT carrying an X.224 Connection Request (the client's first bytes). */
export function looksLikeRdpConnectionRequest(buf: Uint8Array, off: number, end: number): boolean {
  if (end - off < TPKT_HEADER + X224_FIXED || buf[off] !== TPKT_VERSION || buf[off + 1] !== 0) return false;
  const len = u16be(buf, off + 2);
  // LI counts the TPDU bytes after itself; the DST-REF of a CR is 0.
  return len === end - off && len <= MAX_CR_LEN && buf[off + 4] === len - TPKT_HEADER - 1 && buf[off + 5] === X224_CR &&
    buf[off + 6] === 0 && buf[off + 7] === 0;
}

export function rdpStart(s: DetectState, f: number): void {
  s.mode[f] = Mode.rdp;
  s.app[f] = App.rdp;
  s.flags[f] = 0;
  // What the client asked for (RDP_NEG_REQ) matters less than what the server selected: wait for it.
}

/** The server's Connection Confirm: the selected security protocol decides `auth` and `encryption`. */
export function rdpServerPacket(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  if (end - off < TPKT_HEADER + X224_FIXED || buf[off] !== TPKT_VERSION || buf[off + 1] !== 0 || buf[off + 5] !== X224_CC) return;
  const len = u16be(buf, off + 2);
  const tEnd = off + len;
  if (len < TPKT_HEADER + X224_FIXED || tEnd > end) return;
  const n = tEnd - NEG_LEN;
  const det = detailsOf(s, f);
  if (n >= off + TPKT_HEADER + X224_FIXED && u16le(buf, n + 2) === NEG_LEN && buf[n] === TYPE_NEG_RSP) {
    selected(s, f, u32le(buf, n + 4), det);
  } else if (n >= off + TPKT_HEADER + X224_FIXED && u16le(buf, n + 2) === NEG_LEN && buf[n] === TYPE_NEG_FAILURE) {
    s.auth[f] = Auth.unknown; // the client's requested protocols were refused; it disconnects
    s.enc[f] = Enc.unknown;
  } else {
    selected(s, f, PROTOCOL_RDP, det); // a CC without RDP_NEG_RSP: standard RDP security
  }
  finish(s, f);
}

function selected(s: DetectState, f: number, p: number, det: { auth_mech?: string | undefined }): void {
  switch (p) {
    case PROTOCOL_HYBRID:
    case PROTOCOL_HYBRID_EX:
      // Network Level Authentication: CredSSP (SPNEGO: Kerberos or NTLM) inside TLS before the session.
      det.auth_mech = 'CredSSP';
      s.auth[f] = Auth.nla;
      s.enc[f] = Enc.tls;
      break;
    case PROTOCOL_SSL:
      // TLS with the server's certificate and no NLA: the user logs on inside the session.
      det.auth_mech = 'TLS';
      s.auth[f] = Auth['tls-server-only'];
      s.enc[f] = Enc.tls;
      break;
    case PROTOCOL_RDSTLS:
      det.auth_mech = 'RDSTLS'; // redirection with a server-issued cookie, inside TLS
      s.auth[f] = Auth.unknown;
      s.enc[f] = Enc.tls;
      break;
    case PROTOCOL_RDSAAD:
      det.auth_mech = 'RDSAAD'; // Azure AD (Entra) authentication, inside TLS
      s.auth[f] = Auth.unknown;
      s.enc[f] = Enc.tls;
      break;
    case PROTOCOL_RDP:
      // Standard RDP security: RC4 with keys from an unauthenticated exchange, password at the logon.
      det.auth_mech = 'RDP';
      s.auth[f] = Auth.password;
      s.enc[f] = Enc.app;
      break;
    default:
      s.auth[f] = Auth.unknown;
      s.enc[f] = Enc.unknown;
  }
}
