import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, openSpool, SpoolLockedError, type Spool } from './spool.js';

const dirs: string[] = [];
const spools: Spool[] = [];
afterEach(() => {
  for (const s of spools.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sm-spool-'));
  dirs.push(d);
  return d;
}

function open(dir: string, maxBytes = 1 << 20): Spool {
  const s = openSpool(dir, { maxBytes });
  spools.push(s);
  return s;
}

const RUN = 'a1b2c3d4e5f6';
/** A batch of `n` filler bytes (incompressible enough to control sizes). */
function members(text: string): Uint8Array[] {
  return [gzipSync(text.slice(0, text.length / 2)), gzipSync(text.slice(text.length / 2))];
}

describe('spool', () => {
  it('writes batches atomically as gzip files, lists them oldest first, and removes them', async () => {
    const dir = tempDir();
    const s = open(dir);
    const b = s.write({ sealMs: 2_000, runId: RUN, seq: 2 }, { records: 5, packets: 10 }, members('second batch'));
    const a = s.write({ sealMs: 1_000, runId: RUN, seq: 1 }, { records: 3, packets: 6 }, members('first batch!'));
    expect(s.entries().map((e) => e.name)).toEqual([a.name, b.name]);
    expect(s.backlog()).toEqual({ batches: 2, records: 8, bytes: a.bytes + b.bytes });
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    // Two members decompress to their concatenation.
    expect(gunzipSync((await s.read(a))!).toString()).toBe('first batch!');
    s.remove(a);
    expect(existsSync(join(dir, a.name))).toBe(false);
    expect(s.entries().map((e) => e.name)).toEqual([b.name]);
  });

  it('finds the batches of an earlier run and deletes its half-written file', () => {
    const dir = tempDir();
    const s1 = open(dir);
    const kept = s1.write({ sealMs: 1_000, runId: RUN, seq: 1 }, { records: 7, packets: 14 }, members('kept'));
    s1.close();
    writeFileSync(join(dir, `.open-${RUN}-2.tmp`), 'half a batch');
    const s2 = open(dir);
    expect(s2.entries()).toEqual([kept]);
    expect(s2.counters.staleTempFiles).toBe(1);
    expect(readdirSync(dir).some((n) => n.endsWith('.tmp'))).toBe(false);
  });

  it('is used by one process at a time; a stale lock is taken over', () => {
    const dir = tempDir();
    const s = open(dir);
    expect(() => openSpool(dir, { maxBytes: 1000 })).toThrow(/already open in this process/);
    s.close();
    const child = spawnSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(join(dir, LOCK_FILE))}, process.pid + '\\n')`]);
    expect(child.status).toBe(0);
    // That process has exited: its lock is stale.
    const again = open(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    again.close();
    // A live process holding it (the parent of this test process): refused.
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
    expect(() => openSpool(dir, { maxBytes: 1000 })).toThrow(SpoolLockedError);
    rmSync(join(dir, LOCK_FILE));
  });

  it('drops the oldest batches past the size bound, keeps the newest and any being sent, and counts', () => {
    const dir = tempDir();
    const s = open(dir, 1);
    const text = 'x'.repeat(50);
    const e1 = s.write({ sealMs: 1, runId: RUN, seq: 1 }, { records: 10, packets: 20 }, members(text));
    expect(s.entries()).toEqual([e1]); // alone past the bound: the newest is kept
    s.pin(e1); // being sent
    const e2 = s.write({ sealMs: 2, runId: RUN, seq: 2 }, { records: 20, packets: 40 }, members(text));
    const e3 = s.write({ sealMs: 3, runId: RUN, seq: 3 }, { records: 30, packets: 60 }, members(text));
    expect(s.entries()).toEqual([e1, e3]);
    expect(s.counters).toMatchObject({ droppedBatches: 1, droppedRecords: 20, droppedPackets: 40 });
    s.unpin(e1);
    const e4 = s.write({ sealMs: 4, runId: RUN, seq: 4 }, { records: 40, packets: 80 }, members(text));
    expect(s.entries()).toEqual([e4]);
    expect(s.counters).toMatchObject({ droppedBatches: 3, droppedRecords: 60, droppedPackets: 120 });
    expect(readdirSync(dir).filter((n) => n.endsWith('.batch.gz'))).toEqual([e4.name]);
  });

  it('applies a smaller bound to what an earlier run left', () => {
    const dir = tempDir();
    const s1 = open(dir);
    const size = s1.write({ sealMs: 1, runId: RUN, seq: 1 }, { records: 1, packets: 2 }, members('aaaaaaaa')).bytes;
    s1.write({ sealMs: 2, runId: RUN, seq: 2 }, { records: 1, packets: 2 }, members('bbbbbbbb'));
    s1.write({ sealMs: 3, runId: RUN, seq: 3 }, { records: 1, packets: 2 }, members('cccccccc'));
    s1.close();
    const s2 = open(dir, size * 2);
    expect(s2.entries().length).toBe(2);
    expect(s2.counters.droppedBatches).toBe(1);
  });

  it('sets a refused batch aside with its reason', () => {
    const dir = tempDir();
    const s = open(dir);
    const e = s.write({ sealMs: 1, runId: RUN, seq: 1 }, { records: 4, packets: 8 }, members('refused'));
    s.reject(e, 'HTTP 409: batch_id reused');
    expect(s.entries()).toEqual([]);
    expect(readdirSync(join(dir, 'rejected')).sort()).toEqual([e.name, `${e.name}.reason.txt`]);
    expect(readFileSync(join(dir, 'rejected', `${e.name}.reason.txt`), 'utf8')).toContain('HTTP 409: batch_id reused');
    expect(s.counters).toMatchObject({ rejectedBatches: 1, rejectedRecords: 4 });
  });

  it('releases its lock on close', () => {
    const dir = tempDir();
    const s = openSpool(dir, { maxBytes: 100 });
    s.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    s.close();
  });
});
