// Live capture on loopback through libpcap (needs root or CAP_NET_RAW; fails loudly without).
// A paced sender child (test/helpers/udp-sender.mjs) sends numbered UDP datagrams to 127.0.0.1;
// we check every one reaches the sink exactly once, with pcap-header timestamps, and no drops.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readlinkSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { listInterfaces, openLiveCapture, type LiveCapture } from '../agent/capture/live.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, type PacketSink } from '../agent/capture/source.js';
import { freeUdpPort } from './helpers/ports.js';

const SENDER = fileURLToPath(new URL('./helpers/udp-sender.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));
const MAGIC = 0x534d4150; // the sender's payload: u32be magic, u32be sequence number

interface SenderResult {
  sent: number; failed: number; attempted: number; startUs: number; endUs: number; elapsedMs: number; maxBatch: number;
  error?: string;
}

function runSender(port: number, rate: number, count: number): Promise<SenderResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SENDER, '--port', String(port), '--rate', String(rate), '--count', String(count), '--sink'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // The sender bounds itself (count / rate + 5 s + 5 s); this is the backstop.
    const kill = setTimeout(() => child.kill('SIGKILL'), (count / rate) * 1000 + 15_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(kill);
      if (code !== 0) reject(new Error(`udp-sender exited with ${code}: ${err}`));
      else resolve(JSON.parse(out) as SenderResult);
    });
  });
}

async function waitFor(cond: () => boolean, maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}

/** Inodes of the packet sockets this process holds (Linux). */
function ownPacketSockets(): Set<string> {
  const mine = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) mine.add(m[1]!);
    } catch { /* fd closed meanwhile */ }
  }
  const packet = new Set<string>();
  for (const line of readFileSync('/proc/net/packet', 'utf8').trim().split('\n').slice(1)) {
    const inode = line.trim().split(/\s+/).at(-1)!;
    if (mine.has(inode)) packet.add(inode);
  }
  return packet;
}

/**
 * Checks each packet is IPv4/UDP to `port` carrying the sender's payload and tallies sequence
 * numbers, timestamps and link types. A few byte reads, not the project's decoders.
 */
function udpCounter(port: number, count: number) {
  const seqSeen = new Uint8Array(count);
  const c = {
    packets: 0, foreign: 0, duplicates: 0, nonMonotone: 0, minTs: Infinity, maxTs: -Infinity, lastTs: -Infinity,
    linktypes: new Set<number>(), badCapLen: 0,
    seqMissing: () => seqSeen.reduce((n, v) => n + (v === 0 ? 1 : 0), 0),
  };
  const sink: PacketSink = {
    packet(buf, off, capLen, wireLen, tsUs, linktype) {
      c.packets++;
      c.linktypes.add(linktype);
      if (capLen > wireLen || capLen > buf.length - off) c.badCapLen++;
      if (tsUs < c.lastTs) c.nonMonotone++;
      c.lastTs = tsUs;
      if (tsUs < c.minTs) c.minTs = tsUs;
      if (tsUs > c.maxTs) c.maxTs = tsUs;
      // Link header → offset of the IPv4 header and its EtherType.
      let ip: number;
      let etherType: number;
      if (linktype === LINKTYPE_ETHERNET) { etherType = (buf[off + 12]! << 8) | buf[off + 13]!; ip = off + 14; }
      else if (linktype === LINKTYPE_LINUX_SLL) { etherType = (buf[off + 14]! << 8) | buf[off + 15]!; ip = off + 16; }
      else if (linktype === LINKTYPE_LINUX_SLL2) { etherType = (buf[off]! << 8) | buf[off + 1]!; ip = off + 20; }
      else { c.foreign++; return; }
      const ihl = (buf[ip]! & 0x0f) * 4;
      const udp = ip + ihl;
      if (etherType !== 0x0800 || buf[ip]! >> 4 !== 4 || buf[ip + 9] !== 17 || udp + 16 > off + capLen) { c.foreign++; return; }
      const dport = (buf[udp + 2]! << 8) | buf[udp + 3]!;
      const view = new DataView(buf.buffer, buf.byteOffset + udp + 8, 8);
      if (dport !== port || view.getUint32(0) !== MAGIC) { c.foreign++; return; }
      const seq = view.getUint32(4);
      if (seq >= count) { c.foreign++; return; }
      if (seqSeen[seq]) c.duplicates++;
      seqSeen[seq] = 1;
    },
  };
  return { c, sink };
}

