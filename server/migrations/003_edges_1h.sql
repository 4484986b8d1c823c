-- Hourly rollup of edges: who talked to whom on which port with which application protocol and
-- authentication, per hour of the flow's start time.
-- Fed by a materialized view on every insert into flows. Read it with sum()/min()/max() and
-- GROUP BY the key: rows for one key are only merged in the background.
-- No TTL: a rollup row is far smaller than the raw rows it stands for, and its time is the flow's
-- own time, which must not decide retention (a replayed old capture would vanish).
-- encryption is in the key for the map's colours; it follows app/auth, so it adds few rows.
CREATE TABLE IF NOT EXISTS edges_1h
(
    hour DateTime('UTC') CODEC(Delta, ZSTD(1)),
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
ORDER BY (hour, src, dst, dport, proto, app, auth, encryption)
-- A deduplicated insert into flows must not reach the rollup either: with
-- deduplicate_blocks_in_dependent_materialized_views = 1 the view's block carries the insert's token,
-- and this window lets the rollup drop it.
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS edges_1h_mv TO edges_1h AS
SELECT
    toStartOfHour(start) AS hour,
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
GROUP BY hour, src, dst, dport, proto, app, auth, encryption;
