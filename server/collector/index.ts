// The collector's public surface: the ingest contract and the off-event-loop decoder.
export {
  IngestBatchSchema,
  IngestResultSchema,
  IngestStatsSchema,
  MAX_BATCH_RECORDS,
  decodeIngestBody,
  type DecodedBatch,
  type DecodeResult,
  type IngestBatch,
  type IngestResult,
  type IngestStats,
} from './ingest-batch.js';
export {
  IngestNameSchema, MAX_BATCH_NAMES, NAME_INSERT_COLUMNS, NAME_SOURCE_DNS, encodeNamesTsv, type IngestName,
} from './ingest-names.js';
export { createDecodePool, type DecodePool } from './decode-pool.js';
