// Drains the spool to the collector, oldest batches first, up to two requests in flight (one while
// the collector is failing).
// Ingest contract (server/routes/api/v1/ingest/index.ts): POST {collector}/api/v1/ingest with
// `Authorization: Bearer <token>`, `Content-Type: application/json`, `Content-Encoding: gzip`.
//   200 {accepted, duplicate}  acknowledged: the batch file is deleted (a duplicate is a retry of a
//                              batch the collector already stored, e.g. after a crash before delete)
//   409                        batch_id stored with other records: set aside in rejected/, never retried
//   400, 413, 415              permanent for that batch: set aside in rejected/
//   401, 403                   token refused: stop (every batch would fail); the spool is kept
//   404, 405, 3xx              not a surfacemap collector at that URL: stop; the spool is kept
//   408, 429, 5xx, network     retried with exponential backoff and jitter (Retry-After honoured)
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { gzipSync } from 'node:zlib';
import { backoffDelayMs, DEFAULT_BACKOFF, parseRetryAfter, type BackoffOptions } from './backoff.js';
import { nBatches, type Spool, type SpoolEntry } from './spool.js';

export const INGEST_PATH = '/api/v1/ingest';
/** A 50 000-record batch takes ~1–2 s to decode and insert; a minute means the collector is stuck. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** While the collector stays unreachable, say so at most this often. */
const REPEAT_LOG_MS = 30_000;
const MAX_ERROR_TEXT = 300;
/**
 * Two in flight let a collector decode one batch while it inserts the other, and hide network latency.
 * With the collector on this same 2-core machine it made no measurable difference (draining 101 159
 * records in 50 000-record batches, 6 interleaved runs each, 2026-11-27: 26–40 k records/s with one,
 * 21–36 k with two).
 */
export const DEFAULT_CONCURRENCY = 2;

/** What the agent reports about itself with every batch (`stats` in the ingest body). */
export interface AgentStats {
  /** Packets seen since the agent started. */
  packets: number;
  /** Packets dropped by the kernel (live capture); the sender adds those of batches the spool bound dropped. */
  dropped: number;
  /** DNS answers not shipped because a batch's name map was full. */
  namesDropped?: number;
}

export interface SenderOptions {
  /** The collector's base URL (`http://host:7070`); a URL ending in /api/v1/ingest is used as is. */
  collector: string;
  token: string;
  spool: Spool;
  stats: () => AgentStats;
  log: (message: string) => void;
  backoff?: BackoffOptions;
  requestTimeoutMs?: number;
  /** Give up (`gave-up`) after this long without an answer from the collector; default never. */
  maxWaitMs?: number;
  /** Requests in flight at once (default 2: the collector decodes one batch while it inserts the other). */
  concurrency?: number;
}

export interface SenderCounters {
  /** Batches and records the collector acknowledged, duplicates included. */
  ackedBatches: number;
  ackedRecords: number;
  /** Of those, batches it had already stored (answered `duplicate: true`). */
  duplicateBatches: number;
  /** Requests that failed and were retried. */
  retries: number;
}

export type SenderResult =
  /** finish() was called and every batch is acknowledged or set aside. */
  | { reason: 'done' }
  /** No answer from the collector for maxWaitMs. */
  | { reason: 'gave-up'; message: string }
  /** stop() was called. */
  | { reason: 'stopped' }
  /** The collector refused the token or is not a collector: retrying cannot help. */
  | { reason: 'fatal'; message: string };

export interface Sender {
  readonly counters: Readonly<SenderCounters>;
  /** Runs the drain loop; resolves once (see SenderResult). */
  run(): Promise<SenderResult>;
  /** A batch was added to the spool. */
  notify(): void;
  /** No more batches will come: run() resolves when the spool is empty. */
  finish(): void;
  /** Stops now, aborting a request in flight (its batch stays spooled and is resent next time). */
  stop(): void;
  /** Seconds the collector has been failing, or 0. */
  failingForS(): number;
  /**
   * True when a new batch would go on the wire at once: the collector answers, a request slot is free
   * and no spooled batch is waiting for one (replay seals batches early then; batcher `sealEarly`).
   */
  wantsMore(): boolean;
}

