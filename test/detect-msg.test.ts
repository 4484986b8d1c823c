// Protocol, version and auth labels for messaging, logging and time protocols on traffic from real
// programs (fixtures/make-detect-fixtures-msg.sh → fixtures/detect-msg.pcap), through the real CLI.
// The expectations are what the capture was made to contain (fixtures/README.md); versions, user name
// flags, MAC lengths, AMQP mechanisms and Kafka api keys are also checked against tshark's dissectors
// on the same file (NTS too). The Kafka flows are real clients (kcat, kafka-python) talking to a python listener
// that never answers (there is no Kafka broker in Debian): only their first request is on the wire.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, runTool } from './helpers/capture-cli.js';
import type { FlowRecord } from '../common/flow-record.js';
import { looksLikeAmqp091Header } from '../agent/detect/amqp.js';
import { kafkaRequestApi } from '../agent/detect/kafka.js';
import { mqttConnectLevel } from '../agent/detect/mqtt.js';
import { ntpVersion } from '../agent/detect/ntp.js';
import { syslogFormat } from '../agent/detect/syslog.js';
import { createRng } from './helpers/fuzz-rng.js';

const FILE = join(ROOT, 'fixtures', 'detect-msg.pcap');
/** tshark maps 1883, 514, 123, 5672 and 9092 itself; these two listeners are on other ports. */
const DECODE = ['-d', 'tcp.port==1884,mqtt', '-d', 'tcp.port==1514,syslog'];

const run = runTool;

function flows(extra: string[] = []): FlowRecord[] {
  if (!existsSync(CLI)) throw new Error(`${relative(ROOT, CLI)} is missing: run npm run build`);
  const recs = run(process.execPath, [CLI, 'flows', '--json', ...extra, FILE])
    .split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as FlowRecord);
  return recs.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** tshark fields of the frames matching `filter`, one string[] per frame. */
function tshark(filter: string, fields: string[]): string[][] {
  const out = run('tshark', ['-n', ...DECODE, '-r', FILE, '-Y', filter, '-T', 'fields', '-E', 'separator=|',
    ...fields.flatMap((f) => ['-e', f])]);
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('|'));
}

const recs = flows();
const byPort = (dport: number): FlowRecord[] => recs.filter((r) => r.dport === dport);
const pick = (r: FlowRecord, keys: (keyof FlowRecord)[]): Record<string, unknown> => Object.fromEntries(keys.map((k) => [k, r[k]]));
const KEYS: (keyof FlowRecord)[] = ['proto', 'dport', 'app', 'app_guess', 'auth', 'encryption', 'app_version', 'auth_mech'];
const content = { app_guess: undefined, encryption: 'none' } as const;

