// The one ClickHouse store: `@clickhouse/client` over either the embedded engine (chdb 3.4's
// `chdb/connection`, ClickHouse 26.7 in-process) or a ClickHouse server over HTTP(S). Queries are the
// same SQL on both; the transport differences (how an insert body reaches the engine: `insert`; a
// dictionary's source clause: `dictionarySource`) stay in this file.
import { mkdirSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
type ClientConfig = NonNullable<Parameters<typeof createClient>[0]>;
import { createChdbConnection, type ChdbConnection } from 'chdb/connection';
import { StoreUnavailableError, classifyStoreError } from './store-errors.js';

export { MAX_INSERT_ROWS } from './limits.js';

export interface StoreOptions {
  /** Embedded: the engine's files go to `<dataDir>/clickhouse`. */
  dataDir: string;
  /** Set: a ClickHouse server over HTTP(S) instead of the embedded engine. */
  url?: string;
  user?: string;
  password?: string;
  /** Server mode only: chdb keeps everything in its `default` database. */
  database: string;
}

export type QueryParams = Record<string, unknown>;

/** How insert chunks are encoded: flows as Native blocks (native-block.ts), the small tables as TabSeparated. */
export type InsertFormat = 'TabSeparated' | 'Native';

export interface InsertOptions {
  format: InsertFormat;
  /**
   * Idempotency key: chunk i is inserted with `insert_deduplication_token = <token>:<i>`, so a retried
   * insert of the same chunk is dropped by ClickHouse (tables need `non_replicated_deduplication_window`
   * or a Replicated engine), and so are the blocks its materialized views would write.
   */
  dedupToken?: string;
}

export interface Store {
  readonly kind: 'embedded' | 'server';
  /** Where the data is, for people: the embedded path or the server URL without credentials. */
  readonly location: string;
  /** SELECT … → rows as objects (JSONEachRow; 64-bit integers arrive as strings). */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams, settings?: ClickHouseSettings): Promise<T[]>;
  /** DDL and statements without a result. */
  command(sql: string, params?: QueryParams, settings?: ClickHouseSettings): Promise<void>;
  /**
   * Inserts pre-encoded chunks in `opts.format` (each ≤ MAX_INSERT_ROWS rows: a whole Native block, or
   * TabSeparated lines that each end with '\n') in order, one INSERT per chunk, synchronously
   * (async_insert = 0: we batch ourselves).
   */
  insert(table: string, columns: readonly string[], chunks: readonly Uint8Array[], opts: InsertOptions): Promise<void>;
  /**
   * The `SOURCE(…)` clause of a dictionary over one of our tables. A transport difference: the embedded
   * engine reads its own table; a server's dictionary needs the database and this client's credentials,
   * since a dictionary loads with its own connection, not the caller's.
   */
  dictionarySource(table: string): string;
  /** True when the engine answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Settings every insert runs with, on both transports:
 * - async_insert = 0: chdb defaults to 1; we already batch, and a synchronous insert is visible on return.
 * - deduplicate_blocks_in_dependent_materialized_views = 1: a deduplicated block is not added to the
 *   rollups either (default 1 in 26.7, 0 in older servers).
 * - date_time_input_format = best_effort: FlowRecord times are ISO-8601 with 'T' and 'Z'.
 */
const INSERT_SETTINGS = {
  async_insert: 0,
  deduplicate_blocks_in_dependent_materialized_views: 1,
  date_time_input_format: 'best_effort',
} as const;

/** A ClickHouse string literal (for the few DDL spots that take no query parameters). */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function redactUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString();
}

export function openStore(opts: StoreOptions): Store {
  if (opts.url !== undefined) return openServerStore(opts, opts.url);
  return openEmbeddedStore(opts);
}

/**
 * `resetSettings`: what undoes a statement's settings afterwards, where they outlive it. chdb/connection
 * sends `clickhouse_settings` as `SET k = v; <statement>` on its one session, so without a reset an
 * `insert_deduplication_token` given to one INSERT would apply to every later statement (and drop a
 * later insert into the same table as a retry). Over HTTP settings are per request: nothing to undo.
 */
