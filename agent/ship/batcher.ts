// Flow records → batches in the spool. A batch is sealed at `maxRecords` records or when its first
// record is `maxAgeMs` old (Akvorado's flush policy: ≤ 50 000 rows or 5 s), whichever comes first.
// Replay also seals early (`sealEarly`) once a batch is big enough and the sender has nothing to do.
// Records are serialised and gzipped as they arrive, a chunk at a time, so an open batch holds
// compressed bytes (~3 MB for 50 000 records) rather than 50 000 objects; sealing writes the file.
// IP → name pairs from DNS answers (`addName`) join the open batch, aggregated per pair (names.ts), and
// go out in its `names` field; a batch may hold names and no records.
import { randomBytes } from 'node:crypto';
import { gzip, gzipSync } from 'node:zlib';
import type { FlowRecord } from '../../common/flow-record.js';
import { flowRecordToJson } from '../../common/flow-json.js';
import { createNameAggregator, MAX_NAMES_PER_BATCH, namesToJson, type NameCounters } from './names.js';
import type { Spool, SpoolEntry } from './spool.js';

/** The collector's limit per batch (server/collector/ingest-batch.ts MAX_BATCH_RECORDS). */
export const MAX_BATCH_RECORDS = 50_000;
export const DEFAULT_BATCH_AGE_MS = 5_000;
/** Records per gzip member: ~1 MB of JSON, ~5 ms to compress. */
const CHUNK_RECORDS = 2_000;
/** Initial size of the text buffer: a member's JSON (~1 MB with labels); it grows when needed. */
const TEXT_BUFFER_BYTES = 1 << 20;
/**
 * zlib level 3. Measured 2026-11-27 on 50 000 labelled records of the 2 M-packet synthetic capture
 * (24.7 MB of JSON, 2 000-record members): level 3 ~220 ms → 2.8 MB; level 6 ~340 ms → 2.2 MB;
 * level 1 ~195 ms → 3.2 MB. Replay cost matters more than ~25 % of spool space.
 */
export const GZIP_LEVEL = 3;
/** The agent name is cut to this many characters inside a batch_id (which must stay ≤ 128). */
const BATCH_ID_AGENT_CHARS = 96;
/** How often (in records) `add` looks at the clock for the age limit. */
const AGE_CHECK_EVERY = 256;

export interface BatcherOptions {
  /** Agent name, 1–128 characters. */
  agent: string;
  /** 12 hex digits identifying this run; random by default. */
  runId?: string;
  maxRecords?: number;
  maxAgeMs?: number;
  /** Distinct (ip, name) pairs per batch (default 10 000); answers for new pairs past it are dropped and counted. */
  maxNames?: number;
  /**
   * Seal before `maxRecords` once the open batch holds `minRecords` and `when()` says so (replay: the
   * sender has a free slot and nothing waiting), so the collector inserts while the agent reads instead
   * of receiving the last full batch only at the end. Looked at every AGE_CHECK_EVERY records.
   */
  sealEarly?: { minRecords: number; when: () => boolean };
  /** Clock in ms (tests). */
  now?: () => number;
  /**
   * Compress members on libuv's thread pool instead of the calling thread (replay: there the calling
   * thread reads the capture and is the critical path; gzip was ~0.45 s of its ~3.1 s on the 2 M-packet
   * capture). A sealed batch then reaches the spool (and `onSealed`) once its members are compressed,
   * in seal order; `flush()` waits for that.
   */
  compressOffThread?: boolean;
}

