// The spool across runs, with the built CLI and a real collector:
// (c) --max-wait expires: non-zero exit, spool kept and the message says so; the next run (collector
//     up) sends the leftovers first and exits 0, nothing twice;
// (e) a tiny --spool-max-mb with the collector down drops the oldest batches and counts them (summary,
//     and `dropped` packets in the agent's stats once the collector is back); exactly the rest arrives.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nBatches } from '../agent/ship/spool.js';
import { DEFAULT_CONCURRENCY } from '../agent/ship/sender.js';
import { AGENT_TOKEN, API_TOKEN, buildTestApp, type TestApp } from './helpers/server-app.js';
import {
  FIXTURES, flowsRecords, freeTcpPort, killChildren, recordKeys, runCli, spoolFiles, startCli, storeKeys, storeTotals, totalsOf,
} from './helpers/ship-cli.js';

const FILES = ['small-office.pcap', 'any-sll.pcap', 'multi-interface.pcapng', 'udp-metrics.pcap', 'vlan-qinq.pcap', 'detect-http.pcap'].map((f) =>
  join(FIXTURES, f),
);
const ENV = { SURFACEMAP_AGENT_TOKEN: AGENT_TOKEN };

let t: TestApp;
let url: string;
let down: string;
const tmp = mkdtempSync(join(tmpdir(), 'sm-ship-spool-'));

beforeAll(async () => {
  t = await buildTestApp('sm-ship-spool');
  url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  down = `http://127.0.0.1:${await freeTcpPort()}`;
});
afterAll(async () => {
  killChildren();
  await t?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('spool across runs', () => {
  it('(c) --max-wait: gives up with the spool kept, and the next run sends it first, once', async () => {
    const want = await flowsRecords(FILES);
    const spool = join(tmp, 'c');
    const r1 = await runCli(['replay', ...FILES, '--collector', down, '--agent', 'maxwait', '--spool', spool, '--max-wait', '2', '--batch-records', '9'], ENV);
    expect(r1.code).toBe(1);
    const batches = Math.ceil(want.length / 9);
    expect(r1.stderr).toMatch(/gave up: collector unreachable for [2-9]\.\d s \(.*ECONNREFUSED.*\)/);
    expect(r1.stderr).toContain(`${nBatches(batches)} (${want.length} records,`);
    expect(r1.stderr).toContain(`kept in ${spool}; run \`surfacemap replay --spool ${spool}\``);
    expect(spoolFiles(spool).length).toBe(batches);
    expect((await storeTotals(t.app, 'maxwait')).flows.n).toBe(0);

    // Next run, collector up, with one more file of its own: the leftovers go first.
    const extra = join(FIXTURES, 'detect-ssh-udp.pcap');
    const more = await flowsRecords([extra]);
    const r2 = await runCli(['replay', extra, '--collector', url, '--agent', 'maxwait', '--spool', spool, '--batch-records', '9'], ENV);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toContain(`sending ${nBatches(batches)} (${want.length} records) left by an earlier run first`);
    const extraBatches = Math.ceil(more.length / 9);
    expect(r2.stderr).toContain(`shipped ${want.length + more.length} records in ${nBatches(batches + extraBatches)}`);
    expect(r2.stderr).not.toContain('already stored');
    expect(spoolFiles(spool)).toEqual([]);
    const got = await storeTotals(t.app, 'maxwait');
    const all = [...want, ...more];
    expect(got.flows).toEqual(totalsOf(all));
    expect(got.batches).toEqual({ n: batches + extraBatches, records: all.length });
    expect(await storeKeys(t.app, 'maxwait')).toEqual(recordKeys(all));
  });

  it('(e) a tiny --spool-max-mb drops the oldest batches while the collector is down, counts them in the summary and in stats', async () => {
    const want = await flowsRecords(FILES);
    const spool = join(tmp, 'e');
    const maxMb = 0.004; // 4 KiB: a handful of 3-record batches
    const bound = Math.floor(maxMb * 1024 * 1024);
    // Nothing listens on this port until the proxy below forwards it to the collector.
    const port = await freeTcpPort();
    const replay = startCli(
      ['replay', ...FILES, '--collector', `http://127.0.0.1:${port}`, '--agent', 'bounded', '--spool', spool, '--max-wait', '30', '--batch-records', '3', '--spool-max-mb', String(maxMb)],
      ENV,
    );
    await replay.waitFor(/read 6 file\(s\): \d+ records in \d+ batches/, 20_000);
    const batches = Math.ceil(want.length / 3);
    const kept = spoolFiles(spool);
    expect(kept.reduce((a, f) => a + statSync(join(spool, f)).size, 0)).toBeLessThanOrEqual(bound);
    expect(kept.length).toBeLessThan(batches);
    // The newest batches are kept (names sort by seal time, then sequence). Up to DEFAULT_CONCURRENCY
    // older ones may be kept too: those the sender had on the wire while the next file was read (a
    // batch in flight is never dropped).
    const keptSeqs = kept.map((f) => Number(f.split('-')[2]));
    let newest = 1;
    while (newest < keptSeqs.length && keptSeqs[keptSeqs.length - 1 - newest] === batches - newest) newest++;
    expect(keptSeqs[keptSeqs.length - 1]).toBe(batches);
    expect(keptSeqs.length - newest).toBeLessThanOrEqual(DEFAULT_CONCURRENCY);
    // Batch seq s holds records 3(s-1) … 3s-1 in emission order.
    const keptRecords = keptSeqs.flatMap((seq) => want.slice((seq - 1) * 3, seq * 3));
    const droppedRecords = want.length - keptRecords.length;
    const droppedPackets = totalsOf(want).packets - totalsOf(keptRecords).packets;

    // The collector comes back (a loopback proxy to it on the port the replay was given).
    const appPort = Number(new URL(url).port);
    const proxy = createServer((c) => {
      const u = connect(appPort, '127.0.0.1');
      c.pipe(u).pipe(c);
      c.on('error', () => u.destroy());
      u.on('error', () => c.destroy());
    });
    await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', () => r()));
    try {
      const code = await replay.exited;
      expect(code).toBe(1); // not every batch was acknowledged: some were dropped
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()));
    }
    const err = replay.stderr();
    expect(err).toContain(`dropped ${nBatches(batches - kept.length)} (${droppedRecords} records) unsent, oldest first`);
    expect(err).toContain(`shipped ${keptRecords.length} records in ${nBatches(kept.length)}`);
    expect(spoolFiles(spool)).toEqual([]);

    // Exactly the records of the kept batches arrived, and the agent's stats tell what was dropped.
    expect(await storeKeys(t.app, 'bounded')).toEqual(recordKeys(keptRecords));
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/stats', headers: { authorization: `Bearer ${API_TOKEN}` } });
    const agent = (res.json() as { agents: { agent: string; records: number; dropped: number; spool_backlog: number; spool_dropped_records: number }[] }).agents.find(
      (a) => a.agent === 'bounded',
    );
    expect(agent).toMatchObject({ records: keptRecords.length, dropped: droppedPackets, spool_backlog: 0 });
    expect(droppedPackets).toBeGreaterThan(0);
    // The server keeps the same drop counts the agent logged (all drops happened before the first send).
    expect(agent).toMatchObject({
      spool_dropped_batches: batches - kept.length,
      spool_dropped_records: droppedRecords,
      spool_dropped_packets: droppedPackets,
    });
  });
});
