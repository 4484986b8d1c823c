// Protocol, encryption and auth labels on traffic from real programs (fixtures/make-detect-fixtures.sh
// and make-fixtures.sh), through the real CLI: `surfacemap flows --json` prints them, `--no-detect`
// leaves them out. Expectations are what each capture was made to contain (fixtures/README.md);
// fingerprints and DNS names are checked against tshark on the same file rather than written down.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../common/flow-record.js';
import { FlowRecordSchema } from '../common/flow-record-schema.js';
import { replayFiles } from '../agent/replay.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = join(ROOT, 'fixtures');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
/** tshark does not know these ports' protocols. */

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

const cache = new Map<string, FlowRecord[]>();
function flows(file: string, extra: string[] = []): FlowRecord[] {
  const key = `${file} ${extra.join(' ')}`;
  let recs = cache.get(key);
  if (recs === undefined) {
    if (!existsSync(CLI)) throw new Error(`${relative(ROOT, CLI)} is missing: run npm run build`);
    recs = run(process.execPath, [CLI, 'flows', '--json', ...extra, join(FIXTURES, file)])
      .split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as FlowRecord);
    recs.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    cache.set(key, recs);
  }
  return recs;
}

/** TCP/UDP records (ICMP is labelled `icmp` and checked once below). */
function l4(file: string): FlowRecord[] {
  return flows(file).filter((r) => r.proto === 'tcp' || r.proto === 'udp');
}

type Expect = Partial<FlowRecord> & { dport: number };

/** Each record, in start order, must carry the expected values (and exactly that many records exist). */
function expectLabels(file: string, want: Expect[]): void {
  const got = l4(file);
  const seen = got.map((r) => Object.fromEntries(Object.keys(want[0] ?? {}).map((k) => [k, r[k as keyof FlowRecord]])));
  expect(got.map((r) => r.dport), `${file}: responder ports in start order`).toEqual(want.map((w) => w.dport));
  got.forEach((r, i) => {
    const w = want[i]!;
    const picked = Object.fromEntries(Object.keys(w).map((k) => [k, r[k as keyof FlowRecord]]));
    expect(picked, `${file} record ${i} (→ :${r.dport}); all: ${JSON.stringify(seen)}`).toEqual(w);
  });
}

const NONE = { auth: 'none', encryption: 'none' } as const;

describe('detect-http.pcap (curl → python http.server, metrics-server.py, nghttpd)', () => {
  const file = 'detect-http.pcap';
  const http = { app: 'http', encryption: 'none', http_method: 'GET', http_host: '192.0.2.120', user_agent_family: 'curl' } as const;
  it('labels auth schemes, path classes, scrapes and HTTP/2', () => {
    expectLabels(file, [
      { dport: 8080, ...http, auth: 'none', http_path_class: 'other', app_guess: undefined },
      { dport: 8080, ...http, auth: 'basic', http_path_class: 'other', app_guess: undefined },
      { dport: 8080, ...http, auth: 'bearer', http_path_class: 'other', app_guess: undefined },
      { dport: 8080, ...http, auth: 'api-key', http_path_class: 'other', app_guess: undefined },
      { dport: 8080, ...http, auth: 'none', http_path_class: 'health', user_agent_family: 'kube-probe', app_guess: undefined },
      { dport: 9090, ...http, app: 'prometheus', auth: 'none', http_path_class: 'metrics', user_agent_family: 'prometheus', app_guess: undefined },
      { dport: 8080, ...http, app: 'prometheus', auth: 'none', http_path_class: 'metrics', user_agent_family: 'prometheus', http_host: '[2001:db8:21::20]', app_guess: undefined },
      { dport: 8082, app: 'http2', auth: 'unknown', encryption: 'none', http_method: undefined, http_host: undefined, user_agent_family: undefined, http_path_class: undefined, app_guess: undefined },
      { dport: 8080, ...http, auth: 'none', http_path_class: 'other', app_guess: undefined },
    ]);
  });

  it('keeps a bearer JWT only as its algorithm and lifetime (exp − iat = 24 h)', () => {
    const bearer = l4(file).filter((r) => r.auth === 'bearer');
    expect(bearer.map((r) => [r.jwt_alg, r.jwt_lifetime_s])).toEqual([['RS256', 86400]]);
    const text = run(process.execPath, [CLI, 'flows', '--json', join(FIXTURES, file)]);
    expect(text).not.toMatch(/eyJ/); // no token, header or claims
    expect(text).not.toMatch(/s3cret|k-7f3a9c|report\.csv/); // no Basic password, API key or path
  });
});

