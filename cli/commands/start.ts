// `surfacemap start [--data DIR] [--port 7070] [--host 127.0.0.1]`: the server (collector + API)
// with the embedded store in DIR/clickhouse, or the ClickHouse server named by CLICKHOUSE_URL.
import { Command, InvalidArgumentError, Option } from 'commander';
import { ensureApiToken } from '../../server/api-token.js';
import { ConfigError, DEFAULT_HOST, DEFAULT_PORT, loadConfig } from '../../server/config.js';

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return n;
}

export function startCommand(): Command {
  return new Command('start')
    .description('Start the server: collector (/api/v1/ingest), API and the ClickHouse store')
    .addOption(new Option('--data <dir>', 'data directory (embedded store, API token); default $DATA_DIR or ./surfacemap-data'))
    .addOption(new Option('--port <port>', `port to listen on; default $PORT or ${DEFAULT_PORT} (0 = any free port)`).argParser(port))
    .addOption(new Option('--host <host>', `address to listen on; default $HOST or ${DEFAULT_HOST}`))
    .action(async (o: { data?: string; port?: number; host?: string; }) => {
      let config;
      try {
        config = loadConfig(process.env, { dataDir: o.data, port: o.port, host: o.host });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        process.stderr.write(`surfacemap: ${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      const token = ensureApiToken(config.dataDir, process.env.SURFACEMAP_TOKEN);
      config.apiToken = token.token;
      if (token.source === 'generated') {
        process.stdout.write(
          `surfacemap: API token (shown once; stored in ${token.path}, mode 0600):\n  ${token.token}\n` +
            '  Agents may use it as their --token too, or set SURFACEMAP_AGENT_TOKEN.\n',
        );
      }
      // Loaded here, not at the top: the server pulls in chdb (~150 MB of native library mapped into the
      // process), which every other command (e.g. `flows` on a port scan) must not pay for.
      const { closeOnSignals, startServer } = await import('../../server/server.js');
      let server;
      try {
        server = await startServer(config);
      } catch (err) {
        process.stderr.write(`surfacemap: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
        return;
      }
      const store = server.app.store;
      process.stdout.write(
        `surfacemap: listening on ${server.url} (store: ${store.kind}, ${store.location}; ` +
          `API token ${token.source === 'env' ? 'from SURFACEMAP_TOKEN' : `in ${token.path}`})\n`,
      );
      closeOnSignals(server);
    });
}