function commonStore(client: ClickHouseClient, kind: Store['kind'], location: string, resetSettings?: (names: string[]) => Promise<unknown>) {
  const wrap = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw classifyStoreError(err, what);
    }
  };
  const withSettings = async <T>(settings: ClickHouseSettings | undefined, run: () => Promise<T>): Promise<T> => {
    const names = settings === undefined || resetSettings === undefined ? [] : Object.keys(settings);
    if (names.length === 0) return run();
    try {
      return await run();
    } finally {
      await resetSettings!(names);
    }
  };
  return {
    kind,
    location,
    query<T>(sql: string, params?: QueryParams, settings?: ClickHouseSettings): Promise<T[]> {
      return wrap('query', () =>
        withSettings(settings, async () => {
          const rs = await client.query({ query: sql, format: 'JSONEachRow', query_params: params, clickhouse_settings: settings });
          return rs.json<T>();
        }),
      );
    },
    command(sql: string, params?: QueryParams, settings?: ClickHouseSettings): Promise<void> {
      return wrap('command', () =>
        withSettings(settings, async () => {
          await client.command({ query: sql, query_params: params, clickhouse_settings: settings });
        }),
      );
    },
    async ping(): Promise<boolean> {
      try {
        const r = await client.ping();
        return r.success;
      } catch {
        return false;
      }
    },
    wrap,
  };
}

function chunkSettings(opts: InsertOptions, i: number): Record<string, string | number> {
  return opts.dedupToken === undefined
    ? { ...INSERT_SETTINGS }
    : { ...INSERT_SETTINGS, insert_deduplication_token: `${opts.dedupToken}:${i}` };
}

/** A column or table name as the SQL text of an identifier; only plain names are allowed. */
function sqlIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a plain identifier: ${JSON.stringify(name)}`);
  return `\`${name}\``;
}

/** A setting's value as SQL: numbers as is, strings as literals with control characters as \xHH. */
function sqlSettingValue(v: string | number): string {
  if (typeof v === 'number') return String(v);
  // eslint-disable-next-line no-control-regex
  return `'${v.replace(/[\\'\u0000-\u001f\u007f]/g, (c) => (c === '\\' || c === "'" ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))}'`;
}

/**
 * `INSERT INTO t (c…) FROM INFILE 'f' SETTINGS … FORMAT F`: the embedded engine reads the chunk from a
 * file. Same statement semantics as `INSERT … FORMAT F` with the data inline
 * (one block per chunk, so the dedup token works the same), but the data never passes through the SQL
 * text: chdb's rawInsert appends the payload to the query, and the engine then spends as long scanning
 * that text as parsing the rows (101 159 rows, `Null` table: 0.9 CPU s inline, 0.5 s from a file).
 */
export function infileInsertSql(table: string, columns: readonly string[], file: string, format: InsertFormat, settings: Record<string, string | number>): string {
  const set = Object.entries(settings).map(([k, v]) => `${sqlIdentifier(k).slice(1, -1)} = ${sqlSettingValue(v)}`).join(', ');
  return `${insertHead(table, columns)} FROM INFILE ${sqlSettingValue(file)}${set ? ` SETTINGS ${set}` : ''} FORMAT ${format}`;
}

/** `INSERT INTO t (c…)`; only plain names are allowed. */
function insertHead(table: string, columns: readonly string[]): string {
  return `INSERT INTO ${sqlIdentifier(table)} (${columns.map(sqlIdentifier).join(', ')})`;
}

