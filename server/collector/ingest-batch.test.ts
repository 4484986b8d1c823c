import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeIngestBody, MAX_BATCH_RECORDS } from './ingest-batch.js';
import { MAX_BATCH_NAMES } from './ingest-names.js';

const record = {
  proto: 'udp', src: '192.0.2.10', sport: 5353, dst: '192.0.2.53', dport: 53,
  start: '2026-11-27T21:23:57.237885Z', end: '2026-11-27T21:23:57.238104Z',
  orig_pkts: 1, resp_pkts: 1, orig_ip_bytes: 89, resp_ip_bytes: 93, orig_bytes: 61, resp_bytes: 65,
  state: 'SF', history: 'Dd', end_reason: 'eof', initiator: 'first', sampling: 1, frags: 0, vlan: 0,
};
const batch = (over: Record<string, unknown> = {}) => ({
  batch_id: 'b-1', agent: 'laptop', sent_at: '2026-11-27T21:24:00.000Z', records: [record], ...over,
});
const name = {
  ip: '192.0.2.20', name: 'files.office.example', first_seen: '2026-11-27T21:23:57.238104Z', last_seen: '2026-11-27T21:23:58.000001Z', count: 2,
};
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
    expect(r.batch.contentHash).toMatch(/^native1:[0-9a-f]{64}$/);
  });

  it("keeps the spool bound's drop counters when sent, and ignores stats fields it does not know", () => {
    const stats = (s: Record<string, unknown>) => {
      const r = decodeIngestBody(enc(batch({ stats: s })));
      return r.ok ? r.batch.stats : r.message;
    };
    const base = { packets: 10, dropped: 1, spool_backlog: 3 };
    const drops = { spool_dropped_batches: 2, spool_dropped_records: 40, spool_dropped_packets: 90 };
    expect(stats({ ...base, ...drops, names_dropped: 5 })).toEqual({ ...base, ...drops });
    expect(stats({ ...base, names_dropped: 5 })).toEqual(base); // an older agent: no drop counters
    expect(stats({ ...base, spool_dropped_batches: -1 })).toMatch(/^body\/stats\/spool_dropped_batches: /);
    expect(stats({ ...base, spool_dropped_records: 1.5 })).toMatch(/^body\/stats\/spool_dropped_records: /);
    expect(stats({ ...base, spool_dropped_packets: '7' })).toMatch(/^body\/stats\/spool_dropped_packets: /);
    expect(stats({ ...base, spool_dropped_packets: null })).toMatch(/^body\/stats\/spool_dropped_packets: /);
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

  it('accepts DNS names, with records or alone, and encodes them for the names table (source dns)', () => {
    const v6 = { ...name, ip: '2001:db8:20::20', count: 1 };
    const r = decodeIngestBody(enc(batch({ names: [name, v6] })));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.batch).toMatchObject({ records: 1, names: 2 });
    expect(new TextDecoder().decode(r.batch.nameChunks[0])).toBe(
      '192.0.2.20\tfiles.office.example\tdns\t2026-11-27T21:23:57.238104Z\t2026-11-27T21:23:58.000001Z\t2\n' +
        '2001:db8:20::20\tfiles.office.example\tdns\t2026-11-27T21:23:57.238104Z\t2026-11-27T21:23:58.000001Z\t1\n',
    );
    const alone = decodeIngestBody(enc(batch({ records: [], names: [name] })));
    expect(alone.ok && alone.batch).toMatchObject({ records: 0, chunks: [], names: 1 });
    const none = decodeIngestBody(enc(batch()));
    expect(none.ok && none.batch).toMatchObject({ names: 0, nameChunks: [] });
  });

  it('hashes names into the content hash, and a batch without names from its flow chunks alone', () => {
    const h = (v: unknown) => {
      const r = decodeIngestBody(enc(v));
      return r.ok ? r.batch.contentHash : '';
    };
    // The hash of a batch without names is the SHA-256 of its flow chunks alone, after the scheme.
    const plain = decodeIngestBody(enc(batch()));
    if (!plain.ok) throw new Error(plain.message);
    expect(h(batch())).toBe(`native1:${createHash('sha256').update(plain.batch.chunks[0]!).digest('hex')}`);
    expect(h(batch({ names: [] }))).toBe(h(batch()));
    expect(h(batch({ names: [name] }))).not.toBe(h(batch()));
    expect(h(batch({ names: [{ ...name, count: 3 }] }))).not.toBe(h(batch({ names: [name] })));
    expect(h(batch({ names: [name], sent_at: '2026-11-28T00:00:00Z' }))).toBe(h(batch({ names: [name] })));
  });

  it('names the DNS name entry and field that is wrong', () => {
    const bad = (over: Record<string, unknown>, i = 1) => message(batch({ names: [name, ...Array(i - 1).fill(name), { ...name, ...over }] }));
    expect(bad({ name: 'Files.office.example' })).toMatch(/^body\/names\/1\/name: /); // not lower-cased
    expect(bad({ name: 'files.office.example.' })).toMatch(/^body\/names\/1\/name: /); // trailing dot
    expect(bad({ name: 'a b.example' })).toMatch(/^body\/names\/1\/name: /);
    expect(bad({ name: '' })).toMatch(/^body\/names\/1\/name: /);
    expect(bad({ name: `${'a'.repeat(63)}.`.repeat(4) + 'abc' })).toMatch(/^body\/names\/1\/name: /); // 259 characters
    expect(bad({ ip: '192.0.2.300' }, 3)).toBe('body/names/3/ip: not an IPv4 or IPv6 address');
    expect(bad({ ip: 'fe80::1%eth0' })).toBe('body/names/1/ip: not an IPv4 or IPv6 address');
    expect(bad({ ip: 7 })).toMatch(/^body\/names\/1\/ip: /);
    expect(bad({ first_seen: 'yesterday' })).toMatch(/^body\/names\/1\/first_seen: /);
    expect(bad({ last_seen: '2026-11-27T21:23:57Z' })).toBe('body/names/1/last_seen: before first_seen');
    expect(bad({ count: 0 })).toMatch(/^body\/names\/1\/count: /);
    expect(bad({ count: 1.5 })).toMatch(/^body\/names\/1\/count: /);
    const { count: _c, ...noCount } = name;
    expect(message(batch({ names: [noCount] }))).toMatch(/^body\/names\/0\/count: /);
    expect(message(batch({ names: { ip: '192.0.2.1' } }))).toMatch(/^body\/names: /);
    expect(message(batch({ records: [], names: [] }))).toBe('body/records: a batch needs at least one record or one name');
  });

  it(`refuses more than ${MAX_BATCH_NAMES} names`, () => {
    expect(message(batch({ names: new Array(MAX_BATCH_NAMES + 1).fill(name) }))).toMatch(/^body\/names: /);
    const r = decodeIngestBody(enc(batch({ records: [], names: new Array(MAX_BATCH_NAMES).fill(name) })));
    expect(r.ok && r.batch.names).toBe(MAX_BATCH_NAMES);
  });

  it(`refuses more than ${MAX_BATCH_RECORDS} records`, () => {
    const records = new Array(MAX_BATCH_RECORDS + 1).fill(record);
    expect(message(batch({ records }))).toMatch(/^body\/records: /);
  });
});