describe('detect-tls.pcap (openssl s_client → s_server)', () => {
  const file = 'detect-tls.pcap';
  const tls = { app: 'tls', encryption: 'tls', sni: 'vault.detect.example' } as const;
  it('tells mTLS from server-only TLS 1.2, and says unknown for TLS 1.3', () => {
    expectLabels(file, [
      { dport: 9443, ...tls, tls_version: 'TLS 1.2', auth: 'tls-server-only', tls_client_cert: 'not-requested', alpn: 'http/1.1' },
      { dport: 9444, ...tls, tls_version: 'TLS 1.2', auth: 'mtls', tls_client_cert: 'sent', alpn: 'http/1.1' },
      { dport: 9444, ...tls, tls_version: 'TLS 1.2', auth: 'tls-server-only', tls_client_cert: 'empty', alpn: 'http/1.1' },
      { dport: 9445, ...tls, tls_version: 'TLS 1.2', auth: 'mtls', tls_client_cert: 'sent', alpn: 'h2,http/1.1' },
      { dport: 9446, ...tls, tls_version: 'TLS 1.3', auth: 'unknown', tls_client_cert: undefined, alpn: 'http/1.1' },
      { dport: 9446, ...tls, tls_version: 'TLS 1.3', auth: 'unknown', tls_client_cert: undefined, alpn: undefined },
    ]);
  });

  it('JA4 has the documented shape; its first section shows the ALPN (JA3 vs tshark: agent/detect/tls.test.ts)', () => {
    expect(l4(file).length).toBe(6);
    for (const r of l4(file)) expect(r.ja4).toMatch(/^t1[23]d\d{4}(h1|h2|00)_[0-9a-f]{12}_[0-9a-f]{12}$/);
    // ALPN is part of JA4's first section: h1 vs h2 vs none differ there only.
    const byAlpn = new Map(l4(file).map((r) => [r.alpn ?? '', r.ja4!.slice(0, 10)]));
    expect([...byAlpn.values()].map((a) => a.slice(8))).toEqual(['h1', 'h2', '00']);
  });
});

describe('detect-db.pcap (redis-cli, psql, mariadb clients against real servers)', () => {
  const file = 'detect-db.pcap';
  it('labels Redis AUTH, PostgreSQL auth methods and SSL, MariaDB plugins and TLS', () => {
    expectLabels(file, [
      { dport: 6379, app: 'redis', ...NONE, app_guess: undefined },
      { dport: 6380, app: 'redis', auth: 'password', encryption: 'none', app_guess: undefined },
      { dport: 6380, app: 'redis', ...NONE, app_guess: undefined },
      { dport: 5432, app: 'postgres', auth: 'trust', encryption: 'none', pg_auth: 'trust', app_guess: undefined },
      { dport: 5432, app: 'postgres', auth: 'md5', encryption: 'none', pg_auth: 'md5', app_guess: undefined },
      { dport: 5432, app: 'postgres', auth: 'scram', encryption: 'none', pg_auth: 'scram-sha-256', app_guess: undefined },
      { dport: 5432, app: 'postgres', auth: 'unknown', encryption: 'tls', pg_auth: 'ssl', app_guess: undefined },
      { dport: 3306, app: 'mysql', auth: 'password', encryption: 'none', mysql_auth_plugin: 'mysql_native_password', app_guess: undefined },
      { dport: 3306, app: 'mysql', auth: 'none', encryption: 'none', mysql_auth_plugin: 'mysql_native_password', app_guess: undefined },
      { dport: 3306, app: 'mysql', auth: 'unknown', encryption: 'tls', mysql_auth_plugin: 'mysql_native_password', app_guess: undefined },
    ]);
  });

  it('follows the TLS handshake after PostgreSQL and MySQL SSL upgrades (version from the ServerHello)', () => {
    const upgraded = l4(file).filter((r) => r.encryption === 'tls');
    expect(upgraded.map((r) => [r.app, r.tls_version, r.auth])).toEqual([
      ['postgres', 'TLS 1.3', 'unknown'],
      ['mysql', 'TLS 1.3', 'unknown'],
    ]);
  });
});

