// Public surface of shipping: batches of flow records → disk spool → the collector.
export { backoffDelayMs, parseRetryAfter, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { createBatcher, makeBatchId, newRunId, checkAgentName, MAX_BATCH_RECORDS, DEFAULT_BATCH_AGE_MS, GZIP_LEVEL, type Batcher, type BatcherOptions } from './batcher.js';
export {
  createNameAggregator, normaliseHostName, namesToJson, HOST_NAME_PATTERN, MAX_NAMES_PER_BATCH, MAX_NAME_LENGTH,
  type NameAggregator, type NameCounters, type NameEntry,
} from './names.js';
export { createSender, ingestUrl, INGEST_PATH, type AgentStats, type Sender, type SenderCounters, type SenderOptions, type SenderResult } from './sender.js';
export { openSpool, batchFileName, SpoolLockedError, REJECTED_DIR, type Spool, type SpoolCounters, type SpoolEntry, type BatchKey } from './spool.js';
export {
  shipReplay, shipNames, everythingAcknowledged, DEFAULT_MAX_WAIT_S, DEFAULT_SPOOL_MAX_MB,
  type ShipReplayOptions, type ShipReplayResult, type ShipSummary, type ShipTarget,
} from './ship-replay.js';
export { startLiveAgent, DEFAULT_SHUTDOWN_WAIT_MS, TICK_MS, type LiveAgent, type LiveAgentSummary, type ShipLiveOptions } from './ship-live.js';
