-- One row per accepted ingest batch: the collector's idempotency record (a batch_id found here is
-- answered `duplicate: true` and not inserted again; with other records than stored, 409) and each
-- agent's last contact and reported stats.
-- ReplacingMergeTree by batch_id: two collectors racing on the same retried batch leave one row.
CREATE TABLE IF NOT EXISTS ingest_batches
(
    batch_id String,
    agent LowCardinality(String),
    received_at DateTime64(3, 'UTC') DEFAULT now64(3),
    sent_at DateTime64(3, 'UTC'),
    records UInt32,
    -- SHA-256 of the batch's encoded records (agent included), hex.
    content_hash String,
    -- From the batch's optional `stats`: the agent's packet and drop counters and its spool backlog.
    agent_packets Nullable(UInt64),
    agent_dropped Nullable(UInt64),
    spool_backlog Nullable(UInt64)
)
ENGINE = ReplacingMergeTree
ORDER BY batch_id
TTL toDateTime(received_at) + toIntervalDay({retention_days:UInt32})
SETTINGS non_replicated_deduplication_window = 10000;
