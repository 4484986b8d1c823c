// `surfacemap flows FILE...`: replay captures, print flow records, summary on stderr.
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import type { FlowRecord } from '../../common/flow-record.js';
import { flowRecordToJson } from '../../common/flow-json.js';
import { DEFAULT_FLOW_TABLE_OPTIONS } from '../../agent/flows/flow-table.js';
import { replayFiles, type ReplaySummary } from '../../agent/replay.js';
import { createLineWriter } from '../output.js';
import { existsSync } from 'node:fs';

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1`);
    return n;
  };
}

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number of seconds > 0');
  return n;
}

const TEXT_HEADER = ['start', 'proto', 'src', 'sport', 'dst', 'dport', 'state', 'orig_pkts', 'resp_pkts', 'orig_ip_bytes', 'resp_ip_bytes', 'history', 'end_reason'];

function textLine(r: FlowRecord): string {
  return [r.start, r.proto, r.src, r.sport, r.dst, r.dport, r.state, r.orig_pkts, r.resp_pkts, r.orig_ip_bytes, r.resp_ip_bytes, r.history || '-', r.end_reason].join('\t');
}

export function formatSummary(s: ReplaySummary): string {
  const secs = s.elapsedMs / 1000;
  const rate = secs > 0 ? s.packets / secs : 0;
  const skippedTotal = Object.values(s.skipped).reduce((a, b) => a + b, 0);
  const skipped = skippedTotal
    ? ` (${Object.entries(s.skipped).map(([k, v]) => `${k} ${v}`).join(', ')})`
    : '';
  const lines = [
    `packets ${s.packets}, in flows ${s.decoded}, skipped ${skippedTotal}${skipped}` +
      (s.sampledOut ? `, sampled out ${s.sampledOut}` : ''),
    `flows ${s.flows.emitted} records, peak table ${s.flows.peakActive}, evicted ${s.flows.evicted}, first fragments ${s.flows.fragments}`,
    `elapsed ${secs.toFixed(3)} s, ${(rate / 1e6).toFixed(2)} M packets/s`,
  ];
  for (const e of s.errors) lines.push(`error: ${e.file}: ${e.error}`);
  return lines.map((l) => `surfacemap: ${l}`).join('\n') + '\n';
}

export function flowsCommand(): Command {
  return new Command('flows')
    .description('Read pcap/pcapng files and print one bidirectional flow record per line')
    .argument('<files...>', 'capture files (pcap or pcapng), read in order as one capture')
    .option('--json', 'print NDJSON (one FlowRecord object per line) instead of a tab-separated table')
    .option('--progress', 'show a progress bar on stderr (only when stderr is a terminal)')
    .addOption(new Option('--max-flows <n>', 'hard cap on flows held in memory; the least recently seen is exported early past it').argParser(positiveInt('--max-flows')).default(DEFAULT_FLOW_TABLE_OPTIONS.maxFlows))
    .addOption(new Option('--idle-tcp <s>', 'TCP inactivity timeout, seconds').argParser(seconds).default(DEFAULT_FLOW_TABLE_OPTIONS.idleTcpS))
    .addOption(new Option('--idle-udp <s>', 'UDP inactivity timeout, seconds').argParser(seconds).default(DEFAULT_FLOW_TABLE_OPTIONS.idleUdpS))
    .addOption(new Option('--idle-icmp <s>', 'ICMP inactivity timeout, seconds').argParser(seconds).default(DEFAULT_FLOW_TABLE_OPTIONS.idleIcmpS))
    .addOption(new Option('--active-timeout <s>', 'export long flows every this many seconds').argParser(seconds).default(DEFAULT_FLOW_TABLE_OPTIONS.activeTimeoutS))
    .addOption(new Option('--sample <n>', 'keep 1 in N packets at random; counters are scaled by N').argParser(positiveInt('--sample')).default(1))
    .option('--no-detect', 'skip protocol, encryption and auth detection (no app/auth/encryption labels)')
    .action(async (files: string[], o) => {
      for (const f of files) {
        if (!existsSync(f)) {
          process.stderr.write(`surfacemap: no such file: ${f}\n`);
          process.exitCode = 2;
          return;
        }
      }
      const out = createLineWriter(1);
      if (!o.json) out.line(TEXT_HEADER.join('\t'));
      let bar: cliProgress.SingleBar | undefined;
      if (o.progress && process.stderr.isTTY) {
        bar = new cliProgress.SingleBar(
          { stream: process.stderr, format: 'replay |{bar}| {percentage}% {value}/{total} MB | eta {eta}s', hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(1, 0);
      }
      const summary = await replayFiles(
        files,
        {
          maxFlows: o.maxFlows,
          idleTcpS: o.idleTcp,
          idleUdpS: o.idleUdp,
          idleIcmpS: o.idleIcmp,
          activeTimeoutS: o.activeTimeout,
          sampling: o.sample,
          detect: o.detect,
          onProgress: bar
            ? (done, total) => {
                bar.setTotal(Math.ceil(total / 1e6));
                bar.update(Math.floor(done / 1e6));
              }
            : undefined,
        },
        o.json ? (r) => out.line(flowRecordToJson(r)) : (r) => out.line(textLine(r)),
      );
      out.flush();
      bar?.stop();
      process.stderr.write(formatSummary(summary));
      if (summary.errors.length > 0) process.exitCode = 1;
    });
}
