import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../common/flow-record.js';
import { FLOW_COLUMNS, FLOW_INSERT_COLUMNS, encodeFlowsNative } from './flow-columns.js';
import { nativeRows, readNativeBlock } from '../../test/helpers/native-reader.js';
import { FlowRecordSchema } from '../../common/flow-record-schema.js';

const record = (over: Partial<FlowRecord> = {}): FlowRecord => ({
  proto: 'tcp',
  src: '192.0.2.10',
  sport: 40000,
  dst: '2001:db8::20',
  dport: 443,
  start: '2026-11-27T21:23:57.237885Z',
  end: '2026-11-27T21:23:58.000001Z',
  orig_pkts: 10,
  resp_pkts: 8,
  orig_ip_bytes: 1200,
  resp_ip_bytes: 9000,
  orig_bytes: 600,
  resp_bytes: 8500,
  state: 'SF',
  history: 'ShADadFf',
  end_reason: 'fin',
  initiator: 'syn',
  sampling: 1,
  frags: 0,
  vlan: 0,
  ...over,
});

describe('flow columns', () => {
  it('cover every FlowRecord field, once each, after agent', () => {
    const fields = Object.keys(FlowRecordSchema.properties).sort();
    expect(FLOW_COLUMNS.map((c) => c.name).sort()).toEqual(fields);
    expect(FLOW_INSERT_COLUMNS[0]).toBe('agent');
    expect(new Set(FLOW_INSERT_COLUMNS).size).toBe(FLOW_INSERT_COLUMNS.length);
  });

  it('writes one Native block: every column in order with its type, values as the record has them', () => {
    const r = encodeFlowsNative([record()], 'office-1');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.rows).toBe(1);
    expect(r.value.chunks).toHaveLength(1);
    const block = readNativeBlock(r.value.chunks[0]!);
    expect(block.rows).toBe(1);
    expect(block.columns.map((c) => c.name)).toEqual(FLOW_INSERT_COLUMNS);
    expect(block.columns.map((c) => c.type).slice(0, 8)).toEqual([
      'String', "DateTime64(6, 'UTC')", "DateTime64(6, 'UTC')", 'String', 'IPv6', 'UInt16', 'IPv6', 'UInt16',
    ]);
    const row = nativeRows(r.value.chunks[0]!)[0]!;
    expect(row).toMatchObject({
      agent: 'office-1',
      start: BigInt(Date.parse('2026-11-27T21:23:57Z')) * 1000n + 237885n,
      end: BigInt(Date.parse('2026-11-27T21:23:58Z')) * 1000n + 1n,
      proto: 'tcp', src: '::ffff:192.0.2.10', sport: 40000, dst: '2001:db8:0:0:0:0:0:20', dport: 443,
      orig_pkts: 10n, resp_pkts: 8n, orig_ip_bytes: 1200n, resp_ip_bytes: 9000n, orig_bytes: 600n, resp_bytes: 8500n,
      state: 'SF', history: 'ShADadFf', end_reason: 'fin', initiator: 'syn', sampling: 1, frags: 0, vlan: 0,
    });
    // Every detection label absent: '' (their columns' default), and NULL for the JWT lifetime.
    expect(row.app).toBe('');
    expect(row.jwt_lifetime_s).toBeNull();
  });

  it('writes text as is (tabs, newlines, non-ASCII) and an absent number as 0', () => {
    const r = encodeFlowsNative([record({ history: 'S\tA\n\\' }), { ...record(), vlan: undefined } as unknown as FlowRecord], 'a\tbü');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const rows = nativeRows(r.value.chunks[0]!);
    expect(rows.map((x) => [x.agent, x.history, x.vlan])).toEqual([['a\tbü', 'S\tA\n\\', 0], ['a\tbü', 'ShADadFf', 0]]);
  });

  it('writes detection labels when present', () => {
    const r = encodeFlowsNative([record({ app: 'http', auth: 'bearer', encryption: 'none', http_host: 'files.office.example', jwt_lifetime_s: 900.5 })], 'a');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const row = nativeRows(r.value.chunks[0]!)[0]!;
    expect([row.app, row.auth, row.encryption, row.http_host, row.jwt_lifetime_s, row.sni]).toEqual(['http', 'bearer', 'none', 'files.office.example', 900.5, '']);
    expect(encodeFlowsNative([record({ jwt_lifetime_s: Number.NaN })], 'a').ok).toBe(false);
  });

  it('splits into blocks of at most maxRows rows, each in a SharedArrayBuffer of its own', () => {
    const recs = Array.from({ length: 5 }, (_, i) => record({ sport: 1000 + i }));
    const r = encodeFlowsNative(recs, 'a', 2);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.chunks.map((c) => readNativeBlock(c).rows)).toEqual([2, 2, 1]);
    const buffers = new Set(r.value.chunks.map((c) => c.buffer));
    expect(buffers.size).toBe(3);
    expect(r.value.chunks.every((c) => c.buffer instanceof SharedArrayBuffer && c.byteOffset === 0 && c.byteLength === c.buffer.byteLength)).toBe(true);
    expect(nativeRows(r.value.chunks[2]!)[0]!.sport).toBe(1004);
  });

  it('grows its buffers for long and multi-byte text', () => {
    const long = 'é'.repeat(5000);
    const r = encodeFlowsNative([record({ history: long }), record()], 'ü');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(nativeRows(r.value.chunks[0]!).map((x) => x.history)).toEqual([long, 'ShADadFf']);
  });

  it('names the record and field of a value the table cannot hold', () => {
    const badIp = encodeFlowsNative([record(), record({ dst: 'printer.local' })], 'a');
    expect(badIp).toEqual({ ok: false, message: 'records/1/dst: not an IPv4 or IPv6 address' });
    const zone = encodeFlowsNative([record({ src: 'fe80::1%eth0' })], 'a');
    expect(zone.ok).toBe(false);
    const big = encodeFlowsNative([record({ sampling: 2 ** 32 })], 'a');
    expect(big).toEqual({ ok: false, message: 'records/0/sampling: must be an integer from 0 to 4294967295' });
    const port = encodeFlowsNative([record({ vlan: 70000 })], 'a');
    expect(port.ok).toBe(false);
    // The schema's pattern allows day 31 of any month; no such day in February.
    const day = encodeFlowsNative([record({ end: '2026-02-31T00:00:00Z' })], 'a');
    expect(day).toEqual({ ok: false, message: 'records/0/end: not a valid date-time' });
  });
});
