import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { FlowRecordSchema } from './flow-record-schema.js';
import { FLOW_RECORD_OPTIONAL_FIELDS, FLOW_RECORD_REQUIRED_FIELDS } from './flow-record.js';
import { registerDateTimeFormat } from '../test/helpers/flow-record-check.js';

describe('flow record field lists', () => {
  it('name the schema fields, required then optional, in the schema order', () => {
    expect(Object.keys(FlowRecordSchema.properties)).toEqual([...FLOW_RECORD_REQUIRED_FIELDS, ...FLOW_RECORD_OPTIONAL_FIELDS]);
    expect(FlowRecordSchema.required).toEqual([...FLOW_RECORD_REQUIRED_FIELDS]);
  });

  it('the schema accepts a record with only the required fields and rejects one missing a field', () => {
    const r = {
      proto: 'udp', src: '10.0.0.1', sport: 5000, dst: '10.0.0.2', dport: 53,
      start: '2026-11-28T10:00:00.000000Z', end: '2026-11-28T10:00:00.100000Z', orig_pkts: 1, resp_pkts: 1,
      orig_ip_bytes: 60, resp_ip_bytes: 120, orig_bytes: 32, resp_bytes: 92, state: 'SF', history: 'Dd',
      end_reason: 'idle', initiator: 'port', sampling: 1, frags: 0, vlan: 0,
    };
    registerDateTimeFormat();
    expect(Value.Check(FlowRecordSchema, r)).toBe(true);
    const { dport: _dropped, ...missing } = r;
    expect(Value.Check(FlowRecordSchema, missing)).toBe(false);
  });
});
