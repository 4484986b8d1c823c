import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../common/flow-record.js';
import { LABEL_KEYS, TEMPLATE_KEYS } from '../../common/flow-json.js';
import { createDecodedPacket, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, type DecodedPacket } from '../decode/packet.js';
import { createFlowTable, type FlowTableOptions } from './flow-table.js';

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0) * 1000;

function v4(s: string): number {
  return s.split('.').reduce((a, o) => (a * 256 + Number(o)) >>> 0, 0);
}

interface P { src: string; dst: string; sport?: number; dport?: number; proto?: number; flags?: number; len?: number; t: number; seq?: number; icmpId?: number }

function table(opts: Partial<FlowTableOptions> = {}) {
  const out: FlowRecord[] = [];
  const t = createFlowTable(opts, (r) => out.push(r));
  const p: DecodedPacket = createDecodedPacket();
  const send = (x: P) => {
    p.proto = x.proto ?? IPPROTO_TCP;
    p.ipVersion = 4;
    p.src0 = 0; p.src1 = 0; p.src2 = 0xffff; p.src3 = v4(x.src);
    p.dst0 = 0; p.dst1 = 0; p.dst2 = 0xffff; p.dst3 = v4(x.dst);
    p.sport = x.sport ?? 0; p.dport = x.dport ?? 0; p.icmpId = x.icmpId ?? 0;
    p.tcpFlags = x.flags ?? 0;
    p.tcpSeq = x.seq ?? 1000;
    p.payloadLen = x.len ?? 0;
    const hdr = p.proto === IPPROTO_TCP ? 40 : p.proto === IPPROTO_UDP ? 28 : 28;
    p.ipLen = hdr + p.payloadLen;
    p.tsUs = T0 + x.t * 1e6;
    t.add(p);
  };
  return { t, out, send };
}

const C = '10.0.0.2', S = '10.0.0.10';

describe('flow table: record shape', () => {
  it('builds every record with the template fields then every label key (undefined without an inspector)', () => {
    const { t, out, send } = table();
    send({ src: C, dst: S, sport: 40000, dport: 53, proto: IPPROTO_UDP, len: 30, t: 0 });
    t.flush();
    expect(out).toHaveLength(1);
    expect(Object.keys(out[0]!)).toEqual([...TEMPLATE_KEYS, ...LABEL_KEYS]);
    for (const k of LABEL_KEYS) expect(out[0]![k]).toBeUndefined();
    expect(JSON.parse(JSON.stringify(out[0]))).not.toHaveProperty('app');
  });
});