describe('detect-msg.pcap (mosquitto, rsyslogd, chronyd, rabbitmq-server, kafka clients)', () => {
  it('labels every flow from its content, in start order', () => {
    expect(recs.map((r) => pick(r, KEYS))).toEqual([
      // mosquitto_pub → mosquitto: anonymous 3.1.1, 5.0, 3.1 on 1883; user + password 3.1.1, 5.0 on 1884;
      // an anonymous 3.1.1 connect to 1884 (refused with CONNACK 5: the client still presented nothing).
      { proto: 'tcp', dport: 1883, app: 'mqtt', ...content, auth: 'none', app_version: 'MQTT 3.1.1', auth_mech: undefined },
      { proto: 'tcp', dport: 1883, app: 'mqtt', ...content, auth: 'none', app_version: 'MQTT 5.0', auth_mech: undefined },
      { proto: 'tcp', dport: 1883, app: 'mqtt', ...content, auth: 'none', app_version: 'MQTT 3.1', auth_mech: undefined },
      { proto: 'tcp', dport: 1884, app: 'mqtt', ...content, auth: 'password', app_version: 'MQTT 3.1.1', auth_mech: undefined },
      { proto: 'tcp', dport: 1884, app: 'mqtt', ...content, auth: 'password', app_version: 'MQTT 5.0', auth_mech: undefined },
      { proto: 'tcp', dport: 1884, app: 'mqtt', ...content, auth: 'none', app_version: 'MQTT 3.1.1', auth_mech: undefined },
      // logger → rsyslogd: UDP RFC 5424, UDP RFC 3164, TCP octet-counted RFC 5424, TCP LF-framed RFC 3164.
      { proto: 'udp', dport: 514, app: 'syslog', ...content, auth: 'none', app_version: 'RFC5424', auth_mech: undefined },
      { proto: 'udp', dport: 514, app: 'syslog', ...content, auth: 'none', app_version: 'RFC3164', auth_mech: undefined },
      { proto: 'tcp', dport: 1514, app: 'syslog', ...content, auth: 'none', app_version: 'RFC5424', auth_mech: undefined },
      { proto: 'tcp', dport: 1514, app: 'syslog', ...content, auth: 'none', app_version: 'RFC3164', auth_mech: undefined },
      // chronyd -Q → chronyd: no key, key 1 (SHA1, 20-byte digest), key 2 (MD5, 16-byte digest), NTS (NTS-KE
      // is TLS 1.3 on 4460: the TLS detector's flow; then NTP with NTS extension fields); sntp.
      { proto: 'udp', dport: 123, app: 'ntp', ...content, auth: 'none', app_version: 'NTPv4', auth_mech: undefined },
      { proto: 'udp', dport: 123, app: 'ntp', ...content, auth: 'symmetric-key', app_version: 'NTPv4', auth_mech: 'SHA1' },
      { proto: 'udp', dport: 123, app: 'ntp', ...content, auth: 'symmetric-key', app_version: 'NTPv4', auth_mech: 'MD5/AES-CMAC' },
      { proto: 'tcp', dport: 4460, app: 'tls', app_guess: undefined, auth: 'unknown', encryption: 'tls', app_version: undefined, auth_mech: undefined },
      { proto: 'udp', dport: 123, app: 'ntp', ...content, auth: 'nts', app_version: 'NTPv4', auth_mech: undefined },
      { proto: 'udp', dport: 123, app: 'ntp', ...content, auth: 'none', app_version: 'NTPv4', auth_mech: undefined },
      // amqp-publish → rabbitmq-server: SASL PLAIN accepted, then PLAIN with a wrong password (refused).
      { proto: 'tcp', dport: 5672, app: 'amqp', ...content, auth: 'password', app_version: 'AMQP 0-9-1', auth_mech: 'PLAIN' },
      { proto: 'tcp', dport: 5672, app: 'amqp', ...content, auth: 'password', app_version: 'AMQP 0-9-1', auth_mech: 'PLAIN' },
      // Kafka clients → a listener that never answers: kcat's ApiVersions only (SASL or not cannot be
      // told), kafka-python's Metadata first (no SASL), kafka-python's SaslHandshake SCRAM-SHA-256.
      { proto: 'tcp', dport: 9092, app: 'kafka', ...content, auth: 'unknown', app_version: undefined, auth_mech: undefined },
      { proto: 'tcp', dport: 9092, app: 'kafka', ...content, auth: 'none', app_version: undefined, auth_mech: undefined },
      { proto: 'tcp', dport: 9092, app: 'kafka', ...content, auth: 'sasl', app_version: undefined, auth_mech: 'SCRAM-SHA-256' },
    ]);
  });

  it('agrees with tshark on MQTT versions and credential flags', () => {
    const rows = tshark('mqtt.msgtype == 1', ['tcp.srcport', 'mqtt.ver', 'mqtt.conflag.uname', 'mqtt.conflag.passwd']);
    expect(rows).toHaveLength(6);
    const names: Record<string, string> = { 3: 'MQTT 3.1', 4: 'MQTT 3.1.1', 5: 'MQTT 5.0' };
    for (const [sport, ver, uname, passwd] of rows) {
      const r = recs.find((x) => x.sport === Number(sport))!;
      expect(r.app_version).toBe(names[ver!]);
      expect(r.auth).toBe(uname === '1' || passwd === '1' ? 'password' : 'none');
    }
  });

  it('agrees with tshark on NTP versions, MACs and NTS', () => {
    const rows = tshark('ntp.flags.mode == 3', ['udp.srcport', 'ntp.flags.vn', 'ntp.mac', 'ntp.ext.type']);
    expect(rows).toHaveLength(5);
    for (const [sport, vn, mac, ext] of rows) {
      const r = recs.find((x) => x.sport === Number(sport))!;
      expect(r.app_version).toBe(`NTPv${vn}`);
      const digest = mac === '' ? 0 : mac!.length / 2;
      const nts = ext!.split(',').includes('0x0404'); // NTS Authenticator and Encrypted Extension Fields
      expect([r.auth, r.auth_mech]).toEqual(nts ? ['nts', undefined] : digest === 0 ? ['none', undefined]
        : ['symmetric-key', digest === 20 ? 'SHA1' : 'MD5/AES-CMAC']);
    }
    // The NTS-KE session that handed out the cookies: TLS 1.3 with ALPN ntske/1 (RFC 8915 §4).
    expect(byPort(4460).map((r) => [r.tls_version, r.alpn])).toEqual([['TLS 1.3', 'ntske/1']]);
  });

  it('agrees with tshark on the AMQP mechanism and the Kafka requests', () => {
    for (const [sport, mech] of tshark('amqp.method.class == 10 && amqp.method.method == 11', ['tcp.srcport', 'amqp.method.arguments.mechanism'])) {
      expect(recs.find((x) => x.sport === Number(sport))!.auth_mech).toBe(mech);
    }
    const kafka = tshark('kafka', ['tcp.srcport', 'kafka.api_key', 'kafka.sasl_mechanism']);
    expect(kafka.map((k) => k[1])).toEqual(['18', '3', '17']);
    for (const [sport, api, mech] of kafka) {
      const r = recs.find((x) => x.sport === Number(sport))!;
      expect([r.auth, r.auth_mech]).toEqual(api === '17' ? ['sasl', mech] : api === '18' ? ['unknown', undefined] : ['none', undefined]);
    }
    expect(byPort(5672)).toHaveLength(tshark('amqp.method.class == 10 && amqp.method.method == 11', ['tcp.srcport']).length);
  });

  it('never prints user names, passwords, topics, client ids, hosts, tags or messages', () => {
    const text = run(process.execPath, [CLI, 'flows', '--json', FILE]);
    for (const secret of ['sensor', 'mqtt-pass-1', 'plant/line1', 'pub-311', 'fixture-app', 'sensor-gw', 'disk usage', 'guest', 'wrong-pass',
      'render invoice', 'orders', 'kafka-pass-1', 'kafka-python', 'rdkafka', 'MQIsdp']) {
      expect(text, secret).not.toContain(secret);
    }
  });

  it('leaves the labels out with --no-detect', () => {
    const plain = flows(['--no-detect']);
    expect(plain).toHaveLength(recs.length);
    for (const r of plain) expect([r.app, r.auth, r.app_version, r.auth_mech]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('does not take random binary for any of these protocols (seeded)', () => {
    const rng = createRng(0x6d5a0001);
    const flags = new Uint8Array(1);
    let strict = 0;
    let ntp = 0;
    const N = 20000;
    for (let i = 0; i < N; i++) {
      // Lengths a real opening could have, first bytes nudged towards each protocol's first byte.
      const b = rng.bytes(rng.pick([8, 14, 20, 48, 64, 68, 72, 100, 300]));
      b[0] = rng.pick([0x00, 0x10, 0x3c, 0x41, 0x31, b[0]!]);
      if (b[0] === 0 && rng.chance(0.5)) { b[1] = 0; b[2] = 0; b[3] = b.length - 4; } // a Kafka-like length
      if (kafkaRequestApi(b, 0, b.length) >= 0 || mqttConnectLevel(b, 0, b.length, flags) !== 0 ||
        syslogFormat(b, 0, b.length, true) !== 0 || looksLikeAmqp091Header(b, 0, b.length)) strict++;
      if (b.length === 48 && ntpVersion(b, 0, b.length) !== 0) ntp++;
    }
    expect(strict).toBe(0);
    // The NTP header alone is weak (hence the port-123 condition in the dispatcher): about 1 in 440.
    expect(ntp).toBeLessThan((N / 9) * (1 / 100));
  });
});
