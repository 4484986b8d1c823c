// Starts the app on a port. `surfacemap start` (cli/commands/start.ts) is the usual way in; running
// this file directly (`node dist/server/server.js`) takes everything from the environment.
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ensureApiToken } from './api-token.js';
import { loadConfig, type ServerConfig } from './config.js';

export interface RunningServer {
  app: FastifyInstance;
  /** http://host:port as bound (the real port when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const app = await buildApp(config);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { app, url: `http://${host}:${port}`, close: () => app.close() };
}

/** Closes the server on SIGINT/SIGTERM, letting in-flight requests finish. */
export function closeOnSignals(server: RunningServer): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.app.log.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const config = loadConfig(process.env);
  config.apiToken = ensureApiToken(config.dataDir, process.env.SURFACEMAP_TOKEN).token;
  const server = await startServer(config);
  closeOnSignals(server);
}