describe('flow table: TCP', () => {
  it('turns a full connection into one SF record with the initiator, both directions and Zeek history', () => {
    const { t, out, send } = table();
    send({ src: C, dst: S, sport: 40000, dport: 443, flags: SYN, t: 0, seq: 100 });
    send({ src: S, dst: C, sport: 443, dport: 40000, flags: SYN | ACK, t: 0.001, seq: 900 });
    send({ src: C, dst: S, sport: 40000, dport: 443, flags: ACK, t: 0.002, seq: 101 });
    send({ src: C, dst: S, sport: 40000, dport: 443, flags: ACK | PSH, len: 100, t: 0.003, seq: 101 });
    send({ src: S, dst: C, sport: 443, dport: 40000, flags: ACK | PSH, len: 1000, t: 0.004, seq: 901 });
    send({ src: C, dst: S, sport: 40000, dport: 443, flags: FIN | ACK, t: 0.005, seq: 201 });
    send({ src: S, dst: C, sport: 443, dport: 40000, flags: FIN | ACK, t: 0.006, seq: 1901 });
    send({ src: C, dst: S, sport: 40000, dport: 443, flags: ACK, t: 0.007, seq: 202 });
    expect(out).toHaveLength(0);
    t.expire(T0 + 4e6); // close delay (5 s) not over yet
    expect(out).toHaveLength(0);
    t.expire(T0 + 6e6);
    expect(out).toHaveLength(1);
    const r = out[0]!;
    expect(r).toMatchObject({
      proto: 'tcp', src: C, sport: 40000, dst: S, dport: 443,
      orig_pkts: 5, resp_pkts: 3, orig_bytes: 100, resp_bytes: 1000,
      orig_ip_bytes: 5 * 40 + 100, resp_ip_bytes: 3 * 40 + 1000,
      state: 'SF', history: 'ShADdFf', end_reason: 'fin', initiator: 'syn', sampling: 1,
    });
    expect(r.start).toBe('2026-11-27T12:00:00.000000Z');
    expect(r.end).toBe('2026-11-27T12:00:00.007000Z');
    expect(t.stats.active).toBe(0);
  });

  it('reports an unanswered SYN as S0 and a refused one as REJ', () => {
    const { t, out, send } = table();
    send({ src: C, dst: S, sport: 40001, dport: 22, flags: SYN, t: 0 });
    send({ src: C, dst: S, sport: 40001, dport: 22, flags: SYN, t: 1 });
    send({ src: C, dst: S, sport: 40002, dport: 23, flags: SYN, t: 2 });
    send({ src: S, dst: C, sport: 23, dport: 40002, flags: RST | ACK, t: 2.001 });
    t.flush();
    const byPort = new Map(out.map((r) => [r.dport, r]));
    expect(byPort.get(22)).toMatchObject({ state: 'S0', history: 'S', orig_pkts: 2, resp_pkts: 0, end_reason: 'eof' });
    expect(byPort.get(23)).toMatchObject({ state: 'REJ', history: 'Sr', orig_pkts: 1, resp_pkts: 1 });
  });

  it('flips a mid-stream flow whose first packet comes from the service port', () => {
    const { t, out, send } = table();
    send({ src: S, dst: C, sport: 5432, dport: 51000, flags: ACK | PSH, len: 50, t: 0 });
    send({ src: C, dst: S, sport: 51000, dport: 5432, flags: ACK, t: 0.1 });
    t.flush();
    expect(out[0]).toMatchObject({ src: C, sport: 51000, dst: S, dport: 5432, initiator: 'port', orig_pkts: 1, resp_pkts: 1, state: 'OTH' });
    expect(out[0]!.history).toBe('^dA');
  });

  it('takes the receiver of a first SYN-ACK as initiator', () => {
    const { t, out, send } = table();
    send({ src: S, dst: C, sport: 8080, dport: 40100, flags: SYN | ACK, t: 0 });
    send({ src: C, dst: S, sport: 40100, dport: 8080, flags: ACK, t: 0.1 });
    t.flush();
    expect(out[0]).toMatchObject({ src: C, dst: S, dport: 8080, initiator: 'synack', history: '^hA' });
  });

  it('starts a new record when a finished connection’s port pair is reused by a new SYN', () => {
    const { t, out, send } = table();
    for (const base of [0, 1]) {
      send({ src: C, dst: S, sport: 40200, dport: 80, flags: SYN, t: base, seq: 5 + base * 1000 });
      send({ src: S, dst: C, sport: 80, dport: 40200, flags: SYN | ACK, t: base + 0.01 });
      send({ src: C, dst: S, sport: 40200, dport: 80, flags: RST, t: base + 0.02 });
    }
    t.flush();
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ end_reason: 'rst', orig_pkts: 2, resp_pkts: 1, state: 'RSTO' });
    expect(out[1]).toMatchObject({ end_reason: 'eof', orig_pkts: 2, resp_pkts: 1 });
  });

  it('marks retransmitted payload with T', () => {
    const { t, out, send } = table();
    send({ src: C, dst: S, sport: 40300, dport: 80, flags: SYN, t: 0, seq: 0 });
    send({ src: S, dst: C, sport: 80, dport: 40300, flags: SYN | ACK, t: 0.01, seq: 0 });
    send({ src: C, dst: S, sport: 40300, dport: 80, flags: ACK | PSH, len: 10, t: 0.02, seq: 1 });
    send({ src: C, dst: S, sport: 40300, dport: 80, flags: ACK | PSH, len: 10, t: 0.03, seq: 1 });
    t.flush();
    expect(out[0]!.history).toBe('ShDT');
    expect(out[0]!.state).toBe('S1');
  });
});

