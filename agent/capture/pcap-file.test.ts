// Classic pcap reader against tshark on real loopback captures made at test time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captureLoopback, collectingSink, pcapRecordOffsets, plain, requireTools, run, swapPcapToBigEndian, tsharkRecords,
  type TsharkRec,
} from './capture-fixtures.test-helper.js';
import { readPcapFile } from './pcap-file.js';
import { readCaptureFile } from './read-file.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2 } from './source.js';

const PORT = 46111;
// Mostly small datagrams, every third one big (20–65 kB), so the Ethernet capture is > 2 MiB and
// records straddle the default 2 MiB chunk as well as every small test chunk.
const SIZES = Array.from({ length: 150 }, (_, i) => (i % 3 === 0 ? 20000 + i * 300 : ((i * 37) % 1500) + 1));

let dir: string;
const f = (name: string) => join(dir, name);

beforeAll(async () => {
  requireTools('tcpdump', 'tshark', 'editcap');
  dir = mkdtempSync(join(tmpdir(), 'surfacemap-pcap-'));
  await captureLoopback(f('eth.pcap'), { iface: 'lo', port: PORT, sizes: SIZES });
  await captureLoopback(f('snap.pcap'), { iface: 'lo', port: PORT, sizes: SIZES.slice(0, 40), snaplen: 96 });
  await captureLoopback(f('sll.pcap'), { iface: 'any', port: PORT, sizes: SIZES.slice(0, 30), linktype: 'LINUX_SLL' });
  await captureLoopback(f('sll2.pcap'), { iface: 'any', port: PORT, sizes: SIZES.slice(0, 30), linktype: 'LINUX_SLL2' });
  await captureLoopback(f('eth-ns.pcap'), { iface: 'lo', port: PORT, sizes: SIZES.slice(0, 60), nano: true });
  run('editcap', ['-F', 'nsecpcap', f('eth.pcap'), f('eth-ns-from-us.pcap')]);
  swapPcapToBigEndian(f('eth.pcap'), f('eth-be.pcap'));
  swapPcapToBigEndian(f('eth-ns.pcap'), f('eth-ns-be.pcap'));
});

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Reads through the public entry point and checks every record against tshark. */
async function expectSameAsTshark(file: string, linktype: number): Promise<TsharkRec[]> {
  const truth = tsharkRecords(file);
  const { sink, recs } = collectingSink();
  const summary = await readCaptureFile(file, sink);
  expect(summary.error).toBeUndefined();
  expect(summary.format).toBe('pcap');
  expect(summary.packets).toBe(truth.length);
  expect(summary.bytes).toBe(readFileSync(file).length);
  expect(recs.map(plain)).toEqual(truth.map(plain));
  expect(new Set(recs.map((r) => r.linktype))).toEqual(new Set([linktype]));
  return truth;
}

/** Sub-second nanoseconds of every frame, as tshark prints them. */
function tshNanos(file: string): number[] {
  return run('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.time_epoch'])
    .split('\n').filter((l) => l.length > 0).map((l) => Number(l.split('.')[1]!.padEnd(9, '0')));
}

