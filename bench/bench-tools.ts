// Running external programs for the benchmarks: every child gets its own process group and a hard
// timeout (the whole group is killed past it); timed runs go through GNU time for peak RSS and CPU.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, rmSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';

export const GNU_TIME = '/usr/bin/time';
const TIME_FORMAT = '%e %M %U %S';
const STDERR_TAIL_BYTES = 8192;

export interface TimedRun {
  /** Wall time measured here around the child, seconds. */
  wallS: number;
  /** Peak resident set size of the tool (GNU time %M), KiB. */
  maxRssKB: number | null;
  userS: number | null;
  sysS: number | null;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stderrTail: string;
}

export interface PlainRun {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderrTail: string;
  wallS: number;
}

export interface SpawnOptions {
  timeoutMs: number;
  cwd?: string;
}

/** Absolute path of an executable found on PATH (or the path itself when absolute), else null. */
export function findExecutable(name: string): string | null {
  const candidates = name.includes('/') ? [name] : (process.env['PATH'] ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return null;
}

// NOTE: children run detached (own process group) so a timeout or Ctrl-C kills the tool and
// anything it started, not only the direct child (GNU time).
const liveGroups = new Set<number>();

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function onInterrupt(signal: NodeJS.Signals): void {
  for (const pid of liveGroups) killGroup(pid);
  process.exit(signal === 'SIGINT' ? 130 : 143);
}
process.once('SIGINT', onInterrupt);
process.once('SIGTERM', onInterrupt);

function appendTail(tail: string, chunk: Buffer): string {
  const s = tail + chunk.toString('utf8');
  return s.length > STDERR_TAIL_BYTES ? s.slice(s.length - STDERR_TAIL_BYTES) : s;
}

interface ChildOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stderrTail: string;
  wallS: number;
}

/**
 * Spawns `cmd args` with stdout either discarded or handed line by line to `onLine`, waits for it
 * (killing its group after `timeoutMs`) and returns how it ended.
 */
function runChild(cmd: string, args: string[], o: SpawnOptions, onLine?: (line: string) => void): Promise<ChildOutcome> {
  return new Promise((resolveRun) => {
    const began = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: o.cwd, detached: true, stdio: ['ignore', onLine ? 'pipe' : 'ignore', 'pipe'] });
    let stderrTail = '';
    let timedOut = false;
    let settled = false;
    const finish = (exitCode: number | null, signal: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      resolveRun({ exitCode, signal, timedOut, stderrTail, wallS: Number(process.hrtime.bigint() - began) / 1e9 });
    };
    if (child.pid !== undefined) liveGroups.add(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killGroup(child.pid);
    }, o.timeoutMs);
    child.stderr?.on('data', (c: Buffer) => {
      stderrTail = appendTail(stderrTail, c);
    });
    if (onLine && child.stdout) createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', onLine);
    child.on('error', (e) => {
      stderrTail = appendTail(stderrTail, Buffer.from(`spawn failed: ${e.message}\n`));
      finish(null, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}

interface TimeReport {
  maxRssKB: number;
  userS: number;
  sysS: number;
  /** Set when GNU time says "Command terminated by signal N". */
  signal: string | null;
}

function signalName(n: number): string {
  const found = Object.entries(osConstants.signals).find(([, v]) => v === n);
  return found ? found[0] : `signal ${n}`;
}

/** Parses GNU time's `-o` file: an optional status line, then "%e %M %U %S". */
function parseTimeFile(path: string): TimeReport | null {
  if (!existsSync(path)) return null;
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const fields = (lines[lines.length - 1] ?? '').trim().split(/\s+/).map(Number);
  if (fields.length !== 4 || fields.some((n) => !Number.isFinite(n))) return null;
  const killed = /terminated by signal (\d+)/.exec(lines[0] ?? '');
  return { maxRssKB: fields[1] ?? 0, userS: fields[2] ?? 0, sysS: fields[3] ?? 0, signal: killed ? signalName(Number(killed[1])) : null };
}

let timeFileSeq = 0;

/** Runs a tool under GNU time with stdout discarded (like `> /dev/null`). */
export async function runTimed(cmd: string, args: string[], o: SpawnOptions): Promise<TimedRun> {
  const timeFile = join(tmpdir(), `surfacemap-bench-${process.pid}-${timeFileSeq++}.time`);
  try {
    const r = await runChild(GNU_TIME, ['-f', TIME_FORMAT, '-o', timeFile, '--', cmd, ...args], o);
    const t = parseTimeFile(timeFile);
    const signal = r.signal ?? t?.signal ?? null;
    return { ...r, signal, exitCode: signal ? null : r.exitCode, maxRssKB: t?.maxRssKB ?? null, userS: t?.userS ?? null, sysS: t?.sysS ?? null };
  } finally {
    rmSync(timeFile, { force: true });
  }
}

/** Runs a command and keeps its stdout (bounded by the caller: use for short outputs only). */
export async function runForOutput(cmd: string, args: string[], o: SpawnOptions): Promise<PlainRun> {
  const lines: string[] = [];
  const r = await runChild(cmd, args, o, (l) => lines.push(l));
  return { ...r, stdout: lines.join('\n') };
}

/** Runs a command and hands each stdout line to `onLine` (for large outputs such as NDJSON). */
export function runStreaming(cmd: string, args: string[], o: SpawnOptions, onLine: (line: string) => void): Promise<ChildOutcome> {
  return runChild(cmd, args, o, onLine);
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

export function minimum(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : Math.min(...xs);
}

export function describeExit(r: { exitCode: number | null; signal: string | null; timedOut: boolean }, timeoutMs: number): string {
  if (r.timedOut) return `timed out after ${timeoutMs / 1000} s`;
  if (r.signal) return `killed by ${r.signal}`;
  return `exit ${r.exitCode ?? '?'}`;
}

/**
 * The most telling line of a tool's stderr for a one-line failure report: the last line that
 * mentions an error, else the last line that is not a stack frame or Node's version trailer.
 */
export function lastLine(s: string): string {
  const lines = s.split('\n').map((l) => l.trim()).filter((l) => l && !/^at /.test(l) && !/^Node\.js v\d/.test(l));
  const errors = lines.filter((l) => /error/i.test(l));
  return errors[errors.length - 1] ?? lines[lines.length - 1] ?? '';
}
