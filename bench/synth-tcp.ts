// TCP conversation shapes for the synthetic capture: 3-way handshake (or REJ / unanswered SYNs),
// bursts paced by a slow-start window with a delayed ACK every second segment, and the endings
// (FIN from either side, RST from either side, or left open). Seen from a tap near the client.
import { type Rng, uniform, pickWeighted } from './synth-random.js';
import { type Dir, type Script, DIR_C2S, DIR_S2C, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, put, wait } from './synth-script.js';

export interface TcpCtx {
  s: Script;
  rng: Rng;
  /** Round-trip time, µs. */
  rtt: number;
  /** Largest payload per segment: 1460 over IPv4, 1440 over IPv6 (IP packet ≤ 1500 bytes). */
  mss: number;
}

export type HandshakeOutcome = 'ok' | 'rej' | 's0';
export type CloseMode = 'fin-c' | 'fin-s' | 'rst-c' | 'rst-s' | 'open';

const INITIAL_WINDOW_SEGMENTS = 10;
const MAX_WINDOW_SEGMENTS = 256;
const WIRE_OVERHEAD_BYTES = 54;
/** Serialisation time of one byte at 1 Gbit/s, µs. */
const US_PER_BYTE_1G = 0.008;
const SYN_RETRY_US = [1_000_000, 2_000_000];

function other(dir: Dir): Dir {
  return dir === DIR_C2S ? DIR_S2C : DIR_C2S;
}

/** Returns true when the connection is established. */
export function tcpHandshake(c: TcpCtx, outcome: HandshakeOutcome): boolean {
  put(c.s, DIR_C2S, TCP_SYN, 0);
  if (outcome === 's0') {
    for (const gap of SYN_RETRY_US) {
      wait(c.s, gap);
      put(c.s, DIR_C2S, TCP_SYN, 0);
    }
    return false;
  }
  wait(c.s, c.rtt);
  if (outcome === 'rej') {
    put(c.s, DIR_S2C, TCP_RST | TCP_ACK, 0);
    return false;
  }
  put(c.s, DIR_S2C, TCP_SYN | TCP_ACK, 0);
  wait(c.s, uniform(c.rng, 5, 60));
  put(c.s, DIR_C2S, TCP_ACK, 0);
  wait(c.s, uniform(c.rng, 5, 200));
  return true;
}

/** Sends `bytes` (≥ 1) from `dir` as MSS-sized segments; the receiver ACKs every second segment. */
export function tcpSend(c: TcpCtx, dir: Dir, bytes: number): void {
  let left = Math.max(1, Math.round(bytes));
  let sent = 0;
  let inWindow = 0;
  let window = INITIAL_WINDOW_SEGMENTS;
  while (left > 0) {
    const len = Math.min(c.mss, left);
    left -= len;
    put(c.s, dir, TCP_ACK | (left === 0 ? TCP_PSH : 0), len, sent === 0);
    sent++;
    inWindow++;
    wait(c.s, (len + WIRE_OVERHEAD_BYTES) * US_PER_BYTE_1G + uniform(c.rng, 0, 8));
    if (sent % 2 === 0 || (left === 0 && sent > 1)) {
      wait(c.s, uniform(c.rng, 3, 30));
      put(c.s, other(dir), TCP_ACK, 0);
      wait(c.s, uniform(c.rng, 1, 5));
    }
    if (left > 0 && inWindow >= window) {
      wait(c.s, c.rtt);
      window = Math.min(window * 2, MAX_WINDOW_SEGMENTS);
      inWindow = 0;
    }
  }
}

/** Request from the client, server think time, response from the server. */
export function tcpRound(c: TcpCtx, requestBytes: number, responseBytes: number, serverUs: number): void {
  tcpSend(c, DIR_C2S, requestBytes);
  wait(c.s, c.rtt + serverUs);
  tcpSend(c, DIR_S2C, responseBytes);
}

export function tcpClose(c: TcpCtx, mode: CloseMode): void {
  switch (mode) {
    case 'fin-c':
      put(c.s, DIR_C2S, TCP_FIN | TCP_ACK, 0);
      wait(c.s, c.rtt);
      put(c.s, DIR_S2C, TCP_FIN | TCP_ACK, 0);
      wait(c.s, uniform(c.rng, 5, 60));
      put(c.s, DIR_C2S, TCP_ACK, 0);
      return;
    case 'fin-s':
      put(c.s, DIR_S2C, TCP_FIN | TCP_ACK, 0);
      wait(c.s, uniform(c.rng, 30, 300));
      put(c.s, DIR_C2S, TCP_FIN | TCP_ACK, 0);
      wait(c.s, c.rtt);
      put(c.s, DIR_S2C, TCP_ACK, 0);
      return;
    case 'rst-c':
      put(c.s, DIR_C2S, TCP_RST | TCP_ACK, 0);
      return;
    case 'rst-s':
      put(c.s, DIR_S2C, TCP_RST | TCP_ACK, 0);
      return;
    case 'open':
      return;
  }
}

const CLOSE_MIX: Record<CloseMode, number> = { 'fin-c': 50, 'fin-s': 30, 'rst-c': 8, 'rst-s': 4, open: 8 };

export function pickClose(rng: Rng): CloseMode {
  return pickWeighted(rng, CLOSE_MIX);
}
