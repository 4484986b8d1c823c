-- Raw flow records, one row per FlowRecord (common/flow-record.ts), as received from agents.
-- After Akvorado's flows table: IPv6 columns (IPv4 stored ::ffff:-mapped), LowCardinality labels,
-- codecs on times and counters, ORDER BY starting with a coarse time bucket.
-- Retention counts from when a row was *received* (received_at), never from the flow's own time:
-- a capture from last year replayed today is kept for retention_days, not dropped on arrival.
-- Partitions are days of received_at, so with ttl_only_drop_parts whole day-partitions expire together.
-- Adding a FlowRecord field: a new migration `ALTER TABLE flows ADD COLUMN IF NOT EXISTS …` plus one
-- line in server/store/flow-columns.ts.
CREATE TABLE IF NOT EXISTS flows
(
    received_at DateTime('UTC') DEFAULT now() CODEC(DoubleDelta, ZSTD(1)),
    agent LowCardinality(String),
    start DateTime64(6, 'UTC') CODEC(Delta, ZSTD(1)),
    end DateTime64(6, 'UTC') CODEC(Delta, ZSTD(1)),
    proto LowCardinality(String),
    src IPv6,
    sport UInt16 CODEC(ZSTD(1)),
    dst IPv6,
    dport UInt16,
    orig_pkts UInt64 CODEC(T64, ZSTD(1)),
    resp_pkts UInt64 CODEC(T64, ZSTD(1)),
    orig_ip_bytes UInt64 CODEC(T64, ZSTD(1)),
    resp_ip_bytes UInt64 CODEC(T64, ZSTD(1)),
    orig_bytes UInt64 CODEC(T64, ZSTD(1)),
    resp_bytes UInt64 CODEC(T64, ZSTD(1)),
    state LowCardinality(String),
    history String CODEC(ZSTD(1)),
    end_reason LowCardinality(String),
    initiator LowCardinality(String),
    sampling UInt32 CODEC(T64, ZSTD(1)),
    frags UInt32 CODEC(T64, ZSTD(1)),
    vlan UInt16 CODEC(T64, ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toDate(received_at)
ORDER BY (toStartOfHour(start), src, dst, dport, proto)
TTL received_at + toIntervalDay({retention_days:UInt32})
-- non_replicated_deduplication_window: remember the last 10 000 insert tokens, so a retried batch
-- chunk (same insert_deduplication_token) is dropped instead of counted twice.
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000;
