// `surfacemap replay` and `start --demo`: capture files → the flow pipeline (as `flows`) → batches in
// the spool → the collector. Batches an earlier run left in the spool go first.
//
// With detection on (`detect`), the IP → name pairs of DNS A/AAAA answers go out in the same batches
// (batcher.addName), for the collector's `names` table.
//
// NOTE: the file walk gives the event loop a turn after every ~2 MiB chunk, so the sender puts sealed
// batches on the wire while the rest of the file is read (reading and inserting overlap).
import type { ReplayOptions, ReplaySummary } from '../replay.js';
import type { FlowRecord } from '../../common/flow-record.js';
import { replayFiles } from '../replay.js';
import type { OnName } from '../detect/index.js';
import { createBatcher, MAX_BATCH_RECORDS, type Batcher } from './batcher.js';
import type { NameCounters } from './names.js';
import { createSender, type SenderCounters, type SenderResult } from './sender.js';
import { nBatches, openSpool, type SpoolCounters } from './spool.js';

export const DEFAULT_MAX_WAIT_S = 300;
export const DEFAULT_SPOOL_MAX_MB = 512;
/**
 * Replay seals a batch early at this many records when the sender has a free slot (sender.wantsMore):
 * with 50 000-record batches only, the 2 M-packet capture's 101 159 records left a whole batch to be
 * decoded and inserted after the file was read; see docs/benchmarks.md (ingest, 2026-11-28). 25 000,
 * not 10 000: every insert costs the engine ~50–70 ms of CPU on top of its rows (the flows part, four
 * materialized views, and the merges of the parts they leave), so this capture goes out in ~5 batches
 * instead of 8–10, ~0.3–0.5 CPU s less on the collector (server/collector/measure-ingest.ts).
 */
export const EARLY_SEAL_RECORDS = 25_000;

export interface ShipTarget {
  collector: string;
  token: string;
  agent: string;
  spoolDir: string;
  spoolMaxBytes: number;
  /** Records per batch (≤ 50 000). */
  batchRecords?: number;
  log: (message: string) => void;
}

export interface ShipReplayOptions extends ReplayOptions, ShipTarget {
  /** Give up after this many seconds without an answer from the collector. */
  maxWaitS: number;
  /** Seal a batch at this many records when the sender has a free slot (default EARLY_SEAL_RECORDS; 0 = never early). */
  earlySealRecords?: number;
  /** Progress lines (files read, what is left to send); default `log`. */
  info?: (message: string) => void;
  /** Aborting it stops sending (SIGINT); what is not acknowledged stays in the spool. */
  signal?: AbortSignal;
  /** Rewrites each record before it is batched (the demo moves old captures to the present). */
  transform?: (record: FlowRecord) => FlowRecord;
  /** Rewrites the capture time (µs) of each DNS answer before it is batched, as `transform` does for records. */
  transformNameTime?: (tsUs: number) => number;
}

export interface ShipSummary {
  outcome: SenderResult;
  sender: SenderCounters;
  spool: SpoolCounters & { dir: string; left: { batches: number; records: number; bytes: number } };
  /** What an earlier run had left in the spool when this one started. */
  leftover: { batches: number; records: number };
  /** What this run put into the spool ((ip, name) pairs from DNS answers in `names`). */
  sealed: { batches: number; records: number; names: number };
  /** DNS answers seen: added to batches, dropped (a batch's name map was full), refused (no host name). */
  names: NameCounters;
  elapsedMs: number;
}

/** The ShipSummary of a run once its sender has finished (shared by replay and the live agent). */
export function shipSummary(
  outcome: SenderResult,
  sender: { counters: SenderCounters },
  spool: { counters: SpoolCounters; dir: string; backlog(): ShipSummary['spool']['left'] },
  leftover: ShipSummary['leftover'],
  batcher: { sealed: ShipSummary['sealed']; names: Readonly<NameCounters> },
  started: number,
): ShipSummary {
  return {
    outcome,
    sender: { ...sender.counters },
    spool: { ...spool.counters, dir: spool.dir, left: spool.backlog() },
    leftover: { batches: leftover.batches, records: leftover.records },
    sealed: { ...batcher.sealed },
    names: { ...batcher.names },
    elapsedMs: performance.now() - started,
  };
}

