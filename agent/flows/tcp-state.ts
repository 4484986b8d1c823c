// TCP endpoint states, history letters and the final connection state, in Zeek's vocabulary so that
// users can hold our records next to the tool they already trust.
// conn_state: https://docs.zeek.org/en/master/scripts/base/protocols/conn/main.zeek.html (conn_state)
// history:    same page, field `history`. Upper case = originator, lower case = responder.

export const EP_INACTIVE = 0;
export const EP_SYN_SENT = 1;
export const EP_SYN_ACK_SENT = 2;
export const EP_PARTIAL = 3;
export const EP_ESTABLISHED = 4;
export const EP_CLOSED = 5;
export const EP_RESET = 6;

const TH_FIN = 0x01;
const TH_SYN = 0x02;
const TH_RST = 0x04;
const TH_ACK = 0x10;

/**
 * Next state of the endpoint that sent a packet with `flags`, given the peer's state. Returns the new
 * sender state in the low byte and the new peer state in the next byte (the handshake's last ACK moves
 * both sides to ESTABLISHED).
 */
export function nextTcpStates(flags: number, payloadLen: number, me: number, peer: number): number {
  if (flags & TH_RST) return EP_RESET | (peer << 8);
  if (flags & TH_SYN) {
    if (flags & TH_ACK) {
      if (me === EP_INACTIVE || me === EP_SYN_SENT) me = EP_SYN_ACK_SENT;
    } else if (me === EP_INACTIVE) {
      me = EP_SYN_SENT;
    }
    if (flags & TH_FIN && me !== EP_RESET) me = EP_CLOSED;
    return me | (peer << 8);
  }
  if (flags & TH_ACK || payloadLen > 0) {
    if (me === EP_INACTIVE) {
      me = EP_PARTIAL;
    } else if (me === EP_SYN_SENT || me === EP_SYN_ACK_SENT) {
      if (peer === EP_SYN_SENT || peer === EP_SYN_ACK_SENT) {
        me = EP_ESTABLISHED;
        peer = EP_ESTABLISHED;
      } else if (peer === EP_ESTABLISHED || peer === EP_CLOSED) {
        me = EP_ESTABLISHED;
      }
    }
  }
  if (flags & TH_FIN && me !== EP_RESET) me = EP_CLOSED;
  return me | (peer << 8);
}

// History letters, one bit each; bit i+16 is the originator's (upper case) letter.
export const H_SYN = 0; // s: SYN without ACK
export const H_SYNACK = 1; // h: SYN+ACK
export const H_ACK = 2; // a: pure ACK
export const H_DATA = 3; // d: packet with payload
export const H_FIN = 4; // f: FIN
export const H_RST = 5; // r: RST
export const H_RETRANS = 6; // t: retransmitted payload
export const H_MULTI = 7; // q: SYN with FIN or RST in one packet
const LETTERS = 'shadfrtq';

/** Bit index (0..7) of the letters a TCP packet adds, as a bitmask. */
export function tcpHistoryMask(flags: number, payloadLen: number, retransmit: boolean): number {
  let m = 0;
  if (flags & TH_SYN) {
    m |= 1 << (flags & TH_ACK ? H_SYNACK : H_SYN);
    if (flags & (TH_FIN | TH_RST)) m |= 1 << H_MULTI;
  } else if (!(flags & (TH_FIN | TH_RST)) && flags & TH_ACK && payloadLen === 0) {
    m |= 1 << H_ACK;
  }
  if (payloadLen > 0) m |= 1 << (retransmit ? H_RETRANS : H_DATA);
  if (flags & TH_FIN) m |= 1 << H_FIN;
  if (flags & TH_RST) m |= 1 << H_RST;
  return m;
}

/** History letter of code `c`: codes 0..7 are the responder's letters (bit index), 8..15 the originator's. */
export const HISTORY_CHARS = LETTERS + LETTERS.toUpperCase();

/** The history string of `len` letter codes stored from `start` in `codes`. */
export function historyString(codes: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += HISTORY_CHARS[codes[start + i]!]!;
  return s;
}

const RSTOS0 = /^\^?S[^HAFGIQ]*R/;

/** Zeek's conn_state for a TCP connection from the two endpoint states. */
export function tcpConnState(os: number, rs: number, origBytes: number, respBytes: number, history: string): string {
  const oInactive = os === EP_INACTIVE || os === EP_PARTIAL;
  const rInactive = rs === EP_INACTIVE || rs === EP_PARTIAL;
  if (rs === EP_RESET) {
    if (os === EP_SYN_SENT || os === EP_SYN_ACK_SENT || (os === EP_RESET && origBytes === 0 && respBytes === 0)) {
      return 'REJ';
    }
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === EP_RESET) {
    if (rInactive) return RSTOS0.test(history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === EP_CLOSED && os === EP_CLOSED) return 'SF';
  if (os === EP_CLOSED) return rInactive ? 'SH' : 'S2';
  if (rs === EP_CLOSED) return oInactive ? 'SHR' : 'S3';
  if (os === EP_SYN_SENT && rs === EP_INACTIVE) return 'S0';
  if (os === EP_ESTABLISHED && rs === EP_ESTABLISHED) return 'S1';
  return 'OTH';
}

/** conn_state for UDP and ICMP: who sent anything (Zeek applies this to UDP; we use it for ICMP too). */
export function datagramConnState(origPkts: number, respPkts: number): string {
  if (origPkts > 0) return respPkts > 0 ? 'SF' : 'S0';
  return respPkts > 0 ? 'SHR' : 'OTH';
}

/** True once the connection is over: both sides closed, or either reset. */
export function tcpFinished(a: number, b: number): boolean {
  return a === EP_RESET || b === EP_RESET || (a === EP_CLOSED && b === EP_CLOSED);
}
