// Opens the store, brings its schema up to date, and decorates `fastify.store`. With a ClickHouse
// server that is down at start, the app still starts: every store call first retries the schema step
// and fails with StoreUnavailableError (→ 503 + Retry-After) until the server answers.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config.js';
import {
  applyRetention,
  applySystemLogTtl,
  migrate,
  openStore,
  StoreUnavailableError,
  type Store,
} from '../store/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
  }
}

/** A store whose calls wait for `prepare` (retried after a failure) before they run. */
function preparedStore(store: Store, prepare: () => Promise<void>): Store & { ensureReady(): Promise<void> } {
  let ready: Promise<void> | null = null;
  const ensureReady = () =>
    (ready ??= prepare().catch((err: unknown) => {
      ready = null;
      throw err;
    }));
  return {
    kind: store.kind,
    location: store.location,
    ensureReady,
    async query(sql, params, settings) {
      await ensureReady();
      return store.query(sql, params, settings);
    },
    async command(sql, params, settings) {
      await ensureReady();
      return store.command(sql, params, settings);
    },
    async insert(table, columns, chunks, opts) {
      await ensureReady();
      return store.insert(table, columns, chunks, opts);
    },
    dictionarySource: (table) => store.dictionarySource(table),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

async function storePlugin(fastify: FastifyInstance, opts: { config: ServerConfig }) {
  const { config } = opts;
  const raw = openStore({ dataDir: config.dataDir, ...config.clickhouse });
  const log = fastify.log.child({ store: raw.kind });
  const store = preparedStore(raw, async () => {
    const m = await migrate(raw, { retention_days: config.retentionDays });
    if (m.applied.length > 0) log.info({ applied: m.applied }, 'migrations applied');
    if (m.changed.length > 0) log.warn({ changed: m.changed }, 'applied migrations changed on disk since; add a new migration instead');
    const retention = await applyRetention(raw, config.retentionDays);
    if (retention.length > 0) log.info({ tables: retention, days: config.retentionDays }, 'retention changed');
    const logs = await applySystemLogTtl(raw, config.systemLogRetentionDays);
    if (logs.found.length === 0) log.debug('engine has no system.*_log tables');
    if (logs.changed.length > 0) log.info({ tables: logs.changed, days: config.systemLogRetentionDays }, 'system log TTL set');
    for (const f of logs.failed) log.warn({ table: f.table, error: f.error }, 'could not set a TTL on a system log table');
  });
  try {
    await store.ensureReady();
  } catch (err) {
    if (!(err instanceof StoreUnavailableError) || raw.kind === 'embedded') {
      await raw.close();
      throw err;
    }
    log.warn({ err: err.message, location: raw.location }, 'ClickHouse is not reachable yet; ingest answers 503 until it is');
  }
  fastify.decorate('store', store);
  fastify.addHook('onClose', async () => {
    await raw.close();
  });
}

export default fp(storePlugin, { name: 'store' });
