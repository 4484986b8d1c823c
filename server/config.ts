// The server's one validated config object. Environment variables and CLI flags are read here and
// nowhere else (STYLE.md rule 9); everything downstream takes a `ServerConfig`.
import { join, resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export const DEFAULT_PORT = 7070;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATA_DIR = 'surfacemap-data';
/** The intent file's name inside the data dir unless SURFACEMAP_INTENT says otherwise. */
export const DEFAULT_INTENT_FILE = 'surfacemap.yaml';
export const DEFAULT_RETENTION_DAYS = 35;
export const DEFAULT_SYSTEM_LOG_RETENTION_DAYS = 7;
/**
 * Ingest body limit (decompressed bytes). A 50 000-record batch of today's FlowRecord is ~18 MB of JSON
 * (measured, docs/decisions.md "Store insert path"); records will grow (app, auth, sni, http_host…),
 * so 64 MiB leaves room for ~3× wider records before a full batch is refused.
 */
export const DEFAULT_INGEST_BODY_LIMIT = 64 * 1024 * 1024;

export const ServerConfigSchema = Type.Object({
  /** Where the embedded store (`<dataDir>/clickhouse`) and the generated API token live. */
  dataDir: Type.String({ minLength: 1 }),
  /** The intent YAML (zones, crown jewels, inventory, rules): SURFACEMAP_INTENT, default `<dataDir>/surfacemap.yaml`. */
  intentFile: Type.String({ minLength: 1 }),
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  clickhouse: Type.Object({
    /** Unset: embedded chdb under dataDir. Set: a ClickHouse server over HTTP(S). */
    url: Type.Optional(Type.String({ pattern: '^https?://' })),
    user: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    database: Type.String({ minLength: 1, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
  }),
  /** Token for the API (`/api/v1/*` except ingest). Required to build the app; see api-token.ts. */
  apiToken: Type.String({ minLength: 16 }),
  /** Agent tokens accepted by `/api/v1/ingest` (the API token is accepted too). */
  agentTokens: Type.Array(Type.String({ minLength: 16 })),
  /** Raw flows and batch records are dropped this many days after they were *received*. */
  retentionDays: Type.Integer({ minimum: 1, maximum: 3650 }),
  /** TTL put on ClickHouse's own system.*_log tables when the engine has them. */
  systemLogRetentionDays: Type.Integer({ minimum: 1, maximum: 3650 }),
  ingestBodyLimit: Type.Integer({ minimum: 1024 }),
  /** Threads that parse, validate and encode ingest batches off the event loop. */
  ingestWorkers: Type.Integer({ minimum: 1, maximum: 16 }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
});

export type ServerConfig = Static<typeof ServerConfigSchema>;

/** Values from the command line; they win over the environment. */
export interface ConfigOverrides {
  dataDir?: string;
  intentFile?: string;
  host?: string;
  port?: number;
  apiToken?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new ConfigError(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return n;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

/**
 * Builds and validates the config. `apiToken` may be left out here only by callers that fill it in
 * afterwards (`surfacemap start` generates one); `buildApp` validates again.
 */
export function loadConfig(env: NodeJS.ProcessEnv, overrides: ConfigOverrides = {}): ServerConfig {
  const dataDir = resolve(overrides.dataDir ?? nonEmpty(env.DATA_DIR) ?? DEFAULT_DATA_DIR);
  const config: ServerConfig = {
    dataDir,
    // A path given is relative to the working directory (a checkout); the default lives in the data dir.
    intentFile: resolve(overrides.intentFile ?? nonEmpty(env.SURFACEMAP_INTENT) ?? join(dataDir, DEFAULT_INTENT_FILE)),
    host: overrides.host ?? nonEmpty(env.HOST) ?? DEFAULT_HOST,
    port: overrides.port ?? intFrom(env, 'PORT', DEFAULT_PORT),
    clickhouse: {
      url: nonEmpty(env.CLICKHOUSE_URL),
      user: nonEmpty(env.CLICKHOUSE_USER),
      password: nonEmpty(env.CLICKHOUSE_PASSWORD),
      database: nonEmpty(env.CLICKHOUSE_DATABASE) ?? 'default',
    },
    apiToken: overrides.apiToken ?? env.SURFACEMAP_TOKEN ?? '',
    agentTokens: (env.SURFACEMAP_AGENT_TOKEN ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== ''),
    retentionDays: intFrom(env, 'SURFACEMAP_RETENTION_DAYS', DEFAULT_RETENTION_DAYS),
    systemLogRetentionDays: intFrom(env, 'SURFACEMAP_SYSTEM_LOG_RETENTION_DAYS', DEFAULT_SYSTEM_LOG_RETENTION_DAYS),
    ingestBodyLimit: intFrom(env, 'SURFACEMAP_INGEST_BODY_LIMIT', DEFAULT_INGEST_BODY_LIMIT),
    ingestWorkers: intFrom(env, 'SURFACEMAP_INGEST_WORKERS', 1),
    logLevel: (nonEmpty(env.LOG_LEVEL) ?? 'info') as ServerConfig['logLevel'],
  };
  if (config.clickhouse.url === undefined) delete config.clickhouse.url;
  if (config.clickhouse.user === undefined) delete config.clickhouse.user;
  if (config.clickhouse.password === undefined) delete config.clickhouse.password;
  return config;
}

/** Throws a ConfigError naming every bad field (tokens are named, never printed). */
export function assertValidConfig(config: ServerConfig): void {
  const errors = [...Value.Errors(ServerConfigSchema, config)];
  if (errors.length === 0) return;
  const lines = errors.map((e) => {
    const field = e.path.replace(/^\//, '').replace(/\//g, '.');
    return `${field}: ${e.message}`;
  });
  throw new ConfigError(`invalid configuration:\n  ${[...new Set(lines)].join('\n  ')}`);
}
