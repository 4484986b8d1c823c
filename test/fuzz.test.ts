// Robustness bar: damaged packets and damaged capture files never make the agent throw, hang or crash,
// its counters still add up, and every record it emits is one the collector will accept.
// Seeds are the real captures in agent/decode/testdata/ and fixtures/ (new files are picked up).
// Two levels, both deterministic from one seed (FUZZ_SEED=0x… to try another; the seed is printed):
//  1. packets: mutated records → createFlowPipeline().sink.packet() in batches, then finish();
//  2. files: mutated pcap/pcapng files → readCaptureFile() → the same pipeline.
// A case that hangs is caught by a watchdog thread (see helpers/fuzz-watchdog.ts): the readers are
// synchronous, so vitest's own timeout could not fire while one loops.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../common/flow-record.js';
import { readCaptureFile, readCaptureFileTuned } from '../agent/capture/read-file.js';
import type { PacketSink, ReadSummary } from '../agent/capture/source.js';
import { decodePacket } from '../agent/decode/decode-packet.js';
import { MAX_TS_US, SKIP_REASONS, Skip, createDecodedPacket, type DecodedPacket } from '../agent/decode/packet.js';
import { createFlowPipeline, type FlowPipeline, type PipelineOptions } from '../agent/pipeline.js';
import { findSeedFiles, loadSeedFile, parseCapture, type SeedFile, type SeedPacket } from './helpers/capture-layout.js';
import { flowRecordProblems } from './helpers/flow-record-check.js';
import { mutateFile, mutatePacket, pcapVariant, pcapngSwapped, type PacketCase } from './helpers/fuzz-mutate.js';
import { createRng, hex32, parseSeed, subSeed } from './helpers/fuzz-rng.js';
import { startWatchdog, type Watchdog } from './helpers/fuzz-watchdog.js';

const MASTER_SEED = parseSeed(process.env['FUZZ_SEED']) ?? 0x5eed2026;
const PACKET_CASES = 90_000;
const PACKET_BATCH = 100;
const FILE_CASES = 10_000;
/** Every Nth file case is also read with a tiny chunk size, every Mth through the worker-thread ring. */
const SMALL_CHUNK_EVERY = 8;
const WORKER_RING_EVERY = 250;
const MIN_SEED_FILES = 3;
/** No case takes anywhere near this; a stalled heartbeat means a hang. */
const STALL_MS = 20_000;
const TEST_TIMEOUT_MS = 240_000;
const REPLAY_HINT = `replay: FUZZ_SEED=${hex32(MASTER_SEED)} npx vitest run test/fuzz.test.ts`;

// ---------------------------------------------------------------------------------------------------
// Failures are collected (grouped by kind) rather than thrown at once, so one run shows every distinct
// problem with a reproducible description of its first cases.

interface Failures {
  add(kind: string, detail: string): void;
  readonly total: number;
  report(): string;
}

function createFailures(): Failures {
  const kinds = new Map<string, { count: number; examples: string[] }>();
  let total = 0;
  return {
    add(kind, detail) {
      total++;
      let k = kinds.get(kind);
      if (!k) kinds.set(kind, (k = { count: 0, examples: [] }));
      k.count++;
      if (k.examples.length < 2) k.examples.push(detail);
    },
    get total() { return total; },
    report() {
      const parts = [`${total} failing checks in ${kinds.size} kinds (${REPLAY_HINT})`];
      for (const [kind, k] of kinds) parts.push(`\n## ${kind} — ${k.count}×\n${k.examples.join('\n---\n')}`);
      return parts.join('\n');
    },
  };
}

/** A stable name for an exception: type, message with numbers blurred, and the first frame in our code. */
function errorKind(where: string, e: unknown): string {
  const err = e instanceof Error ? e : new Error(String(e));
  const frame = (err.stack ?? '').split('\n').slice(1).find((l) => /agent\/|common\//.test(l)) ?? '';
  const loc = /((?:agent|common)\/[\w/.-]+:\d+)/.exec(frame)?.[1] ?? '?';
  return `${where} threw ${err.name}: ${err.message.replace(/\d+(\.\d+)?(e[+-]?\d+)?/g, 'N')} at ${loc}`;
}

function stackOf(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message).split('\n').slice(0, 8).join('\n') : String(e);
}