describe('detect-ssh-udp.pcap (ssh → sshd on :2222, dig → dnsmasq, StatsD, snmpget → snmpd)', () => {
  const file = 'detect-ssh-udp.pcap';
  it('labels SSH banners on a non-standard port, DNS, StatsD and SNMP versions', () => {
    const got = l4(file);
    const ssh = got.filter((r) => r.app === 'ssh');
    expect(ssh.length).toBe(1);
    expect(ssh[0]).toMatchObject({ dport: 2222, auth: 'unknown', encryption: 'ssh' });
    expect(ssh[0]!.ssh_client).toMatch(/^OpenSSH_\d/);
    expect(ssh[0]!.ssh_server).toMatch(/^OpenSSH_\d/);
    expect(ssh[0]!.app_guess).toBeUndefined();
    const rest = got.filter((r) => r.app !== 'ssh').map((r) => ({
      dport: r.dport, app: r.app, auth: r.auth, encryption: r.encryption, dns_query: r.dns_query, dns_qtype: r.dns_qtype, snmp_version: r.snmp_version,
    }));
    const u = undefined;
    expect(rest).toEqual([
      { dport: 53, app: 'dns', ...NONE, dns_query: 'vault.detect.example', dns_qtype: 'A', snmp_version: u },
      { dport: 53, app: 'dns', ...NONE, dns_query: 'vault.detect.example', dns_qtype: 'AAAA', snmp_version: u },
      { dport: 53, app: 'dns', ...NONE, dns_query: 'db.detect.example', dns_qtype: 'A', snmp_version: u },
      { dport: 8125, app: 'statsd', ...NONE, dns_query: u, dns_qtype: u, snmp_version: u },
      { dport: 161, app: 'snmp', auth: 'community', encryption: 'none', dns_query: u, dns_qtype: u, snmp_version: '1' },
      { dport: 161, app: 'snmp', auth: 'community', encryption: 'none', dns_query: u, dns_qtype: u, snmp_version: '2c' },
      { dport: 161, app: 'snmp', auth: 'usm', encryption: 'app', dns_query: u, dns_qtype: u, snmp_version: '3' },
    ]);
    const text = run(process.execPath, [CLI, 'flows', '--json', join(FIXTURES, file)]);
    expect(text).not.toMatch(/fixture-community|fixuser/); // community strings and USM user names stay out
  });

  it('feeds every A/AAAA answer to the names callback, as tshark reads them', async () => {
    const names: string[] = [];
    await replayFiles([join(FIXTURES, file)], { detect: true, onName: (ip, name) => names.push(`${ip} ${name}`) }, () => {});
    const theirs = run('tshark', ['-n', '-r', join(FIXTURES, file), '-Y', 'dns.flags.response == 1', '-T', 'fields',
      '-E', 'occurrence=a', '-e', 'dns.qry.name', '-e', 'dns.a', '-e', 'dns.aaaa'])
      .split('\n').filter((l) => l !== '').flatMap((l) => {
        const [q, a, aaaa] = l.split('\t');
        return [...(a ? a.split(',') : []), ...(aaaa ? aaaa.split(',') : [])].map((ip) => `${ip} ${q}`);
      });
    expect(theirs.length).toBe(3);
    expect(names).toEqual(theirs);
  });
});

