// SMB over TCP (direct hosting, port 445): the NEGOTIATE exchange (the dialect the server chose), the
// SESSION_SETUP security blobs (NTLMSSP or a Kerberos AP-REQ inside SPNEGO; anonymous NTLMSSP) and
// whether SMB3 encryption is on (SessionFlags / ShareFlags ENCRYPT_DATA, or TRANSFORM headers).
// Only lengths and flags are read from the NTLMSSP messages: never a user, domain, host or share name.
// NBSS framing: https://www.rfc-editor.org/rfc/rfc1002#section-4.3.1 (a 0x00 type and a 24-bit length)
// SMB2 header, NEGOTIATE, SESSION_SETUP, TREE_CONNECT, TRANSFORM_HEADER: [MS-SMB2] 2.2.1, 2.2.3–2.2.6, 2.2.9–2.2.10, 2.2.41
//   https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-smb2/
// SMB1 header and SMB_COM_NEGOTIATE: [MS-CIFS] 2.2.3.1, 2.2.4.52 ; NTLMSSP messages: [MS-NLMP] 2.2.1
// Kerberos GSS-API initial token (OID + TOK_ID 01 00 = AP-REQ): https://www.rfc-editor.org/rfc/rfc4121#section-4.1
import { u16le, u32le } from '../../common/bytes.js';
import { App, Auth, Enc, Mode, detailsOf, finish, type DetectState } from './state.js';
import { u24be } from './text.js';

const NBSS_HEADER = 4;
const NBSS_SESSION_MESSAGE = 0x00;
const SMB2_HEADER = 64;
const SMB1_HEADER = 32;
// ProtocolId, read as a little-endian u32: 0xFE 'S' 'M' 'B', 0xFF 'SMB', 0xFD 'SMB' (encrypted)
const PROTO_SMB2 = 0x424d53fe;
const PROTO_SMB1 = 0x424d53ff;
const PROTO_TRANSFORM = 0x424d53fd;
// SMB2 header offsets
const H_STRUCTURE_SIZE = 4;
const H_STATUS = 8;
const H_COMMAND = 12;
const H_FLAGS = 16;
const FLAG_SERVER_TO_REDIR = 1;
const CMD_NEGOTIATE = 0;
const CMD_SESSION_SETUP = 1;
const CMD_TREE_CONNECT = 3;
const SMB1_CMD_NEGOTIATE = 0x72;
const SMB1_CMD_SESSION_SETUP_ANDX = 0x73;
const SMB1_H_COMMAND = 4;
const SMB1_H_STATUS = 5;
const SMB1_H_FLAGS = 9;
const SMB1_DIALECT_FORMAT = 0x02;
const SMB1_MAX_DIALECT = 32;
const SMB1_FLAG_REPLY = 0x80;
const STATUS_SUCCESS = 0;
const STATUS_MORE_PROCESSING_REQUIRED = 0xc0000016;
// bodies (offsets from the end of the 64-byte header)
const NEG_REQ_SIZE = 36;
const NEG_RSP_SIZE = 65;
const NEG_RSP_DIALECT = 4;
const SS_REQ_SIZE = 25;
const SS_REQ_BLOB_OFFSET = 12;
const SS_REQ_BLOB_LENGTH = 14;
const SS_RSP_SIZE = 9;
const SS_RSP_FLAGS = 2;
const SESSION_FLAG_IS_GUEST = 0x1;
const SESSION_FLAG_IS_NULL = 0x2;
const SESSION_FLAG_ENCRYPT_DATA = 0x4;
const TC_RSP_SIZE = 16;
const TC_RSP_SHARE_FLAGS = 4;
const SHAREFLAG_ENCRYPT_DATA = 0x8000;
// NTLMSSP: "NTLMSSP\0", MessageType u32le at 8; AUTHENTICATE: NtChallengeResponse len at 20, UserName len at 36
const NTLM_TYPE_AUTHENTICATE = 3;
const NTLM_NT_RESPONSE_LEN = 20;
const NTLM_USER_NAME_LEN = 36;
const NTLM_AUTHENTICATE_MIN = 44;
const MAX_BLOB_SCAN = 2048;

const NTLMSSP = [0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00];
// OID 1.2.840.113554.1.2.2 (Kerberos 5) and 1.2.840.48018.1.2.2 (Microsoft's), DER, then TOK_ID 01 00.
const KRB5_AP_REQ = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x01, 0x00];
const MS_KRB5_AP_REQ = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x01, 0x00];

/**
 * 2 when buf[off..end) is a client's SMB2 NEGOTIATE request in an NBSS session message, 1 for an SMB1
 * SMB_COM_NEGOTIATE, else 0.
 */
