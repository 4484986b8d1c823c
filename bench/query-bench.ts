// `query` section: the analysis API over a synthetic week of a 500-host company (≥ 100 M raw flow rows,
// bench/synth-week.ts) in the embedded store. Issue bars: each endpoint under 1 s median on 2 cores.
// Peer, side by side: the same "boundary-crossing edges for the week" answer from a straightforward
// query over the raw `flows` table with multiIf over the zones' CIDRs — what the rollup and the ip_trie
// dictionaries buy. Its answer is checked against ours (same total, same top rows).
//
// The week is generated once and cached in `.bench/query-week/<key>/` (key: generator version, row
// count, migrations); a run reuses it when the row counts still match. chdb is one engine per process:
// generation and every measurement run in this process, on that one data directory.
// Endpoints are measured through `app.inject` on the real routes (intent YAML in the data dir) when the
// app builds; otherwise through the repository functions directly (the route layer minus HTTP), and
// the result says which (`via`).
//
// Rows: BENCH_QUERY_ROWS (default 100 M; `--quick` 5 M). Runs: a warm-up, then max(--runs, 5) timed
// runs per endpoint (`--quick`: --runs); the naive peer: a warm-up and up to 3 runs
// (BENCH_QUERY_PEER_RUNS=N: at most N; 0 leaves the peer out, ~2 min a run on the full week).
// Before measuring it waits up to 300 s for a quiet machine (BENCH_QUERY_QUIET_WAIT_S=N: N s).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { median } from './bench-tools.js';
import { type BenchOptions, type BenchSection, type SectionResult, formatTable } from './bench-section.js';
import { cidrRanges, generateWeek, intentYaml, lookupContentFor, SYNTH_WEEK_VERSION, weekNetwork, type WeekNetwork } from './synth-week.js';
import { defaultMigrationsDir, loadMigrations, migrate, openStore, type Store } from '../server/store/index.js';
import { createIntentLookup } from '../server/repositories/intent-lookup.js';
import { createAnalysisRepository } from '../server/repositories/analysis-repository.js';
import { createSnapshotRepository } from '../server/repositories/snapshot-repository.js';
import { displayIp } from '../server/repositories/addresses.js';

const FULL_ROWS = 100_000_000;
const QUICK_ROWS = 5_000_000;
const CHUNK_ROWS = 10_000_000;
const MIN_RUNS = 5;
const PEER_RUNS = 3;
const BAR_MS = 1000;
const RETENTION_DAYS = 35;
const API_TOKEN = 'bench-query-token-0123456789abcdef';
/** Edges compared row by row with the peer (the API's default page). */
const EDGE_PAGE = 1000;
/** Before measuring, wait (bounded) for the 1-minute load to drop below this: the VM is shared. */
const QUIET_LOAD = 1.5;
const QUIET_WAIT_S = Number(process.env['BENCH_QUERY_QUIET_WAIT_S'] ?? 300);

export interface WeekMeta {
  key: string;
  version: number;
  rows: number;
  weekStart: string;
  weekEnd: string;
  generatedAt: string;
  generateS: number;
  optimizeS: number;
  flows: number;
  edges1hBeforeMerge: number;
  edges1h: number;
  names: number;
  flowsBytesOnDisk: number;
  edges1hBytesOnDisk: number;
}

// ---------------------------------------------------------------------------------------------------
// The cached week

function migrationsHash(): string {
  const h = createHash('sha256');
  for (const m of loadMigrations(defaultMigrationsDir())) h.update(`${m.version}:${m.checksum}\n`);
  return h.digest('hex').slice(0, 12);
}

/** The Monday 00:00 UTC that starts the last full week before `now`. */
function lastFullWeek(now: Date): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const dow = (new Date(today).getUTCDay() + 6) % 7; // Monday = 0
  return new Date(today - (dow + 7) * 86_400_000);
}

function duBytes(path: string): number | null {
  try {
    return Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]);
  } catch {
    return null;
  }
}

async function scalar(store: Store, sql: string): Promise<number> {
  const rows = await store.query<{ n: string | number }>(sql);
  return Number(rows[0]?.n ?? 0);
}

