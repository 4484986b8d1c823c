// A port scan must not eat memory: 1 M distinct flows through the CLI stay under the RSS budget, the
// flow table holds at most its cap, and every flow is still exported (evicted, not lost).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FLOWS = 1_000_000;
const RSS_BUDGET_KB = 256 * 1024;
let dir = '';
let file = '';

/** Classic pcap, µs, Ethernet: one TCP SYN per flow from one scanner to 16 hosts × 62 500 ports. */
function writePortScan(path: string): void {
  const frame = 14 + 20 + 20;
  const rec = 16 + frame;
  const buf = Buffer.alloc(24 + FLOWS * rec);
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(65535, 16);
  buf.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const t0 = 1_790_000_000;
  for (let i = 0; i < FLOWS; i++) {
    const o = 24 + i * rec;
    buf.writeUInt32LE(t0 + Math.floor(i / 100_000), o); // 100 k SYNs per second
    buf.writeUInt32LE((i % 100_000) * 10, o + 4);
    buf.writeUInt32LE(frame, o + 8);
    buf.writeUInt32LE(frame, o + 12);
    const e = o + 16;
    buf.writeUInt16BE(0x0800, e + 12);
    const ip = e + 14;
    buf[ip] = 0x45;
    buf.writeUInt16BE(40, ip + 2);
    buf[ip + 8] = 64;
    buf[ip + 9] = 6;
    buf.writeUInt32BE(0xc6336401, ip + 12); // 198.51.100.1
    buf.writeUInt32BE(0x0a000000 + (i % 16), ip + 16); // 10.0.0.0–15
    const tcp = ip + 20;
    buf.writeUInt16BE(40000, tcp);
    buf.writeUInt16BE(1 + Math.floor(i / 16), tcp + 2);
    buf.writeUInt32BE(i, tcp + 4);
    buf[tcp + 12] = 0x50;
    buf[tcp + 13] = 0x02; // SYN
  }
  writeFileSync(path, buf);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'surfacemap-scan-'));
  file = join(dir, 'port-scan-1m.pcap');
  writePortScan(file);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('port scan of 1 M distinct flows', () => {
  it('stays under 256 MB RSS with the default cap, evicting and exporting every flow', () => {
    execFileSync('/usr/bin/time', ['--version'], { stdio: 'ignore' }); // GNU time (Debian `time`) must exist
    const run = spawnSync(
      '/usr/bin/time',
      ['-f', 'maxrss_kb=%M', process.execPath, 'dist/cli/main.js', 'flows', '--json', file],
      { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 20 },
    );
    expect(run.status, run.stderr).toBe(0);
    const rss = Number(/maxrss_kb=(\d+)/.exec(run.stderr)?.[1]);
    const records = Number(/flows (\d+) records/.exec(run.stderr)?.[1]);
    const peak = Number(/peak table (\d+)/.exec(run.stderr)?.[1]);
    const evicted = Number(/evicted (\d+)/.exec(run.stderr)?.[1]);
    expect(records).toBe(FLOWS);
    expect(peak).toBeLessThanOrEqual(524_288);
    expect(evicted).toBeGreaterThanOrEqual(FLOWS - 524_288);
    expect(rss).toBeGreaterThan(0);
    expect(rss).toBeLessThan(RSS_BUDGET_KB);
  });
});
