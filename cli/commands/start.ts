// `surfacemap start [--data DIR] [--port 7070] [--host 127.0.0.1] [--demo]`: the server (collector + API)
// with the embedded store in DIR/clickhouse, or the ClickHouse server named by CLICKHOUSE_URL.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { FlowRecord } from '../../common/flow-record.js';
import { isoMicros } from '../../common/time.js';
import { ensureApiToken } from '../../server/api-token.js';
import { ConfigError, DEFAULT_HOST, DEFAULT_PORT, loadConfig, type ServerConfig } from '../../server/config.js';
import type { RunningServer } from '../../server/server.js';

/**
 * `--demo`: the real captures of fixtures/README.md, small office first, then the "production" services
 * (databases, SSH, TLS with client certificates), in capture-time order so they replay as one capture.
 * Left out because they repeat another file's packets: small-office.pcapng, any-sll2.pcap.
 */
export const DEMO_CAPTURES = [
  'small-office.pcap', 'any-sll.pcap', 'multi-interface.pcapng', 'udp-metrics.pcap', 'vlan-qinq.pcap',
  'detect-http.pcap', 'detect-tls.pcap', 'detect-db.pcap', 'detect-ssh-udp.pcap',
];
const DEMO_AGENT = 'demo';
const DEMO_MAX_WAIT_S = 60;

/** The folder holding package.json (dist/cli/commands/ when built, cli/commands/ in source). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('no package.json above the CLI');
    dir = up;
  }
  return dir;
}

/** The server's URL as a client on this host reaches it (a wildcard listen address is not a destination). */
function localUrl(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}

/**
 * Replays the demo captures through the agent's shipping path to this server's own ingest route, with
 * an agent token, when the store is empty. Never throws: the server stays up either way.
 */
async function loadDemo(server: RunningServer, config: ServerConfig): Promise<void> {
  const say = (line: string) => process.stdout.write(`surfacemap: demo: ${line}\n`);
  try {
    const stats = await server.app.statsRepository.stats();
    if (stats.totals.flows > 0 || stats.agents.length > 0) {
      say('the store already holds data; the demo captures are not loaded again');
      return;
    }
    const fixtures = join(packageRoot(), 'fixtures');
    const files = DEMO_CAPTURES.map((f) => join(fixtures, f)).filter((f) => existsSync(f));
    if (files.length === 0) {
      say(`no demo captures in ${fixtures}; nothing loaded`);
      return;
    }
    const { shipReplay, everythingAcknowledged } = await import('../../agent/ship/ship-replay.js');
    const { shiftUs, transform } = await presentTime(files);
    const spoolDir = join(config.dataDir, 'demo-spool');
    // The store is empty, so batches an interrupted demo load left behind were never stored; the replay
    // below makes them again (under new batch_ids): sending both would store the demo twice.
    rmSync(spoolDir, { recursive: true, force: true });
    const res = await shipReplay(files, {
      detect: true,
      collector: localUrl(server.url),
      token: config.agentTokens[0] ?? config.apiToken,
      agent: DEMO_AGENT,
      spoolDir,
      spoolMaxBytes: 64 * 1024 * 1024,
      maxWaitS: DEMO_MAX_WAIT_S,
      log: (m) => say(m),
      info: () => {},
      transform,
      transformNameTime: (us) => us + shiftUs,
    });
    if (everythingAcknowledged(res)) {
      rmSync(spoolDir, { recursive: true, force: true });
      say(`loaded ${res.sender.ackedRecords} flow records from ${files.length} captures in ${fixtures} (agent "${DEMO_AGENT}"); open ${localUrl(server.url)}/`);
    } else {
      say(`not every demo batch was stored (${res.outcome.reason}); what is left is in ${spoolDir}`);
    }
  } catch (err) {
    say(`could not load the demo captures: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** `--demo` and no intent file yet: the demo's zones, crown jewels and inventory (fixtures/demo-intent.yaml). */
function writeDemoIntent(intentFile: string): void {
  if (existsSync(intentFile)) return;
  const demo = join(packageRoot(), 'fixtures', 'demo-intent.yaml');
  if (!existsSync(demo)) return;
  mkdirSync(dirname(intentFile), { recursive: true });
  copyFileSync(demo, intentFile);
  process.stdout.write(`surfacemap: demo: wrote the demo's zones and crown jewels to ${intentFile}\n`);
}

/**
 * The demo captures were made once; their flows are moved so the newest ends a minute ago, so the
 * UI's default range (the last 7 days) shows them whenever the demo is started. Times keep their
 * microseconds and their spacing.
 */
async function presentTime(files: string[]): Promise<{ shiftUs: number; transform: (r: FlowRecord) => FlowRecord }> {
  const { replayFiles } = await import('../../agent/replay.js');
  let newestUs = 0;
  await replayFiles(files, {}, (r) => {
    newestUs = Math.max(newestUs, isoToMicros(r.end));
  });
  const shiftUs = (Date.now() - 60_000) * 1000 - newestUs;
  return {
    shiftUs,
    transform: (r) => ({ ...r, start: isoMicros(isoToMicros(r.start) + shiftUs), end: isoMicros(isoToMicros(r.end) + shiftUs) }),
  };
}

/** "2026-11-27T21:23:57.237885Z" → µs since the epoch. */
function isoToMicros(iso: string): number {
  const m = /\.(\d{1,6})Z$/.exec(iso);
  const whole = Date.parse(iso.replace(/\.\d+Z$/, 'Z'));
  return whole * 1000 + (m ? Number(m[1]!.padEnd(6, '0')) : 0);
}

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
    .addOption(new Option('--intent <file>', 'the intent YAML (zones, crown jewels, inventory, rules); default $SURFACEMAP_INTENT or DIR/surfacemap.yaml'))
    .option('--demo', 'on an empty store, load the bundled demo captures (fixtures/) through the collector')
    .action(async (o: { data?: string; port?: number; host?: string; intent?: string; demo?: boolean }) => {
      let config;
      try {
        config = loadConfig(process.env, { dataDir: o.data, port: o.port, host: o.host, intentFile: o.intent });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        process.stderr.write(`surfacemap: ${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      if (o.demo) writeDemoIntent(config.intentFile);
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
      if (o.demo) await loadDemo(server, config);
    });
}
