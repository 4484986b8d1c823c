// Decoding on the worker thread (decode-ring.ts) gives exactly what the single-thread path gives: the same
// flow records (detection included, which reads payload through the shared chunks), the same counters,
// the same summary and errors for truncated and corrupt files, for any chunk size.
// The worker script only exists compiled, so this imports the pipeline from dist/ (npm run build first).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLoopback, pcapRecordOffsets, requireTools, swapPcapToBigEndian } from '../capture/capture-fixtures.test-helper.js';
import { readCaptureFile, readCaptureFileTuned } from '../capture/read-file.js';
import { createFlowPipeline } from '../pipeline.js';
import { DESC_WORDS, readDescriptor, writeDescriptor } from './decode-descriptor.js';
import { decodePacket } from './decode-packet.js';
import type { DecodeRingTuning } from './decode-ring.js';
import { createDecodedPacket, Skip, type DecodedPacket } from './packet.js';

type ReadFileModule = typeof import('../capture/read-file.js');
type PipelineModule = typeof import('../pipeline.js');
type JsonModule = typeof import('../../common/flow-json.js');
type RingModule = typeof import('./decode-ring.js');

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(ROOT, 'dist');
const FIXTURES = join(ROOT, 'fixtures');
const PORT = 46417;

let dir: string;
let files: string[];
let readFile: ReadFileModule;
let pipelineMod: PipelineModule;
let json: JsonModule;
let ring: RingModule;

beforeAll(async () => {
  const worker = join(DIST, 'agent', 'decode', 'decode-worker.js');
  if (!existsSync(worker)) throw new Error(`${worker} is missing: run \`npm run build\` first`);
  readFile = (await import(join(DIST, 'agent', 'capture', 'read-file.js'))) as ReadFileModule;
  pipelineMod = (await import(join(DIST, 'agent', 'pipeline.js'))) as PipelineModule;
  json = (await import(join(DIST, 'common', 'flow-json.js'))) as JsonModule;
  ring = (await import(join(DIST, 'agent', 'decode', 'decode-ring.js'))) as RingModule;

  requireTools('tcpdump');
  dir = mkdtempSync(join(tmpdir(), 'surfacemap-decode-ring-'));
  // Datagrams up to 60 KB: records longer than the small chunks below, so chunks must grow.
  const sizes = Array.from({ length: 60 }, (_, i) => (i % 4 === 0 ? 20000 + i * 600 : ((i * 53) % 1400) + 1));
  await captureLoopback(join(dir, 'big.pcap'), { iface: 'lo', port: PORT, sizes });
  swapPcapToBigEndian(join(FIXTURES, 'small-office.pcap'), join(dir, 'be.pcap'));
  const office = readFileSync(join(FIXTURES, 'small-office.pcap'));
  writeFileSync(join(dir, 'truncated.pcap'), office.subarray(0, office.length - 37));
  const corrupt = Buffer.from(office);
  const offs = pcapRecordOffsets(corrupt);
  corrupt.writeUInt32LE(0x7fffff00, offs[Math.floor(offs.length / 2)]! + 8); // captured length
  writeFileSync(join(dir, 'corrupt.pcap'), corrupt);
  const fixtures = readdirSync(FIXTURES).filter((n) => /\.(pcap|pcapng)$/.test(n)).map((n) => join(FIXTURES, n));
  files = [...fixtures.sort(), ...['big.pcap', 'be.pcap', 'truncated.pcap', 'corrupt.pcap'].map((n) => join(dir, n))];
});

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  lines: string[];
  counters: { packets: number; decoded: number; skipped: number[] };
  summary: unknown;
  lastProgress: number;
}

async function replay(file: string, detect: boolean, decodeWorker: boolean, decodeRing?: DecodeRingTuning, yieldBetweenChunks = false): Promise<Outcome> {
  const lines: string[] = [];
  const p = pipelineMod.createFlowPipeline({ detect, maxFlows: 4096 }, (r) => lines.push(json.flowRecordToJson(r)));
  let lastProgress = -1;
  const before = ring.decodeWorkerStats.files;
  const summary = await readFile.readCaptureFileTuned(
    file, p.sink, { onProgress: (done) => { expect(done).toBeGreaterThanOrEqual(lastProgress); lastProgress = done; }, yieldBetweenChunks },
    { decodeWorker, decodeRing },
  );
  p.finish();
  // The worker path must really have run (it falls back silently when the worker cannot start).
  expect(ring.decodeWorkerStats.files - before).toBe(decodeWorker ? 1 : 0);
  const c = p.counters;
  return { lines, counters: { packets: c.packets, decoded: c.decoded, skipped: [...c.skipped] }, summary, lastProgress };
}