describe('classic pcap, compared with tshark', () => {
  it('reads a microsecond little-endian tcpdump capture (Ethernet on lo)', async () => {
    const truth = await expectSameAsTshark(f('eth.pcap'), LINKTYPE_ETHERNET);
    // The capture really is what the test needs: enough packets, big ones, bigger than one chunk.
    expect(truth.length).toBeGreaterThan(100);
    expect(Math.max(...truth.map((r) => r.cap))).toBeGreaterThan(60000);
    expect(readFileSync(f('eth.pcap')).length).toBeGreaterThan(2 * 1024 * 1024);
  });

  it('reads a nanosecond capture (tcpdump --time-stamp-precision nano), timestamps rounded down to µs', async () => {
    expect(readFileSync(f('eth-ns.pcap')).readUInt32LE(0)).toBe(0xa1b23c4d);
    await expectSameAsTshark(f('eth-ns.pcap'), LINKTYPE_ETHERNET);
    // The fractions really go below the microsecond (otherwise rounding down would be untested).
    const ns = tshNanos(f('eth-ns.pcap'));
    expect(ns.some((x) => x % 1000 >= 500)).toBe(true);
  });

  it('reads a µs capture converted to ns (editcap -F nsecpcap) to the same timestamps', async () => {
    const truth = await expectSameAsTshark(f('eth-ns-from-us.pcap'), LINKTYPE_ETHERNET);
    expect(truth.map((r) => r.tsUs)).toEqual(tsharkRecords(f('eth.pcap')).map((r) => r.tsUs));
  });

  it('reads big-endian files, µs and ns', async () => {
    const magic = readFileSync(f('eth-be.pcap')).subarray(0, 4).toString('hex');
    expect(magic).toBe('a1b2c3d4');
    expect(readFileSync(f('eth-ns-be.pcap')).subarray(0, 4).toString('hex')).toBe('a1b23c4d');
    await expectSameAsTshark(f('eth-be.pcap'), LINKTYPE_ETHERNET);
    await expectSameAsTshark(f('eth-ns-be.pcap'), LINKTYPE_ETHERNET);
  });

  it('reports captured and wire length separately for a snaplen-limited capture', async () => {
    const truth = await expectSameAsTshark(f('snap.pcap'), LINKTYPE_ETHERNET);
    expect(truth.some((r) => r.cap === 96 && r.wire > 96)).toBe(true);
  });

  it('passes the link type of -i any captures (SLL and SLL2)', async () => {
    await expectSameAsTshark(f('sll.pcap'), LINKTYPE_LINUX_SLL);
    await expectSameAsTshark(f('sll2.pcap'), LINKTYPE_LINUX_SLL2);
  });

  it('gives the same records whatever the chunk size (carry-over and buffer growth)', async () => {
    const truth = tsharkRecords(f('eth.pcap')).map(plain);
    for (const chunk of [64, 100, 4099, 65536]) {
      const { sink, recs } = collectingSink();
      const summary = readPcapFile(f('eth.pcap'), sink, {}, chunk);
      expect(summary.error).toBeUndefined();
      expect(recs.map(plain)).toEqual(truth);
    }
  });

  it('takes the link type from the low 16 bits of the header (FCS bits ignored)', async () => {
    const b = Buffer.from(readFileSync(f('eth.pcap')));
    b.writeUInt32LE(0x04000000 | (2 << 28) | LINKTYPE_ETHERNET, 20); // "FCS length 2 × 16 bits present"
    writeFileSync(f('fcs.pcap'), b);
    const { sink, recs } = collectingSink();
    const summary = await readCaptureFile(f('fcs.pcap'), sink);
    expect(summary.error).toBeUndefined();
    expect(recs.length).toBeGreaterThan(0);
    expect(recs.every((r) => r.linktype === LINKTYPE_ETHERNET)).toBe(true);
  });

  it('calls onProgress with growing byte counts ending at the file size', async () => {
    const calls: [number, number][] = [];
    const size = readFileSync(f('eth.pcap')).length;
    await readCaptureFile(f('eth.pcap'), collectingSink().sink, { onProgress: (a, b) => calls.push([a, b]) });
    expect(calls.length).toBeGreaterThan(1); // > 2 MiB file: more than one chunk
    expect(calls.every(([, t]) => t === size)).toBe(true);
    expect(calls.map(([a]) => a)).toEqual([...calls.map(([a]) => a)].sort((x, y) => x - y));
    expect(calls.at(-1)![0]).toBe(size);
  });
});