async function tableBytes(store: Store, table: string): Promise<number> {
  return scalar(store, `SELECT sum(bytes_on_disk) AS n FROM system.parts WHERE database = currentDatabase() AND table = '${table}' AND active`);
}

/** Holds `.bench/query-week/lock` while the section runs: two runs would share one engine path. */
function takeLock(dir: string): (() => void) | string {
  const lock = join(dir, 'lock');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      // stale lock
    }
    if (alive && pid !== process.pid) return `another query bench (pid ${pid}) is running; wait for it or remove ${lock}`;
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

async function generate(store: Store, net: WeekNetwork, rows: number, key: string, o: BenchOptions): Promise<WeekMeta> {
  const weekStart = lastFullWeek(new Date());
  o.log(`  generating ${rows.toLocaleString('en')} flows for the week of ${weekStart.toISOString().slice(0, 10)} (chunks of ${Math.min(rows, CHUNK_ROWS).toLocaleString('en')})`);
  for (const t of ['flows', 'edges_1h', 'edges_1d', 'names', 'snapshots', 'snapshot_edges']) await store.command(`TRUNCATE TABLE IF EXISTS ${t}`);
  const t0 = performance.now();
  await generateWeek(store, net, {
    total: rows,
    chunkRows: CHUNK_ROWS,
    weekStart,
    onProgress: (p) => o.log(`    ${(p.rowsDone / 1e6).toFixed(0)} M / ${(p.rowsTotal / 1e6).toFixed(0)} M rows, ${p.seconds.toFixed(0)} s`),
  });
  const generateS = (performance.now() - t0) / 1000;
  const edges1hBeforeMerge = await scalar(store, 'SELECT count() AS n FROM edges_1h');
  // A week-old store has had its background merges: the rollup's rows for one key are merged, the raw
  // table's parts are large. Do that now, so merges do not run during the measurements.
  o.log(`  generated in ${generateS.toFixed(0)} s; merging (OPTIMIZE … FINAL) edges_1h (${edges1hBeforeMerge.toLocaleString('en')} rows), edges_1d, names, flows`);
  const t1 = performance.now();
  const optimize = { max_execution_time: 0, optimize_throw_if_noop: 0 } as const;
  await store.command('OPTIMIZE TABLE edges_1h FINAL', {}, optimize);
  await store.command('OPTIMIZE TABLE edges_1d FINAL', {}, optimize);
  await store.command('OPTIMIZE TABLE names FINAL', {}, optimize);
  await store.command('OPTIMIZE TABLE flows FINAL', {}, optimize);
  const optimizeS = (performance.now() - t1) / 1000;
  const meta: WeekMeta = {
    key,
    version: SYNTH_WEEK_VERSION,
    rows,
    weekStart: weekStart.toISOString(),
    weekEnd: new Date(weekStart.getTime() + 7 * 86_400_000).toISOString(),
    generatedAt: new Date().toISOString(),
    generateS,
    optimizeS,
    flows: await scalar(store, 'SELECT count() AS n FROM flows'),
    edges1hBeforeMerge,
    edges1h: await scalar(store, 'SELECT count() AS n FROM edges_1h'),
    names: await scalar(store, 'SELECT count() AS n FROM names'),
    flowsBytesOnDisk: await tableBytes(store, 'flows'),
    edges1hBytesOnDisk: await tableBytes(store, 'edges_1h'),
  };
  o.log(`  merged in ${optimizeS.toFixed(0)} s: flows ${meta.flows.toLocaleString('en')}, edges_1h ${meta.edges1h.toLocaleString('en')}, names ${meta.names}`);
  return meta;
}

export interface Week {
  dataDir: string;
  store: Store;
  meta: WeekMeta;
  reused: boolean;
}

/**
 * Opens the cached week (or generates it). Weeks of another generator version or schema are removed
 * first (disk); other row counts of this one are kept (`--quick` does not throw away the full week).
 */