describe('decode worker', () => {
  const tunings: (DecodeRingTuning | undefined)[] = [undefined, { slotBytes: 4096, slots: 2 }, { slotBytes: 5000, slots: 3 }, { slotBytes: 4096, slots: 9 }];
  it('gives the single-thread records, counters and summaries for every capture and chunk size', async () => {
    for (const file of files) {
      for (const detect of [true, false]) {
        const single = await replay(file, detect, false);
        for (const t of detect ? tunings : tunings.slice(0, 1)) {
          const ring = await replay(file, detect, true, t);
          expect(ring, `${file} detect ${detect} ${JSON.stringify(t)}`).toEqual(single);
        }
      }
    }
    // The cases above must include real work and both kinds of error.
    const errors = [await replay(join(dir, 'truncated.pcap'), false, true), await replay(join(dir, 'corrupt.pcap'), false, true)];
    expect((errors[0]!.summary as { error?: string }).error).toMatch(/truncated capture/);
    expect((errors[1]!.summary as { error?: string }).error).toMatch(/file is corrupt/);
    expect(errors[1]!.lines.length).toBeGreaterThan(0);
    // With turns for the event loop between chunks (replay while shipping), too.
    const office = join(FIXTURES, 'small-office.pcap');
    expect(await replay(office, true, true, { slotBytes: 4096, slots: 2 }, true)).toEqual(await replay(office, true, false, undefined, true));
    const big = await replay(join(dir, 'big.pcap'), false, true, { slotBytes: 4096, slots: 2 });
    expect(big.counters.decoded).toBe(60);
  });

  it('is not offered with sampling or when the pipeline is told not to', async () => {
    expect(pipelineMod.createFlowPipeline({ sampling: 4, maxFlows: 4096 }, () => {}).sink.readFile).toBeUndefined();
    expect(pipelineMod.createFlowPipeline({ decodeWorker: false, maxFlows: 4096 }, () => {}).sink.readFile).toBeUndefined();
    expect(pipelineMod.createFlowPipeline({ maxFlows: 4096 }, () => {}).sink.readFile).toBeDefined();
  });

  it('falls back to one thread where the worker script is absent (running from sources)', async () => {
    // This module is the TypeScript source: its worker URL has no compiled script next to it.
    const p = createFlowPipeline({ maxFlows: 4096 }, () => {});
    expect(p.sink.readFile).toBeDefined();
    const res = await readCaptureFileTuned(join(FIXTURES, 'small-office.pcap'), p.sink, {}, { decodeWorker: true });
    expect(res.error).toBeUndefined();
    expect(p.counters.packets).toBe(res.packets);
    expect(res.packets).toBeGreaterThan(100);
  });
});

describe('packet descriptors', () => {
  it('carry every decoded field exactly', async () => {
    const fields = Object.keys(createDecodedPacket()).filter((k) => k !== 'buf') as (keyof DecodedPacket)[];
    const sab = new SharedArrayBuffer(DESC_WORDS * 4);
    const u = new Uint32Array(sab);
    const f = new Float64Array(sab);
    const a = createDecodedPacket();
    const b = createDecodedPacket();
    let checked = 0;
    for (const name of readdirSync(FIXTURES).filter((n) => /\.(pcap|pcapng)$/.test(n))) {
      await readCaptureFile(join(FIXTURES, name), {
        packet(buf, off, cap, wire, tsUs, lt) {
          if (decodePacket(a, buf, off, cap, wire, lt) !== Skip.ok) return;
          a.tsUs = tsUs;
          writeDescriptor(u, f, 0, a);
          readDescriptor(u, f, 0, b);
          for (const k of fields) if (!Object.is(a[k], b[k])) throw new Error(`${name}: field ${k}: ${String(a[k])} came back as ${String(b[k])}`);
          checked++;
        },
      });
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