describe('flow table: UDP and ICMP', () => {
  it('pairs a UDP request and response and expires on the UDP idle timeout', () => {
    const { t, out, send } = table({ idleUdpS: 60 });
    send({ proto: IPPROTO_UDP, src: C, dst: S, sport: 53001, dport: 53, len: 30, t: 0 });
    send({ proto: IPPROTO_UDP, src: S, dst: C, sport: 53, dport: 53001, len: 90, t: 0.001 });
    send({ proto: IPPROTO_UDP, src: C, dst: S, sport: 53001, dport: 53, len: 30, t: 61.002 });
    // The flow went idle before the third packet: that packet ends it and starts a new one.
    expect(out).toHaveLength(1);
    t.expire(T0 + 61.002e6);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ proto: 'udp', src: C, dport: 53, state: 'SF', history: 'Dd', orig_pkts: 1, resp_pkts: 1, end_reason: 'idle' });
    t.flush();
    expect(out[1]).toMatchObject({ state: 'S0', orig_pkts: 1, resp_pkts: 0, end_reason: 'eof' });
  });

  it('takes the receiver of a StatsD-style stream from a service port as initiator only when its own port is not one', () => {
    const { t, out, send } = table();
    send({ proto: IPPROTO_UDP, src: C, dst: S, sport: 45000, dport: 8125, len: 20, t: 0 });
    send({ proto: IPPROTO_UDP, src: S, dst: C, sport: 9090, dport: 45001, len: 20, t: 0 });
    t.flush();
    expect(out.find((r) => r.dport === 8125)).toMatchObject({ src: C, initiator: 'first', state: 'S0' });
    expect(out.find((r) => r.dport === 9090)).toMatchObject({ src: C, sport: 45001, initiator: 'port', state: 'SHR' });
  });

  it('keys an echo request and its reply into one ICMP flow; separate pings stay separate', () => {
    const { t, out, send } = table();
    send({ proto: IPPROTO_ICMP, src: C, dst: S, sport: 8, dport: 0, icmpId: 7, len: 56, t: 0 });
    send({ proto: IPPROTO_ICMP, src: S, dst: C, sport: 0, dport: 0, icmpId: 7, len: 56, t: 0.001 });
    send({ proto: IPPROTO_ICMP, src: C, dst: S, sport: 8, dport: 0, icmpId: 8, len: 56, t: 1 });
    send({ proto: IPPROTO_ICMP, src: S, dst: C, sport: 0, dport: 0, icmpId: 9, len: 56, t: 2 });
    t.flush();
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({ proto: 'icmp', src: C, sport: 8, dport: 0, orig_pkts: 1, resp_pkts: 1, state: 'SF' });
    expect(out[2]).toMatchObject({ src: C, dst: S, sport: 8, initiator: 'reply', orig_pkts: 0, resp_pkts: 1 });
  });
});

describe('flow table: timeouts and the cap', () => {
  it('exports a long flow every active timeout with counters that add up', () => {
    const { t, out, send } = table({ activeTimeoutS: 60, idleUdpS: 30 });
    for (let i = 0; i < 200; i++) send({ proto: IPPROTO_UDP, src: C, dst: S, sport: 45000, dport: 8125, len: 10, t: i });
    t.flush();
    expect(out.map((r) => r.end_reason)).toEqual(['active', 'active', 'active', 'eof']);
    expect(out.map((r) => r.orig_pkts)).toEqual([60, 60, 60, 20]);
    expect(out.reduce((a, r) => a + r.orig_pkts, 0)).toBe(200);
  });

  it('never holds more than maxFlows and exports evicted flows instead of losing them', () => {
    const { t, out, send } = table({ maxFlows: 64 });
    for (let i = 0; i < 10_000; i++) {
      send({ src: '192.0.2.1', dst: S, sport: 50000, dport: 1 + (i % 5000), flags: SYN, t: i * 0.001 });
      expect(t.stats.active).toBeLessThanOrEqual(64);
    }
    t.flush();
    expect(t.stats.evicted).toBeGreaterThan(4000);
    expect(out.reduce((a, r) => a + r.orig_pkts, 0)).toBe(10_000);
    expect(out.filter((r) => r.end_reason === 'evicted')).toHaveLength(t.stats.evicted);
  });

  it('finds every flow again after heavy churn (index deletions keep probe chains intact)', () => {
    const { t, out, send } = table({ maxFlows: 1024, idleUdpS: 1 });
    // 500 long-lived flows interleaved with short ones that expire: each long flow must stay one record.
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 500; i++) send({ proto: IPPROTO_UDP, src: C, dst: S, sport: 20000 + i, dport: 9999, len: 1, t: round * 0.5 });
      for (let i = 0; i < 300; i++) send({ proto: IPPROTO_UDP, src: '10.9.0.1', dst: S, sport: 1024 + round * 300 + i, dport: 7777, len: 1, t: round * 0.5 });
      t.expire(T0 + round * 0.5e6);
    }
    t.flush();
    const long = out.filter((r) => r.dport === 9999);
    expect(long).toHaveLength(500);
    expect(long.every((r) => r.orig_pkts === 20)).toBe(true);
  });
});
