// `surfacemap replay` (the built CLI) → a real collector on 127.0.0.1 → the embedded engine:
// (a) what arrives equals what `surfacemap flows` prints, record for record;
// (d) a batch sent again after the collector stored it (the state a shipper killed between the
//     collector's answer and deleting its spool file leaves behind) is stored once;
//     a batch_id reused with other records is set aside (409), not retried.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nBatches, openSpool } from '../agent/ship/spool.js';
import { AGENT_TOKEN, buildTestApp, type TestApp } from './helpers/server-app.js';
import {
  FIXTURES, flowsRecords, freeTcpPort, killChildren, recordKeys, runCli, spoolFiles, storeKeys, storeTotals, totalsOf,
} from './helpers/ship-cli.js';

// Every capture in fixtures/ but the two that repeat another's packets, in capture-time order.
const FILES = [
  'small-office.pcapng', 'any-sll2.pcap', 'multi-interface.pcapng', 'udp-metrics.pcap', 'vlan-qinq.pcap',
  'detect-http.pcap', 'detect-tls.pcap', 'detect-db.pcap', 'detect-ssh-udp.pcap',
].map((f) => join(FIXTURES, f));

let t: TestApp;
let url: string;
const tmp = mkdtempSync(join(tmpdir(), 'sm-ship-replay-'));

