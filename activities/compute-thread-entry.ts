/**
 * The compute thread (see compute-thread.ts): runs one job at a time, posting a certify job's
 * rows as `certifyCells` emits them and progress every PROGRESS_MS. Never yields while a job
 * runs: cancellation arrives through shared memory, checked after every cell.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { certifyCells, stepsizeRange } from '../sweep/compute.js';
import type { ComputeJobMessage, ComputeThreadMessage } from './compute-thread.js';

const PROGRESS_MS = 200;

class JobCancelled extends Error {}

const port = parentPort;
if (port === null) throw new Error('compute-thread-entry.ts runs as a worker thread');
const cancel = (workerData as { cancel: Int32Array }).cancel;
const post = (m: ComputeThreadMessage): void => port.postMessage(m);

/** After every cell: stop if cancelled, report progress now and then. */
function ticker(job: number): (done: number) => Promise<void> {
  let last = performance.now();
  return async (done) => {
    if (Atomics.load(cancel, 0) === job) throw new JobCancelled();
    const now = performance.now();
    if (now - last >= PROGRESS_MS) {
      last = now;
      post({ type: 'progress', job, done });
    }
  };
}

async function run({ job, kind, spec, start, end }: ComputeJobMessage): Promise<void> {
  try {
    const tick = ticker(job);
    if (kind === 'certify') {
      await certifyCells(spec, start, end, tick, (rows) => post({ type: 'rows', job, rows }));
      post({ type: 'done', job });
    } else {
      post({ type: 'done', job, stepsizeRows: await stepsizeRange(spec, start, end, tick) });
    }
  } catch (e) {
    if (e instanceof JobCancelled) post({ type: 'cancelled', job });
    else {
      const err = e instanceof Error ? e : new Error(String(e));
      post({ type: 'failed', job, error: { name: err.name, message: err.message, stack: err.stack } });
    }
  }
}

// Jobs one after another, in the order they arrive.
let queue: Promise<void> = Promise.resolve();
port.on('message', (m: ComputeJobMessage) => {
  queue = queue.then(() => run(m));
});
