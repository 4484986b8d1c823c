// `surfacemap start` as a user runs it (the built CLI, a real port on loopback): the token is generated
// and printed once, stored with mode 0600, the server answers, and SIGTERM stops it cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'sm-start-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  url: string;
  stdout: () => string;
}

/** Starts the CLI and resolves once it prints its URL (or rejects after 60 s / on exit). */
function start(env: NodeJS.ProcessEnv = {}): Promise<Started> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const { SURFACEMAP_TOKEN: _drop, ...base } = process.env;
  const child = spawn(process.execPath, [CLI, 'start', '--data', dataDir, '--port', '0', '--host', '127.0.0.1'], {
    env: { ...base, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line after 60 s; stdout: ${out}; stderr: ${err}`)), 60_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/[0-9.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, stdout: () => out });
      }
    });
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening; stdout: ${out}; stderr: ${err}`));
    });
  });
}

function stop(s: Started): Promise<number | null> {
  return new Promise((resolve) => {
    s.child.once('exit', (code) => resolve(code));
    s.child.kill('SIGTERM');
  });
}

describe('surfacemap start', () => {
  let token = '';

  it('generates the API token, prints it once, and serves /healthz and the API', async () => {
    const s = await start();
    const m = /API token \(shown once; stored in (\S+), mode 0600\):\n\s+(\S+)/.exec(s.stdout());
    expect(m).not.toBeNull();
    token = m![2]!;
    expect(m![1]).toBe(join(dataDir, 'api-token'));
    expect(readFileSync(join(dataDir, 'api-token'), 'utf8').trim()).toBe(token);
    expect(statSync(join(dataDir, 'api-token')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dataDir, 'clickhouse'))).toBe(true);

    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', store: 'embedded' });
    expect((await fetch(`${s.url}/api/v1/stats`)).status).toBe(401);
    const stats = await fetch(`${s.url}/api/v1/stats`, { headers: { authorization: `Bearer ${token}` } });
    expect(stats.status).toBe(200);
    expect(((await stats.json()) as { store: unknown }).store).toEqual({ kind: 'embedded' });
    expect(await stop(s)).toBe(0);
  });

  it('reuses the stored token on the next start without printing it', async () => {
    const s = await start();
    expect(s.stdout()).not.toContain(token);
    const stats = await fetch(`${s.url}/api/v1/stats`, { headers: { authorization: `Bearer ${token}` } });
    expect(stats.status).toBe(200);
    expect(await stop(s)).toBe(0);
  });

  it('takes SURFACEMAP_TOKEN instead when it is set', async () => {
    const s = await start({ SURFACEMAP_TOKEN: 'token-from-the-environment' });
    expect(s.stdout()).toContain('API token from SURFACEMAP_TOKEN');
    expect((await fetch(`${s.url}/api/v1/stats`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const ok = await fetch(`${s.url}/api/v1/stats`, { headers: { authorization: 'Bearer token-from-the-environment' } });
    expect(ok.status).toBe(200);
    expect(await stop(s)).toBe(0);
  });
});

describe('surfacemap replay to it', () => {
  it('ships every record without detaching an ArrayBuffer (which would deoptimise the whole packet path)', async () => {
    // NOTE: V8 tracks whether any ArrayBuffer was ever detached (its ArrayBufferDetaching protector);
    // the first detach throws away every optimised function that reads typed arrays. fetch() detached
    // one per request (agent/ship/sender.ts). --trace-protector-invalidation prints each invalidation.
    const agentToken = 'agent-token-for-the-replay-test';
    const s = await start({ SURFACEMAP_AGENT_TOKEN: agentToken });
    const spool = mkdtempSync(join(tmpdir(), 'sm-start-spool-'));
    try {
      const fixture = fileURLToPath(new URL('../fixtures/small-office.pcap', import.meta.url));
      const replay = spawn(
        process.execPath,
        ['--trace-protector-invalidation', CLI, 'replay', fixture, '--collector', s.url, '--token', agentToken, '--agent', 'detach-test', '--spool', spool],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      replay.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      replay.stderr!.on('data', (b: Buffer) => (out += b.toString()));
      const code = await new Promise<number | null>((resolve) => replay.once('exit', resolve));
      expect(code, out).toBe(0);
      expect(out).toMatch(/shipped \d+ records/);
      expect(out).not.toContain('ArrayBufferDetaching');
    } finally {
      rmSync(spool, { recursive: true, force: true });
      expect(await stop(s)).toBe(0);
    }
  });
});
