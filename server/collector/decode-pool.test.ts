// The pool runs decodeIngestBody in real worker threads (from these TypeScript sources via tsx).
import { afterAll, describe, expect, it } from 'vitest';
import { readNativeBlock } from '../../test/helpers/native-reader.js';
import { createDecodePool } from './decode-pool.js';

const record = {
  proto: 'tcp', src: '2001:db8::1', sport: 40000, dst: '2001:db8::2', dport: 22,
  start: '2026-11-27T21:23:57Z', end: '2026-11-27T21:23:58Z',
  orig_pkts: 5, resp_pkts: 4, orig_ip_bytes: 500, resp_ip_bytes: 400, orig_bytes: 100, resp_bytes: 90,
  state: 'SF', history: 'ShADadFf', end_reason: 'fin', initiator: 'syn', sampling: 1, frags: 0, vlan: 0,
};
const body = (id: string, n: number) =>
  Buffer.from(JSON.stringify({ batch_id: id, agent: 'a', sent_at: '2026-11-27T21:24:00Z', records: new Array(n).fill(record) }));

const pool = createDecodePool(2);
afterAll(() => pool.close());

describe('decode pool', () => {
  it('decodes in a worker: the body goes by transfer, the blocks come back shared', async () => {
    const b = body("b1", 50);
    const r = await pool.decode(b);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.batch.records).toBe(50);
    expect(readNativeBlock(r.batch.chunks[0]!).rows).toBe(50);
    // Transferred, not copied: the caller's buffer is detached.
    expect(b.buffer.byteLength).toBe(0);
    // Shared, so the worker detached nothing (server/store/native-block.ts, sealBlock).
    expect(r.batch.chunks[0]!.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('copies a body that shares its ArrayBuffer (a pooled Buffer) instead of detaching it', async () => {
    const small = Buffer.from('{"x":1}');
    const r = await pool.decode(small);
    expect(r.ok).toBe(false);
    expect(small.toString()).toBe('{"x":1}');
  });

  it('keeps concurrent jobs apart', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => pool.decode(body(`b${i}`, i + 1))));
    expect(results.map((r) => (r.ok ? `${r.batch.batchId}:${r.batch.records}` : r.message))).toEqual(
      Array.from({ length: 12 }, (_, i) => `b${i}:${i + 1}`),
    );
  });

  it('reports bad input as a result, not a rejection', async () => {
    const r = await pool.decode(Buffer.from('not json'));
    expect(r).toMatchObject({ ok: false });
  });

  it('refuses work once closed', async () => {
    const p = createDecodePool(1);
    await p.close();
    await expect(p.decode(body('x', 1))).rejects.toThrow(/closed/);
  });
});
