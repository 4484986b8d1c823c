// IP → name pairs from DNS A/AAAA answers, agent → collector → the `names` table (source 'dns'):
// - `surfacemap replay` (the built CLI) of fixtures/small-office.pcap stores exactly the pairs tshark
//   reads from the capture, with their capture times and answer counts;
// - a batch sent again is stored once: answered as a duplicate while its receipt exists, and dropped
//   by the names:<batch_id> dedup token when the collector died before writing the receipt;
// - shipReplay (what `surfacemap start --demo` runs) ships them too, with its time rewrite; a batch
//   spooled without `names` (an older agent's) still sends;
// - `surfacemap agent` live on loopback ships the answers of a real dnsmasq (needs root, dnsmasq);
// - the ingest route answers 400 naming a bad entry, and stores a batch of names and no records.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { promises as dns } from 'node:dns';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoMicros } from '../common/time.js';
import { HOST_NAME_PATTERN as AGENT_PATTERN, MAX_BATCH_NAMES as AGENT_MAX } from '../agent/ship/names.js';
import { shipReplay, everythingAcknowledged } from '../agent/ship/ship-replay.js';
import { openSpool } from '../agent/ship/spool.js';
import { HOST_NAME_PATTERN as COLLECTOR_PATTERN, MAX_BATCH_NAMES as COLLECTOR_MAX } from '../server/collector/ingest-names.js';
import { AGENT_TOKEN, buildTestApp, type TestApp } from './helpers/server-app.js';
import { FIXTURES, freeTcpPort, killChildren, runCli, spoolFiles, startCli, waitUntil } from './helpers/ship-cli.js';
import { freeUdpPort } from './helpers/ports.js';

const SMALL_OFFICE = join(FIXTURES, 'small-office.pcap');

let t: TestApp;
let url: string;
const tmp = mkdtempSync(join(tmpdir(), 'sm-ship-names-'));
const daemons: ChildProcess[] = [];

beforeAll(async () => {
  t = await buildTestApp('sm-ship-names');
  url = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  killChildren();
  for (const d of daemons) if (d.exitCode === null && d.signalCode === null) d.kill('SIGKILL');
  await t?.close();
  rmSync(tmp, { recursive: true, force: true });
});

interface NameRow {
  ip: string;
  name: string;
  first_seen: string;
  last_seen: string;
  flows: number;
}

const mapped = (ip: string) => (ip.includes(':') ? ip : `::ffff:${ip}`);

/** The `names` rows of source 'dns' (and `where`), merged per (ip, name), times as ISO-8601 with µs. */
async function dnsNames(where = '1'): Promise<NameRow[]> {
  const rows = await t.app.store.query<Record<string, string>>(
    `SELECT IPv6NumToString(ip) AS ip, name,
            formatDateTime(min(first_seen), '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS first,
            formatDateTime(max(last_seen), '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS last, sum(flows) AS n
     FROM names WHERE source = 'dns' AND (${where}) GROUP BY ip, name ORDER BY ip, name`,
  );
  return rows.map((r) => ({ ip: r.ip!, name: r.name!, first_seen: r.first!, last_seen: r.last!, flows: Number(r.n) }));
}

