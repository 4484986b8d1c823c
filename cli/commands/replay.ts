// `surfacemap replay FILE... --collector URL --token T`: replay captures through the same pipeline as
// `flows` and ship the records to a collector through the disk spool. Exit 0 only once every batch is
// acknowledged. Also holds the options `agent` shares (collector, token, spool, flow table).
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { checkAgentName, MAX_BATCH_RECORDS } from '../../agent/ship/batcher.js';
import { MAX_NAMES_PER_BATCH } from '../../agent/ship/names.js';
import { ingestUrl } from '../../agent/ship/sender.js';
import {
  DEFAULT_MAX_WAIT_S, DEFAULT_SPOOL_MAX_MB, everythingAcknowledged, shipReplay, type ShipSummary, type ShipTarget,
} from '../../agent/ship/ship-replay.js';
import { nBatches, SpoolLockedError } from '../../agent/ship/spool.js';
import { formatSummary } from './flows.js';
import { addDecodeThreadOption, addFlowOptions, pipelineOptions, positiveInt, positiveNumber, seconds, type FlowFlags } from '../flow-options.js';

export const DEFAULT_SPOOL_DIR = 'surfacemap-spool';
/** Exit codes: 0 every batch acknowledged; 1 some were not (kept, refused or dropped); 2 usage; 3 token/URL refused. */
export const EXIT_NOT_ALL_SENT = 1;
export const EXIT_USAGE = 2;
export const EXIT_REFUSED = 3;

export function addShipOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--collector <url>', 'the surfacemap server, e.g. http://127.0.0.1:7070').env('SURFACEMAP_COLLECTOR'))
    .addOption(
      new Option('--token <token>', 'agent token (or the API token); prefer the environment variable: arguments show in `ps`').env(
        'SURFACEMAP_AGENT_TOKEN',
      ),
    )
    .addOption(new Option('--agent <name>', 'agent name the records are stored under (default: this host\'s name)'))
    .addOption(new Option('--spool <dir>', `directory for batches not yet acknowledged (default ./${DEFAULT_SPOOL_DIR})`).env('SURFACEMAP_SPOOL'))
    .addOption(
      new Option('--spool-max-mb <mb>', 'size bound of the spool; past it the oldest batches are dropped and counted')
        .argParser(positiveNumber('a size in MB'))
        .default(DEFAULT_SPOOL_MAX_MB),
    )
    .addOption(
      new Option('--batch-records <n>', 'records per batch at most (a batch is also sealed after 5 s)')
        .argParser(positiveInt('--batch-records', MAX_BATCH_RECORDS))
        .default(MAX_BATCH_RECORDS),
    );
}

export interface ShipFlags {
  collector?: string;
  token?: string;
  agent?: string;
  spool?: string;
  spoolMaxMb: number;
  batchRecords: number;
}

export function say(line: string): void {
  process.stderr.write(`surfacemap: ${line}\n`);
}

/** Validated shipping target, or a message for the user (never containing the token). */
export function resolveShipTarget(o: ShipFlags): ShipTarget | string {
  if (!o.collector) return 'no collector: pass --collector URL or set SURFACEMAP_COLLECTOR';
  try {
    ingestUrl(o.collector);
  } catch (err) {
    return (err as Error).message;
  }
  // SURFACEMAP_AGENT_TOKEN may list several tokens for the server (comma-separated); an agent sends one.
  const token = (o.token ?? '').split(',').map((t) => t.trim()).find((t) => t !== '');
  if (!token) return 'no token: set SURFACEMAP_AGENT_TOKEN (or pass --token)';
  if (/\s/.test(token)) return 'the token must not contain spaces';
  const agent = o.agent ?? hostname();
  const bad = checkAgentName(agent);
  if (bad) return `--agent: ${bad}`;
  return {
    collector: o.collector,
    token,
    agent,
    spoolDir: resolve(o.spool ?? DEFAULT_SPOOL_DIR),
    spoolMaxBytes: Math.floor(o.spoolMaxMb * 1024 * 1024),
    batchRecords: o.batchRecords,
    log: say,
  };
}