function openEmbeddedStore(opts: StoreOptions): Store {
  const path = join(opts.dataDir, 'clickhouse');
  mkdirSync(path, { recursive: true });
  // Insert chunks are written here and read by the engine (infileInsertSql); whatever a killed process
  // left behind is deleted at open (one engine per data directory, so no other process uses it).
  const spill = join(opts.dataDir, 'insert-spill');
  rmSync(spill, { recursive: true, force: true });
  mkdirSync(spill, { recursive: true });
  let spillSeq = 0;
  // One engine per process: more connections to the same path share it, another path throws.
  // Two connections: a chdb connection runs one statement at a time, so a 50 000-row insert (~0.5 s)
  // would hold up every API query and /healthz behind it; inserts get a connection of their own.
  const queries: ChdbConnection = createChdbConnection({ path });
  const inserts: ChdbConnection = createChdbConnection({ path });
  // chdb types its connection against @clickhouse/client-common 1.23.0, the client bundles 1.23.1's
  // copy of the same interface; they differ only in a settings type, hence the cast.
  const client = createClient({
    connection: queries as unknown as NonNullable<ClientConfig['connection']>,
    log: { level: ClickHouseLogLevel.OFF },
  });
  const base = commonStore(client, 'embedded', path, (names) =>
    client.command({ query: names.map((n) => `SET ${sqlIdentifier(n).slice(1, -1)} = DEFAULT`).join('; ') }),
  );
  const { wrap, ...shared } = base;
  return {
    ...shared,
    dictionarySource: (table) => `CLICKHOUSE(TABLE ${sqlString(table)})`,
    async insert(table, columns, chunks, insertOpts) {
      // Not chdb/connection's insert() (it turns the body into one JS string) nor the connection's
      // rawInsert (the payload becomes part of the SQL text): the chunk goes to a file the engine reads.
      // Settings go into the statement, not `SET` (which would stay on the connection).
      for (let i = 0; i < chunks.length; i++) {
        const values = chunks[i]!;
        if (values.byteLength === 0) continue;
        const file = join(spill, `${process.pid}-${++spillSeq}.${insertOpts.format === 'Native' ? 'native' : 'tsv'}`);
        try {
          await writeFile(file, values);
          const sql = infileInsertSql(table, columns, file, insertOpts.format, chunkSettings(insertOpts, i));
          await wrap('insert', () => inserts.chdb.queryAsync(sql));
        } finally {
          await rm(file, { force: true });
        }
      }
    },
    async close() {
      await client.close();
      await inserts.close();
    },
  };
}

function openServerStore(opts: StoreOptions, url: string): Store {
  const client = createClient({
    url,
    username: opts.user,
    password: opts.password,
    database: opts.database,
    application: 'surfacemap',
    request_timeout: 60_000,
    // Failures reach the caller as StoreUnavailableError etc. and are logged there, once.
    log: { level: ClickHouseLogLevel.OFF },
  });
  const base = commonStore(client, 'server', redactUrl(url));
  const { wrap, ...shared } = base;
  return {
    ...shared,
    // The dictionary reads over the native protocol from the server itself (localhost), as this user.
    dictionarySource: (table) =>
      `CLICKHOUSE(TABLE ${sqlString(table)} DB ${sqlString(opts.database)}` +
      ` USER ${sqlString(opts.user ?? 'default')} PASSWORD ${sqlString(opts.password ?? '')})`,
    async insert(table, columns, chunks, insertOpts) {
      for (let i = 0; i < chunks.length; i++) {
        const chunk = chunks[i]!;
        if (chunk.byteLength === 0) continue;
        // exec, not client.insert: the client's insert takes text formats and Parquet, not Native. With
        // `values`, exec sends the statement as the `query` URL parameter and the chunk as the body,
        // which is how ClickHouse's HTTP interface takes `INSERT … FORMAT F` with data.
        await wrap('insert', async () => {
          const r = await client.exec({
            query: `${insertHead(table, columns)} FORMAT ${insertOpts.format}`,
            values: Readable.from([chunk], { objectMode: false }),
            clickhouse_settings: chunkSettings(insertOpts, i),
          });
          // An INSERT answers with an empty body; reading it to the end frees the socket.
          r.stream.resume();
          await finished(r.stream);
        });
      }
    },
    async close() {
      await client.close();
    },
  };
}

export { StoreUnavailableError };