describe('live capture on loopback', () => {
  it('delivers all 500 000 datagrams sent at 50 000/s with no drops', async () => {
    const rate = 50_000;
    const count = 500_000;
    const port = await freeUdpPort();
    const { c, sink } = udpCounter(port, count);
    const before = ownPacketSockets();
    const cap = openLiveCapture({ iface: 'lo', filter: `udp dst port ${port}` }, sink);
    expect(cap.linktype).toBe(LINKTYPE_ETHERNET);
    expect(ownPacketSockets().size).toBe(before.size + 1);

    const sender = await runSender(port, rate, count);
    await waitFor(() => c.packets >= sender.sent, 5_000);
    const stats = cap.stats();
    cap.close();

    expect(sender).toMatchObject({ sent: count, failed: 0, attempted: count });
    // The load generator must really have run at ~50 k/s (it paces, and catches up when late);
    // otherwise this test would not be measuring what it claims.
    expect(count / (sender.elapsedMs / 1000), 'sender average rate (datagrams/s)').toBeGreaterThan(45_000);
    expect(c.packets).toBe(sender.sent);
    expect(cap.packets).toBe(sender.sent);
    expect(c.foreign).toBe(0);
    expect(c.duplicates).toBe(0);
    expect(c.seqMissing()).toBe(0);
    expect(c.badCapLen).toBe(0);
    expect(stats.dropped).toBe(0);
    expect(stats.ifDropped).toBe(0);
    // Loopback: the kernel hands each datagram to the packet socket twice (out and in); libpcap
    // delivers one of them.
    expect(stats.received).toBeGreaterThanOrEqual(sender.sent);
    expect(c.nonMonotone).toBe(0);
    // Capture timestamps come from the kernel, inside the sender's wall-clock window (ms resolution).
    expect(c.minTs).toBeGreaterThanOrEqual(sender.startUs - 1_000);
    expect(c.maxTs).toBeLessThanOrEqual(sender.endUs + 1_000);
  });

  it('captures on "any" with Linux cooked headers', async () => {
    const count = 2_000;
    const port = await freeUdpPort();
    const { c, sink } = udpCounter(port, count);
    const cap = openLiveCapture({ iface: 'any', filter: `udp dst port ${port}`, bufferSizeMb: 4 }, sink);
    expect([LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2]).toContain(cap.linktype);
    const sender = await runSender(port, 10_000, count);
    await waitFor(() => c.packets >= sender.sent, 5_000);
    const stats = cap.stats();
    cap.close();
    expect(sender.sent).toBe(count);
    expect(c.packets).toBe(count);
    expect([...c.linktypes]).toEqual([cap.linktype]);
    expect(c.foreign).toBe(0);
    expect(c.duplicates).toBe(0);
    expect(c.seqMissing()).toBe(0);
    expect(stats.dropped).toBe(0);
  });

  it('stops at close(), keeps final stats and frees the handle at the next packet', async () => {
    const port = await freeUdpPort();
    const { c, sink } = udpCounter(port, 300);
    const before = ownPacketSockets();
    const cap = openLiveCapture({ iface: 'lo', filter: `udp dst port ${port}`, bufferSizeMb: 1, snaplen: 128 }, sink);
    expect(cap.snaplen).toBe(128);
    await runSender(port, 10_000, 100);
    await waitFor(() => c.packets >= 100, 5_000);
    cap.close();
    const final = cap.stats();
    expect(c.packets).toBe(100);
    await runSender(port, 10_000, 200); // these arrive after close(): not delivered, and the first frees the handle
    await waitFor(() => ownPacketSockets().size === before.size, 3_000);
    expect(c.packets).toBe(100);
    expect(cap.stats()).toEqual(final);
    expect(ownPacketSockets()).toEqual(before);
    cap.close(); // idempotent
  });

  it('stops and reports when the sink throws, without crashing the process', async () => {
    const port = await freeUdpPort();
    let calls = 0;
    let reported: Error | undefined;
    const cap: LiveCapture = openLiveCapture(
      { iface: 'lo', filter: `udp dst port ${port}`, bufferSizeMb: 1, onError: (e) => (reported = e) },
      { packet() { if (++calls === 3) throw new Error('sink broke'); } },
    );
    await runSender(port, 10_000, 50);
    await waitFor(() => reported !== undefined, 5_000);
    expect(calls).toBe(3);
    expect(cap.packets).toBe(2);
    expect(cap.error?.message).toBe('sink broke');
    expect(reported).toBe(cap.error);
    cap.close();
  });
});

