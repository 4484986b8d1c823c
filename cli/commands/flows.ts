// `surfacemap flows FILE...`: replay captures, print flow records, summary on stderr.
import { Command } from 'commander';
import type cliProgress from 'cli-progress';
import type { FlowRecord } from '../../common/flow-record.js';
import { flowRecordToJson } from '../../common/flow-json.js';
import { replayFiles, type ReplaySummary } from '../../agent/replay.js';
import { createLineWriter } from '../output.js';
import { addDecodeThreadOption, addFlowOptions, pipelineOptions } from '../flow-options.js';
import { existsSync } from 'node:fs';

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
  const cmd = new Command('flows')
    .description('Read pcap/pcapng files and print one bidirectional flow record per line')
    .argument('<files...>', 'capture files (pcap or pcapng), read in order as one capture')
    .option('--json', 'print NDJSON (one FlowRecord object per line) instead of a tab-separated table')
    .option('--progress', 'show a progress bar on stderr (only when stderr is a terminal)');
  return addDecodeThreadOption(addFlowOptions(cmd)).action(async (files: string[], o) => {
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
        // Loaded only for a progress bar: most runs (pipes, CI, benchmarks) never draw one.
        const { default: progress } = await import('cli-progress');
        bar = new progress.SingleBar(
          { stream: process.stderr, format: 'replay |{bar}| {percentage}% {value}/{total} MB | eta {eta}s', hideCursor: true },
          progress.Presets.shades_classic,
        );
        bar.start(1, 0);
      }
      const summary = await replayFiles(
        files,
        {
          ...pipelineOptions(o),
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
