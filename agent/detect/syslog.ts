// syslog over UDP or TCP: a message starts with "<PRI>" (PRI = facility * 8 + severity, 0–191); RFC 5424
// follows it with the version "1" and a space, RFC 3164 (BSD) with a "Mmm dd" timestamp. Over TCP a
// message is either octet-counted ("<length> <PRI>…", RFC 6587 §3.4.1) or LF-framed (§3.4.2). Only
// the format is reported: the host, tag and message are never read into a label.
// https://www.rfc-editor.org/rfc/rfc5424#section-6 ; https://www.rfc-editor.org/rfc/rfc3164#section-4.1
import { App, Auth, Enc, detailsOf, finish, type DetectState } from './state.js';
import { isDigit } from './text.js';

const LT = 0x3c; // '<'
const GT = 0x3e;
const SP = 0x20;
const MAX_PRI = 191;
/** Octet counts up to 99999: far over any first message; a 6-digit prefix is not believed. */
const MAX_COUNT_DIGITS = 5;
const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

export const SYSLOG_5424 = 5424;
export const SYSLOG_3164 = 3164;

function isMonth(buf: Uint8Array, at: number): boolean {
  const a = buf[at]!;
  const b = buf[at + 1]!;
  const c = buf[at + 2]!;
  for (let m = 0; m < 36; m += 3) {
    if (MONTHS.charCodeAt(m) === a && MONTHS.charCodeAt(m + 1) === b && MONTHS.charCodeAt(m + 2) === c) return true;
  }
  return false;
}

/** The format (SYSLOG_5424 / SYSLOG_3164) of a message starting with '<' at `at`, or 0. */
function messageFormat(buf: Uint8Array, at: number, end: number): number {
  if (end - at < 8 || buf[at] !== LT) return 0;
  let i = at + 1;
  let pri = 0;
  while (i < end && i <= at + 3 && isDigit(buf[i]!)) pri = pri * 10 + buf[i++]! - 0x30;
  if (i === at + 1 || pri > MAX_PRI || i + 6 > end || buf[i] !== GT) return 0;
  if (buf[i + 1] === 0x30 && i > at + 2) return 0; // no leading zeros ("<0>" alone is fine)
  i++;
  // RFC 5424: VERSION "1" SP, then a timestamp (digit) or NILVALUE "-".
  if (buf[i] === 0x31 && buf[i + 1] === SP && (isDigit(buf[i + 2]!) || buf[i + 2] === 0x2d)) return SYSLOG_5424;
  // RFC 3164: "Mmm " then a day (" 1" or "11").
  if (isMonth(buf, i) && buf[i + 3] === SP && (buf[i + 4] === SP || isDigit(buf[i + 4]!)) && isDigit(buf[i + 5]!)) return SYSLOG_3164;
  return 0;
}

/** A syslog datagram, or the start of a syslog TCP stream (octet-counted or not): its format, or 0. */
export function syslogFormat(buf: Uint8Array, off: number, end: number, tcp: boolean): number {
  const b0 = buf[off];
  if (b0 === LT) return messageFormat(buf, off, end);
  if (!tcp || b0 === undefined || b0 < 0x31 || b0 > 0x39) return 0;
  let i = off;
  let n = 0;
  while (i < end && i < off + MAX_COUNT_DIGITS && isDigit(buf[i]!)) n = n * 10 + buf[i++]! - 0x30;
  if (i >= end || buf[i] !== SP || n < 8) return 0;
  return messageFormat(buf, i + 1, end);
}

export function syslogStart(s: DetectState, f: number, format: number): void {
  s.app[f] = App.syslog;
  s.auth[f] = Auth.none;
  s.enc[f] = Enc.none;
  detailsOf(s, f).app_version = format === SYSLOG_5424 ? 'RFC5424' : 'RFC3164';
  finish(s, f);
}
