// The analysis API on the real embedded engine, over a capture whose traffic is known by construction:
// fixtures/small-office.pcap (see fixtures/README.md: a client 192.0.2.10 / 2001:db8:20::10 talking to
// a server .20 / ::20 and a DNS server .53 / ::53). The expected edges are computed here, independently
// of the SQL, from the FlowRecords the agent makes of the capture, and spot-checked against the README.
// Zones are then edited in the YAML and the answers change without re-ingesting.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../common/flow-record.js';
import { replayFiles } from '../agent/replay.js';
import { displayIp } from '../server/repositories/addresses.js';
import { AGENT_TOKEN, API_TOKEN, buildTestApp, type TestApp } from './helpers/server-app.js';
import { smallOfficeIntent } from './helpers/small-office-intent.js';

const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/${f}`, import.meta.url));

let t: TestApp;
let office: FlowRecord[];
let metrics: FlowRecord[];
const FROM = '2026-11-27T00:00:00Z';
const TO = '2026-11-28T00:00:00Z';

const CLIENT = ['192.0.2.10', '2001:db8:20::10'];
const SERVER = ['192.0.2.20', '2001:db8:20::20'];
const DNS = ['192.0.2.53', '2001:db8:20::53'];

/** Three zones, one per host; the server is the crown jewel `files-api`. */
const THREE_ZONES = smallOfficeIntent({
  'laptop-1': { address: '192.0.2.10', owner: 'it', role: 'workstation' },
  'printer-1': { address: '192.0.2.99', owner: 'it', role: 'printer' },
});

/** One zone for the whole office: only the jewel's own perimeter is crossed. */
const ONE_ZONE = THREE_ZONES.replace(/zones:[\s\S]*?crown_jewels:/, `zones:
  - name: office
    kind: internal
    cidrs: [192.0.2.0/24, "2001:db8:20::/64"]
crown_jewels:`);

function writeIntent(text: string) {
  writeFileSync(t.config.intentFile, text);
}

async function ingest(id: string, records: FlowRecord[]) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/ingest',
    headers: { authorization: `Bearer ${AGENT_TOKEN}`, 'content-type': 'application/json' },
    payload: { batch_id: id, agent: 'office', sent_at: new Date().toISOString(), records },
  });
  expect(res.statusCode, res.body).toBe(200);
}

async function get(url: string) {
  const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${API_TOKEN}` } });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> & { message?: string } };
}

interface EdgeOut {
  src: string;
  dst: string;
  src_zone: string;
  dst_zone: string;
  src_jewel: string | null;
  dst_jewel: string | null;
  src_name: string | null;
  dport: number;
  proto: string;
  app: string;
  auth: string;
  flows: number;
  packets: number;
  bytes: number;
  crossing: boolean;
  crown_jewel: string | null;
}

const key = (e: { src: string; dst: string; dport: number; proto: string; app?: string; auth?: string }) =>
  `${e.proto} ${e.src} > ${e.dst}:${e.dport} ${e.app ?? ''}/${e.auth ?? ''}`;

/** The expected address-level edges, straight from the records (no SQL): key → flows, packets, bytes. */
function expectedEdges(records: FlowRecord[], keep: (r: FlowRecord) => boolean) {
  const out = new Map<string, { flows: number; packets: number; bytes: number }>();
  for (const r of records) {
    if (!keep(r)) continue;
    const k = key({ ...r, app: r.app ?? '', auth: r.auth ?? '' });
    const e = out.get(k) ?? { flows: 0, packets: 0, bytes: 0 };
    e.flows += 1;
    e.packets += r.orig_pkts + r.resp_pkts;
    e.bytes += r.orig_ip_bytes + r.resp_ip_bytes;
    out.set(k, e);
  }
  return out;
}

const zoneByHost = (ip: string) =>
  CLIENT.includes(ip) ? 'clients' : SERVER.includes(ip) ? 'servers' : DNS.includes(ip) ? 'dns' : 'other';
const isJewel = (ip: string) => SERVER.includes(ip);

async function allEdges(query: string): Promise<EdgeOut[]> {
  const { status, body } = await get(`/api/v1/edges?from=${FROM}&to=${TO}&limit=10000&${query}`);
  expect(status, body.message).toBe(200);
  expect(body.total).toBe((body.edges as EdgeOut[]).length);
  return body.edges as EdgeOut[];
}