export async function openWeek(o: BenchOptions, base: string, rows: number, net: WeekNetwork): Promise<Week> {
  const prefix = `v${SYNTH_WEEK_VERSION}-`;
  const suffix = `-${migrationsHash()}`;
  const key = `${prefix}${rows}${suffix}`;
  const dir = join(base, key);
  for (const d of readdirSync(base, { withFileTypes: true })) {
    if (d.isDirectory() && !(d.name.startsWith(prefix) && d.name.endsWith(suffix))) {
      o.log(`  removing the stale cache ${d.name}`);
      rmSync(join(base, d.name), { recursive: true, force: true });
    }
  }
  const dataDir = join(dir, 'data');
  const metaFile = join(dir, 'meta.json');
  mkdirSync(dataDir, { recursive: true });
  const store = openStore({ dataDir, database: 'default' });
  await migrate(store, { retention_days: RETENTION_DAYS });
  let meta: WeekMeta | null = null;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as WeekMeta;
  } catch {
    // not generated yet (or died halfway)
  }
  if (meta !== null) {
    const flows = await scalar(store, 'SELECT count() AS n FROM flows');
    const edges = await scalar(store, 'SELECT count() AS n FROM edges_1h');
    if (flows === meta.flows && edges === meta.edges1h) {
      o.log(`  reusing the week in ${dir} (generated ${meta.generatedAt})`);
      // Weeks generated before generate() merged edges_1d: merge it now, as a week-old store has.
      const parts1d = await scalar(store, "SELECT count() AS n FROM system.parts WHERE database = currentDatabase() AND table = 'edges_1d' AND active");
      if (parts1d > 1) {
        o.log(`  merging edges_1d (${parts1d} parts; OPTIMIZE … FINAL)`);
        await store.command('OPTIMIZE TABLE edges_1d FINAL', {}, { max_execution_time: 0, optimize_throw_if_noop: 0 });
      }
      // Leftovers of an interrupted run.
      await store.command('TRUNCATE TABLE snapshot_edges');
      await store.command('TRUNCATE TABLE snapshots');
      return { dataDir, store, meta, reused: true };
    }
    o.log(`  cached week changed (flows ${flows} vs ${meta.flows}, edges_1h ${edges} vs ${meta.edges1h}; retention?): regenerating`);
  }
  rmSync(metaFile, { force: true });
  meta = await generate(store, net, rows, key, o);
  writeFileSync(metaFile, JSON.stringify(meta, null, 2) + '\n');
  return { dataDir, store, meta, reused: false };
}

// ---------------------------------------------------------------------------------------------------
// The endpoints, through the app (real routes) or the repositories

interface Call {
  /** Rows in the answer (edges, assets, flows …). */
  rows: number;
  /** A total the answer states (e.g. edges in all), when it has one. */
  total?: number;
  body?: unknown;
}

export interface Case {
  name: string;
  request: string;
  call: (run: number) => Promise<Call>;
  /** Untimed clean-up after each run (e.g. delete the snapshot a run saved). */
  after?: (run: number) => Promise<void>;
}

interface EdgeOut { src: string; dst: string; dport: number; proto: string; app: string; auth: string; encryption: string; flows: number; bytes: number }

export interface Api {
  via: 'app.inject' | 'repositories';
  edges(q: Record<string, string>): Promise<{ total: number; edges: EdgeOut[] }>;
  surface(jewel: string): Promise<{ inbound: unknown[]; outbound: unknown[] }>;
  egress(q: Record<string, string>): Promise<{ services: { destinations: unknown[] }[] }>;
  inventory(): Promise<{ discovered: unknown[]; unknown: unknown[] }>;
  flows(q: Record<string, string>): Promise<{ total: number; flows: unknown[] }>;
  snapshotCreate(name: string, from: string, to: string): Promise<{ edges: number }>;
  snapshotDelete(name: string): Promise<void>;
  diff(a: string, from: string, to: string): Promise<{ new: unknown[]; gone: unknown[]; changed: unknown[]; totals: { new: number; gone: number; changed: number } }>;
  close(): Promise<void>;
}

