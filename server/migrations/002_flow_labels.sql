-- Detection labels (agent/detect; FlowRecord's optional fields). Absent labels are '' (a record made
-- before detection, or with detection off); jwt_lifetime_s is NULL when there was no bearer JWT.
-- Only derived labels: never payload, tokens or full URL paths.
ALTER TABLE flows
    ADD COLUMN IF NOT EXISTS app LowCardinality(String),
    ADD COLUMN IF NOT EXISTS app_guess LowCardinality(String),
    ADD COLUMN IF NOT EXISTS auth LowCardinality(String),
    ADD COLUMN IF NOT EXISTS encryption LowCardinality(String),
    ADD COLUMN IF NOT EXISTS tls_version LowCardinality(String),
    ADD COLUMN IF NOT EXISTS sni LowCardinality(String),
    ADD COLUMN IF NOT EXISTS alpn LowCardinality(String),
    ADD COLUMN IF NOT EXISTS ja4 LowCardinality(String),
    ADD COLUMN IF NOT EXISTS tls_client_cert LowCardinality(String),
    ADD COLUMN IF NOT EXISTS http_host LowCardinality(String),
    ADD COLUMN IF NOT EXISTS http_method LowCardinality(String),
    ADD COLUMN IF NOT EXISTS http_path_class LowCardinality(String),
    ADD COLUMN IF NOT EXISTS user_agent_family LowCardinality(String),
    ADD COLUMN IF NOT EXISTS jwt_alg LowCardinality(String),
    ADD COLUMN IF NOT EXISTS jwt_lifetime_s Nullable(Float64),
    ADD COLUMN IF NOT EXISTS ssh_client LowCardinality(String),
    ADD COLUMN IF NOT EXISTS ssh_server LowCardinality(String),
    ADD COLUMN IF NOT EXISTS dns_query String CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS dns_qtype LowCardinality(String),
    ADD COLUMN IF NOT EXISTS pg_auth LowCardinality(String),
    ADD COLUMN IF NOT EXISTS mysql_auth_plugin LowCardinality(String),
    ADD COLUMN IF NOT EXISTS snmp_version LowCardinality(String);