export interface Batcher {
  readonly runId: string;
  /** Adds one record; may seal the open batch (size or age). */
  add(r: FlowRecord): void;
  /** Adds one IP → name pair from a DNS answer seen at `tsUs` (µs) to the open batch (opening one). */
  addName(ip: string, name: string, tsUs: number): void;
  /** Seals the open batch if it was opened more than maxAgeMs ago (call from a timer). */
  sealIfDue(): void;
  /** Seals the open batch now (end of input, shutdown). No-op when it holds neither records nor names. */
  seal(): void;
  /** Records in the open batch (not yet on disk). */
  readonly openRecords: number;
  /** Sealed batches still being compressed (compressOffThread), not yet in the spool. */
  readonly sealing: number;
  /** Resolves once every sealed batch is in the spool (or counted lost). At once without compressOffThread. */
  flush(): Promise<void>;
  /** Batches, records and (ip, name) pairs sealed into the spool by this batcher. */
  readonly sealed: { batches: number; records: number; names: number };
  /** DNS answers: added, dropped because a batch's name map was full, refused as no host name. */
  readonly names: Readonly<NameCounters>;
}

export function newRunId(): string {
  return randomBytes(6).toString('hex');
}

/** `agent/runId/seq`: unique per batch without coordination, identical on every retry of it. */
export function makeBatchId(agent: string, runId: string, seq: number): string {
  return `${agent.slice(0, BATCH_ID_AGENT_CHARS)}/${runId}/${seq}`;
}

export function checkAgentName(agent: string): string | null {
  if (agent.length < 1 || agent.length > 128) return 'the agent name must be 1 to 128 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(agent)) return 'the agent name must not contain control characters';
  return null;
}

/**
 * `onSealed` hears of each batch written to the spool. `onLost` of each that could not be written (disk
 * full, I/O error): its records are counted as dropped and the batcher goes on, as a long-running agent
 * must; by default the error is thrown.
 */
