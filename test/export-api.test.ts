// The export, rules and simulate routes on the real embedded engine, over captures whose traffic is
// known: fixtures/small-office.pcap and udp-metrics.pcap (fixtures/README.md), ingested as two agents,
// with zones, one crown jewel and declared names written here. Expected patterns and rules are
// computed in this file straight from the FlowRecords the agent makes of the captures (no SQL, no
// server/export code); every file is then read back by a real consumer: csv-parse, exceljs, marked,
// `nft -c -f`, kubernetes-models and @kubernetes-models/cilium. Golden files: test/testdata/export-spec.*
// (after an intended change: UPDATE_GOLDEN=1 npx vitest run test/export-api.test.ts, review the diff).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CiliumNetworkPolicy } from '@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { marked } from 'marked';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../common/flow-record.js';
import { replayFiles } from '../agent/replay.js';
import { AGENT_TOKEN, API_TOKEN, buildTestApp, type TestApp } from './helpers/server-app.js';
import { FILES_API, FILES_API_IPS, smallOfficeIntent } from './helpers/small-office-intent.js';

const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/${f}`, import.meta.url));
const golden = (f: string) => fileURLToPath(new URL(`./testdata/${f}`, import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const FROM = '2026-11-27T00:00:00Z';
const TO = '2026-11-28T00:00:00Z';
const RANGE = `from=${FROM}&to=${TO}`;

// NOTE: the office: laptop 192.0.2.10 / 2001:db8:20::10 (zone clients), file server .20 / ::20 (zone
// servers, crown jewel files-api), DNS .53 / ::53 (zone dns). Declared names make asset names known.
const NAMES: Record<string, string> = {
  '192.0.2.10': 'laptop-v4',
  '2001:db8:20::10': 'laptop-v6',
  '192.0.2.20': 'files-v4',
  '2001:db8:20::20': 'files-v6',
  '192.0.2.53': 'dns-v4',
  '2001:db8:20::53': 'dns-v6',
};
const ZONE: Record<string, string> = {
  '192.0.2.10': 'clients',
  '2001:db8:20::10': 'clients',
  '192.0.2.20': 'servers',
  '2001:db8:20::20': 'servers',
  '192.0.2.53': 'dns',
  '2001:db8:20::53': 'dns',
};
const JEWEL = FILES_API;
const JEWEL_IPS: string[] = [...FILES_API_IPS];

const INTENT = smallOfficeIntent(Object.fromEntries(Object.entries(NAMES).map(([ip, name]) => [name, ip])), '# export-api test intent');

const zoneOf = (ip: string) => ZONE[ip] ?? (ip.startsWith('ff02:') ? 'unassigned' : 'internet');
const jewelOf = (ip: string) => (JEWEL_IPS.includes(ip) ? JEWEL : null);
const crossing = (r: FlowRecord) => zoneOf(r.src) !== zoneOf(r.dst) || jewelOf(r.src) !== jewelOf(r.dst);
const isIcmp = (p: string) => p === 'icmp' || p === 'icmp6';
const bytesOf = (r: FlowRecord) => r.orig_ip_bytes + r.resp_ip_bytes;
const v6 = (ip: string) => ip.includes(':');
const hostCidr = (ip: string) => `${ip}/${v6(ip) ? 128 : 32}`;

let t: TestApp;
let records: FlowRecord[];
const tmp = mkdtempSync(join(tmpdir(), 'sm-export-api-'));

async function ingest(agent: string, recs: FlowRecord[], id = agent) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/ingest',
    headers: { authorization: `Bearer ${AGENT_TOKEN}`, 'content-type': 'application/json' },
    payload: { batch_id: id, agent, sent_at: new Date().toISOString(), records: recs, stats: { packets: 1000, dropped: 3, spool_backlog: 0 } },
  });
  expect(res.statusCode, res.body).toBe(200);
}

const auth = { authorization: `Bearer ${API_TOKEN}` };

async function get(url: string) {
  return t.app.inject({ method: 'GET', url, headers: auth });
}

async function post(url: string, payload: unknown, contentType = 'application/json') {
  return t.app.inject({
    method: 'POST',
    url,
    headers: { ...auth, 'content-type': contentType },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

interface Rule {
  id: string;
  protects: { jewel?: string; zone?: string };
  src: { name: string; cidrs: string[] };
  dst: { name: string; cidrs: string[] };
  proto: string;
  dport?: number | { from: number; to: number };
  owner: string;
  reason: string;
  created: string;
  expires?: string;
}

beforeAll(async () => {
  t = await buildTestApp('sm-export-api');
  writeFileSync(t.config.intentFile, INTENT);
  const office: FlowRecord[] = [];
  await replayFiles([fixture('small-office.pcap')], { detect: true }, (r) => office.push(r));
  const metrics: FlowRecord[] = [];
  await replayFiles([fixture('udp-metrics.pcap')], { detect: true }, (r) => metrics.push(r));
  await ingest('office', office);
  await ingest('metrics', metrics);
  records = [...office, ...metrics];
  expect(records.length).toBeGreaterThan(20);
});

afterAll(async () => {
  await t?.close();
  rmSync(tmp, { recursive: true, force: true });
});

// ---------- expectations computed from the records ----------

/** Spec patterns: (source zone, destination name, destination zone, L4, port) → flows, bytes, sources. */
function expectedPatterns() {
  const out = new Map<string, { flows: number; bytes: number; sources: Set<string>; jewel: boolean; first: string; last: string }>();
  for (const r of records) {
    if (!crossing(r)) continue;
    const key = [zoneOf(r.src), NAMES[r.dst] ?? r.dst, zoneOf(r.dst), r.proto, isIcmp(r.proto) ? '' : String(r.dport)].join('|');
    const p = out.get(key) ?? { flows: 0, bytes: 0, sources: new Set<string>(), jewel: false, first: r.start, last: r.end };
    p.flows += 1;
    p.bytes += bytesOf(r);
    p.sources.add(r.src);
    p.jewel ||= jewelOf(r.src) !== null || jewelOf(r.dst) !== null;
    if (r.start < p.first) p.first = r.start;
    if (r.end > p.last) p.last = r.end;
    out.set(key, p);
  }
  return out;
}

/** The tightest rules around the jewel: (direction, proto, port, destination) → the sources seen. */
function expectedJewelRules() {
  const out = new Map<string, Set<string>>();
  for (const r of records) {
    if (!crossing(r)) continue;
    const dir = jewelOf(r.dst) === JEWEL ? 'in' : jewelOf(r.src) === JEWEL ? 'out' : null;
    if (dir === null) continue;
    const key = [dir, r.proto, isIcmp(r.proto) ? '' : String(r.dport), hostCidr(r.dst)].join('|');
    const s = out.get(key) ?? new Set<string>();
    s.add(hostCidr(r.src));
    out.set(key, s);
  }
  return out;
}

function ruleKey(r: Rule): string {
  const inbound = r.dst.cidrs.some((c) => JEWEL_IPS.some((ip) => c === hostCidr(ip)));
  const port = r.dport === undefined ? '' : typeof r.dport === 'number' ? String(r.dport) : `${r.dport.from}-${r.dport.to}`;
  expect(r.dst.cidrs.length, `${r.id}: one destination host`).toBe(1);
  return [inbound ? 'in' : 'out', r.proto, port, r.dst.cidrs[0]].join('|');
}

function deniedKey(d: { src: string; dst: string; dport: number; proto: string }) {
  return `${d.proto} ${d.src} > ${d.dst}:${d.dport}`;
}

/** What a rule set without `removed` denies, from the records: every crossing flow the rule admitted. */
function expectedDenied(removed: Rule) {
  const out = new Map<string, number>();
  for (const r of records) {
    if (!crossing(r) || jewelOf(r.dst) !== JEWEL) continue;
    const port = isIcmp(r.proto) ? '' : String(r.dport);
    if (ruleKey(removed) !== ['in', r.proto, port, hostCidr(r.dst)].join('|')) continue;
    if (!removed.src.cidrs.includes(hostCidr(r.src))) continue;
    const k = deniedKey(r);
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

// ---------- helpers for the consumers ----------

function nftCheck(text: string): void {
  const file = join(tmp, `check-${Date.now()}-${Math.random().toString(36).slice(2)}.nft`);
  writeFileSync(file, text);
  const nft = existsSync('/usr/sbin/nft') ? '/usr/sbin/nft' : 'nft';
  const r = spawnSync(nft, ['-c', '-f', file], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw new Error(`nft is required for this test (Debian package nftables, run as root): ${r.error.message}`);
  expect(r.status, `nft -c -f rejected the file:\n${r.stderr}\n${text}`).toBe(0);
}

const decode = (s: string) =>
  s.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').trim();

/** The tables of rendered HTML, each as rows of cell texts (header row first), by the heading above it. */
function htmlTables(html: string): { heading: string; rows: string[][] }[] {
  const out: { heading: string; rows: string[][] }[] = [];
  const re = /<h[1-6][^>]*>([\s\S]*?)<\/h[1-6]>|<table>([\s\S]*?)<\/table>/g;
  let heading = '';
  for (let m = re.exec(html); m !== null; m = re.exec(html)) {
    if (m[1] !== undefined) heading = decode(m[1]);
    else out.push({ heading, rows: [...m[2]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => decode(c[1]!))) });
  }
  return out;
}

function checkGolden(name: string, text: string) {
  const file = golden(name);
  if (UPDATE || !existsSync(file)) {
    if (!UPDATE && process.env.CI) throw new Error(`golden file ${file} is missing: run UPDATE_GOLDEN=1 locally and commit it`);
    writeFileSync(file, text);
  }
  expect(text).toBe(readFileSync(file, 'utf8'));
}

// ---------- the tests ----------

describe('export API: access and description', () => {
  const routes: [string, string][] = [
    ['GET', `/api/v1/export/spec?format=csv&${RANGE}`],
    ['GET', `/api/v1/export/allowlist?format=nftables&${RANGE}`],
    ['POST', '/api/v1/rules/generate'],
    ['GET', '/api/v1/rules/hygiene'],
    ['POST', '/api/v1/simulate'],
  ];

  it('every route needs the API token (an agent token is not enough)', async () => {
    for (const [method, url] of routes) {
      const none = await t.app.inject({ method: method as 'GET', url });
      expect(none.statusCode, `${method} ${url}`).toBe(401);
      const agent = await t.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${AGENT_TOKEN}` } });
      expect(agent.statusCode, `${method} ${url}`).toBe(401);
    }
  });

  it('is in the OpenAPI description with the tags exports and rules', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { tags?: string[] }>> };
    const tag = (path: string, method: string) => (doc.paths[path] ?? doc.paths[`${path}/`])?.[method]?.tags;
    expect(tag('/api/v1/export/spec', 'get')).toEqual(['exports']);
    expect(tag('/api/v1/export/allowlist', 'get')).toEqual(['exports']);
    expect(tag('/api/v1/rules/generate', 'post')).toEqual(['rules']);
    expect(tag('/api/v1/rules/hygiene', 'get')).toEqual(['rules']);
    expect(tag('/api/v1/simulate', 'post')).toEqual(['rules']);
  });
});

