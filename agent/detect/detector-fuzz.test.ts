// Fuzzing the detectors with mutated real payloads (every flow of the detection fixtures and the
// small-office/udp-metrics captures): bit flips, overwritten length fields, cuts, inserted and
// duplicated bytes, repeated, dropped and reordered segments, direction swaps, wild sequence numbers.
// Bars: nothing throws; payload() says "enough" within the per-direction packet bound; every label is
// a valid FlowRecord field; the names callback only gets bounded strings. Seeded: a failure prints the
// case number and seed to replay.
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../common/flow-record.js';
import { FlowRecordSchema } from '../../common/flow-record-schema.js';
import { createRng, subSeed, type Rng } from '../../test/helpers/fuzz-rng.js';
import { createDetector, MAX_PACKETS_PER_DIRECTION } from './detector.js';
import { packetFor, recordFlows, type RecordedFlow, type RecordedPacket } from './fixture-payloads.test-helper.js';

const SEED = Number(process.env.SM_FUZZ_SEED ?? 0x5eed0d37);
const CASES = Number(process.env.SM_FUZZ_CASES ?? 20000);
const FILES = ['detect-http.pcap', 'detect-tls.pcap', 'detect-db.pcap', 'detect-ssh-udp.pcap', 'small-office.pcap', 'udp-metrics.pcap',
  'detect-msg.pcap', 'detect-dir.pcap', 'detect-krb.pcap'];
const MAX_FLOWS = 64;

if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v));

const BASE: FlowRecord = {
  proto: 'tcp', src: '192.0.2.1', sport: 1, dst: '192.0.2.2', dport: 2, start: '2026-01-01T00:00:00.000000Z',
  end: '2026-01-01T00:00:01.000000Z', orig_pkts: 1, resp_pkts: 1, orig_ip_bytes: 40, resp_ip_bytes: 40, orig_bytes: 0,
  resp_bytes: 0, state: 'SF', history: 'ShAD', end_reason: 'eof', initiator: 'syn', sampling: 1, frags: 0, vlan: 0,
};

const EXTREME = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe, 0x0a, 0x0d, 0x20, 0x3a];

function mutateBytes(rng: Rng, b: Uint8Array, ops: string[]): Uint8Array {
  let out = b.slice();
  const n = rng.range(1, 4);
  for (let k = 0; k < n; k++) {
    switch (rng.int(6)) {
      case 0: { // bit flips
        if (out.length === 0) break;
        for (let i = rng.range(1, 8); i > 0; i--) { const bit = rng.int(out.length * 8); out[bit >> 3] ^= 1 << (bit & 7); }
        ops.push('flip');
        break;
      }
      case 1: { // a length-like field near the start (record/packet headers) set to an extreme value
        if (out.length === 0) break;
        const at = rng.int(Math.min(out.length, 64));
        const w = rng.range(1, 4);
        for (let i = 0; i < w && at + i < out.length; i++) out[at + i] = rng.pick(EXTREME);
        ops.push(`field@${at}+${w}`);
        break;
      }
      case 2: { // cut
        const len = rng.int(out.length + 1);
        out = out.slice(0, len);
        ops.push(`cut→${len}`);
        break;
      }
      case 3: { // insert random bytes
        const at = rng.int(out.length + 1);
        const ins = rng.bytes(rng.range(1, 32));
        const o = new Uint8Array(out.length + ins.length);
        o.set(out.subarray(0, at), 0); o.set(ins, at); o.set(out.subarray(at), at + ins.length);
        out = o;
        ops.push(`insert@${at}`);
        break;
      }
      case 4: { // duplicate a slice in place (repeated headers, lists)
        if (out.length === 0) break;
        const at = rng.int(out.length);
        const sl = out.slice(at, at + rng.range(1, 64));
        const o = new Uint8Array(out.length + sl.length);
        o.set(out.subarray(0, at), 0); o.set(sl, at); o.set(out.subarray(at), at + sl.length);
        out = o;
        ops.push(`dup@${at}`);
        break;
      }
      default: { // overwrite a run with random bytes
        if (out.length === 0) break;
        const at = rng.int(out.length);
        for (let i = at; i < Math.min(out.length, at + rng.range(1, 16)); i++) out[i] = rng.u32() & 0xff;
        ops.push(`random@${at}`);
      }
    }
  }
  return out;
}

