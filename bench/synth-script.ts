// NOTE: a flow is planned up front as a script: parallel arrays of packet times (µs from the start of
// the capture) and packed packet descriptors. Sequence/ack numbers, addresses and bytes are filled in
// by the writer when the packet is emitted, so a script stays small.
//   meta bit 0        direction (0 = client → server, 1 = server → client)
//   meta bits 1–8     TCP flags
//   meta bits 9–20    L4 payload length (≤ 4095)
//   meta bit 21       first packet of a burst (gets the flow's next application prefix)
//   meta bits 22–23   special packet kind (SPECIAL_*)
import type { Host } from './synth-network.js';

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export const DIR_C2S = 0;
export const DIR_S2C = 1;
export type Dir = 0 | 1;

export const SPECIAL_NONE = 0;
/** ICMP(v6) port unreachable from the server, quoting the client's last UDP datagram of `len` bytes. */
export const SPECIAL_PORT_UNREACHABLE = 1;

const FLAGS_SHIFT = 1;
const LEN_SHIFT = 9;
const LEN_MASK = 0xfff;
const BURST_BIT = 1 << 21;
const SPECIAL_SHIFT = 22;

export function metaDir(m: number): Dir {
  return (m & 1) as Dir;
}
export function metaFlags(m: number): number {
  return (m >>> FLAGS_SHIFT) & 0xff;
}
export function metaLen(m: number): number {
  return (m >>> LEN_SHIFT) & LEN_MASK;
}
export function metaBurst(m: number): boolean {
  return (m & BURST_BIT) !== 0;
}
export function metaSpecial(m: number): number {
  return (m >>> SPECIAL_SHIFT) & 3;
}

/** Application bytes for the start of burst number `burst` in direction `dir`, or null for filler. */
export type PrefixFn = (dir: Dir, burst: number) => Uint8Array | null;

export interface Flow {
  id: number;
  kind: string;
  /** IP protocol: 6, 17, 1 or 58. */
  proto: number;
  v6: boolean;
  client: Host;
  server: Host;
  /** Client port; ICMP echo: the echo identifier. */
  cport: number;
  sport: number;
  vlan: number;
  times: number[];
  meta: number[];
  /** Index of the next packet to emit. */
  next: number;
  isn: [number, number];
  nextSeq: [number, number];
  bursts: [number, number];
  icmpSeq: number;
  ipId: number;
  prefix: PrefixFn;
}

export interface Script {
  times: number[];
  meta: number[];
  /** Time cursor, µs from capture start. */
  t: number;
}

export function createScript(t0: number): Script {
  return { times: [], meta: [], t: t0 };
}

export function put(s: Script, dir: Dir, flags: number, len: number, burstStart = false, special = SPECIAL_NONE): void {
  if (len < 0 || len > LEN_MASK) throw new Error(`script: payload length ${len} out of range`);
  s.times.push(s.t);
  s.meta.push(dir | (flags << FLAGS_SHIFT) | (len << LEN_SHIFT) | (burstStart ? BURST_BIT : 0) | (special << SPECIAL_SHIFT));
}

export function wait(s: Script, us: number): void {
  s.t += Math.max(1, us);
}
