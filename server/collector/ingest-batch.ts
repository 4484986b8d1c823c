// The ingest contract (`POST /api/v1/ingest`) and the pure function that turns a request body into
// ready-to-insert chunks (flows as Native blocks, names as TabSeparated). It runs in a worker thread
// (decode-worker.ts), never on the event loop that serves the API. The records of a body normally take
// the fast path (fast-records.ts: JSON bytes straight to Native blocks, ~3× cheaper than JSON.parse +
// schema check + encode); the full path below decides whenever the fast path gives up, so both accept
// the same bodies and write the same bytes (fast-records.test.ts).
import { createHash } from 'node:crypto';
import { FormatRegistry, Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FlowRecord } from '../../common/flow-record.js';
import { FlowRecordSchema } from '../../common/flow-record-schema.js';
import { encodeFlowsNative } from '../store/flow-columns.js';
import { MAX_INSERT_ROWS } from '../store/limits.js';
import { createFastDecoder, warmUpBody, type FastBody } from './fast-records.js';
import { encodeNamesTsv, IngestNameSchema, MAX_BATCH_NAMES, type IngestName } from './ingest-names.js';

export const MAX_BATCH_RECORDS = 50_000;

export const IngestStatsSchema = Type.Object(
  {
    /** Packets the agent has seen since it started. */
    packets: Type.Integer({ minimum: 0 }),
    /** Packets the agent (or the kernel, for live capture) dropped. */
    dropped: Type.Integer({ minimum: 0 }),
    /** Batches waiting in the agent's disk spool. */
    spool_backlog: Type.Integer({ minimum: 0 }),
    /**
     * What the agent's spool bound deleted unsent since the agent process started (cumulative): batches,
     * their records, and the packets those records account for. Optional: older agents omit them.
     */
    spool_dropped_batches: Type.Optional(Type.Integer({ minimum: 0 })),
    spool_dropped_records: Type.Optional(Type.Integer({ minimum: 0 })),
    spool_dropped_packets: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  // Other fields are allowed (an agent may send more than this collector keeps) and ignored.
  { additionalProperties: true },
);

export const IngestBatchSchema = Type.Object(
  {
    /** Idempotency key: a batch_id already stored is answered `duplicate: true` and not inserted again. */
    batch_id: Type.String({ minLength: 1, maxLength: 128 }),
    /** Agent name. */
    agent: Type.String({ minLength: 1, maxLength: 128 }),
    sent_at: Type.String({ format: 'date-time' }),
    /** May be empty when `names` is not: a batch carries at least one record or name. */
    records: Type.Array(FlowRecordSchema, { maxItems: MAX_BATCH_RECORDS }),
    /** IP → name pairs from DNS A/AAAA answers (ingest-names.ts), for the `names` table. */
    names: Type.Optional(Type.Array(IngestNameSchema, { maxItems: MAX_BATCH_NAMES })),
    stats: Type.Optional(IngestStatsSchema),
  },
  { additionalProperties: true, $id: 'IngestBatch' },
);

export const IngestResultSchema = Type.Object({
  /** Records inserted by this request (0 for a duplicate). */
  accepted: Type.Integer({ minimum: 0 }),
  duplicate: Type.Boolean(),
  /** Only for a batch with names: pairs inserted into `names` by this request (0 for a duplicate). */
  names: Type.Optional(Type.Integer({ minimum: 0 })),
});

export type IngestBatch = Static<typeof IngestBatchSchema>;
export type IngestStats = Static<typeof IngestStatsSchema>;
export type IngestResult = Static<typeof IngestResultSchema>;

/** A validated batch, records already encoded for `flows` (see store/flow-columns.ts). */
export interface DecodedBatch {
  batchId: string;
  agent: string;
  sentAt: string;
  stats: IngestStats | null;
  records: number;
  /** Native blocks for FLOW_INSERT_COLUMNS, each ≤ MAX_INSERT_ROWS rows. */
  chunks: Uint8Array[];
  /** (ip, name) pairs, and their TabSeparated chunks for NAME_INSERT_COLUMNS (none when the batch has no names). */
  names: number;
  nameChunks: Uint8Array[];
  /**
   * CONTENT_HASH_SCHEME, then the SHA-256 (hex) of the chunks and, when there are names, of the name
   * chunks: tells a retried batch from a reused batch_id.
   */
  contentHash: string;
}

/**
 * Prefix of the content hashes this collector writes. Hashes are over the encoded chunks, so they
 * change with the encoding: a hash without this prefix (flows as TabSeparated, before 2026-11-28) cannot
 * be compared with a new one (ingest-repository.ts).
 */
export const CONTENT_HASH_SCHEME = 'native1:';

export type DecodeResult = { ok: true; batch: DecodedBatch } | { ok: false; message: string };

// RFC 3339 date-time (https://www.rfc-editor.org/rfc/rfc3339#section-5.6), which is what ajv-formats
// checks for fastify's own routes; TypeBox's compiler needs it registered.
const DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const isDateTime = (v: string): boolean => DATE_TIME.test(v);
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isDateTime);

const checkBatch = TypeCompiler.Compile(IngestBatchSchema);

/** "body/records/3/sport: Expected integer" — the first problem, naming the field. */
function firstSchemaError(value: unknown): string {
  const e = checkBatch.Errors(value).First();
  if (!e) return 'body: invalid';
  return `body${e.path || ''}: ${e.message}`;
}

