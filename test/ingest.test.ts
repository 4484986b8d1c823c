// The collector end to end on the real embedded engine: a real capture replayed to FlowRecords, POSTed
// through app.inject, then counted in `flows` and `edges_1h`; idempotency; every kind of bad input;
// an unreachable ClickHouse server; and a 2024 capture surviving the retention TTL.
import { createServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../common/flow-record.js';
import { replayFiles } from '../agent/replay.js';
import { AGENT_TOKEN, API_TOKEN, buildTestApp, type TestApp } from './helpers/server-app.js';

const SMALL_OFFICE = fileURLToPath(new URL('../fixtures/small-office.pcap', import.meta.url));
/** Small on purpose, so the 413 cases stay small; a 24-record batch is ~10 kB of JSON. */
const BODY_LIMIT = 256 * 1024;

let t: TestApp;
let records: FlowRecord[];

beforeAll(async () => {
  t = await buildTestApp('sm-ingest', { SURFACEMAP_INGEST_BODY_LIMIT: String(BODY_LIMIT) });
  records = [];
  await replayFiles([SMALL_OFFICE], {}, (r) => records.push(r));
});
afterAll(async () => {
  await t?.close();
});

const batch = (id: string, recs: FlowRecord[] = records, over: Record<string, unknown> = {}) => ({
  batch_id: id,
  agent: 'office-laptop',
  sent_at: new Date().toISOString(),
  records: recs,
  ...over,
});

interface PostOptions {
  token?: string | null;
  headers?: Record<string, string>;
  gzip?: boolean;
}

function post(body: unknown, o: PostOptions = {}) {
  const token = o.token === undefined ? AGENT_TOKEN : o.token;
  let payload: string | Buffer = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...o.headers };
  if (headers['content-type'] === '') delete headers['content-type'];
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (o.gzip) {
    payload = gzipSync(payload);
    headers['content-encoding'] = 'gzip';
  }
  return t.app.inject({ method: 'POST', url: '/api/v1/ingest', headers, payload });
}

const q1 = async (sql: string, params?: Record<string, unknown>) =>
  (await t.app.store.query<Record<string, string | number>>(sql, params))[0]!;

/** Everything the ingest path writes, summed. */
async function snapshot() {
  const flows = await q1(
    'SELECT count() AS n, sum(orig_pkts + resp_pkts) AS packets, sum(orig_ip_bytes + resp_ip_bytes) AS bytes FROM flows',
  );
  const edges = await q1('SELECT sum(flows) AS n, sum(packets) AS packets, sum(bytes) AS bytes FROM edges_1h');
  const batches = await q1('SELECT count() AS n FROM ingest_batches');
  return {
    flows: { n: Number(flows.n), packets: Number(flows.packets), bytes: Number(flows.bytes) },
    edges: { n: Number(edges.n), packets: Number(edges.packets), bytes: Number(edges.bytes) },
    batches: Number(batches.n),
  };
}

function totals(recs: FlowRecord[]) {
  return {
    n: recs.length,
    packets: recs.reduce((a, r) => a + r.orig_pkts + r.resp_pkts, 0),
    bytes: recs.reduce((a, r) => a + r.orig_ip_bytes + r.resp_ip_bytes, 0),
  };
}

const minus = (a: { n: number; packets: number; bytes: number }, b: { n: number; packets: number; bytes: number }) => ({
  n: a.n - b.n,
  packets: a.packets - b.packets,
  bytes: a.bytes - b.bytes,
});

async function expectHealthy() {
  const h = await t.app.inject({ method: 'GET', url: '/healthz' });
  expect(h.statusCode).toBe(200);
  expect(h.json()).toEqual({ status: 'ok', store: 'embedded' });
}