export function createBatcher(
  spool: Spool,
  opts: BatcherOptions,
  onSealed: (entry: SpoolEntry) => void = () => {},
  onLost: (err: Error, records: number) => void = (err) => {
    throw err;
  },
): Batcher {
  const problem = checkAgentName(opts.agent);
  if (problem) throw new RangeError(problem);
  const maxRecords = opts.maxRecords ?? MAX_BATCH_RECORDS;
  if (!Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > MAX_BATCH_RECORDS) {
    throw new RangeError(`batch size must be 1 to ${MAX_BATCH_RECORDS} records`);
  }
  const maxAgeMs = opts.maxAgeMs ?? DEFAULT_BATCH_AGE_MS;
  const now = opts.now ?? Date.now;
  const runId = opts.runId ?? newRunId();
  if (!/^[0-9a-f]{12}$/.test(runId)) throw new RangeError('runId must be 12 hex digits');
  const agentJson = JSON.stringify(opts.agent);
  const early = opts.sealEarly ?? null;
  const earlyMin = early === null ? Infinity : Math.max(1, early.minRecords);

  const names = createNameAggregator(opts.maxNames ?? MAX_NAMES_PER_BATCH);
  let seq = 0;
  let open = false; // a batch is open: it has a batch_id and at least one record or name
  let count = 0; // records in the open batch
  let packets = 0; // and the packets they account for
  let openedAt = 0;
  let members: (Uint8Array | Promise<Uint8Array>)[] = [];
  const offThread = opts.compressOffThread === true;
  let sealing = 0;
  let writes: Promise<void> = Promise.resolve();
  /** What onLost threw (its default) in a write off the caller's stack: flush() throws it. */
  let writeError: unknown = null;
  // Serialised records not yet compressed, UTF-8 in one reused buffer (as `flows --json` writes its
  // lines): no joined string per member, no per-member allocation but the gzip output.
  let text = Buffer.allocUnsafe(TEXT_BUFFER_BYTES);
  let textBytes = 0;
  let pending = 0; // records in `text`
  let pendingPrefix = '';
  const sealed = { batches: 0, records: 0, names: 0 };

  function append(str: string): void {
    const worst = str.length * 3; // UTF-8 bytes per UTF-16 unit, at most
    if (textBytes + worst > text.length) {
      const grown = Buffer.allocUnsafe(Math.max(text.length * 2, textBytes + worst));
      text.copy(grown, 0, 0, textBytes);
      text = grown;
    }
    textBytes += text.write(str, textBytes);
  }

  function compressPending(suffix: string): void {
    // The batch's head (`{"batch_id":…,"records":[`) is in pendingPrefix until the first member.
    if (pending === 0 && members.length === 0) append(pendingPrefix);
    append(suffix);
    if (offThread) {
      // A copy: `text` is reused for the next member while this one is compressed.
      const input = Buffer.from(text.subarray(0, textBytes));
      const member = new Promise<Uint8Array>((resolve, reject) => gzip(input, { level: GZIP_LEVEL }, (err, out) => (err ? reject(err) : resolve(out))));
      member.catch(() => undefined); // handled when the batch is sealed (Promise.all below)
      members.push(member);
    } else {
      members.push(gzipSync(text.subarray(0, textBytes), { level: GZIP_LEVEL }));
    }
    textBytes = 0;
    pending = 0;
    pendingPrefix = ',';
  }

  function openBatch(): void {
    open = true;
    seq++;
    openedAt = now();
    pendingPrefix = `{"batch_id":${JSON.stringify(makeBatchId(opts.agent, runId, seq))},"agent":${agentJson},"records":[`;
  }

  function seal(): void {
    if (!open) return;
    const pairs = names.drain();
    // No `names` field when there are none: the body is then what collectors before names accept.
    compressPending(pairs.length > 0 ? `],"names":${namesToJson(pairs)}` : ']');
    const counts = { records: count, packets };
    const key = { sealMs: now(), runId, seq };
    const batch = members;
    open = false;
    count = 0;
    packets = 0;
    members = [];
    if (!offThread) {
      store(key, counts, batch as Uint8Array[], pairs.length);
      return;
    }
    sealing++;
    // One after the other, in seal order; `writes` itself never rejects (flush() reports an error).
    writes = writes.then(async () => {
      try {
        let compressed: Uint8Array[];
        try {
          compressed = await Promise.all(batch);
        } catch (err) {
          lost(counts, err);
          return;
        }
        store(key, counts, compressed, pairs.length);
      } catch (err) {
        writeError ??= err;
      } finally {
        sealing--;
      }
    });
  }

  function lost(counts: { records: number; packets: number }, err: unknown): void {
    spool.noteLost(counts);
    onLost(err instanceof Error ? err : new Error(String(err)), counts.records);
  }

  function store(key: { sealMs: number; runId: string; seq: number }, counts: { records: number; packets: number }, batch: Uint8Array[], pairs: number): void {
    let entry: SpoolEntry;
    try {
      entry = spool.write(key, counts, batch);
    } catch (err) {
      lost(counts, err);
      return;
    }
    sealed.batches++;
    sealed.records += counts.records;
    sealed.names += pairs;
    onSealed(entry);
  }

  return {
    runId,
    add(r) {
      if (!open) openBatch();
      append(pending === 0 ? pendingPrefix : ',');
      append(flowRecordToJson(r));
      pending++;
      count++;
      packets += r.orig_pkts + r.resp_pkts;
      if (count === maxRecords) seal();
      else if (pending === CHUNK_RECORDS) compressPending('');
      else if (count % AGE_CHECK_EVERY === 0 && ((count >= earlyMin && early!.when()) || now() - openedAt >= maxAgeMs)) seal();
    },
    addName(ip, name, tsUs) {
      if (names.add(ip, name, tsUs) && !open) openBatch();
    },
    sealIfDue() {
      if (open && now() - openedAt >= maxAgeMs) seal();
    },
    seal,
    get openRecords() {
      return count;
    },
    get sealing() {
      return sealing;
    },
    async flush() {
      await writes;
      if (writeError !== null) {
        const err = writeError;
        writeError = null;
        throw err;
      }
    },
    sealed,
    names: names.counters,
  };
}