async function appApi(dataDir: string, net: WeekNetwork, week: Record<string, string>, log: (l: string) => void): Promise<Api | null> {
  let app: FastifyInstance;
  try {
    writeFileSync(join(dataDir, 'surfacemap.yaml'), intentYaml(net.intent));
    const { buildApp } = await import('../server/app.js');
    const { loadConfig } = await import('../server/config.js');
    const config = loadConfig({ LOG_LEVEL: 'warn' }, { dataDir, apiToken: API_TOKEN });
    app = await buildApp(config);
    const state = app.intent.current();
    if (state.error !== null || state.intent.crown_jewels.length !== net.intent.crown_jewels.length) {
      await app.close();
      throw new Error(`the app did not take the bench's intent file: ${state.error?.message ?? `${state.intent.crown_jewels.length} crown jewels`}`);
    }
  } catch (err) {
    log(`  the app does not build here (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): measuring the repositories directly`);
    return null;
  }
  const get = async <T>(url: string): Promise<T> => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${API_TOKEN}` } });
    if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res.json<T>();
  };
  const qs = (q: Record<string, string>) => new URLSearchParams(q).toString();
  return {
    via: 'app.inject',
    edges: (q) => get(`/api/v1/edges?${qs(q)}`),
    surface: (jewel) => get(`/api/v1/jewels/${encodeURIComponent(jewel)}/surface?${qs(week)}`),
    egress: (q) => get(`/api/v1/egress?${qs(q)}`),
    inventory: () => get(`/api/v1/inventory?${qs(week)}`),
    flows: (q) => get(`/api/v1/flows?${qs(q)}`),
    async snapshotCreate(name, from, to) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/snapshots', headers: { authorization: `Bearer ${API_TOKEN}` }, payload: { name, from, to } });
      if (res.statusCode !== 201) throw new Error(`POST /api/v1/snapshots: ${res.statusCode} ${res.body.slice(0, 300)}`);
      return res.json<{ edges: number }>();
    },
    async snapshotDelete(name) {
      const res = await app.inject({ method: 'DELETE', url: `/api/v1/snapshots/${encodeURIComponent(name)}`, headers: { authorization: `Bearer ${API_TOKEN}` } });
      if (res.statusCode !== 204) throw new Error(`DELETE snapshot: ${res.statusCode} ${res.body.slice(0, 300)}`);
    },
    diff: (a, from, to) => get(`/api/v1/snapshots/diff?${qs({ a, b: 'now', from, to })}`),
    close: () => app.close(),
  };
}

/** The repositories to measure (the bench can compare a variant of them with today's). */
export interface RepositoryFactories {
  createAnalysisRepository: typeof createAnalysisRepository;
  createSnapshotRepository: typeof createSnapshotRepository;
}

export function repositoryApi(store: Store, net: WeekNetwork, week: Record<string, string>, repos: RepositoryFactories = { createAnalysisRepository, createSnapshotRepository }): Api {
  const content = lookupContentFor(net.intent);
  const lookup = createIntentLookup(store, async () => content);
  const analysis = repos.createAnalysisRepository({ store, lookup, intent: async () => net.intent });
  const snapshots = repos.createSnapshotRepository({ store, lookup, analysis });
  const range = (q: Record<string, string>) => ({ from: new Date(q['from']!), to: new Date(q['to']!) });
  const int = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  return {
    via: 'repositories',
    edges: (q) =>
      analysis.edges(
        range(q),
        { crossing: q['crossing'] !== 'false', zone: q['zone'], asset: q['asset'], jewel: q['jewel'], port: int(q['port']), proto: q['proto'], app: q['app'], auth: q['auth'] },
        { limit: int(q['limit']) ?? 1000, offset: int(q['offset']) ?? 0 },
        q['group'] === 'zone' ? 'zone' : 'asset',
      ),
    surface: (jewel) => analysis.surface(range(week), jewel, 5000),
    egress: (q) => analysis.egress(range(q), { asset: q['asset'], zone: q['zone'], limit: int(q['limit']) ?? 10_000 }),
    inventory: () => analysis.inventory(range(week), { includeInternet: false, limit: 10_000 }),
    flows: (q) =>
      analysis.flows(range(q), {}, { sort: (q['sort'] ?? 'start') as 'start', order: q['order'] === 'asc' ? 'asc' : 'desc', limit: int(q['limit']) ?? 100, offset: 0 }),
    snapshotCreate: (name, from, to) => snapshots.create(name, { from: new Date(from), to: new Date(to) }),
    snapshotDelete: (name) => snapshots.remove(name),
    diff: (a, from, to) => snapshots.diff(a, null, { from: new Date(from), to: new Date(to) }, { minChange: 0.5, limit: 1000 }),
    close: async () => undefined,
  };
}

export function cases(api: Api, net: WeekNetwork, w: Record<string, string>): Case[] {
  const asset = net.hosts[net.groups.api.start]!; // one API host
  const edges = (name: string, q: Record<string, string>): Case => ({
    name,
    request: `GET /api/v1/edges?${new URLSearchParams(q).toString()}`,
    call: async () => {
      const r = await api.edges({ ...w, ...q });
      return { rows: r.edges.length, total: r.total, body: r };
    },
  });
  // The UI's default range is "the last 7 days": not aligned to days.
  const shifted = { from: new Date(new Date(w['from']!).getTime() + 13.5 * 3_600_000).toISOString(), to: new Date(new Date(w['to']!).getTime() + 13.5 * 3_600_000).toISOString() };
  return [
    edges('edges (crossing, default)', {}),
    { ...edges('edges, 7 days from Mon 13:30', shifted), request: `GET /api/v1/edges?from=${shifted.from}&to=${shifted.to}` },
    edges('edges crossing=false', { crossing: 'false' }),
    edges('edges group=zone', { group: 'zone' }),
    edges('edges jewel=customer-db', { jewel: 'customer-db' }),
    edges('edges zone=payments', { zone: 'payments' }),
    edges('edges port=5432', { port: '5432' }),
    edges(`edges asset=${asset}`, { asset }),
    {
      name: 'jewels/customer-db/surface',
      request: 'GET /api/v1/jewels/customer-db/surface',
      call: async () => {
        const r = await api.surface('customer-db');
        return { rows: r.inbound.length + r.outbound.length };
      },
    },
    {
      name: 'egress (all services)',
      request: 'GET /api/v1/egress',
      call: async () => {
        const r = await api.egress(w);
        return { rows: r.services.reduce((s, x) => s + x.destinations.length, 0), total: r.services.length };
      },
    },
    {
      name: `egress asset=${asset}`,
      request: `GET /api/v1/egress?asset=${asset}`,
      call: async () => {
        const r = await api.egress({ ...w, asset });
        return { rows: r.services.reduce((s, x) => s + x.destinations.length, 0), total: r.services.length };
      },
    },
    {
      name: 'inventory',
      request: 'GET /api/v1/inventory',
      call: async () => {
        const r = await api.inventory();
        return { rows: r.discovered.length, total: r.unknown.length };
      },
    },
    {
      name: 'flows sort=bytes (page 1)',
      request: 'GET /api/v1/flows?sort=bytes&limit=100',
      call: async () => {
        const r = await api.flows({ ...w, sort: 'bytes', limit: '100' });
        return { rows: r.flows.length, total: r.total };
      },
    },
    {
      name: 'flows sort=start (page 1)',
      request: 'GET /api/v1/flows?limit=100',
      call: async () => {
        const r = await api.flows({ ...w, limit: '100' });
        return { rows: r.flows.length, total: r.total };
      },
    },
    {
      name: 'snapshot create (week)',
      request: 'POST /api/v1/snapshots {name, from, to}',
      call: async (run) => {
        const r = await api.snapshotCreate(`bench-${run}`, w['from']!, w['to']!);
        return { rows: r.edges };
      },
      after: (run) => api.snapshotDelete(`bench-${run}`),
    },
    {
      name: 'snapshot diff (Mon–Thu vs now)',
      request: 'GET /api/v1/snapshots/diff?a=bench-base&b=now',
      call: async () => {
        const r = await api.diff('bench-base', w['from']!, w['to']!);
        return { rows: r.new.length + r.gone.length + r.changed.length, total: r.totals.new + r.totals.gone + r.totals.changed };
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------
// The naive peer: raw flows, zones and jewels by multiIf over CIDR ranges, per row

function naiveEdgesSql(net: WeekNetwork): string {
  const r = cidrRanges(net.intent);
  const inRange = (col: string, x: { lo: string; hi: string }) => `(${col} BETWEEN toIPv6('${x.lo}') AND toIPv6('${x.hi}'))`;
  const zone = (col: string) =>
    `multiIf(${[...r.zones.map((z) => `${inRange(col, z)}, '${z.zone}'`), `${r.unassigned.map((x) => inRange(col, x)).join(' OR ')}, 'unassigned'`].join(', ')}, 'internet')`;
  const jewel = (col: string) => `multiIf(${r.jewels.map((j) => `${inRange(col, j)}, '${j.jewel}'`).join(', ')}, '')`;
  return `
SELECT src, dst, dport, proto, app, auth, encryption, src_zone, dst_zone, src_jewel, dst_jewel,
       count() AS flows, sum(orig_pkts + resp_pkts) AS packets, sum(orig_ip_bytes + resp_ip_bytes) AS bytes,
       min(start) AS first_seen, max(end) AS last_seen, count() OVER () AS total
FROM (
    SELECT src, dst, dport, proto, app, auth, encryption, start, end, orig_pkts, resp_pkts, orig_ip_bytes, resp_ip_bytes,
           ${zone('src')} AS src_zone, ${zone('dst')} AS dst_zone, ${jewel('src')} AS src_jewel, ${jewel('dst')} AS dst_jewel
    FROM flows
    WHERE start >= toStartOfHour({from:DateTime64(6, 'UTC')}) AND start < toStartOfHour({to:DateTime64(6, 'UTC')}) + INTERVAL 1 HOUR
)
WHERE src_zone != dst_zone OR src_jewel != dst_jewel
GROUP BY src, dst, dport, proto, app, auth, encryption, src_zone, dst_zone, src_jewel, dst_jewel
ORDER BY bytes DESC, flows DESC, src, dst, dport, proto, app, auth
LIMIT ${EDGE_PAGE}`;
}

// ---------------------------------------------------------------------------------------------------
// Timing

async function waitForQuiet(log: (l: string) => void): Promise<number> {
  const t0 = performance.now();
  while (loadavg()[0]! >= QUIET_LOAD && performance.now() - t0 < QUIET_WAIT_S * 1000) {
    await new Promise((r) => setTimeout(r, 10_000));
  }
  const load = loadavg()[0]!;
  log(`  load ${load.toFixed(2)} after waiting ${((performance.now() - t0) / 1000).toFixed(0)} s for < ${QUIET_LOAD} (at most ${QUIET_WAIT_S} s)`);
  return load;
}

export interface Measured {
  name: string;
  request: string;
  medianMs: number | null;
  maxMs: number | null;
  runsMs: number[];
  warmupMs: number | null;
  rows: number | null;
  total: number | null;
  load: number[];
  error?: string;
}

export async function measure(c: Case, runs: number, log: (l: string) => void): Promise<Measured> {
  const out: Measured = { name: c.name, request: c.request, medianMs: null, maxMs: null, runsMs: [], warmupMs: null, rows: null, total: null, load: [] };
  try {
    for (let i = 0; i <= runs; i++) {
      const t = performance.now();
      const r = await c.call(i);
      const ms = performance.now() - t;
      if (c.after) await c.after(i);
      if (i === 0) out.warmupMs = ms;
      else out.runsMs.push(ms);
      out.rows = r.rows;
      out.total = r.total ?? null;
    }
    out.medianMs = median(out.runsMs);
    out.maxMs = Math.max(...out.runsMs);
  } catch (err) {
    out.error = err instanceof Error ? err.message.split('\n')[0]!.slice(0, 300) : String(err);
  }
  out.load = loadavg().map((x) => Number(x.toFixed(2)));
  log(`  ${c.name.padEnd(34)} ${out.error ? `FAILED: ${out.error}` : `median ${out.medianMs!.toFixed(0).padStart(5)} ms, max ${out.maxMs!.toFixed(0).padStart(5)} ms, ${out.rows} rows${out.total !== null ? ` (total ${out.total})` : ''}`}  load ${out.load[0]}`);
  return out;
}

const fmtMs = (ms: number | null) => (ms === null ? '–' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)}`);

