// IP → name pairs from DNS A/AAAA answers, aggregated per batch: one entry per (ip, name) with the
// first and last answer's capture time and how many answers carried it. Shipped in the batch's
// optional `names` field (server/collector/ingest-batch.ts IngestNameSchema) into the `names` table.
// NOTE: shape of one shipped entry, times as in FlowRecord (ISO-8601 UTC, microseconds):
//   {"ip":"192.0.2.20","name":"files.office.example","first_seen":"…Z","last_seen":"…Z","count":2}
import { isoMicros } from '../../common/time.js';

/** Entries per batch at most; answers for new pairs past it are dropped and counted. */
export const MAX_NAMES_PER_BATCH = 10_000;
/** The collector's limit (server/collector/ingest-batch.ts MAX_BATCH_NAMES). */
export const MAX_BATCH_NAMES = 50_000;
/** A name's text at most: rfc1035 §2.3.4 (255 octets on the wire = 253 characters dotted). */
export const MAX_NAME_LENGTH = 253;

/**
 * Host names as the collector accepts them: lower-case LDH labels of 1–63 characters (rfc1123 §2.1),
 * plus `_` (service labels such as `_dmarc` do get A records), dot-separated, no trailing dot.
 */
export const HOST_NAME_PATTERN = '^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$';
const HOST_NAME = new RegExp(HOST_NAME_PATTERN);

/** The name lower-cased without its trailing dot, or null when it is no host name (e.g. the root "."). */
export function normaliseHostName(name: string): string | null {
  const n = (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();
  if (n.length === 0 || n.length > MAX_NAME_LENGTH || !HOST_NAME.test(n)) return null;
  return n;
}

export interface NameEntry {
  ip: string;
  name: string;
  /** Capture times of the first and last answer, µs since the epoch. */
  firstUs: number;
  lastUs: number;
  /** Answers that carried this pair. */
  count: number;
}

export interface NameCounters {
  /** Answers added (valid ones), merged or not. */
  answers: number;
  /** Answers for a new pair while the map was full: not shipped. */
  dropped: number;
  /** Answers whose name is no host name (not shipped). */
  invalid: number;
}

export interface NameAggregator {
  /** True when the pair is held (new or merged); false when refused (invalid) or dropped (map full). */
  add(ip: string, name: string, tsUs: number): boolean;
  /** Pairs held now. */
  readonly size: number;
  /** The held pairs, in the order first seen; empties the map. */
  drain(): NameEntry[];
  readonly counters: Readonly<NameCounters>;
}

export function createNameAggregator(maxEntries = MAX_NAMES_PER_BATCH): NameAggregator {
  if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > MAX_BATCH_NAMES) {
    throw new RangeError(`names per batch must be 1 to ${MAX_BATCH_NAMES}`);
  }
  let map = new Map<string, NameEntry>();
  const counters: NameCounters = { answers: 0, dropped: 0, invalid: 0 };
  return {
    add(ip, name, tsUs) {
      const n = normaliseHostName(name);
      if (n === null || !(tsUs >= 0)) {
        counters.invalid++;
        return false;
      }
      const key = `${ip} ${n}`;
      const e = map.get(key);
      if (e !== undefined) {
        counters.answers++;
        e.count++;
        if (tsUs < e.firstUs) e.firstUs = tsUs;
        if (tsUs > e.lastUs) e.lastUs = tsUs;
        return true;
      }
      if (map.size >= maxEntries) {
        counters.dropped++;
        return false;
      }
      counters.answers++;
      map.set(key, { ip, name: n, firstUs: tsUs, lastUs: tsUs, count: 1 });
      return true;
    },
    get size() {
      return map.size;
    },
    drain() {
      const out = [...map.values()];
      map = new Map();
      return out;
    },
    counters,
  };
}

/** The entries as the JSON array text of a batch's `names` field. */
export function namesToJson(entries: readonly NameEntry[]): string {
  let s = '[';
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (i > 0) s += ',';
    s += `{"ip":${JSON.stringify(e.ip)},"name":${JSON.stringify(e.name)},"first_seen":"${isoMicros(e.firstUs)}","last_seen":"${isoMicros(e.lastUs)}","count":${e.count}}`;
  }
  return s + ']';
}