describe('POST /api/v1/ingest', () => {
  it('stores a replayed capture: rows, packets and bytes in flows and edges_1h equal the records', async () => {
    expect(records.length).toBeGreaterThan(10);
    const before = await snapshot();
    const res = await post(batch('small-office-1'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: records.length, duplicate: false });
    const after = await snapshot();
    const want = totals(records);
    expect(minus(after.flows, before.flows)).toEqual(want);
    expect(minus(after.edges, before.edges)).toEqual(want);
    expect(after.batches - before.batches).toBe(1);

    // Per 5-tuple, what went in is what comes out (IPv4 as ::ffff:-mapped IPv6).
    const rows = await t.app.store.query<{ src: string; sport: number; dst: string; dport: number; proto: string; p: number; b: number }>(
      `SELECT IPv6NumToString(src) AS src, sport, IPv6NumToString(dst) AS dst, dport, proto,
              toUInt64(orig_pkts + resp_pkts) AS p, toUInt64(orig_ip_bytes + resp_ip_bytes) AS b
       FROM flows WHERE agent = 'office-laptop' ORDER BY start, src, sport`,
    );
    const mapped = (ip: string) => (ip.includes(':') ? ip : `::ffff:${ip}`);
    const key = (x: { src: string; sport: number; dst: string; dport: number; proto: string }) =>
      `${x.proto} ${x.src} ${x.sport} ${x.dst} ${x.dport}`;
    expect(rows.map((r) => `${key(r)} ${Number(r.p)} ${Number(r.b)}`).sort()).toEqual(
      records
        .map((r) => `${key({ ...r, src: mapped(r.src), dst: mapped(r.dst) })} ${r.orig_pkts + r.resp_pkts} ${r.orig_ip_bytes + r.resp_ip_bytes}`)
        .sort(),
    );
  });

  it('reports the same totals in /api/v1/stats, with the agent and its reported backlog', async () => {
    const res = await post(batch('small-office-stats', records.slice(0, 3), { agent: 'stats-agent', stats: { packets: 160, dropped: 2, spool_backlog: 7 } }));
    expect(res.statusCode).toBe(200);
    const s = await t.app.inject({ method: 'GET', url: '/api/v1/stats', headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(s.statusCode).toBe(200);
    const stats = s.json();
    const snap = await snapshot();
    expect({ n: stats.totals.flows, packets: stats.totals.packets, bytes: stats.totals.bytes }).toEqual(snap.edges);
    const protos = stats.by_proto.map((p: { proto: string }) => p.proto);
    expect(protos).toEqual([...new Set(records.map((r) => r.proto))].sort());
    const agent = stats.agents.find((a: { agent: string }) => a.agent === 'stats-agent');
    expect(agent).toMatchObject({ batches: 1, records: 3, spool_backlog: 7, packets: 160, dropped: 2 });
    // No drop counters in the batch (an older agent): null, not 0.
    expect(agent).toMatchObject({ spool_dropped_batches: null, spool_dropped_records: null, spool_dropped_packets: null });
    expect(Date.parse(agent.last_contact)).toBeGreaterThan(Date.now() - 600_000);
    const first = records.map((r) => r.start).sort()[0]!;
    expect(Date.parse(stats.totals.first_seen)).toBeLessThanOrEqual(Date.parse(first));
  });

  it("shows per agent what its spool bound dropped, from the agent's latest batch that reported it", async () => {
    const agentStats = async (name: string) => {
      const s = await t.app.inject({ method: 'GET', url: '/api/v1/stats', headers: { authorization: `Bearer ${API_TOKEN}` } });
      expect(s.statusCode).toBe(200);
      return s.json().agents.find((a: { agent: string }) => a.agent === name);
    };
    const stats = (b: number, r: number, p: number) => ({
      packets: 500, dropped: p, spool_backlog: 4, spool_dropped_batches: b, spool_dropped_records: r, spool_dropped_packets: p,
    });
    const first = await post(batch('spool-drops-1', records.slice(0, 2), { agent: 'lossy-agent', stats: stats(3, 60, 120) }));
    expect(first.statusCode).toBe(200);
    expect(await agentStats('lossy-agent')).toMatchObject({ batches: 1, spool_dropped_batches: 3, spool_dropped_records: 60, spool_dropped_packets: 120 });
    // The counters are cumulative in the agent process: the latest value is shown, not a sum.
    const second = await post(batch('spool-drops-2', records.slice(2, 4), { agent: 'lossy-agent', stats: stats(5, 100, 210) }));
    expect(second.statusCode).toBe(200);
    expect(await agentStats('lossy-agent')).toMatchObject({ batches: 2, spool_dropped_batches: 5, spool_dropped_records: 100, spool_dropped_packets: 210 });
    // A later batch without stats does not hide what was lost.
    const third = await post(batch('spool-drops-3', records.slice(4, 5), { agent: 'lossy-agent' }));
    expect(third.statusCode).toBe(200);
    expect(await agentStats('lossy-agent')).toMatchObject({ batches: 3, spool_dropped_batches: 5, spool_dropped_records: 100, spool_dropped_packets: 210 });
    const stored = await q1(
      "SELECT count() AS n, countIf(spool_dropped_records IS NULL) AS nulls FROM ingest_batches WHERE agent = 'lossy-agent'",
    );
    expect({ n: Number(stored.n), nulls: Number(stored.nulls) }).toEqual({ n: 3, nulls: 1 });
  });

  it('accepts gzip bodies', async () => {
    const before = await snapshot();
    const recs = records.map((r) => ({ ...r, sport: (r.sport + 1) % 65536 }));
    const res = await post(batch('small-office-gzip', recs), { gzip: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: recs.length, duplicate: false });
    expect(minus((await snapshot()).flows, before.flows)).toEqual(totals(recs));
  });

  it('answers a retried batch as a duplicate and stores it once', async () => {
    const b = batch('retry-me', records.slice(0, 5));
    expect((await post(b)).json()).toEqual({ accepted: 5, duplicate: false });
    const mid = await snapshot();
    const again = await post({ ...b, sent_at: new Date(Date.now() + 5000).toISOString() });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ accepted: 0, duplicate: true });
    expect(await snapshot()).toEqual(mid);
  });

  it('answers as a duplicate a batch that a collector hashing another encoding stored (retry across an upgrade)', async () => {
    // What a collector before the Native encoding wrote: a bare SHA-256 of its TabSeparated chunks.
    await t.app.store.command(
      "INSERT INTO ingest_batches (batch_id, agent, sent_at, records, content_hash) VALUES ('from-tsv-era', 'office-laptop', now64(3), 5, {h:String})",
      { h: 'ab'.repeat(32) },
      { async_insert: 0 },
    );
    const before = await snapshot();
    const res = await post(batch('from-tsv-era', records.slice(0, 5)));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 0, duplicate: true });
    expect(await snapshot()).toEqual(before);
  });

  it('stores a batch sent five times at once exactly once', async () => {
    const before = await snapshot();
    const b = batch('concurrent-1', records.slice(0, 6));
    const results = await Promise.all(Array.from({ length: 5 }, () => post(b)));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    const bodies = results.map((r) => r.json() as { accepted: number; duplicate: boolean });
    expect(bodies.filter((x) => !x.duplicate)).toEqual([{ accepted: 6, duplicate: false }]);
    expect(bodies.filter((x) => x.duplicate)).toHaveLength(4);
    const after = await snapshot();
    expect(minus(after.flows, before.flows)).toEqual(totals(records.slice(0, 6)));
    expect(minus(after.edges, before.edges)).toEqual(totals(records.slice(0, 6)));
    expect(after.batches - before.batches).toBe(1);
  });

  it('keeps records of a 2024 capture past the retention TTL (it counts from when they arrived)', async () => {
    const shift = Date.parse('2024-03-04T09:00:00Z') - Date.parse(records[0]!.start);
    const old = records.map((r) => ({
      ...r,
      start: new Date(Date.parse(r.start) + shift).toISOString(),
      end: new Date(Date.parse(r.end) + shift).toISOString(),
    }));
    const res = await post(batch('replay-2024', old, { agent: 'replay-2024' }));
    expect(res.statusCode).toBe(200);
    await t.app.store.command('OPTIMIZE TABLE flows FINAL');
    const n = await q1("SELECT count() AS n, min(start) AS first FROM flows WHERE agent = 'replay-2024'");
    expect(Number(n.n)).toBe(old.length);
    expect(String(n.first).startsWith('2024-03-04')).toBe(true);
  });
});

