// A worker thread of parallel.ts: builds the stage once, then turns batches of JSONL into output.
import { parentPort, workerData } from 'node:worker_threads';
import { type Batch, type BatchResult, type Mapper, type MapperSpec, createMapper, runBatch } from './map-batch.js';

const port = parentPort!;
let mapper: Mapper | undefined;
let failure: string | undefined;
try {
  mapper = await createMapper(workerData as MapperSpec);
} catch (err) {
  failure = err instanceof Error ? err.message : String(err);
}
port.postMessage({ ready: true, failure });
/** The output buffer is the result's own: moved, not copied. */
function send(result: BatchResult): void {
  port.postMessage(result, [result.out.buffer as ArrayBuffer]);
}
port.on('message', (batch: Batch) => {
  // As few frames and locals under runBatch as before: how deeply nested a record can be
  // written depends on the stack left.
  send(runBatch(batch, mapper!));
});
