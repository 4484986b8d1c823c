// Measures the store insert path and the collector on this machine; figures go to docs/decisions.md
// ("Store insert path"). Not a test (no thresholds): run
//   npm run build && node dist/server/collector/measure-ingest.js [batches=4]
// It makes 50 000-record batches from the small-office capture's records (addresses, ports and times
// varied, detection labels added as the agent will send them), then
//  1. inserts them straight into the embedded store three ways: pre-built Native blocks through the
//     store (a file per chunk, `INSERT … FROM INFILE`: what the store does), the same rows as
//     TabSeparated from a file (what it did until 2026-11-28), and JSONEachRow objects through
//     client.insert() (the first design);
//  2. POSTs them to a running collector over loopback HTTP (plain and gzip; one or two requests in
//     flight), probing /healthz every 20 ms meanwhile.
// Each step reports rows/s, CPU seconds of the process for the inserts, and the event loop's worst delay (perf_hooks.monitorEventLoopDelay, 10 ms
// resolution) in this process, which runs the engine and the server.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { FlowRecord } from '../../common/flow-record.js';
import { replayFiles } from '../../agent/replay.js';
import { loadConfig } from '../config.js';
import { startServer } from '../server.js';
import { encodeFlowsNative, FLOW_INSERT_COLUMNS } from '../store/flow-columns.js';
import { migrate } from '../store/migrate.js';
import { openStore } from '../store/store.js';

const BATCH = 50_000;
const BATCHES = Number(process.argv[2] ?? 4);
const FIXTURE = fileURLToPath(new URL('../../../fixtures/small-office.pcap', import.meta.url));

