// pcapng reader against tshark: editcap/mergecap output of real loopback captures, the same rewritten
// big-endian, several sections, several interfaces, odd timestamp resolutions and block kinds.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blockOffsets, captureLoopback, collectingSink, parsePcapng, plain, requireTools, run, tsharkRecords, writePcapng,
  type Block, type Collected, type TsharkRec,
} from './capture-fixtures.test-helper.js';
import { BT_EPB, readPcapngFile } from './pcapng-file.js';
import { readCaptureFile } from './read-file.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, type ReadSummary } from './source.js';

const PORT = 46211;
const SIZES = Array.from({ length: 120 }, (_, i) => (i % 4 === 0 ? 15000 + i * 400 : ((i * 53) % 1400) + 1));

let dir: string;
const f = (name: string) => join(dir, name);

beforeAll(async () => {
  requireTools('tcpdump', 'tshark', 'editcap', 'mergecap');
  dir = mkdtempSync(join(tmpdir(), 'surfacemap-pcapng-'));
  await captureLoopback(f('eth.pcap'), { iface: 'lo', port: PORT, sizes: SIZES });
  await captureLoopback(f('sll.pcap'), { iface: 'any', port: PORT, sizes: SIZES.slice(0, 40), linktype: 'LINUX_SLL' });
  await captureLoopback(f('sll2.pcap'), { iface: 'any', port: PORT, sizes: SIZES.slice(0, 40), linktype: 'LINUX_SLL2', snaplen: 200 });
  run('editcap', ['-F', 'pcapng', f('eth.pcap'), f('eth.pcapng')]);
  await captureLoopback(f('eth-ns.pcap'), { iface: 'lo', port: PORT, sizes: SIZES.slice(0, 50), nano: true });
  run('editcap', ['-F', 'pcapng', f('eth-ns.pcap'), f('eth-ns.pcapng')]);
  // Three interfaces, three link types, packets interleaved by time.
  run('mergecap', ['-F', 'pcapng', '-w', f('multi.pcapng'), f('eth.pcap'), f('sll.pcap'), f('sll2.pcap')]);
  writeFileSync(f('eth-be.pcapng'), writePcapng(parsePcapng(readFileSync(f('eth.pcapng'))), false));
  writeFileSync(f('multi-be.pcapng'), writePcapng(parsePcapng(readFileSync(f('multi.pcapng'))), false));
});

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function read(file: string): Promise<{ summary: ReadSummary; recs: Collected[] }> {
  const { sink, recs } = collectingSink();
  const summary = await readCaptureFile(file, sink);
  return { summary, recs };
}

async function expectSameAsTshark(file: string, linktypeOfIface: number[]): Promise<TsharkRec[]> {
  const truth = tsharkRecords(file);
  const { summary, recs } = await read(file);
  expect(summary.error).toBeUndefined();
  expect(summary.format).toBe('pcapng');
  expect(summary.packets).toBe(truth.length);
  expect(summary.bytes).toBe(readFileSync(file).length);
  expect(recs.map(plain)).toEqual(truth.map(plain));
  expect(recs.map((r) => r.linktype)).toEqual(truth.map((t) => linktypeOfIface[t.ifid]));
  return truth;
}

