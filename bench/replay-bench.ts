// `replay` section: our `flows --json` (decode + flows + detection, no store) against nfpcapd and
// argus on the same capture, with tcpdump's copy as the I/O floor and tshark's TCP conversations
// once. Runs are interleaved round-robin so load from other processes hits every tool alike.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  type TimedRun, describeExit, lastLine, median, minimum, runForOutput, runStreaming, runTimed,
} from './bench-tools.js';
import { type BenchOptions, type BenchSection, type RequiredTool, type SectionResult, formatTable } from './bench-section.js';
import { type CaptureInfo, ensureCapture } from './make-capture.js';

const TSHARK_TIMEOUT_MS = 300_000;
const COUNT_TIMEOUT_MS = 120_000;
const WARM_CHUNK_BYTES = 8 * 1024 * 1024;

interface ToolSpec {
  name: string;
  /** Runs every round (true) or once after the rounds (false). */
  repeated: boolean;
  exe: string;
  /** Arguments for one run; `scratch` is an empty temporary directory removed after the run. */
  args: (file: string, scratch: string) => string[];
  /** How the command is shown in the table and the docs. */
  display: string;
  timeoutMs: (o: BenchOptions) => number;
}

export interface ToolResult {
  name: string;
  command: string;
  status: 'ok' | 'failed' | 'skipped';
  note: string | null;
  runs: Omit<TimedRun, 'stderrTail'>[];
  medianS: number | null;
  minS: number | null;
  /** Median of user + system CPU seconds (above wall time means more than one core was busy). */
  cpuMedianS: number | null;
  peakRssMB: number | null;
  packetsPerS: number | null;
}

export interface CountCheck {
  tcpdumpPackets: number | null;
  ourStatus: 'ok' | 'failed';
  ourNote: string | null;
  ourRecords: number | null;
  /** Sum of orig_pkts + resp_pkts over our records. */
  ourPacketsInRecords: number | null;
  /** Numbers read from our stderr summary ("packets N, in flows D, skipped S …"). */
  ourSummaryPackets: number | null;
  ourSkipped: number | null;
  ourSummary: string;
  /** Packets in records + skipped == tcpdump's count (and the summary's packet count agrees). */
  match: boolean | null;
}

const OURS = 'ours';
const OURS_NO_DETECT = 'ours --no-detect';
const OURS_ONE_THREAD = 'ours, one thread';
const OURS_NO_DETECT_ONE_THREAD = 'ours --no-detect, one thread';
const NFPCAPD = 'nfpcapd';
const ARGUS = 'argus';

const TOOLS: ToolSpec[] = [
  {
    name: OURS, repeated: true, exe: process.execPath,
    args: (file) => ['dist/cli/main.js', 'flows', '--json', file],
    display: 'node dist/cli/main.js flows --json FILE > /dev/null',
    timeoutMs: (o) => o.timeoutS * 1000,
  },
  {
    name: OURS_NO_DETECT, repeated: true, exe: process.execPath,
    args: (file) => ['dist/cli/main.js', 'flows', '--json', '--no-detect', file],
    display: 'node dist/cli/main.js flows --json --no-detect FILE > /dev/null',
    timeoutMs: (o) => o.timeoutS * 1000,
  },
  // The same two on one thread (no decode worker, agent/decode/decode-ring.ts), for the comparison.
  {
    name: OURS_ONE_THREAD, repeated: true, exe: 'env',
    args: (file) => [process.execPath, 'dist/cli/main.js', 'flows', '--json', '--decode-thread', 'off', file],
    display: 'node dist/cli/main.js flows --json --decode-thread off FILE > /dev/null',
    timeoutMs: (o) => o.timeoutS * 1000,
  },
  {
    name: OURS_NO_DETECT_ONE_THREAD, repeated: true, exe: 'env',
    args: (file) => [process.execPath, 'dist/cli/main.js', 'flows', '--json', '--no-detect', '--decode-thread', 'off', file],
    display: 'node dist/cli/main.js flows --json --no-detect --decode-thread off FILE > /dev/null',
    timeoutMs: (o) => o.timeoutS * 1000,
  },
  {
    name: NFPCAPD, repeated: true, exe: 'nfpcapd',
    args: (file, scratch) => ['-r', file, '-w', scratch],
    display: 'nfpcapd -r FILE -w TMPDIR',
    timeoutMs: (o) => o.timeoutS * 1000,
  },
  {
    name: ARGUS, repeated: true, exe: 'argus',
    args: (file, scratch) => ['-r', file, '-w', join(scratch, 'out.argus')],
    display: 'argus -r FILE -w TMPDIR/out.argus',
    timeoutMs: (o) => o.timeoutS * 1000,
  },
  {
    name: 'tcpdump (I/O floor)', repeated: true, exe: 'tcpdump',
    args: (file) => ['-r', file, '-w', '/dev/null'],
    display: 'tcpdump -r FILE -w /dev/null',
    timeoutMs: (o) => o.timeoutS * 1000,
  },
  {
    name: 'tshark conv,tcp', repeated: false, exe: 'tshark',
    args: (file) => ['-q', '-z', 'conv,tcp', '-r', file],
    display: 'tshark -q -z conv,tcp -r FILE > /dev/null',
    timeoutMs: () => TSHARK_TIMEOUT_MS,
  },
];