/** Lines about what reached the collector and what is left, and the exit code they mean. */
export function describeShipping(s: ShipSummary, target: { collector: string; spoolMaxBytes: number }): { lines: string[]; exitCode: number } {
  const lines: string[] = [];
  const c = s.sender;
  const secs = s.elapsedMs / 1000;
  lines.push(
    `shipped ${c.ackedRecords} records in ${nBatches(c.ackedBatches)} to ${ingestUrl(target.collector)}` +
      (c.duplicateBatches ? ` (${c.duplicateBatches} already stored: not counted twice)` : '') +
      (c.retries ? `, ${c.retries} retries` : '') +
      (secs > 0 ? `, ${(c.ackedRecords / secs).toFixed(0)} records/s overall` : ''),
  );
  if (s.leftover.batches > 0) lines.push(`  of which ${nBatches(s.leftover.batches)} (${s.leftover.records} records) were left by an earlier run`);
  if (s.sealed.names > 0) {
    lines.push(`batched ${s.sealed.names} IP → name pairs from ${s.names.answers} DNS answers with the records (the collector's names table)`);
  }
  if (s.names.dropped > 0) {
    lines.push(`${s.names.dropped} DNS answers not shipped: a batch holds at most ${MAX_NAMES_PER_BATCH} distinct IP → name pairs`);
  }
  const left = s.spool.left;
  const sp = s.spool;
  if (sp.droppedBatches > 0) {
    lines.push(
      `the spool bound (--spool-max-mb ${(target.spoolMaxBytes / 1024 / 1024).toFixed(3).replace(/\.?0+$/, '')}) dropped ` +
        `${nBatches(sp.droppedBatches)} (${sp.droppedRecords} records) unsent, oldest first`,
    );
  }
  if (sp.lostBatches > 0) {
    lines.push(`${nBatches(sp.lostBatches)} (${sp.lostRecords} records) could not be written to the spool ${sp.dir} and are lost`);
  }
  if (sp.rejectedBatches > 0) {
    lines.push(`${nBatches(sp.rejectedBatches)} (${sp.rejectedRecords} records) refused by the collector, kept in ${sp.dir}/rejected/ (reasons in *.reason.txt)`);
  }
  let exitCode = everythingAcknowledged(s) ? 0 : EXIT_NOT_ALL_SENT;
  const kept = `${nBatches(left.batches)} (${left.records} records, ${(left.bytes / 1024 / 1024).toFixed(1)} MB) kept in ${sp.dir}`;
  const again = `run \`surfacemap replay --spool ${sp.dir}\` (files optional) or \`surfacemap agent\` with that spool to send them`;
  switch (s.outcome.reason) {
    case 'done':
      if (left.batches > 0) lines.push(`${kept}; ${again}`);
      break;
    case 'gave-up':
      lines.push(`gave up: ${s.outcome.message}; ${kept}; ${again}`);
      break;
    case 'fatal':
      lines.push(`stopped: ${s.outcome.message}; ${kept}`);
      exitCode = EXIT_REFUSED;
      break;
    case 'stopped':
      if (left.batches > 0) lines.push(`stopped before every batch was acknowledged; ${kept}; ${again}`);
      break;
  }
  return { lines, exitCode };
}

interface ReplayFlags extends ShipFlags, FlowFlags {
  maxWait: number;
  progress?: boolean;
}

export function replayCommand(): Command {
  const cmd = new Command('replay')
    .description('Replay pcap/pcapng files through the flow pipeline (as `flows`) and send the records to a collector')
    .argument('[files...]', 'capture files, read in order as one capture; none = only send what the spool holds')
    .addOption(
      new Option('--max-wait <s>', 'give up after this many seconds without an answer from the collector (the spool is kept)')
        .argParser(seconds)
        .default(DEFAULT_MAX_WAIT_S),
    )
    .option('--progress', 'show a progress bar on stderr (only when stderr is a terminal)');
  addShipOptions(cmd);
  addDecodeThreadOption(addFlowOptions(cmd));
  return cmd.action(async (files: string[], o: ReplayFlags) => {
    for (const f of files) {
      if (!existsSync(f)) {
        say(`no such file: ${f}`);
        process.exitCode = EXIT_USAGE;
        return;
      }
    }
    const target = resolveShipTarget(o);
    if (typeof target === 'string') {
      say(target);
      process.exitCode = EXIT_USAGE;
      return;
    }
    let bar: cliProgress.SingleBar | undefined;
    if (o.progress && process.stderr.isTTY && files.length > 0) {
      bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: 'replay |{bar}| {percentage}% {value}/{total} MB | eta {eta}s', hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(1, 0);
    }
    // Ctrl-C while sending: stop, say what is kept (the walk itself is synchronous and finishes first).
    const interrupted = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      say(`${signal}: stopping; batches not yet acknowledged stay in the spool`);
      interrupted.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let result;
    try {
      result = await shipReplay(files, {
        signal: interrupted.signal,
        ...pipelineOptions(o),
        ...target,
        maxWaitS: o.maxWait,
        onProgress: bar
          ? (done, total) => {
              bar.setTotal(Math.ceil(total / 1e6));
              bar.update(Math.floor(done / 1e6));
            }
          : undefined,
      });
    } catch (err) {
      bar?.stop();
      if (err instanceof SpoolLockedError) {
        say(err.message);
        process.exitCode = EXIT_USAGE;
        return;
      }
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    bar?.stop();
    if (files.length > 0) process.stderr.write(formatSummary(result.replay));
    const { lines, exitCode } = describeShipping(result, target);
    for (const l of lines) say(l);
    process.exitCode = result.replay.errors.length > 0 && exitCode === 0 ? EXIT_NOT_ALL_SENT : exitCode;
  });
}
