import { describe, expect, it } from 'vitest';
import { createDetector } from './detector.js';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { isGrease, ja3, ja4, readClientHello, type ClientHelloInfo } from './tls.js';
import { FIXTURES_DIR, packetFor, recordFlows, replayFlow, type RecordedFlow } from './fixture-payloads.test-helper.js';

const hex = (s: string): number[] => s.split(',').map((x) => parseInt(x, 16));

describe('ja4', () => {
  it('matches a published JA4 for a Chrome ClientHello (raw lists from a JA4_r string)', () => {
    // ja4_r: t13d1516h2_<sorted ciphers>_<sorted extensions without SNI/ALPN>_<signature algorithms>
    const h: ClientHelloInfo = {
      version: 0x0303,
      ciphers: [0x0a0a, ...hex('1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035')],
      extensions: [0x2a2a, ...hex('002d,0033,0010,fe0d,0017,44cd,0000,000b,000a,002b,ff01,0023,0012,0005,000d,001b'), 0x3a3a],
      groups: [], pointFormats: [],
      sigAlgs: hex('0403,0804,0401,0503,0805,0501,0806,0601'),
      supportedVersions: [0x5a5a, 0x0304, 0x0303],
      sni: 'tls.browserleaks.com', alpn: ['h2', 'http/1.1'], complete: true,
    };
    expect(ja4(h, 't')).toBe('t13d1516h2_8daaf6152771_d8a2da3f94cd');
  });

  it('GREASE values are 0x?a?a with equal bytes', () => {
    expect([0x0a0a, 0x1a1a, 0xfafa].every(isGrease)).toBe(true);
    expect([0x0a1a, 0x1301, 0x000a].some(isGrease)).toBe(false);
  });
});

describe('TLS on real openssl traffic (fixtures/detect-tls.pcap)', async () => {
  const flows = (await recordFlows('detect-tls.pcap')).filter((f) => f.packets.length > 0);
  const whole = flows.map((f) => replayFlow(createDetector({ maxFlows: 4 }), f).rec);
  const smallOffice = (await recordFlows('small-office.pcap')).filter((f) => f.packets.length > 0);

  it('JA3 of every real ClientHello equals tshark\'s tls.handshake.ja3 (the hello is read right)', () => {
    for (const file of ['detect-tls.pcap', 'small-office.pcap']) {
      const theirs = execFileSync('tshark', ['-n', '-d', 'tcp.port==9443-9446,tls', '-r', join(FIXTURES_DIR, file), '-Y',
        'tls.handshake.type == 1', '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tls.handshake.ja3'], { encoding: 'utf8' })
        .split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
      expect(theirs.length, file).toBeGreaterThanOrEqual(2);
      for (const [port, want] of theirs) {
        const flow = [...flows, ...smallOffice].find((f) => f.file === file && f.origPort === Number(port))!;
        const hello = flow.packets[0]!.bytes;
        expect(ja3(readClientHello(hello, 9, hello.length)!), `${file} :${port}`).toBe(want);
      }
    }
  });

  it('the cached JA4 (keyed by a hash of the hello) equals JA4 computed from the full hello, for every real hello', () => {
    const d = createDetector({ maxFlows: 1 });
    for (const flow of [...flows, ...smallOffice].filter((f) => f.respPort !== 53 && f.packets[0]!.bytes[0] === 0x16)) {
      for (let twice = 0; twice < 2; twice++) {
        const { rec } = replayFlow(d, flow);
        const hello = flow.packets[0]!.bytes;
        expect(rec.ja4, `${flow.file} :${flow.origPort}`).toBe(ja4(readClientHello(hello, 9, hello.length)!, 't'));
        expect(rec.alpn ?? '').toBe(readClientHello(hello, 9, hello.length)!.alpn.join(','));
      }
    }
  });

  it('reads a ClientHello from the real bytes (SNI, ALPN, ciphers)', () => {
    const first = flows[0]!.packets.find((p) => p.fromOrig)!;
    const h = readClientHello(first.bytes, 5 + 4, first.bytes.length)!;
    expect(h.complete).toBe(true);
    expect(h.sni).toBe('vault.detect.example');
    expect(h.alpn).toEqual(['http/1.1']);
    expect(h.ciphers.length).toBeGreaterThan(5);
  });

  it('the same labels when every segment is split in two at any point (records span segments)', () => {
    flows.forEach((flow, i) => {
      // From 11 bytes on, the first segment holds the record and handshake headers (real splits are at
      // the MSS, far later); shorter first segments are not recognised as TLS (tested in the fuzz test).
      for (const cut of [11, 12, 40, 77, 200, 513, 1000]) {
        const split: RecordedFlow = { ...flow, packets: flow.packets.flatMap((p) => {
          if (p.bytes.length <= cut) return [p];
          return [
            { ...p, bytes: p.bytes.subarray(0, cut), payloadLen: cut },
            { ...p, bytes: p.bytes.subarray(cut), payloadLen: p.payloadLen - cut, tcpSeq: (p.tcpSeq + cut) >>> 0 },
          ];
        }) };
        const { rec } = replayFlow(createDetector({ maxFlows: 4 }), split);
        expect({ app: rec.app, encryption: rec.encryption }, `flow ${i} cut ${cut}`).toEqual({ app: whole[i]!.app, encryption: whole[i]!.encryption });
        // A hello cut in two is read as far as it goes, and a handshake header split across segments
        // ends the following of that side: labels may be missing then, never wrong.
        if (cut >= 200) expect(rec.tls_version, `flow ${i} cut ${cut}`).toBe(whole[i]!.tls_version);
        if (cut >= flow.packets[0]!.bytes.length) expect(rec.sni).toBe(whole[i]!.sni);
        expect([whole[i]!.auth, 'unknown'], `flow ${i} cut ${cut}`).toContain(rec.auth);
      }
    });
  });

  it('a retransmitted segment is skipped, not parsed twice', () => {
    const mtls = flows.findIndex((_, i) => whole[i]!.auth === 'mtls');
    const flow = flows[mtls]!;
    const dup: RecordedFlow = { ...flow, packets: flow.packets.flatMap((p) => [p, p]) };
    expect(replayFlow(createDetector({ maxFlows: 4 }), dup).rec).toEqual(whole[mtls]);
  });

  it('a lost segment in the server flight stops following that side without a wrong verdict', () => {
    const mtls = flows.findIndex((_, i) => whole[i]!.auth === 'mtls');
    const flow = flows[mtls]!;
    const firstServer = flow.packets.findIndex((p) => !p.fromOrig);
    const gap: RecordedFlow = { ...flow, packets: flow.packets.filter((_, k) => k !== firstServer) };
    const { rec } = replayFlow(createDetector({ maxFlows: 4 }), gap);
    expect(rec.app).toBe('tls');
    expect(rec.auth).toBe('unknown');
  });

  it('a snap length that cuts the ClientHello keeps the SNI read so far and skips the fingerprint', () => {
    const flow = flows[0]!;
    const d = createDetector({ maxFlows: 4 });
    d.open(0, flow.proto, flow.origPort, flow.respPort);
    const ch = flow.packets[0]!;
    const cut = ch.bytes.subarray(0, 200);
    d.payload(0, true, cut, 0, cut.length, packetFor(flow, ch, cut, ch.payloadLen));
    const rec = {} as Parameters<typeof d.label>[1];
    d.label(0, rec);
    expect(rec.app).toBe('tls');
    expect(rec.ja4).toBeUndefined();
  });
});