const LABELS: Partial<FlowRecord>[] = [
  { app: 'tls', auth: 'unknown', encryption: 'tls', tls_version: 'TLS 1.3', sni: 'api.office.example', alpn: 'h2,http/1.1', ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1' },
  { app: 'http', auth: 'bearer', encryption: 'none', http_host: 'files.office.example', http_method: 'GET', http_path_class: 'other', user_agent_family: 'curl', jwt_alg: 'RS256', jwt_lifetime_s: 900 },
  { app: 'dns', auth: 'none', encryption: 'none', dns_query: 'printer.office.example', dns_qtype: 'A' },
  { app: 'unknown', auth: 'unknown', encryption: 'unknown' },
];

async function makeBatches(): Promise<FlowRecord[][]> {
  const base: FlowRecord[] = [];
  await replayFiles([FIXTURE], {}, (r) => base.push(r));
  const t0 = Date.parse('2026-11-20T08:00:00Z');
  const out: FlowRecord[][] = [];
  for (let b = 0; b < BATCHES; b++) {
    const recs: FlowRecord[] = new Array(BATCH);
    for (let i = 0; i < BATCH; i++) {
      const r = base[i % base.length]!;
      const n = b * BATCH + i;
      const v4 = !r.src.includes(':');
      const src = v4 ? `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` : `2001:db8:${(n >> 16).toString(16)}::${(n & 0xffff).toString(16)}`;
      const start = new Date(t0 + n * 13).toISOString();
      recs[i] = { ...r, ...LABELS[n % LABELS.length], src, sport: 1024 + (n % 60000), start, end: start };
    }
    out.push(recs);
  }
  return out;
}

function loopProbe() {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return () => {
    h.disable();
    return { maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6 };
  };
}

/** CPU seconds of this process (all threads: the engine's too) since `from`. */
function cpuNote(from: NodeJS.CpuUsage): string {
  const d = process.cpuUsage(from);
  return `  cpu ${((d.user + d.system) / 1e6).toFixed(2)} s`;
}

function line(what: string, rows: number, ms: number, loop: { maxMs: number; p99Ms: number }, extra = ''): void {
  const rate = Math.round(rows / (ms / 1000));
  console.log(
    `${what.padEnd(44)} ${String(rows).padStart(7)} rows  ${(ms / 1000).toFixed(2).padStart(6)} s  ${String(rate).padStart(7)} rows/s  ` +
      `loop max ${loop.maxMs.toFixed(0).padStart(4)} ms  p99 ${loop.p99Ms.toFixed(0).padStart(3)} ms${extra}`,
  );
}

async function storePaths(batches: FlowRecord[][]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sm-measure-store-'));
  const store = openStore({ dataDir: dir, database: 'default' });
  try {
    await migrate(store, { retention_days: 35 });
    const rows = BATCHES * BATCH;

    // Encoding is part of the cost the collector pays (in its worker thread).
    let t = performance.now();
    const encoded = batches.map((b, i) => {
      const r = encodeFlowsNative(b, `agent-${i}`);
      if (!r.ok) throw new Error(r.message);
      return r.value.chunks;
    });
    const encMs = performance.now() - t;
    const nativeBytes = encoded.reduce((a, c) => a + c.reduce((x, y) => x + y.byteLength, 0), 0);
    console.log(`encode to Native (one thread)  ${Math.round(rows / (encMs / 1000))} rows/s, ${(nativeBytes / BATCHES / 1e6).toFixed(1)} MB per ${BATCH} rows`);

    let probe = loopProbe();
    let cpu = process.cpuUsage();
    t = performance.now();
    for (let i = 0; i < encoded.length; i++) await store.insert('flows', FLOW_INSERT_COLUMNS, encoded[i]!, { format: 'Native', dedupToken: `m:${i}` });
    line('store.insert (Native file → FROM INFILE)', rows, performance.now() - t, probe(), cpuNote(cpu));

    // The same rows as TabSeparated (written by the engine itself), as the store inserted until
    // 2026-11-28: the engine's row-by-row parse into LowCardinality columns is what Native avoids.
    const conn = createChdbConnection({ path: join(dir, 'clickhouse') });
    const tsv = join(dir, 'rows.tsv');
    const cols = FLOW_INSERT_COLUMNS.map((c) => `\`${c}\``).join(', ');
    await conn.chdb.queryAsync(`SELECT ${cols} FROM flows INTO OUTFILE '${tsv}' FORMAT TabSeparated`);
    probe = loopProbe();
    cpu = process.cpuUsage();
    t = performance.now();
    await conn.chdb.queryAsync(`INSERT INTO flows (${cols}) FROM INFILE '${tsv}' SETTINGS async_insert = 0 FORMAT TabSeparated`);
    line('TSV file → FROM INFILE (before 2026-11-28)', rows, performance.now() - t, probe(), cpuNote(cpu));

    const client = createClient({ connection: conn as never, log: { level: ClickHouseLogLevel.OFF } });
    probe = loopProbe();
    t = performance.now();
    for (let i = 0; i < batches.length; i++) {
      await client.insert({
        table: 'flows',
        values: batches[i]!.map((r) => ({ ...r, agent: 'json' })),
        format: 'JSONEachRow',
        clickhouse_settings: { async_insert: 0, date_time_input_format: 'best_effort', input_format_skip_unknown_fields: 1 },
      });
    }
    line('client.insert JSONEachRow objects', rows, performance.now() - t, probe());
    await client.close();
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function postOnce(url: string, token: string, body: Buffer, gzip: boolean): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/v1/ingest`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': body.length,
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function collector(batches: FlowRecord[][]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sm-measure-collector-'));
  const token = 'measure-token-0123456789';
  const config = loadConfig({ LOG_LEVEL: 'warn' }, { dataDir: dir, port: 0, apiToken: token });
  const server = await startServer(config);
  try {
    for (const [gzip, lanes] of [[false, 1], [true, 1], [true, 2]] as const) {
      const bodies = batches.map((recs, i) => {
        const json = Buffer.from(JSON.stringify({ batch_id: `m-${gzip}-${lanes}-${i}`, agent: 'measure', sent_at: new Date().toISOString(), records: recs }));
        return { json, sent: gzip ? gzipSync(json) : json };
      });
      const mb = (n: number) => (n / 1e6).toFixed(1);
      let probeMax = 0;
      let stop = false;
      const healthProbe = (async () => {
        while (!stop) {
          const t = performance.now();
          await fetch(`${server.url}/healthz`);
          probeMax = Math.max(probeMax, performance.now() - t);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const probe = loopProbe();
      const t = performance.now();
      // `lanes` requests in flight at a time (an agent that keeps two batches in flight).
      let next = 0;
      await Promise.all(
        Array.from({ length: lanes }, async () => {
          while (next < bodies.length) {
            const b = bodies[next++]!;
            const res = await postOnce(server.url, token, b.sent, gzip);
            if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${res.text}`);
          }
        }),
      );
      const ms = performance.now() - t;
      const loop = probe();
      stop = true;
      await healthProbe;
      line(
        `POST /api/v1/ingest ${gzip ? 'gzip' : 'plain JSON'}, ${lanes} in flight`,
        BATCHES * BATCH,
        ms,
        loop,
        `  /healthz worst ${probeMax.toFixed(0)} ms; body ${mb(bodies[0]!.json.length)} MB JSON${gzip ? `, ${mb(bodies[0]!.sent.length)} MB gzip` : ''} per ${BATCH} records`,
      );
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const batches = await makeBatches();
console.log(`${BATCHES} batches of ${BATCH} records; node ${process.version}`);
// One engine per process and path: run `… N store` and `… N collector` as two runs.
const which = process.argv[3] ?? 'store';
if (which === 'store') await storePaths(batches);
else await collector(batches);
