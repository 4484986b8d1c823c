// Packets → decode → flow table: the sink every packet source feeds.
import type { FlowRecord } from '../common/flow-record.js';
import type { PacketSink } from './capture/source.js';
import { createFileDecoder } from './decode/decode-ring.js';
import { decodePacket } from './decode/decode-packet.js';
import { createDecodedPacket, MAX_TS_US, SKIP_REASONS, Skip } from './decode/packet.js';
import { createFlowTable, DEFAULT_FLOW_TABLE_OPTIONS, type FlowInspector, type FlowTable, type FlowTableOptions } from './flows/flow-table.js';
import { createDetector, type OnName } from './detect/index.js';

export interface PipelineOptions extends Partial<FlowTableOptions> {
  /** Seed for the sampling PRNG (tests); sampling itself is `sampling` (1 = every packet). */
  samplingSeed?: number;
  /** Payload inspection (protocol/auth detection); none when absent. Takes precedence over `detect`. */
  inspector?: FlowInspector | null;
  /** Build the protocol/auth detector (agent/detect) as the inspector; off unless true. */
  detect?: boolean;
  /** With `detect`: called for each IP → name pair seen in DNS answers. */
  onName?: OnName | null;
  /** Decode files on a worker thread: true always, false never, absent by file size (≥ 64 MB). */
  decodeWorker?: boolean;
}

export interface PipelineCounters {
  /** Packet records handed to the pipeline. */
  packets: number;
  /** Packets left out by 1-in-N sampling. */
  sampledOut: number;
  /** Packets accounted to flows. */
  decoded: number;
  /** Skipped packets by reason (index = Skip code). */
  skipped: Float64Array;
}

export interface FlowPipeline {
  sink: PacketSink;
  table: FlowTable;
  counters: PipelineCounters;
  /** Export the flows still open (end of input). */
  finish(): void;
}

/** How often (in packets) idle flows are looked for; expiry itself only inspects list heads. */
const EXPIRE_EVERY = 1024;
const SKIP_BAD_TIMESTAMP = Skip['bad-timestamp'];

export function createFlowPipeline(opts: PipelineOptions, onFlow: (r: FlowRecord) => void): FlowPipeline {
  const inspector =
    opts.inspector != null
      ? opts.inspector
      : opts.detect === true
        ? createDetector({ maxFlows: opts.maxFlows ?? DEFAULT_FLOW_TABLE_OPTIONS.maxFlows, onName: opts.onName ?? null })
        : null;
  const table = createFlowTable(opts, onFlow, inspector);
  const sampling = opts.sampling ?? 1;
  const pkt = createDecodedPacket();
  const counters: PipelineCounters = {
    packets: 0,
    sampledOut: 0,
    decoded: 0,
    skipped: new Float64Array(SKIP_REASONS.length),
  };
  // xorshift32: 1-in-N random sampling (sFlow-style), cheap and allocation-free.
  let rng = (opts.samplingSeed ?? 0x2545f491) | 0 || 1;
  const threshold = sampling > 1 ? Math.floor(0x100000000 / sampling) : 0;
  let sinceExpire = 0;

  const sink: PacketSink = {
    packet(buf, off, capLen, wireLen, tsUs, linktype) {
      counters.packets++;
      if (threshold !== 0) {
        rng ^= rng << 13;
        rng ^= rng >>> 17;
        rng ^= rng << 5;
        if (rng >>> 0 >= threshold) {
          counters.sampledOut++;
          return;
        }
      }
      // Written so that NaN lands here too.
      if (!(tsUs >= 0 && tsUs <= MAX_TS_US)) {
        counters.skipped[SKIP_BAD_TIMESTAMP]++;
        return;
      }
      const reason = decodePacket(pkt, buf, off, capLen, wireLen, linktype);
      if (reason !== Skip.ok) {
        counters.skipped[reason]++;
        return;
      }
      pkt.tsUs = tsUs;
      counters.decoded++;
      table.add(pkt);
      if (++sinceExpire === EXPIRE_EVERY) {
        sinceExpire = 0;
        table.expire(tsUs);
      }
    },
  };

  // Large files are read, walked and decoded on a worker thread (agent/decode/decode-ring.ts); its packets
  // come in here, with the same steps as packet() after decodePacket. Only without sampling, whose PRNG
  // must see every record in order.
  if (threshold === 0 && opts.decodeWorker !== false) {
    sink.readFile = createFileDecoder({
      packet(p) {
        counters.packets++;
        counters.decoded++;
        table.add(p);
        if (++sinceExpire === EXPIRE_EVERY) {
          sinceExpire = 0;
          table.expire(p.tsUs);
        }
      },
      skipped(reason, count) {
        counters.packets += count;
        counters.skipped[reason] += count;
      },
    }, opts.decodeWorker);
  }

  return { sink, table, counters, finish: () => table.flush() };
}

/** Skip counters as `{ reason: count }`, non-zero only. */
export function skippedByReason(c: PipelineCounters): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 1; i < SKIP_REASONS.length; i++) if (c.skipped[i]! > 0) out[SKIP_REASONS[i]!] = c.skipped[i]!;
  return out;
}