export function smbNegotiateVersion(buf: Uint8Array, off: number, end: number): number {
  if (end - off < NBSS_HEADER + SMB1_HEADER || buf[off] !== NBSS_SESSION_MESSAGE) return 0;
  const len = u24be(buf, off + 1);
  const h = off + NBSS_HEADER;
  const proto = u32le(buf, h);
  if (proto === PROTO_SMB2) {
    return len >= SMB2_HEADER + NEG_REQ_SIZE && end - h >= SMB2_HEADER + 2 && u16le(buf, h + H_STRUCTURE_SIZE) === SMB2_HEADER &&
      u16le(buf, h + H_COMMAND) === CMD_NEGOTIATE && (u32le(buf, h + H_FLAGS) & FLAG_SERVER_TO_REDIR) === 0 &&
      u16le(buf, h + SMB2_HEADER) === NEG_REQ_SIZE ? 2 : 0;
  }
  if (proto === PROTO_SMB1) {
    return len >= SMB1_HEADER + 3 && buf[h + SMB1_H_COMMAND] === SMB1_CMD_NEGOTIATE && (buf[h + SMB1_H_FLAGS]! & SMB1_FLAG_REPLY) === 0 &&
      u32le(buf, h + SMB1_H_STATUS) === 0 && smb1Dialects(buf, h + SMB1_HEADER, Math.min(end, h + len)) ? 1 : 0;
  }
  return 0;
}

/**
 * SMB_COM_NEGOTIATE request parameters: WordCount 0, ByteCount, then dialects, each 0x02 and a
 * NUL-terminated printable name ("NT LM 0.12", "SMB 2.002", …); the first one is checked.
 */
function smb1Dialects(buf: Uint8Array, at: number, end: number): boolean {
  if (at + 5 > end || buf[at] !== 0 || buf[at + 3] !== SMB1_DIALECT_FORMAT) return false;
  const byteCount = u16le(buf, at + 1);
  if (byteCount < 3 || at + 3 + byteCount > end) return false;
  const lim = Math.min(end, at + 4 + SMB1_MAX_DIALECT);
  for (let i = at + 4; i < lim; i++) {
    const c = buf[i]!;
    if (c === 0) return i > at + 4;
    if (c < 0x20 || c > 0x7e) return false;
  }
  return false;
}

export function smbStart(s: DetectState, f: number, version: number): void {
  s.mode[f] = Mode.smb;
  s.app[f] = App.smb;
  s.enc[f] = Enc.none;
  s.flags[f] = 0;
  if (version === 1) detailsOf(s, f).app_version = 'SMB1'; // until a server answers with SMB2
}

function dialectName(d: number): string | undefined {
  switch (d) {
    case 0x0202: return 'SMB 2.0.2';
    case 0x0210: return 'SMB 2.1';
    case 0x0300: return 'SMB 3.0';
    case 0x0302: return 'SMB 3.0.2';
    case 0x0311: return 'SMB 3.1.1';
    case 0x02ff: return 'SMB 2.???'; // wildcard answer to an SMB1 negotiate: a real one follows
    default: return undefined;
  }
}

/** Offset of the SMB header after the NBSS header, or -1 (with its protocol id checked by the caller). */
function smbHeader(buf: Uint8Array, off: number, end: number): number {
  if (end - off < NBSS_HEADER + SMB1_HEADER || buf[off] !== NBSS_SESSION_MESSAGE) return -1;
  return off + NBSS_HEADER;
}

export function smbClientPacket(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  const h = smbHeader(buf, off, end);
  if (h < 0) return;
  const proto = u32le(buf, h);
  if (proto === PROTO_TRANSFORM) { encrypted(s, f); return; }
  if (proto === PROTO_SMB2) {
    if (end - h < SMB2_HEADER + 16 || u16le(buf, h + H_COMMAND) !== CMD_SESSION_SETUP) return;
    const b = h + SMB2_HEADER;
    if (u16le(buf, b) !== SS_REQ_SIZE) return;
    const from = h + u16le(buf, b + SS_REQ_BLOB_OFFSET); // the offset counts from the SMB2 header
    const to = Math.min(end, from + u16le(buf, b + SS_REQ_BLOB_LENGTH));
    if (from >= b + SS_REQ_SIZE - 1 && from < to) securityBlob(s, f, buf, from, to);
  } else if (proto === PROTO_SMB1) {
    // SESSION_SETUP_ANDX with extended security: the blob sits among the parameters; look for it.
    if (buf[h + SMB1_H_COMMAND] === SMB1_CMD_SESSION_SETUP_ANDX) securityBlob(s, f, buf, h + SMB1_HEADER, end);
  }
}