/** The stats fields the collector stores; unknown ones are dropped, absent optional ones stay absent. */
function keptStats(s: IngestStats): IngestStats {
  const kept: IngestStats = { packets: s.packets, dropped: s.dropped, spool_backlog: s.spool_backlog };
  if (s.spool_dropped_batches !== undefined) kept.spool_dropped_batches = s.spool_dropped_batches;
  if (s.spool_dropped_records !== undefined) kept.spool_dropped_records = s.spool_dropped_records;
  if (s.spool_dropped_packets !== undefined) kept.spool_dropped_packets = s.spool_dropped_packets;
  return kept;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The records' fast path (fast-records.ts); null if the schema uses something it does not implement. */
const dateTimeFormat = FormatRegistry.Get('date-time')!;
const fastBody = createFastDecoder(dateTimeFormat, {
  maxRows: MAX_INSERT_ROWS,
  maxRecords: MAX_BATCH_RECORDS,
  // Its byte-level check of the agent's time shape is a subset of DATE_TIME: only when that is the
  // format in force.
  agentTimes: dateTimeFormat === isDateTime,
});

/** For tests: whether the fast path took this body (the result is the same either way). */
export function fastPathTakes(body: Uint8Array): boolean {
  const fast = fastBody?.(body) ?? null;
  if (fast === null) return false;
  const r = finish(parseJson(fast.rest), fast);
  return r !== null && r.ok;
}

/**
 * Runs the decoder over a made-up batch a few times (decode workers do this when they start), so the
 * first real batches meet optimised code rather than V8's interpreter. Returns whether the fast path
 * took the made-up batch (a test checks it does).
 */
export function warmUpDecoder(rounds = 3, records = 2000): boolean {
  const body = warmUpBody(records);
  let fast = true;
  for (let i = 0; i < rounds; i++) fast = fastPathTakes(body) && fast;
  decodeIngestBody(body);
  return fast;
}

/** For tests: the full path alone (what decodeIngestBody answered before the fast path existed). */
export function decodeIngestBodyFull(body: Uint8Array): DecodeResult {
  return finish(parseJson(body), null)!;
}

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function parseJson(body: Uint8Array): Parsed {
  try {
    return { ok: true, value: JSON.parse(utf8.decode(body)) };
  } catch (err) {
    const why = err instanceof SyntaxError ? err.message : 'body is not UTF-8';
    return { ok: false, message: `body is not valid JSON: ${why}` };
  }
}

/**
 * Request body → validated batch with encoded chunks. The records usually take the fast path (JSON bytes
 * straight to Native blocks); whenever it gives up, or the rest of the body is not right, the full path below
 * decides, so answers and messages are always the full path's.
 */
export function decodeIngestBody(body: Uint8Array): DecodeResult {
  let fast: FastBody | null = null;
  try {
    fast = fastBody?.(body) ?? null;
  } catch {
    // A bug in the optimisation must not refuse a batch the full path accepts (tests compare the two).
    fast = null;
  }
  if (fast !== null) {
    const r = finish(parseJson(fast.rest), fast);
    if (r !== null && r.ok) return r;
  }
  return finish(parseJson(body), null)!;
}

/**
 * Checks the parsed body and encodes it. With `fast`, the body's records were encoded already and
 * `parsed` is the rest with `records: []`; then null means "take the full path" (the rest is not what
 * the fast path assumed).
 */
function finish(parsed: Parsed, fast: FastBody | null): DecodeResult | null {
  if (!parsed.ok) return fast === null ? parsed : null;
  const value = parsed.value;
  if (!checkBatch.Check(value)) return fast === null ? { ok: false, message: firstSchemaError(value) } : null;
  const batch = value as IngestBatch;
  if (fast !== null && (batch.records.length !== 0 || batch.agent !== fast.agent)) return null;
  const names = (batch.names ?? []) as IngestName[];
  const recordCount = fast === null ? batch.records.length : fast.records.rows;
  if (recordCount === 0 && names.length === 0) {
    return { ok: false, message: 'body/records: a batch needs at least one record or one name' };
  }
  let flows: { rows: number; chunks: Uint8Array[] };
  if (fast === null) {
    const encoded = encodeFlowsNative(batch.records as FlowRecord[], batch.agent);
    if (!encoded.ok) return { ok: false, message: `body/${encoded.message}` };
    flows = encoded.value;
  } else {
    flows = fast.records;
  }
  const encodedNames = encodeNamesTsv(names);
  if (!encodedNames.ok) return fast === null ? { ok: false, message: `body/${encodedNames.message}` } : null;
  const hash = createHash('sha256');
  for (const c of flows.chunks) hash.update(c);
  if (names.length > 0) {
    hash.update('\0names\0');
    for (const c of encodedNames.chunks) hash.update(c);
  }
  return {
    ok: true,
    batch: {
      batchId: batch.batch_id,
      agent: batch.agent,
      sentAt: batch.sent_at,
      stats: batch.stats ? keptStats(batch.stats) : null,
      records: flows.rows,
      chunks: flows.chunks,
      names: names.length,
      nameChunks: encodedNames.chunks,
      contentHash: CONTENT_HASH_SCHEME + hash.digest('hex'),
    },
  };
}
