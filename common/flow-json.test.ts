import { describe, expect, it } from 'vitest';
import type { FlowRecord } from './flow-record.js';
import { FlowRecordSchema } from './flow-record-schema.js';
import { TEMPLATE_KEYS, flowRecordToJson } from './flow-json.js';

const base: FlowRecord = {
  proto: 'tcp', src: '10.0.0.2', sport: 40000, dst: 'fd00::10', dport: 443,
  start: '2026-11-27T12:00:00.000000Z', end: '2026-11-27T12:00:01.500000Z',
  orig_pkts: 5, resp_pkts: 3, orig_ip_bytes: 300, resp_ip_bytes: 1120, orig_bytes: 100, resp_bytes: 1000,
  state: 'SF', history: '^ShADdFf', end_reason: 'fin', initiator: 'syn', sampling: 1, frags: 0, vlan: 10,
};

describe('flowRecordToJson', () => {
  it('writes exactly the schema’s required fields in its template', () => {
    expect([...TEMPLATE_KEYS].sort()).toEqual([...(FlowRecordSchema.required ?? [])].sort());
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
});
