// Test-only hang detector. The capture readers and decoders are synchronous, so a case that loops
// forever blocks the thread that vitest's own test timeout runs on: the timeout never fires and CI just
// hangs. This watchdog lives on a worker thread instead. The test bumps a shared heartbeat once per
// case; when it stops moving for `stallMs`, the watchdog pauses the main thread through the inspector
// (Debugger.pause interrupts running JavaScript), prints the stuck stack and the case being run, and
// kills the process so the run fails loudly instead of hanging.
// NOTE: the Debugger domain is enabled up front, while the main thread is idle: an inspector message
// sent to a busy main thread is only served once it is paused, and only Debugger.pause does that.
import { Worker } from 'node:worker_threads';

/** Heartbeat words: [0] beat counter, [1] stop flag, [2] level, [3] unit index, [4] case index, [5] unit seed. */
const WORDS = 6;

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const inspector = require('node:inspector');
const { writeSync } = require('node:fs');
const hb = new Int32Array(workerData.sab);
const keepAlive = setInterval(() => {}, 1 << 30);
const urls = new Map();
const session = new inspector.Session();
session.connectToMainThread();
session.on('Debugger.scriptParsed', (m) => urls.set(m.params.scriptId, m.params.url));
let reported = false;
session.on('Debugger.paused', (m) => {
  if (reported) return;
  reported = true;
  const frames = m.params.callFrames.slice(0, 25).map((f) =>
    '    at ' + (f.functionName || '<anonymous>') + ' (' + (urls.get(f.location.scriptId) || f.location.scriptId) + ':' +
    (f.location.lineNumber + 1) + ':' + (f.location.columnNumber + 1) + ')').join('\\n');
  const level = workerData.levels[hb[2]] || String(hb[2]);
  writeSync(2, '\\nFUZZ WATCHDOG: no progress for ' + workerData.stallMs + ' ms: a case hangs.\\n' +
    '  ' + level + ' unit ' + hb[3] + ', case ' + hb[4] + ', unit seed 0x' + (hb[5] >>> 0).toString(16).padStart(8, '0') + '\\n' +
    '  ' + workerData.hint + '\\n  main thread stack (generated code lines):\\n' + frames + '\\n');
  process.kill(process.pid, 'SIGKILL');
});
session.post('Debugger.enable', () => {
  parentPort.postMessage('ready');
  let last = -1;
  let since = Date.now();
  const tick = () => {
    if (Atomics.load(hb, 1) !== 0) { clearInterval(keepAlive); session.disconnect(); return; }
    const now = Atomics.load(hb, 0);
    if (now !== last) { last = now; since = Date.now(); }
    else if (Date.now() - since >= workerData.stallMs) { session.post('Debugger.pause'); return; }
    setTimeout(tick, 250);
  };
  tick();
});
`;

export interface Watchdog {
  /** Call once per case: level index, unit (batch/case) index, case index inside the unit, unit seed. */
  beat(level: number, unit: number, index: number, seed: number): void;
  stop(): Promise<void>;
}

/**
 * Starts the watchdog and resolves once it is attached to the main thread.
 * @param levels names for the level indexes passed to beat()
 * @param hint printed with a hang report (how to replay)
 */
export async function startWatchdog(stallMs: number, levels: readonly string[], hint: string): Promise<Watchdog> {
  const sab = new SharedArrayBuffer(WORDS * 4);
  const hb = new Int32Array(sab);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sab, stallMs, levels: [...levels], hint } });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  worker.unref();
  let n = 0;
  return {
    beat(level, unit, index, seed) {
      hb[2] = level;
      hb[3] = unit;
      hb[4] = index;
      hb[5] = seed | 0;
      Atomics.store(hb, 0, ++n);
    },
    async stop() {
      Atomics.store(hb, 1, 1);
      await worker.terminate();
    },
  };
}
