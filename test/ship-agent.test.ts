// (g) `surfacemap agent` live on loopback (needs root or CAP_NET_RAW; fails loudly without), shipping
// to a real collector: a paced UDP sender's flow arrives by itself once it goes idle (the expiry timer,
// not a packet, ends it), with the agent's packet and kernel-drop counters; a flow still open at
// SIGTERM is flushed and sent before the agent exits 0.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_TOKEN, API_TOKEN, buildTestApp, type TestApp } from './helpers/server-app.js';
import { killChildren, spoolFiles, startCli, waitUntil } from './helpers/ship-cli.js';
import { freeUdpPort } from './helpers/ports.js';

const SENDER = fileURLToPath(new URL('./helpers/udp-sender.mjs', import.meta.url));

let t: TestApp;
let url: string;
const tmp = mkdtempSync(join(tmpdir(), 'sm-ship-agent-'));

beforeAll(async () => {
  t = await buildTestApp('sm-ship-agent');
  url = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  killChildren();
  await t?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The paced sender (bounded by itself: count / rate + 10 s; backstop kill at 20 s). */
function send(port: number, rate: number, count: number): Promise<{ sent: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SENDER, '--port', String(port), '--rate', String(rate), '--count', String(count), '--sink'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(kill);
      if (code !== 0) reject(new Error(`udp-sender exited ${code}`));
      else resolve(JSON.parse(out) as { sent: number });
    });
  });
}

interface Row { proto: string; src: string; sport: number; dst: string; dport: number; orig_pkts: number; resp_pkts: number; end_reason: string; app: string }

async function udpFlowsTo(port: number): Promise<Row[]> {
  const rows = await t.app.store.query<Row>(
    `SELECT proto, IPv6NumToString(src) AS src, sport, IPv6NumToString(dst) AS dst, dport, orig_pkts, resp_pkts, end_reason
     FROM flows WHERE agent = 'live-lo' AND proto = 'udp' AND dport = {port:UInt16}`,
    { port },
  );
  return rows.map((r) => ({ ...r, sport: Number(r.sport), dport: Number(r.dport), orig_pkts: Number(r.orig_pkts), resp_pkts: Number(r.resp_pkts) }));
}

describe('surfacemap agent → collector', () => {
  it('(g) ships a live loopback flow when it goes idle, and flushes an open one on SIGTERM', async () => {
    const idlePort = await freeUdpPort();
    const openPort = await freeUdpPort();
    const spool = join(tmp, 'spool');
    const agent = startCli(
      [
        'agent', '--iface', 'lo', '--filter', `udp and (dst port ${idlePort} or dst port ${openPort})`,
        '--collector', url, '--agent', 'live-lo', '--spool', spool, '--idle-udp', '2', '--status-every', '1',
      ],
      { SURFACEMAP_AGENT_TOKEN: AGENT_TOKEN },
      55_000,
    );
    await agent.waitFor(/capturing on lo/, 10_000);

    // 1. 200 datagrams, then silence: the flow must reach the store with no further packet
    //    (idle 2 s + the 1 s expiry tick + the 5 s batch age).
    const first = await send(idlePort, 200, 200);
    expect(first.sent).toBe(200);
    await waitUntil(async () => (await udpFlowsTo(idlePort)).length > 0, 20_000, 'the idle flow in the store');
    const idle = await udpFlowsTo(idlePort);
    expect(idle).toEqual([
      expect.objectContaining({ src: '::ffff:127.0.0.1', dst: '::ffff:127.0.0.1', dport: idlePort, orig_pkts: 200, resp_pkts: 0, end_reason: 'idle' }),
    ]);
    expect(agent.child.exitCode).toBeNull();

    // 2. A flow still open at SIGTERM: flushed to the spool and sent before exit.
    const second = await send(openPort, 500, 100);
    expect(second.sent).toBe(100);
    await agent.waitFor(/packets 300 \(kernel drops 0\)/, 10_000); // the status line has seen them all
    agent.child.kill('SIGTERM');
    expect(await agent.exited, agent.stderr()).toBe(0);
    expect(agent.stderr()).toContain('SIGTERM: flushing flows to the spool');
    expect(agent.stderr()).toMatch(/packets 300, kernel drops 0, flow records 2 /);
    expect(agent.stderr()).toMatch(/shipped 2 records in 2 batches/);
    expect(await udpFlowsTo(openPort)).toEqual([expect.objectContaining({ dport: openPort, orig_pkts: 100, end_reason: 'eof' })]);
    expect(spoolFiles(spool)).toEqual([]);

    // The agent's own counters arrived with its batches.
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/stats', headers: { authorization: `Bearer ${API_TOKEN}` } });
    const a = (res.json() as { agents: { agent: string; batches: number; records: number; packets: number; dropped: number; spool_backlog: number }[] }).agents.find(
      (x) => x.agent === 'live-lo',
    );
    expect(a).toMatchObject({ batches: 2, records: 2, packets: 300, dropped: 0, spool_backlog: 0 });
  });
});