beforeAll(async () => {
  t = await buildTestApp('sm-ship-replay');
  url = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  killChildren();
  await t?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('surfacemap replay → collector', () => {
  it('(a) stores exactly the records `surfacemap flows` prints: rows, packets, bytes, per record', async () => {
    const want = await flowsRecords(FILES);
    expect(want.length).toBeGreaterThan(50);
    const spool = join(tmp, 'a');
    const r = await runCli(
      ['replay', ...FILES, '--collector', url, '--agent', 'replay-a', '--spool', spool, '--batch-records', '10'],
      { SURFACEMAP_AGENT_TOKEN: AGENT_TOKEN },
    );
    expect(r.code, r.stderr).toBe(0);
    const batches = Math.ceil(want.length / 10);
    expect(r.stderr).toContain(`shipped ${want.length} records in ${nBatches(batches)}`);
    expect(r.stderr + r.stdout).not.toContain(AGENT_TOKEN);
    const got = await storeTotals(t.app, 'replay-a');
    expect(got.flows).toEqual(totalsOf(want));
    expect(got.edges).toEqual(totalsOf(want)); // first agent in this store
    expect(got.batches).toEqual({ n: batches, records: want.length });
    expect(await storeKeys(t.app, 'replay-a')).toEqual(recordKeys(want));
    expect(spoolFiles(spool)).toEqual([]);
  });

  it('(d) a stored batch sent again is answered as a duplicate and counted once', async () => {
    const files = [join(FIXTURES, 'small-office.pcap'), join(FIXTURES, 'udp-metrics.pcap')];
    const want = await flowsRecords(files);
    const spool = join(tmp, 'd');
    const down = await freeTcpPort();
    const common = ['--agent', 'replay-d', '--spool', spool, '--token', AGENT_TOKEN];
    // 1. Collector down: everything stays in the spool.
    const r1 = await runCli(['replay', ...files, '--collector', `http://127.0.0.1:${down}`, '--max-wait', '1', '--batch-records', '8', ...common]);
    expect(r1.code, r1.stderr).toBe(1);
    const spooled = spoolFiles(spool);
    expect(spooled.length).toBe(Math.ceil(want.length / 8));
    const backup = join(tmp, 'd-backup');
    mkdirSync(backup);
    for (const f of spooled) copyFileSync(join(spool, f), join(backup, f));

    // 2. Collector up: a run without files sends what the spool holds.
    const edgesBefore = (await storeTotals(t.app)).edges;
    const r2 = await runCli(['replay', '--collector', url, ...common]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toContain(`sending ${nBatches(spooled.length)} (${want.length} records) left by an earlier run first`);
    const stored = await storeTotals(t.app, 'replay-d');
    expect(stored.flows).toEqual(totalsOf(want));
    expect(stored.batches).toEqual({ n: spooled.length, records: want.length });
    expect(spoolFiles(spool)).toEqual([]);

    // 3. The spool files come back, as if the shipper died after the collector's answer and before it
    //    deleted them; the next run sends them again.
    for (const f of spooled) copyFileSync(join(backup, f), join(spool, f));
    const r3 = await runCli(['replay', '--collector', url, ...common]);
    expect(r3.code, r3.stderr).toBe(0);
    expect(r3.stderr).toContain(`shipped ${want.length} records in ${nBatches(spooled.length)}`);
    expect(r3.stderr).toContain(`(${spooled.length} already stored: not counted twice)`);
    expect(await storeTotals(t.app, 'replay-d')).toEqual({ ...stored, edges: (await storeTotals(t.app)).edges });
    const edgesAfter = (await storeTotals(t.app)).edges;
    expect({ n: edgesAfter.n - edgesBefore.n, packets: edgesAfter.packets - edgesBefore.packets, bytes: edgesAfter.bytes - edgesBefore.bytes })
      .toEqual(totalsOf(want));
    expect(await storeKeys(t.app, 'replay-d')).toEqual(recordKeys(want));
  });

  it('(d) a batch_id reused with other records is set aside in rejected/ (409) and the run says so', async () => {
    // A stored batch, its records changed, under its old batch_id.
    const backup = join(tmp, 'd-backup');
    const name = readdirSync(backup).sort()[0]!;
    const text = gunzipSync(readFileSync(join(backup, name))).toString();
    const body = JSON.parse(`${text},"sent_at":"2026-01-01T00:00:00Z"}`) as { batch_id: string; agent: string; records: { orig_pkts: number }[] };
    body.records[0]!.orig_pkts += 1;
    const spoolDir = join(tmp, 'd409');
    const spool = openSpool(spoolDir, { maxBytes: 1 << 20 });
    spool.write({ sealMs: Date.now(), runId: 'aaaaaaaaaaaa', seq: 1 }, { records: body.records.length, packets: body.records.length * 2 }, [
      gzipSync(`{"batch_id":${JSON.stringify(body.batch_id)},"agent":${JSON.stringify(body.agent)},"records":${JSON.stringify(body.records)}`),
    ]);
    spool.close();
    const before = await storeTotals(t.app, 'replay-d');
    const r = await runCli(['replay', '--collector', url, '--spool', spoolDir, '--token', AGENT_TOKEN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1 batch \(\d+ records\) refused by the collector, kept in .*rejected\//);
    expect(r.stderr).toContain('HTTP 409');
    expect(spoolFiles(spoolDir)).toEqual([]);
    expect(readdirSync(join(spoolDir, 'rejected')).length).toBe(2);
    expect(await storeTotals(t.app, 'replay-d')).toEqual({ ...before, edges: (await storeTotals(t.app)).edges });
  });

  it('refuses to start without a collector or token, and with a wrong token keeps the spool (exit 3)', async () => {
    const file = join(FIXTURES, 'small-office.pcap');
    const noCollector = await runCli(['replay', file, '--token', AGENT_TOKEN, '--spool', join(tmp, 'x')]);
    expect(noCollector.code).toBe(2);
    expect(noCollector.stderr).toContain('no collector');
    const noToken = await runCli(['replay', file, '--collector', url, '--spool', join(tmp, 'x')]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('no token');
    const wrong = 'wrong-token-0123456789abcdef';
    const r = await runCli(['replay', file, '--collector', url, '--spool', join(tmp, 'x'), '--agent', 'wrong'], { SURFACEMAP_AGENT_TOKEN: wrong });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('refused the token');
    expect(r.stderr).not.toContain(wrong);
    expect(spoolFiles(join(tmp, 'x')).length).toBe(1);
  });
});