/** tshark's reading of a capture's DNS answers, aggregated as the names table keeps them (times ×k answers). */
function tsharkNames(file: string, times = 1): NameRow[] {
  const out = execFileSync('tshark', ['-n', '-r', file, '-Y', 'dns.flags.response == 1', '-T', 'fields', '-E', 'occurrence=a',
    '-e', 'frame.time_epoch', '-e', 'dns.qry.name', '-e', 'dns.a', '-e', 'dns.aaaa'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const by = new Map<string, { ip: string; name: string; first: number; last: number; n: number }>();
  for (const line of out.split('\n').filter((l) => l !== '')) {
    const [epoch, qname, a, aaaa] = line.split('\t');
    const [s, frac = ''] = epoch!.split('.');
    const us = Number(s) * 1_000_000 + Number(frac.padEnd(6, '0').slice(0, 6));
    for (const ip of [...(a ? a.split(',') : []), ...(aaaa ? aaaa.split(',') : [])]) {
      const key = `${mapped(ip)} ${qname!.toLowerCase()}`;
      const e = by.get(key) ?? { ip: mapped(ip), name: qname!.toLowerCase(), first: us, last: us, n: 0 };
      e.first = Math.min(e.first, us);
      e.last = Math.max(e.last, us);
      e.n++;
      by.set(key, e);
    }
  }
  return [...by.values()]
    .map((e) => ({ ip: e.ip, name: e.name, first_seen: isoMicros(e.first), last_seen: isoMicros(e.last), flows: e.n * times }))
    .sort((x, y) => (x.ip < y.ip ? -1 : x.ip > y.ip ? 1 : x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

/** The dns rows whose name ends with `suffix`. */
async function namesEnding(suffix: string): Promise<NameRow[]> {
  return (await dnsNames()).filter((r) => r.name.endsWith(suffix));
}

describe('DNS names: agent → collector → names', () => {
  it('agent and collector agree on what a name is and how many a batch may hold', () => {
    expect(AGENT_PATTERN).toBe(COLLECTOR_PATTERN);
    expect(AGENT_MAX).toBe(COLLECTOR_MAX);
  });

  it('`surfacemap replay` stores the A/AAAA answers of small-office.pcap as tshark reads them; a batch sent again counts once', async () => {
    const want = tsharkNames(SMALL_OFFICE);
    expect(want.map((w) => `${w.ip} ${w.name}`)).toEqual([
      '2001:db8:20::20 api.office.example', '2001:db8:20::20 files.office.example', '::ffff:192.0.2.20 files.office.example',
    ]);
    expect(await dnsNames()).toEqual([]);

    // 1. Collector down: the batches stay in the spool; keep a copy of them.
    const spool = join(tmp, 'replay');
    const common = ['--agent', 'names-replay', '--spool', spool, '--token', AGENT_TOKEN, '--batch-records', '10'];
    const down = await freeTcpPort();
    const r1 = await runCli(['replay', SMALL_OFFICE, '--collector', `http://127.0.0.1:${down}`, '--max-wait', '1', ...common]);
    expect(r1.code, r1.stderr).toBe(1);
    const spooled = spoolFiles(spool);
    expect(spooled.length).toBeGreaterThan(1);
    const backup = join(tmp, 'replay-backup');
    mkdirSync(backup);
    for (const f of spooled) copyFileSync(join(spool, f), join(backup, f));
    const restore = () => {
      for (const f of spooled) copyFileSync(join(backup, f), join(spool, f));
    };

    // 2. Collector up: stored, with tshark's addresses, names, times and answer counts.
    const r2 = await runCli(['replay', '--collector', url, ...common]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(await dnsNames()).toEqual(want);
    const files = (await dnsNames()).find((r) => r.ip === '::ffff:192.0.2.20');
    expect(files).toMatchObject({ name: 'files.office.example', flows: 1 });
    const flows = async () => Number((await t.app.store.query<{ n: string }>("SELECT count() AS n FROM flows WHERE agent = 'names-replay'"))[0]!.n);
    const flowsStored = await flows();

    // 3. The same batches again, as after a shipper killed before it deleted them: duplicates.
    restore();
    const r3 = await runCli(['replay', '--collector', url, ...common]);
    expect(r3.code, r3.stderr).toBe(0);
    expect(r3.stderr).toContain(`(${spooled.length} already stored: not counted twice)`);
    expect(await dnsNames()).toEqual(want);

    // 4. Again, as after a collector that died after its inserts and before the receipt: no receipt,
    //    so the batches are inserted again, and the dedup tokens (flows:…, names:…) drop the copies.
    await t.app.store.command("DELETE FROM ingest_batches WHERE agent = 'names-replay'");
    expect(Number((await t.app.store.query<{ n: string }>("SELECT count() AS n FROM ingest_batches WHERE agent = 'names-replay'"))[0]!.n)).toBe(0);
    restore();
    const r4 = await runCli(['replay', '--collector', url, ...common]);
    expect(r4.code, r4.stderr).toBe(0);
    expect(r4.stderr).not.toContain('already stored');
    expect(await dnsNames()).toEqual(want);
    expect(await flows()).toBe(flowsStored);
    expect(spoolFiles(spool)).toEqual([]);

    // 5. Another agent replaying the same capture saw the answers too: the counts add up.
    const r5 = await runCli(['replay', SMALL_OFFICE, '--collector', url, '--agent', 'names-other', '--spool', join(tmp, 'other'), '--token', AGENT_TOKEN]);
    expect(r5.code, r5.stderr).toBe(0);
    expect(r5.stderr).toContain(`batched ${want.length} IP → name pairs from ${want.length} DNS answers`);
    expect(await dnsNames()).toEqual(tsharkNames(SMALL_OFFICE, 2));
    // Without detection there are no names to ship.
    const before = await dnsNames();
    const r6 = await runCli(['replay', SMALL_OFFICE, '--no-detect', '--collector', url, '--agent', 'names-nodetect', '--spool', join(tmp, 'nd'), '--token', AGENT_TOKEN]);
    expect(r6.code, r6.stderr).toBe(0);
    expect(r6.stderr).not.toContain('IP → name pairs');
    expect(await dnsNames()).toEqual(before);
  });

  it('shipReplay (what `start --demo` runs) ships them, with the caller\'s time rewrite', async () => {
    const dayUs = 86_400_000_000;
    const seen: string[] = [];
    const res = await shipReplay([SMALL_OFFICE], {
      detect: true,
      onName: (ip, name) => seen.push(`${ip} ${name}`), // the caller's own callback still hears them
      transformNameTime: (us) => us + dayUs,
      collector: url,
      token: AGENT_TOKEN,
      agent: 'names-demo',
      spoolDir: join(tmp, 'demo'),
      spoolMaxBytes: 1 << 24,
      maxWaitS: 30,
      log: () => {},
    });
    expect(everythingAcknowledged(res)).toBe(true);
    expect(res.sealed.names).toBe(3);
    expect(res.names).toEqual({ answers: 3, dropped: 0, invalid: 0 });
    expect(seen.length).toBe(3);
    const shifted = (iso: string) => isoMicros(Date.parse(iso) * 1000 + Number(iso.slice(23, 26)) + dayUs);
    // The fixture's answers are from 2026-11-27 (the replay test stored them too); the shifted copies a day later.
    const got = await dnsNames("first_seen >= '2026-11-28 00:00:00' AND name LIKE '%.office.example'");
    expect(got).toEqual(tsharkNames(SMALL_OFFICE).map((w) => ({ ...w, first_seen: shifted(w.first_seen), last_seen: shifted(w.last_seen) })));
  });

  it('a batch spooled by an agent from before names (no `names` field) still sends', async () => {
    const dir = join(tmp, 'old-spool');
    const spool = openSpool(dir, { maxBytes: 1 << 20 });
    const record = {
      proto: 'udp', src: '192.0.2.10', sport: 40000, dst: '192.0.2.53', dport: 53,
      start: '2026-11-27T21:23:57.237885Z', end: '2026-11-27T21:23:57.238104Z',
      orig_pkts: 1, resp_pkts: 1, orig_ip_bytes: 89, resp_ip_bytes: 93, orig_bytes: 61, resp_bytes: 65,
      state: 'SF', history: 'Dd', end_reason: 'eof', initiator: 'first', sampling: 1, frags: 0, vlan: 0,
    };
    spool.write({ sealMs: Date.now(), runId: 'bbbbbbbbbbbb', seq: 1 }, { records: 1, packets: 2 }, [
      gzipSync(`{"batch_id":"old-agent/bbbbbbbbbbbb/1","agent":"old-agent","records":[${JSON.stringify(record)}]`),
    ]);
    spool.close();
    const res = await shipReplay([], { collector: url, token: AGENT_TOKEN, agent: 'old-agent', spoolDir: dir, spoolMaxBytes: 1 << 20, maxWaitS: 30, log: () => {} });
    expect(everythingAcknowledged(res)).toBe(true);
    expect(res.sender).toMatchObject({ ackedBatches: 1, ackedRecords: 1, duplicateBatches: 0 });
    const [n] = await t.app.store.query<{ n: string }>("SELECT count() AS n FROM flows WHERE agent = 'old-agent'");
    expect(Number(n!.n)).toBe(1);
  });

  it('POST /api/v1/ingest: a batch of names alone is stored; a bad entry is a 400 naming it', async () => {
    const post = (body: unknown) =>
      t.app.inject({
        method: 'POST', url: '/api/v1/ingest', payload: gzipSync(JSON.stringify(body)),
        headers: { authorization: `Bearer ${AGENT_TOKEN}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
    const entry = { ip: '198.51.100.7', name: 'only-names.example', first_seen: '2026-11-27T10:00:00.000001Z', last_seen: '2026-11-27T10:00:05.000002Z', count: 4 };
    const body = { batch_id: 'names-only/1', agent: 'names-inject', sent_at: new Date().toISOString(), records: [], names: [entry] };
    const ok = await post(body);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ accepted: 0, duplicate: false, names: 1 });
    const again = await post(body);
    expect(again.json()).toEqual({ accepted: 0, duplicate: true, names: 0 });
    expect(await namesEnding('only-names.example')).toEqual([
      { ip: '::ffff:198.51.100.7', name: 'only-names.example', first_seen: entry.first_seen, last_seen: entry.last_seen, flows: 4 },
    ]);
    // The same batch_id with other names is another batch under a reused key.
    const reused = await post({ ...body, names: [{ ...entry, count: 5 }] });
    expect(reused.statusCode).toBe(409);

    const bad = await post({ ...body, batch_id: 'names-only/2', names: [entry, { ...entry, name: 'Bad Name.example' }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^body\/names\/1\/name: /);
    const badIp = await post({ ...body, batch_id: 'names-only/3', names: [{ ...entry, ip: 'files.office.example' }] });
    expect(badIp.statusCode).toBe(400);
    expect(badIp.json().message).toBe('body/names/0/ip: not an IPv4 or IPv6 address');
    const tooMany = await post({ ...body, batch_id: 'names-only/4', names: new Array(COLLECTOR_MAX + 1).fill(entry) });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().message).toMatch(/^body\/names: /);
    expect(await namesEnding('only-names.example')).toHaveLength(1);
  });

  it('`surfacemap agent` live on loopback ships the answers of a real DNS server (dnsmasq)', async () => {
    const started = Date.now();
    const port = await freeUdpPort();
    const d = spawn('dnsmasq', [
      '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--pid-file=', '--user=root',
      '--log-facility=-', '--listen-address=127.0.0.1', '--bind-interfaces', `--port=${port}`,
      '--address=/live.names.example/192.0.2.77', '--address=/live.names.example/2001:db8::77',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    daemons.push(d);
    let dErr = '';
    d.stderr!.on('data', (b: Buffer) => (dErr += b.toString()));
    const spawned = await new Promise<Error | null>((resolve) => {
      d.once('error', resolve);
      d.once('spawn', () => resolve(null));
    });
    if (spawned) throw new Error(`dnsmasq is needed for this test (Debian package dnsmasq): ${spawned.message}`);

    const spool = join(tmp, 'live');
    const agent = startCli(
      ['agent', '--iface', 'lo', '--filter', `udp and port ${port}`, '--collector', url, '--agent', 'names-live', '--spool', spool, '--status-every', '1'],
      { SURFACEMAP_AGENT_TOKEN: AGENT_TOKEN },
      55_000,
    );
    await agent.waitFor(/capturing on lo/, 10_000);
    const resolver = new dns.Resolver({ timeout: 1_000, tries: 3 });
    resolver.setServers([`127.0.0.1:${port}`]);
    let v4: string[] = [];
    await waitUntil(async () => {
      v4 = await resolver.resolve4('live.names.example').catch(() => []);
      return v4.length > 0;
    }, 10_000, `dnsmasq answering on port ${port} (${dErr.trim()})`);
    expect(v4).toEqual(['192.0.2.77']);
    expect(await resolver.resolve6('Live.Names.Example')).toEqual(['2001:db8::77']);
    // Both answers seen by the agent (its status line counts packets: at least 2 queries + 2 answers).
    const packets = () => Math.max(0, ...[...agent.stderr().matchAll(/packets (\d+) \(kernel/g)].map((m) => Number(m[1])));
    await waitUntil(() => packets() >= 4, 10_000, 'the agent to see the DNS packets');
    agent.child.kill('SIGTERM');
    expect(await agent.exited, agent.stderr()).toBe(0);
    expect(agent.stderr()).toMatch(/batched 2 IP → name pairs from \d+ DNS answers/);
    const got = await namesEnding('live.names.example');
    expect(got.map((r) => `${r.ip} ${r.name}`)).toEqual(['2001:db8::77 live.names.example', '::ffff:192.0.2.77 live.names.example']);
    expect(got.find((r) => r.ip === '2001:db8::77')!.flows).toBe(1);
    expect(got.find((r) => r.ip === '::ffff:192.0.2.77')!.flows).toBeGreaterThanOrEqual(1);
    // Live capture times, not a file's: from this run.
    for (const r of got) expect(Date.parse(r.first_seen)).toBeGreaterThanOrEqual(started - 1_000);
    expect(spoolFiles(spool)).toEqual([]);
    d.kill('SIGTERM');
  });
});
