import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCaptureFileTuned } from './read-file.js';
import type { PacketSink } from './source.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/small-office.pcap');

function collector(): { sink: PacketSink; seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    sink: { packet(buf, off, capLen, wireLen, tsUs, linktype) { seen.push(`${tsUs}/${capLen}/${wireLen}/${linktype}/${buf[off + capLen - 1]}`); } },
  };
}

describe('yielding between chunks', () => {
  it('reads exactly what the straight loop reads, and lets the event loop run meanwhile', async () => {
    const plain = collector();
    const a = await readCaptureFileTuned(FIXTURE, plain.sink, {}, { chunkBytes: 4096 });
    const yielding = collector();
    let turns = 0;
    let ticking = true;
    const tick = (): void => { turns++; if (ticking) setImmediate(tick); };
    setImmediate(tick);
    const turnsBefore = turns;
    const b = await readCaptureFileTuned(FIXTURE, yielding.sink, { yieldBetweenChunks: true }, { chunkBytes: 4096 });
    ticking = false;
    expect(b).toEqual(a);
    expect(a.error).toBeUndefined();
    expect(yielding.seen).toEqual(plain.seen);
    expect(plain.seen.length).toBeGreaterThan(100);
    // ~58 KB in 4 KiB chunks: the event loop got a turn between (almost) every chunk.
    expect(turns - turnsBefore).toBeGreaterThanOrEqual(10);
  });
});