const edgeKey = (e: EdgeOut) => `${e.src}|${e.dst}|${e.dport}|${e.proto}|${e.app}|${e.auth}|${e.encryption}|${e.flows}|${e.bytes}`;

async function runQuery(o: BenchOptions): Promise<SectionResult> {
  const problems: string[] = [];
  const base = join(o.root, '.bench', 'query-week');
  mkdirSync(base, { recursive: true });
  const unlock = takeLock(base);
  if (typeof unlock === 'string') return { name: 'query', ok: false, problems: [unlock], data: {} };
  const rows = Number(process.env['BENCH_QUERY_ROWS'] ?? (o.quick ? QUICK_ROWS : FULL_ROWS));
  const runs = o.quick ? o.runs : Math.max(MIN_RUNS, o.runs);
  const net = weekNetwork();
  let week: Week | null = null;
  let api: Api | null = null;
  try {
    if (!Number.isInteger(rows) || rows < 1) throw new Error(`BENCH_QUERY_ROWS must be a whole number ≥ 1, got ${process.env['BENCH_QUERY_ROWS']}`);
    week = await openWeek(o, base, rows, net);
    const { meta, store } = week;
    const weekQuery = { from: meta.weekStart, to: meta.weekEnd };
    api = (await appApi(week.dataDir, net, weekQuery, o.log)) ?? repositoryApi(store, net, weekQuery);
    o.log(`  measuring through ${api.via}: a warm-up and ${runs} runs per endpoint, week ${meta.weekStart.slice(0, 10)} … ${meta.weekEnd.slice(0, 10)}`);
    const half = new Date(new Date(meta.weekStart).getTime() + 4 * 86_400_000).toISOString();
    await api.snapshotCreate('bench-base', meta.weekStart, half);
    const loadAtStart = await waitForQuiet(o.log);

    const measured: Measured[] = [];
    let ours: { total: number; edges: EdgeOut[] } | null = null;
    for (const c of cases(api, net, weekQuery)) {
      const m = await measure(c, runs, o.log);
      measured.push(m);
      if (m.error) problems.push(`${c.name}: ${m.error}`);
      else if (m.medianMs! > BAR_MS) problems.push(`${c.name}: median ${m.medianMs!.toFixed(0)} ms > ${BAR_MS} ms`);
      if (c.name === 'edges (crossing, default)' && !m.error) ours = await api.edges({ ...weekQuery });
    }
    await api.snapshotDelete('bench-base');

    // The naive peer, same process, same engine.
    const peerRuns = Math.min(runs, Number(process.env['BENCH_QUERY_PEER_RUNS'] ?? PEER_RUNS));
    if (!Number.isInteger(peerRuns) || peerRuns < 0) throw new Error(`BENCH_QUERY_PEER_RUNS must be a whole number ≥ 0, got ${process.env['BENCH_QUERY_PEER_RUNS']}`);
    const sql = naiveEdgesSql(net);
    const params = { from: meta.weekStart.replace('Z', ''), to: meta.weekEnd.replace('Z', '') };
    const peerMs: number[] = [];
    let peerRows: { src: string; dst: string; dport: number; proto: string; app: string; auth: string; encryption: string; flows: string; bytes: string; total: string }[] = [];
    o.log(`  naive peer (raw flows, multiIf over ${cidrRanges(net.intent).zones.length} zone CIDRs per row): a warm-up and ${peerRuns} runs`);
    if (peerRuns === 0) o.log('    left out (BENCH_QUERY_PEER_RUNS=0)');
    for (let i = 0; peerRuns > 0 && i <= peerRuns; i++) {
      const t = performance.now();
      peerRows = await store.query(sql, params, { max_execution_time: 900 });
      const ms = performance.now() - t;
      if (i > 0) peerMs.push(ms);
      o.log(`    ${i === 0 ? 'warm-up' : `run ${i}`}: ${(ms / 1000).toFixed(1)} s`);
    }
    const peerMedian = median(peerMs);
    const peerTotal = Number(peerRows[0]?.total ?? 0);
    const oursEdges = measured.find((m) => m.name === 'edges (crossing, default)');
    const ratio = oursEdges?.medianMs ? peerMedian / oursEdges.medianMs : null;
    // Same answer? Totals and the first page, row by row (ties in bytes/flows are ordered by the key).
    let sameAnswer = false;
    if (ours !== null && peerRuns > 0) {
      const a = ours.edges.map(edgeKey);
      const b = peerRows.map((r) => edgeKey({ ...r, src: displayIp(r.src), dst: displayIp(r.dst), dport: Number(r.dport), flows: Number(r.flows), bytes: Number(r.bytes) }));
      const firstDiff = a.findIndex((k, i) => k !== b[i]);
      sameAnswer = ours.total === peerTotal && a.length === b.length && firstDiff === -1;
      if (!sameAnswer) {
        problems.push(`naive peer disagrees: total ${peerTotal} vs ours ${ours.total}; first differing row ${firstDiff}: ${b[firstDiff] ?? '–'} vs ${a[firstDiff] ?? '–'}`);
      }
    }

    const dataBytes = duBytes(week.dataDir);
    o.log('');
    o.log(formatTable(
      ['endpoint', 'median ms', 'max ms', 'rows', 'request'],
      measured.map((m) => [m.name, fmtMs(m.medianMs), fmtMs(m.maxMs), m.error ? 'error' : `${m.rows}${m.total !== null ? `/${m.total}` : ''}`, m.request]),
    ));
    o.log('');
    o.log(formatTable(
      ['boundary-crossing edges, week', 'median ms', 'runs', 'how'],
      [
        ['surfacemap (edges_1h + ip_trie)', fmtMs(oursEdges?.medianMs ?? null), String(oursEdges?.runsMs.length ?? 0), `${api.via}, first page of ${EDGE_PAGE}`],
        ['naive (raw flows + multiIf)', fmtMs(peerMedian), String(peerMs.length), 'one SELECT over flows, zones per row'],
      ],
    ));
    o.log('');
    o.log(peerRuns === 0
      ? 'naive peer left out (BENCH_QUERY_PEER_RUNS=0)'
      : `naive / ours: ${ratio === null ? 'n/a' : `${ratio.toFixed(1)}×`}; same answer: ${sameAnswer ? 'yes' : 'NO'} (${peerTotal} crossing edges)`);
    const m = week.meta;
    o.log(`week: ${m.flows.toLocaleString('en')} flows, edges_1h ${m.edges1h.toLocaleString('en')} rows (${m.edges1hBeforeMerge.toLocaleString('en')} before merges), ` +
      `generated in ${m.generateS.toFixed(0)} s + ${m.optimizeS.toFixed(0)} s merges${week.reused ? ' (cached)' : ''}; data dir ${dataBytes === null ? '?' : `${(dataBytes / 2 ** 30).toFixed(2)} GiB`}, ` +
      `flows ${(m.flowsBytesOnDisk / (m.flows / 1e6) / 2 ** 20).toFixed(1)} MiB per million`);
    return {
      name: 'query',
      ok: problems.length === 0,
      problems,
      data: {
        via: api.via,
        runs,
        loadAtStart,
        week: { ...m, reused: week.reused, dataDirBytes: dataBytes, flowsMiBPerMillion: m.flowsBytesOnDisk / (m.flows / 1e6) / 2 ** 20 },
        endpoints: measured,
        peer: { name: 'naive multiIf over raw flows', runsMs: peerMs, medianMs: peerMedian, total: peerTotal, ratio, sameAnswer },
      },
    };
  } catch (err) {
    problems.push(err instanceof Error ? err.message.split('\n')[0]! : String(err));
    return { name: 'query', ok: false, problems, data: {} };
  } finally {
    await api?.close().catch(() => undefined);
    await week?.store.close().catch(() => undefined);
    unlock();
  }
}

export const querySection: BenchSection = {
  name: 'query',
  description: 'API queries over a synthetic week (≥ 100 M flows) in the embedded store, vs a naive multiIf over raw flows',
  requiredTools: () => [],
  run: runQuery,
};