describe('procurement spec', () => {
  it('CSV: read by csv-parse, one row per pattern computed from the records; golden file', async () => {
    const res = await get(`/api/v1/export/spec?format=csv&${RANGE}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="surfacemap-spec-2026-11-27_2026-11-28.csv"');
    const rows = parseCsv(res.body, { columns: true }) as Record<string, string>[];
    const want = expectedPatterns();
    expect(res.headers['x-surfacemap-patterns']).toBe(String(want.size));
    expect(rows.length).toBe(want.size);
    for (const row of rows) {
      const key = [row.source_zone, row.destination_asset, row.destination_zone, row.l4, row.port].join('|');
      const p = want.get(key);
      expect(p, `unexpected pattern ${key}`).toBeDefined();
      expect(Number(row.flows), key).toBe(p!.flows);
      expect(Number(row.bytes), key).toBe(p!.bytes);
      expect(Number(row.sources), key).toBe(p!.sources.size);
      expect(row.source_assets.split('; ').sort()).toEqual([...p!.sources].map((ip) => NAMES[ip] ?? ip).sort());
      expect(row.touches_crown_jewel, key).toBe(p!.jewel ? 'yes' : 'no');
      expect(row.first_seen, key).toBe(p!.first);
      expect(row.last_seen, key).toBe(p!.last);
      expect(Number(row.flows_per_day), key).toBe(p!.flows); // a one-day window
    }
    // Known from fixtures/README.md: the mTLS connection and the bearer JWT (15 min) into the jewel.
    const mtls = rows.find((r) => r.destination_asset === 'files-v4' && r.port === '8444')!;
    expect(mtls.auth).toBe('mtls');
    const jwt = rows.find((r) => r.destination_asset === 'files-v6' && r.port === '8080')!;
    expect(jwt.auth).toBe('bearer');
    const life = records.find((r) => r.dst === '2001:db8:20::20' && r.dport === 8080)!.jwt_lifetime_s!;
    expect(life).toBe(900);
    expect(Number(jwt.jwt_max_lifetime_h)).toBe(Math.round((life / 3600) * 10) / 10); // hours, one decimal
    checkGolden('export-spec.csv', res.body);
  });

  it('XLSX: re-read by exceljs: three sheets, frozen bold header rows, plain values equal to the CSV', async () => {
    const [xlsx, csv] = await Promise.all([get(`/api/v1/export/spec?format=xlsx&${RANGE}`), get(`/api/v1/export/spec?format=csv&${RANGE}`)]);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.headers['content-disposition']).toContain('.xlsx"');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Patterns', 'Completeness']);
    for (const ws of wb.worksheets) {
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.getRow(1).font?.bold ?? ws.getRow(1).getCell(1).font?.bold).toBe(true);
    }
    const csvRows = parseCsv(csv.body) as string[][];
    const ws = wb.getWorksheet('Patterns')!;
    expect(ws.rowCount).toBe(csvRows.length);
    const numeric = new Set(['sources', 'port', 'flows_per_day', 'bytes_per_day', 'flows', 'bytes']);
    const keys = csvRows[0]!;
    for (let i = 2; i <= ws.rowCount; i++) {
      const want = csvRows[i - 1]!;
      keys.forEach((k, c) => {
        const v = ws.getRow(i).getCell(c + 1).value;
        expect(v === null || typeof v === 'string' || typeof v === 'number', `${k}: a plain value, not ${JSON.stringify(v)}`).toBe(true);
        if (want[c] === '') expect(v, `${k} row ${i}`).toBeNull();
        else if (numeric.has(k)) expect(v, `${k} row ${i}`).toBe(Number(want[c]));
        else expect(String(v), `${k} row ${i}`).toBe(want[c]);
      });
    }
    // The summary names the mTLS pattern in the requirements, the completeness sheet both agents.
    const summary = wb.getWorksheet('Summary')!.getSheetValues().flat().map(String).join('\n');
    expect(summary).toMatch(/Works with mutual TLS[\s\S]*files-v4 tcp\/8444/);
    const agents = wb.getWorksheet('Completeness')!.getColumn(2).values.filter(Boolean).map(String);
    expect(agents).toEqual(expect.arrayContaining(['metrics', 'office']));
  });

  it('Markdown: rendered by marked, its tables hold the summary, the patterns and the agents; golden file', async () => {
    const [md, csv] = await Promise.all([get(`/api/v1/export/spec?format=md&${RANGE}`), get(`/api/v1/export/spec?format=csv&${RANGE}`)]);
    expect(md.statusCode).toBe(200);
    expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8');
    const html = await marked.parse(md.body);
    const tables = htmlTables(html);
    const byHeading = new Map(tables.map((tb) => [tb.heading, tb.rows]));
    const csvRows = parseCsv(csv.body, { columns: true }) as Record<string, string>[];
    const patterns = byHeading.get('Patterns')!;
    expect(patterns[0]).toContain('destination asset');
    expect(patterns.length - 1).toBe(csvRows.length);
    const col = (name: string) => patterns[0]!.indexOf(name);
    patterns.slice(1).forEach((cells, i) => {
      expect(cells.length).toBe(patterns[0]!.length);
      expect(cells[col('destination asset')]).toBe(csvRows[i]!.destination_asset);
      expect(cells[col('port')]).toBe(csvRows[i]!.port);
      expect(cells[col('L4')]).toBe(csvRows[i]!.l4);
      expect(cells[col('flows')]).toBe(csvRows[i]!.flows);
    });
    const udp = byHeading.get('UDP patterns')!;
    expect(udp.length - 1).toBe(csvRows.filter((r) => r.l4 === 'udp').length);
    expect(byHeading.get('Top 5 patterns by flows')!.length).toBe(6);
    const reqs = byHeading.get('Requirements checklist')!;
    expect(reqs.find((r) => r[0]!.startsWith('Works with mutual TLS'))?.[1]).toBe('yes');
    expect(reqs.find((r) => r[0]!.startsWith('Copes with bearer tokens'))?.[1]).toBe('no'); // 15 min, not > 24 h
    const agents = byHeading.get('Observation completeness')!;
    expect(agents.slice(1).map((r) => r[0])).toEqual(['metrics', 'office']);
    expect(agents.slice(1).map((r) => r[agents[0]!.indexOf('dropped')])).toEqual(['3', '3']);
    checkGolden('export-spec.md', md.body.replace(/generated \S+\./, 'generated GENERATED.'));
  });

  it('an empty range is a valid spec with no patterns', async () => {
    const res = await get('/api/v1/export/spec?format=csv&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z');
    expect(res.statusCode).toBe(200);
    expect(parseCsv(res.body, { columns: true })).toEqual([]);
  });
});

describe('allow-lists', () => {
  let rules: Rule[];

  it('format=json: the tightest rules around the jewel, as computed from the records, with sizing and every format\'s warnings', async () => {
    const res = await get(`/api/v1/export/allowlist?format=json&jewel=${JEWEL}&${RANGE}&owner=platform-team`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { rules: Rule[]; sizing: { rules: number; by_proto: Record<string, number> }; warnings: Record<string, { code: string }[]> };
    rules = body.rules;
    const want = expectedJewelRules();
    const got = new Map(rules.map((r) => [ruleKey(r), new Set(r.src.cidrs)]));
    expect(new Set(got.keys())).toEqual(new Set(want.keys()));
    for (const [k, srcs] of want) expect(got.get(k), k).toEqual(srcs);
    for (const r of rules) {
      expect(r.protects).toEqual({ jewel: JEWEL });
      expect(r.owner).toBe('platform-team');
      expect(r.reason).toMatch(/^observed \d+ flows? /);
      expect(r.created).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.src.name).toBe(NAMES[r.src.cidrs[0]!.split('/')[0]!]);
    }
    expect(body.sizing.rules).toBe(rules.length);
    expect(body.sizing.by_proto.icmp).toBe(1);
    expect(Object.keys(body.warnings).sort()).toEqual(['aws', 'cilium', 'csv', 'k8s', 'nftables']);
    expect(body.warnings.k8s!.map((w) => w.code)).toContain('icmp-not-expressible');
    expect(body.warnings.aws!.map((w) => w.code)).toContain('group-id-placeholder');
  });

  it('nftables: accepted by `nft -c -f`, one accept per rule, headers with sizing', async () => {
    const res = await get(`/api/v1/export/allowlist?format=nftables&jewel=${JEWEL}&${RANGE}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="surfacemap-allowlist-jewel-files-api.nft"');
    expect(res.headers['x-surfacemap-rules']).toBe(String(rules.length));
    expect(JSON.parse(String(res.headers['x-surfacemap-sizing'])).rules).toBe(rules.length);
    expect(res.headers['x-surfacemap-warnings']).toBe('0');
    nftCheck(res.body);
    for (const r of rules) expect(res.body).toContain(`comment "${r.id} | unowned | `);
    expect(res.body.match(/ counter accept comment /g)!.length).toBe(rules.length);
  });

  it('k8s and cilium validate against their published schemas; aws is the EC2 request shape; csv has the contract columns', async () => {
    const k8s = await get(`/api/v1/export/allowlist?format=k8s&jewel=${JEWEL}&${RANGE}&selector=app%3Dfiles-api&namespace=office`);
    expect(k8s.statusCode, k8s.body).toBe(200);
    expect(k8s.headers['content-type']).toBe('application/yaml');
    expect(k8s.headers['x-surfacemap-warning-codes']).toMatch(/icmp-not-expressible=2/);
    const k8sDocs = YAML.parseAllDocuments(k8s.body).map((d) => d.toJS());
    expect(k8sDocs.length).toBe(1);
    for (const d of k8sDocs) new NetworkPolicy(d).validate();
    expect(k8sDocs[0].metadata).toMatchObject({ namespace: 'office' });
    expect(k8sDocs[0].spec.podSelector).toEqual({ matchLabels: { app: 'files-api' } });

    const cilium = await get(`/api/v1/export/allowlist?format=cilium&jewel=${JEWEL}&${RANGE}`);
    expect(cilium.statusCode).toBe(200);
    for (const d of YAML.parseAllDocuments(cilium.body).map((x) => x.toJS())) new CiliumNetworkPolicy(d).validate();

    const aws = await get(`/api/v1/export/allowlist?format=aws&jewel=${JEWEL}&${RANGE}&group_id=sg-0123456789abcdef0`);
    expect(aws.statusCode).toBe(200);
    const doc = JSON.parse(aws.body) as { AuthorizeSecurityGroupIngress: { GroupId: string; IpPermissions: { IpProtocol: string; IpRanges?: { CidrIp: string }[] }[] }[] };
    expect(doc.AuthorizeSecurityGroupIngress[0]!.GroupId).toBe('sg-0123456789abcdef0');
    const cidrs = doc.AuthorizeSecurityGroupIngress.flatMap((g) => g.IpPermissions.flatMap((p) => (p.IpRanges ?? []).map((x) => x.CidrIp)));
    expect(new Set(cidrs)).toEqual(new Set(['192.0.2.10/32']));

    const csv = await get(`/api/v1/export/allowlist?format=csv&jewel=${JEWEL}&${RANGE}`);
    expect(csv.statusCode).toBe(200);
    const rows = parseCsv(csv.body, { columns: true }) as Record<string, string>[];
    for (const c of ['rule', 'src_name', 'src_cidr', 'dst_name', 'dst_cidr', 'dport', 'proto', 'owner', 'reason']) expect(Object.keys(rows[0]!)).toContain(c);
    expect(new Set(rows.map((r) => r.rule))).toEqual(new Set(rules.map((r) => r.id)));
  });

  it('a zone and everything: rules protect what was asked; aggregate=cidr never widens', async () => {
    const zone = await get(`/api/v1/export/allowlist?format=json&zone=dns&${RANGE}`);
    expect(zone.statusCode, zone.body).toBe(200);
    const zr = (zone.json() as { rules: Rule[] }).rules;
    expect(zr.length).toBeGreaterThan(0);
    for (const r of zr) expect(r.protects).toEqual({ zone: 'dns' });
    const all = await get(`/api/v1/export/allowlist?format=json&aggregate=cidr&${RANGE}`);
    const ar = (all.json() as { rules: Rule[] }).rules;
    for (const r of ar) for (const c of [...r.src.cidrs, ...r.dst.cidrs]) expect(c).toMatch(/\/(32|128)$/); // one host per group here
  });
});

describe('rules: generate and save, simulate', () => {
  let saved: Rule[];

  it('POST /rules/generate with save writes the rules into the YAML with owner, reason, created and expires', async () => {
    const res = await post('/api/v1/rules/generate', {
      jewel: JEWEL, owner: 'platform-team', reason: 'PCI scope (SEC-42)', expires: '2027-06-30', save: true, from: FROM, to: TO,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { rules: Rule[]; saved: boolean; added: number; version: string };
    expect(body.saved).toBe(true);
    expect(body.added).toBe(body.rules.length);
    expect(res.headers.etag).toBe(`"${body.version}"`);
    const file = YAML.parse(readFileSync(t.config.intentFile, 'utf8')) as { rules: Rule[] };
    expect(file.rules.map((r) => r.id)).toEqual(body.rules.map((r) => r.id));
    for (const r of file.rules) {
      expect(r.owner).toBe('platform-team');
      expect(r.reason).toMatch(/^PCI scope \(SEC-42\); observed /);
      expect(r.created).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.expires).toBe('2027-06-30');
    }
    expect(readFileSync(t.config.intentFile, 'utf8')).toContain('# export-api test intent'); // comments kept
    const intent = (await get('/api/v1/intent')).json() as { error: string | null; intent: { rules: Rule[] } };
    expect(intent.error).toBeNull();
    expect(intent.intent.rules.length).toBe(body.rules.length);
    saved = body.rules;

    const again = await post('/api/v1/rules/generate', { jewel: JEWEL, owner: 'platform-team', reason: 'PCI scope (SEC-42)', expires: '2027-06-30', save: true, from: FROM, to: TO });
    expect(again.json()).toMatchObject({ saved: true, added: 0, updated: 0, unchanged: saved.length });
    const dry = await post('/api/v1/rules/generate', { zone: 'dns', owner: 'x', reason: 'y', from: FROM, to: TO });
    expect(dry.json()).toMatchObject({ saved: false });
    expect(YAML.parse(readFileSync(t.config.intentFile, 'utf8')).rules.length).toBe(saved.length);
  });

  it("the intent's own rules admit every observed flow around the jewel (simulate, no body)", async () => {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/simulate?${RANGE}`, headers: auth });
    expect(res.statusCode, res.body).toBe(200);
    const sim = res.json() as { source: string; rules: number; admitted: number; denied_flows: number; out_of_scope: number; denied: unknown[]; by_rule: Record<string, number> };
    expect(sim.source).toBe('intent');
    expect(sim.rules).toBe(saved.length);
    const intoJewel = records.filter((r) => crossing(r) && (jewelOf(r.dst) === JEWEL || jewelOf(r.src) === JEWEL)).length;
    expect(sim.admitted).toBe(intoJewel);
    expect(sim.denied_flows).toBe(0);
    expect(sim.out_of_scope).toBe(records.filter(crossing).length - intoJewel);
    for (const r of saved) expect(sim.by_rule[r.id], r.id).toBeGreaterThan(0);
  });

  it('with one rule removed, exactly that rule\'s flows are denied: JSON rules and a YAML policy agree', async () => {
    const removed = saved.find((r) => r.proto === 'tcp' && r.dport === 8080 && r.dst.cidrs[0] === '192.0.2.20/32')!;
    expect(removed).toBeDefined();
    const rest = saved.filter((r) => r.id !== removed.id);
    const want = expectedDenied(removed);
    expect(want.size).toBeGreaterThan(0);

    const json = await post(`/api/v1/simulate?${RANGE}`, { rules: rest });
    expect(json.statusCode, json.body).toBe(200);
    const policy = await post(`/api/v1/simulate?${RANGE}`, YAML.stringify({ rules: rest }), 'text/yaml');
    expect(policy.statusCode, policy.body).toBe(200);
    for (const res of [json, policy]) {
      const sim = res.json() as { denied: { src: string; dst: string; dport: number; proto: string; flows: number; bytes: number; dst_name: string; reason: string }[]; denied_flows: number };
      const got = new Map(sim.denied.map((d) => [deniedKey(d), d.flows]));
      expect(got).toEqual(want);
      expect(sim.denied_flows).toBe([...want.values()].reduce((a, b) => a + b, 0));
      for (const d of sim.denied) {
        expect(d.dst_name).toBe('files-v4');
        expect(d.bytes).toBeGreaterThan(0);
        expect(d.reason).toMatch(/tcp\/8080 to files-v4 \(192\.0\.2\.20\) is not admitted/);
      }
    }
    expect((json.json() as { source: string }).source).toBe('body');
    expect((policy.json() as { source: string }).source).toBe('policy');
  });

  it('a policy with errors is a 400 naming the line; JSON rules are checked the same way', async () => {
    const text = YAML.stringify({ rules: saved.slice(0, 2) }).replace(/dport: 5432/, 'dport: 70000');
    const line = text.split('\n').findIndex((l) => l.includes('dport: 70000')) + 1;
    const res = await post(`/api/v1/simulate?${RANGE}`, text, 'text/yaml');
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(new RegExp(`^line ${line}:\\d+ rules\\[\\d\\]\\.dport`));

    const unknown = await post(`/api/v1/simulate?${RANGE}`, 'rules:\n  - id: x\n    protects: { jewel: nope }\n', 'text/yaml');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toMatch(/line 3:\d+ rules\[0\]\.protects\.jewel: there is no crown jewel "nope"/);

    const broken = await post(`/api/v1/simulate?${RANGE}`, 'rules:\n  - id: [unclosed\n', 'text/yaml');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().message).toMatch(/^line \d+:\d+ YAML: /);

    const bad = { ...saved[0]!, src: { name: 'x', cidrs: ['10.0.0.300/32'] } };
    const json = await post(`/api/v1/simulate?${RANGE}`, { rules: [bad] });
    expect(json.statusCode).toBe(400);
    expect(json.json().message).toMatch(/body\.rules\[0\]\.src\.cidrs\[0\]/);

    const other = await t.app.inject({ method: 'POST', url: '/api/v1/simulate', headers: { ...auth, 'content-type': 'application/xml' }, payload: '<rules/>' });
    expect(other.statusCode).toBe(415);
  });
});

describe('bad input', () => {
  it('an unknown jewel or zone is a 404 that says so', async () => {
    const a = await get(`/api/v1/export/allowlist?format=nftables&jewel=nope&${RANGE}`);
    expect(a.statusCode).toBe(404);
    expect(a.json().message).toMatch(/no crown jewel named "nope" in the intent file \(there are: files-api\)/);
    const z = await get(`/api/v1/export/allowlist?format=csv&zone=nope&${RANGE}`);
    expect(z.statusCode).toBe(404);
    expect(z.json().message).toMatch(/no zone named "nope"/);
    const g = await post('/api/v1/rules/generate', { jewel: 'nope', owner: 'x', reason: 'y' });
    expect(g.statusCode).toBe(404);
    const both = await get(`/api/v1/export/allowlist?format=csv&zone=dns&jewel=${JEWEL}&${RANGE}`);
    expect(both.statusCode).toBe(400);
  });

  it('a bad format is a 400', async () => {
    for (const url of ['/api/v1/export/spec?format=pdf', '/api/v1/export/spec', '/api/v1/export/allowlist?format=iptables', '/api/v1/export/allowlist?format=nftables&hook=prerouting']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toBe('Bad Request');
    }
  });

  const ATTEMPTS = [
    "' OR 1=1 --",
    '"; DROP TABLE flows; --',
    '$(touch /tmp/sm-pwned)',
    '`id`',
    '<script>alert(1)</script>',
    'a\nb',
    '../../etc/passwd',
    'x|y',
    '{{7*7}}',
    "=cmd|' /C calc'!A0",
    'a"b',
    'x\\y',
    'name}\n\tchain evil {',
  ];

  it('injection attempts in every string parameter are a 400', async () => {
    const base: Record<string, string> = { format: 'nftables', from: FROM, to: TO };
    const params = ['jewel', 'zone', 'format', 'source', 'aggregate', 'owner', 'reason', 'expires', 'hook', 'selector', 'namespace', 'group_id', 'from', 'to'];
    for (const p of params) {
      for (const a of ATTEMPTS) {
        const q = new URLSearchParams({ ...base, [p]: a });
        const res = await get(`/api/v1/export/allowlist?${q}`);
        expect(res.statusCode, `${p}=${JSON.stringify(a)}: ${res.body}`).toBe(400);
      }
    }
    for (const a of ATTEMPTS) {
      for (const p of ['format', 'from', 'to']) {
        const res = await get(`/api/v1/export/spec?${new URLSearchParams({ format: 'csv', [p]: a })}`);
        expect(res.statusCode, `spec ${p}=${JSON.stringify(a)}`).toBe(400);
      }
      const hyg = await get(`/api/v1/rules/hygiene?${new URLSearchParams({ days: a })}`);
      expect(hyg.statusCode).toBe(400);
      const sim = await t.app.inject({ method: 'POST', url: `/api/v1/simulate?${new URLSearchParams({ from: a })}`, headers: auth });
      expect(sim.statusCode).toBe(400);
      for (const p of ['jewel', 'zone', 'owner', 'reason', 'expires', 'aggregate', 'from', 'to']) {
        const body: Record<string, unknown> = { jewel: JEWEL, owner: 'platform-team', reason: 'ok', save: false, [p]: a };
        if (p === 'zone') delete body.jewel;
        const res = await post('/api/v1/rules/generate', body);
        expect(res.statusCode, `generate ${p}=${JSON.stringify(a)}: ${res.body}`).toBe(400);
      }
    }
    // Nothing was written by any of them.
    expect(existsSync('/tmp/sm-pwned')).toBe(false);
    expect(YAML.parse(readFileSync(t.config.intentFile, 'utf8')).rules.every((r: Rule) => r.owner === 'platform-team')).toBe(true);
  });

  it('an impossible expiry date and an invalid selector are 400s', async () => {
    const e = await get(`/api/v1/export/allowlist?format=csv&jewel=${JEWEL}&expires=2026-02-31&${RANGE}`);
    expect(e.statusCode).toBe(400);
    expect(e.json().message).toMatch(/not a real date/);
    const s = await get(`/api/v1/export/allowlist?format=k8s&jewel=${JEWEL}&selector=${encodeURIComponent('a=b,-c=d')}&${RANGE}`);
    expect(s.statusCode).toBe(400);
    const src = await get(`/api/v1/export/allowlist?format=csv&jewel=${JEWEL}&source=intent&owner=me&${RANGE}`);
    expect(src.statusCode).toBe(400);
  });
});

describe('rule hygiene', () => {
  it('reports unused, broad, wide, expired rules of the YAML over the last N days', async () => {
    // Fresh traffic: the office capture again, moved to end an hour ago (the report looks back from now).
    const last = Math.max(...records.map((r) => Date.parse(r.end)));
    const shift = Date.now() - 3_600_000 - last;
    const moved = (t0: string) => {
      const ms = Date.parse(t0) + shift;
      return `${new Date(ms).toISOString().slice(0, 19)}.${t0.slice(20, 26)}Z`;
    };
    await ingest('recent', records.map((r) => ({ ...r, start: moved(r.start), end: moved(r.end) })), 'recent-1');
    const today = new Date().toISOString().slice(0, 10);
    const rule = (id: string, extra: string) =>
      `  - id: ${id}\n    protects: { jewel: files-api }\n    owner: platform-team\n    reason: test\n${extra}`;
    const rules = [
      rule('used-http', '    src: { name: laptop-v4, cidrs: [192.0.2.10/32] }\n    dst: { name: files-v4, cidrs: [192.0.2.20/32] }\n    proto: tcp\n    dport: 8080\n    created: 2026-01-01\n'),
      rule('old-unused', '    src: { name: laptop-v4, cidrs: [192.0.2.10/32] }\n    dst: { name: files-v4, cidrs: [192.0.2.20/32] }\n    proto: udp\n    dport: 9999\n    created: 2026-01-01\n'),
      rule('new-unused', `    src: { name: laptop-v4, cidrs: [192.0.2.10/32] }\n    dst: { name: files-v4, cidrs: [192.0.2.20/32] }\n    proto: udp\n    dport: 9998\n    created: ${today}\n`),
      rule('anyone', '    src: { name: anyone, cidrs: [0.0.0.0/0] }\n    dst: { name: files-v4, cidrs: [192.0.2.20/32] }\n    proto: tcp\n    dport: 9090\n    created: 2026-01-01\n'),
      rule('any-port', '    src: { name: laptop-v4, cidrs: [192.0.2.10/32] }\n    dst: { name: files-v4, cidrs: [192.0.2.20/32] }\n    proto: tcp\n    created: 2026-01-01\n'),
      rule('wide', '    src: { name: laptop-v4, cidrs: [192.0.2.10/32] }\n    dst: { name: files-v4, cidrs: [192.0.2.20/32] }\n    proto: tcp\n    dport: { from: 1000, to: 9000 }\n    created: 2026-01-01\n'),
      rule('slash16', '    src: { name: office, cidrs: [192.0.0.0/16] }\n    dst: { name: files-v4, cidrs: [192.0.2.20/32] }\n    proto: tcp\n    dport: 8443\n    created: 2026-01-01\n'),
      rule('expired', '    src: { name: laptop-v4, cidrs: [192.0.2.10/32] }\n    dst: { name: files-v4, cidrs: [192.0.2.20/32] }\n    proto: tcp\n    dport: 8444\n    created: 2026-01-01\n    expires: 2026-01-31\n'),
    ];
    writeFileSync(t.config.intentFile, `${INTENT}rules:\n${rules.join('')}`);
    const res = await get('/api/v1/rules/hygiene?days=30');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { rules: number; days: number; findings: { rule: string; kind: string; message: string }[] };
    expect(body.rules).toBe(8);
    const kinds = (id: string) => body.findings.filter((f) => f.rule === id).map((f) => f.kind).sort();
    expect(kinds('used-http')).toEqual([]);
    expect(kinds('old-unused')).toEqual(['unused']);
    expect(kinds('new-unused')).toEqual([]); // younger than 30 days: not judged yet
    expect(kinds('anyone')).toEqual(['any-address']);
    expect(kinds('any-port')).toEqual(['any-port']);
    expect(kinds('wide')).toEqual(['wide-port-range']);
    expect(kinds('slash16')).toEqual(['broad-prefix']);
    expect(kinds('expired')).toEqual(['expired', 'unused']); // an expired rule admits nothing
    const short = await get('/api/v1/rules/hygiene?days=0');
    expect(short.statusCode).toBe(400);
  });
});
