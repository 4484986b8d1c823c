// MQTT: the client's CONNECT packet, the first thing on the connection. Its protocol name and level
// give the version (3 = "MQIsdp" 3.1, 4 = 3.1.1, 5 = 5.0) and its connect flags say whether a user name
// and/or password was presented (never read). MQTT over TLS (8883) is found by the TLS detector.
// 3.1.1: https://docs.oasis-open.org/mqtt/mqtt/v3.1.1/os/mqtt-v3.1.1-os.html#_Toc398718028 (§3.1)
// 5.0: https://docs.oasis-open.org/mqtt/mqtt/v5.0/os/mqtt-v5.0-os.html#_Toc3901033 (§3.1)
import { App, Auth, Enc, detailsOf, finish, type DetectState } from './state.js';
import { startsWith } from './text.js';

const CONNECT = 0x10; // packet type 1, flags 0
const FLAG_USERNAME = 0x80;
const FLAG_PASSWORD = 0x40;
const FLAG_RESERVED = 0x01;
/** Largest CONNECT we believe in (client id, will, user name, password, properties). */
const MAX_CONNECT = 65536;

/**
 * The protocol level (3, 4 or 5) of a CONNECT packet at buf[off..end), or 0. `flags` receives the
 * connect flags. Checked: fixed header, remaining length (1–3 bytes, at least the variable header),
 * protocol name matching the level, reserved flag bit clear.
 */
export function mqttConnectLevel(buf: Uint8Array, off: number, end: number, flags: Uint8Array): number {
  if (end - off < 14 || buf[off] !== CONNECT) return 0;
  let rem = 0;
  let i = off + 1;
  for (let shift = 0; ; shift += 7) {
    if (shift > 14 || i >= end) return 0;
    const b = buf[i++]!;
    rem |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
  }
  if (rem < 10 || rem > MAX_CONNECT || i + 10 > end || buf[i] !== 0) return 0;
  let level: number;
  let at: number;
  if (buf[i + 1] === 4 && startsWith(buf, i + 2, end, 'MQTT')) {
    at = i + 6;
    level = buf[at]!;
    if (level !== 4 && level !== 5) return 0;
  } else if (buf[i + 1] === 6 && startsWith(buf, i + 2, end, 'MQIsdp')) {
    at = i + 8;
    if (at + 2 > end) return 0;
    level = buf[at]!;
    if (level !== 3) return 0;
  } else {
    return 0;
  }
  const fl = buf[at + 1]!;
  if ((fl & FLAG_RESERVED) !== 0) return 0;
  flags[0] = fl;
  return level;
}

const flagsOut = new Uint8Array(1);

/** Recognises and labels a CONNECT; true when buf[off..end) was one. */
export function mqttConnect(s: DetectState, f: number, buf: Uint8Array, off: number, end: number): boolean {
  const level = mqttConnectLevel(buf, off, end, flagsOut);
  if (level === 0) return false;
  s.app[f] = App.mqtt;
  s.enc[f] = Enc.none;
  s.auth[f] = (flagsOut[0]! & (FLAG_USERNAME | FLAG_PASSWORD)) !== 0 ? Auth.password : Auth.none;
  detailsOf(s, f).app_version = level === 4 ? 'MQTT 3.1.1' : level === 5 ? 'MQTT 5.0' : 'MQTT 3.1';
  finish(s, f);
  return true;
}
