// Versioned schema: `server/migrations/NNN_name.sql`, applied in order at start, each recorded in
// `schema_migrations`. Every statement is idempotent (IF NOT EXISTS), so a run that died halfway is
// simply run again. A file holds one or more statements, each ending with ';' at the end of a line;
// values come in as `{name:Type}` parameters (today: retention_days).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QueryParams, Store } from './store.js';

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
  /** Applied migrations whose file changed since (never re-run; a new migration is the fix). */
  changed: string[];
}

const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** `server/migrations/` from the sources (vitest) or from `dist/server/store/` (the built CLI). */
export function defaultMigrationsDir(): string {
  const candidates = [new URL('../migrations/', import.meta.url), new URL('../../../server/migrations/', import.meta.url)];
  for (const c of candidates) {
    const dir = fileURLToPath(c);
    if (existsSync(dir) && readdirSync(dir).some((f) => FILE_NAME.test(f))) return dir;
  }
  throw new Error(`no migrations found (looked in ${candidates.map((c) => fileURLToPath(c)).join(', ')})`);
}

/** Splits a file into statements at ';' that ends a line; drops parts that hold only comments. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('--')));
}

export function loadMigrations(dir: string): Migration[] {
  const files = readdirSync(dir).filter((f) => FILE_NAME.test(f)).sort();
  const seen = new Set<number>();
  return files.map((f) => {
    const m = FILE_NAME.exec(f)!;
    const version = Number(m[1]);
    if (seen.has(version)) throw new Error(`two migrations with version ${m[1]} in ${dir}`);
    seen.add(version);
    const text = readFileSync(join(dir, f), 'utf8');
    return {
      version,
      name: m[2]!,
      checksum: createHash('sha256').update(text).digest('hex'),
      statements: splitStatements(text),
    };
  });
}

/** Only the parameters a statement names: an unused parameter is an error on some servers. */
function paramsFor(sql: string, params: QueryParams): QueryParams {
  const out: QueryParams = {};
  for (const [k, v] of Object.entries(params)) if (sql.includes(`{${k}:`)) out[k] = v;
  return out;
}

const SCHEMA_MIGRATIONS = `
CREATE TABLE IF NOT EXISTS schema_migrations
(
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY version`;

export async function migrate(store: Store, params: QueryParams, dir = defaultMigrationsDir()): Promise<MigrateResult> {
  const migrations = loadMigrations(dir);
  await store.command(SCHEMA_MIGRATIONS);
  const rows = await store.query<{ version: number; checksum: string }>(
    'SELECT version, argMax(checksum, applied_at) AS checksum FROM schema_migrations GROUP BY version',
  );
  const done = new Map(rows.map((r) => [Number(r.version), r.checksum]));
  const result: MigrateResult = { applied: [], alreadyApplied: [], changed: [] };
  for (const m of migrations) {
    const label = `${String(m.version).padStart(3, '0')}_${m.name}`;
    const prior = done.get(m.version);
    if (prior !== undefined) {
      result.alreadyApplied.push(label);
      if (prior !== m.checksum) result.changed.push(label);
      continue;
    }
    for (const sql of m.statements) await store.command(sql, paramsFor(sql, params));
    await store.command(
      'INSERT INTO schema_migrations (version, name, checksum) SELECT {version:UInt32}, {name:String}, {checksum:String}',
      { version: m.version, name: m.name, checksum: m.checksum },
      { async_insert: 0 },
    );
    result.applied.push(label);
  }
  return result;
}

/** Tables whose rows expire `retention_days` after they were received (see 001/003). */
export const RETENTION_TTLS = [
  { table: 'flows', ttl: 'received_at + toIntervalDay({retention_days:UInt32})' },
  { table: 'ingest_batches', ttl: 'toDateTime(received_at) + toIntervalDay({retention_days:UInt32})' },
] as const;

/** The day count in a table's `TTL … toIntervalDay(N)` as the engine prints it, if any. */
export function ttlDays(engineFull: string): number | undefined {
  const m = /TTL .*?toIntervalDay\((?:_CAST\()?'?(\d+)/.exec(engineFull);
  return m ? Number(m[1]) : undefined;
}

/**
 * Makes the retention TTLs match the configured days when the tables were created with another value
 * (the migrations set the value in force on first start; later starts may change it).
 */
export async function applyRetention(store: Store, retentionDays: number): Promise<string[]> {
  const changed: string[] = [];
  for (const { table, ttl } of RETENTION_TTLS) {
    const rows = await store.query<{ engine_full: string }>(
      'SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = {table:String}',
      { table },
    );
    if (rows.length === 0 || ttlDays(rows[0]!.engine_full) === retentionDays) continue;
    await store.command(`ALTER TABLE {table:Identifier} MODIFY TTL ${ttl}`, { table, retention_days: retentionDays });
    changed.push(table);
  }
  return changed;
}

export interface SystemLogTtlResult {
  /** system.*_log tables the engine has (chdb 3.4 has none). */
  found: string[];
  changed: string[];
  /** Tables we could not alter (e.g. a restricted user), with the reason. */
  failed: { table: string; error: string }[];
}

/**
 * Puts a TTL on ClickHouse's own log tables (query_log, part_log, trace_log, metric_log, …) so a
 * week-long audit does not fill the disk with the engine's diagnostics. A server recreates these
 * tables when its config changes, which drops this TTL: we re-apply it on every start, and the
 * server's own config (`<query_log><ttl>`) is the durable place for it.
 */
export async function applySystemLogTtl(store: Store, days: number): Promise<SystemLogTtlResult> {
  const tables = await store.query<{ name: string; engine_full: string }>(
    `SELECT name, engine_full FROM system.tables
     WHERE database = 'system' AND engine LIKE '%MergeTree%' AND name LIKE '%\\_log'
       AND name IN (SELECT table FROM system.columns WHERE database = 'system' AND name = 'event_date')
     ORDER BY name`,
  );
  const result: SystemLogTtlResult = { found: tables.map((t) => t.name), changed: [], failed: [] };
  for (const t of tables) {
    if (ttlDays(t.engine_full) === days) continue;
    try {
      await store.command('ALTER TABLE system.{table:Identifier} MODIFY TTL event_date + toIntervalDay({days:UInt32})', {
        table: t.name,
        days,
      });
      result.changed.push(t.name);
    } catch (err) {
      result.failed.push({ table: t.name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return result;
}