describe('corrupt classic pcap: stops with a clear error, keeps what came before', () => {
  /** Writes `bytes` as NAME, reads it, returns the summary and what reached the sink. */
  async function readBytes(name: string, bytes: Buffer) {
    writeFileSync(f(name), bytes);
    const { sink, recs } = collectingSink();
    const summary = await readCaptureFile(f(name), sink);
    return { summary, recs };
  }

  it('a file cut short in the middle of a record', async () => {
    const orig = readFileSync(f('eth.pcap'));
    const offs = pcapRecordOffsets(orig);
    const last = offs.at(-1)!;
    const truth = tsharkRecords(f('eth.pcap')).map(plain);
    const { summary, recs } = await readBytes('cut.pcap', orig.subarray(0, last + 16 + 5));
    expect(summary.error).toMatch(new RegExp(`^file ends mid-record at offset ${last}: truncated capture\\?`));
    expect(summary.packets).toBe(offs.length - 1);
    expect(summary.bytes).toBe(last);
    expect(recs.map(plain)).toEqual(truth.slice(0, -1));
    // Cut inside the record header this time.
    const r2 = await readBytes('cut2.pcap', orig.subarray(0, last + 7));
    expect(r2.summary.error).toBe(
      `file ends mid-record at offset ${last}: truncated capture? (only 7 of its 16 header bytes are present)`,
    );
    expect(r2.recs.map(plain)).toEqual(truth.slice(0, -1));
  });

  it('a record length flipped to something huge', async () => {
    const b = Buffer.from(readFileSync(f('eth.pcap')));
    const offs = pcapRecordOffsets(b);
    const bad = offs[10]!;
    b.writeUInt32LE(4000000, bad + 8);
    const { summary, recs } = await readBytes('flip.pcap', b);
    expect(summary.error).toBe(`record at offset ${bad} claims 4000000 bytes (snaplen 262144): file is corrupt`);
    expect(summary.packets).toBe(10);
    expect(recs.map(plain)).toEqual(tsharkRecords(f('eth.pcap')).slice(0, 10).map(plain));
  });

  it('garbage after the file header', async () => {
    const b = Buffer.concat([readFileSync(f('eth.pcap')).subarray(0, 24), Buffer.alloc(64, 0xee)]);
    const { summary, recs } = await readBytes('garbage.pcap', b);
    expect(summary.error).toBe(`record at offset 24 claims ${0xeeeeeeee} bytes (snaplen 262144): file is corrupt`);
    expect(recs).toEqual([]);
  });

  it('a record bigger than the reader limit when the header snaplen is huge', async () => {
    const b = Buffer.from(readFileSync(f('eth.pcap')));
    b.writeUInt32LE(0xffffffff, 16); // snaplen
    b.writeUInt32LE(100 * 1024 * 1024, 24 + 8);
    const { summary } = await readBytes('huge.pcap', b);
    expect(summary.error).toBe(
      `record at offset 24 claims ${100 * 1024 * 1024} bytes (snaplen 4294967295, reader limit ${64 * 1024 * 1024}): file is corrupt`,
    );
  });

  it('a file that is only part of a header', async () => {
    const { summary } = await readBytes('short.pcap', readFileSync(f('eth.pcap')).subarray(0, 10));
    expect(summary.error).toBe('file ends inside the pcap file header: truncated capture? (only 10 of its 24 bytes are present)');
    expect(summary.packets).toBe(0);
  });

  it('a header with no records is an empty capture, not an error', async () => {
    const { summary } = await readBytes('empty.pcap', readFileSync(f('eth.pcap')).subarray(0, 24));
    expect(summary).toEqual({ packets: 0, bytes: 24, format: 'pcap' });
  });

  it('an unknown pcap major version', async () => {
    const b = Buffer.from(readFileSync(f('eth.pcap')).subarray(0, 24));
    b.writeUInt16LE(3, 4);
    const { summary } = await readBytes('v3.pcap', b);
    expect(summary.error).toBe('unsupported pcap version 3.4 (expected 2.4)');
  });
});
