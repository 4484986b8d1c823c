-- What the analysis API needs besides flows and edges_1h (docs/api.md).
--
-- Zone and crown-jewel lookups: the intent YAML's prefixes (plus the built-in fallbacks `unassigned`
-- and `internet`) are copied into these tables whenever the YAML changes, and ip_trie dictionaries
-- over them (created by the analysis repository, which knows the transport's credentials) map every
-- address to its zone and jewel at query time. So editing a zone re-draws all history without
-- re-ingesting, and the rollups stay free of intent. Prefixes are IPv6 text, IPv4 as ::ffff:a.b.c.d/(96+n).
CREATE TABLE IF NOT EXISTS intent_zone_prefixes
(
    prefix String,
    zone String,
    kind String
)
ENGINE = MergeTree
ORDER BY prefix;

CREATE TABLE IF NOT EXISTS intent_jewel_prefixes
(
    prefix String,
    jewel String
)
ENGINE = MergeTree
ORDER BY prefix;

-- Names seen on the wire for an address: TLS SNI and HTTP Host of the flows towards it (fed below),
-- DNS A/AAAA answers (inserted by the collector when agents ship them). Read with min/max and
-- GROUP BY: rows for one key merge in the background.
CREATE TABLE IF NOT EXISTS names
(
    ip IPv6,
    name String,
    source LowCardinality(String),
    first_seen SimpleAggregateFunction(min, DateTime64(6, 'UTC')),
    last_seen SimpleAggregateFunction(max, DateTime64(6, 'UTC')),
    flows SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
ORDER BY (ip, name, source)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS names_sni_mv TO names AS
SELECT dst AS ip, lower(sni) AS name, 'sni' AS source, min(start) AS first_seen, max(end) AS last_seen, count() AS flows
FROM flows
WHERE sni != ''
GROUP BY ip, name;

-- Host header without its port; skipped when it is an address literal (not a name).
CREATE MATERIALIZED VIEW IF NOT EXISTS names_http_mv TO names AS
SELECT dst AS ip, lower(replaceRegexpOne(http_host, ':[0-9]+$', '')) AS name, 'http' AS source,
       min(start) AS first_seen, max(end) AS last_seen, count() AS flows
FROM flows
WHERE http_host != '' AND NOT startsWith(http_host, '[')
  AND isIPv4String(replaceRegexpOne(http_host, ':[0-9]+$', '')) = 0
GROUP BY ip, name;

-- Sprint snapshots: a named copy of the range's edges at address level. Zones and jewels are applied
-- when a snapshot is read, like everywhere else, so a diff compares traffic, not two versions of intent.
CREATE TABLE IF NOT EXISTS snapshots
(
    name String,
    created DateTime64(3, 'UTC'),
    range_from DateTime64(6, 'UTC'),
    range_to DateTime64(6, 'UTC'),
    edges UInt64,
    deleted UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(created, deleted)
ORDER BY name;

CREATE TABLE IF NOT EXISTS snapshot_edges
(
    snapshot String,
    src IPv6,
    dst IPv6,
    dport UInt16,
    proto LowCardinality(String),
    app LowCardinality(String),
    auth LowCardinality(String),
    encryption LowCardinality(String),
    flows UInt64,
    packets UInt64,
    bytes UInt64,
    first_seen DateTime64(6, 'UTC'),
    last_seen DateTime64(6, 'UTC')
)
ENGINE = MergeTree
ORDER BY (snapshot, src, dst, dport, proto);
