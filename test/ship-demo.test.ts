// (f) What `npm start` runs: `surfacemap start --demo` on an empty data directory loads the demo
// captures through the agent's shipping path into the HTTP ingest route, so /api/v1/stats has data at
// once (equal to `surfacemap flows` on the same captures); a second start finds data and loads nothing.
// The interim status page at / is served without a token and asks for one.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEMO_CAPTURES } from '../cli/commands/start.js';
import { FIXTURES, flowsRecords, killChildren, startCli, totalsOf, type Cli } from './helpers/ship-cli.js';

const dataDir = mkdtempSync(join(tmpdir(), 'sm-demo-'));
afterAll(() => {
  killChildren();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<{ cli: Cli; url: string }> {
  const cli = startCli(['start', '--demo', '--data', dataDir, '--port', '0', '--host', '127.0.0.1'], {}, 55_000);
  const m = await cli.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 30_000);
  return { cli, url: m[1]! };
}

async function stop(cli: Cli): Promise<number | null> {
  cli.child.kill('SIGTERM');
  return cli.exited;
}

interface Stats {
  totals: { flows: number; packets: number; bytes: number; last_seen: string | null };
  agents: { agent: string; records: number; batches: number; spool_backlog: number | null }[];
}

async function stats(url: string, token: string): Promise<Stats> {
  const res = await fetch(`${url}/api/v1/stats`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Stats;
}

describe('surfacemap start --demo', () => {
  // Stopped after each test even when it fails: the next start needs the data dir's engine lock.
  let running: Cli | null = null;
  afterEach(async () => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) await stop(running);
    running = null;
  });
  let token = '';
  let first: Stats;

  it('loads the demo captures into an empty store through the collector', async () => {
    const want = totalsOf(await flowsRecords(DEMO_CAPTURES.map((f) => join(FIXTURES, f))));
    const { cli, url } = await start();
    running = cli;
    const m = await cli.waitFor(/demo: loaded (\d+) flow records from (\d+) captures/, 30_000);
    expect(Number(m[1])).toBe(want.n);
    expect(Number(m[2])).toBe(DEMO_CAPTURES.length);
    token = /API token \(shown once; stored in \S+, mode 0600\):\n\s+(\S+)/.exec(cli.stdout())![1]!;
    first = await stats(url, token);
    expect({ n: first.totals.flows, packets: first.totals.packets, bytes: first.totals.bytes }).toEqual(want);
    expect(first.agents).toEqual([expect.objectContaining({ agent: 'demo', records: want.n, spool_backlog: 0 })]);
    // Moved to the present, so the UI's default range (the last 7 days) shows the demo any day.
    const lastSeen = Date.parse(first.totals.last_seen!);
    expect(lastSeen).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(lastSeen).toBeLessThanOrEqual(Date.now());
    expect(existsSync(join(dataDir, 'demo-spool'))).toBe(false);
    // The demo's intent (fixtures/demo-intent.yaml) maps the captures: the undeclared 192.0.2.110 talks
    // to the customer-db crown jewel across the build → prod boundary.
    expect(existsSync(join(dataDir, 'surfacemap.yaml'))).toBe(true);
    const res = await fetch(`${url}/api/v1/edges?jewel=customer-db`, { headers: { authorization: `Bearer ${token}` } });
    const edges = ((await res.json()) as { edges: { src: string; src_zone: string; dst_zone: string }[] }).edges;
    expect(edges.length).toBeGreaterThan(0);
    expect(edges.filter((e) => e.src === '192.0.2.110').every((e) => e.src_zone === 'build' && e.dst_zone === 'prod')).toBe(true);

    // The web UI: no token needed to load it, it asks for one and never puts it in a URL
    // (test/web-*.test.ts drive it in chromium).
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    expect(html).not.toContain(token);
    expect(await stop(cli)).toBe(0);
  });

  it('does not load the demo again when the store has data', async () => {
    const { cli, url } = await start();
    running = cli;
    await cli.waitFor(/demo: the store already holds data; the demo captures are not loaded again/, 30_000);
    expect(cli.stdout()).not.toContain(token);
    expect(await stats(url, token)).toEqual(first);
    expect(await stop(cli)).toBe(0);
  });

  it('loads nothing without --demo', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sm-plain-'));
    try {
      const cli = startCli(['start', '--data', empty, '--port', '0', '--host', '127.0.0.1'], {}, 55_000);
      const m = await cli.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 30_000);
      const tok = /API token \(shown once; stored in \S+, mode 0600\):\n\s+(\S+)/.exec(cli.stdout())![1]!;
      const s = await stats(m[1]!, tok);
      expect(s.totals.flows).toBe(0);
      expect(s.agents).toEqual([]);
      expect(cli.stdout()).not.toContain('surfacemap: demo');
      expect(await stop(cli)).toBe(0);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