describe('the older fixtures (make-fixtures.sh)', () => {
  it('small-office.pcap: DNS, HTTP Basic/Bearer, a scrape, TLS 1.3 and mTLS 1.2, StatsD; port guesses are marked', () => {
    const got = l4('small-office.pcap');
    const by = (pred: (r: FlowRecord) => boolean) => got.filter(pred).map((r) => `${r.app}/${r.auth}/${r.encryption}${r.app_guess ? `/${r.app_guess}` : ''}`);
    expect(by((r) => r.dport === 53).sort()).toEqual(Array(4).fill('dns/none/none'));
    expect(by((r) => r.dport === 8080).sort()).toEqual(['http/basic/none', 'http/bearer/none', 'http/none/none', 'http/none/none']);
    expect(by((r) => r.dport === 9090)).toEqual(['prometheus/none/none']);
    expect(by((r) => r.dport === 8443)).toEqual(['tls/unknown/tls']);
    expect(by((r) => r.dport === 8444)).toEqual(['tls/mtls/tls']);
    expect(by((r) => r.dport === 8125)).toEqual(['statsd/none/none', 'statsd/none/none']);
    // Refused connections carry no payload: a port guess, marked as one.
    expect(by((r) => r.dport === 5432)).toEqual(['postgres/unknown/unknown/port', 'postgres/unknown/unknown/port']);
    expect(got.find((r) => r.auth === 'bearer')).toMatchObject({ jwt_alg: 'HS256', jwt_lifetime_s: 900 });
    expect(got.find((r) => r.dport === 8443)).toMatchObject({ sni: 'api.office.example', alpn: 'http/1.1', tls_version: 'TLS 1.3' });
    for (const r of flows('small-office.pcap').filter((x) => x.proto === 'icmp' || x.proto === 'icmp6')) {
      expect(r).toMatchObject({ app: 'icmp', auth: 'none', encryption: 'none' });
    }
  });

  it('udp-metrics.pcap: every StatsD socket and both scrapes', () => {
    const got = l4('udp-metrics.pcap');
    expect(got.filter((r) => r.dport === 8125).every((r) => r.app === 'statsd' && r.auth === 'none')).toBe(true);
    expect(got.filter((r) => r.dport === 9090).map((r) => [r.app, r.http_path_class, r.user_agent_family])).toEqual([
      ['prometheus', 'metrics', 'prometheus'],
      ['prometheus', 'metrics', 'prometheus'],
    ]);
  });
});

describe('records', () => {
  // TypeBox checks only registered formats; the agent writes UTC with microseconds (common/time.ts).
  if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v));
  const files = ['detect-http.pcap', 'detect-tls.pcap', 'detect-db.pcap', 'detect-ssh-udp.pcap', 'small-office.pcap'];
  it.each(files)('%s: every labelled record is a valid FlowRecord with app, auth and encryption', (file) => {
    for (const r of flows(file)) {
      expect([...Value.Errors(FlowRecordSchema, r)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
      expect(typeof r.app).toBe('string');
      expect(typeof r.auth).toBe('string');
      expect(typeof r.encryption).toBe('string');
    }
  });

  it.each(files)('%s: --no-detect prints the same flows without labels', (file) => {
    const off = flows(file, ['--no-detect']);
    const on = flows(file);
    expect(off.length).toBe(on.length);
    for (const r of off) for (const k of ['app', 'auth', 'encryption', 'sni', 'http_host', 'app_guess']) expect(r).not.toHaveProperty(k);
    const strip = (r: FlowRecord) => `${r.proto} ${r.src} ${r.sport} ${r.dst} ${r.dport} ${r.orig_pkts} ${r.resp_pkts} ${r.orig_ip_bytes}`;
    expect(off.map(strip)).toEqual(on.map(strip));
  });
});
