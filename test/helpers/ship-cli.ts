// Helpers for the shipping tests: the built CLI as a child process (bounded in time, killed at the
// end), free ports on 127.0.0.1, and totals from `surfacemap flows` and from the store.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

const children = new Set<ChildProcess>();

/** SIGKILLs every child still running (call in afterAll). */
export function killChildren(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
}

export interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Exit code (null when killed by a signal). Rejects after `timeoutMs` (the child is killed). */
  exited: Promise<number | null>;
  /** Resolves once stdout+stderr match, rejects on exit or after `ms`. */
  waitFor(re: RegExp, ms: number): Promise<RegExpExecArray>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 50_000): Cli {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  // No token or collector leaks in from the developer's environment.
  const { SURFACEMAP_TOKEN: _t, SURFACEMAP_AGENT_TOKEN: _a, SURFACEMAP_COLLECTOR: _c, SURFACEMAP_SPOOL: _s, ...base } = process.env;
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...base, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); for (const l of listeners) l(); });
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); for (const l of listeners) l(); });
  const exited = new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`surfacemap ${args.join(' ')} still running after ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve(code);
    });
  });
  exited.catch(() => undefined);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(re, ms) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out + err);
          if (m) {
            done();
            resolve(m);
          }
        };
        const timer = setTimeout(() => { done(); reject(new Error(`no ${re} after ${ms} ms\nstdout: ${out}\nstderr: ${err}`)); }, ms);
        const onExit = () => { check(); done(); reject(new Error(`exited before ${re}\nstdout: ${out}\nstderr: ${err}`)); };
        const done = () => { clearTimeout(timer); listeners.delete(check); child.off('exit', onExit); };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
  };
}

/** Runs the CLI to the end. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 50_000) {
  const c = startCli(args, env, timeoutMs);
  const code = await c.exited;
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (nothing listens on it). */
export async function freeTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Totals {
  n: number;
  packets: number;
  bytes: number;
}

export interface FlowLine {
  proto: string; src: string; sport: number; dst: string; dport: number;
  orig_pkts: number; resp_pkts: number; orig_ip_bytes: number; resp_ip_bytes: number;
}

/** `surfacemap flows --json FILES` (detection on, as replay): its records. */
export async function flowsRecords(files: string[]): Promise<FlowLine[]> {
  const r = await runCli(['flows', '--json', ...files]);
  if (r.code !== 0) throw new Error(`flows exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as FlowLine);
}

export function totalsOf(recs: FlowLine[]): Totals {
  return {
    n: recs.length,
    packets: recs.reduce((a, r) => a + r.orig_pkts + r.resp_pkts, 0),
    bytes: recs.reduce((a, r) => a + r.orig_ip_bytes + r.resp_ip_bytes, 0),
  };
}

const mapped = (ip: string) => (ip.includes(':') ? ip : `::ffff:${ip}`);

/** One line per record: 5-tuple, packets, bytes (IPv4 as ::ffff:-mapped, as the store keeps it); sorted. */
export function recordKeys(recs: FlowLine[]): string[] {
  return recs
    .map((r) => `${r.proto} ${mapped(r.src)} ${r.sport} ${mapped(r.dst)} ${r.dport} ${r.orig_pkts} ${r.resp_pkts} ${r.orig_ip_bytes} ${r.resp_ip_bytes}`)
    .sort();
}

const num = (v: unknown) => Number(v);

/**
 * What the store holds: rows/packets/bytes in `flows` and receipts in `ingest_batches` (of one agent
 * when given), and the `edges_1h` rollup (which has no agent column: always the whole store).
 */
export async function storeTotals(app: FastifyInstance, agent?: string) {
  const where = agent === undefined ? '' : 'WHERE agent = {agent:String}';
  const params = agent === undefined ? undefined : { agent };
  const [f] = await app.store.query<Record<string, unknown>>(
    `SELECT count() AS n, sum(orig_pkts + resp_pkts) AS packets, sum(orig_ip_bytes + resp_ip_bytes) AS bytes FROM flows ${where}`, params);
  const [e] = await app.store.query<Record<string, unknown>>(
    'SELECT sum(flows) AS n, sum(packets) AS packets, sum(bytes) AS bytes FROM edges_1h');
  const [b] = await app.store.query<Record<string, unknown>>(
    `SELECT count() AS n, sum(records) AS records FROM ingest_batches FINAL ${where}`, params);
  return {
    flows: { n: num(f!.n), packets: num(f!.packets), bytes: num(f!.bytes) },
    edges: { n: num(e!.n), packets: num(e!.packets), bytes: num(e!.bytes) },
    batches: { n: num(b!.n), records: num(b!.records) },
  };
}

/** The store's `flows` rows of one agent in recordKeys() form. */
export async function storeKeys(app: FastifyInstance, agent: string): Promise<string[]> {
  const rows = await app.store.query<Record<string, unknown>>(
    `SELECT proto, IPv6NumToString(src) AS src, sport, IPv6NumToString(dst) AS dst, dport, orig_pkts, resp_pkts, orig_ip_bytes, resp_ip_bytes
     FROM flows WHERE agent = {agent:String}`,
    { agent },
  );
  return rows
    .map((r) => `${r.proto} ${r.src} ${num(r.sport)} ${r.dst} ${num(r.dport)} ${num(r.orig_pkts)} ${num(r.resp_pkts)} ${num(r.orig_ip_bytes)} ${num(r.resp_ip_bytes)}`)
    .sort();
}

/** Batch files waiting in a spool directory. */
export function spoolFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.batch.gz')).sort() : [];
}

/** Polls `cond` every 50 ms; rejects with `what` after `ms`. */
export async function waitUntil(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
