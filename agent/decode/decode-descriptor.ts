// NOTE: the packet descriptor passed from the decode worker to the main thread (decode-ring.ts): every
// DecodedPacket field but `buf`, as DESC_WORDS 32-bit words in a SharedArrayBuffer. Every field is a
// non-negative integer below 2^32 except tsUs (a double in words 0-1), so a Uint32Array view gives the
// numbers back exactly as the decoder made them (the flow table compares them with ===).
import type { DecodedPacket } from './packet.js';

/** Control words shared by decode-ring.ts and decode-worker.ts (an Int32Array over a SharedArrayBuffer). */
export const CTRL_PRODUCED = 0;
export const CTRL_RELEASED = 1;
export const CTRL_ABORT = 2;
/**
 * 0, or the RELEASED count the worker sleeps until (it waits for several free slots, not one): the main
 * thread wakes it only on reaching it. Waking a thread costs ~0.5 ms of the main thread's time on this
 * VM (a cross-CPU futex wake), and one wake per chunk cost a 2 M-packet replay ~0.4 s.
 */
export const CTRL_WAKE_AT = 3;
export const CTRL_WORDS = 4;

export interface ChunkMessage {
  kind: 'chunk';
  /** The chunk's bytes (payload offsets in descriptors point into it). */
  data: SharedArrayBuffer;
  desc: SharedArrayBuffer;
  /** Descriptors in `desc`. */
  count: number;
  /** Skipped records of this chunk by Skip code, or null when none. */
  skipped: number[] | null;
  /** File offset just past the last whole record so far; records walked so far. */
  consumed: number;
  packets: number;
  end: boolean;
  /** Corrupt or truncated content (reading stopped): the walker's message. */
  error?: string;
  /** The file could not be read. */
  ioError?: string;
}

export const DESC_WORDS = 24;
const W_WIRE = 2;
const W_VLAN = 3;
/** ipVersion | fragment << 8 */
const W_VER_FRAG = 4;
const W_PROTO = 5;
const W_SRC = 6;
const W_DST = 10;
const W_SPORT = 14;
const W_DPORT = 15;
const W_ICMP_ID = 16;
const W_FLAGS = 17;
const W_SEQ = 18;
const W_ACK = 19;
const W_IP_LEN = 20;
const W_PAYLOAD_LEN = 21;
const W_PAYLOAD_OFF = 22;
const W_PAYLOAD_CAP = 23;

export function writeDescriptor(u: Uint32Array, f: Float64Array, i: number, p: DecodedPacket): void {
  const b = i * DESC_WORDS;
  f[b >> 1] = p.tsUs;
  u[b + W_WIRE] = p.wireLen;
  u[b + W_VLAN] = p.vlan;
  u[b + W_VER_FRAG] = p.ipVersion | (p.fragment << 8);
  u[b + W_PROTO] = p.proto;
  u[b + W_SRC] = p.src0; u[b + W_SRC + 1] = p.src1; u[b + W_SRC + 2] = p.src2; u[b + W_SRC + 3] = p.src3;
  u[b + W_DST] = p.dst0; u[b + W_DST + 1] = p.dst1; u[b + W_DST + 2] = p.dst2; u[b + W_DST + 3] = p.dst3;
  u[b + W_SPORT] = p.sport;
  u[b + W_DPORT] = p.dport;
  u[b + W_ICMP_ID] = p.icmpId;
  u[b + W_FLAGS] = p.tcpFlags;
  u[b + W_SEQ] = p.tcpSeq;
  u[b + W_ACK] = p.tcpAck;
  u[b + W_IP_LEN] = p.ipLen;
  u[b + W_PAYLOAD_LEN] = p.payloadLen;
  u[b + W_PAYLOAD_OFF] = p.payloadOff;
  u[b + W_PAYLOAD_CAP] = p.payloadCap;
}

/** Fills `p` from descriptor `i`; `p.buf` is set by the caller (the chunk the payload offsets point into). */
export function readDescriptor(u: Uint32Array, f: Float64Array, i: number, p: DecodedPacket): void {
  const b = i * DESC_WORDS;
  p.tsUs = f[b >> 1]!;
  p.wireLen = u[b + W_WIRE]!;
  p.vlan = u[b + W_VLAN]!;
  const vf = u[b + W_VER_FRAG]!;
  p.ipVersion = vf & 0xff;
  p.fragment = vf >>> 8;
  p.proto = u[b + W_PROTO]!;
  p.src0 = u[b + W_SRC]!; p.src1 = u[b + W_SRC + 1]!; p.src2 = u[b + W_SRC + 2]!; p.src3 = u[b + W_SRC + 3]!;
  p.dst0 = u[b + W_DST]!; p.dst1 = u[b + W_DST + 1]!; p.dst2 = u[b + W_DST + 2]!; p.dst3 = u[b + W_DST + 3]!;
  p.sport = u[b + W_SPORT]!;
  p.dport = u[b + W_DPORT]!;
  p.icmpId = u[b + W_ICMP_ID]!;
  p.tcpFlags = u[b + W_FLAGS]!;
  p.tcpSeq = u[b + W_SEQ]!;
  p.tcpAck = u[b + W_ACK]!;
  p.ipLen = u[b + W_IP_LEN]!;
  p.payloadLen = u[b + W_PAYLOAD_LEN]!;
  p.payloadOff = u[b + W_PAYLOAD_OFF]!;
  p.payloadCap = u[b + W_PAYLOAD_CAP]!;
}
