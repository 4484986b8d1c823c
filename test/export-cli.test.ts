// `surfacemap export` and `surfacemap check` as users run them: the built CLI against a real server on
// 127.0.0.1 holding fixtures/small-office.pcap (zones and the crown jewel as in export-api.test.ts).
// What the CLI prints must be what the API serves, files must open in their consumers, and the exit
// codes are the contract: export 0/1/2, check 0 (nothing denied) / 1 (denied) / 2 (usage, errors).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../common/flow-record.js';
import { replayFiles } from '../agent/replay.js';
import { AGENT_TOKEN, API_TOKEN, buildTestApp, type TestApp } from './helpers/server-app.js';
import { FIXTURES, freeTcpPort, killChildren, runCli } from './helpers/ship-cli.js';
import { smallOfficeIntent } from './helpers/small-office-intent.js';

const FROM = '2026-11-27T00:00:00Z';
const TO = '2026-11-28T00:00:00Z';
const RANGE = ['--from', FROM, '--to', TO];

const INTENT = smallOfficeIntent({ 'files-v4': '192.0.2.20' });

let t: TestApp;
let url: string;
let records: FlowRecord[];
const tmp = mkdtempSync(join(tmpdir(), 'sm-export-cli-'));
const env = () => ({ SURFACEMAP_URL: url, SURFACEMAP_TOKEN: API_TOKEN });

async function api(path: string) {
  const res = await t.app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${API_TOKEN}` } });
  expect(res.statusCode, res.body).toBe(200);
  return res;
}

beforeAll(async () => {
  t = await buildTestApp('sm-export-cli');
  writeFileSync(t.config.intentFile, INTENT);
  records = [];
  await replayFiles([join(FIXTURES, 'small-office.pcap')], { detect: true }, (r) => records.push(r));
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/ingest',
    headers: { authorization: `Bearer ${AGENT_TOKEN}` },
    payload: { batch_id: 'office-1', agent: 'office', sent_at: new Date().toISOString(), records },
  });
  expect(res.statusCode, res.body).toBe(200);
  url = await t.app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  killChildren();
  await t?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('surfacemap export spec', () => {
  it('prints the CSV the API serves to stdout (server and token from SURFACEMAP_URL / SURFACEMAP_TOKEN)', async () => {
    const r = await runCli(['export', 'spec', '--format', 'csv', ...RANGE], env());
    expect(r.code, r.stderr).toBe(0);
    const want = await api(`/api/v1/export/spec?format=csv&from=${FROM}&to=${TO}`);
    expect(r.stdout).toBe(want.body);
    expect((parseCsv(r.stdout, { columns: true }) as unknown[]).length).toBeGreaterThan(5);
    expect(r.stderr).toMatch(/surfacemap: \d+ boundary-crossing patterns, 2026-11-27T00:00:00.000Z to 2026-11-28T00:00:00.000Z/);
    expect(r.stderr + r.stdout).not.toContain(API_TOKEN);
  });

  it('writes XLSX and Markdown with --out (flags instead of the environment)', async () => {
    const xlsx = join(tmp, 'spec.xlsx');
    const r = await runCli(['export', 'spec', '--format', 'xlsx', '--out', xlsx, '--collector', url, '--token', API_TOKEN, ...RANGE]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`to ${xlsx}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Patterns', 'Completeness']);
    const md = join(tmp, 'spec.md');
    const m = await runCli(['export', 'spec', '--format', 'md', '--out', md, ...RANGE], env());
    expect(m.code, m.stderr).toBe(0);
    expect(readFileSync(md, 'utf8')).toMatch(/^# Traffic audit: boundary-crossing patterns\n/);
  });
});