/** `http://h:7070` → `http://h:7070/api/v1/ingest`; throws a readable error for a bad URL. */
export function ingestUrl(collector: string): string {
  let u: URL;
  try {
    u = new URL(collector);
  } catch {
    throw new Error(`collector URL ${JSON.stringify(collector)} is not a URL (expected e.g. http://127.0.0.1:7070)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`collector URL must start with http:// or https://, got ${u.protocol}`);
  if (u.username || u.password) throw new Error('collector URL must not carry credentials; use --token');
  if (u.search || u.hash) throw new Error('collector URL must not have a query or fragment');
  const path = u.pathname.replace(/\/+$/, '');
  if (!path.endsWith(INGEST_PATH)) u.pathname = `${path}${INGEST_PATH}`;
  return u.toString();
}

type Outcome =
  | { kind: 'ack'; duplicate: boolean; accepted: number }
  | { kind: 'reject'; message: string }
  | { kind: 'fatal'; message: string }
  | { kind: 'retry'; message: string; retryAfterS: number | null }
  | { kind: 'gone' }
  | { kind: 'stopped' };

/** A collector's answer: status, headers, and up to MAX_ANSWER_BYTES of body. */
interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Enough for `{accepted, duplicate}` and any error message we show; the rest is read and dropped. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POST through node:http(s), not fetch(). NOTE: undici's fetch detaches ArrayBuffers as it sends a body,
 * and the first detach anywhere in a process invalidates V8's ArrayBufferDetaching protector: every
 * optimised function that reads typed arrays (packet decoding, the flow table, the detectors) is thrown
 * away, recompiled, and runs with detach checks from then on. On the 2 M-packet capture that was 66
 * functions recompiled mid-replay (docs/benchmarks.md, 2026-11-28 session 6). node:http writes the
 * Buffer to the socket as is. It also has no "bad port" list (fetch refuses e.g. 6000 and 10080).
 */
function post(url: URL, headers: Record<string, string>, body: Buffer, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, signal }, (res) => {
      const parts: Buffer[] = [];
      let kept = 0;
      res.on('data', (c: Buffer) => {
        if (kept < MAX_ANSWER_BYTES) {
          parts.push(c);
          kept += c.length;
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** "ECONNREFUSED 127.0.0.1:7070" from a request's error (or an error's cause chain). */
function networkReason(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    parts.push(code && !e.message.includes(code) ? `${code}: ${e.message}` : e.message);
  }
  return parts.length > 0 ? parts.slice(-1)[0]! : String(err);
}

function errorText(res: Answer): string {
  const text = res.text.slice(0, 4096);
  try {
    const j = JSON.parse(text) as { message?: unknown };
    if (typeof j.message === 'string') return j.message.slice(0, MAX_ERROR_TEXT);
  } catch {
    /* not JSON */
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, MAX_ERROR_TEXT) || '(no message)';
}

export function createSender(opts: SenderOptions): Sender {
  const url = ingestUrl(opts.collector);
  const target = new URL(url);
  const authorization = `Bearer ${opts.token}`;
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const maxWaitMs = opts.maxWaitMs ?? Infinity;
  const { spool, log } = opts;
  const counters: SenderCounters = { ackedBatches: 0, ackedRecords: 0, duplicateBatches: 0, retries: 0 };

  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  let finished = false;
  let stopped = false;
  let running = false;
  let failingSince: number | null = null;
  /** No new request before this time (backoff after a failure). */
  let retryAt = 0;
  let attempt = 0;
  let lastLog = 0;
  let result: SenderResult | null = null;
  const inFlight = new Map<string, Promise<void>>();
  const stopController = new AbortController();

  // The loop sleeps in pause(); completions, notify(), finish() and stop() wake it. A wake-up that comes
  // while the loop is busy is remembered, not lost.
  let wake: (() => void) | null = null;
  let woken = false;
  const poke = () => {
    woken = true;
    const w = wake;
    wake = null;
    w?.();
  };
  function pause(ms: number): Promise<void> {
    if (woken) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = ms === Infinity ? null : setTimeout(() => { wake = null; resolve(); }, ms);
      wake = () => {
        if (timer) clearTimeout(timer);
        woken = false;
        resolve();
      };
    });
  }

  function statsJson(): string {
    const s = opts.stats();
    const c = spool.counters;
    return JSON.stringify({
      packets: Math.max(0, Math.floor(s.packets)),
      // Packets whose flow records never reach the collector: kernel drops, the spool bound's, and
      // batches that could not be written.
      dropped: Math.max(0, Math.floor(s.dropped)) + c.droppedPackets + c.lostPackets,
      // Batches still waiting, not counting those on the wire.
      spool_backlog: Math.max(0, spool.entries().length - inFlight.size),
      // Extra fields (the collector's stats schema allows them): what the spool bound threw away.
      spool_dropped_batches: c.droppedBatches,
      spool_dropped_records: c.droppedRecords,
      spool_dropped_packets: c.droppedPackets,
      names_dropped: Math.max(0, Math.floor(s.namesDropped ?? 0)),
    });
  }

  async function sendOne(entry: SpoolEntry): Promise<Outcome> {
    const head = await spool.read(entry);
    if (head === null) return { kind: 'gone' };
    const tail = gzipSync(`,"sent_at":"${new Date().toISOString()}","stats":${statsJson()}}`);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([stopController.signal, timeout]);
    let res: Answer;
    try {
      res = await post(target, { authorization, 'content-type': 'application/json', 'content-encoding': 'gzip' }, Buffer.concat([head, tail]), signal);
    } catch (err) {
      if (stopped) return { kind: 'stopped' };
      if (timeout.aborted) return { kind: 'retry', message: `no answer within ${timeoutMs / 1000} s`, retryAfterS: null };
      return { kind: 'retry', message: networkReason(err), retryAfterS: null };
    }
    const status = res.status;
    if (status === 200) {
      let body: { accepted?: unknown; duplicate?: unknown };
      try {
        body = JSON.parse(res.text) as typeof body;
      } catch (err) {
        return { kind: 'retry', message: `200 with an unreadable body (${(err as Error).message})`, retryAfterS: null };
      }
      if (typeof body.accepted !== 'number' || typeof body.duplicate !== 'boolean') {
        return { kind: 'fatal', message: `${url} answered 200 without {accepted, duplicate}: not a surfacemap collector?` };
      }
      return { kind: 'ack', duplicate: body.duplicate, accepted: body.accepted };
    }
    const text = errorText(res);
    if (status === 409 || status === 400 || status === 413 || status === 415) {
      return { kind: 'reject', message: `HTTP ${status}: ${text}` };
    }
    if (status === 401 || status === 403) {
      return { kind: 'fatal', message: `the collector refused the token (HTTP ${status}: ${text}); check --token / SURFACEMAP_AGENT_TOKEN` };
    }
    if (status === 404 || status === 405 || (status >= 300 && status < 400)) {
      const where = status < 400 ? `redirects to ${res.headers.location ?? '?'}` : `has no ingest route (HTTP ${status})`;
      return { kind: 'fatal', message: `${url} ${where}: is --collector the surfacemap server's base URL?` };
    }
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfter = res.headers['retry-after'];
      return { kind: 'retry', message: `HTTP ${status}: ${text}`, retryAfterS: parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : null) };
    }
    return { kind: 'reject', message: `HTTP ${status}: ${text}` };
  }

  /** Sends one batch and acts on the answer; never throws. */
  async function deliver(entry: SpoolEntry): Promise<void> {
    let out: Outcome;
    spool.pin(entry);
    try {
      out = await sendOne(entry);
    } catch (err) {
      out = { kind: 'retry', message: (err as Error).message, retryAfterS: null };
    } finally {
      spool.unpin(entry);
    }
    const now = Date.now();
    switch (out.kind) {
      case 'gone': // dropped by the size bound meanwhile
      case 'stopped':
        return;
      case 'fatal':
        result ??= { reason: 'fatal', message: out.message };
        return;
      case 'ack':
      case 'reject':
        if (failingSince !== null) {
          log(`collector answers again after ${((now - failingSince) / 1000).toFixed(1)} s; sending ${nBatches(spool.entries().length)} from the spool`);
        }
        failingSince = null;
        retryAt = 0;
        attempt = 0;
        if (out.kind === 'ack') {
          spool.remove(entry);
          counters.ackedBatches++;
          counters.ackedRecords += entry.records;
          if (out.duplicate) counters.duplicateBatches++;
          else if (out.accepted !== entry.records) {
            log(`warning: collector accepted ${out.accepted} of ${entry.records} records in ${entry.name}`);
          }
        } else {
          spool.reject(entry, out.message);
          log(`collector rejected batch ${entry.name} (${entry.records} records): ${out.message}; kept in ${spool.dir}/rejected/, not retried`);
        }
        return;
      case 'retry': {
        counters.retries++;
        if (failingSince === null) failingSince = now;
        const failingMs = now - failingSince;
        if (failingMs >= maxWaitMs) {
          result ??= { reason: 'gave-up', message: `collector unreachable for ${(failingMs / 1000).toFixed(1)} s (${out.message})` };
          return;
        }
        const delay = Math.min(backoffDelayMs(attempt++, backoff, out.retryAfterS), failingSince + maxWaitMs - now);
        retryAt = Math.max(retryAt, now + delay);
        if (attempt === 1 || now - lastLog >= REPEAT_LOG_MS) {
          lastLog = now;
          const b = spool.backlog();
          log(
            `collector ${url} unreachable (${out.message}); ${nBatches(b.batches)} (${b.records} records) spooled, ` +
              `retrying in ${(delay / 1000).toFixed(1)} s` + (failingMs > 0 ? `, failing for ${(failingMs / 1000).toFixed(0)} s` : ''),
          );
        }
      }
    }
  }

  async function run(): Promise<SenderResult> {
    if (running) throw new Error('sender: run() is already running');
    running = true;
    try {
      for (;;) {
        if (stopped) result ??= { reason: 'stopped' };
        if (result !== null) {
          // Let requests on the wire finish (an answer still deletes or sets aside its batch).
          await Promise.all(inFlight.values());
          return result;
        }
        const now = Date.now();
        // One request at a time while the collector fails (a probe), `concurrency` once it answers.
        const limit = failingSince === null ? concurrency : 1;
        if (now >= retryAt) {
          for (const e of spool.entries()) {
            if (inFlight.size >= limit) break;
            if (inFlight.has(e.name)) continue;
            inFlight.set(e.name, deliver(e).finally(() => {
              inFlight.delete(e.name);
              poke();
            }));
          }
        }
        if (inFlight.size === 0 && spool.entries().length === 0 && finished) return { reason: 'done' };
        await pause(inFlight.size === 0 && retryAt > now ? retryAt - now : Infinity);
      }
    } finally {
      running = false;
    }
  }

  return {
    counters,
    run,
    // The loop itself keeps to the backoff: a wake-up only makes it look again.
    notify: poke,
    finish() {
      finished = true;
      poke();
    },
    stop() {
      stopped = true;
      stopController.abort();
      poke();
    },
    failingForS: () => (failingSince === null ? 0 : (Date.now() - failingSince) / 1000),
    wantsMore: () => !stopped && failingSince === null && inFlight.size < concurrency && spool.entries().length <= inFlight.size,
  };
}