function hex(b: Uint8Array, max = 256): string {
  const s = Buffer.from(b.subarray(0, max)).toString('hex');
  return b.length > max ? `${s}… (${b.length} bytes)` : s;
}

/** Order-sensitive digest of one packet as a sink sees it; `withTime` false leaves the timestamp out. */
function packetDigest(buf: Uint8Array, off: number, cap: number, wire: number, ts: number, lt: number, withTime = true): number {
  let h = 0x811c9dc5;
  const end = Math.min(buf.length, off + cap);
  for (let i = off; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  h = Math.imul(h ^ cap, 0x01000193);
  h = Math.imul(h ^ wire, 0x01000193);
  h = Math.imul(h ^ lt, 0x01000193);
  if (withTime) {
    h = Math.imul(h ^ (ts % 4294967296), 0x01000193);
    h = Math.imul(h ^ Math.floor(ts / 4294967296), 0x01000193);
  }
  return h >>> 0;
}

function sumSkipped(p: FlowPipeline): number {
  let n = 0;
  for (let i = 1; i < p.counters.skipped.length; i++) n += p.counters.skipped[i]!;
  return n;
}

/** Checks shared by both levels once a pipeline has finished. Returns problem lines ([] = fine). */
function pipelineProblems(p: FlowPipeline, records: readonly FlowRecord[], sampling: number, maxFlows: number): string[] {
  const out: string[] = [];
  const c = p.counters;
  const skipped = sumSkipped(p);
  if (c.decoded + skipped + c.sampledOut !== c.packets) {
    out.push(`counters: decoded ${c.decoded} + skipped ${skipped} + sampledOut ${c.sampledOut} ≠ packets ${c.packets}`);
  }
  let pkts = 0;
  let frags = 0;
  let evicted = 0;
  for (const r of records) {
    const probs = flowRecordProblems(r);
    if (probs.length > 0) out.push(`record: ${probs.join('; ')}\n    ${JSON.stringify(r)}`);
    pkts += r.orig_pkts + r.resp_pkts;
    frags += r.frags;
    if (r.end_reason === 'evicted') evicted++;
  }
  if (pkts !== c.decoded * sampling) out.push(`records hold ${pkts} packets, but ${c.decoded} were decoded (sampling ${sampling})`);
  const s = p.table.stats;
  if (s.active !== 0) out.push(`flow table still holds ${s.active} flows after finish()`);
  if (s.emitted !== records.length) out.push(`stats.emitted ${s.emitted} ≠ ${records.length} records`);
  if (s.evicted !== evicted) out.push(`stats.evicted ${s.evicted} ≠ ${evicted} evicted records`);
  if (s.fragments !== frags) out.push(`stats.fragments ${s.fragments} ≠ ${frags} in records`);
  if (s.peakActive > maxFlows) out.push(`peakActive ${s.peakActive} > maxFlows ${maxFlows}`);
  return out;
}

/** Every field of a decoded packet except the buffer itself (payloadOff relative to the record). */
function decodedFields(p: DecodedPacket, off: number): string {
  return [
    p.wireLen, p.vlan, p.ipVersion, p.proto, p.src0, p.src1, p.src2, p.src3, p.dst0, p.dst1, p.dst2, p.dst3,
    p.sport, p.dport, p.icmpId, p.tcpFlags, p.tcpSeq, p.tcpAck, p.ipLen, p.payloadLen, p.payloadOff - off, p.payloadCap, p.fragment,
  ].join(',');
}

// ---------------------------------------------------------------------------------------------------

describe('fuzz: damaged packets and capture files', () => {
  let dir = '';
  /** Real seed files. */
  let seeds: SeedFile[] = [];
  /** Seeds plus byte-order / timestamp-unit variants of them (written to `dir`). */
  let fileSeeds: SeedFile[] = [];
  /** Per file seed: reader digests of its packets (with time) and where each packet's block ends. */
  const pristine = new Map<SeedFile, { summary: ReadSummary; digests: number[]; noTime: number[]; ends: number[] }>();
  let packetSeeds: SeedFile[] = [];
  let watchdog: Watchdog;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'surfacemap-fuzz-'));
    seeds = findSeedFiles().map(loadSeedFile);
    fileSeeds = [...seeds];
    for (const s of seeds) {
      const variants: [string, Uint8Array][] = s.format === 'pcap'
        ? [['be-us', pcapVariant(s, true, false)], ['le-ns', pcapVariant(s, false, true)], ['be-ns', pcapVariant(s, true, true)]]
        : [['swapped', pcapngSwapped(s)]];
      for (const [tag, bytes] of variants) {
        const path = join(dir, `${s.name.replace(/[/\\]/g, '_')}.${tag}`);
        writeFileSync(path, bytes);
        fileSeeds.push(parseCapture(`${s.name} (${tag})`, path, bytes));
      }
    }
    packetSeeds = seeds.filter((s) => s.packets.length > 0);
    watchdog = await startWatchdog(STALL_MS, ['packet', 'file', 'seed'], REPLAY_HINT);
    for (const [i, s] of fileSeeds.entries()) {
      watchdog.beat(2, i, 0, 0);
      const digests: number[] = [];
      const noTime: number[] = [];
      const sink: PacketSink = {
        packet(buf, off, cap, wire, ts, lt) {
          digests.push(packetDigest(buf, off, cap, wire, ts, lt));
          noTime.push(packetDigest(buf, off, cap, wire, ts, lt, false));
        },
      };
      const summary = await readCaptureFile(s.path, sink);
      pristine.set(s, { summary, digests, noTime, ends: s.packets.map((p) => p.blockEnd) });
    }
  });

  afterAll(async () => {
    await watchdog?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has real seed captures, and reads each one (and its byte-order/ns variants) exactly', () => {
    expect(seeds.length, `seed captures under agent/decode/testdata and fixtures: ${seeds.map((s) => s.name).join(', ')}`)
      .toBeGreaterThanOrEqual(MIN_SEED_FILES);
    expect(packetSeeds.length).toBeGreaterThanOrEqual(MIN_SEED_FILES);
    const byName = new Map<string, number[]>();
    for (const s of fileSeeds) {
      const run = pristine.get(s)!;
      expect(run.summary.error, s.name).toBeUndefined();
      expect(run.summary.packets, s.name).toBe(s.packets.length);
      expect(run.summary.bytes, s.name).toBe(s.bytes.length);
      // The independent parser and the reader agree on every packet's bytes, lengths and link type.
      expect(run.noTime, s.name).toEqual(s.packets.map((p) => packetDigest(p.bytes, 0, p.bytes.length, p.wireLen, 0, p.linktype, false)));
      // A variant yields exactly the packets (and times) of its original.
      const base = s.name.replace(/ \(.*\)$/, '');
      if (byName.has(base)) expect(run.digests, s.name).toEqual(byName.get(base));
      else byName.set(base, run.digests);
    }
  });

  it(`packet level: ${PACKET_CASES} mutated packets through the pipeline never throw, and counters add up`, () => {
    expect(PACKET_CASES + FILE_CASES).toBeGreaterThanOrEqual(100_000);
    expect(packetSeeds.length).toBeGreaterThan(0);
    const failures = createFailures();
    const skipped = new Float64Array(SKIP_REASONS.length);
    const totals = { cases: 0, batches: 0, aborted: 0, decoded: 0, sampledOut: 0, records: 0 };
    const ref = createDecodedPacket();
    const emb = createDecodedPacket();

    for (let batch = 0; totals.cases < PACKET_CASES; batch++) {
      const bseed = subSeed(MASTER_SEED, 1, batch);
      const rng = createRng(bseed);
      const sampling = rng.chance(0.8) ? 1 : rng.pick([2, 3, 7]);
      const maxFlows = rng.pick([16, 17, 24, 64]);
      const opts: PipelineOptions = { maxFlows, sampling, samplingSeed: rng.u32() };
      if (rng.chance(0.3)) {
        opts.idleTcpS = rng.pick([1, 5, 300]);
        opts.idleUdpS = rng.pick([1, 60]);
        opts.idleIcmpS = rng.pick([1, 60]);
        opts.activeTimeoutS = rng.pick([1, 10, 1800]);
        opts.tcpCloseDelayS = rng.pick([0, 1, 5]);
      }
      const extremeTimes = rng.chance(0.03);
      const records: FlowRecord[] = [];
      const pipeline = createFlowPipeline(opts, (r) => records.push(r));
      const src = rng.pick(packetSeeds);
      let at = rng.int(src.packets.length);
      const shift = rng.chance(0.5) ? 0 : rng.int(86400) * 1e6;
      const mine = new Float64Array(SKIP_REASONS.length);
      const where = (k: number, c: PacketCase, sp: SeedPacket): string =>
        `seed ${hex32(MASTER_SEED)} packet batch ${batch} (batch seed ${hex32(bseed)}) case ${k}; pipeline ${JSON.stringify(opts)}\n` +
        `  from ${sp.seed}; ops: ${c.ops.join(' | ') || '(none)'}\n` +
        `  sink.packet(buf, off, capLen ${c.capLen}, wireLen ${c.wireLen}, tsUs ${c.tsUs}, linktype ${c.linktype}); bytes ${hex(c.bytes)}`;
      let n = 0;
      let aborted = false;
      for (; n < PACKET_BATCH && totals.cases < PACKET_CASES; n++) {
        watchdog.beat(0, batch, n, bseed);
        totals.cases++;
        const sp = rng.chance(0.1) ? rng.pick(rng.pick(packetSeeds).packets) : src.packets[at++ % src.packets.length]!;
        const c = mutatePacket(rng, sp, sp.tsUs + shift, { extremeTimes });
        // The record sits at an offset inside a bigger buffer with garbage around it, as in a read chunk;
        // sometimes it claims more bytes than the buffer holds.
        const pre = rng.chance(0.5) ? rng.int(33) : 0;
        const over = rng.chance(0.03) ? rng.range(1, 64) : 0;
        const post = over === 0 && rng.chance(0.5) ? rng.int(33) : 0;
        const buf = rng.bytes(pre + c.bytes.length + post);
        buf.set(c.bytes, pre);
        let reason: number;
        try {
          reason = decodePacket(ref, c.bytes.slice(), 0, c.bytes.length, c.wireLen, c.linktype);
          const r2 = decodePacket(emb, buf, pre, c.capLen + over, c.wireLen, c.linktype);
          if (r2 !== reason || (reason === 0 && decodedFields(emb, pre) !== decodedFields(ref, 0))) {
            failures.add('decodePacket depends on bytes outside [off, off+capLen)',
              `${where(n, c, sp)}\n  alone: ${SKIP_REASONS[reason]} ${decodedFields(ref, 0)}\n  embedded (pre ${pre}, post ${post}, over ${over}): ${SKIP_REASONS[r2]} ${decodedFields(emb, pre)}`);
          }
        } catch (e) {
          failures.add(errorKind('decodePacket', e), `${where(n, c, sp)}\n${stackOf(e)}`);
          reason = -1;
        }
        // The pipeline refuses capture times a record cannot state before decoding anything.
        if (reason >= 0) mine[c.tsUs >= 0 && c.tsUs <= MAX_TS_US ? reason : Skip['bad-timestamp']]++;
        try {
          pipeline.sink.packet(buf, pre, c.capLen + over, c.wireLen, c.tsUs, c.linktype);
        } catch (e) {
          failures.add(errorKind('sink.packet', e), `${where(n, c, sp)}\n${stackOf(e)}`);
          aborted = true; // the table may be half-updated: the rest of this batch proves nothing
          break;
        }
      }
      totals.batches++;
      if (!aborted) {
        try {
          pipeline.finish();
        } catch (e) {
          failures.add(errorKind('finish', e), `seed ${hex32(MASTER_SEED)} packet batch ${batch} (batch seed ${hex32(bseed)}) after ${n} cases\n${stackOf(e)}`);
          aborted = true;
        }
      }
      const ctx = `seed ${hex32(MASTER_SEED)} packet batch ${batch} (batch seed ${hex32(bseed)}), ${n} cases, pipeline ${JSON.stringify(opts)}`;
      if (!aborted && pipeline.counters.packets !== n) failures.add('pipeline counted a different number of packets', `${ctx}: ${pipeline.counters.packets} ≠ ${n}`);
      if (aborted) {
        totals.aborted++;
      } else {
        for (const p of pipelineProblems(pipeline, records, sampling, maxFlows)) failures.add(p.split(':')[0]!.replace(/\d+/g, 'N'), `${ctx}\n  ${p}`);
        if (sampling === 1) {
          // The pipeline's skip tally is the decoder's verdict on exactly these packets.
          for (let i = 0; i < SKIP_REASONS.length; i++) {
            const got = i === 0 ? pipeline.counters.decoded : pipeline.counters.skipped[i]!;
            if (got !== mine[i]) failures.add(`pipeline count for ${SKIP_REASONS[i]} differs from decodePacket`, `${ctx}: ${got} ≠ ${mine[i]}`);
          }
        }
      }
      for (let i = 1; i < SKIP_REASONS.length; i++) skipped[i] += pipeline.counters.skipped[i]!;
      totals.decoded += pipeline.counters.decoded;
      totals.sampledOut += pipeline.counters.sampledOut;
      totals.records += records.length;
    }

    const hist = Object.fromEntries(SKIP_REASONS.map((r, i) => [r, i === 0 ? totals.decoded : skipped[i]!]).filter(([, v]) => (v as number) > 0));
    console.log(`fuzz packet level: seed ${hex32(MASTER_SEED)}, ${totals.cases} cases in ${totals.batches} batches ` +
      `(${totals.aborted} aborted by a throw), sampledOut ${totals.sampledOut}, records ${totals.records}, ` +
      `failures ${failures.total}; decode outcomes ${JSON.stringify(hist)}`);
    expect(totals.cases).toBe(PACKET_CASES);
    expect(failures.total, failures.report()).toBe(0);
  }, TEST_TIMEOUT_MS);

  it(`file level: ${FILE_CASES} mutated capture files through readCaptureFile never throw, lose packets or run away`, async () => {
    expect(fileSeeds.length).toBeGreaterThan(0);
    const failures = createFailures();
    const totals = { cases: 0, errors: 0, packets: 0, decoded: 0, records: 0, smallChunk: 0, ring: 0 };
    const readerErrors = new Map<string, number>();
    const skipped = new Float64Array(SKIP_REASONS.length);
    const path = join(dir, 'case.bin');

    for (let i = 0; i < FILE_CASES; i++) {
      const cseed = subSeed(MASTER_SEED, 2, i);
      watchdog.beat(1, i, 0, cseed);
      totals.cases++;
      const rng = createRng(cseed);
      // Half pcapng, half classic pcap (whatever the mix of seed files); originals and variants alike.
      const format = rng.chance(0.5) && fileSeeds.some((f) => f.format === 'pcapng') ? 'pcapng' : 'pcap';
      const sf = rng.pick(fileSeeds.filter((f) => f.format === format));
      const fc = mutateFile(rng, sf, fileSeeds);
      const size = fc.bytes.length;
      writeFileSync(path, fc.bytes);
      const ctx = `seed ${hex32(MASTER_SEED)} file case ${i} (case seed ${hex32(cseed)}) from ${sf.name} (${sf.bytes.length} bytes → ${size}); ops: ${fc.ops.join(' | ') || '(none)'}`;

      const maxFlows = rng.pick([16, 64]);
      const sampling = rng.chance(0.9) ? 1 : 3;
      const run = await readInto(path, size, { maxFlows, sampling }, undefined, failures, ctx);
      if (run === undefined) continue;
      const { summary, digests, pipeline, records } = run;

      if (summary.error !== undefined) {
        totals.errors++;
        const kind = summary.error.replace(/\d+|0x[0-9a-f]+/g, 'N').replace(/\(.*\)/, '').slice(0, 60);
        readerErrors.set(kind, (readerErrors.get(kind) ?? 0) + 1);
      }
      totals.packets += digests.length;
      totals.decoded += pipeline.counters.decoded;
      totals.records += records.length;
      for (let k = 1; k < SKIP_REASONS.length; k++) skipped[k] += pipeline.counters.skipped[k]!;

      // Packets whose whole block lies before the first changed byte were read from the seed's own
      // bytes: they must all come out, in order, unchanged.
      const seedRun = pristine.get(sf)!;
      let keep = 0;
      while (keep < seedRun.ends.length && seedRun.ends[keep]! <= fc.firstChange) keep++;
      const prefixOk = digests.length >= keep && seedRun.digests.slice(0, keep).every((d, k) => digests[k] === d);
      if (!prefixOk) {
        failures.add('packets before the damage were lost or changed',
          `${ctx}\n  first change at ${fc.firstChange}: ${keep} seed packets lie before it, ${digests.length} delivered; error: ${summary.error}`);
      }
      if (fc.ops.length === 0) {
        if (summary.error !== undefined || digests.length !== seedRun.digests.length) {
          failures.add('an undamaged seed did not read back exactly', `${ctx}\n  ${digests.length}/${seedRun.digests.length} packets, error: ${summary.error}`);
        }
      }
      if (fc.pureTruncateAt !== undefined) {
        const n = fc.pureTruncateAt;
        const onBoundary = n > 0 && sf.blocks.some((b) => b.end === n);
        if (digests.length !== keep) failures.add('a cut file delivered packets past the cut', `${ctx}\n  ${digests.length} delivered, ${keep} expected`);
        if (onBoundary !== (summary.error === undefined)) {
          failures.add(onBoundary ? 'a file cut at a block boundary reported an error' : 'a file cut mid-record reported no error', `${ctx}\n  error: ${summary.error}`);
        }
      }
      for (const p of pipelineProblems(pipeline, records, sampling, maxFlows)) failures.add(p.split(':')[0]!.replace(/\d+/g, 'N'), `${ctx}\n  ${p}`);

      // The chunk loop with tiny chunks, and the worker-thread ring, must read exactly the same.
      const alt = i % WORKER_RING_EVERY === 0
        ? { worker: true, slotBytes: rng.pick([64, 256, 4096]), slots: rng.range(2, 4), prefixBytes: rng.pick([32, 100, 1 << 19]) }
        : i % SMALL_CHUNK_EVERY === 0 ? { worker: false, chunkBytes: rng.pick([64, 100, 256, 1000, 4096]) } : undefined;
      if (alt !== undefined) {
        if (alt.worker) totals.ring++;
        else totals.smallChunk++;
        const other = await readInto(path, size, { maxFlows, sampling }, alt, failures, `${ctx}; tuning ${JSON.stringify(alt)}`);
        if (other !== undefined) {
          const same = other.digests.length === digests.length && other.digests.every((d, k) => d === digests[k]);
          if (!same || other.summary.error !== summary.error || other.summary.packets !== summary.packets) {
            failures.add(`readCaptureFileTuned(${alt.worker ? 'worker ring' : 'small chunks'}) reads differently`,
              `${ctx}; tuning ${JSON.stringify(alt)}\n  default: ${summary.packets} packets, error ${summary.error}\n  tuned:   ${other.summary.packets} packets (same digests: ${same}), error ${other.summary.error}`);
          }
        }
      }
    }

    const hist = Object.fromEntries(SKIP_REASONS.map((r, k) => [r, k === 0 ? totals.decoded : skipped[k]!]).filter(([, v]) => (v as number) > 0));
    const errs = [...readerErrors].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v}× ${k}`);
    console.log(`fuzz file level: seed ${hex32(MASTER_SEED)}, ${totals.cases} cases (${totals.smallChunk} also in small chunks, ` +
      `${totals.ring} also via the worker ring), ${totals.packets} packets, ${totals.records} records, ${totals.errors} reader errors, ` +
      `failures ${failures.total}; decode outcomes ${JSON.stringify(hist)}; reader errors: ${errs.join('; ')}`);
    expect(totals.cases).toBe(FILE_CASES);
    expect(failures.total, failures.report()).toBe(0);
  }, TEST_TIMEOUT_MS);
});

// ---------------------------------------------------------------------------------------------------
// Minimal reproductions of what the fuzzing found (each failed when it was written; see the report).

/** IPv4/UDP 192.0.2.10:12345 → 192.0.2.20:53 with one payload byte, as a raw-IP (LINKTYPE_RAW) record. */
const UDP_RAW = Uint8Array.from(Buffer.from('4500001d0000000040110000c000020ac0000214303900350009000041', 'hex'));
const LINKTYPE_RAW = 101;

/** Runs one packet through a pipeline and returns what went wrong ([] = nothing). */
function onePacketProblems(tsUs: number): string[] {
  const records: FlowRecord[] = [];
  const p = createFlowPipeline({ maxFlows: 16 }, (r) => records.push(r));
  try {
    p.sink.packet(UDP_RAW, 0, UDP_RAW.length, UDP_RAW.length, tsUs, LINKTYPE_RAW);
    p.finish();
  } catch (e) {
    return [stackOf(e)];
  }
  return pipelineProblems(p, records, 1, 16);
}

describe('fuzz findings: capture times outside what a FlowRecord can say', () => {
  // A pcapng Enhanced Packet Block carries a 64-bit timestamp; with the default µs resolution its
  // largest value is 2^64−1 µs (year ~586 000), and a wrong if_tsresol/if_tsoffset or one flipped bit
  // in the high word gives such times too. readCaptureFile hands them on as tsUs unchanged.
  it('a packet at tsUs 2^64−1 (pcapng EPB timestamp 0xffffffff:0xffffffff) neither throws nor yields a bad record', () => {
    expect(UDP_RAW.length).toBe(29);
    expect(onePacketProblems(2 ** 64 - 1)).toEqual([]);
  });

  it('a packet at year 10000 (tsUs 253402300800e6) is counted as bad-timestamp, the last second of 9999 is kept', () => {
    expect(onePacketProblems(253402300800e6)).toEqual([]);
    expect(onePacketProblems(MAX_TS_US)).toEqual([]);
    const records: FlowRecord[] = [];
    const p = createFlowPipeline({ maxFlows: 16 }, (r) => records.push(r));
    p.sink.packet(UDP_RAW, 0, UDP_RAW.length, UDP_RAW.length, 253402300800e6, LINKTYPE_RAW);
    p.sink.packet(UDP_RAW, 0, UDP_RAW.length, UDP_RAW.length, Number.NaN, LINKTYPE_RAW);
    p.sink.packet(UDP_RAW, 0, UDP_RAW.length, UDP_RAW.length, MAX_TS_US, LINKTYPE_RAW);
    p.finish();
    expect(p.counters.skipped[Skip['bad-timestamp']]).toBe(2);
    expect(records.map((r) => r.start)).toEqual(['9999-12-31T23:59:59.000000Z']);
  });

  it('the same through readCaptureFile: a 112-byte pcapng with one EPB stamped 0xffffffff:0xffffffff', async () => {
    const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    const shb = [...le32(0x0a0d0d0a), ...le32(28), ...le32(0x1a2b3c4d), 1, 0, 0, 0, ...le32(0xffffffff), ...le32(0xffffffff), ...le32(28)];
    const idb = [...le32(1), ...le32(20), LINKTYPE_RAW, 0, 0, 0, ...le32(0), ...le32(20)];
    const epbLen = 32 + 32;
    const epb = [...le32(6), ...le32(epbLen), ...le32(0), ...le32(0xffffffff), ...le32(0xffffffff), ...le32(29), ...le32(29),
      ...UDP_RAW, 0, 0, 0, ...le32(epbLen)];
    const bytes = Uint8Array.from([...shb, ...idb, ...epb]);
    expect(bytes.length).toBe(112);
    const tmp = mkdtempSync(join(tmpdir(), 'surfacemap-fuzz-repro-'));
    try {
      const file = join(tmp, 'epb-ts-max.pcapng');
      writeFileSync(file, bytes);
      const records: FlowRecord[] = [];
      const p = createFlowPipeline({ maxFlows: 16 }, (r) => records.push(r));
      const sum = await readCaptureFile(file, p.sink);
      expect(sum.packets + (sum.error ? 1 : 0)).toBeGreaterThanOrEqual(1); // delivered, or refused with a reason
      let thrown = '';
      try {
        p.finish();
      } catch (e) {
        thrown = stackOf(e);
      }
      expect(thrown).toBe('');
      expect(pipelineProblems(p, records, 1, 16)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

interface FileRun {
  summary: ReadSummary;
  digests: number[];
  pipeline: FlowPipeline;
  records: FlowRecord[];
}

/**
 * readCaptureFile (or the tuned variant) into a fresh pipeline, with a sink that refuses to take more
 * than size/16 packets (every pcap record and pcapng packet block is at least 16 bytes) and a progress
 * callback that refuses to be called without end. Undefined when the read threw; the failure is noted.
 */
async function readInto(
  path: string,
  size: number,
  opts: PipelineOptions,
  tuning: Parameters<typeof readCaptureFileTuned>[3] | undefined,
  failures: Failures,
  ctx: string,
): Promise<FileRun | undefined> {
  const records: FlowRecord[] = [];
  const pipeline = createFlowPipeline(opts, (r) => records.push(r));
  const digests: number[] = [];
  const bound = Math.floor(size / 16);
  let runaway = '';
  const sink: PacketSink = {
    packet(buf, off, cap, wire, ts, lt) {
      if (digests.length >= bound) {
        runaway = `more than ${bound} packets from a ${size}-byte file`;
        throw new Error(runaway);
      }
      if (!(off >= 0 && cap >= 0 && off + cap <= buf.length)) {
        failures.add('reader handed the sink a record outside its buffer', `${ctx}\n  off ${off} capLen ${cap} buffer ${buf.length}`);
      }
      digests.push(packetDigest(buf, off, cap, wire, ts, lt));
      pipeline.sink.packet(buf, off, cap, wire, ts, lt);
    },
  };
  let progress = 0;
  const onProgress = (done: number, total: number): void => {
    if (++progress > size + 1000) {
      runaway = `onProgress called ${progress} times for a ${size}-byte file`;
      throw new Error(runaway);
    }
    if (total !== size || done > size) failures.add('progress out of range', `${ctx}\n  onProgress(${done}, ${total}) for ${size} bytes`);
  };
  let summary: ReadSummary;
  try {
    summary = tuning === undefined ? await readCaptureFile(path, sink, { onProgress }) : await readCaptureFileTuned(path, sink, { onProgress }, tuning);
  } catch (e) {
    if (runaway) failures.add(`reader ran away: ${runaway.replace(/\d+/g, 'N')}`, `${ctx}\n  ${runaway}`);
    else failures.add(errorKind(tuning === undefined ? 'readCaptureFile' : 'readCaptureFileTuned', e), `${ctx}\n${stackOf(e)}`);
    return undefined;
  }
  try {
    pipeline.finish();
  } catch (e) {
    failures.add(errorKind('finish', e), `${ctx}\n${stackOf(e)}`);
    return undefined;
  }
  if (summary.packets !== digests.length) failures.add('ReadSummary.packets differs from the packets delivered', `${ctx}\n  ${summary.packets} ≠ ${digests.length}`);
  if (!(summary.bytes >= 0 && summary.bytes <= size)) failures.add('ReadSummary.bytes out of range', `${ctx}\n  ${summary.bytes} of ${size}`);
  if (summary.error !== undefined && (typeof summary.error !== 'string' || summary.error.trim() === '')) {
    failures.add('ReadSummary.error is set but says nothing', `${ctx}\n  ${JSON.stringify(summary.error)}`);
  }
  if (summary.error === undefined && summary.bytes !== size) failures.add('a read without error did not consume the file', `${ctx}\n  ${summary.bytes} of ${size}`);
  return { summary, digests, pipeline, records };
}
