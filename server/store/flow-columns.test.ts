import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../common/flow-record.js';
import { FLOW_COLUMNS, FLOW_INSERT_COLUMNS, encodeFlowsTsv, tsvText } from './flow-columns.js';
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

const text = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('utf8');

describe('flow columns', () => {
  it('cover every FlowRecord field, once each, after agent', () => {
    const fields = Object.keys(FlowRecordSchema.properties).sort();
    expect(FLOW_COLUMNS.map((c) => c.name).sort()).toEqual(fields);
    expect(FLOW_INSERT_COLUMNS[0]).toBe('agent');
    expect(new Set(FLOW_INSERT_COLUMNS).size).toBe(FLOW_INSERT_COLUMNS.length);
  });

  it('writes one TabSeparated line per record, fields in column order', () => {
    const r = encodeFlowsTsv([record()], 'office-1');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.rows).toBe(1);
    expect(r.value.chunks).toHaveLength(1);
    expect(text(r.value.chunks[0]!)).toBe(
      'office-1\t2026-11-27T21:23:57.237885Z\t2026-11-27T21:23:58.000001Z\ttcp\t192.0.2.10\t40000\t2001:db8::20\t443\t' +
        '10\t8\t1200\t9000\t600\t8500\tSF\tShADadFf\tfin\tsyn\t1\t0\t0' +
        // every optional (detection) column absent
        '\t\\N'.repeat(FLOW_INSERT_COLUMNS.length - 21) + '\n',
    );
  });

  it('escapes tabs, newlines and backslashes, and writes absent fields as \\N (column default)', () => {
    expect(tsvText('a\tb\nc\\d\re\0')).toBe('a\\tb\\nc\\\\d\\re\\0');
    expect(tsvText('plain')).toBe('plain');
    const r = encodeFlowsTsv([record({ history: 'S\tA' }), { ...record(), vlan: undefined } as unknown as FlowRecord], 'a\tb');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const lines = text(r.value.chunks[0]!).split('\n');
    expect(lines[0]!.startsWith('a\\tb\t')).toBe(true);
    expect(lines[0]!.split('\t')).toHaveLength(FLOW_INSERT_COLUMNS.length);
    expect(lines[0]).toContain('\tS\\tA\t');
    expect(lines[1]!.split('\t')[FLOW_INSERT_COLUMNS.indexOf('vlan')]).toBe('\\N');
  });

  it('writes detection labels when present', () => {
    const r = encodeFlowsTsv([record({ app: 'http', auth: 'bearer', encryption: 'none', http_host: 'files.office.example', jwt_lifetime_s: 900 })], 'a');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const fields = text(r.value.chunks[0]!).trimEnd().split('\t');
    const at = (name: string) => fields[FLOW_INSERT_COLUMNS.indexOf(name)];
    expect([at('app'), at('auth'), at('encryption'), at('http_host'), at('jwt_lifetime_s'), at('sni')]).toEqual([
      'http', 'bearer', 'none', 'files.office.example', '900', '\\N',
    ]);
    expect(encodeFlowsTsv([record({ jwt_lifetime_s: Number.NaN })], 'a').ok).toBe(false);
  });

  it('splits into chunks of at most maxRows rows, each in its own ArrayBuffer', () => {
    const recs = Array.from({ length: 5 }, (_, i) => record({ sport: 1000 + i }));
    const r = encodeFlowsTsv(recs, 'a', 2);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.chunks.map((c) => text(c).split('\n').length - 1)).toEqual([2, 2, 1]);
    const buffers = new Set(r.value.chunks.map((c) => c.buffer));
    expect(buffers.size).toBe(3);
    expect(text(r.value.chunks[2]!)).toContain('\t1004\t');
  });

  it('grows its buffer for long lines and multi-byte text', () => {
    const long = 'é'.repeat(5000);
    const r = encodeFlowsTsv([record({ history: long }), record()], 'ü');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const t = text(r.value.chunks[0]!);
    expect(t).toContain(long);
    expect(t.split('\n')).toHaveLength(3);
  });

  it('names the record and field of a value the table cannot hold', () => {
    const badIp = encodeFlowsTsv([record(), record({ dst: 'printer.local' })], 'a');
    expect(badIp).toEqual({ ok: false, message: 'records/1/dst: not an IPv4 or IPv6 address' });
    const zone = encodeFlowsTsv([record({ src: 'fe80::1%eth0' })], 'a');
    expect(zone.ok).toBe(false);
    const big = encodeFlowsTsv([record({ sampling: 2 ** 32 })], 'a');
    expect(big).toEqual({ ok: false, message: 'records/0/sampling: must be an integer from 0 to 4294967295' });
    const port = encodeFlowsTsv([record({ vlan: 70000 })], 'a');
    expect(port.ok).toBe(false);
  });
});