export function smbServerPacket(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  const h = smbHeader(buf, off, end);
  if (h < 0) return;
  const proto = u32le(buf, h);
  if (proto === PROTO_TRANSFORM) { encrypted(s, f); return; }
  if (proto === PROTO_SMB1) {
    if (buf[h + SMB1_H_COMMAND] === SMB1_CMD_NEGOTIATE && (buf[h + SMB1_H_FLAGS]! & SMB1_FLAG_REPLY) !== 0) {
      detailsOf(s, f).app_version = 'SMB1'; // the server chose an SMB1 dialect
    }
    return;
  }
  if (proto !== PROTO_SMB2 || end - h < SMB2_HEADER + 8 || (u32le(buf, h + H_FLAGS) & FLAG_SERVER_TO_REDIR) === 0) return;
  const b = h + SMB2_HEADER;
  const size = u16le(buf, b);
  const status = u32le(buf, h + H_STATUS);
  switch (u16le(buf, h + H_COMMAND)) {
    case CMD_NEGOTIATE: {
      if (size !== NEG_RSP_SIZE || status !== STATUS_SUCCESS) return;
      const name = dialectName(u16le(buf, b + NEG_RSP_DIALECT));
      if (name !== undefined) detailsOf(s, f).app_version = name;
      return;
    }
    case CMD_SESSION_SETUP: {
      if (size !== SS_RSP_SIZE || status === STATUS_MORE_PROCESSING_REQUIRED) return;
      if (status !== STATUS_SUCCESS) {
        if (s.auth[f] === 0) s.auth[f] = Auth.unknown;
        finish(s, f); // refused: nothing encrypted follows
        return;
      }
      const flags = u16le(buf, b + SS_RSP_FLAGS);
      // An anonymous session, or a guest one (the server accepted no valid credential).
      if (flags & (SESSION_FLAG_IS_NULL | SESSION_FLAG_IS_GUEST)) s.auth[f] = Auth.none;
      if (flags & SESSION_FLAG_ENCRYPT_DATA) encrypted(s, f);
      return;
    }
    case CMD_TREE_CONNECT: {
      if (size !== TC_RSP_SIZE || status !== STATUS_SUCCESS) return;
      // Clients connect IPC$ first, the share they want next: keep reading to the packet bound.
      if (u32le(buf, b + TC_RSP_SHARE_FLAGS) & SHAREFLAG_ENCRYPT_DATA) encrypted(s, f);
      return;
    }
  }
}

function encrypted(s: DetectState, f: number): void {
  s.enc[f] = Enc.app; // SMB3 encryption (AES-CCM/GCM): nothing more is readable
  if (s.auth[f] === 0) s.auth[f] = Auth.unknown;
  finish(s, f);
}

/** A SESSION_SETUP security blob (SPNEGO or raw): NTLMSSP, a Kerberos AP-REQ, else nothing learnt. */
function securityBlob(s: DetectState, f: number, buf: Uint8Array, from: number, to: number): void {
  const lim = to - from > MAX_BLOB_SCAN ? from + MAX_BLOB_SCAN : to;
  const at = indexOfSeq(buf, from, lim, NTLMSSP);
  if (at >= 0) {
    detailsOf(s, f).auth_mech = 'NTLMSSP';
    if (s.auth[f] === 0) s.auth[f] = Auth.ntlm;
    if (at + NTLM_AUTHENTICATE_MIN <= to && u32le(buf, at + 8) === NTLM_TYPE_AUTHENTICATE) {
      // Anonymous: an empty UserName and an empty NtChallengeResponse ([MS-NLMP] 3.2.5.1.2).
      const anonymous = u16le(buf, at + NTLM_USER_NAME_LEN) === 0 && u16le(buf, at + NTLM_NT_RESPONSE_LEN) === 0;
      s.auth[f] = anonymous ? Auth.none : Auth.ntlm;
    }
    return;
  }
  if (indexOfSeq(buf, from, lim, KRB5_AP_REQ) >= 0 || indexOfSeq(buf, from, lim, MS_KRB5_AP_REQ) >= 0) {
    detailsOf(s, f).auth_mech = 'Kerberos';
    s.auth[f] = Auth.gss;
  }
}

function indexOfSeq(buf: Uint8Array, from: number, to: number, seq: readonly number[]): number {
  const first = seq[0]!;
  const n = seq.length;
  outer: for (let i = from; i + n <= to; i++) {
    if (buf[i] !== first) continue;
    for (let k = 1; k < n; k++) if (buf[i + k] !== seq[k]) continue outer;
    return i;
  }
  return -1;
}
