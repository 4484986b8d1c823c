// `ingest` section: pcap → rows queryable in ClickHouse, through the real path (`surfacemap replay` →
// spool → POST /api/v1/ingest → embedded chdb), against `surfacemap flows` alone on the same capture.
// Issue bar: ingest within 2× of `flows`. Each ingest run gets a fresh server and data directory; the
// server's start-up (engine, migrations) is not timed, the replay is: it exits 0 only once every batch
// is acknowledged, and the collector acknowledges after a synchronous insert, so the rows are queryable.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeExit, median, minimum, runTimed, type TimedRun } from './bench-tools.js';
import { type BenchOptions, type BenchSection, type SectionResult, formatTable } from './bench-section.js';
import { ensureCapture } from './make-capture.js';

const SERVER_START_TIMEOUT_MS = 60_000;

interface Server {
  child: ChildProcess;
  url: string;
  apiToken: string;
  agentToken: string;
  dir: string;
}

function startServer(o: BenchOptions): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'surfacemap-bench-ingest-'));
  const apiToken = randomBytes(24).toString('hex');
  const agentToken = randomBytes(24).toString('hex');
  const child = spawn(process.execPath, ['dist/cli/main.js', 'start', '--data', join(dir, 'data'), '--port', '0'], {
    cwd: o.root,
    env: { ...process.env, SURFACEMAP_TOKEN: apiToken, SURFACEMAP_AGENT_TOKEN: agentToken, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not say where it listens within ${SERVER_START_TIMEOUT_MS / 1000} s: ${out.slice(-500)}`));
    }, SERVER_START_TIMEOUT_MS);
    const onData = (b: Buffer): void => {
      out += b.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, apiToken, agentToken, dir });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${out.slice(-500)}`));
    });
  });
}

async function stopServer(s: Server): Promise<void> {
  if (s.child.exitCode === null) {
    const exited = new Promise((r) => s.child.once('exit', r));
    s.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (s.child.exitCode === null) s.child.kill('SIGKILL');
  }
  rmSync(s.dir, { recursive: true, force: true });
}

/** CPU seconds (user + system, all threads: the decode worker and the engine's) of a live process, from /proc. */
function processCpuS(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which is in parentheses and may hold spaces): utime is the 14th
    // field of the line, stime the 15th, in clock ticks (USER_HZ, 100 on Linux).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return null;
  }
}

async function storedFlows(s: Server): Promise<number | null> {
  const res = await fetch(`${s.url}/api/v1/stats`, { headers: { authorization: `Bearer ${s.apiToken}` } });
  if (!res.ok) return null;
  const body = (await res.json()) as { totals?: { flows?: number } };
  return body.totals?.flows ?? null;
}

/** Records `flows` printed, from its stderr summary ("flows N records"). */
function recordsOf(r: TimedRun): number | null {
  const m = /flows (\d+) records/.exec(r.stderrTail);
  return m ? Number(m[1]) : null;
}

async function runIngest(o: BenchOptions): Promise<SectionResult> {
  const file = o.file ?? ensureCapture(undefined, undefined, o.log).path;
  const timeoutMs = o.timeoutS * 1000;
  const flowsRuns: TimedRun[] = [];
  const ingestRuns: { run: TimedRun; stored: number | null; serverCpuS: number | null }[] = [];
  const problems: string[] = [];
  for (let i = 0; i < o.runs; i++) {
    const f = await runTimed(process.execPath, ['dist/cli/main.js', 'flows', '--json', file], { timeoutMs, cwd: o.root });
    if (f.exitCode !== 0) problems.push(`flows: ${describeExit(f, timeoutMs)}`);
    flowsRuns.push(f);
    o.log(`  round ${i + 1}/${o.runs} flows          ${f.wallS.toFixed(2)} s`);
    let server: Server | null = null;
    try {
      server = await startServer(o);
      const cpuBefore = processCpuS(server.child.pid);
      const r = await runTimed(
        process.execPath,
        ['dist/cli/main.js', 'replay', file, '--collector', server.url, '--token', server.agentToken, '--agent', 'bench', '--spool', join(server.dir, 'spool')],
        { timeoutMs, cwd: o.root },
      );
      if (r.exitCode !== 0) problems.push(`replay: ${describeExit(r, timeoutMs)}: ${r.stderrTail.slice(-300)}`);
      const cpuAfter = processCpuS(server.child.pid);
      const serverCpuS = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
      const stored = await storedFlows(server);
      ingestRuns.push({ run: r, stored, serverCpuS });
      o.log(
        `  round ${i + 1}/${o.runs} replay→store   ${r.wallS.toFixed(2)} s, ${stored ?? '?'} rows stored` +
          ` (cpu s: replay ${fmtCpu(cpuOf(r))}, server ${fmtCpu(serverCpuS)})`,
      );
    } catch (e) {
      problems.push(`ingest run ${i + 1}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      if (server) await stopServer(server);
    }
  }
  const records = flowsRuns.map(recordsOf).find((n) => n !== null) ?? null;
  for (const { stored } of ingestRuns) {
    if (records !== null && stored !== records) problems.push(`stored ${stored ?? '?'} rows, flows printed ${records} records`);
  }
  const fw = flowsRuns.filter((r) => r.exitCode === 0).map((r) => r.wallS);
  const iw = ingestRuns.filter((r) => r.run.exitCode === 0).map((r) => r.run.wallS);
  const ratio = fw.length && iw.length ? median(iw) / median(fw) : null;
  const rowsPerS = iw.length && records !== null ? records / median(iw) : null;
  const okIngest = ingestRuns.filter((r) => r.run.exitCode === 0);
  const med = (xs: (number | null)[]): string => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? median(v).toFixed(2) : '–';
  };
  o.log('');
  o.log(formatTable(
    ['step', 'median s', 'min s', 'median cpu s', 'runs', 'command'],
    [
      ['flows (no store)', fw.length ? median(fw).toFixed(2) : '–', fw.length ? minimum(fw).toFixed(2) : '–', med(flowsRuns.filter((r) => r.exitCode === 0).map(cpuOf)), String(fw.length), 'node dist/cli/main.js flows --json FILE > /dev/null'],
      ['replay → queryable', iw.length ? median(iw).toFixed(2) : '–', iw.length ? minimum(iw).toFixed(2) : '–', med(okIngest.map((r) => cpuOf(r.run))), String(iw.length), 'node dist/cli/main.js replay FILE --collector URL (embedded chdb server)'],
      ['  server meanwhile', '', '', med(okIngest.map((r) => r.serverCpuS)), String(okIngest.length), 'surfacemap start: collector, decode worker, chdb'],
    ],
  ));
  o.log('');
  o.log(`ingest / flows: ${ratio === null ? 'n/a' : `${ratio.toFixed(2)}× (bar: ≤ 2×)`}; ${rowsPerS === null ? '' : `${Math.round(rowsPerS)} rows/s end to end`}`);
  return {
    name: 'ingest',
    ok: problems.length === 0,
    problems,
    data: { file, records, flowsRuns, ingestRuns, ratio, rowsPerS },
  };
}

function cpuOf(r: TimedRun): number | null {
  return r.userS === null || r.sysS === null ? null : r.userS + r.sysS;
}

function fmtCpu(s: number | null): string {
  return s === null ? '?' : s.toFixed(2);
}

export const ingestSection: BenchSection = {
  name: 'ingest',
  description: 'pcap → rows queryable in the embedded ClickHouse via replay + collector, vs flows alone',
  requiredTools: () => [],
  run: runIngest,
};