export interface ShipReplayResult extends ShipSummary {
  replay: ReplaySummary;
}

/** True when every batch reached the collector: nothing left, nothing refused, nothing dropped. */
export function everythingAcknowledged(s: ShipSummary): boolean {
  const sp = s.spool;
  return s.outcome.reason === 'done' && sp.left.batches === 0 && sp.rejectedBatches === 0 && sp.droppedBatches === 0 && sp.lostBatches === 0;
}

/** With detection on: the pipeline's onName, feeding the batcher (and the caller's own onName, if any). */
export function shipNames(
  opts: { detect?: boolean; onName?: OnName | null; transformNameTime?: (tsUs: number) => number },
  batcher: Pick<Batcher, 'addName'>,
): OnName | null {
  if (opts.detect !== true) return opts.onName ?? null;
  const theirs = opts.onName ?? null;
  const time = opts.transformNameTime;
  return (ip, name, tsUs) => {
    batcher.addName(ip, name, time === undefined ? tsUs : time(tsUs));
    theirs?.(ip, name, tsUs);
  };
}

export async function shipReplay(files: readonly string[], opts: ShipReplayOptions): Promise<ShipReplayResult> {
  const started = performance.now();
  const spool = openSpool(opts.spoolDir, { maxBytes: opts.spoolMaxBytes });
  try {
    if (spool.counters.staleTempFiles > 0) {
      opts.log(`spool ${spool.dir}: deleted ${spool.counters.staleTempFiles} half-written batch file(s) of a run that was killed`);
    }
    const leftover = spool.backlog();
    if (leftover.batches > 0) {
      opts.log(`spool ${spool.dir}: sending ${nBatches(leftover.batches)} (${leftover.records} records) left by an earlier run first`);
    }
    let packets = 0;
    const sender = createSender({
      collector: opts.collector,
      token: opts.token,
      spool,
      // Known once the files are read (the walk holds the thread; see NOTE above).
      stats: () => ({ packets, dropped: 0, namesDropped: batcher.names.dropped }),
      log: opts.log,
      maxWaitMs: opts.maxWaitS * 1000,
    });
    const batcher = createBatcher(
      spool,
      {
        agent: opts.agent,
        maxRecords: opts.batchRecords ?? MAX_BATCH_RECORDS,
        // A batch still being compressed is not in the spool yet: the sender has it coming.
        sealEarly: opts.earlySealRecords === 0
          ? undefined
          : { minRecords: opts.earlySealRecords ?? EARLY_SEAL_RECORDS, when: () => batcher.sealing === 0 && sender.wantsMore() },
        // This thread reads the capture; gzip runs beside it (batcher.ts).
        compressOffThread: true,
      },
      () => sender.notify(),
      (err, records) => opts.log(`could not write a batch to the spool, ${records} records lost: ${err.message}`),
    );
    const sending = sender.run();
    opts.signal?.addEventListener('abort', () => sender.stop(), { once: true });
    if (opts.signal?.aborted) sender.stop();
    // Give the sender one turn to put the leftovers on the wire before the walk holds the thread.
    await new Promise((r) => setImmediate(r));
    let replay: ReplaySummary;
    try {
      const transform = opts.transform;
      replay = await replayFiles(
        files,
        { ...opts, yieldBetweenChunks: true, onName: shipNames(opts, batcher) },
        transform === undefined ? (r) => batcher.add(r) : (r) => batcher.add(transform(r)),
      );
    } catch (err) {
      sender.stop();
      await sending;
      throw err;
    } finally {
      batcher.seal();
      // Every sealed batch in the spool before the sender is told it has them all (or stopped).
      await batcher.flush();
    }
    packets = replay.packets;
    if (files.length > 0) {
      const b = spool.backlog();
      (opts.info ?? opts.log)(
        `read ${files.length} file(s): ${batcher.sealed.records} records in ${nBatches(batcher.sealed.batches)}; ` +
          `${nBatches(b.batches)} (${b.records} records) left to send`,
      );
    }
    sender.finish();
    const outcome = await sending;
    return { replay, ...shipSummary(outcome, sender, spool, leftover, batcher, started) };
  } finally {
    spool.close();
  }
}
