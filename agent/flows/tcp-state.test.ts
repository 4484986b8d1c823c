import { describe, expect, it } from 'vitest';
import {
  EP_CLOSED, EP_ESTABLISHED, EP_INACTIVE, EP_PARTIAL, EP_RESET, EP_SYN_ACK_SENT, EP_SYN_SENT,
  HISTORY_CHARS, historyString, nextTcpStates, tcpConnState, tcpHistoryMask,
} from './tcp-state.js';

const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;

describe('Zeek conn_state', () => {
  it.each([
    [EP_CLOSED, EP_CLOSED, 'SF'],
    [EP_SYN_SENT, EP_INACTIVE, 'S0'],
    [EP_ESTABLISHED, EP_ESTABLISHED, 'S1'],
    [EP_SYN_SENT, EP_RESET, 'REJ'],
    [EP_CLOSED, EP_ESTABLISHED, 'S2'],
    [EP_ESTABLISHED, EP_CLOSED, 'S3'],
    [EP_RESET, EP_ESTABLISHED, 'RSTO'],
    [EP_ESTABLISHED, EP_RESET, 'RSTR'],
    [EP_PARTIAL, EP_RESET, 'RSTRH'],
    [EP_CLOSED, EP_INACTIVE, 'SH'],
    [EP_INACTIVE, EP_CLOSED, 'SHR'],
    [EP_PARTIAL, EP_PARTIAL, 'OTH'],
  ])('orig %i, resp %i → %s', (os, rs, want) => {
    expect(tcpConnState(os, rs, 10, 10, 'x')).toBe(want);
  });

  it('RSTOS0 needs a SYN then RST from the originator with no reply', () => {
    expect(tcpConnState(EP_RESET, EP_INACTIVE, 0, 0, 'SR')).toBe('RSTOS0');
    expect(tcpConnState(EP_RESET, EP_INACTIVE, 0, 0, 'DR')).toBe('OTH');
  });
});

describe('endpoint transitions', () => {
  it('moves both sides to ESTABLISHED on the handshake’s last ACK', () => {
    let o = EP_INACTIVE, r = EP_INACTIVE, s: number;
    s = nextTcpStates(SYN, 0, o, r); o = s & 0xff; r = s >>> 8;
    expect(o).toBe(EP_SYN_SENT);
    s = nextTcpStates(SYN | ACK, 0, r, o); r = s & 0xff; o = s >>> 8;
    expect(r).toBe(EP_SYN_ACK_SENT);
    s = nextTcpStates(ACK, 0, o, r); o = s & 0xff; r = s >>> 8;
    expect([o, r]).toEqual([EP_ESTABLISHED, EP_ESTABLISHED]);
    s = nextTcpStates(FIN | ACK, 0, o, r); o = s & 0xff;
    expect(o).toBe(EP_CLOSED);
    expect(nextTcpStates(RST, 0, o, r) & 0xff).toBe(EP_RESET);
  });
});

describe('history letters', () => {
  // The letters a packet adds, in bit order, as the flow table stores them (upper case = originator).
  const letters = (mask: number, orig: boolean): string => {
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) if (mask & (1 << i)) codes.push(i + (orig ? 8 : 0));
    return historyString(Uint8Array.from(codes), 0, codes.length);
  };

  it('maps flags to Zeek letters, upper case for the originator', () => {
    expect(HISTORY_CHARS).toBe('shadfrtqSHADFRTQ');
    expect(letters(tcpHistoryMask(SYN, 0, false), true)).toBe('S');
    expect(letters(tcpHistoryMask(SYN | ACK, 0, false), false)).toBe('h');
    expect(letters(tcpHistoryMask(ACK, 0, false), true)).toBe('A');
    expect(letters(tcpHistoryMask(ACK, 10, false), true)).toBe('D');
    expect(letters(tcpHistoryMask(FIN | ACK, 10, false), false)).toBe('df');
    expect(letters(tcpHistoryMask(SYN | RST, 0, false), true)).toBe('SRQ');
    expect(letters(tcpHistoryMask(ACK, 10, true), true)).toBe('T');
  });
});
