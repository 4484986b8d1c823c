-- From the batch's optional `stats` (agent/ship/sender.ts): what the agent's spool bound deleted unsent
-- (oldest batches first), as batches, records and the packets those records account for. Counters of
-- the agent process, so /api/v1/stats shows the latest value per agent. NULL when the agent did not
-- report them (agents older than this field, or a batch without `stats`).
ALTER TABLE ingest_batches
    ADD COLUMN IF NOT EXISTS spool_dropped_batches Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS spool_dropped_records Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS spool_dropped_packets Nullable(UInt64);
