import { describe, expect, it } from 'vitest';
import { LABEL_KEYS } from '../../common/flow-json.js';
import type { FlowRecord } from '../../common/flow-record.js';
import { createDecodedPacket, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../decode/packet.js';
import { createDetector, MAX_CALLS_PER_FLOW, MAX_PROBES_PER_DIRECTION } from './detector.js';
import { packetFor, recordFlows, replayFlow } from './fixture-payloads.test-helper.js';
import { copyDetails, createDetectState, detailsOf, DETAIL_KEYS } from './state.js';

const labels = (d: ReturnType<typeof createDetector>, f: number): FlowRecord => {
  const r = {} as FlowRecord;
  d.label(f, r);
  return r;
};

function udp(bytes: string) {
  const p = createDecodedPacket();
  const b = new Uint8Array(Buffer.from(bytes, 'latin1'));
  p.proto = IPPROTO_UDP;
  p.buf = b;
  p.payloadCap = p.payloadLen = b.length;
  return p;
}

describe('createDetector', () => {
  it('marks port-only guesses, and says unknown when neither content nor port tells', () => {
    const d = createDetector({ maxFlows: 4 });
    d.open(0, IPPROTO_TCP, 40000, 5432);
    expect(labels(d, 0)).toEqual({ app: 'postgres', app_guess: 'port', auth: 'unknown', encryption: 'unknown' });
    d.open(1, IPPROTO_TCP, 40000, 40001);
    expect(labels(d, 1)).toEqual({ app: 'unknown', auth: 'unknown', encryption: 'unknown' });
    d.open(2, IPPROTO_ICMP, 8, 0);
    expect(labels(d, 2)).toEqual({ app: 'icmp', auth: 'none', encryption: 'none' });
  });

  it('content beats the port: HTTP on 5432 is HTTP', async () => {
    const flow = (await recordFlows('detect-http.pcap')).find((f) => f.packets.length > 0)!;
    const { rec } = replayFlow(createDetector({ maxFlows: 2 }), { ...flow, respPort: 5432 });
    expect(rec).toMatchObject({ app: 'http', auth: 'none', encryption: 'none' });
    expect(rec.app_guess).toBeUndefined();
  });

  it('open() forgets what the previous flow on the same id taught', async () => {
    const flows = (await recordFlows('detect-db.pcap')).filter((f) => f.packets.length > 0);
    const d = createDetector({ maxFlows: 1 });
    const first = replayFlow(d, flows.find((f) => f.respPort === 3306)!, 0).rec;
    expect(first.mysql_auth_plugin).toBe('mysql_native_password');
    const second = replayFlow(d, flows.find((f) => f.respPort === 6379)!, 0).rec;
    expect(second).toEqual({ app: 'redis', auth: 'none', encryption: 'none' });
  });

  it('StatsD and SNMP need the whole datagram to parse; a near miss is not StatsD', () => {
    const d = createDetector({ maxFlows: 4 });
    d.open(0, IPPROTO_UDP, 40000, 40001);
    d.payload(0, true, udp('api.requests:1|c').buf, 0, 16, udp('api.requests:1|c'));
    expect(labels(d, 0).app).toBe('statsd');
    d.open(1, IPPROTO_UDP, 40000, 40001);
    const miss = udp('hello world: not|metrics');
    d.payload(1, true, miss.buf, 0, miss.payloadCap, miss);
    expect(labels(d, 1).app).toBe('unknown');
  });

  it(`an unrecognised flow is offered to the matchers ${2 * MAX_PROBES_PER_DIRECTION} times, a recognised one-way flow at most ${MAX_CALLS_PER_FLOW}`, async () => {
    const d = createDetector({ maxFlows: 2 });
    d.open(0, IPPROTO_UDP, 40000, 40001);
    const junk = udp('\x00\x01\x02 junk');
    let calls = 1;
    while (d.payload(0, true, junk.buf, 0, junk.payloadCap, junk)) calls++;
    expect(calls).toBe(2 * MAX_PROBES_PER_DIRECTION);
    // A real ClientHello, then only the client's (garbage) segments: the server side never speaks.
    const tls = (await recordFlows('detect-tls.pcap')).find((f) => f.packets.length > 0)!;
    const hello = tls.packets[0]!;
    d.open(1, tls.proto, tls.origPort, tls.respPort);
    let seq = hello.tcpSeq;
    calls = 0;
    for (;;) {
      calls++;
      const p = packetFor(tls, { ...hello, tcpSeq: seq });
      seq = (seq + hello.payloadLen) >>> 0;
      if (!d.payload(1, true, hello.bytes, 0, hello.bytes.length, p)) break;
      expect(calls).toBeLessThan(MAX_CALLS_PER_FLOW);
    }
    expect(labels(d, 1).app).toBe('tls');
  });

  it('every real flow of the fixtures is looked at for a few packets only', async () => {
    for (const file of ['detect-http.pcap', 'detect-tls.pcap', 'detect-db.pcap', 'detect-ssh-udp.pcap']) {
      for (const flow of (await recordFlows(file)).filter((f) => f.packets.length > 0)) {
        const { rec, calls } = replayFlow(createDetector({ maxFlows: 1 }), flow);
        expect(rec.app, `${file} :${flow.respPort}`).not.toBe('unknown');
        expect(calls, `${file} :${flow.respPort}`).toBeLessThanOrEqual(8);
      }
    }
  });
});

describe('DNS: the answer is read only when someone wants names', () => {
  it('stops after the query without a names callback, reads the answer with one; same labels', async () => {
    const dns = (await recordFlows('small-office.pcap')).filter((f) => f.respPort === 53 && f.packets.length === 2);
    expect(dns.length).toBeGreaterThan(0);
    const names: string[] = [];
    for (const flow of dns) {
      const quiet = replayFlow(createDetector({ maxFlows: 1 }), flow);
      const told = replayFlow(createDetector({ maxFlows: 1, onName: (ip, name) => names.push(`${ip} ${name}`) }), flow);
      expect(quiet.calls, `:${flow.origPort}`).toBe(1);
      expect(told.calls, `:${flow.origPort}`).toBe(2);
      expect(quiet.rec).toEqual(told.rec);
      expect(quiet.rec).toMatchObject({ app: 'dns', auth: 'none', encryption: 'none' });
      expect(quiet.rec.dns_query).toMatch(/\.office\.example$/);
    }
    expect(names).toContain('192.0.2.20 files.office.example'); // an A answer, read only with the callback
  });
});

describe('details', () => {
  it('copyDetails writes every detail field, in DETAIL_KEYS order, undefined ones too', () => {
    const s = createDetectState(1);
    const x = detailsOf(s, 0);
    expect(Object.keys(x)).toEqual([...DETAIL_KEYS]);
    DETAIL_KEYS.forEach((k, i) => { (x as Record<string, unknown>)[k] = k === 'jwt_lifetime_s' ? i : `v${i}`; });
    const rec = {} as FlowRecord;
    copyDetails(x, rec);
    expect(Object.keys(rec)).toEqual([...DETAIL_KEYS]);
    expect(rec).toEqual(x);
    for (const none of [detailsOf(createDetectState(1), 0), undefined]) {
      const empty = {} as FlowRecord;
      copyDetails(none, empty);
      expect(Object.keys(empty)).toEqual([...DETAIL_KEYS]);
      expect(Object.values(empty).every((v) => v === undefined)).toBe(true);
    }
  });

  it('label() gives every record the same keys, in flow-json LABEL_KEYS order (one hidden class)', () => {
    expect(LABEL_KEYS.slice(4)).toEqual([...DETAIL_KEYS]);
    const d = createDetector({ maxFlows: 4 });
    d.open(0, IPPROTO_TCP, 40000, 5432); // port guess
    d.open(1, IPPROTO_TCP, 40000, 40001); // unknown
    d.open(2, IPPROTO_ICMP, 8, 0);
    d.open(3, IPPROTO_UDP, 40000, 53);
    // A DNS query: id, flags RD, one question (example.com, A, IN).
    const q = udp('\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01');
    d.payload(3, true, q.buf, 0, q.payloadLen, q);
    const recs = [0, 1, 2, 3].map((f) => labels(d, f));
    expect(recs[3]).toMatchObject({ app: 'dns', dns_query: 'example.com', dns_qtype: 'A' });
    for (const r of recs) expect(Object.keys(r)).toEqual([...LABEL_KEYS]);
  });
});