describe('surfacemap export allowlist', () => {
  it('--jewel --format nftables: the API\'s file, accepted by `nft -c -f`; sizing on stderr', async () => {
    const out = join(tmp, 'jewel.nft');
    const r = await runCli(['export', 'allowlist', '--jewel', 'files-api', '--format', 'nftables', '--out', out, '--owner', 'platform-team', ...RANGE], env());
    expect(r.code, r.stderr).toBe(0);
    const want = await api(`/api/v1/export/allowlist?format=nftables&jewel=files-api&owner=platform-team&from=${FROM}&to=${TO}`);
    expect(readFileSync(out, 'utf8')).toBe(want.body);
    const n = Number(want.headers['x-surfacemap-rules']);
    expect(n).toBeGreaterThan(5);
    expect(r.stderr).toMatch(new RegExp(`surfacemap: ${n} rules for crown jewel files-api \\(observed\\): \\d+ addresses in \\d+ CIDRs`));
    const nft = existsSync('/usr/sbin/nft') ? '/usr/sbin/nft' : 'nft';
    const c = spawnSync(nft, ['-c', '-f', out], { encoding: 'utf8', timeout: 30_000 });
    if (c.error) throw new Error(`nft is required for this test (Debian package nftables, run as root): ${c.error.message}`);
    expect(c.status, c.stderr).toBe(0);
  });

  it('--zone --format csv to stdout; k8s warns what it cannot express', async () => {
    const r = await runCli(['export', 'allowlist', '--zone', 'dns', '--format', 'csv', ...RANGE], env());
    expect(r.code, r.stderr).toBe(0);
    const rows = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.protects).toBe('zone:dns');
    const k = await runCli(['export', 'allowlist', '--jewel', 'files-api', '--format', 'k8s', ...RANGE], env());
    expect(k.code, k.stderr).toBe(0);
    expect(YAML.parseAllDocuments(k.stdout)[0]!.toJS().kind).toBe('NetworkPolicy');
    expect(k.stderr).toMatch(/surfacemap: 2 warnings \(icmp-not-expressible=2\)/);
  });

  it('exit 1 when the server refuses (unknown jewel, wrong token), 2 for usage and an unreachable server', async () => {
    const unknown = await runCli(['export', 'allowlist', '--jewel', 'nope', '--format', 'nftables', ...RANGE], env());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/404 Not Found: no crown jewel named "nope"/);
    expect(unknown.stdout).toBe('');
    const wrong = await runCli(['export', 'spec', '--format', 'csv'], { ...env(), SURFACEMAP_TOKEN: 'wrong-token-xyz' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/401 Unauthorized: the API token is not valid/);
    expect(wrong.stderr).not.toContain('wrong-token-xyz');

    const noToken = await runCli(['export', 'spec', '--format', 'csv', '--collector', url]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/no token: set SURFACEMAP_TOKEN/);
    const badFormat = await runCli(['export', 'allowlist', '--format', 'iptables'], env());
    expect(badFormat.code).toBe(2);
    const both = await runCli(['export', 'allowlist', '--format', 'csv', '--jewel', 'a', '--zone', 'b'], env());
    expect(both.code).toBe(2);
    const down = await runCli(['export', 'spec', '--format', 'csv', '--collector', `http://127.0.0.1:${await freeTcpPort()}`], { SURFACEMAP_TOKEN: API_TOKEN });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });
});

describe('surfacemap check', () => {
  async function policyWith(dropId?: string) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/rules/generate',
      headers: { authorization: `Bearer ${API_TOKEN}` },
      payload: { jewel: 'files-api', owner: 'platform-team', reason: 'ci check', from: FROM, to: TO },
    });
    const rules = (res.json() as { rules: { id: string; dport?: number; proto: string; dst: { cidrs: string[] } }[] }).rules;
    return rules.filter((r) => r.id !== dropId);
  }

  it('exit 0 when the policy admits every observed flow', async () => {
    const file = join(tmp, 'policy-ok.yaml');
    writeFileSync(file, YAML.stringify({ rules: await policyWith() }));
    const r = await runCli(['check', file, ...RANGE], env());
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toMatch(/no observed flow would be denied \(\d+ admitted, \d+ out of the rules' scope\)/);
  });

  it('exit 1 with the denied flows grouped by destination when a rule is missing', async () => {
    const all = await policyWith();
    const gone = all.find((r) => r.proto === 'tcp' && r.dport === 8080 && r.dst.cidrs[0] === '192.0.2.20/32')!;
    const file = join(tmp, 'policy-missing.yaml');
    writeFileSync(file, YAML.stringify({ rules: all.filter((r) => r.id !== gone.id) }));
    const r = await runCli(['check', file, ...RANGE], env());
    expect(r.code, r.stderr).toBe(1);
    const n = records.filter((x) => x.dst === '192.0.2.20' && x.dport === 8080 && x.proto === 'tcp').length;
    expect(n).toBe(3);
    expect(r.stdout).toContain(`${file} (${all.length - 1} rules) against 2026-11-27T00:00:00.000Z to 2026-11-28T00:00:00.000Z: ${n} observed flows would be denied (1 group;`);
    expect(r.stdout).toMatch(new RegExp(`\\nfiles-v4 \\(192\\.0\\.2\\.20\\): ${n} flows denied\\n  tcp/8080 +from 192\\.0\\.2\\.10 \\[http\\]: ${n} flows, `));
    const json = await runCli(['check', file, '--json', ...RANGE], env());
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { denied_flows: number }).denied_flows).toBe(n);
  });

  it('exit 2 for a policy with errors (naming file and line), a missing file, or an unreachable server', async () => {
    const file = join(tmp, 'policy-bad.yaml');
    const text = YAML.stringify({ rules: (await policyWith()).slice(0, 1) }).replace(/proto: tcp/, 'proto: tcpp');
    writeFileSync(file, text);
    const line = text.split('\n').findIndex((l) => l.includes('tcpp')) + 1;
    const r = await runCli(['check', file, ...RANGE], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`policy-bad\\.yaml:${line}:\\d+ rules\\[0\\]\\.proto: `));
    const missing = await runCli(['check', join(tmp, 'nope.yaml')], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.yaml: ENOENT/);
    const down = await runCli(['check', file, '--collector', `http://127.0.0.1:${await freeTcpPort()}`], { SURFACEMAP_TOKEN: API_TOKEN });
    expect(down.code).toBe(2);
    const usage = await runCli(['check'], env());
    expect(usage.code).toBe(2);
    const since = await runCli(['check', file, '--since', 'seven days'], env());
    expect(since.code).toBe(2);
  });
});