describe('live capture errors', () => {
  const sink: PacketSink = { packet() {} };

  it('names an unknown interface', () => {
    expect(() => openLiveCapture({ iface: 'nosuchif0' }, sink)).toThrow(/"nosuchif0": no such interface/);
  });

  it('names a bad filter and does not keep an unfiltered socket', async () => {
    const before = ownPacketSockets();
    expect(() => openLiveCapture({ iface: 'lo', filter: 'udp prot 5', bufferSizeMb: 1 }, sink)).toThrow(
      /bad capture filter "udp prot 5": .*syntax error/,
    );
    // The failed handle is broken and freed by the first packet that reaches it.
    await runSender(await freeUdpPort(), 1_000, 20);
    await waitFor(() => ownPacketSockets().size === before.size, 3_000);
    expect(ownPacketSockets()).toEqual(before);
  });

  it('explains missing capture permissions', async () => {
    // A child without CAP_NET_RAW/CAP_NET_ADMIN (setpriv, util-linux) runs live.ts transpiled to plain
    // JS inside the repo (so it still resolves node_modules/pcap).
    const dir = `${REPO}test-output/live-perm`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/package.json`, '{ "type": "module" }');
    for (const name of ['live', 'source']) {
      const src = readFileSync(`${REPO}agent/capture/${name}.ts`, 'utf8');
      const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
      writeFileSync(`${dir}/${name}.js`, js.outputText);
    }
    const script = `import { openLiveCapture } from '${dir}/live.js';
      try { openLiveCapture({ iface: 'lo' }, { packet() {} }); console.log('opened'); }
      catch (e) { console.log(e.message); } process.exit(0);`;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('setpriv', ['--bounding-set=-net_raw,-net_admin', process.execPath, '--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`setpriv child exited with ${code}`))));
    });
    expect(out).toMatch(/"lo": permission denied .*Operation not permitted.*setcap cap_net_raw,cap_net_admin=eip/);
  });

  it('rejects out-of-range options before touching libpcap', () => {
    expect(() => openLiveCapture({ iface: 'lo', snaplen: 10 }, sink)).toThrow(RangeError);
    expect(() => openLiveCapture({ iface: 'lo', bufferSizeMb: 0 }, sink)).toThrow(/bufferSizeMb/);
    expect(() => openLiveCapture({ iface: '' }, sink)).toThrow(/iface/);
  });

  it('lists interfaces including lo and any', () => {
    const ifaces = listInterfaces();
    const lo = ifaces.find((i) => i.name === 'lo');
    expect(lo).toMatchObject({ loopback: true });
    expect(lo!.addresses).toContain('127.0.0.1');
    expect(ifaces.map((i) => i.name)).toContain('any');
  });
});