function asMap(edges: EdgeOut[]) {
  return new Map(edges.map((e) => [key(e), { flows: e.flows, packets: e.packets, bytes: e.bytes }]));
}

beforeAll(async () => {
  t = await buildTestApp('sm-analysis');
  office = [];
  await replayFiles([fixture('small-office.pcap')], { detect: true }, (r) => office.push(r));
  metrics = [];
  await replayFiles([fixture('udp-metrics.pcap')], { detect: true }, (r) => metrics.push(r));
  writeIntent(THREE_ZONES);
  await ingest('office-1', office);
});
afterAll(async () => {
  await t?.close();
});

describe('edges', () => {
  it('lists exactly the boundary-crossing edges, with zones, jewels and names', async () => {
    const edges = await allEdges('crossing=true');
    // Multicast ND targets (ff02::1:ff00:x) are no host zone: they are crossings too (clients → unassigned).
    const want = expectedEdges(office, (r) => zoneByHost(r.src) !== zoneByHost(r.dst));
    expect(asMap(edges)).toEqual(want);
    expect(want.size).toBeGreaterThan(10);
    // From fixtures/README.md: one Prometheus scrape → 192.0.2.20:9090, into the jewel.
    const scrape = edges.find((e) => e.dport === 9090 && e.dst === '192.0.2.20')!;
    expect(scrape).toMatchObject({
      src: '192.0.2.10', src_zone: 'clients', src_name: 'laptop-1', dst_zone: 'servers', dst_jewel: 'files-api',
      crown_jewel: 'files-api', proto: 'tcp', flows: 1, crossing: true,
    });
    // Largest first.
    for (let i = 1; i < edges.length; i++) expect(edges[i - 1]!.bytes).toBeGreaterThanOrEqual(edges[i]!.bytes);
  });

  it('crossing=false adds the intra-zone edges; filters narrow by port, proto, app, zone, jewel, asset', async () => {
    const all = await allEdges('crossing=false');
    expect(asMap(all)).toEqual(expectedEdges(office, () => true));
    const byPort = await allEdges('crossing=false&port=8080');
    expect(byPort.length).toBeGreaterThan(0);
    expect(byPort.every((e) => e.dport === 8080)).toBe(true);
    const udp = await allEdges('proto=udp');
    expect(asMap(udp)).toEqual(expectedEdges(office, (r) => r.proto === 'udp' && zoneByHost(r.src) !== zoneByHost(r.dst)));
    const dns = await allEdges('zone=dns');
    expect(asMap(dns)).toEqual(expectedEdges(office, (r) => (DNS.includes(r.src) || DNS.includes(r.dst)) && zoneByHost(r.src) !== zoneByHost(r.dst)));
    const jewel = await allEdges('jewel=files-api');
    expect(asMap(jewel)).toEqual(expectedEdges(office, (r) => isJewel(r.src) || isJewel(r.dst)));
    const laptop = await allEdges('crossing=false&asset=laptop-1');
    expect(asMap(laptop)).toEqual(expectedEdges(office, (r) => r.src === '192.0.2.10' || r.dst === '192.0.2.10'));
    const http = await allEdges('app=http&auth=basic');
    expect(http.map((e) => key(e))).toEqual(['tcp 192.0.2.10 > 192.0.2.20:8080 http/basic']);
  });

  it('group=zone aggregates to zones and counts distinct clients', async () => {
    const { body } = await get(`/api/v1/edges?from=${FROM}&to=${TO}&group=zone&proto=tcp&port=8080`);
    const rows = body.edges as (EdgeOut & { clients: number })[];
    const flows = rows.reduce((s, e) => s + e.flows, 0);
    expect(flows).toBe(office.filter((r) => r.proto === 'tcp' && r.dport === 8080).length);
    expect(rows.every((e) => e.src === 'clients' && e.dst === 'servers' && e.dst_jewel === 'files-api')).toBe(true);
    // Distinct client addresses per (auth) row, from the records.
    const http = office.filter((r) => r.proto === 'tcp' && r.dport === 8080);
    for (const row of rows) {
      expect(row.clients, row.auth).toBe(new Set(http.filter((r) => (r.auth ?? '') === row.auth).map((r) => r.src)).size);
    }
    expect(new Set(rows.map((e) => e.auth))).toEqual(new Set(office.filter((r) => r.dport === 8080 && r.proto === 'tcp').map((r) => r.auth ?? '')));
  });

  it('whole days (edges_1d) and boundary hours (edges_1h) give the same edges as hours alone', async () => {
    const day = await allEdges('crossing=false');
    for (const [from, to] of [
      ['2026-11-27T21:00:00Z', '2026-11-27T22:00:00Z'], // hours only
      ['2026-11-26T13:30:00Z', '2026-11-28T05:10:00Z'], // partial day, a whole day, partial day
      ['2026-11-27T00:00:00Z', '2026-11-27T23:59:59Z'], // one whole day
    ]) {
      const { status, body } = await get(`/api/v1/edges?from=${from}&to=${to}&crossing=false&limit=10000`);
      expect(status, body.message).toBe(200);
      expect(asMap(body.edges as EdgeOut[]), `${from}..${to}`).toEqual(asMap(day));
    }
  });

  it('pages with limit/offset and says how many rows there are in all', async () => {
    const all = await allEdges('crossing=false');
    const { body } = await get(`/api/v1/edges?from=${FROM}&to=${TO}&crossing=false&limit=3&offset=3`);
    expect(body.total).toBe(all.length);
    expect((body.edges as EdgeOut[]).map(key)).toEqual(all.slice(3, 6).map(key));
  });

  it('a zone edit in the YAML re-draws the map without re-ingesting', async () => {
    const before = await allEdges('crossing=true');
    writeIntent(ONE_ZONE);
    try {
      const after = await allEdges('crossing=true');
      // One zone: only edges that cross the jewel's own perimeter (or leave the office /64) remain.
      const officeHost = (ip: string) => ip.startsWith('192.0.2.') || ip.startsWith('2001:db8:20::');
      const want = expectedEdges(office, (r) => isJewel(r.src) !== isJewel(r.dst) || officeHost(r.src) !== officeHost(r.dst));
      expect(asMap(after)).toEqual(want);
      expect(after.length).toBeLessThan(before.length);
      expect(after.filter((e) => officeHost(e.src) && officeHost(e.dst)).every((e) => e.src_zone === 'office' && e.dst_zone === 'office')).toBe(true);
    } finally {
      writeIntent(THREE_ZONES);
    }
    expect(asMap(await allEdges('crossing=true'))).toEqual(asMap(before));
  });
});

