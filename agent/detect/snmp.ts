// SNMP over UDP: the message version, and for v1/v2c the fact that a community string is used (its
// value is skipped, never read); for v3 the msgFlags auth/priv bits of the USM security model.
// v1: https://www.rfc-editor.org/rfc/rfc1157#section-4 ; v2c: rfc1901 ; v3 message: rfc3412 §6
// BER: ITU-T X.690 §8.1 (tag, length in short or long form).
import { App, Auth, Enc, Mode, detailsOf, finish, type DetectState } from './state.js';
import { berHeader, tl } from './ber.js';

const TAG_SEQUENCE = 0x30;
const TAG_INTEGER = 0x02;
const TAG_OCTET_STRING = 0x04;
const PDU_FIRST = 0xa0;
const PDU_LAST = 0xa8;
const V1 = 0;
const V2C = 1;
const V3 = 3;
const FLAG_AUTH = 1;
const FLAG_PRIV = 2;



/** The SNMP version number of the message at buf[off..end) (0 = v1, 1 = v2c, 3 = v3), or -1. */
export function snmpVersion(buf: Uint8Array, off: number, end: number): number {
  if (!berHeader(buf, off, end, TAG_SEQUENCE)) return -1;
  if (tl[0]! + tl[1]! !== end) return -1; // the message is the whole datagram
  if (!berHeader(buf, tl[0]!, end, TAG_INTEGER) || tl[1] !== 1) return -1;
  const vAt = tl[0]!;
  const v = buf[vAt]!;
  if (v === V1 || v === V2C) {
    // community OCTET STRING, then a PDU ([0]..[8] constructed)
    if (!berHeader(buf, vAt + 1, end, TAG_OCTET_STRING)) return -1;
    const pdu = tl[0]! + tl[1]!;
    return pdu < end && buf[pdu]! >= PDU_FIRST && buf[pdu]! <= PDU_LAST ? v : -1;
  }
  if (v === V3) return berHeader(buf, vAt + 1, end, TAG_SEQUENCE) ? V3 : -1;
  return -1;
}

/** msgFlags of a v3 message (msgGlobalData: msgID, msgMaxSize, msgFlags, msgSecurityModel), or -1. */
function v3Flags(buf: Uint8Array, off: number, end: number): number {
  if (!berHeader(buf, off, end, TAG_SEQUENCE)) return -1;
  if (!berHeader(buf, tl[0]!, end, TAG_INTEGER)) return -1;
  if (!berHeader(buf, tl[0]! + tl[1]!, end, TAG_SEQUENCE)) return -1; // msgGlobalData
  if (!berHeader(buf, tl[0]!, end, TAG_INTEGER)) return -1; // msgID
  if (!berHeader(buf, tl[0]! + tl[1]!, end, TAG_INTEGER)) return -1; // msgMaxSize
  if (!berHeader(buf, tl[0]! + tl[1]!, end, TAG_OCTET_STRING) || tl[1] !== 1) return -1; // msgFlags
  return buf[tl[0]!]!;
}

export function snmpStart(s: DetectState, f: number, version: number): void {
  s.app[f] = App.snmp;
  detailsOf(s, f).snmp_version = version === V1 ? '1' : version === V2C ? '2c' : '3';
  if (version !== V3) {
    s.auth[f] = Auth.community;
    s.enc[f] = Enc.none;
    finish(s, f);
    return;
  }
  s.mode[f] = Mode.snmp;
  s.auth[f] = Auth.none;
  s.enc[f] = Enc.none;
}

/**
 * One SNMPv3 message: the strongest security level seen wins (a manager's first request is an
 * unauthenticated engine-ID discovery, the next ones carry the real level).
 */
export function snmpV3Packet(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): void {
  const flags = v3Flags(buf, off, end);
  if (flags < 0) return;
  if (flags & FLAG_AUTH) s.auth[f] = Auth.usm;
  if (flags & FLAG_PRIV) s.enc[f] = Enc.app;
  if ((flags & (FLAG_AUTH | FLAG_PRIV)) === (FLAG_AUTH | FLAG_PRIV)) finish(s, f);
}
