import { describe, expect, it } from 'vitest';
import { decodeIngestBody, MAX_BATCH_RECORDS } from './ingest-batch.js';

const record = {
  proto: 'udp', src: '192.0.2.10', sport: 5353, dst: '192.0.2.53', dport: 53,
  start: '2026-11-27T21:23:57.237885Z', end: '2026-11-27T21:23:57.238104Z',
  orig_pkts: 1, resp_pkts: 1, orig_ip_bytes: 89, resp_ip_bytes: 93, orig_bytes: 61, resp_bytes: 65,
  state: 'SF', history: 'Dd', end_reason: 'eof', initiator: 'first', sampling: 1, frags: 0, vlan: 0,
};
const batch = (over: Record<string, unknown> = {}) => ({
  batch_id: 'b-1', agent: 'laptop', sent_at: '2026-11-27T21:24:00.000Z', records: [record], ...over,
});
const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const message = (v: unknown) => {
  const r = decodeIngestBody(enc(v));
  return r.ok ? null : r.message;
};

describe('decodeIngestBody', () => {
  it('accepts a valid batch and encodes its records', () => {
    const r = decodeIngestBody(enc(batch({ stats: { packets: 10, dropped: 1, spool_backlog: 3 }, future_field: 1 })));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.batch).toMatchObject({ batchId: 'b-1', agent: 'laptop', records: 1, stats: { packets: 10, dropped: 1, spool_backlog: 3 } });
    expect(r.batch.chunks).toHaveLength(1);
    expect(r.batch.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same content hash for the same records, another for other records or another agent', () => {
    const h = (v: unknown) => {
      const r = decodeIngestBody(enc(v));
      return r.ok ? r.batch.contentHash : '';
    };
    expect(h(batch({ sent_at: '2026-11-27T22:00:00Z' }))).toBe(h(batch()));
    expect(h(batch({ records: [{ ...record, dport: 54 }] }))).not.toBe(h(batch()));
    expect(h(batch({ agent: 'other' }))).not.toBe(h(batch()));
  });

  it('refuses what is not JSON', () => {
    expect(message('{"batch_id": ')).toMatch(/^body is not valid JSON/);
    expect(decodeIngestBody(new Uint8Array([0x7b, 0xff, 0x7d])).ok).toBe(false);
    expect(message('')).toMatch(/^body is not valid JSON/);
  });

  it('names the field that is wrong', () => {
    expect(message(batch({ records: [{ ...record, sport: '53' }] }))).toMatch(/^body\/records\/0\/sport: /);
    expect(message(batch({ records: [record, { ...record, proto: 'sctp' }] }))).toMatch(/^body\/records\/1\/proto: /);
    const { dport: _omit, ...noPort } = record;
    expect(message(batch({ records: [noPort] }))).toMatch(/^body\/records\/0\/dport: /);
    expect(message(batch({ batch_id: '' }))).toMatch(/^body\/batch_id: /);
    expect(message(batch({ batch_id: 'x'.repeat(129) }))).toMatch(/^body\/batch_id: /);
    expect(message(batch({ agent: 7 }))).toMatch(/^body\/agent: /);
    expect(message(batch({ sent_at: 'yesterday' }))).toMatch(/^body\/sent_at: /);
    expect(message(batch({ records: [{ ...record, start: '2026-13-01T00:00:00Z' }] }))).toMatch(/^body\/records\/0\/start: /);
    expect(message(batch({ records: [] }))).toMatch(/^body\/records: /);
    expect(message(batch({ stats: { packets: -1, dropped: 0, spool_backlog: 0 } }))).toMatch(/^body\/stats\/packets: /);
    expect(message(batch({ records: [{ ...record, src: '192.0.2.300' }] }))).toBe('body/records/0/src: not an IPv4 or IPv6 address');
    expect(message([batch()])).toMatch(/^body: /);
  });

  it(`refuses more than ${MAX_BATCH_RECORDS} records`, () => {
    const records = new Array(MAX_BATCH_RECORDS + 1).fill(record);
    expect(message(batch({ records }))).toMatch(/^body\/records: /);
  });
});
