// `npm run bench [-- --only NAME] [--runs N] [--quick] [--timeout S] [--file CAPTURE]`
// Runs the named benchmark sections, prints their tables and writes .bench/results.json.
// Exit codes: 0 all good; 1 a peer tool (or GNU time) is missing; 2 bad arguments;
// 3 a section ran but ours failed or a correctness check did not hold (peers are still reported).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { GNU_TIME, findExecutable, runForOutput } from './bench-tools.js';
import type { BenchOptions, BenchSection, RequiredTool, SectionResult } from './bench-section.js';
import { replaySection } from './replay-bench.js';
import { ingestSection } from './ingest-bench.js';
import { querySection } from './query-bench.js';
import { repoRoot } from './make-capture.js';

// NOTE: the list of named benches. Add `ingest` (pcap → rows queryable in ClickHouse) and `query`
// (API queries over a week of flows) here as they are written; `--only NAME` picks one.
const SECTIONS: BenchSection[] = [replaySection, ingestSection, querySection];

const DEFAULT_RUNS = 3;
const DEFAULT_TIMEOUT_S = 180;
const VERSION_TIMEOUT_MS = 10_000;

interface Args {
  only: string | null;
  runs: number;
  quick: boolean;
  timeoutS: number;
  file: string | null;
}

function usage(): string {
  return `usage: npm run bench -- [--only ${SECTIONS.map((s) => s.name).join('|')}] [--runs N] [--quick] [--timeout S] [--file CAPTURE]\n` +
    SECTIONS.map((s) => `  ${s.name.padEnd(8)} ${s.description}`).join('\n') + '\n';
}

function parseArgs(argv: string[]): Args | string {
  const a: Args = { only: null, runs: DEFAULT_RUNS, quick: false, timeoutS: DEFAULT_TIMEOUT_S, file: null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? '';
    if (flag === '--quick') {
      a.quick = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) return `${flag} needs a value`;
    if (flag === '--only') a.only = value;
    else if (flag === '--runs') a.runs = Number(value);
    else if (flag === '--timeout') a.timeoutS = Number(value);
    else if (flag === '--file') a.file = resolve(value);
    else return `unknown argument: ${flag}`;
  }
  if (!Number.isInteger(a.runs) || a.runs < 1) return '--runs must be a whole number ≥ 1';
  if (!Number.isFinite(a.timeoutS) || a.timeoutS <= 0) return '--timeout must be seconds > 0';
  if (a.only && !SECTIONS.some((s) => s.name === a.only)) return `no bench named ${a.only}`;
  if (a.file && !existsSync(a.file)) return `no such capture: ${a.file}`;
  return a;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function toolVersion(cmd: string, args: string[], pattern: RegExp): Promise<string | null> {
  if (!findExecutable(cmd)) return null;
  const r = await runForOutput('/bin/sh', ['-c', `${cmd} ${args.join(' ')} 2>&1`], { timeoutMs: VERSION_TIMEOUT_MS });
  return pattern.exec(r.stdout)?.[0]?.trim() ?? null;
}

async function machine(): Promise<Record<string, unknown>> {
  return {
    nproc: availableParallelism(),
    cpu: cpuModel(),
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    kernel: release(),
    node: process.version,
    loadavgAtStart: loadavg().map((x) => Number(x.toFixed(2))),
    tools: {
      nfpcapd: await toolVersion('nfpcapd', ['-V'], /Version:\s*\S+/),
      argus: await toolVersion('argus', ['-h'], /Argus Version \S+/),
      tcpdump: await toolVersion('tcpdump', ['--version'], /tcpdump version \S+/),
      tshark: await toolVersion('tshark', ['-v'], /TShark \(Wireshark\) \S+/),
    },
  };
}

function missingTools(sections: BenchSection[], o: BenchOptions): RequiredTool[] {
  const needed: RequiredTool[] = [{ exe: GNU_TIME, debianPackage: 'time' }];
  for (const s of sections) needed.push(...s.requiredTools(o));
  return needed.filter((t, i) => needed.findIndex((u) => u.exe === t.exe) === i && !findExecutable(t.exe));
}

/** Keeps sections from earlier runs (e.g. `--only query` does not wipe the replay figures). */
function writeResults(path: string, header: Record<string, unknown>, results: SectionResult[]): void {
  let previous: Record<string, unknown> = {};
  try {
    const old = JSON.parse(readFileSync(path, 'utf8')) as { sections?: Record<string, unknown> };
    previous = old.sections ?? {};
  } catch {
    // first run
  }
  const sections: Record<string, unknown> = { ...previous };
  for (const r of results) sections[r.name] = { date: header['date'], machine: header['machine'], ok: r.ok, problems: r.problems, ...r.data };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ ...header, sections }, null, 2) + '\n');
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(`bench: ${args}\n${usage()}`);
    return 2;
  }
  const root = repoRoot();
  const log = (line: string): void => void process.stdout.write(line + '\n');
  const o: BenchOptions = { runs: args.runs, quick: args.quick, timeoutS: args.timeoutS, file: args.file, root, log };
  const sections = SECTIONS.filter((s) => !args.only || s.name === args.only);
  const missing = missingTools(sections, o);
  if (missing.length > 0) {
    for (const t of missing) process.stderr.write(`bench: ${t.exe} is missing; install the Debian package \`${t.debianPackage}\`\n`);
    return 1;
  }
  const header = { date: new Date().toISOString(), machine: await machine(), command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim() };
  const m = header.machine;
  log(`bench ${header.date}: ${String(m['nproc'])} cores (${String(m['cpu'])}), ${String(m['memoryGiB'])} GiB, load ${JSON.stringify(m['loadavgAtStart'])}`);
  const results: SectionResult[] = [];
  for (const s of sections) {
    log(`\n== ${s.name}: ${s.description}`);
    results.push(await s.run(o));
  }
  const out = join(root, '.bench', 'results.json');
  writeResults(out, header, results);
  log(`\nresults: ${out}`);
  const problems = results.flatMap((r) => r.problems.map((p) => `${r.name}: ${p}`));
  for (const p of problems) process.stderr.write(`bench: ${p}\n`);
  return problems.length > 0 ? 3 : 0;
}

process.exitCode = await main();
