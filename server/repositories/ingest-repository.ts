// Stores ingest batches exactly once.
// 1. One batch_id at a time in this process (a concurrent duplicate waits for the first, then is
//    answered as a duplicate).
// 2. A batch_id already in `ingest_batches` → duplicate, nothing inserted (409 when the stored batch
//    had other records: the key was reused, not retried; a batch stored under an older hash scheme
//    counts as retried, see store1).
// 3. Flows go in with insert_deduplication_token = flows:batch_id:chunk, so if this collector died
//    before step 5, or two collectors race on the same retried batch, ClickHouse drops the second copy
//    (in flows and, through the views, in edges_1h and the SNI/Host rows of `names`).
// 4. The batch's DNS names go into `names` (source 'dns') the same way, token names:batch_id:chunk:
//    `names` sums `flows`, so a second copy getting in would double the counts.
// 5. The batch row is written last: it is the receipt.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { CONTENT_HASH_SCHEME, type DecodedBatch, type IngestResult } from '../collector/ingest-batch.js';
import { NAME_INSERT_COLUMNS } from '../collector/ingest-names.js';
import { HttpError } from '../errors.js';
import { FLOW_INSERT_COLUMNS, type Store } from '../store/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    ingestRepository: ReturnType<typeof createIngestRepository>;
  }
}

const FIND_BATCH = 'SELECT content_hash FROM ingest_batches WHERE batch_id = {batch_id:String} LIMIT 1';

const INSERT_BATCH = `
INSERT INTO ingest_batches (batch_id, agent, sent_at, records, content_hash, agent_packets, agent_dropped, spool_backlog,
                            spool_dropped_batches, spool_dropped_records, spool_dropped_packets)
SELECT {batch_id:String}, {agent:String}, parseDateTime64BestEffort({sent_at:String}, 3, 'UTC'), {records:UInt32},
       {content_hash:String},
       {agent_packets:Nullable(UInt64)}, {agent_dropped:Nullable(UInt64)}, {spool_backlog:Nullable(UInt64)},
       {spool_dropped_batches:Nullable(UInt64)}, {spool_dropped_records:Nullable(UInt64)}, {spool_dropped_packets:Nullable(UInt64)}`;

/** `names` is in the answer to a batch that carried names only: others get the answer they always got. */
function withNames(result: IngestResult, batch: DecodedBatch, names: number): IngestResult {
  return batch.names > 0 ? { ...result, names } : result;
}

export function createIngestRepository(store: Store) {
  const inFlight = new Map<string, Promise<IngestResult>>();

  async function store1(batch: DecodedBatch): Promise<IngestResult> {
    const prior = await store.query<{ content_hash: string }>(FIND_BATCH, { batch_id: batch.batchId });
    if (prior.length > 0) {
      const priorHash = prior[0]!.content_hash;
      // NOTE: a batch stored by a collector that hashed another encoding (no CONTENT_HASH_SCHEME) cannot be
      // told apart by content; batch_ids are unique per agent run (agent/run/seq), so it is this batch's
      // retry across the collector's upgrade, not a reused id.
      if (priorHash === batch.contentHash || !priorHash.startsWith(CONTENT_HASH_SCHEME)) return withNames({ accepted: 0, duplicate: true }, batch, 0);
      throw new HttpError(409, `batch_id ${JSON.stringify(batch.batchId)} was already stored with other records; use a new batch_id for new records`);
    }
    await store.insert('flows', FLOW_INSERT_COLUMNS, batch.chunks, { format: 'Native', dedupToken: `flows:${batch.batchId}` });
    await store.insert('names', NAME_INSERT_COLUMNS, batch.nameChunks, { format: 'TabSeparated', dedupToken: `names:${batch.batchId}` });
    await store.command(
      INSERT_BATCH,
      {
        batch_id: batch.batchId,
        agent: batch.agent,
        sent_at: batch.sentAt,
        records: batch.records,
        content_hash: batch.contentHash,
        agent_packets: batch.stats?.packets ?? null,
        agent_dropped: batch.stats?.dropped ?? null,
        spool_backlog: batch.stats?.spool_backlog ?? null,
        spool_dropped_batches: batch.stats?.spool_dropped_batches ?? null,
        spool_dropped_records: batch.stats?.spool_dropped_records ?? null,
        spool_dropped_packets: batch.stats?.spool_dropped_packets ?? null,
      },
      { async_insert: 0, insert_deduplication_token: `batch:${batch.batchId}` },
    );
    return withNames({ accepted: batch.records, duplicate: false }, batch, batch.names);
  }

  return {
    async ingest(batch: DecodedBatch): Promise<IngestResult> {
      // Wait for an in-flight copy of the same batch, then decide (it may have failed).
      for (let prior = inFlight.get(batch.batchId); prior; prior = inFlight.get(batch.batchId)) {
        await prior.catch(() => undefined);
      }
      const p = store1(batch);
      inFlight.set(batch.batchId, p);
      try {
        return await p;
      } finally {
        if (inFlight.get(batch.batchId) === p) inFlight.delete(batch.batchId);
      }
    },
  };
}

export default fp(
  async (fastify: FastifyInstance) => {
    fastify.decorate('ingestRepository', createIngestRepository(fastify.store));
  },
  { name: 'ingest-repository', dependencies: ['store'] },
);
