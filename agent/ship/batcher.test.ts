import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../common/flow-record.js';
import { flowRecordToJson } from '../../common/flow-json.js';
import { replayFiles } from '../replay.js';
import { createBatcher, makeBatchId, MAX_BATCH_RECORDS } from './batcher.js';
import { openSpool, type Spool } from './spool.js';

const SMALL_OFFICE = fileURLToPath(new URL('../../fixtures/small-office.pcap', import.meta.url));
const RUN = '0123456789ab';
let records: FlowRecord[];
let dir: string;

beforeAll(async () => {
  records = [];
  await replayFiles([SMALL_OFFICE], { detect: true }, (r) => records.push(r));
  dir = mkdtempSync(join(tmpdir(), 'sm-batcher-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function freshSpool(): Spool {
  return openSpool(join(dir, `s${++n}`), { maxBytes: 1 << 30 });
}

/** The ingest body the sender makes from a spooled batch: the file plus one more gzip member. */
async function body(spool: Spool, i: number) {
  const file = (await spool.read(spool.entries()[i]!))!;
  const tail = gzipSync(',"sent_at":"2026-01-01T00:00:00.000Z","stats":{"packets":1,"dropped":0,"spool_backlog":0}}');
  return JSON.parse(gunzipSync(Buffer.concat([file, tail])).toString()) as { batch_id: string; agent: string; records: unknown[]; names?: unknown[] };
}

const asJson = (r: FlowRecord) => JSON.parse(flowRecordToJson(r)) as unknown;

describe('batcher', () => {
  it('seals early at sealEarly.minRecords only while when() says so (checked every 256 records)', async () => {
    const many = Array.from({ length: 1200 }, (_, i) => records[i % records.length]!);
    const spool = freshSpool();
    let collectorIdle = false;
    const b = createBatcher(spool, { agent: 'a', runId: RUN, sealEarly: { minRecords: 300, when: () => collectorIdle } });
    for (const r of many.slice(0, 600)) b.add(r);
    expect(spool.entries()).toHaveLength(0); // busy collector: the batch keeps growing
    collectorIdle = true;
    for (const r of many.slice(600)) b.add(r);
    // 768 (the first check at ≥ 300 records once idle), then 256 + 176 records: 432 open, 256 < 300 sealed nothing.
    expect(spool.entries().map((e) => e.records)).toEqual([768]);
    expect(b.openRecords).toBe(432);
    b.seal();
    const bodies = await Promise.all([0, 1].map((i) => body(spool, i)));
    expect(bodies.flatMap((x) => x.records)).toEqual(many.map(asJson));
    spool.close();
  });

  it('cuts batches at maxRecords; each spooled file is the start of a valid ingest body', async () => {
    expect(records.length).toBe(24);
    const spool = freshSpool();
    const sealed: string[] = [];
    const b = createBatcher(spool, { agent: 'office-laptop', runId: RUN, maxRecords: 10 }, (e) => sealed.push(e.name));
    for (const r of records) b.add(r);
    expect(b.openRecords).toBe(4);
    b.seal();
    b.seal(); // nothing open: no empty batch
    expect(sealed.length).toBe(3);
    expect(spool.entries().map((e) => e.records)).toEqual([10, 10, 4]);
    const pk = (rs: FlowRecord[]) => rs.reduce((a, r) => a + r.orig_pkts + r.resp_pkts, 0);
    expect(spool.entries().map((e) => e.packets)).toEqual([pk(records.slice(0, 10)), pk(records.slice(10, 20)), pk(records.slice(20))]);
    expect(b.sealed).toEqual({ batches: 3, records: 24, names: 0 });
    const bodies = await Promise.all([0, 1, 2].map((i) => body(spool, i)));
    expect(bodies.map((x) => x.batch_id)).toEqual([1, 2, 3].map((s) => `office-laptop/${RUN}/${s}`));
    expect(bodies.every((x) => x.agent === 'office-laptop')).toBe(true);
    expect(bodies.flatMap((x) => x.records)).toEqual(records.map(asJson));
    spool.close();
  });

  it('seals by age: sealIfDue from a timer, and add() when records keep coming', async () => {
    const spool = freshSpool();
    let now = 1_000_000;
    const b = createBatcher(spool, { agent: 'a', runId: RUN, maxAgeMs: 5_000, now: () => now });
    b.add(records[0]!);
    now += 4_999;
    b.sealIfDue();
    expect(spool.entries().length).toBe(0);
    now += 1;
    b.sealIfDue();
    expect(spool.entries().map((e) => e.records)).toEqual([1]);
    // A steady stream: the age is checked every 256 records.
    for (let i = 0; i < 300; i++) {
      b.add(records[i % records.length]!);
      if (i === 10) now += 6_000;
    }
    expect(spool.entries().map((e) => e.records)).toEqual([1, 256]);
    expect(b.openRecords).toBe(44);
    spool.close();
  });

  it('keeps valid JSON across gzip chunk boundaries (batch of exactly one chunk, and several chunks)', async () => {
    const spool = freshSpool();
    const b = createBatcher(spool, { agent: 'chunks', runId: RUN });
    const many = Array.from({ length: 4_000 }, (_, i) => records[i % records.length]!);
    for (const r of many.slice(0, 2_000)) b.add(r);
    b.seal(); // exactly one full chunk compressed before the seal
    for (const r of many) b.add(r);
    b.seal();
    const bodies = [await body(spool, 0), await body(spool, 1)];
    expect(bodies[0]!.records).toEqual(many.slice(0, 2_000).map(asJson));
    expect(bodies[1]!.records.length).toBe(4_000);
    spool.close();
  });

  it('counts a batch it cannot write (the spool directory is gone) and goes on', () => {
    const spool = freshSpool();
    const lost: number[] = [];
    const b = createBatcher(spool, { agent: 'a', runId: RUN, maxRecords: 5 }, () => {}, (_err, n) => lost.push(n));
    rmSync(spool.dir, { recursive: true });
    for (const r of records.slice(0, 7)) b.add(r);
    expect(lost).toEqual([5]);
    expect(spool.counters).toMatchObject({ lostBatches: 1, lostRecords: 5 });
    expect(spool.counters.lostPackets).toBe(records.slice(0, 5).reduce((a, r) => a + r.orig_pkts + r.resp_pkts, 0));
    expect(b.sealed).toEqual({ batches: 0, records: 0, names: 0 });
    expect(b.openRecords).toBe(2);
    // Without an onLost the error is thrown.
    const strict = createBatcher(spool, { agent: 'a', runId: RUN, maxRecords: 1 });
    expect(() => strict.add(records[0]!)).toThrow(/ENOENT/);
    spool.close();
  });

  it('ships DNS names in the open batch, aggregated, and only when there are some', async () => {
    const spool = freshSpool();
    const b = createBatcher(spool, { agent: 'n', runId: RUN, maxRecords: 2 });
    const t0 = 1_795_814_637_238_104;
    b.add(records[0]!);
    b.addName('192.0.2.20', 'files.office.example', t0);
    b.addName('192.0.2.20', 'Files.Office.Example.', t0 + 5);
    b.addName('192.0.2.20', 'not a name', t0); // refused, counted
    b.add(records[1]!); // seals batch 1 (2 records) with its names
    b.add(records[2]!);
    b.seal(); // batch 2: a record, no names
    const [one, two] = [await body(spool, 0), await body(spool, 1)];
    expect(one.names).toEqual([
      { ip: '192.0.2.20', name: 'files.office.example', first_seen: '2026-11-27T21:23:57.238104Z', last_seen: '2026-11-27T21:23:57.238109Z', count: 2 },
    ]);
    expect(one.records).toEqual(records.slice(0, 2).map(asJson));
    expect('names' in two).toBe(false); // what collectors before names accept
    expect(b.sealed).toEqual({ batches: 2, records: 3, names: 1 });
    expect(b.names).toEqual({ answers: 2, dropped: 0, invalid: 1 });
    spool.close();
  });

  it('seals a batch of names and no records (by age, or at the end); a refused name opens no batch', async () => {
    const spool = freshSpool();
    let now = 1_000_000;
    const b = createBatcher(spool, { agent: 'n', runId: RUN, maxAgeMs: 5_000, now: () => now });
    b.addName('192.0.2.1', '.', 1); // the root: not a host name
    b.seal();
    expect(spool.entries()).toEqual([]);
    b.addName('2001:db8:20::20', 'api.office.example', 1_000_000);
    now += 5_000;
    b.sealIfDue();
    expect(spool.entries().map((e) => [e.records, e.packets])).toEqual([[0, 0]]);
    const x = await body(spool, 0);
    expect(x).toMatchObject({ batch_id: `n/${RUN}/1`, records: [], names: [{ ip: '2001:db8:20::20', name: 'api.office.example', count: 1 }] });
    expect(b.sealed).toEqual({ batches: 1, records: 0, names: 1 });
    spool.close();
  });

  it('bounds the names of a batch (maxNames) and counts the answers it drops', async () => {
    const spool = freshSpool();
    const b = createBatcher(spool, { agent: 'n', runId: RUN, maxNames: 2 });
    for (let i = 0; i < 5; i++) b.addName(`192.0.2.${i}`, `h${i}.example`, 1_000 + i);
    b.addName('192.0.2.0', 'h0.example', 2_000); // known pair: merged
    b.seal();
    b.addName('192.0.2.4', 'h4.example', 3_000); // next batch: room again
    b.seal();
    expect((await body(spool, 0)).names).toEqual([
      expect.objectContaining({ ip: '192.0.2.0', count: 2 }),
      expect.objectContaining({ ip: '192.0.2.1', count: 1 }),
    ]);
    expect((await body(spool, 1)).names).toEqual([expect.objectContaining({ ip: '192.0.2.4', name: 'h4.example' })]);
    expect(b.names).toEqual({ answers: 4, dropped: 3, invalid: 0 });
    expect(b.sealed).toEqual({ batches: 2, records: 0, names: 3 });
    spool.close();
  });

  it('checks its inputs', () => {
    const spool = freshSpool();
    expect(() => createBatcher(spool, { agent: '' })).toThrow(/1 to 128/);
    expect(() => createBatcher(spool, { agent: 'x'.repeat(129) })).toThrow(/1 to 128/);
    expect(() => createBatcher(spool, { agent: 'a\nb' })).toThrow(/control/);
    expect(() => createBatcher(spool, { agent: 'a', maxRecords: MAX_BATCH_RECORDS + 1 })).toThrow(/1 to 50000/);
    expect(makeBatchId('h'.repeat(128), RUN, 123_456_789).length).toBeLessThanOrEqual(128);
    spool.close();
  });

  it('compresses off the calling thread when asked: the same spool files, written in seal order once flushed', async () => {
    const many = Array.from({ length: 4500 }, (_, i) => records[i % records.length]!);
    const write = async (offThread: boolean) => {
      const spool = freshSpool();
      const sealedNames: string[] = [];
      const b = createBatcher(spool, { agent: 'a', runId: RUN, maxRecords: 2100, now: () => 1_700_000_000_000, compressOffThread: offThread }, (e) => sealedNames.push(e.name));
      for (const r of many) b.add(r); // two full batches sealed on the way, each of two members
      b.addName('192.0.2.20', 'files.office.example', 1_700_000_000_000_000);
      b.seal();
      if (offThread) expect(b.sealing).toBeGreaterThan(0); // still compressing: not in the spool yet
      await b.flush();
      expect(b.sealing).toBe(0);
      expect(b.sealed).toEqual({ batches: 3, records: 4500, names: 1 });
      const files = await Promise.all(spool.entries().map((e) => spool.read(e)));
      spool.close();
      return { names: sealedNames, files: files.map((f) => f!.toString('base64')) };
    };
    const sync = await write(false);
    const off = await write(true);
    expect(off.names).toEqual(sync.names);
    expect(off.files).toEqual(sync.files); // gzip at the same level is deterministic
  });

  it('counts a batch it cannot write as lost off the calling thread too, and flush() reports what onLost threw', async () => {
    const spool = freshSpool();
    const lost: number[] = [];
    const b = createBatcher(spool, { agent: 'a', runId: RUN, compressOffThread: true }, () => {}, (_err, n) => lost.push(n));
    for (const r of records.slice(0, 5)) b.add(r);
    b.seal();
    spool.close(); // the write after close fails
    await b.flush();
    expect(lost).toEqual([5]);
    expect(spool.counters.lostBatches).toBe(1);
    const spool2 = freshSpool();
    const b2 = createBatcher(spool2, { agent: 'a', runId: RUN, compressOffThread: true }); // default onLost throws
    b2.add(records[0]!);
    b2.seal();
    spool2.close();
    await expect(b2.flush()).rejects.toThrow(/after close/);
    await b2.flush(); // reported once
  });
});

