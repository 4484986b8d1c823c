// Worker thread: request bodies in, validated batches with encoded chunks out (see decode-pool.ts).
// NOTE: message shapes — in: { id: number, body: Uint8Array } (body's buffer transferred);
// out: { id, result: DecodeResult }, the flows blocks in SharedArrayBuffers, the name chunks copied.
import { parentPort } from 'node:worker_threads';
import { decodeIngestBody, warmUpDecoder, type DecodeResult } from './ingest-batch.js';

interface Job {
  id: number;
  body: Uint8Array;
}

if (!parentPort) throw new Error('decode-worker.ts must run in a worker thread');
const port = parentPort;

// Before the first job (jobs wait in the port's queue meanwhile): 0.1–0.4 s of CPU once per worker.
warmUpDecoder();

port.on('message', (job: Job) => {
  let result: DecodeResult;
  try {
    result = decodeIngestBody(job.body);
  } catch (err) {
    // A bug, not bad input: report it as such so the request gets a 500, not a 400.
    port.postMessage({ id: job.id, crash: err instanceof Error ? err.stack ?? err.message : String(err) });
    return;
  }
  // No transfer list: the flows blocks are in SharedArrayBuffers (shared, not copied; see sealBlock in
  // server/store/native-block.ts for why nothing here is detached) and the name chunks are small copies.
  port.postMessage({ id: job.id, result });
});
