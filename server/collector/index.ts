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
export { createDecodePool, type DecodePool } from './decode-pool.js';
