// (b) Outage: `surfacemap replay` starts while no collector listens on its port; the collector comes up
// on that port seconds later; replay exits 0 and every record arrives exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nBatches } from '../agent/ship/spool.js';
import { AGENT_TOKEN, buildTestApp, type TestApp } from './helpers/server-app.js';
import {
  FIXTURES, flowsRecords, freeTcpPort, killChildren, recordKeys, spoolFiles, startCli, storeKeys, storeTotals, totalsOf, waitUntil,
} from './helpers/ship-cli.js';

const FILES = ['small-office.pcap', 'any-sll.pcap', 'udp-metrics.pcap', 'vlan-qinq.pcap', 'detect-db.pcap'].map((f) => join(FIXTURES, f));

let t: TestApp;
const tmp = mkdtempSync(join(tmpdir(), 'sm-ship-outage-'));

beforeAll(async () => {
  // Built (engine loaded, migrations run) but not listening yet.
  t = await buildTestApp('sm-ship-outage');
});
afterAll(async () => {
  killChildren();
  await t?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('collector outage during a replay', () => {
  it('(b) spools while the collector is down, sends when it comes up, exit 0, every record once', async () => {
    const want = await flowsRecords(FILES);
    const port = await freeTcpPort();
    const spool = join(tmp, 'spool');
    const replay = startCli(
      ['replay', ...FILES, '--collector', `http://127.0.0.1:${port}`, '--agent', 'outage', '--spool', spool, '--batch-records', '6', '--max-wait', '45'],
      { SURFACEMAP_AGENT_TOKEN: AGENT_TOKEN },
    );
    await replay.waitFor(/unreachable \(.*ECONNREFUSED/, 20_000);
    const batches = Math.ceil(want.length / 6);
    await waitUntil(() => spoolFiles(spool).length === batches, 20_000, `${batches} batch files in the spool`);
    // Down for a few seconds more: the shipper keeps retrying, nothing is lost or sent.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(replay.child.exitCode).toBeNull();
    expect((await storeTotals(t.app)).flows.n).toBe(0);

    await t.app.listen({ host: '127.0.0.1', port });
    const code = await replay.exited;
    expect(code, replay.stderr()).toBe(0);
    expect(replay.stderr()).toMatch(/collector answers again after \d+\.\d s/);
    expect(replay.stderr()).toContain(`shipped ${want.length} records in ${nBatches(batches)}`);
    expect(replay.stderr()).not.toContain('already stored');

    const got = await storeTotals(t.app, 'outage');
    expect(got.flows).toEqual(totalsOf(want));
    expect(got.edges).toEqual(totalsOf(want));
    expect(got.batches).toEqual({ n: batches, records: want.length });
    expect(await storeKeys(t.app, 'outage')).toEqual(recordKeys(want));
    expect(spoolFiles(spool)).toEqual([]);
  });
});