function mutateFlow(rng: Rng, flow: RecordedFlow, ops: string[]): RecordedPacket[] {
  let pkts = flow.packets.map((p) => ({ ...p }));
  if (rng.chance(0.15) && pkts.length > 1) { const i = rng.int(pkts.length); pkts.splice(i, 1); ops.push(`drop ${i}`); }
  if (rng.chance(0.15) && pkts.length > 1) { const i = rng.int(pkts.length - 1); [pkts[i], pkts[i + 1]] = [pkts[i + 1]!, pkts[i]!]; ops.push(`swap ${i}`); }
  if (rng.chance(0.1)) { const i = rng.int(pkts.length); pkts.splice(i, 0, ...Array(rng.range(1, 20)).fill(pkts[i])); ops.push(`repeat ${i}`); }
  if (rng.chance(0.05)) { pkts = pkts.map((p) => ({ ...p, fromOrig: !p.fromOrig })); ops.push('directions swapped'); }
  return pkts.map((p) => {
    const q = { ...p };
    if (rng.chance(0.6)) q.bytes = mutateBytes(rng, p.bytes, ops);
    if (rng.chance(0.05)) { q.tcpSeq = rng.u32(); ops.push('seq'); }
    if (rng.chance(0.05)) { q.payloadLen = rng.pick([0, q.bytes.length + 1, 65535]); ops.push('payloadLen'); }
    return q;
  });
}

describe('detector fuzz: mutated real payloads', async () => {
  const seeds = (await Promise.all(FILES.map(recordFlows))).flat().filter((f) => f.packets.length > 0);

  it('has seeds from every file and every protocol family', () => {
    expect(new Set(seeds.map((s) => s.file))).toEqual(new Set(FILES));
    expect(seeds.length).toBeGreaterThan(60);
  });

  it(`${CASES} cases: no throw, bounded calls, valid labels`, () => {
    const names: [string, string][] = [];
    const det = createDetector({ maxFlows: MAX_FLOWS, onName: (ip, name) => names.push([ip, name]) });
    let labelled = 0;
    for (let c = 0; c < CASES; c++) {
      const rng = createRng(subSeed(SEED, 1, c));
      const flow = rng.pick(seeds);
      const ops: string[] = [];
      const pkts = mutateFlow(rng, flow, ops);
      const f = c % MAX_FLOWS; // ids are reused: open() must forget the previous flow
      const where = `case ${c} (seed ${SEED}, ${flow.file} :${flow.respPort}, ${ops.join(', ')})`;
      let calls = 0;
      let wanted = true;
      try {
        det.open(f, flow.proto, flow.origPort, flow.respPort);
        for (const p of pkts) {
          if (p.bytes.length === 0) continue; // the flow table never hands over empty payloads
          calls++;
          wanted = det.payload(f, p.fromOrig, p.bytes, 0, p.bytes.length, packetFor(flow, p));
          if (!wanted) break;
        }
      } catch (e) {
        throw new Error(`${where}: threw ${(e as Error).stack}`);
      }
      // Every payload() call counts toward the per-direction bound, retransmissions included.
      if (calls > 2 * MAX_PACKETS_PER_DIRECTION + 1) expect.fail(`${where}: ${calls} calls and still wanted more`);
      if (wanted && calls >= 2 * MAX_PACKETS_PER_DIRECTION + 1) expect.fail(`${where}: never said enough`);
      const rec = { ...BASE };
      det.label(f, rec);
      if (rec.app !== 'unknown') labelled++;
      if (!Value.Check(FlowRecordSchema, rec)) {
        expect.fail(`${where}: invalid record ${JSON.stringify([...Value.Errors(FlowRecordSchema, rec)].slice(0, 3).map((e) => `${e.path} ${e.message}`))}`);
      }
    }
    // Mutations leave most real flows recognisable: the fuzzing reached the parsers' insides.
    expect(labelled).toBeGreaterThan(CASES / 2);
    for (const [ip, name] of names) {
      expect(ip.length).toBeLessThanOrEqual(39);
      expect(name.length).toBeLessThanOrEqual(253);
    }
  });

  it('random and oversized payloads: at most the bound of calls, then it stops', () => {
    const rng = createRng(subSeed(SEED, 2, 0));
    const det = createDetector({ maxFlows: 4 });
    for (let c = 0; c < 200; c++) {
      const flow = rng.pick(seeds);
      det.open(0, flow.proto, flow.origPort, flow.respPort);
      let calls = 0;
      for (;;) {
        const bytes = rng.bytes(rng.pick([1, 5, 64, 1500, 65535]));
        const p = { ...flow.packets[0]!, bytes, payloadLen: bytes.length, fromOrig: rng.chance(0.5), tcpSeq: rng.u32() };
        calls++;
        if (!det.payload(0, p.fromOrig, bytes, 0, bytes.length, packetFor(flow, p))) break;
        expect(calls, `case ${c}`).toBeLessThanOrEqual(2 * MAX_PACKETS_PER_DIRECTION);
      }
    }
    expect(det.stats.packets).toBeGreaterThan(200);
  });
});
