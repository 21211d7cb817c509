/**
 * The compute thread (see compute-thread.ts): runs its jobs one at a time in the order they
 * arrive, posting a certify job's rows as `certifyCells` emits them and progress every
 * PROGRESS_MS. Never yields to its event loop while a job runs: cancellation arrives through
 * shared memory, checked before a job starts and after every cell, and the thread writes where it
 * is (job, cell, stage) to shared memory for the other side's watchdog.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { certifyCells, stepsizeRange, type CellStage } from '../sweep/compute.js';
import {
  CANCEL_SLOTS,
  STAGE_ANALYSIS,
  STAGE_CELL,
  WHERE,
  type ComputeJobMessage,
  type ComputeThreadData,
  type ComputeThreadMessage,
} from './compute-thread.js';
import { injectFault } from './fault-injection.js';

const PROGRESS_MS = 200;

/**
 * This thread's nice value, above the process's: the activity thread's writes and heartbeats and
 * the database's backends run first when they need a core, the computation takes what is left.
 * Otherwise, with as many busy threads as cores, a batch's rows pile up unwritten behind its
 * computation and the sweep ends with their write.
 */
const NICER_BY = 10;

/** Linux: lower this thread's priority alone (setpriority on a thread id); elsewhere nothing. */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.min(19, getPriority(tid) + NICER_BY));
  } catch {
    // Not Linux, or not allowed: the thread keeps the process's priority.
  }
}

class JobCancelled extends Error {}

const port = parentPort;
if (port === null) throw new Error('compute-thread-entry.ts runs as a worker thread');
const { cancelled, where, faults: faultList } = workerData as ComputeThreadData;
const isCancelled = (job: number): boolean => Atomics.load(cancelled, job % CANCEL_SLOTS) === job;
const post = (m: ComputeThreadMessage): void => port.postMessage(m);
// Test-only faults (SGN_TEST_FAULTS), parsed by the worker's configuration and handed over here.
const faults = new Map(faultList);
lowerPriority();

/** After every cell: stop if cancelled, report progress now and then. */
function ticker(job: number): (done: number) => Promise<void> {
  let last = performance.now();
  return async (done) => {
    if (isCancelled(job)) throw new JobCancelled();
    const now = performance.now();
    if (now - last >= PROGRESS_MS) {
      last = now;
      post({ type: 'progress', job, done });
    }
  };
}

/**
 * Before a cell's analysis and its certificate: tell the watchdog. A test fault strikes in the
 * cell's own certificate (a step-size game has only its analysis stage).
 */
function cellHook(kind: ComputeJobMessage['kind']): (index: number, stage: CellStage) => void {
  const faultStage: CellStage = kind === 'certify' ? 'cell' : 'analysis';
  return (index, stage) => {
    Atomics.store(where, WHERE.cell, index);
    Atomics.store(where, WHERE.stage, stage === 'analysis' ? STAGE_ANALYSIS : STAGE_CELL);
    if (faults.size > 0 && stage === faultStage) {
      const fault = faults.get(index);
      if (fault !== undefined) injectFault(fault);
    }
  };
}

async function run({ job, kind, spec, start, end, skip }: ComputeJobMessage): Promise<void> {
  try {
    if (isCancelled(job)) throw new JobCancelled();
    Atomics.store(where, WHERE.cell, -1);
    Atomics.store(where, WHERE.job, job);
    post({ type: 'started', job });
    const tick = ticker(job);
    const hooks = { skip: new Map(skip), onCell: cellHook(kind) };
    if (kind === 'certify') {
      await certifyCells(spec, start, end, tick, (rows) => post({ type: 'rows', job, rows }), hooks);
      post({ type: 'done', job });
    } else {
      post({ type: 'done', job, stepsizeRows: await stepsizeRange(spec, start, end, tick, hooks) });
    }
  } catch (e) {
    if (e instanceof JobCancelled) post({ type: 'cancelled', job });
    else {
      const err = e instanceof Error ? e : new Error(String(e));
      post({ type: 'failed', job, error: { name: err.name, message: err.message, stack: err.stack } });
    }
  } finally {
    Atomics.store(where, WHERE.job, 0);
  }
}

// Jobs one after another, in the order they arrive: the next starts as soon as one ends, without
// waiting for the activity thread.
let queue: Promise<void> = Promise.resolve();
port.on('message', (m: ComputeJobMessage) => {
  queue = queue.then(() => run(m));
});
