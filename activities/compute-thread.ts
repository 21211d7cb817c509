/**
 * A worker process's compute thread. Batches compute on a worker thread, so the activity's own
 * thread stays free for what overlaps the computation: writing the rows already computed (Prisma
 * and the pg driver encode and send them; measured ~20 us a row of client CPU at d = 16, a fifth
 * of the computation), heartbeats, and the Temporal worker's polling. On the activity's thread
 * all of that used to come out of the computation's time; here it runs on another core.
 *
 * Jobs queue on the thread and run one at a time, first come first served: while one batch
 * computes, the next is already queued, so the thread goes from one to the next without waiting
 * for this thread, and the earlier batch's writes overlap the later one's computation. The thread
 * lives as long as the process, so its JIT stays warm from batch to batch. Rows cross over by
 * structured clone, in the chunks `certifyCells` emits, in order: a batch's rows are the same
 * wherever it computes. Cancellation goes through shared memory (the thread checks it before a
 * job and after every cell, without yielding to its event loop). A thread that dies fails its
 * jobs (retryably) and the next job starts a new thread.
 */
import { Worker } from 'node:worker_threads';
import type { CellRow, StepsizeRow } from '../sweep/compute.js';
import type { ResolvedSweep } from '../sweep/resolve.js';

/** The thread's entry: a plain ES module that registers tsx and imports compute-thread-entry.ts. */
const ENTRY = new URL('./compute-thread-boot.mjs', import.meta.url);

/**
 * Cancelled jobs are marked in a shared array at slot `job % CANCEL_SLOTS`: exact as long as fewer
 * than this many jobs are outstanding at once (one per activity slot).
 */
export const CANCEL_SLOTS = 4096;

/** What the activity thread sends: one job. */
export interface ComputeJobMessage {
  readonly job: number;
  readonly kind: 'certify' | 'stepsize';
  readonly spec: ResolvedSweep;
  readonly start: number;
  readonly end: number;
}

/** What the thread sends back about a job. */
export type ComputeThreadMessage =
  | { readonly type: 'started'; readonly job: number }
  | { readonly type: 'rows'; readonly job: number; readonly rows: CellRow[] }
  | { readonly type: 'progress'; readonly job: number; readonly done: number }
  | { readonly type: 'done'; readonly job: number; readonly stepsizeRows?: StepsizeRow[] }
  | { readonly type: 'failed'; readonly job: number; readonly error: SerializedError }
  | { readonly type: 'cancelled'; readonly job: number };

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export interface JobHandlers {
  /** The job left the queue and started computing. */
  readonly onStart?: () => void;
  /** Certify jobs: rows in cell order, as they are computed. */
  readonly onRows?: (rows: CellRow[]) => void;
  /** Cells (certify) or games (stepsize) done so far, a few times a second. */
  readonly onProgress?: (done: number) => void;
  /** Aborting it rejects at once with the signal's reason; the thread stops the job at its next cell, or skips it. */
  readonly signal?: AbortSignal;
}

interface Pending {
  readonly handlers: JobHandlers;
  resolve(rows: StepsizeRow[] | undefined): void;
  reject(e: unknown): void;
}

/** A job failure as an Error of the same name, so non-retryable types stay non-retryable. */
function revive(e: SerializedError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('compute job cancelled');
}

export class ComputeThread {
  private worker: Worker | null = null;
  /** Cancelled jobs, shared with the thread (see CANCEL_SLOTS). */
  private readonly cancelled = new Int32Array(new SharedArrayBuffer(4 * CANCEL_SLOTS));
  private nextJob = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  /** Starts the thread now (module loading, ~0.5 s) rather than at the first job. */
  warm(): void {
    this.thread();
  }

  /** Certificates of cells [start, end), handed to `onRows` as they are computed. */
  async certify(spec: ResolvedSweep, start: number, end: number, handlers: JobHandlers): Promise<void> {
    await this.run({ kind: 'certify', spec, start, end }, handlers);
  }

  /** Step-size rows of game groups [start, end). */
  async stepsize(
    spec: ResolvedSweep,
    start: number,
    end: number,
    handlers: JobHandlers = {},
  ): Promise<StepsizeRow[]> {
    return (await this.run({ kind: 'stepsize', spec, start, end }, handlers)) ?? [];
  }

  /** Stops the thread; its jobs fail. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    if (w !== null) await w.terminate();
  }

  private run(
    job: Omit<ComputeJobMessage, 'job'>,
    handlers: JobHandlers,
  ): Promise<StepsizeRow[] | undefined> {
    if (this.closed) return Promise.reject(new Error('compute thread closed'));
    const { signal } = handlers;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const id = this.nextJob++;
    return new Promise<StepsizeRow[] | undefined>((resolve, reject) => {
      const onAbort = (): void => {
        // The thread stops the job at its next cell (or skips it); it is over for the caller now.
        Atomics.store(this.cancelled, id % CANCEL_SLOTS, id);
        settle(() => reject(abortReason(signal!)));
      };
      const settle = (f: () => void): void => {
        if (!this.pending.delete(id)) return;
        signal?.removeEventListener('abort', onAbort);
        f();
      };
      this.pending.set(id, {
        handlers,
        resolve: (rows) => settle(() => resolve(rows)),
        reject: (e) => settle(() => reject(e)),
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.thread().postMessage({ ...job, job: id } satisfies ComputeJobMessage);
    });
  }

  private thread(): Worker {
    if (this.worker !== null) return this.worker;
    const w = new Worker(ENTRY, { workerData: { cancelled: this.cancelled } });
    // An idle thread does not keep the process alive; a job's promise does.
    w.unref();
    w.on('message', (m: ComputeThreadMessage) => this.receive(m));
    // Jobs on a thread that died fail; they were all on this one (a new thread starts only once
    // this.worker is cleared, below).
    w.on('error', (e) => this.failAll(e));
    w.on('exit', (code) => {
      if (this.worker === w) this.worker = null;
      this.failAll(new Error(`compute thread exited (code ${code}) during a job`));
    });
    this.worker = w;
    return w;
  }

  private failAll(e: unknown): void {
    for (const p of [...this.pending.values()]) p.reject(e);
  }

  private receive(m: ComputeThreadMessage): void {
    const p = this.pending.get(m.job);
    if (p === undefined) return; // a cancelled job's late messages
    switch (m.type) {
      case 'started':
        p.handlers.onStart?.();
        return;
      case 'rows':
        p.handlers.onRows?.(m.rows);
        return;
      case 'progress':
        p.handlers.onProgress?.(m.done);
        return;
      case 'done':
        p.resolve(m.stepsizeRows);
        return;
      case 'failed':
        p.reject(revive(m.error));
        return;
      case 'cancelled':
        p.reject(new Error('compute job cancelled'));
        return;
    }
  }
}
