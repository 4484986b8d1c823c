// The disk spool: every batch is written here before it is sent, and deleted only once the collector
// has acknowledged it. A process killed at any moment loses only the batch it had not written yet.
//
// NOTE: layout of a spool directory (one process at a time, see `spool.lock`):
//   <sealMs:14>-<runId:12 hex>-<seq:9>-<records>-<packets>.batch.gz   a sealed batch; names sort oldest first
//   .open-<runId>-<seq>.tmp                                  being written (left over = a crash; deleted)
//   rejected/<batch file> + <batch file>.reason.txt          refused by the collector, kept for a human
//   spool.lock                                               pid of the process using the directory
// A batch file is a gzip file (RFC 1952) of one or more members whose text is the start of an ingest
// body without its closing fields: `{"batch_id":"…","agent":"…","records":[{…},{…},…]`, followed by
// `,"names":[{…},…]` when the batch carries DNS names (older files have none; both send). The sender
// appends one more gzip member with `,"sent_at":"…","stats":{…}}` (a gzip file may be a series of
// members; gunzip yields their concatenation), so the records are compressed once, when spooled, while
// sent_at and stats are fresh on every attempt. Idempotency comes from the batch_id inside the file.
import {
  closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync,
  statSync, unlinkSync, writeFileSync, writeSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const LOCK_FILE = 'spool.lock';
export const REJECTED_DIR = 'rejected';
const BATCH_RE = /^(\d{14})-([0-9a-f]{12})-(\d{9})-(\d+)-(\d+)\.batch\.gz$/;
const TEMP_RE = /^\.open-.*\.tmp$/;

export interface SpoolEntry {
  /** File name inside the spool directory; sorts oldest first. */
  readonly name: string;
  readonly records: number;
  /** Packets the records account for (what is lost if the batch is dropped). */
  readonly packets: number;
  readonly bytes: number;
}

export interface BatchCounts {
  records: number;
  packets: number;
}

export interface BatchKey {
  /** When the batch was sealed (ms since the epoch): orders batches across runs. */
  sealMs: number;
  /** 12 hex digits, random per agent run. */
  runId: string;
  /** Monotonic within the run, from 1. */
  seq: number;
}

export interface SpoolCounters {
  /** Batches, records and the packets they account for, deleted unsent past the size bound. */
  droppedBatches: number;
  droppedRecords: number;
  droppedPackets: number;
  /** Half-written batches of a crashed earlier run, deleted at open. */
  staleTempFiles: number;
  /** Batches, records and packets that could not be written at all (disk full, I/O error). */
  lostBatches: number;
  lostRecords: number;
  lostPackets: number;
  /** Batches set aside in rejected/ by this process. */
  rejectedBatches: number;
  rejectedRecords: number;
}

export interface Spool {
  readonly dir: string;
  readonly maxBytes: number;
  readonly counters: Readonly<SpoolCounters>;
  /** Sealed batches waiting to be sent, oldest first. */
  entries(): readonly SpoolEntry[];
  backlog(): { batches: number; records: number; bytes: number };
  /**
   * Writes one sealed batch atomically (temp file, fsync, rename, fsync of the directory), then drops
   * the oldest unpinned batches while the spool is past `maxBytes` (the newest batch is always kept).
   */
  write(key: BatchKey, counts: BatchCounts, members: readonly Uint8Array[]): SpoolEntry;
  /** Counts a batch that could not be written. */
  noteLost(counts: BatchCounts): void;
  /** The batch file's bytes, or null when it was dropped meanwhile. */
  read(entry: SpoolEntry): Promise<Buffer | null>;
  /** A pinned batch (being sent) is never dropped by the size bound. */
  pin(entry: SpoolEntry): void;
  unpin(entry: SpoolEntry): void;
  /** Deletes an acknowledged batch. */
  remove(entry: SpoolEntry): void;
  /** Moves a batch the collector refused to rejected/, with the reason beside it. */
  reject(entry: SpoolEntry, reason: string): void;
  /** Releases the directory lock. Idempotent. */
  close(): void;
}

/** "1 batch", "3 batches": for messages. */
export function nBatches(n: number): string {
  return n === 1 ? '1 batch' : `${n} batches`;
}

export class SpoolLockedError extends Error {
  override name = 'SpoolLockedError';
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Spool directories this process has open (its own pid in a lock file says nothing about those). */
const openHere = new Set<string>();

/** Takes `spool.lock` (O_EXCL); a lock whose process is gone is taken over. */
function acquireLock(dir: string): string {
  if (openHere.has(dir)) throw new SpoolLockedError(`spool ${dir} is already open in this process`);
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) {
        throw new SpoolLockedError(`spool ${dir} is in use by process ${pid}; give each agent or replay its own --spool`);
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new SpoolLockedError(`spool ${dir}: could not take ${LOCK_FILE}`);
}

export function batchFileName(key: BatchKey, counts: BatchCounts): string {
  return `${String(key.sealMs).padStart(14, '0')}-${key.runId}-${String(key.seq).padStart(9, '0')}-${counts.records}-${counts.packets}.batch.gz`;
}

export interface OpenSpoolOptions {
  /** Size bound of the sealed batches, bytes. */
  maxBytes: number;
}

/** Opens (creating) a spool directory, takes its lock and lists the batches left by earlier runs. */
export function openSpool(spoolDir: string, opts: OpenSpoolOptions): Spool {
  if (!(opts.maxBytes > 0)) throw new RangeError('spool: maxBytes must be > 0');
  const dir = resolve(spoolDir);
  mkdirSync(dir, { recursive: true });
  const lockPath = acquireLock(dir);
  openHere.add(dir);
  const rejectedDir = join(dir, REJECTED_DIR);
  const counters: SpoolCounters = { droppedBatches: 0, droppedRecords: 0, droppedPackets: 0, staleTempFiles: 0, lostBatches: 0, lostRecords: 0, lostPackets: 0, rejectedBatches: 0, rejectedRecords: 0 };
  let list: SpoolEntry[] = [];
  let totalBytes = 0;
  const pinned = new Set<string>();
  let closed = false;

  for (const name of readdirSync(dir)) {
    const m = BATCH_RE.exec(name);
    if (m) {
      const bytes = statSync(join(dir, name)).size;
      list.push({ name, records: Number(m[4]), packets: Number(m[5]), bytes });
      totalBytes += bytes;
    } else if (TEMP_RE.test(name)) {
      rmSync(join(dir, name), { force: true });
      counters.staleTempFiles++;
    }
  }
  list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  function forget(entry: SpoolEntry): boolean {
    const i = list.findIndex((e) => e.name === entry.name);
    if (i < 0) return false;
    list.splice(i, 1);
    totalBytes -= entry.bytes;
    return true;
  }

  function enforceBound(): void {
    // Oldest first, never the newest, never one being sent.
    for (let i = 0; totalBytes > opts.maxBytes && i < list.length - 1; ) {
      const e = list[i]!;
      if (pinned.has(e.name)) {
        i++;
        continue;
      }
      rmSync(join(dir, e.name), { force: true });
      list.splice(i, 1);
      totalBytes -= e.bytes;
      counters.droppedBatches++;
      counters.droppedRecords += e.records;
      counters.droppedPackets += e.packets;
    }
  }
  enforceBound();

  return {
    dir,
    maxBytes: opts.maxBytes,
    counters,
    entries: () => list,
    backlog: () => ({ batches: list.length, records: list.reduce((a, e) => a + e.records, 0), bytes: totalBytes }),

    write(key, counts, members) {
      if (closed) throw new Error('spool: write after close');
      const name = batchFileName(key, counts);
      const tmp = join(dir, `.open-${key.runId}-${key.seq}.tmp`);
      const fd = openSync(tmp, 'wx', 0o600);
      let bytes = 0;
      try {
        for (const m of members) {
          let off = 0;
          while (off < m.length) off += writeSync(fd, m, off, m.length - off);
          bytes += m.length;
        }
        fsyncSync(fd);
      } catch (err) {
        closeSync(fd);
        rmSync(tmp, { force: true });
        throw err;
      }
      closeSync(fd);
      renameSync(tmp, join(dir, name));
      fsyncDir(dir);
      const entry: SpoolEntry = { name, records: counts.records, packets: counts.packets, bytes };
      // Names grow with sealMs, then seq; only a clock set back can put a new name before an old one.
      let i = list.length;
      while (i > 0 && list[i - 1]!.name > name) i--;
      list.splice(i, 0, entry);
      totalBytes += bytes;
      enforceBound();
      return entry;
    },

    noteLost(counts) {
      counters.lostBatches++;
      counters.lostRecords += counts.records;
      counters.lostPackets += counts.packets;
    },

    async read(entry) {
      try {
        return await readFile(join(dir, entry.name));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          forget(entry);
          return null;
        }
        throw err;
      }
    },

    pin: (entry) => void pinned.add(entry.name),
    unpin: (entry) => void pinned.delete(entry.name),

    remove(entry) {
      forget(entry);
      pinned.delete(entry.name);
      rmSync(join(dir, entry.name), { force: true });
    },

    reject(entry, reason) {
      mkdirSync(rejectedDir, { recursive: true });
      if (existsSync(join(dir, entry.name))) {
        renameSync(join(dir, entry.name), join(rejectedDir, entry.name));
        writeFileSync(join(rejectedDir, `${entry.name}.reason.txt`), `${new Date().toISOString()} ${reason}\n`);
        fsyncDir(dir);
      }
      if (forget(entry)) {
        counters.rejectedBatches++;
        counters.rejectedRecords += entry.records;
      }
      pinned.delete(entry.name);
    },

    close() {
      if (closed) return;
      closed = true;
      openHere.delete(dir);
      try {
        if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(lockPath);
      } catch {
        /* already gone */
      }
    },
  };
}
