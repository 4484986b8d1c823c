// Builds the real app (embedded chdb in a temp data dir) for tests; one engine per test file (vitest
// runs each file in its own process), removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { loadConfig, type ServerConfig } from '../../server/config.js';

export const API_TOKEN = 'test-api-token-0123456789';
export const AGENT_TOKEN = 'test-agent-token-0123456789';

export interface TestApp {
  app: FastifyInstance;
  config: ServerConfig;
  dataDir: string;
  close(): Promise<void>;
}

export function testConfig(dataDir: string, env: NodeJS.ProcessEnv = {}): ServerConfig {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env }, { dataDir, port: 0, apiToken: API_TOKEN });
  config.agentTokens = [AGENT_TOKEN];
  return config;
}

export async function buildTestApp(prefix: string, env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const config = testConfig(dataDir, env);
  const app = await buildApp(config);
  return {
    app,
    config,
    dataDir,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
