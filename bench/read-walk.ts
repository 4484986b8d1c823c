// Bare read-and-walk: how fast readCaptureFile hands records to a trivial sink.
// Usage: npm run build && node dist/bench/read-walk.js FILE [--runs N] [--mode sync|worker] [--touch BYTES]
//   --mode   sync = the plain chunk loop (what readCaptureFile does); worker = reader thread + shared ring
//   --touch  also hash the first BYTES of every packet, a stand-in for decode work (default 0)
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readCaptureFileTuned, type ReaderTuning } from '../agent/capture/read-file.js';
import type { PacketSink } from '../agent/capture/source.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '3' },
    mode: { type: 'string', default: 'sync' },
    touch: { type: 'string', default: '0' },
  },
});
const file = positionals[0];
if (file === undefined || !['sync', 'worker'].includes(values.mode)) {
  process.stderr.write('usage: node dist/bench/read-walk.js FILE [--runs N] [--mode sync|worker] [--touch BYTES]\n');
  process.exit(2);
}
const runs = Number(values.runs);
const touch = Number(values.touch);
const tuning: ReaderTuning = { worker: values.mode === 'worker' };

let packets = 0;
let capBytes = 0;
let check = 0; // keeps the touched bytes observable
const sink: PacketSink = {
  packet(buf, off, capLen) {
    packets++;
    capBytes += capLen;
    if (touch > 0) {
      let h = 0x811c9dc5;
      const end = off + Math.min(touch, capLen);
      for (let i = off; i < end; i++) h = Math.imul(h ^ buf[i]!, 16777619);
      check ^= h;
    }
  },
};

const size = statSync(file).size;
for (let r = 0; r < runs; r++) {
  packets = 0;
  capBytes = 0;
  const t0 = process.hrtime.bigint();
  const summary = await readCaptureFileTuned(file, sink, {}, tuning);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(
    `run ${r + 1} (${values.mode}, touch ${touch}): ${summary.format} ${packets} packets, ${capBytes} captured bytes, ` +
      `${s.toFixed(3)} s, ${(packets / s / 1e6).toFixed(2)} M packets/s, ${(size / s / 1e9).toFixed(2)} GB/s` +
      (summary.error !== undefined ? `, error: ${summary.error}` : '') +
      (touch > 0 ? ` (check ${check >>> 0})` : '') +
      '\n',
  );
}
