// The store's public surface: one ClickHouse client over embedded chdb or a server URL.
export { openStore, MAX_INSERT_ROWS, type Store, type StoreOptions, type InsertOptions, type QueryParams } from './store.js';
export { StoreUnavailableError, StoreDataError, StoreError, classifyStoreError } from './store-errors.js';
export {
  migrate,
  applyRetention,
  applySystemLogTtl,
  defaultMigrationsDir,
  loadMigrations,
  splitStatements,
  type MigrateResult,
  type SystemLogTtlResult,
} from './migrate.js';
export { FLOW_COLUMNS, FLOW_INSERT_COLUMNS, encodeFlowsNative, type EncodedFlows, type FlowColumn } from './flow-columns.js';
