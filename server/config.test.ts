import { describe, expect, it } from 'vitest';
import { assertValidConfig, ConfigError, DEFAULT_INGEST_BODY_LIMIT, loadConfig } from './config.js';

const TOKEN = 'a-long-enough-api-token';

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({}, { apiToken: TOKEN });
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 7070,
      clickhouse: { database: 'default' },
      agentTokens: [],
      retentionDays: 35,
      ingestBodyLimit: DEFAULT_INGEST_BODY_LIMIT,
      logLevel: 'info',
    });
    expect(c.clickhouse.url).toBeUndefined();
    expect(c.dataDir.endsWith('surfacemap-data')).toBe(true);
    expect(() => assertValidConfig(c)).not.toThrow();
  });

  it('reads the environment, and flags win over it', () => {
    const env = {
      DATA_DIR: '/var/lib/sm',
      HOST: '0.0.0.0',
      PORT: '8080',
      CLICKHOUSE_URL: 'https://ch.example:8443',
      CLICKHOUSE_USER: 'surfacemap',
      CLICKHOUSE_PASSWORD: 'pw',
      CLICKHOUSE_DATABASE: 'audit',
      SURFACEMAP_TOKEN: TOKEN,
      SURFACEMAP_AGENT_TOKEN: 'agent-token-one-xxxx, agent-token-two-xxxx',
      SURFACEMAP_RETENTION_DAYS: '7',
    };
    const c = loadConfig(env, { port: 9000 });
    expect(c).toMatchObject({
      dataDir: '/var/lib/sm',
      host: '0.0.0.0',
      port: 9000,
      clickhouse: { url: 'https://ch.example:8443', user: 'surfacemap', password: 'pw', database: 'audit' },
      apiToken: TOKEN,
      agentTokens: ['agent-token-one-xxxx', 'agent-token-two-xxxx'],
      retentionDays: 7,
    });
    expect(() => assertValidConfig(c)).not.toThrow();
  });

  it('names every bad field and never prints a token', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    const c = loadConfig({ PORT: '70000', SURFACEMAP_AGENT_TOKEN: 'short-secret', SURFACEMAP_RETENTION_DAYS: '0', CLICKHOUSE_URL: 'ftp://x' }, { apiToken: '' });
    let message = '';
    try {
      assertValidConfig(c);
    } catch (err) {
      message = (err as Error).message;
    }
    for (const field of ['port', 'apiToken', 'agentTokens.0', 'retentionDays', 'clickhouse.url']) expect(message).toContain(field);
    expect(message).not.toContain('short-secret');
  });
});