describe('protect surface, egress, inventory, flows', () => {
  it("a jewel's surface lists every edge in and out with the boundary crossed", async () => {
    const { status, body } = await get(`/api/v1/jewels/files-api/surface?from=${FROM}&to=${TO}`);
    expect(status).toBe(200);
    const inbound = body.inbound as (EdgeOut & { boundary: string })[];
    expect(asMap(inbound)).toEqual(expectedEdges(office, (r) => isJewel(r.dst) && !isJewel(r.src)));
    expect(inbound.every((e) => e.boundary === 'zone')).toBe(true);
    expect(body.owner).toBe('platform-team');
    expect((await get(`/api/v1/jewels/nope/surface?from=${FROM}&to=${TO}`)).status).toBe(404);
  });

  it('egress lists what each internal address calls', async () => {
    const { body } = await get(`/api/v1/egress?from=${FROM}&to=${TO}&asset=192.0.2.10`);
    const services = body.services as { asset: string; name: string; destinations: { dst: string; dport: number; proto: string; flows: number }[] }[];
    expect(services.map((s) => s.asset)).toEqual(['192.0.2.10']);
    expect(services[0]!.name).toBe('laptop-1');
    const flows = services[0]!.destinations.reduce((s, d) => s + d.flows, 0);
    expect(flows).toBe(office.filter((r) => r.src === '192.0.2.10').length);
  });

  it('inventory: discovered, declared never seen, unknown ranked by jewel contact', async () => {
    const { body } = await get(`/api/v1/inventory?from=${FROM}&to=${TO}`);
    const discovered = body.discovered as { ip: string; declared: boolean; jewel: string | null; name: string | null; jewel_flows: number }[];
    const ips = new Set(office.flatMap((r) => [r.src, r.dst]));
    expect(new Set(discovered.map((a) => a.ip))).toEqual(ips);
    expect(discovered.find((a) => a.ip === '192.0.2.10')).toMatchObject({ declared: true, name: 'laptop-1' });
    expect((body.declared_unseen as { name: string }[]).map((d) => d.name)).toEqual(['printer-1']);
    const unknown = body.unknown as typeof discovered;
    // Undeclared, not a jewel: the IPv6 client talks to the jewel, so it ranks first.
    expect(unknown[0]!.ip).toBe('2001:db8:20::10');
    expect(unknown[0]!.jewel_flows).toBe(office.filter((r) => r.src === '2001:db8:20::10' && isJewel(r.dst)).length);
    for (let i = 1; i < unknown.length; i++) expect(unknown[i - 1]!.jewel_flows).toBeGreaterThanOrEqual(unknown[i]!.jewel_flows);
    expect(unknown.some((a) => a.declared || a.jewel !== null)).toBe(false);
  });

  it('flows: raw records with sorting and paging', async () => {
    const { body } = await get(`/api/v1/flows?from=${FROM}&to=${TO}&sort=bytes&order=desc&limit=5`);
    expect(body.total).toBe(office.length);
    const flows = body.flows as { orig_ip_bytes: number; resp_ip_bytes: number; src: string }[];
    expect(flows).toHaveLength(5);
    const sizes = office.map((r) => r.orig_ip_bytes + r.resp_ip_bytes).sort((a, b) => b - a);
    expect(flows.map((f) => f.orig_ip_bytes + f.resp_ip_bytes)).toEqual(sizes.slice(0, 5));
    const { body: b2 } = await get(`/api/v1/flows?from=${FROM}&to=${TO}&src=2001:db8:20::10&port=8080`);
    expect(b2.total).toBe(office.filter((r) => r.src === '2001:db8:20::10' && r.dport === 8080).length);
  });

  it('flows sorted by bytes / packets (materialized columns, 008) and start: the records in order, ties as before', async () => {
    type FlowOut = { proto: string; src: string; sport: number; dst: string; dport: number; start: string; orig_pkts: number; resp_pkts: number; orig_ip_bytes: number; resp_ip_bytes: number };
    const id = (f: { proto: string; src: string; sport: number; dst: string; dport: number }) => `${f.proto} ${f.src}:${f.sport} > ${f.dst}:${f.dport}`;
    expect(office.length).toBeGreaterThan(20);
    expect(office.length).toBeLessThanOrEqual(1000); // one page holds them all
    const cases = [
      { sort: 'bytes', order: 'desc', value: (r: { orig_ip_bytes: number; resp_ip_bytes: number }) => r.orig_ip_bytes + r.resp_ip_bytes, sql: '(orig_ip_bytes + resp_ip_bytes) DESC' },
      { sort: 'bytes', order: 'asc', value: (r: { orig_ip_bytes: number; resp_ip_bytes: number }) => r.orig_ip_bytes + r.resp_ip_bytes, sql: '(orig_ip_bytes + resp_ip_bytes) ASC' },
      { sort: 'packets', order: 'desc', value: (r: { orig_pkts: number; resp_pkts: number }) => r.orig_pkts + r.resp_pkts, sql: '(orig_pkts + resp_pkts) DESC' },
      { sort: 'packets', order: 'asc', value: (r: { orig_pkts: number; resp_pkts: number }) => r.orig_pkts + r.resp_pkts, sql: '(orig_pkts + resp_pkts) ASC' },
      // start: read in order (led by toStartOfHour(start)); the same order as by start alone.
      { sort: 'start', order: 'desc', value: (r: { start: string }) => Date.parse(r.start), sql: 'start DESC' },
      { sort: 'start', order: 'asc', value: (r: { start: string }) => Date.parse(r.start), sql: 'start ASC' },
    ] as const;
    for (const c of cases) {
      const label = `sort=${c.sort}&order=${c.order}`;
      const { status, body } = await get(`/api/v1/flows?from=${FROM}&to=${TO}&sort=${c.sort}&order=${c.order}&limit=1000`);
      expect(status, body.message).toBe(200);
      const flows = body.flows as FlowOut[];
      // Every record once, and the sums in order, computed from the records themselves.
      expect(flows.map(id).sort(), label).toEqual(office.map(id).sort());
      const sums = office.map((r) => c.value(r)).sort((a, b) => (c.order === 'desc' ? b - a : a - b));
      expect(flows.map((f) => c.value(f)), label).toEqual(sums);
      // The same rows in the same order as sorting by the sum expression itself (the query before 008),
      // ties included (start DESC, src, sport).
      const ref = await t.app.store.query<{ proto: string; src: string; sport: number; dst: string; dport: number }>(
        `SELECT proto, src, sport, dst, dport FROM flows
         WHERE start >= {from:DateTime64(6, 'UTC')} AND start <= {to:DateTime64(6, 'UTC')}
         ORDER BY ${c.sql}, start DESC, src, sport`,
        { from: FROM.replace('Z', ''), to: TO.replace('Z', '') },
      );
      expect(flows.map(id), label).toEqual(ref.map((r) => id({ ...r, src: displayIp(r.src), dst: displayIp(r.dst), sport: Number(r.sport), dport: Number(r.dport) })));
      // Paging: the second page of 7 is rows 7..13 of the whole list.
      const page = await get(`/api/v1/flows?from=${FROM}&to=${TO}&sort=${c.sort}&order=${c.order}&limit=7&offset=7`);
      expect((page.body.flows as FlowOut[]).map(id), label).toEqual(flows.slice(7, 14).map(id));
    }
    // The columns hold the sums for every stored row.
    const bad = await t.app.store.query<{ n: string }>(
      'SELECT count() AS n FROM flows WHERE ip_bytes != orig_ip_bytes + resp_ip_bytes OR pkts != orig_pkts + resp_pkts',
    );
    expect(Number(bad[0]!.n)).toBe(0);
  });
});

