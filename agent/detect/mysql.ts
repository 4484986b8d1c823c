// MySQL / MariaDB: the server's Handshake v10 (version, capabilities, default auth plugin), the
// client's answer (an SSLRequest, or a HandshakeResponse41 naming its plugin) and an AuthSwitchRequest.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_v10.html
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_response.html
// https://mariadb.com/kb/en/connection/
import { u16le, u32le } from '../../common/bytes.js';
import { App, Auth, Enc, Mode, detailsOf, finish, type DetectState } from './state.js';
import { tlsStart } from './tls.js';
import { ascii, indexOfByte, u24le } from './text.js';

const PKT_HEADER = 4;
const PROTOCOL_V10 = 0x0a;
const MAX_VERSION = 64;
const MAX_PLUGIN = 40;

const CLIENT_CONNECT_WITH_DB = 0x00000008;
const CLIENT_SSL = 0x00000800;
const CLIENT_SECURE_CONNECTION = 0x00008000;
const CLIENT_PLUGIN_AUTH = 0x00080000;
const CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA = 0x00200000;
/** HandshakeResponse41 fixed part: capabilities 4, max packet 4, charset 1, filler 23. */
const RESPONSE_FIXED = 32;
const AUTH_SWITCH = 0xfe;

// Flow flags while in Mode.mysql.
const F_GREETING = 1;
const F_RESPONSE = 2;

/** Is buf[off..end) a Handshake v10 packet (sequence 0, protocol 10, a printable version)? */
export function looksLikeMysqlGreeting(buf: Uint8Array, off: number, end: number): boolean {
  if (end - off < PKT_HEADER + 1 + 2 + 4 + 8 + 1) return false;
  const len = u24le(buf, off);
  if (len < 20 || len > 1024 || buf[off + 3] !== 0 || buf[off + 4] !== PROTOCOL_V10) return false;
  const v = off + PKT_HEADER + 1;
  const nul = indexOfByte(buf, v, Math.min(end, v + MAX_VERSION), 0);
  if (nul <= v) return false;
  for (let i = v; i < nul; i++) if (buf[i]! < 0x20 || buf[i]! > 0x7e) return false;
  return true;
}

export function mysqlStart(s: DetectState, f: number): void {
  s.mode[f] = Mode.mysql;
  s.app[f] = App.mysql;
  s.flags[f] = 0;
}

/** Password-style plugins → password; GSSAPI/Kerberos → gss; LDAP SASL → sasl. */
export function pluginAuth(plugin: string): number {
  switch (plugin) {
    case 'mysql_native_password':
    case 'caching_sha2_password':
    case 'sha256_password':
    case 'mysql_clear_password':
    case 'mysql_old_password':
    case 'client_ed25519':
    case 'parsec':
    case 'authentication_ldap_simple':
    case 'authentication_pam':
    case 'dialog':
      return Auth.password;
    case 'auth_gssapi_client':
    case 'authentication_kerberos_client':
    case 'authentication_windows_client':
      return Auth.gss;
    case 'authentication_ldap_sasl_client':
      return Auth.sasl;
    default:
      return Auth.unknown;
  }
}

