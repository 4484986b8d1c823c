// StatsD (and DogStatsD) metric lines over UDP: "<name>:<value>|<type>[|@<rate>][|#<tags>]", several per
// datagram separated by newlines. https://github.com/statsd/statsd/blob/master/docs/metric_types.md ,
// https://docs.datadoghq.com/developers/dogstatsd/datagram_shell/
import { App, Auth, Enc, finish, type DetectState } from './state.js';
import { isDigit } from './text.js';

const MAX_NAME = 250;
const MAX_VALUE = 64;

function isNameChar(c: number): boolean {
  // Anything printable except the separators ':' '|' '@' '#' and space.
  return c > 0x20 && c < 0x7f && c !== 0x3a && c !== 0x7c && c !== 0x40 && c !== 0x23;
}

/** Is buf[off..end)'s first line a StatsD metric? */
export function looksLikeStatsd(buf: Uint8Array, off: number, end: number): boolean {
  let i = off;
  const nameLim = Math.min(end, off + MAX_NAME);
  while (i < nameLim && isNameChar(buf[i]!)) i++;
  if (i === off || i >= end || buf[i] !== 0x3a) return false;
  i++;
  const v = i;
  const valueLim = Math.min(end, i + MAX_VALUE);
  let digits = 0;
  while (i < valueLim && buf[i] !== 0x7c) {
    const c = buf[i]!;
    if (isDigit(c)) digits++;
    else if (c < 0x20 || c > 0x7e) return false;
    i++;
  }
  if (i === v || i >= end || buf[i] !== 0x7c) return false;
  i++;
  // Type: c, ms, g, s (sets may hold any value), h, d (distribution), m (meter), kv.
  const t0 = buf[i];
  const t1 = i + 1 < end ? buf[i + 1] : 0x0a;
  let tl: number;
  if (t0 === 0x6d && t1 === 0x73) tl = 2; // ms
  else if (t0 === 0x6b && t1 === 0x76) tl = 2; // kv
  else if (t0 === 0x63 || t0 === 0x67 || t0 === 0x73 || t0 === 0x68 || t0 === 0x64 || t0 === 0x6d) tl = 1;
  else return false;
  if (t0 !== 0x73 && digits === 0) return false;
  const after = i + tl;
  return after >= end || buf[after] === 0x0a || buf[after] === 0x7c || buf[after] === 0x0d;
}

export function statsdStart(s: DetectState, f: number): void {
  s.app[f] = App.statsd;
  s.enc[f] = Enc.none;
  s.auth[f] = Auth.none;
  finish(s, f);
}
