// The sender against a scripted HTTP server on 127.0.0.1 (what each status code makes it do). The real
// collector and store are exercised end to end in test/ship-*.test.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createSender, ingestUrl, type SenderOptions } from './sender.js';
import { openSpool, type Spool } from './spool.js';

const FAST = { baseMs: 10, capMs: 40 };
const TOKEN = 'sender-test-token-0123456789';
const cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Received {
  headers: IncomingMessage['headers'];
  body: { batch_id: string; agent: string; sent_at: string; records: unknown[]; stats: Record<string, number> };
}

/** An HTTP server answering each request with the next scripted reply (the last one repeats). */
async function scripted(replies: ((req: IncomingMessage, res: ServerResponse) => void)[]) {
  const received: Received[] = [];
  let i = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
      received.push({ headers: req.headers, body: JSON.parse(text) as Received['body'] });
      const reply = replies[Math.min(i++, replies.length - 1)]!;
      reply(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanup.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const ack = (accepted: number, duplicate = false) => json(200, { accepted, duplicate });
const fail = (status: number, message: string, headers: Record<string, string> = {}) => json(status, { error: 'x', message }, headers);

function spoolWith(batches: number[]): Spool {
  const dir = mkdtempSync(join(tmpdir(), 'sm-sender-'));
  const spool = openSpool(dir, { maxBytes: 1 << 30 });
  cleanup.push(() => {
    spool.close();
    rmSync(dir, { recursive: true, force: true });
  });
  batches.forEach((n, i) => {
    const recs = Array.from({ length: n }, (_, k) => `{"k":${k}}`).join(',');
    spool.write({ sealMs: 1_000 + i, runId: 'feedfacecafe', seq: i + 1 }, { records: n, packets: n * 2 }, [
      gzipSync(`{"batch_id":"t/feedfacecafe/${i + 1}","agent":"t","records":[${recs}]`),
    ]);
  });
  return spool;
}

function sender(url: string, spool: Spool, over: Partial<SenderOptions> = {}) {
  const logs: string[] = [];
  const s = createSender({
    collector: url, token: TOKEN, spool, stats: () => ({ packets: 42, dropped: 1 }), log: (m) => logs.push(m), backoff: FAST, ...over,
  });
  return { s, logs };
}

describe('sender', () => {
  it('wantsMore: a free request slot and no batch waiting for one, while the collector answers', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((r) => { release = r; });
    let arrived: () => void = () => {};
    const inFlight = new Promise<void>((r) => { arrived = r; });
    const srv = await scripted([(req, res) => { arrived(); void held.then(() => ack(1)(req, res)); }]);
    expect(sender(srv.url, spoolWith([])).s.wantsMore()).toBe(true);
    const spool = spoolWith([1]);
    const two = sender(srv.url, spool, { concurrency: 2 }).s;
    expect(two.wantsMore()).toBe(false); // a batch is waiting
    const done = two.run();
    await inFlight;
    expect(two.wantsMore()).toBe(true); // one on the wire, a slot free, nothing waiting
    const one = sender(srv.url, spool, { concurrency: 1 }).s;
    expect(one.wantsMore()).toBe(false); // same spool, one slot: the batch counts as waiting here
    two.finish();
    release();
    expect(await done).toEqual({ reason: 'done' });
    expect(two.wantsMore()).toBe(true);
  });

  it('sends every spooled batch in order with the contract headers, fresh sent_at and stats, then deletes it', async () => {
    const srv = await scripted([ack(2), ack(3)]);
    const spool = spoolWith([2, 3]);
    const { s } = sender(srv.url, spool, { concurrency: 1 });
    s.finish();
    expect(await s.run()).toEqual({ reason: 'done' });
    expect(srv.received.map((r) => r.body.batch_id)).toEqual(['t/feedfacecafe/1', 't/feedfacecafe/2']);
    const first = srv.received[0]!;
    expect(first.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers['content-encoding']).toBe('gzip');
    expect(first.body.records.length).toBe(2);
    expect(Date.now() - Date.parse(first.body.sent_at)).toBeLessThan(60_000);
    expect(first.body.stats).toEqual({
      packets: 42, dropped: 1, spool_backlog: 1, spool_dropped_batches: 0, spool_dropped_records: 0, spool_dropped_packets: 0, names_dropped: 0,
    });
    expect(srv.received[1]!.body.stats.spool_backlog).toBe(0);
    expect(s.counters).toEqual({ ackedBatches: 2, ackedRecords: 5, duplicateBatches: 0, retries: 0 });
    expect(spool.entries()).toEqual([]);
  });

  it('keeps two requests in flight while the collector answers, one while it fails', async () => {
    // Holds each answer until a second request is on the wire (or 300 ms passed).
    let open = 0;
    let peak = 0;
    const waiting: (() => void)[] = [];
    const srv = await scripted([
      (_req, res) => {
        open++;
        peak = Math.max(peak, open);
        const answer = () => { open--; ack(1)(_req, res); };
        waiting.push(answer);
        if (open >= 2) for (const w of waiting.splice(0)) w();
        else setTimeout(() => { const i = waiting.indexOf(answer); if (i >= 0) { waiting.splice(i, 1); answer(); } }, 300);
      },
    ]);
    const spool = spoolWith([1, 1, 1, 1]);
    const { s } = sender(srv.url, spool);
    s.finish();
    expect(await s.run()).toEqual({ reason: 'done' });
    expect(peak).toBe(2);
    expect(srv.received.map((r) => r.body.batch_id).sort()).toEqual([1, 2, 3, 4].map((i) => `t/feedfacecafe/${i}`));
    // Two on the wire, none waiting behind them when the last two went.
    expect(srv.received.slice(-1)[0]!.body.stats.spool_backlog).toBe(0);

    const failing = await scripted([fail(503, 'down'), fail(503, 'down'), ack(1)]);
    const spool2 = spoolWith([1, 1]);
    const { s: s2 } = sender(failing.url, spool2);
    s2.finish();
    expect(await s2.run()).toEqual({ reason: 'done' });
    expect(failing.received.length).toBe(4); // 2 failed in parallel, then one probe at a time
    expect(s2.counters.retries).toBe(2);
  });

  it('counts a batch the collector already had as acknowledged, once', async () => {
    const srv = await scripted([ack(0, true)]);
    const spool = spoolWith([4]);
    const { s } = sender(srv.url, spool);
    s.finish();
    expect(await s.run()).toEqual({ reason: 'done' });
    expect(s.counters).toMatchObject({ ackedBatches: 1, ackedRecords: 4, duplicateBatches: 1 });
  });

  it('retries 503 (Retry-After) and other 5xx with backoff until the collector answers', async () => {
    const srv = await scripted([fail(503, 'store unavailable', { 'retry-after': '0' }), fail(500, 'boom'), ack(1)]);
    const spool = spoolWith([1]);
    const { s, logs } = sender(srv.url, spool);
    s.finish();
    expect(await s.run()).toEqual({ reason: 'done' });
    expect(srv.received.length).toBe(3);
    expect(new Set(srv.received.map((r) => r.body.batch_id)).size).toBe(1); // the same batch_id on every retry
    expect(s.counters.retries).toBe(2);
    expect(logs.some((l) => l.includes('HTTP 503: store unavailable'))).toBe(true);
    expect(logs.some((l) => l.includes('answers again'))).toBe(true);
  });

  it('sets 409, 400, 413 and 415 batches aside without retrying and goes on with the next', async () => {
    const srv = await scripted([fail(409, 'reused'), fail(400, 'body/records/0/sport: Expected integer'), fail(413, 'too large'), fail(415, 'type'), ack(5)]);
    const spool = spoolWith([1, 2, 3, 4, 5]);
    const { s, logs } = sender(srv.url, spool);
    s.finish();
    expect(await s.run()).toEqual({ reason: 'done' });
    expect(srv.received.length).toBe(5);
    expect(spool.counters).toMatchObject({ rejectedBatches: 4, rejectedRecords: 10 });
    expect(readdirSync(join(spool.dir, 'rejected')).filter((n) => n.endsWith('.reason.txt')).length).toBe(4);
    expect(s.counters).toMatchObject({ ackedBatches: 1, ackedRecords: 5, retries: 0 });
    expect(logs.filter((l) => l.includes('not retried')).length).toBe(4);
  });

  it('stops on a refused token and keeps the spool; the token never appears in messages', async () => {
    const srv = await scripted([fail(401, 'the agent token is not valid')]);
    const spool = spoolWith([1, 1]);
    const { s, logs } = sender(srv.url, spool);
    s.finish();
    const r = await s.run();
    expect(r.reason).toBe('fatal');
    expect(JSON.stringify(r)).toContain('refused the token');
    expect(JSON.stringify(r) + logs.join('\n')).not.toContain(TOKEN);
    expect(srv.received.length).toBe(2); // both were on the wire; nothing is sent after the refusal
    expect(spool.entries().length).toBe(2);
  });

  it('stops on a URL that is not a collector (404)', async () => {
    const srv = await scripted([fail(404, 'no route')]);
    const spool = spoolWith([1]);
    const { s } = sender(srv.url, spool);
    s.finish();
    const r = await s.run();
    expect(r.reason).toBe('fatal');
    expect(spool.entries().length).toBe(1);
  });

  it('gives up after maxWait without an answer and keeps the spool', async () => {
    // A port with nothing listening: connection refused.
    const tcp = createTcpServer();
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    const port = (tcp.address() as AddressInfo).port;
    await new Promise<void>((r) => tcp.close(() => r()));
    const spool = spoolWith([3]);
    const { s, logs } = sender(`http://127.0.0.1:${port}`, spool, { maxWaitMs: 300 });
    s.finish();
    const t0 = Date.now();
    const r = await s.run();
    expect(r.reason).toBe('gave-up');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(JSON.stringify(r)).toContain('ECONNREFUSED');
    expect(s.counters.retries).toBeGreaterThan(2);
    expect(spool.entries().length).toBe(1);
    expect(logs[0]).toMatch(/unreachable.*1 batch \(3 records\) spooled/);
  });

  it('stop() aborts a request the collector sits on; the batch stays spooled', async () => {
    const srv = await scripted([() => { /* never answers */ }]);
    const spool = spoolWith([2]);
    const { s } = sender(srv.url, spool);
    const running = s.run();
    await new Promise((r) => setTimeout(r, 200));
    expect(srv.received.length).toBe(1);
    s.stop();
    expect(await running).toEqual({ reason: 'stopped' });
    expect(spool.entries().length).toBe(1);
  });

  it('waits for new batches until finish()', async () => {
    const srv = await scripted([ack(1)]);
    const spool = spoolWith([]);
    const { s } = sender(srv.url, spool);
    const running = s.run();
    await new Promise((r) => setTimeout(r, 50));
    spool.write({ sealMs: 5_000, runId: 'feedfacecafe', seq: 9 }, { records: 1, packets: 2 }, [gzipSync('{"batch_id":"late","agent":"t","records":[{}]')]);
    s.notify();
    await new Promise((r) => setTimeout(r, 200));
    expect(srv.received.map((r) => r.body.batch_id)).toEqual(['late']);
    s.finish();
    expect(await running).toEqual({ reason: 'done' });
  });
});

describe('ingestUrl', () => {
  it('adds the ingest path to a base URL and refuses what is not one', () => {
    expect(ingestUrl('http://127.0.0.1:7070')).toBe('http://127.0.0.1:7070/api/v1/ingest');
    expect(ingestUrl('https://collector.example/base/')).toBe('https://collector.example/base/api/v1/ingest');
    expect(ingestUrl('http://h:1/api/v1/ingest')).toBe('http://h:1/api/v1/ingest');
    expect(() => ingestUrl('127.0.0.1:7070')).toThrow(/http/);
    expect(() => ingestUrl('ftp://h')).toThrow(/http/);
    expect(() => ingestUrl('http://user:pw@h')).toThrow(/credentials/);
  });
});