export function mysqlServerPacket(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  const fl = s.flags[f]!;
  if ((fl & F_GREETING) === 0) {
    if (!looksLikeMysqlGreeting(buf, off, end)) return;
    s.flags[f] = fl | F_GREETING;
    const len = u24le(buf, off);
    const pend = Math.min(end, off + PKT_HEADER + len);
    let q = indexOfByte(buf, off + PKT_HEADER + 1, pend, 0) + 1;
    q += 4 + 8 + 1; // connection id, auth-plugin-data-part-1, filler
    if (q + 2 > pend) return;
    let caps = u16le(buf, q);
    q += 2;
    if (q + 1 + 2 + 2 + 1 + 10 <= pend) {
      caps |= u16le(buf, q + 3) << 16;
      const authLen = buf[q + 5]!;
      q += 1 + 2 + 2 + 1 + 10;
      if (caps & CLIENT_SECURE_CONNECTION) q += Math.max(13, authLen - 8);
      if (caps & CLIENT_PLUGIN_AUTH && q < pend) {
        const nul = indexOfByte(buf, q, Math.min(pend, q + MAX_PLUGIN + 1), 0);
        const plugin = ascii(buf, q, nul < 0 ? Math.min(pend, q + MAX_PLUGIN) : nul, MAX_PLUGIN);
        if (plugin.length > 0) detailsOf(s, f).mysql_auth_plugin = plugin;
      }
    }
    return;
  }
  if ((fl & F_RESPONSE) === 0 || end - off < PKT_HEADER + 2) return;
  // After the client's response: an AuthSwitchRequest names the plugin really used.
  if (buf[off + PKT_HEADER] === AUTH_SWITCH) {
    const len = u24le(buf, off);
    const pend = Math.min(end, off + PKT_HEADER + len);
    const from = off + PKT_HEADER + 1;
    const nul = indexOfByte(buf, from, Math.min(pend, from + MAX_PLUGIN + 1), 0);
    if (nul > from) {
      const plugin = ascii(buf, from, nul, MAX_PLUGIN);
      detailsOf(s, f).mysql_auth_plugin = plugin;
      if (s.auth[f] !== Auth.none) s.auth[f] = pluginAuth(plugin);
    }
  }
  finish(s, f);
}

export function mysqlClientPacket(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  const fl = s.flags[f]!;
  if ((fl & F_GREETING) === 0 || (fl & F_RESPONSE) !== 0) return;
  if (end - off < PKT_HEADER + RESPONSE_FIXED) return;
  const len = u24le(buf, off);
  const caps = u32le(buf, off + PKT_HEADER);
  s.flags[f] = fl | F_RESPONSE;
  if (len === RESPONSE_FIXED && (caps & CLIENT_SSL) !== 0) {
    // SSLRequest: the TLS handshake follows; the real HandshakeResponse is encrypted.
    s.auth[f] = 0;
    tlsStart(s, f);
    return;
  }
  s.enc[f] = Enc.none;
  const pend = Math.min(end, off + PKT_HEADER + len);
  let q = off + PKT_HEADER + RESPONSE_FIXED;
  const userEnd = indexOfByte(buf, q, pend, 0);
  if (userEnd < 0) { s.auth[f] = Auth.unknown; return; }
  q = userEnd + 1;
  if (q >= pend) { s.auth[f] = Auth.unknown; return; }
  let authLen: number;
  if (caps & CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) {
    authLen = buf[q]!; // length-encoded integer; auth data is short, so the 1-byte form (< 0xfb)
    if (authLen >= 0xfb) { s.auth[f] = Auth.unknown; return; }
    q += 1 + authLen;
  } else if (caps & CLIENT_SECURE_CONNECTION) {
    authLen = buf[q]!;
    q += 1 + authLen;
  } else {
    const nul = indexOfByte(buf, q, pend, 0); // NUL-terminated auth response (old protocol)
    authLen = nul < 0 ? 0 : nul - q;
    q = nul < 0 ? pend : nul + 1;
  }
  if (caps & CLIENT_CONNECT_WITH_DB) {
    const nul = indexOfByte(buf, q, pend, 0);
    q = nul < 0 ? pend : nul + 1;
  }
  const det = detailsOf(s, f);
  if (caps & CLIENT_PLUGIN_AUTH && q < pend) {
    const nul = indexOfByte(buf, q, Math.min(pend, q + MAX_PLUGIN + 1), 0);
    if (nul > q) det.mysql_auth_plugin = ascii(buf, q, nul, MAX_PLUGIN);
  }
  // An empty auth response: the account has no password.
  s.auth[f] = authLen === 0 ? Auth.none : pluginAuth(det.mysql_auth_plugin ?? '');
}
