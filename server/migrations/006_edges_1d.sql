-- Daily rollup of edges, next to edges_1h: week views read whole days from here and only the hours
-- at either end of their range from edges_1h (the sums are the same; see ROLLUP_IN_RANGE in
-- analysis-repository.ts). On the synthetic week (bench/synth-week.ts, 100 M flows) edges_1h holds
-- 8.1 M rows for the week, edges_1d 0.84 M; the week's crossing edges: ~2 s → ~0.4 s.
-- Fed from flows by its own view (like edges_1h), so it needs nothing from edges_1h at insert time.
CREATE TABLE IF NOT EXISTS edges_1d
(
    day DateTime('UTC') CODEC(Delta, ZSTD(1)),
    src IPv6,
    dst IPv6,
    dport UInt16,
    proto LowCardinality(String),
    app LowCardinality(String),
    auth LowCardinality(String),
    encryption LowCardinality(String),
    flows SimpleAggregateFunction(sum, UInt64),
    packets SimpleAggregateFunction(sum, UInt64),
    bytes SimpleAggregateFunction(sum, UInt64),
    first_seen SimpleAggregateFunction(min, DateTime64(6, 'UTC')),
    last_seen SimpleAggregateFunction(max, DateTime64(6, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (day, src, dst, dport, proto, app, auth, encryption)
SETTINGS non_replicated_deduplication_window = 10000;

-- Existing rows, once: the table is empty only before this migration's view exists (migrations run
-- before the collector takes batches).
INSERT INTO edges_1d
SELECT toStartOfDay(hour) AS day, src, dst, dport, proto, app, auth, encryption,
       sum(flows), sum(packets), sum(bytes), min(first_seen), max(last_seen)
FROM edges_1h
WHERE (SELECT count() FROM edges_1d) = 0
GROUP BY day, src, dst, dport, proto, app, auth, encryption;

CREATE MATERIALIZED VIEW IF NOT EXISTS edges_1d_mv TO edges_1d AS
SELECT
    toStartOfDay(start) AS day,
    src,
    dst,
    dport,
    proto,
    app,
    auth,
    encryption,
    count() AS flows,
    sum(orig_pkts + resp_pkts) AS packets,
    sum(orig_ip_bytes + resp_ip_bytes) AS bytes,
    min(start) AS first_seen,
    max(end) AS last_seen
FROM flows
GROUP BY day, src, dst, dport, proto, app, auth, encryption;
