import { describe, expect, it } from 'vitest';
import { FLOW_RECORD_OPTIONAL_FIELDS, type FlowRecord } from './flow-record.js';
import { FlowRecordSchema } from './flow-record-schema.js';
import { LABEL_KEYS, TEMPLATE_KEYS, flowRecordToJson } from './flow-json.js';

const base: FlowRecord = {
  proto: 'tcp', src: '10.0.0.2', sport: 40000, dst: 'fd00::10', dport: 443,
  start: '2026-11-27T12:00:00.000000Z', end: '2026-11-27T12:00:01.500000Z',
  orig_pkts: 5, resp_pkts: 3, orig_ip_bytes: 300, resp_ip_bytes: 1120, orig_bytes: 100, resp_bytes: 1000,
  state: 'SF', history: '^ShADdFf', end_reason: 'fin', initiator: 'syn', sampling: 1, frags: 0, vlan: 10,
};

describe('flowRecordToJson', () => {
  it('writes exactly the schema’s required fields in its template', () => {
    expect([...TEMPLATE_KEYS].sort()).toEqual([...(FlowRecordSchema.required ?? [])].sort());
    expect(Object.keys(JSON.parse(flowRecordToJson(base)) as object)).toEqual([...TEMPLATE_KEYS]);
  });

  it('round-trips through JSON.parse, with every optional field and hostile strings escaped', () => {
    expect(JSON.parse(flowRecordToJson(base))).toEqual(base);
    const required: readonly string[] = FlowRecordSchema.required ?? [];
    const optional = Object.keys(FlowRecordSchema.properties).filter((k) => !required.includes(k));
    expect(optional.length).toBeGreaterThan(0);
    const nasty = ['a"b', 'back\\slash', 'line\nbreak', '\u0000\u001f', 'ünïcødé ✓', '</script>'];
    const withAll: Record<string, unknown> = { ...base };
    optional.forEach((k, i) => {
      const prop = (FlowRecordSchema.properties as Record<string, { type?: string }>)[k]!;
      withAll[k] = prop.type === 'number' || prop.type === 'integer' ? i * 1.5 : nasty[i % nasty.length];
    });
    expect(JSON.parse(flowRecordToJson(withAll as FlowRecord))).toEqual(withAll);
  });

  it('leaves out undefined optional fields and keys the schema does not know', () => {
    const r = { ...base, app: undefined, not_in_schema: 'x' } as unknown as FlowRecord;
    expect(JSON.parse(flowRecordToJson(r))).toEqual(base);
  });

  it('names every optional schema field in LABEL_KEYS (else records take the slower generic path)', () => {
    expect([...LABEL_KEYS].sort()).toEqual([...FLOW_RECORD_OPTIONAL_FIELDS].sort());
  });

  // The bytes, not just the parsed value: JSON.stringify of the same fields in template then LABEL_KEYS
  // order. Covers the fragment cache: values repeated in every field (a fragment must never be reused
  // for another field), equal strings made separately, and values sharing a cache slot (same length
  // and first character) that must not be taken for each other.
  it('writes exactly what JSON.stringify writes, optional fields in LABEL_KEYS order whatever the record order', () => {
    const values = [
      'http', 'http', 'tls', 'ab', 'ac', 'ab', 'x'.repeat(40), 'a"b', 'back\\slash', 'line\nbreak', '\u0000\u001f',
      'ünïcødé ✓', '\ud800', '</script>', '', 'http', ['ht', 'tp'].join(''), 'ac', '', 'tls',
    ];
    const numeric = new Set(['jwt_lifetime_s']);
    for (let round = 0; round < values.length * 2; round++) {
      const ordered: Record<string, unknown> = { ...base };
      LABEL_KEYS.forEach((k, i) => {
        const pick = (round + (round % 3 === 0 ? 0 : i)) % (values.length + 1);
        ordered[k] = numeric.has(k) ? round * 1.5 : pick === values.length ? undefined : values[pick];
      });
      const want = JSON.stringify(ordered);
      expect(flowRecordToJson(ordered as FlowRecord)).toBe(want);
      const reversed = Object.fromEntries(Object.entries(ordered).reverse()) as FlowRecord;
      expect(flowRecordToJson(reversed)).toBe(want);
    }
  });
});