describe('bad input: a 4xx JSON error naming the problem, nothing stored, still healthy', () => {
  const goodRecord = () => records[0]!;
  const cases: { name: string; status: number; message: RegExp; send: () => ReturnType<typeof post> }[] = [
    { name: 'no token', status: 401, message: /Authorization: Bearer/, send: () => post(batch('bad-1'), { token: null }) },
    { name: 'wrong token', status: 401, message: /not valid/, send: () => post(batch('bad-2'), { token: 'x'.repeat(26) }) },
    {
      name: 'not a bearer token',
      status: 401,
      message: /Authorization: Bearer/,
      send: () => post(batch('bad-3'), { token: null, headers: { authorization: `Basic ${Buffer.from(`a:${AGENT_TOKEN}`).toString('base64')}` } }),
    },
    { name: 'invalid JSON', status: 400, message: /^body is not valid JSON/, send: () => post('{"batch_id": "bad-4", "records": [') },
    {
      name: 'wrong type in a record',
      status: 400,
      message: /^body\/records\/1\/orig_pkts: /,
      send: () => post(batch('bad-5', [goodRecord(), { ...goodRecord(), orig_pkts: '12' } as unknown as FlowRecord])),
    },
    { name: 'missing batch_id', status: 400, message: /^body\/batch_id: /, send: () => post({ ...batch('x'), batch_id: undefined }) },
    { name: 'no records', status: 400, message: /^body\/records: /, send: () => post(batch('bad-6', [])) },
    {
      name: 'an address that is not an IP',
      status: 400,
      message: /^body\/records\/0\/src: not an IPv4 or IPv6 address/,
      send: () => post(batch('bad-7', [{ ...goodRecord(), src: 'printer' }])),
    },
    { name: 'empty body', status: 400, message: /^body is not valid JSON/, send: () => post('') },
    {
      name: 'body over the limit',
      status: 413,
      message: /larger than the limit/,
      send: () => post(batch('bad-8', new Array(Math.ceil(BODY_LIMIT / 100)).fill(goodRecord()))),
    },
    {
      name: 'gzip body over the limit once decompressed (a zip bomb)',
      status: 413,
      message: /larger than the limit/,
      send: () => post(batch('bad-9', [{ ...goodRecord(), pad: 'x'.repeat(4 * BODY_LIMIT) } as FlowRecord]), { gzip: true }),
    },
    { name: 'corrupt gzip', status: 400, message: /.+/, send: () => post(Buffer.from('not gzip at all'), { headers: { 'content-encoding': 'gzip' } }) },
    {
      name: 'unsupported Content-Encoding',
      status: 415,
      message: /Content-Encoding "br"/,
      send: () => post(batch('bad-10'), { headers: { 'content-encoding': 'br' } }),
    },
    {
      name: 'wrong Content-Type',
      status: 415,
      message: /application\/json/,
      send: () => post(JSON.stringify(batch('bad-11')), { headers: { 'content-type': 'text/plain' } }),
    },
    {
      name: 'no Content-Type',
      status: 415,
      message: /application\/json/,
      send: () => post(JSON.stringify(batch('bad-12')), { headers: { 'content-type': '' } }),
    },
    {
      name: 'a negative spool drop counter in stats',
      status: 400,
      message: /^body\/stats\/spool_dropped_batches: /,
      send: () => post(batch('bad-13', [goodRecord()], { stats: { packets: 1, dropped: 0, spool_backlog: 0, spool_dropped_batches: -1 } })),
    },
    {
      name: 'a fractional spool drop counter in stats',
      status: 400,
      message: /^body\/stats\/spool_dropped_records: /,
      send: () => post(batch('bad-14', [goodRecord()], { stats: { packets: 1, dropped: 0, spool_backlog: 0, spool_dropped_records: 2.5 } })),
    },
    {
      name: 'a spool drop counter that is a string',
      status: 400,
      message: /^body\/stats\/spool_dropped_packets: /,
      send: () => post(batch('bad-15', [goodRecord()], { stats: { packets: 1, dropped: 0, spool_backlog: 0, spool_dropped_packets: '3' } })),
    },
    {
      name: 'a stored batch_id reused for other records',
      status: 409,
      message: /already stored with other records/,
      send: () => post(batch('small-office-1', records.slice(0, 2))),
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const before = await snapshot();
      const res = await c.send();
      expect(res.statusCode).toBe(c.status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(['error', 'message']);
      expect(body.message).toMatch(c.message);
      expect(res.body).not.toContain(AGENT_TOKEN);
      expect(await snapshot()).toEqual(before);
      await expectHealthy();
    });
  }

  it('the API needs the API token, not an agent token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/stats', headers: { authorization: `Bearer ${AGENT_TOKEN}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('Unauthorized');
    const none = await t.app.inject({ method: 'GET', url: '/api/v1/stats' });
    expect(none.statusCode).toBe(401);
  });

  it('unknown routes get the same JSON error shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'Not Found', message: 'no route for GET /api/v1/nope' });
  });
});

describe('ClickHouse server unreachable', () => {
  let down: TestApp;
  beforeAll(async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    // Server mode over HTTP to a port where nothing listens: the app still starts.
    down = await buildTestApp('sm-ingest-down', { CLICKHOUSE_URL: `http://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await down?.close();
  });

  it('answers ingest with 503 and Retry-After, and /healthz with 503', async () => {
    const res = await down.app.inject({
      method: 'POST',
      url: '/api/v1/ingest',
      headers: { authorization: `Bearer ${AGENT_TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify(batch('while-down', records.slice(0, 2))),
    });
    expect(res.statusCode).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.json()).toMatchObject({ error: 'Service Unavailable' });
    expect(res.json().message).toMatch(/ECONNREFUSED/);
    const h = await down.app.inject({ method: 'GET', url: '/healthz' });
    expect(h.statusCode).toBe(503);
    expect(h.json()).toEqual({ status: 'unavailable', store: 'server' });
  });
});
