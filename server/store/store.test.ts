// The store on the real embedded engine (one chdb per test file, in a temp dir), plus the HTTP
// transport against a port where nothing listens.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../common/flow-record.js';
import { NAME_INSERT_COLUMNS } from '../collector/ingest-names.js';
import { encodeFlowsNative, FLOW_INSERT_COLUMNS } from './flow-columns.js';
import { applyRetention, applySystemLogTtl, loadMigrations, defaultMigrationsDir, migrate, splitStatements, ttlDays } from './migrate.js';
import { openStore, type Store } from './store.js';
import { StoreUnavailableError } from './store-errors.js';
import { ipBytes } from './native-block.js';
import { createRng } from '../../test/helpers/fuzz-rng.js';

const dataDir = mkdtempSync(join(tmpdir(), 'sm-store-'));
let store: Store;

beforeAll(async () => {
  store = openStore({ dataDir, database: 'default' });
});
afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const record = (over: Partial<FlowRecord> = {}): FlowRecord => ({
  proto: 'tcp', src: '192.0.2.10', sport: 40000, dst: '2001:db8::20', dport: 443,
  start: '2024-02-29T10:15:00.000001Z', end: '2024-02-29T10:15:02.5Z',
  orig_pkts: 10, resp_pkts: 8, orig_ip_bytes: 1200, resp_ip_bytes: 9000, orig_bytes: 600, resp_bytes: 8500,
  state: 'SF', history: 'ShADadFf', end_reason: 'fin', initiator: 'syn', sampling: 1, frags: 0, vlan: 0,
  ...over,
});

function chunksOf(records: FlowRecord[], agent: string, maxRows?: number): Uint8Array[] {
  const r = encodeFlowsNative(records, agent, maxRows);
  if (!r.ok) throw new Error(r.message);
  return r.value.chunks;
}

const NATIVE = { format: 'Native' } as const;

const one = async (sql: string, params?: Record<string, unknown>) => {
  const rows = await store.query<Record<string, unknown>>(sql, params);
  return rows[0]!;
};
const count = async (table: string, agent: string) =>
  Number((await one(`SELECT count() AS n FROM {t:Identifier} WHERE agent = {agent:String}`, { t: table, agent })).n);
const edgeSums = async (src: string) =>
  one('SELECT sum(flows) AS flows, sum(packets) AS packets, sum(bytes) AS bytes FROM edges_1h WHERE src = toIPv6({src:String})', { src });

