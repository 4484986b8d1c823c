// readCaptureFile: format sniffing, and the difference between corrupt data (summary.error) and an
// unreadable file (rejection).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLoopback, collectingSink, plain, requireTools, run, tsharkRecords } from './capture-fixtures.test-helper.js';
import { readCaptureFile } from './read-file.js';

const PORT = 46311;
let dir: string;
const f = (name: string) => join(dir, name);

beforeAll(async () => {
  requireTools('tcpdump', 'tshark', 'editcap');
  dir = mkdtempSync(join(tmpdir(), 'surfacemap-readfile-'));
  await captureLoopback(f('eth.pcap'), { iface: 'lo', port: PORT, sizes: [1, 100, 1000, 1400, 9000, 30000, 5, 6] });
  run('editcap', ['-F', 'pcapng', f('eth.pcap'), f('eth.pcapng')]);
  run('editcap', ['-F', 'modpcap', f('eth.pcap'), f('eth.modpcap')]);
});

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('readCaptureFile', () => {
  it('dispatches on the magic: the same packets from pcap and pcapng', async () => {
    const truth = tsharkRecords(f('eth.pcap')).map(plain);
    expect(truth.length).toBeGreaterThanOrEqual(4);
    for (const [file, format] of [['eth.pcap', 'pcap'], ['eth.pcapng', 'pcapng']] as const) {
      const { sink, recs } = collectingSink();
      const summary = await readCaptureFile(f(file), sink);
      expect(summary).toEqual({ packets: truth.length, bytes: readFileSync(f(file)).length, format });
      expect(recs.map(plain)).toEqual(truth);
    }
  });

  it('says what a non-capture file is', async () => {
    writeFileSync(f('text.txt'), 'hello, this is not a capture\n');
    const s = await readCaptureFile(f('text.txt'), collectingSink().sink);
    expect(s).toEqual({ packets: 0, bytes: 0, format: 'pcap', error: 'not a pcap or pcapng file (magic 0x68656c6c)' });
    writeFileSync(f('gz'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0]));
    expect((await readCaptureFile(f('gz'), collectingSink().sink)).error).toBe('not a pcap or pcapng file (magic 0x1f8b0800)');
  });

  it('says so for empty and tiny files', async () => {
    writeFileSync(f('empty'), '');
    expect((await readCaptureFile(f('empty'), collectingSink().sink)).error).toBe('file is empty: not a pcap or pcapng file');
    writeFileSync(f('tiny'), Buffer.from([0xd4, 0xc3]));
    expect((await readCaptureFile(f('tiny'), collectingSink().sink)).error).toBe('file is only 2 bytes: not a pcap or pcapng file');
  });

  it('names the modified (Kuznetsov) pcap format and how to convert it', async () => {
    expect(tsharkRecords(f('eth.modpcap')).length).toBeGreaterThan(0);
    const s = await readCaptureFile(f('eth.modpcap'), collectingSink().sink);
    expect(s.error).toBe('modified (Kuznetsov) pcap, magic 0xa1b2cd34, is not supported: convert it with `editcap -F pcap IN OUT`');
  });

  it('rejects a missing or unreadable file (operator error, not corrupt data)', async () => {
    await expect(readCaptureFile(f('does-not-exist.pcap'), collectingSink().sink)).rejects.toThrow(/ENOENT/);
    await expect(readCaptureFile(dir, collectingSink().sink)).rejects.toThrow(/EISDIR/);
  });
});