describe('pcapng, compared with tshark', () => {
  it('reads editcap -F pcapng output (µs)', async () => {
    const truth = await expectSameAsTshark(f('eth.pcapng'), [LINKTYPE_ETHERNET]);
    expect(truth.length).toBeGreaterThan(80);
  });

  it('reads a nanosecond-resolution pcapng (if_tsresol 9), rounding down to µs', async () => {
    const idb = parsePcapng(readFileSync(f('eth-ns.pcapng'))).find((b) => b.kind === 'idb');
    expect(idb).toMatchObject({ tsresol: 9 });
    await expectSameAsTshark(f('eth-ns.pcapng'), [LINKTYPE_ETHERNET]);
    // Real sub-microsecond parts, so rounding down is actually exercised.
    const ts = parsePcapng(readFileSync(f('eth-ns.pcapng'))).flatMap((b) => (b.kind === 'epb' ? [b.ts % 1000n] : []));
    expect(ts.some((x) => x >= 500n)).toBe(true);
  });

  it('reads several interfaces with different link types (mergecap of lo, any/SLL, any/SLL2)', async () => {
    const truth = await expectSameAsTshark(f('multi.pcapng'), [LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2]);
    expect(new Set(truth.map((t) => t.ifid))).toEqual(new Set([0, 1, 2]));
    // tshark's own view of the link layer agrees with the link type we pass on.
    const { recs } = await read(f('multi.pcapng'));
    recs.forEach((r, i) => {
      expect(truth[i]!.protocols.split(':')[0]).toBe(r.linktype === LINKTYPE_ETHERNET ? 'eth' : 'sll');
    });
  });

  it('reads big-endian sections', async () => {
    expect(readFileSync(f('eth-be.pcapng')).subarray(8, 12).toString('hex')).toBe('1a2b3c4d');
    await expectSameAsTshark(f('eth-be.pcapng'), [LINKTYPE_ETHERNET]);
    await expectSameAsTshark(f('multi-be.pcapng'), [LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2]);
  });

  it('reads several sections, each resetting the interface list, in mixed byte orders', async () => {
    // Section 1: one Ethernet interface (LE). Section 2: three interfaces (BE). Section 3: ns, LE.
    const bytes = Buffer.concat([
      readFileSync(f('eth.pcapng')), readFileSync(f('multi-be.pcapng')), readFileSync(f('eth-ns.pcapng')),
    ]);
    writeFileSync(f('sections.pcapng'), bytes);
    const truth = tsharkRecords(f('sections.pcapng'));
    const { summary, recs } = await read(f('sections.pcapng'));
    expect(summary.error).toBeUndefined();
    expect(recs.map(plain)).toEqual(truth.map(plain));
    const n1 = tsharkRecords(f('eth.pcapng')).length;
    const n3 = tsharkRecords(f('eth-ns.pcapng')).length;
    const multi = tsharkRecords(f('multi.pcapng'));
    const byIface = [LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2];
    expect(recs.map((r) => r.linktype)).toEqual([
      ...Array<number>(n1).fill(LINKTYPE_ETHERNET), ...multi.map((t) => byIface[t.ifid]), ...Array<number>(n3).fill(LINKTYPE_ETHERNET),
    ]);
  });

  it('gives the same records whatever the chunk size', async () => {
    const truth = tsharkRecords(f('multi.pcapng')).map(plain);
    for (const chunk of [64, 100, 4099, 65536]) {
      const { sink, recs } = collectingSink();
      const summary = readPcapngFile(f('multi.pcapng'), sink, {}, chunk);
      expect(summary.error).toBeUndefined();
      expect(recs.map(plain)).toEqual(truth);
    }
  });

  it('handles if_tsresol (10^-3, 10^-9, 2^-20, 2^-32), if_tsoffset, SPB, obsolete PB and unknown blocks', async () => {
    const epbs = parsePcapng(readFileSync(f('eth.pcapng'))).filter((b) => b.kind === 'epb').slice(0, 20);
    const M = 1000000n;
    const blocks: Block[] = [
      { kind: 'shb' },
      { kind: 'idb', linktype: 1, snaplen: 262144, tsresol: 9, tsoffset: 1000n, name: 'ns+offset' },
      { kind: 'idb', linktype: 1, snaplen: 262144, tsresol: 0x80 | 20, name: 'binary 2^-20' },
      { kind: 'idb', linktype: 1, snaplen: 262144, tsresol: 3, tsoffset: -5n, name: 'ms, negative offset' },
      { kind: 'idb', linktype: 113, snaplen: 60, tsresol: 0x80 | 32, name: 'binary 2^-32' },
    ];
    for (const [i, e] of epbs.entries()) {
      if (e.kind !== 'epb') continue;
      const us = e.ts;
      blocks.push({ kind: 'epb', ifid: 0, ts: (us - 1000n * M) * 1000n + BigInt(i * 37 % 1000), wire: e.wire, data: e.data });
      blocks.push({ kind: 'raw', type: 0x42, body: Buffer.from('an unknown block, skipped by its length') });
      blocks.push({ kind: 'epb', ifid: 1, ts: (us << 20n) / M, wire: e.wire, data: e.data });
      blocks.push({ kind: 'spb', wire: e.wire, data: e.data }); // interface 0, no timestamp
      blocks.push({ kind: 'epb', ifid: 2, ts: us / 1000n + 5000n, wire: e.wire, data: e.data });
      blocks.push({ kind: 'pb', ifid: 3, ts: (us << 32n) / M + 12345n, wire: e.wire, data: e.data.subarray(0, 60) });
      blocks.push({ kind: 'raw', type: 5, body: Buffer.alloc(20) }); // an interface statistics block
    }
    for (const le of [true, false]) {
      const name = `odd-${le ? 'le' : 'be'}.pcapng`;
      writeFileSync(f(name), writePcapng(blocks, le));
      const truth = tsharkRecords(f(name));
      const { summary, recs } = await read(f(name));
      expect(summary.error).toBeUndefined();
      expect(recs.length).toBe(epbs.length * 5);
      expect(truth.length).toBe(recs.length);
      // tshark has no timestamp for an SPB; ours is the last one seen (the EPB before it).
      const expected = truth.map((t, i) => (Number.isNaN(t.tsUs) ? { ...plain(t), tsUs: truth[i - 1]!.tsUs } : plain(t)));
      expect(truth.filter((t) => Number.isNaN(t.tsUs)).length).toBe(epbs.length);
      expect(recs.map(plain)).toEqual(expected);
      expect(recs.slice(0, 5).map((r) => r.linktype)).toEqual([1, 1, 1, 1, 113]);
      // The offsets really moved timestamps: ns/offset interface agrees with the source µs capture.
      expect(recs[0]!.tsUs).toBe(Number(epbs[0]!.kind === 'epb' ? epbs[0]!.ts : 0n));
    }
  });

  it('caps an SPB captured length at the interface snaplen', async () => {
    const e = parsePcapng(readFileSync(f('eth.pcapng'))).find((b) => b.kind === 'epb' && b.data.length > 200);
    if (e?.kind !== 'epb') throw new Error('no EPB over 200 bytes in the capture');
    const bytes = writePcapng([
      { kind: 'shb' }, { kind: 'idb', linktype: 1, snaplen: 100 }, { kind: 'spb', wire: e.wire, data: e.data.subarray(0, 100) },
    ], true);
    writeFileSync(f('spb.pcapng'), bytes);
    const truth = tsharkRecords(f('spb.pcapng'));
    const { recs } = await read(f('spb.pcapng'));
    expect(recs.map((r) => [r.cap, r.wire, r.md5])).toEqual(truth.map((t) => [t.cap, t.wire, t.md5]));
    expect(recs[0]!.cap).toBe(100);
  });
});

