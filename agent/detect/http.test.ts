import { describe, expect, it } from 'vitest';
import { createDetector } from './detector.js';
import { pathClass, userAgentFamily } from './http.js';
import { jwtFacts } from './jwt.js';
import { packetFor, recordFlows, replayFlow } from './fixture-payloads.test-helper.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const cls = (p: string): string => pathClass(bytes(p), 0, p.length);
const ua = (s: string): string => userAgentFamily(bytes(s), 0, s.length);

describe('path classes (never the path itself)', () => {
  it.each([
    ['/metrics', 'metrics'], ['/metrics/', 'metrics'], ['/federate', 'metrics'], ['/actuator/prometheus', 'metrics'],
    ['/healthz', 'health'], ['/health', 'health'], ['/ready', 'health'], ['/READYZ', 'health'], ['/health/live', 'health'],
    ['/', 'other'], ['/metricsx', 'other'], ['/api/v1/metrics', 'other'], ['', 'other'],
  ])('%s → %s', (p, want) => expect(cls(p)).toBe(want));
});

describe('user agent families', () => {
  it.each([
    ['curl/7.88.1', 'curl'], ['Prometheus/2.53.0', 'prometheus'], ['kube-probe/1.29', 'kube-probe'],
    ['Mozilla/5.0 (X11; Linux x86_64)', 'browser'], ['Go-http-client/1.1', 'go-http-client'],
    ['Python-urllib/3.11', 'python-urllib'], ['Consul Health Check', 'consul'], ['constructor', 'other'],
    ['__proto__/1', 'other'], ['', 'other'], ['my-internal-tool/0.1 secret=abc', 'other'],
  ])('%s → %s', (s, want) => expect(ua(s)).toBe(want));
});

describe('JWT facts', () => {
  const seg = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  it('alg and exp − iat; nothing when a claim is missing or the token is not a JWT', () => {
    const t = `${seg({ alg: 'ES256' })}.${seg({ iat: 100, exp: 3700 })}.c2ln`;
    expect(jwtFacts(bytes(t), 0, t.length)).toEqual({ alg: 'ES256', lifetimeS: 3600 });
    const noIat = `${seg({ alg: 'HS256' })}.${seg({ exp: 3700 })}.c2ln`;
    expect(jwtFacts(bytes(noIat), 0, noIat.length)).toEqual({ alg: 'HS256', lifetimeS: undefined });
    for (const bad of ['opaque-token-123', 'eyJhbGciOiJIUzI1NiJ9.12345.sig', 'eyJ.eyJ.x', `${seg({ alg: 'x' })}.eyJub3Qgc29u.c2ln`]) {
      expect(jwtFacts(bytes(bad), 0, bad.length), bad).toBeNull();
    }
  });
});

describe('HTTP on real curl traffic (fixtures/detect-http.pcap)', async () => {
  const flows = (await recordFlows('detect-http.pcap')).filter((f) => f.packets.length > 0);

  it('the h2c upgrade request, answered 101 (hand-made: nghttpd does not implement the upgrade), is HTTP/2', () => {
    const up = flows.find((f) => Buffer.from(f.packets[0]!.bytes).includes('Upgrade: h2c'))!;
    expect(up).toBeDefined();
    expect(replayFlow(createDetector({ maxFlows: 2 }), up).rec.app).toBe('http'); // http.server said 200
    const d = createDetector({ maxFlows: 2 });
    d.open(0, up.proto, up.origPort, up.respPort);
    const req = up.packets[0]!;
    d.payload(0, true, req.bytes, 0, req.bytes.length, packetFor(up, req));
    const r101 = bytes('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
    const resp = up.packets.find((p) => !p.fromOrig)!;
    d.payload(0, false, r101, 0, r101.length, packetFor(up, resp, r101, r101.length));
    const rec = {} as Parameters<typeof d.label>[1];
    d.label(0, rec);
    expect(rec.app).toBe('http2');
  });

  it('a request cut after the method (short snap length) is still HTTP, with what could be read', () => {
    const basic = flows.find((f) => Buffer.from(f.packets[0]!.bytes).includes('Authorization: Basic'))!;
    const d = createDetector({ maxFlows: 2 });
    d.open(0, basic.proto, basic.origPort, basic.respPort);
    const p = basic.packets[0]!;
    const cut = p.bytes.subarray(0, 30);
    d.payload(0, true, cut, 0, cut.length, packetFor(basic, p, cut, p.payloadLen));
    const rec = {} as Parameters<typeof d.label>[1];
    d.label(0, rec);
    expect(rec).toMatchObject({ app: 'http', http_method: 'GET', auth: 'none' });
  });
});
