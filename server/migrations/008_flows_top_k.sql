-- Sorted pages of raw flows (GET /api/v1/flows?sort=bytes|packets|start, the flows table's first page)
-- read only the granules that can hold the top rows: ClickHouse's top-K optimisation
-- (use_skip_indexes_for_top_k) needs `ORDER BY <column> … LIMIT n` and a minmax index on that column;
-- an index on the expression orig_ip_bytes + resp_ip_bytes is not used, hence the materialized
-- columns. The repository sorts by ip_bytes / pkts (FLOW_SORTS in analysis-repository.ts): the same
-- values, so the same rows in the same order. On the synthetic week (100 M flows, docs/benchmarks.md)
-- ≈ 2 MiB per million flows for the columns, ~70–130 KiB per index.
--
-- Existing rows (an upgrade) are deliberately NOT rewritten here (no MATERIALIZE COLUMN / INDEX): those
-- are mutations that cannot be made idempotent, and they are not needed for correct answers. A part
-- written before this migration has neither column on disk; ClickHouse computes a MATERIALIZED column
-- that a part lacks from its expression when it reads the part, so sorting by ip_bytes there still
-- gives orig_ip_bytes + resp_ip_bytes. Such a part has no minmax index either, so the top-K read cannot
-- skip its granules: it is read whole, as before this migration (slower, never wrong). Merges write
-- both columns and the indexes into the parts they produce, and old parts leave with retention. To
-- speed up a large existing store at once, an operator may run (≈ 9 s per 100 M flows):
--   ALTER TABLE flows MATERIALIZE COLUMN ip_bytes;  ALTER TABLE flows MATERIALIZE COLUMN pkts;
--   ALTER TABLE flows MATERIALIZE INDEX ip_bytes_minmax;  (… pkts_minmax, start_minmax)
ALTER TABLE flows
    ADD COLUMN IF NOT EXISTS ip_bytes UInt64 MATERIALIZED orig_ip_bytes + resp_ip_bytes CODEC(T64, ZSTD(1)),
    ADD COLUMN IF NOT EXISTS pkts UInt64 MATERIALIZED orig_pkts + resp_pkts CODEC(T64, ZSTD(1)),
    ADD INDEX IF NOT EXISTS ip_bytes_minmax ip_bytes TYPE minmax GRANULARITY 1,
    ADD INDEX IF NOT EXISTS pkts_minmax pkts TYPE minmax GRANULARITY 1,
    ADD INDEX IF NOT EXISTS start_minmax start TYPE minmax GRANULARITY 1;
