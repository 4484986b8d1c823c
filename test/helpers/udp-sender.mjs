#!/usr/bin/env node
// Paced UDP sender for live-capture tests and the binding comparison in docs/decisions.md.
// Sends `count` datagrams at `rate` per second to 127.0.0.1:`port`, pacing in 1 ms slices: every slice
// sends the datagrams that are due by now, so timer jitter changes batch sizes, not the average rate.
// Hard bounds: never more than `count` datagrams, never longer than `count / rate` + 5 s.
// Loopback only: the destination is fixed to 127.0.0.1.
//
// NOTE: payload = 8 bytes: u32be magic 0x534d4150 ("SMAP"), u32be sequence number 0..count-1.
// Output (stdout, one JSON line at the end):
//   { sent, failed, attempted, startUs, endUs, elapsedMs, maxBatch }
// startUs/endUs are wall-clock microseconds (Date.now() * 1000) around the sending window.
//
// Usage: node udp-sender.mjs --port 40123 --rate 50000 --count 500000 [--sink]
//   --sink binds a socket on the destination port that is never read (the kernel drops datagrams at
//   its full receive buffer). Without a listener every datagram would make the kernel answer with an
//   ICMP port-unreachable, which on loopback is not rate-limited and doubles the work per packet.
import dgram from 'node:dgram';

const HOST = '127.0.0.1';
const PAYLOAD_LEN = 8;
const MAGIC = 0x534d4150;
const SLICE_MS = 1;
const GRACE_MS = 5000;

function parseArgs(argv) {
  const args = { port: 0, rate: 0, count: 0, sink: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--sink') args.sink = true;
    else if (a === '--port' || a === '--rate' || a === '--count') args[a.slice(2)] = Number(argv[++i]);
    else throw new Error(`udp-sender: unknown argument ${a}`);
  }
  if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) throw new Error('udp-sender: --port 1..65535');
  if (!Number.isInteger(args.rate) || args.rate < 1 || args.rate > 1_000_000) throw new Error('udp-sender: --rate 1..1000000');
  if (!Number.isInteger(args.count) || args.count < 1 || args.count > 10_000_000) throw new Error('udp-sender: --count 1..10000000');
  return args;
}

async function openSink(port) {
  const sink = dgram.createSocket('udp4');
  await new Promise((resolve, reject) => {
    sink.once('error', reject);
    sink.bind(port, HOST, () => { sink.off('error', reject); resolve(); });
  });
  // Stop reading: the kernel then drops at the full receive buffer (no ICMP, no per-packet JS work).
  // dgram has no public pause; its handle's recvStop() is what dgram itself uses. The handle sits in
  // the socket's internal state (symbol 'state symbol'); the `_handle` getter is deprecated.
  const stateKey = Object.getOwnPropertySymbols(sink).find((s) => s.description === 'state symbol');
  const handle = stateKey ? sink[stateKey]?.handle : undefined;
  if (handle && typeof handle.recvStop === 'function') handle.recvStop();
  else sink.on('message', () => {});
  return sink;
}

async function main() {
  const { port, rate, count, sink: wantSink } = parseArgs(process.argv.slice(2));
  const sinkSocket = wantSink ? await openSink(port) : null;
  const sock = dgram.createSocket('udp4');
  await new Promise((resolve) => sock.bind(0, HOST, resolve));
  sock.setSendBufferSize(4 * 1024 * 1024);

  // One pre-built payload per datagram: a queued (EAGAIN) send keeps a reference to its buffer.
  const pool = Buffer.alloc(count * PAYLOAD_LEN);
  for (let i = 0; i < count; i++) {
    pool.writeUInt32BE(MAGIC, i * PAYLOAD_LEN);
    pool.writeUInt32BE(i, i * PAYLOAD_LEN + 4);
  }

  let attempted = 0;
  let sent = 0;
  let failed = 0;
  let firstError = '';
  let maxBatch = 0;
  const onSent = (err) => {
    if (err) { failed++; if (!firstError) firstError = String(err.message); } else sent++;
  };
  sock.on('error', (err) => { if (!firstError) firstError = String(err.message); });

  const budgetMs = (count / rate) * 1000 + GRACE_MS;
  const startUs = Date.now() * 1000;
  const t0 = performance.now();

  await new Promise((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - t0;
      const due = Math.min(count, Math.floor((elapsed * rate) / 1000));
      const batch = due - attempted;
      if (batch > maxBatch) maxBatch = batch;
      while (attempted < due) {
        sock.send(pool, attempted * PAYLOAD_LEN, PAYLOAD_LEN, port, HOST, onSent);
        attempted++;
      }
      if (attempted >= count || elapsed > budgetMs) resolve();
      else setTimeout(tick, SLICE_MS);
    };
    tick();
  });

  // Wait (bounded) for the send callbacks of queued datagrams.
  const waitStart = performance.now();
  while (sent + failed < attempted && performance.now() - waitStart < GRACE_MS) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const endUs = Date.now() * 1000;
  const elapsedMs = performance.now() - t0;
  sock.close();
  sinkSocket?.close();
  const out = { sent, failed, attempted, startUs, endUs, elapsedMs: Math.round(elapsedMs), maxBatch };
  if (firstError) out.error = firstError;
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
  process.stderr.write(`udp-sender: ${err.message}\n`);
  process.exit(2);
});
