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
 * wherever it computes.
 *
 * Every job ends, whatever its cells do. The thread tells, through shared memory, which job and
 * cell it is computing (and whether in the game's analysis or the cell's certificate); a watchdog
 * here reads it:
 * - a cell computing longer than the sweep's cell time budget is stopped by ending the thread;
 * - a thread that dies (its heap exhausted, `process.exit`, ended by the watchdog) takes only the
 *   cell it was computing with it: the job goes on, on a new thread, from the first row this side
 *   has not received, with that cell (or, when it died in the analysis, that game's cells) stored
 *   failed with the reason instead of computed. Each death settles at least one cell, so a job
 *   ends after at most as many deaths as it has cells;
 * - jobs queued behind it are handed to the new thread as they were.
 * Cancellation is checked by the thread after every cell; a cell that does not end within
 * CANCEL_GRACE_MS of its job's cancellation is stopped by ending the thread.
 */
import { Worker } from 'node:worker_threads';
import { executionOf } from '../sweep/execution.js';
import { ratioLength } from '../sweep/cells.js';
import type { CellRow, StepsizeRow } from '../sweep/compute.js';
import type { ResolvedSweep } from '../sweep/resolved.js';
import { FAULTS_VARIABLE, parseFaults, type TestFaults } from '../config/test-faults.js';

/**
 * The thread's entry. Compiled (dist/, `npm run build`): compute-thread-entry.js itself. From the
 * TypeScript sources: a plain ES module that registers tsx and imports compute-thread-entry.ts
 * (Node cannot start a thread from a .ts file, whatever loader the process runs with).
 */
const ENTRY = import.meta.url.endsWith('.js')
  ? new URL('./compute-thread-entry.js', import.meta.url)
  : new URL('./compute-thread-boot.mjs', import.meta.url);

/**
 * Cancelled jobs are marked in a shared array at slot `job % CANCEL_SLOTS`: exact as long as fewer
 * than this many jobs are outstanding at once (one per activity slot).
 */
export const CANCEL_SLOTS = 4096;

/** Slots of the shared `where` array: what the thread is computing now. */
export const WHERE = { job: 0, cell: 1, stage: 2 } as const;
export const STAGE_ANALYSIS = 0;
export const STAGE_CELL = 1;

/** A cancelled job's cell gets this long to end by itself before the thread is ended. */
export const CANCEL_GRACE_MS = 1000;
/** How often the watchdog looks (only while a job runs). */
const WATCH_MS = 100;

/** What the activity thread sends: one job. */
export interface ComputeJobMessage {
  readonly job: number;
  readonly kind: 'certify' | 'stepsize';
  readonly spec: ResolvedSweep;
  readonly start: number;
  readonly end: number;
  /** Cells (games for stepsize) stored failed with this text, not computed. */
  readonly skip: readonly (readonly [number, string])[];
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

/** Options of the thread (tests and the worker). */
export interface ComputeThreadOptions {
  /** Heap limit of the thread (V8 old generation, MB); a cell that exceeds it is stored failed. */
  readonly heapLimitMb?: number;
  /** Test-only faults the thread injects (the worker's SgnConfig.testFaults, SGN_TEST_FAULTS). */
  readonly faults?: TestFaults;
  /**
   * Variables as the tests give them: SGN_TEST_FAULTS, read when `faults` is absent (the thread
   * itself reads no variables: its faults reach it with its start-up data).
   */
  readonly env?: Readonly<Record<string, string>>;
}

/** What the thread is given when it starts. */
export interface ComputeThreadData {
  readonly cancelled: Int32Array;
  readonly where: Int32Array;
  readonly faults: TestFaults;
}

interface Job {
  readonly id: number;
  readonly kind: 'certify' | 'stepsize';
  readonly spec: ResolvedSweep;
  readonly start: number;
  readonly end: number;
  readonly handlers: JobHandlers;
  /** Certify: the next cell whose row this side has not received (where a restart resumes). */
  next: number;
  readonly skip: Map<number, string>;
  /** Cells done in earlier lives of the job (so progress does not go backwards). */
  doneBefore: number;
  started: boolean;
  resolve(rows: StepsizeRow[] | undefined): void;
  reject(e: unknown): void;
}

/** Why the thread is being ended, decided by this side. */
type Ending = { readonly kind: 'timeout'; readonly seconds: number } | { readonly kind: 'cancelled' };

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

/** Seconds as people write them: 900, 2.5. */
function seconds(s: number): string {
  return String(Number(s.toPrecision(6)));
}

export class ComputeThread {
  private worker: Worker | null = null;
  /** Cancelled jobs, shared with the thread (see CANCEL_SLOTS). */
  private readonly cancelled = new Int32Array(new SharedArrayBuffer(4 * CANCEL_SLOTS));
  /** What the thread computes now (see WHERE), shared with it; job 0: nothing. */
  private readonly where = new Int32Array(new SharedArrayBuffer(4 * 3));
  private nextJob = 1;
  /** Jobs not yet settled, in the order they were queued (Map keeps insertion order). */
  private readonly jobs = new Map<number, Job>();
  private closed = false;
  private watchdog: NodeJS.Timeout | null = null;
  /** The (job, cell) the watchdog last saw, and since when. */
  private watched = { job: 0, cell: -1, since: 0 };
  private ending: Ending | null = null;
  /** The thread's own error before it exited (e.g. its heap exhausted). */
  private threadError: Error | null = null;
  private cancelTimers = new Map<number, NodeJS.Timeout>();

  /** Parsed once, here: a malformed SGN_TEST_FAULTS fails the caller, not every thread started. */
  private readonly faults: TestFaults;

  constructor(private readonly options: ComputeThreadOptions = {}) {
    this.faults = options.faults ?? [...parseFaults(options.env?.[FAULTS_VARIABLE])];
  }

  /** Starts the thread now (module loading, ~0.5 s) rather than at the first job. */
  warm(): void {
    this.thread();
  }

  /** Certificates of cells [start, end), handed to `onRows` as they are computed. */
  async certify(spec: ResolvedSweep, start: number, end: number, handlers: JobHandlers): Promise<void> {
    await this.run('certify', spec, start, end, handlers);
  }

  /** Step-size rows of game groups [start, end). */
  async stepsize(
    spec: ResolvedSweep,
    start: number,
    end: number,
    handlers: JobHandlers = {},
  ): Promise<StepsizeRow[]> {
    return (await this.run('stepsize', spec, start, end, handlers)) ?? [];
  }

  /** Stops the thread; its jobs fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopWatchdog();
    const w = this.worker;
    this.worker = null;
    for (const job of [...this.jobs.values()]) job.reject(new Error('compute thread closed'));
    if (w !== null) await w.terminate();
  }

  private run(
    kind: 'certify' | 'stepsize',
    spec: ResolvedSweep,
    start: number,
    end: number,
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
        if (Atomics.load(this.where, WHERE.job) === id) this.endIfStillOn(id);
        settle(() => reject(abortReason(signal!)));
      };
      const settle = (f: () => void): void => {
        if (!this.jobs.delete(id)) return;
        signal?.removeEventListener('abort', onAbort);
        f();
      };
      const job: Job = {
        id,
        kind,
        spec,
        start,
        end,
        handlers,
        next: start,
        skip: new Map(),
        doneBefore: 0,
        started: false,
        resolve: (rows) => settle(() => resolve(rows)),
        reject: (e) => settle(() => reject(e)),
      };
      this.jobs.set(id, job);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.post(job);
    });
  }

  private post(job: Job): void {
    const from = job.kind === 'certify' ? job.next : job.start;
    job.doneBefore = from - job.start;
    this.thread().postMessage({
      job: job.id,
      kind: job.kind,
      spec: job.spec,
      start: from,
      end: job.end,
      skip: [...job.skip].filter(([i]) => i >= from),
    } satisfies ComputeJobMessage);
    this.startWatchdog();
  }

  /** A cancelled job's cell that has not ended after CANCEL_GRACE_MS ends with its thread. */
  private endIfStillOn(id: number): void {
    if (this.cancelTimers.has(id)) return;
    const timer = setTimeout(() => {
      this.cancelTimers.delete(id);
      if (Atomics.load(this.where, WHERE.job) === id) this.endThread({ kind: 'cancelled' });
    }, CANCEL_GRACE_MS);
    timer.unref();
    this.cancelTimers.set(id, timer);
  }

  private thread(): Worker {
    if (this.worker !== null) return this.worker;
    Atomics.store(this.where, WHERE.job, 0);
    const heap = this.options.heapLimitMb;
    const w = new Worker(ENTRY, {
      workerData: {
        cancelled: this.cancelled,
        where: this.where,
        faults: this.faults,
      } satisfies ComputeThreadData,
      ...(heap !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: heap } } : {}),
    });
    // An idle thread does not keep the process alive; a job's promise does.
    w.unref();
    // Messages of a thread that was replaced are of no use (its jobs were handed on).
    w.on('message', (m: ComputeThreadMessage) => {
      if (this.worker === w) this.receive(m);
    });
    w.on('error', (e) => {
      if (this.worker === w) this.threadError = e;
    });
    w.on('exit', (code) => {
      if (this.worker === w) this.recover(code);
    });
    this.worker = w;
    return w;
  }

  private endThread(ending: Ending): void {
    const w = this.worker;
    if (w === null || this.ending !== null) return;
    this.ending = ending;
    void w.terminate();
  }

  /**
   * The thread is gone: the job it was computing settles the cell it died on as failed and goes
   * on, with every job queued behind it, on a new thread.
   */
  private recover(code: number): void {
    const ending = this.ending;
    const threadError = this.threadError;
    this.worker = null;
    this.ending = null;
    this.threadError = null;
    const running = Atomics.load(this.where, WHERE.job);
    const cell = Atomics.load(this.where, WHERE.cell);
    const stage = Atomics.load(this.where, WHERE.stage);
    if (this.closed) return;
    const job = this.jobs.get(running);
    if (job !== undefined && ending?.kind !== 'cancelled') {
      const reason =
        ending?.kind === 'timeout'
          ? `timeout after ${seconds(ending.seconds)} s`
          : (threadError as { code?: string } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? `out of memory computing this cell (compute thread heap limit ${this.options.heapLimitMb ?? 'default'} MB)`
            : `the compute thread died computing this cell (${threadError?.message ?? `exit code ${code}`})`;
      const from = job.kind === 'certify' ? job.next : job.start;
      if (cell < from || cell >= job.end || job.skip.has(cell)) {
        // Not on a cell of its own (between cells, or re-running one already given up on): the
        // job cannot be narrowed down, so it fails as a whole (the batch's retries decide).
        job.reject(new Error(`compute thread ended outside a cell: ${reason}`));
      } else {
        for (const i of this.poisoned(job, cell, stage)) job.skip.set(i, reason);
      }
    }
    // The cell the watchdog timed belongs to the old thread.
    this.watched = { job: 0, cell: -1, since: 0 };
    const rest = [...this.jobs.values()];
    if (rest.length === 0) {
      this.stopWatchdog();
      return;
    }
    for (const j of rest) this.post(j);
  }

  /** The cells a death at `cell` settles: that cell, or its game's cells when it died in the game's analysis. */
  private poisoned(job: Job, cell: number, stage: number): number[] {
    if (stage !== STAGE_ANALYSIS || job.kind === 'stepsize') return [cell];
    // A game's cells (one per ratio) are consecutive and share its analysis: they would die the same way.
    const R = ratioLength(job.spec);
    const last = Math.min(job.end, (Math.floor(cell / R) + 1) * R);
    const cells: number[] = [];
    for (let i = cell; i < last; i++) cells.push(i);
    return cells;
  }

  private startWatchdog(): void {
    if (this.watchdog !== null) return;
    this.watchdog = setInterval(() => this.watch(), WATCH_MS);
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  /** Ends the thread when one cell has computed longer than its sweep's time budget. */
  private watch(): void {
    if (this.jobs.size === 0) {
      this.stopWatchdog();
      return;
    }
    const job = Atomics.load(this.where, WHERE.job);
    const cell = Atomics.load(this.where, WHERE.cell);
    const now = performance.now();
    if (job !== this.watched.job || cell !== this.watched.cell) {
      this.watched = { job, cell, since: now };
      return;
    }
    const running = this.jobs.get(job);
    if (running === undefined) return;
    const budget = executionOf(running.spec).cellTimeout;
    if (now - this.watched.since > budget * 1000) this.endThread({ kind: 'timeout', seconds: budget });
  }

  private receive(m: ComputeThreadMessage): void {
    const job = this.jobs.get(m.job);
    if (job === undefined) return; // a cancelled job's late messages
    switch (m.type) {
      case 'started':
        // A job resumed on a new thread has started before.
        if (!job.started) {
          job.started = true;
          job.handlers.onStart?.();
        }
        return;
      case 'rows':
        if (m.rows.length > 0) job.next = m.rows[m.rows.length - 1].cellIndex + 1;
        job.handlers.onRows?.(m.rows);
        return;
      case 'progress':
        job.handlers.onProgress?.(job.doneBefore + m.done);
        return;
      case 'done':
        job.resolve(m.stepsizeRows);
        return;
      case 'failed':
        job.reject(revive(m.error));
        return;
      case 'cancelled':
        job.reject(new Error('compute job cancelled'));
        return;
    }
  }
}