describe('snapshots', () => {
  it('saves, lists, diffs against now (a new edge into the jewel first) and deletes', async () => {
    const save = await t.app.inject({
      method: 'POST',
      url: '/api/v1/snapshots',
      headers: { authorization: `Bearer ${API_TOKEN}` },
      payload: { name: 'sprint 42', from: FROM, to: TO },
    });
    expect(save.statusCode, save.body).toBe(201);
    expect(save.json().edges).toBe(expectedEdges(office, () => true).size);
    const again = await t.app.inject({
      method: 'POST', url: '/api/v1/snapshots', headers: { authorization: `Bearer ${API_TOKEN}` }, payload: { name: 'sprint 42' },
    });
    expect(again.statusCode).toBe(409);

    // Sprint 43: the StatsD and scrape traffic of udp-metrics.pcap arrives.
    await ingest('metrics-1', metrics);
    const { status, body } = await get(`/api/v1/snapshots/diff?a=sprint%2042&b=now&from=${FROM}&to=${TO}`);
    expect(status, body.message).toBe(200);
    const fresh = body.new as EdgeOut[];
    const officeKeys = new Set(expectedEdges(office, () => true).keys());
    const want = [...expectedEdges(metrics, () => true).keys()].filter((k) => !officeKeys.has(k));
    expect(new Set(fresh.map(key))).toEqual(new Set(want));
    // Known by construction: StatsD over IPv6 into the jewel, which small-office.pcap never had.
    expect(fresh.map(key)).toContain('udp 2001:db8:20::10 > 2001:db8:20::20:8125 statsd/none');
    const firstNonJewel = fresh.findIndex((e) => e.crown_jewel === null);
    if (firstNonJewel >= 0) expect(fresh.slice(firstNonJewel).every((e) => e.crown_jewel === null)).toBe(true);
    expect(body.gone).toEqual([]);

    // The whole diff, every number, against one computed from the records: with min_change=0 every
    // edge in both sides is `changed` (before = the snapshot, after = now).
    const all = await get(`/api/v1/snapshots/diff?a=sprint%2042&b=now&from=${FROM}&to=${TO}&min_change=0&limit=100000`);
    expect(all.status, all.body.message).toBe(200);
    const before = expectedEdges(office, () => true);
    const after = expectedEdges([...office, ...metrics], () => true);
    const wantNew = new Map([...after].filter(([k]) => !before.has(k)));
    const wantChanged = new Map(
      [...after].filter(([k]) => before.has(k)).map(([k, v]) => [k, { ...v, flows_before: before.get(k)!.flows, bytes_before: before.get(k)!.bytes }]),
    );
    const changedOut = all.body.changed as (EdgeOut & { flows_before: number; bytes_before: number })[];
    expect(asMap(all.body.new as EdgeOut[])).toEqual(wantNew);
    expect(new Map(changedOut.map((e) => [key(e), { flows: e.flows, packets: e.packets, bytes: e.bytes, flows_before: e.flows_before, bytes_before: e.bytes_before }]))).toEqual(wantChanged);
    expect(changedOut).toHaveLength(wantChanged.size);
    expect(all.body.gone).toEqual([]);
    expect(wantNew.size).toBeGreaterThan(0);
    expect(wantChanged.size).toBeGreaterThan(0);
    // And with the default min_change (0.5) only the edges whose flows or bytes moved by half or more.
    const moved = [...wantChanged].filter(([, v]) => Math.abs(v.flows - v.flows_before) >= 0.5 * Math.max(v.flows_before, 1) || Math.abs(v.bytes - v.bytes_before) >= 0.5 * Math.max(v.bytes_before, 1));
    expect(new Set((body.changed as EdgeOut[]).map(key))).toEqual(new Set(moved.map(([k]) => k)));
    expect(all.body.totals).toEqual({ new: wantNew.size, gone: 0, changed: wantChanged.size });
    expect(body.totals).toEqual({ new: want.length, gone: 0, changed: moved.length });

    // limit caps each list on its own (changed rows never push new ones out) and totals still count all.
    const one = await get(`/api/v1/snapshots/diff?a=sprint%2042&b=now&from=${FROM}&to=${TO}&min_change=0&limit=1`);
    expect(one.status, one.body.message).toBe(200);
    expect(one.body.new).toHaveLength(1);
    expect(one.body.changed).toHaveLength(1);
    expect(one.body.totals).toEqual(all.body.totals);
    expect(key((one.body.new as EdgeOut[])[0]!)).toBe(key((all.body.new as EdgeOut[])[0]!));
    expect(key((one.body.changed as EdgeOut[])[0]!)).toBe(key((all.body.changed as EdgeOut[])[0]!));

    const list = await get('/api/v1/snapshots');
    expect((list.body.snapshots as { name: string }[]).map((s) => s.name)).toEqual(['sprint 42']);
    const del = await t.app.inject({ method: 'DELETE', url: '/api/v1/snapshots/sprint%2042', headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(del.statusCode).toBe(204);
    expect((await get('/api/v1/snapshots')).body.snapshots).toEqual([]);
    expect((await get(`/api/v1/snapshots/diff?a=sprint%2042`)).status).toBe(404);
  });
});

describe('bad input: 4xx with a clear message, never a 500', () => {
  const injections = ["' OR 1=1 --", "x'); DROP TABLE flows; --", '../../etc/passwd', '${jndi:ldap://x}', 'a'.repeat(5000), 'zone\u0000'];
  const params = ['zone', 'asset', 'jewel', 'app', 'auth', 'proto', 'port', 'from', 'to', 'group', 'limit'];

  it('every string parameter of /edges refuses injection attempts', async () => {
    for (const p of params) {
      for (const v of injections) {
        const { status, body } = await get(`/api/v1/edges?${p}=${encodeURIComponent(v)}`);
        expect(status, `${p}=${v.slice(0, 20)}`).toBe(400);
        expect(body.message).toMatch(new RegExp(p));
      }
    }
    const flows = await t.app.store.query<{ n: string }>('SELECT count() AS n FROM flows');
    expect(Number(flows[0]!.n)).toBeGreaterThan(0);
  });

  it('bad time ranges, unknown names and missing tokens', async () => {
    expect((await get(`/api/v1/edges?from=${TO}&to=${FROM}`)).body.message).toMatch(/before/);
    expect((await get(`/api/v1/edges?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`)).status).toBe(400);
    expect((await get('/api/v1/edges?from=yesterday')).status).toBe(400);
    expect((await get('/api/v1/edges?nope=1')).status).toBe(400);
    expect((await get(`/api/v1/snapshots/diff?a=${encodeURIComponent("x' OR '1")}`)).status).toBe(400);
    const { body } = await get(`/api/v1/edges?from=${FROM}&to=${TO}&asset=no-such-host`);
    expect(body.edges).toEqual([]);
    for (const url of ['/api/v1/edges', '/api/v1/inventory', '/api/v1/egress', '/api/v1/flows', '/api/v1/snapshots', '/api/v1/jewels/x/surface']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
    }
  });

  it('serves an OpenAPI description at /docs/json that lists the analysis routes', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['/api/v1/edges/', '/api/v1/inventory/', '/api/v1/snapshots/diff', '/api/v1/jewels/{name}/surface']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });
});
