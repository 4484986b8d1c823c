// The worker-thread ring gives exactly what tshark (and the plain chunk loop) give, for every slot size,
// including records longer than the carry-over prefix, and the same errors for corrupt files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLoopback, collectingSink, pcapRecordOffsets, plain, requireTools, run, tsharkRecords } from './capture-fixtures.test-helper.js';
import { readCaptureFileTuned, type ReaderTuning } from './read-file.js';

const PORT = 46411;
const SIZES = Array.from({ length: 90 }, (_, i) => (i % 3 === 0 ? 10000 + i * 500 : ((i * 41) % 1400) + 1));

let dir: string;
const f = (name: string) => join(dir, name);

beforeAll(async () => {
  requireTools('tcpdump', 'tshark', 'mergecap');
  dir = mkdtempSync(join(tmpdir(), 'surfacemap-ring-'));
  await captureLoopback(f('eth.pcap'), { iface: 'lo', port: PORT, sizes: SIZES });
  await captureLoopback(f('sll2.pcap'), { iface: 'any', port: PORT, sizes: SIZES.slice(0, 30), linktype: 'LINUX_SLL2', nano: true });
  run('mergecap', ['-F', 'pcapng', '-w', f('multi.pcapng'), f('eth.pcap'), f('sll2.pcap')]);
});

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const TUNINGS: ReaderTuning[] = [
  { worker: true },
  { worker: true, slotBytes: 4099, slots: 2 },
  { worker: true, slotBytes: 65536, slots: 3, prefixBytes: 1024 }, // big packets go through the scratch buffer
  { worker: true, slotBytes: 1000, slots: 4, prefixBytes: 64 }, // every slot is smaller than most records
];

describe('worker-thread ring reader', () => {
  for (const file of ['eth.pcap', 'multi.pcapng']) {
    it(`reads ${file} exactly as tshark does, whatever the slot sizes`, async () => {
      const truth = tsharkRecords(f(file)).map(plain);
      expect(truth.length).toBeGreaterThan(50);
      const sync = collectingSink();
      await readCaptureFileTuned(f(file), sync.sink, {}, { worker: false });
      for (const t of TUNINGS) {
        const { sink, recs } = collectingSink();
        const progress: number[] = [];
        const summary = await readCaptureFileTuned(f(file), sink, { onProgress: (b) => progress.push(b) }, t);
        expect(summary.error, JSON.stringify(t)).toBeUndefined();
        expect(summary.bytes).toBe(readFileSync(f(file)).length);
        expect(recs.map(plain)).toEqual(truth);
        expect(recs.map((r) => r.linktype)).toEqual(sync.recs.map((r) => r.linktype));
        expect(progress.at(-1)).toBe(summary.bytes);
      }
    });
  }

  it('stops with the same errors as the plain loop on corrupt files', async () => {
    const orig = readFileSync(f('eth.pcap'));
    const offs = pcapRecordOffsets(orig);
    const flipped = Buffer.from(orig);
    flipped.writeUInt32LE(4000000, offs[40]! + 8);
    writeFileSync(f('flip.pcap'), flipped);
    writeFileSync(f('cut.pcap'), orig.subarray(0, offs.at(-1)! + 100));
    writeFileSync(f('cut-big.pcap'), orig.subarray(0, offs[30]! + 9000)); // inside a big record
    for (const file of ['flip.pcap', 'cut.pcap', 'cut-big.pcap']) {
      const plainLoop = collectingSink();
      const expected = await readCaptureFileTuned(f(file), plainLoop.sink, {}, { worker: false });
      expect(expected.error).toBeDefined();
      for (const t of TUNINGS) {
        const { sink, recs } = collectingSink();
        expect(await readCaptureFileTuned(f(file), sink, {}, t)).toEqual(expected);
        expect(recs).toEqual(plainLoop.recs);
      }
    }
  });

  it('rejects when the file cannot be read', async () => {
    await expect(readCaptureFileTuned(f('missing.pcap'), collectingSink().sink, {}, { worker: true })).rejects.toThrow(/ENOENT/);
  });
});