describe('corrupt pcapng: stops with a clear error, keeps what came before', () => {
  let orig: Buffer;
  let epbOffs: number[];
  let truth: ReturnType<typeof plain>[];
  beforeAll(() => {
    orig = readFileSync(f('eth.pcapng'));
    epbOffs = blockOffsets(orig).filter((b) => b.type === BT_EPB).map((b) => b.off);
    truth = tsharkRecords(f('eth.pcapng')).map(plain);
  });

  async function readBytes(name: string, bytes: Buffer) {
    writeFileSync(f(name), bytes);
    return read(f(name));
  }

  it('a file cut short in the middle of a block', async () => {
    const last = epbOffs.at(-1)!;
    const end = blockOffsets(orig).at(-1)!;
    const { summary, recs } = await readBytes('cut.pcapng', orig.subarray(0, last + 40));
    expect(summary.error).toMatch(new RegExp(`^file ends mid-block at offset ${last}: truncated capture\\? \\(only 40 of its \\d+ bytes are present\\)$`));
    expect(recs.map(plain)).toEqual(truth.slice(0, epbOffs.length - 1));
    expect(end.off).toBeGreaterThanOrEqual(last);
  });

  it('a packet block that refers to an interface the section never defined', async () => {
    const b = Buffer.from(orig);
    b.writeUInt32LE(7, epbOffs[5]! + 8);
    const { summary, recs } = await readBytes('ifid.pcapng', b);
    expect(summary.error).toBe(
      `packet block at offset ${epbOffs[5]} refers to interface 7, but the section defines only 1 (0..0): file is corrupt`,
    );
    expect(summary.packets).toBe(5);
    expect(recs.map(plain)).toEqual(truth.slice(0, 5));
  });

  it('a block whose trailing length differs from its leading length', async () => {
    const b = Buffer.from(orig);
    const off = epbOffs[3]!;
    const len = b.readUInt32LE(off + 4);
    b.writeUInt32LE(len + 8, off + len - 4);
    const { summary, recs } = await readBytes('trailer.pcapng', b);
    expect(summary.error).toBe(
      `block at offset ${off} (type 0x00000006): length ${len} at its start but ${len + 8} at its end: file is corrupt`,
    );
    expect(recs.map(plain)).toEqual(truth.slice(0, 3));
  });

  it('a block length flipped to an impossible value', async () => {
    for (const bad of [6, 1001, 0x7fffff00]) {
      const b = Buffer.from(orig);
      b.writeUInt32LE(bad, epbOffs[2]! + 4);
      const { summary, recs } = await readBytes('len.pcapng', b);
      expect(summary.error).toBe(`block at offset ${epbOffs[2]} (type 0x00000006) claims a length of ${bad} bytes: file is corrupt`);
      expect(recs.map(plain)).toEqual(truth.slice(0, 2));
    }
  });

  it('a captured length larger than its block', async () => {
    const b = Buffer.from(orig);
    const off = epbOffs[4]!;
    const len = b.readUInt32LE(off + 4);
    b.writeUInt32LE(4000000, off + 20);
    const { summary, recs } = await readBytes('caplen.pcapng', b);
    expect(summary.error).toBe(
      `packet block at offset ${off} claims 4000000 captured bytes but the ${len}-byte block holds at most ${len - 32}: file is corrupt`,
    );
    expect(recs.map(plain)).toEqual(truth.slice(0, 4));
  });

  it('a section header with a bad byte-order magic', async () => {
    const b = Buffer.from(orig);
    b.writeUInt32LE(0x12345678, 8);
    const { summary } = await readBytes('bom.pcapng', b);
    expect(summary.error).toBe('section header at offset 0 has a bad byte-order magic (0x78563412): file is corrupt');
    expect(summary.packets).toBe(0);
  });

  it('garbage after the last block', async () => {
    const { summary, recs } = await readBytes('garbage.pcapng', Buffer.concat([orig, Buffer.alloc(64, 0xee)]));
    expect(summary.error).toBe(`block at offset ${orig.length} (type 0xeeeeeeee) claims a length of ${0xeeeeeeee} bytes: file is corrupt`);
    expect(recs.map(plain)).toEqual(truth);
  });

  it('a packet before any interface description', async () => {
    const e = parsePcapng(orig).find((x) => x.kind === 'epb')!;
    const { summary } = await readBytes('noidb.pcapng', writePcapng([{ kind: 'shb' }, e], true));
    expect(summary.error).toBe('packet block at offset 28 refers to interface 0, but the section defines no interfaces: file is corrupt');
  });
});
