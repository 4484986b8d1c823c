// Bare read-and-walk: how fast readCaptureFile hands records to a trivial sink.
// Usage: npm run build && node dist/bench/read-walk.js FILE [--runs N] [--mode MODE] [--touch BYTES] [--detect]
//   --mode   sync = the plain chunk loop; worker = reader thread + shared ring (reads only);
//            pipeline = the flow pipeline on one thread; pipeline-worker = the same with read + walk +
//            decode on the decode worker (decode-ring.ts). The pipeline modes build every record's
//            NDJSON (not written) and also report the main thread's CPU time (Linux), the critical path.
//   --touch  also hash the first BYTES of every packet, a stand-in for decode work (default 0)
//   --detect pipeline modes: with the protocol detector
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readCaptureFileTuned, type ReaderTuning } from '../agent/capture/read-file.js';
import type { PacketSink } from '../agent/capture/source.js';
import { createFlowPipeline } from '../agent/pipeline.js';
import { flowRecordToJson } from '../common/flow-json.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '3' },
    mode: { type: 'string', default: 'sync' },
    touch: { type: 'string', default: '0' },
    detect: { type: 'boolean', default: false },
  },
});
const file = positionals[0];
const MODES = ['sync', 'worker', 'pipeline', 'pipeline-worker'];
if (file === undefined || !MODES.includes(values.mode)) {
  process.stderr.write(`usage: node dist/bench/read-walk.js FILE [--runs N] [--mode ${MODES.join('|')}] [--touch BYTES] [--detect]\n`);
  process.exit(2);
}
const runs = Number(values.runs);
const touch = Number(values.touch);
const tuning: ReaderTuning = {
  worker: values.mode === 'worker',
  decodeWorker: values.mode === 'pipeline-worker',
};

/** CPU seconds of the calling thread (utime + stime from /proc, 10 ms ticks). */
function threadCpuS(): number {
  const f = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

if (values.mode.startsWith('pipeline')) {
  for (let r = 0; r < runs; r++) {
    let records = 0;
    let jsonBytes = 0;
    const pipeline = createFlowPipeline({ detect: values.detect }, (rec) => {
      records++;
      jsonBytes += flowRecordToJson(rec).length + 1;
    });
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const main0 = threadCpuS();
    const summary = await readCaptureFileTuned(file, pipeline.sink, {}, tuning);
    pipeline.finish();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    process.stdout.write(
      `run ${r + 1} (${values.mode}${values.detect ? ', detect' : ''}): ${pipeline.counters.packets} packets, ${records} records, ` +
        `${jsonBytes} NDJSON bytes, ${s.toFixed(3)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, ` +
        `main thread cpu ${(threadCpuS() - main0).toFixed(2)} s` + (summary.error !== undefined ? `, error: ${summary.error}` : '') + '\n',
    );
  }
  process.exit(0);
}

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
