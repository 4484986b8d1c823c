// Replays capture files through one pipeline (consecutive files continue each other's flows).
import { statSync } from 'node:fs';
import type { FlowRecord } from '../common/flow-record.js';
import { readCaptureFile } from './capture/read-file.js';
import { createFlowPipeline, skippedByReason, type PipelineOptions } from './pipeline.js';
import type { FlowTableStats } from './flows/flow-table.js';

export interface ReplaySummary {
  files: number;
  packets: number;
  decoded: number;
  sampledOut: number;
  skipped: Record<string, number>;
  flows: FlowTableStats;
  /** Files that stopped early, with the reader's explanation. */
  errors: { file: string; error: string }[];
  elapsedMs: number;
}

export interface ReplayOptions extends PipelineOptions {
  /** Bytes consumed across all files, and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Let the event loop run between read chunks (replay with shipping: the sender works meanwhile). */
  yieldBetweenChunks?: boolean;
}

export async function replayFiles(
  paths: readonly string[],
  opts: ReplayOptions,
  onFlow: (r: FlowRecord) => void,
): Promise<ReplaySummary> {
  const started = performance.now();
  const sizes = paths.map((p) => statSync(p).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const pipeline = createFlowPipeline(opts, onFlow);
  const errors: ReplaySummary['errors'] = [];
  let before = 0;
  for (let i = 0; i < paths.length; i++) {
    const file = paths[i]!;
    const base = before;
    const onProgress = opts.onProgress;
    const res = await readCaptureFile(file, pipeline.sink, {
      onProgress: onProgress ? (done) => onProgress(base + done, total) : undefined,
      yieldBetweenChunks: opts.yieldBetweenChunks,
    });
    if (res.error) errors.push({ file, error: res.error });
    before += sizes[i]!;
  }
  pipeline.finish();
  const c = pipeline.counters;
  return {
    files: paths.length,
    packets: c.packets,
    decoded: c.decoded,
    sampledOut: c.sampledOut,
    skipped: skippedByReason(c),
    flows: { ...pipeline.table.stats },
    errors,
    elapsedMs: performance.now() - started,
  };
}