function requiredTools(o: BenchOptions): RequiredTool[] {
  const tools: RequiredTool[] = [
    { exe: 'nfpcapd', debianPackage: 'nfdump' },
    { exe: 'argus', debianPackage: 'argus-server' },
    { exe: 'tcpdump', debianPackage: 'tcpdump' },
  ];
  if (!o.quick) tools.push({ exe: 'tshark', debianPackage: 'tshark' });
  return tools;
}

// --- steps ---

/** Reads the whole file once so every tool starts from the same warm page cache. */
function warmPageCache(path: string): number {
  const began = process.hrtime.bigint();
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(WARM_CHUNK_BYTES);
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0) {
      // discard: only the page cache matters
    }
  } finally {
    closeSync(fd);
  }
  return Number(process.hrtime.bigint() - began) / 1e9;
}

async function tcpdumpCount(file: string): Promise<number | null> {
  const r = await runForOutput('tcpdump', ['-r', file, '--count'], { timeoutMs: COUNT_TIMEOUT_MS });
  const m = /^(\d+) packets?/m.exec(r.stdout);
  return m ? Number(m[1]) : null;
}

async function timedRun(spec: ToolSpec, file: string, o: BenchOptions): Promise<TimedRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'surfacemap-bench-'));
  try {
    return await runTimed(spec.exe, spec.args(file, scratch), { timeoutMs: spec.timeoutMs(o), cwd: o.root });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function failed(r: TimedRun): boolean {
  return r.timedOut || r.signal !== null || r.exitCode !== 0;
}

function failureNote(r: TimedRun, timeoutMs: number): string {
  const why = r.timedOut ? '' : lastLine(r.stderrTail);
  return why ? `${describeExit(r, timeoutMs)}: ${why}` : describeExit(r, timeoutMs);
}

function summarise(spec: ToolSpec, runs: TimedRun[], packets: number | null, o: BenchOptions): ToolResult {
  const bad = runs.find(failed);
  const good = runs.filter((r) => !failed(r));
  const med = good.length ? median(good.map((r) => r.wallS)) : null;
  const cpu = good.filter((r) => r.userS !== null && r.sysS !== null).map((r) => (r.userS ?? 0) + (r.sysS ?? 0));
  const rss = good.map((r) => r.maxRssKB).filter((x): x is number => x !== null);
  return {
    name: spec.name,
    command: spec.display,
    status: bad ? 'failed' : 'ok',
    note: bad ? failureNote(bad, spec.timeoutMs(o)) : null,
    runs: runs.map(({ stderrTail: _tail, ...rest }) => rest),
    medianS: med,
    minS: good.length ? minimum(good.map((r) => r.wallS)) : null,
    cpuMedianS: cpu.length ? median(cpu) : null,
    peakRssMB: rss.length ? Math.max(...rss) / 1024 : null,
    packetsPerS: med && packets ? packets / med : null,
  };
}

/** Round-robin over the repeated tools; a tool that fails stops being repeated. */
async function timeTools(file: string, packets: number | null, o: BenchOptions): Promise<ToolResult[]> {
  const repeated = TOOLS.filter((t) => t.repeated);
  const runs = new Map<string, TimedRun[]>(repeated.map((t) => [t.name, []]));
  for (let round = 1; round <= o.runs; round++) {
    for (const spec of repeated) {
      const list = runs.get(spec.name) ?? [];
      if (list.some(failed)) continue;
      const r = await timedRun(spec, file, o);
      list.push(r);
      o.log(`  round ${round}/${o.runs} ${spec.name.padEnd(20)} ${failed(r) ? describeExit(r, spec.timeoutMs(o)) : `${r.wallS.toFixed(2)} s`}`);
    }
  }
  const results = repeated.map((spec) => summarise(spec, runs.get(spec.name) ?? [], packets, o));
  for (const spec of TOOLS.filter((t) => !t.repeated)) results.push(await runOnce(spec, file, packets, o));
  return results;
}

async function runOnce(spec: ToolSpec, file: string, packets: number | null, o: BenchOptions): Promise<ToolResult> {
  if (o.quick) {
    return {
      name: spec.name, command: spec.display, status: 'skipped', note: '--quick', runs: [],
      medianS: null, minS: null, cpuMedianS: null, peakRssMB: null, packetsPerS: null,
    };
  }
  o.log(`  once       ${spec.name} (up to ${spec.timeoutMs(o) / 1000} s) …`);
  const r = await timedRun(spec, file, o);
  const res = summarise(spec, [r], packets, o);
  if (r.timedOut) res.note = `did not finish within ${spec.timeoutMs(o) / 1000} s`;
  return res;
}

function summaryNumber(summary: string, re: RegExp): number | null {
  const m = re.exec(summary);
  return m ? Number(m[1]) : null;
}

/** One untimed run of ours with stdout read: records and the packets they hold vs tcpdump. */
async function countCheck(file: string, tcpdumpPackets: number | null, o: BenchOptions): Promise<CountCheck> {
  let records = 0;
  let inRecords = 0;
  let badLines = 0;
  const r = await runStreaming(process.execPath, ['dist/cli/main.js', 'flows', '--json', file], { timeoutMs: COUNT_TIMEOUT_MS, cwd: o.root }, (line) => {
    if (line.length === 0) return;
    try {
      const rec = JSON.parse(line) as { orig_pkts?: unknown; resp_pkts?: unknown };
      records++;
      inRecords += Number(rec.orig_pkts ?? 0) + Number(rec.resp_pkts ?? 0);
    } catch {
      badLines++;
    }
  });
  const summary = r.stderrTail.split('\n').filter((l) => l.startsWith('surfacemap:')).join('\n');
  const ok = !r.timedOut && r.signal === null && r.exitCode === 0 && badLines === 0;
  const summaryPackets = summaryNumber(summary, /packets (\d+)/);
  const skipped = summaryNumber(summary, /skipped (\d+)/);
  const match = ok && tcpdumpPackets !== null
    ? inRecords + (skipped ?? 0) === tcpdumpPackets && (summaryPackets === null || summaryPackets === tcpdumpPackets)
    : null;
  let note: string | null = null;
  if (!ok) note = badLines ? `${badLines} stdout lines were not JSON` : [describeExit(r, COUNT_TIMEOUT_MS), r.timedOut ? '' : lastLine(r.stderrTail)].filter(Boolean).join(': ');
  return {
    tcpdumpPackets, ourStatus: ok ? 'ok' : 'failed', ourNote: note,
    ourRecords: ok ? records : null, ourPacketsInRecords: ok ? inRecords : null,
    ourSummaryPackets: summaryPackets, ourSkipped: skipped, ourSummary: summary, match,
  };
}

// --- report ---

function num(x: number | null, digits: number): string {
  return x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

function ratio(tools: ToolResult[], a: string, b: string): number | null {
  const x = tools.find((t) => t.name === a)?.medianS ?? null;
  const y = tools.find((t) => t.name === b)?.medianS ?? null;
  return x !== null && y !== null && y > 0 ? x / y : null;
}

function describeRatio(r: number | null): string {
  if (r === null) return 'n/a';
  return `${r.toFixed(2)}× the time (${r <= 1 ? 'ours faster or equal' : 'ours slower'})`;
}

function toolTable(tools: ToolResult[]): string {
  const rows = tools.map((t) => {
    const runs = t.status === 'skipped' ? '0' : String(t.runs.length);
    if (t.status !== 'ok') return [t.name, '–', '–', '–', '–', '–', runs, `${t.status}${t.note ? ` (${t.note})` : ''}`];
    return [t.name, num(t.medianS, 2), num(t.minS, 2), num(t.cpuMedianS, 2), num(t.peakRssMB, 0), num(t.packetsPerS ? t.packetsPerS / 1e6 : null, 2), runs, t.command];
  });
  return formatTable(['tool', 'median s', 'min s', 'cpu s', 'peak RSS MB', 'M pkt/s', 'runs', 'command / status'], rows);
}

function countLines(c: CountCheck, capture: CaptureInfo | null): string[] {
  const lines = [`count check: tcpdump reads ${c.tcpdumpPackets ?? '?'} packets` + (capture ? ` (generator wrote ${capture.packets}, ${capture.flows} planned conversations)` : '')];
  if (c.ourStatus !== 'ok') {
    lines.push(`  ours: failed (${c.ourNote ?? 'unknown'})`);
    return lines;
  }
  const skipped = c.ourSkipped ?? 0;
  lines.push(`  ours: ${c.ourRecords} flow records holding ${c.ourPacketsInRecords} packets + ${skipped} skipped = ${(c.ourPacketsInRecords ?? 0) + skipped}` +
    ` → ${c.match ? 'matches tcpdump' : 'DOES NOT match tcpdump'}`);
  for (const l of c.ourSummary.split('\n').filter(Boolean)) lines.push(`  ${l}`);
  return lines;
}

// --- the section ---

function describeCapture(o: BenchOptions): { file: string; capture: CaptureInfo | null } {
  if (o.file) return { file: o.file, capture: null };
  const capture = ensureCapture(undefined, undefined, o.log);
  return { file: capture.path, capture };
}

async function runReplay(o: BenchOptions): Promise<SectionResult> {
  const { file, capture } = describeCapture(o);
  const bytes = statSync(file).size;
  const warmS = warmPageCache(file);
  o.log(`replay: ${relative(o.root, file) || file}, ${(bytes / 1e9).toFixed(3)} GB, page cache warmed (read in ${warmS.toFixed(2)} s)`);
  const packets = await tcpdumpCount(file);
  o.log(`replay: ${packets ?? '?'} packets (tcpdump --count); ${o.runs} timed runs per tool, interleaved`);
  const tools = await timeTools(file, packets, o);
  const counts = await countCheck(file, packets, o);
  const ratios = {
    oursVsNfpcapd: ratio(tools, OURS, NFPCAPD),
    oursVsArgus: ratio(tools, OURS, ARGUS),
    // The detection bar: `flows` with detection over `flows --no-detect` (≤ 1.25).
    detectionCost: ratio(tools, OURS, OURS_NO_DETECT),
    // The decode worker's gain: with it over without it.
    workerVsOneThread: ratio(tools, OURS, OURS_ONE_THREAD),
    workerVsOneThreadNoDetect: ratio(tools, OURS_NO_DETECT, OURS_NO_DETECT_ONE_THREAD),
  };
  o.log('');
  o.log(toolTable(tools));
  o.log('');
  o.log(`ours / nfpcapd: ${describeRatio(ratios.oursVsNfpcapd)}`);
  o.log(`ours / argus:   ${describeRatio(ratios.oursVsArgus)}`);
  o.log(`detection on / off: ${describeRatio(ratios.detectionCost)}`);
  o.log(`decode worker / one thread: ${ratios.workerVsOneThread?.toFixed(2) ?? 'n/a'}× (detection on), ${ratios.workerVsOneThreadNoDetect?.toFixed(2) ?? 'n/a'}× (--no-detect)`);
  for (const l of countLines(counts, capture)) o.log(l);
  const problems: string[] = [];
  const ours = tools.find((t) => t.name === OURS);
  if (ours?.status !== 'ok') problems.push(`ours: failed (${ours?.note ?? 'not run'})`);
  for (const t of tools) if (t.name !== OURS && t.status === 'failed') problems.push(`${t.name}: ${t.note ?? 'failed'}`);
  if (counts.match === false) problems.push('packet totals differ from tcpdump');
  if (packets === null) problems.push('tcpdump --count gave no packet count');
  return {
    name: 'replay',
    ok: problems.length === 0,
    problems,
    data: { file, bytes, packets, capture, warmReadS: warmS, runsPerTool: o.runs, tools, ratios, counts },
  };
}

export const replaySection: BenchSection = {
  name: 'replay',
  description: 'pcap → flow records (no store): ours vs nfpcapd, argus, tcpdump copy, tshark conversations',
  requiredTools,
  run: runReplay,
};