describe('migrations', () => {
  it('split files into statements at a ; that ends a line', () => {
    expect(splitStatements('-- head\nCREATE TABLE a (x String DEFAULT \';\');\n\n-- only a comment;\nSELECT 1;')).toEqual([
      "-- head\nCREATE TABLE a (x String DEFAULT ';')",
      'SELECT 1',
    ]);
  });

  it('are numbered, in order, and each statement is idempotent (IF NOT EXISTS)', () => {
    const ms = loadMigrations(defaultMigrationsDir());
    expect(ms.map((m) => m.version)).toEqual(ms.map((_, i) => i + 1));
    // DDL says IF NOT EXISTS; a one-off backfill INSERT must guard itself by only writing into an empty
    // table (006_edges_1d), so running it again adds nothing.
    for (const m of ms) {
      for (const s of m.statements) {
        if (/^\s*(--.*\n\s*)*INSERT INTO/i.test(s)) expect(s).toMatch(/WHERE \(SELECT count\(\) FROM \w+\) = 0/);
        else expect(s).toMatch(/IF NOT EXISTS/);
      }
    }
  });

  it('apply once, are recorded, and a second run applies nothing', async () => {
    const first = await migrate(store, { retention_days: 35 });
    expect(first.applied).toEqual(loadMigrations(defaultMigrationsDir()).map((m) => `${String(m.version).padStart(3, '0')}_${m.name}`));
    const second = await migrate(store, { retention_days: 35 });
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(first.applied);
    const recorded = await store.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(recorded.map((r) => Number(r.version))).toEqual(first.applied.map((_, i) => i + 1));
  });

  it('re-run cleanly after dying halfway (statements applied, not recorded)', async () => {
    await store.command('TRUNCATE TABLE schema_migrations');
    const again = await migrate(store, { retention_days: 35 });
    expect(again.applied).toHaveLength(loadMigrations(defaultMigrationsDir()).length);
  });

  it('make flows expire by received_at, in whole day-partitions', async () => {
    const t = await one("SELECT engine_full, partition_key FROM system.tables WHERE database = currentDatabase() AND name = 'flows'");
    expect(t.partition_key).toBe('toDate(received_at)');
    expect(String(t.engine_full)).toMatch(/TTL received_at \+ toIntervalDay\(/);
    expect(String(t.engine_full)).toMatch(/ttl_only_drop_parts = 1/);
    expect(ttlDays(String(t.engine_full))).toBe(35);
    const cols = await store.query<{ name: string; type: string }>(
      "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'flows' AND name IN ('src', 'dst', 'proto', 'app')",
    );
    expect(Object.fromEntries(cols.map((c) => [c.name, c.type]))).toEqual({
      src: 'IPv6', dst: 'IPv6', proto: 'LowCardinality(String)', app: 'LowCardinality(String)',
    });
  });
});

describe('retention', () => {
  it('keeps a capture from 2024 replayed today (TTL counts from received_at)', async () => {
    const records = Array.from({ length: 30 }, (_, i) => record({ sport: 41000 + i, src: `198.51.100.${i + 1}` }));
    await store.insert('flows', FLOW_INSERT_COLUMNS, chunksOf(records, 'replay-2024'), NATIVE);
    // Force the merges that apply TTLs; rows past a TTL would be gone after this.
    await store.command('OPTIMIZE TABLE flows FINAL');
    expect(await count('flows', 'replay-2024')).toBe(30);
    const edges = await one(
      "SELECT sum(flows) AS flows FROM edges_1h WHERE hour = toDateTime('2024-02-29 10:00:00', 'UTC') AND dport = 443",
    );
    expect(Number(edges.flows)).toBeGreaterThanOrEqual(30);
  });

  it('(control) a TTL on the flow time drops the same 2024 rows: what received_at avoids', async () => {
    await store.command(
      "CREATE TABLE IF NOT EXISTS ttl_control (start DateTime64(6, 'UTC'), n UInt32) ENGINE = MergeTree ORDER BY n TTL toDateTime(start) + INTERVAL 35 DAY",
    );
    await store.command(
      "INSERT INTO ttl_control SELECT toDateTime64('2024-02-29 10:15:00', 6, 'UTC'), number FROM numbers(30)",
      {},
      { async_insert: 0 },
    );
    await store.command('OPTIMIZE TABLE ttl_control FINAL');
    expect(Number((await one('SELECT count() AS n FROM ttl_control')).n)).toBe(0);
  });

  it('follows a changed retention setting', async () => {
    expect(await applyRetention(store, 10)).toEqual(['flows', 'ingest_batches']);
    const t = await one("SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'flows'");
    expect(ttlDays(String(t.engine_full))).toBe(10);
    expect(await applyRetention(store, 10)).toEqual([]);
    expect(await applyRetention(store, 35)).toEqual(['flows', 'ingest_batches']);
  });

  it('finds no system.*_log tables in chdb 3.4 (nothing to put a TTL on)', async () => {
    const r = await applySystemLogTtl(store, 7);
    expect(r).toEqual({ found: [], changed: [], failed: [] });
  });
});

describe('inserts', () => {
  it('put IPv4 in IPv6 columns as ::ffff:-mapped and keep IPv6 as is', async () => {
    await store.insert('flows', FLOW_INSERT_COLUMNS, chunksOf([record()], 'mapping'), NATIVE);
    const r = await one("SELECT toString(src) AS src, toString(dst) AS dst FROM flows WHERE agent = 'mapping'");
    expect(r).toEqual({ src: '::ffff:192.0.2.10', dst: '2001:db8::20' });
  });

  it('insert every chunk of a split batch, and feed edges_1h', async () => {
    const records = Array.from({ length: 7 }, (_, i) => record({ src: '203.0.113.7', sport: 50000 + i, app: 'tls', auth: 'mtls' }));
    await store.insert('flows', FLOW_INSERT_COLUMNS, chunksOf(records, 'chunks', 3), NATIVE);
    expect(await count('flows', 'chunks')).toBe(7);
    expect(await edgeSums('203.0.113.7')).toEqual({ flows: 7, packets: 7 * 18, bytes: 7 * 10200 });
    const key = await one("SELECT app, auth FROM edges_1h WHERE src = toIPv6('203.0.113.7') LIMIT 1");
    expect(key).toEqual({ app: 'tls', auth: 'mtls' });
  });

  it('drop a retried insert with the same dedup token, in flows and in edges_1h', async () => {
    const chunks = chunksOf([record({ src: '203.0.113.8' }), record({ src: '203.0.113.8', sport: 2 })], 'dedup', 1);
    for (let i = 0; i < 3; i++) await store.insert('flows', FLOW_INSERT_COLUMNS, chunks, { ...NATIVE, dedupToken: 'batch-A' });
    expect(await count('flows', 'dedup')).toBe(2);
    expect((await edgeSums('203.0.113.8')).flows).toBe(2);
  });

  it('drop concurrent copies with the same token too', async () => {
    const chunks = chunksOf([record({ src: '203.0.113.9' })], 'dedup-concurrent');
    await Promise.all(Array.from({ length: 5 }, () => store.insert('flows', FLOW_INSERT_COLUMNS, chunks, { ...NATIVE, dedupToken: 'batch-B' })));
    expect(await count('flows', 'dedup-concurrent')).toBe(1);
    expect((await edgeSums('203.0.113.9')).flows).toBe(1);
  });

  it('keep a dedup token with quotes, backslashes and control characters whole (retries dropped, other tokens kept)', async () => {
    const chunks = chunksOf([record({ src: '203.0.113.10' })], 'dedup-tricky');
    const token = "agent/it's\\a\ttest\n\u0000'); DROP TABLE flows; --";
    for (let i = 0; i < 2; i++) await store.insert('flows', FLOW_INSERT_COLUMNS, chunks, { ...NATIVE, dedupToken: token });
    // A token that differs only after the control character is another batch.
    await store.insert('flows', FLOW_INSERT_COLUMNS, chunks, { ...NATIVE, dedupToken: `${token}x` });
    expect(await count('flows', 'dedup-tricky')).toBe(2);
    expect((await edgeSums('203.0.113.10')).flows).toBe(2);
  });

  it('leave no chunk files behind, after a good insert and after one the engine refuses', async () => {
    await store.insert('flows', FLOW_INSERT_COLUMNS, chunksOf([record()], 'spill'), NATIVE);
    // A block cut short: the engine refuses it.
    const good = chunksOf([record()], 'spill')[0]!;
    await expect(store.insert('flows', FLOW_INSERT_COLUMNS, [good.subarray(0, good.length - 5)], NATIVE)).rejects.toThrow(/store insert failed/);
    const badTsv = new TextEncoder().encode('not-an-ip\tprinter\tdns\t2026-11-28 00:00:00\t2026-11-28 00:00:00\t1\n');
    await expect(store.insert('names', NAME_INSERT_COLUMNS, [badTsv], { format: 'TabSeparated' })).rejects.toThrow(/store insert failed/);
    expect(readdirSync(join(dataDir, 'insert-spill'))).toEqual([]);
    expect(await count('flows', 'spill')).toBe(1);
  });

  it('read Native blocks back as the engine parses the same text: times, addresses, labels, NULL', async () => {
    const max = Number.MAX_SAFE_INTEGER;
    const rows: [Partial<FlowRecord>, { start: string; end: string }][] = [
      // Fraction past µs is cut; lower-case t/z is RFC 3339 (the engine's own parser refuses it, so
      // the upper-case form is what it is compared with).
      [{ src: '10.0.0.1', dst: 'fe80::1', start: '2026-11-28T10:00:00.123456789Z', end: '2026-11-28t10:00:01z', app: 'héllo', sni: 'a\tb' },
        { start: '2026-11-28T10:00:00.123456789Z', end: '2026-11-28T10:00:01Z' }],
      [{ src: '2001:DB8:0:0:1::FFFF', dst: '::ffff:192.0.2.1', start: '2026-11-28T12:00:00+05:30', end: '2026-11-28 01:00:00-03:00', jwt_lifetime_s: 1.5 },
        { start: '2026-11-28T12:00:00+05:30', end: '2026-11-28 01:00:00-03:00' }],
      // A leap second is the next minute; years far from 1970 need more than a double's 53 bits of µs.
      [{ src: '::', dst: '1:2:3:4:5:6:7:8', start: '2016-12-31T23:59:60Z', end: '2400-03-01T00:00:00.5Z', orig_bytes: max, jwt_lifetime_s: 0 },
        { start: '2016-12-31T23:59:60Z', end: '2400-03-01T00:00:00.5Z' }],
      [{ src: '::1.2.3.4', dst: '2001:db8::', start: '1850-06-01T00:00:00.000001Z', end: '1969-12-31T23:59:59.999999Z' },
        { start: '1850-06-01T00:00:00.000001Z', end: '1969-12-31T23:59:59.999999Z' }],
    ];
    const records = rows.map(([over], i) => record({ ...over, sport: 60000 + i }));
    await store.insert('flows', FLOW_INSERT_COLUMNS, chunksOf(records, 'roundtrip'), NATIVE);
    const got = await store.query<Record<string, unknown>>(
      `SELECT toString(start) AS start, toString(end) AS end, toString(src) AS src, toString(dst) AS dst, sport, toString(orig_bytes) AS orig_bytes,
              app, sni, auth, jwt_lifetime_s, toString(ip_bytes) AS ip_bytes FROM flows WHERE agent = 'roundtrip' ORDER BY sport`,
    );
    const want = [];
    for (const [i, [over, text]] of rows.entries()) {
      const r = records[i]!;
      want.push(await one(
        `SELECT toString(parseDateTime64BestEffort({s:String}, 6, 'UTC')) AS start, toString(parseDateTime64BestEffort({e:String}, 6, 'UTC')) AS end,
                toString(toIPv6({src:String})) AS src, toString(toIPv6({dst:String})) AS dst, {sport:UInt16} AS sport, {ob:String} AS orig_bytes,
                {app:String} AS app, {sni:String} AS sni, '' AS auth, {jwt:Nullable(Float64)} AS jwt_lifetime_s, toString({ipb:UInt64}) AS ip_bytes`,
        {
          s: text.start, e: text.end, src: r.src, dst: r.dst, sport: r.sport, ob: String(r.orig_bytes),
          app: over.app ?? '', sni: over.sni ?? '', jwt: over.jwt_lifetime_s ?? null, ipb: r.orig_ip_bytes + r.resp_ip_bytes,
        },
      ));
    }
    expect(got).toEqual(want);
  });

  it('write IPv6 text as the engine reads it (2 000 generated addresses)', async () => {
    const rng = createRng(0x1b6);
    const texts: string[] = [];
    const ours: string[] = [];
    const bytes = new Uint8Array(16);
    while (texts.length < 2000) {
      const groups = Array.from({ length: 8 }, () => rng.pick([0, 0, 1, 0xff, 0xffff, rng.int(0x10000)]).toString(16));
      let parts = groups.map((g) => (rng.chance(0.3) ? g.toUpperCase() : g));
      if (rng.chance(0.3)) {
        const v4 = Array.from({ length: 4 }, () => String(rng.int(256))).join('.');
        parts = [...parts.slice(0, 6), v4];
      }
      let t = parts.join(':');
      if (rng.chance(0.7)) {
        // `::` for a run of groups (it may stand for zero or more zero groups in the text we make,
        // so only texts node:net accepts are kept).
        const at = rng.int(parts.length);
        const len = rng.range(1, parts.length - at);
        t = `${parts.slice(0, at).join(':')}::${parts.slice(at + len).join(':')}`;
      }
      if (isIP(t) !== 6) continue;
      expect(ipBytes(t, bytes), t).toBe(true);
      texts.push(t);
      ours.push(Buffer.from(bytes).toString('hex').toUpperCase());
    }
    const theirs = await store.query<{ h: string }>('SELECT hex(toIPv6(x)) AS h FROM (SELECT arrayJoin({ips:Array(String)}) AS x)', { ips: texts });
    expect(theirs.map((r) => r.h)).toEqual(ours);
  });

  it('give a statement its settings without leaving them for the next one', async () => {
    const setting = async () => one("SELECT value FROM system.settings WHERE name = 'insert_deduplication_token'");
    await store.command('SELECT 1', {}, { insert_deduplication_token: 'only-this-one', async_insert: 0 });
    expect(await setting()).toEqual({ value: '' });
    await store.query('SELECT 1', {}, { insert_deduplication_token: 'only-this-one' });
    expect(await setting()).toEqual({ value: '' });
    // So a later insert without a token of its own is not taken for a retry of the earlier one.
    const row = "INSERT INTO ingest_batches (batch_id, agent, sent_at, records, content_hash) SELECT {id:String}, 'a', now64(3), 1, ''";
    await store.command(row, { id: 'settings-1' }, { async_insert: 0, insert_deduplication_token: 'tok-1' });
    await store.command(row, { id: 'settings-2' }, { async_insert: 0 });
    expect(Number((await one("SELECT count() AS n FROM ingest_batches WHERE batch_id LIKE 'settings-%'")).n)).toBe(2);
  });

  it('take values only through parameters', async () => {
    const tricky = "x'); DROP TABLE flows; --";
    const r = await one('SELECT {v:String} AS v, toString(toIPv6({ip:String})) AS ip', { v: tricky, ip: '192.0.2.1' });
    expect(r).toEqual({ v: tricky, ip: '::ffff:192.0.2.1' });
  });
});

describe('server mode over HTTP', () => {
  it('sends an insert as ClickHouse\'s HTTP interface takes one: statement and settings in the URL, the chunk as the body', async () => {
    // No ClickHouse server runs here (docker-compose.yml is validated only): this checks the request
    // against the interface's documented shape (https://clickhouse.com/docs/interfaces/http), not a server.
    const seen: { url: string; body: Buffer }[] = [];
    const srv = createHttpServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', body: Buffer.concat(parts) });
        res.end();
      });
    });
    const port = await new Promise<number>((resolve) => srv.listen(0, '127.0.0.1', () => resolve((srv.address() as { port: number }).port)));
    const remote = openStore({ dataDir, url: `http://127.0.0.1:${port}`, database: 'default' });
    try {
      const chunks = chunksOf([record(), record({ sport: 2 })], 'remote', 1);
      await remote.insert('flows', FLOW_INSERT_COLUMNS, chunks, { ...NATIVE, dedupToken: 'b-1' });
      expect(seen).toHaveLength(2);
      for (const [i, req] of seen.entries()) {
        const u = new URL(req.url, 'http://localhost');
        expect(u.searchParams.get('query')).toBe(`INSERT INTO \`flows\` (${FLOW_INSERT_COLUMNS.map((c) => `\`${c}\``).join(', ')}) FORMAT Native`);
        expect(u.searchParams.get('insert_deduplication_token')).toBe(`b-1:${i}`);
        expect(u.searchParams.get('async_insert')).toBe('0');
        expect(req.body.equals(Buffer.from(chunks[i]!))).toBe(true);
      }
    } finally {
      await remote.close();
      await new Promise((r) => srv.close(r));
    }
  });

  it('reports an unreachable ClickHouse as StoreUnavailableError', async () => {
    // A port that was just free: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const remote = openStore({ dataDir, url: `http://user:secret@127.0.0.1:${port}`, database: 'default' });
    try {
      expect(remote.kind).toBe('server');
      expect(remote.location).not.toContain('secret');
      expect(await remote.ping()).toBe(false);
      await expect(remote.query('SELECT 1')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(remote.insert('flows', FLOW_INSERT_COLUMNS, chunksOf([record()], 'x'), NATIVE)).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await remote.close();
    }
  });
});
