// `surfacemap agent`: live capture → the flow pipeline → batches in the spool → the collector, until
// stop() (SIGINT/SIGTERM): then the flow table and the open batch go to the spool and the sender gets
// a few seconds to deliver them; what it cannot deliver stays spooled for the next run. With detection
// (the default) the IP → name pairs of DNS answers ride in the same batches.
import { openLiveCapture, type LiveCapture, type LiveCaptureOptions } from '../capture/live.js';
import { createFlowPipeline, type PipelineOptions } from '../pipeline.js';
import { createBatcher, MAX_BATCH_RECORDS } from './batcher.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { createSender, type SenderResult } from './sender.js';
import { nBatches, openSpool } from './spool.js';
import { shipNames, shipSummary, type ShipSummary, type ShipTarget } from './ship-replay.js';

/** How often idle flows are expired and an old open batch is sealed, with no packets needed. */
export const TICK_MS = 1_000;
/**
 * The expiry clock runs this far behind the wall clock: a packet is handed to us up to the capture's
 * delivery timeout (100 ms) after its kernel timestamp, later when the event loop is busy.
 */
const CLOCK_SLACK_US = 1_000_000;
export const DEFAULT_SHUTDOWN_WAIT_MS = 5_000;
/** A long-lived agent backs off up to a minute between attempts. */
const LIVE_BACKOFF = { ...DEFAULT_BACKOFF, capMs: 60_000 };

export interface ShipLiveOptions extends ShipTarget, Omit<LiveCaptureOptions, 'onError'>, PipelineOptions {
  /** After stop(), how long the sender may keep trying before the rest is left in the spool. */
  shutdownWaitMs?: number;
  /** A status line this often (0 = never). */
  statusEveryMs?: number;
}

export interface LiveAgentSummary extends ShipSummary {
  packets: number;
  /** Kernel drops (pcap_stats ps_drop + ps_ifdrop). */
  dropped: number;
  flows: { emitted: number; evicted: number; peakActive: number };
  /** The capture stopped on its own (an error), not through stop(). */
  captureError: string | null;
}

export interface LiveAgent {
  readonly capture: LiveCapture;
  /** Flushes, sends for up to shutdownWaitMs, releases the spool. Idempotent. */
  stop(): Promise<LiveAgentSummary>;
  /**
   * Resolves when the agent ends by itself: the sender hit a fatal answer (token refused) or the
   * capture failed. stop() has then already been called.
   */
  readonly ended: Promise<LiveAgentSummary>;
}

export function startLiveAgent(opts: ShipLiveOptions): LiveAgent {
  const started = performance.now();
  const spool = openSpool(opts.spoolDir, { maxBytes: opts.spoolMaxBytes });
  const leftover = spool.backlog();
  let capture: LiveCapture | undefined;
  let captureError: string | null = null;
  try {
    if (spool.counters.staleTempFiles > 0) {
      opts.log(`spool ${spool.dir}: deleted ${spool.counters.staleTempFiles} half-written batch file(s) of a run that was killed`);
    }
    if (leftover.batches > 0) {
      opts.log(`spool ${spool.dir}: ${nBatches(leftover.batches)} (${leftover.records} records) left by an earlier run go first`);
    }
    const kernel = () => {
      if (!capture) return { dropped: 0 };
      const s = capture.stats();
      return { dropped: s.dropped + s.ifDropped };
    };
    const sender = createSender({
      collector: opts.collector,
      token: opts.token,
      spool,
      stats: () => ({ packets: pipeline.counters.packets, dropped: kernel().dropped, namesDropped: batcher.names.dropped }),
      log: opts.log,
      backoff: LIVE_BACKOFF,
    });
    const batcher = createBatcher(
      spool,
      { agent: opts.agent, maxRecords: opts.batchRecords ?? MAX_BATCH_RECORDS },
      () => sender.notify(),
      (err, records) => opts.log(`could not write a batch to the spool, ${records} records lost: ${err.message}`),
    );
    // Detection on by default; then DNS answers' IP → name pairs go out with the records.
    const detect = opts.detect ?? true;
    const pipeline = createFlowPipeline({ ...opts, detect, onName: shipNames({ ...opts, detect }, batcher) }, (r) => batcher.add(r));

    let stopping: Promise<LiveAgentSummary> | null = null;
    let endedResolve!: (s: LiveAgentSummary) => void;
    const ended = new Promise<LiveAgentSummary>((r) => (endedResolve = r));

    // Opened before anything starts running, so a bad interface or filter leaves nothing behind.
    capture = openLiveCapture(
      {
        iface: opts.iface,
        filter: opts.filter,
        snaplen: opts.snaplen,
        bufferSizeMb: opts.bufferSizeMb,
        promisc: opts.promisc,
        timeoutMs: opts.timeoutMs,
        onError: (err) => {
          captureError = err.message;
          opts.log(`capture stopped: ${err.message}`);
          void stop().then(endedResolve);
        },
      },
      pipeline.sink,
    );
    const cap = capture;

    const tick = setInterval(() => {
      pipeline.table.expire(Date.now() * 1000 - CLOCK_SLACK_US);
      batcher.sealIfDue();
    }, TICK_MS);
    let lastStatus = '';
    const statusTimer =
      (opts.statusEveryMs ?? 0) > 0
        ? setInterval(() => {
            const b = spool.backlog();
            const line =
              `packets ${pipeline.counters.packets} (kernel drops ${kernel().dropped}), flows open ${pipeline.table.stats.active}, ` +
              `records ${batcher.sealed.records + batcher.openRecords}, acknowledged ${sender.counters.ackedRecords}, spooled ${nBatches(b.batches)}`;
            if (line !== lastStatus) opts.log(line);
            lastStatus = line;
          }, opts.statusEveryMs)
        : null;
    const sending = sender.run();

    const stop = (): Promise<LiveAgentSummary> => {
      if (stopping) return stopping;
      stopping = (async () => {
        clearInterval(tick);
        if (statusTimer) clearInterval(statusTimer);
        cap.close(); // final kernel counters are kept
        pipeline.finish();
        batcher.seal();
        sender.finish();
        const waitMs = opts.shutdownWaitMs ?? DEFAULT_SHUTDOWN_WAIT_MS;
        const timer = setTimeout(() => sender.stop(), waitMs);
        const outcome: SenderResult = await sending;
        clearTimeout(timer);
        const k = cap.stats();
        const summary: LiveAgentSummary = {
          ...shipSummary(outcome, sender, spool, leftover, batcher, started),
          packets: pipeline.counters.packets,
          dropped: k.dropped + k.ifDropped,
          flows: { emitted: pipeline.table.stats.emitted, evicted: pipeline.table.stats.evicted, peakActive: pipeline.table.stats.peakActive },
          captureError,
        };
        spool.close();
        return summary;
      })();
      return stopping;
    };

    // A fatal answer (token refused, wrong URL) ends the agent; it does not capture into a spool that
    // can never drain.
    void sending.then((r) => {
      if (r.reason === 'fatal') {
        opts.log(`stopping: ${r.message}`);
        void stop().then(endedResolve);
      }
    });

    return { capture: cap, stop, ended };
  } catch (err) {
    capture?.close();
    spool.close();
    throw err;
  }
}
