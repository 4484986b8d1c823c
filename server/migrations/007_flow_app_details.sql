-- Two generic detection details for protocols that have no column of their own (agent/detect;
-- FlowRecord.app_version and FlowRecord.auth_mech): the protocol version the wire shows (`MQTT 3.1.1`,
-- `SMB 3.1.1`, `LDAPv3`, `NTPv4`, …) and the authentication mechanism named beneath `auth`
-- (`SCRAM-SHA-256`, `PLAIN`, `NTLMSSP`, `simple`, …). Labels only, never credentials. '' when absent.
ALTER TABLE flows
    ADD COLUMN IF NOT EXISTS app_version LowCardinality(String),
    ADD COLUMN IF NOT EXISTS auth_mech LowCardinality(String);
