/**
 * Sweep activities, built by a factory that receives their dependencies (the database and the
 * process's compute thread). Each batch reads the resolved spec from the database, has its own
 * index range computed on the compute thread, and writes its rows in one transaction, while they
 * are computed, together with the band-map rows of the games it completed; unique keys make
 * retries idempotent.
 */
import { Context } from '@temporalio/activity';
import type { PrismaClient } from '../db/client.js';
import { CellBatchStream, SweepNotFoundError, storedCells, writeCellBatch } from '../db/cell-batches.js';
import { insertStepsizeResults, insertStepsizeTraces } from '../db/exact-writes.js';
import type { SweepStatus } from '../db/sweep-states.js';
import { writeSweepStatus } from '../db/sweep-status.js';
import { InputError } from '../config/errors.js';
import { SWEEP_FORMAT, type ResolvedSweep } from '../sweep/resolved.js';
import {
  failedCellRows,
  failedStepsizeRows,
  splitTraces,
  type CellRow,
  type StepsizeRow,
} from '../sweep/compute.js';
import { aggregateBandMaps, foldCompletedGroups } from './band-maps.js';
import { planOf } from './plan.js';
import type { ComputeThread, JobHandlers } from './compute-thread.js';
import type {
  BatchInput,
  BatchOutcome,
  FailedBatchInput,
  SweepActivities,
  SweepPlan,
} from '../contracts/activities.js';

/**
 * A batch heartbeats this often, from a timer, whatever its cells do: a long cell that is making
 * progress is never taken for a dead worker (the compute thread's watchdog bounds the cell by
 * its own time budget). The worker's heartbeat throttle (1 s) decides what reaches the server.
 */
const HEARTBEAT_MS = 1000;

/**
 * A certify batch's transaction stays open while it computes: as long as a batch may run (the
 * workflow's start-to-close bound). Rows stream into it at least every second, so it is never
 * idle for long; a batch of slow cells is bounded by their time budget.
 */
const BATCH_TRANSACTION_MS = 24 * 3600_000;

/** Step-size runs per game: every integrator at every multiplier (0 without a stepsize section). */
function runsPerGame(resolved: ResolvedSweep): number {
  return (resolved.stepsize?.integrators.length ?? 0) * (resolved.stepsize?.multipliers.length ?? 0);
}

export interface ActivityDeps {
  readonly prisma: PrismaClient;
  /** Recorded on every row this worker writes. */
  readonly workerId: string;
  /** Where batches compute (one job at a time, in the order they are queued). */
  readonly compute: ComputeThread;
  /** Batches per workflow execution in the plans it loads (the worker's SgnConfig.batchesPerRun). */
  readonly batchesPerRun: number;
}

export function createActivities({
  prisma,
  workerId,
  compute,
  batchesPerRun,
}: ActivityDeps): SweepActivities {
  // Resolved specs are immutable per sweep (a changed spec is a new sweep id): cache them.
  const specs = new Map<string, ResolvedSweep>();

  async function resolvedSpec(sweepId: string): Promise<ResolvedSweep> {
    const cached = specs.get(sweepId);
    if (cached) return cached;
    const row = await prisma.sweep.findUnique({ where: { id: sweepId }, select: { spec: true } });
    if (!row) throw new SweepNotFoundError(sweepId, 'nothing to compute');
    const resolved = row.spec as unknown as ResolvedSweep;
    // A sweep stored by an earlier version computes differently: its cells fail, saying why.
    if (resolved.format !== SWEEP_FORMAT)
      throw new InputError(
        'spec.format',
        `sweep ${sweepId} was stored as ${String(resolved.format)}; this worker computes ${SWEEP_FORMAT} ` +
          `(random draws changed to NumPy's stream), so its missing cells would not match the stored ones: start it again under a new id`,
      );
    if (specs.size > 64) specs.clear();
    specs.set(sweepId, resolved);
    return resolved;
  }

  /**
   * Queues a batch's job on the compute thread; resolves when it is done. The activity heartbeats
   * on a timer all along (queued or computing, with the cells done so far), so that the server
   * tells a live batch from a dead worker's and delivers a cancellation within about a second;
   * the activity's cancellation cancels the job, and so does `stop` (the batch failed some other way).
   */
  function queueJob<T>(
    input: BatchInput,
    submit: (handlers: JobHandlers) => Promise<T>,
    more: { onStart?: () => void; onRows?: JobHandlers['onRows']; stop?: AbortSignal } = {},
  ): Promise<T> {
    const ctx = Context.current();
    let computing = false;
    let done = 0;
    const beat = (): void => ctx.heartbeat({ start: input.start, done, computing });
    // The first heartbeat waits for the job to start (or for a second in the queue): the server
    // keeps the last one that got through, and the workflow reads its `computing` to tell a batch
    // that killed its worker from one that only waited behind it. A heartbeat is sent at once
    // only when none was sent within the throttle interval, so an early "queued" one would
    // still be the last word of a batch that starts and kills its worker within that second.
    const timer = setInterval(beat, HEARTBEAT_MS);
    const signal = more.stop ? AbortSignal.any([ctx.cancellationSignal, more.stop]) : ctx.cancellationSignal;
    return submit({
      onStart: () => {
        computing = true;
        beat();
        more.onStart?.();
      },
      onRows: more.onRows,
      onProgress: (n) => (done = n),
      signal,
    }).finally(() => clearInterval(timer));
  }

  async function certifyBatch(input: BatchInput, resolved: ResolvedSweep): Promise<BatchOutcome> {
    const { sweepId, start, end } = input;
    const size = end - start;
    const stored = await storedCells(prisma, sweepId, start, end);
    if (stored >= size) return { inserted: 0, alreadyStored: stored, failed: 0 };
    // Recompute the whole batch even when part of it is stored: warm starts chain through a
    // batch, so this keeps every stored number identical to an undisturbed run.
    //
    // The job queues now; the batch's transaction opens when it starts computing (a queued batch
    // holds no connection), and rows computed before it is open wait for it.
    const early: CellRow[][] = [];
    let sink = (rows: CellRow[]): void => void early.push(rows);
    let started!: () => void;
    const startedComputing = new Promise<void>((resolve) => (started = resolve));
    const stop = new AbortController();
    const computing = queueJob(input, (h) => compute.certify(resolved, start, end, h), {
      onStart: started,
      onRows: (rows) => sink(rows),
      stop: stop.signal,
    });
    computing.catch(() => undefined); // awaited below; a rejection before then is not unhandled
    try {
      await Promise.race([startedComputing, computing]);
      // One transaction: rows are written while the rest of the batch computes, and the last
      // statement moves the counters by what the batch actually inserted (exact under retries).
      const { inserted, failed } = await prisma.$transaction(
        async (tx) => {
          // Nothing of the batch stored yet (the usual case): no per-row conflict check.
          const stream = new CellBatchStream(tx, sweepId, workerId, { fresh: stored === 0 });
          sink = (rows) => stream.push(rows);
          for (const rows of early.splice(0)) stream.push(rows);
          await computing;
          const written = await stream.finish();
          // Band-map rows of the games this batch completed: the map grows while the sweep runs.
          await foldCompletedGroups(tx, sweepId, resolved, start, end);
          return written;
        },
        { timeout: BATCH_TRANSACTION_MS, maxWait: 60_000 },
      );
      return { inserted, alreadyStored: size - inserted, failed };
    } catch (e) {
      stop.abort(e); // e.g. the transaction could not open: the computation is of no use now
      throw e;
    }
  }

  async function stepsizeBatch(input: BatchInput, resolved: ResolvedSweep): Promise<BatchOutcome> {
    const { sweepId, start, end } = input;
    const perGame = runsPerGame(resolved);
    const size = end - start;
    const stored = await prisma.stepsizeResult.count({
      where: { sweepId, cellIndex: { gte: start, lt: end } },
    });
    if (stored >= size * perGame) return { inserted: 0, alreadyStored: size, failed: 0 };
    const rows = await queueJob(input, (h) => compute.stepsize(resolved, start, end, h));
    const { inserted, failed } = await writeStepsizeRows(sweepId, rows, perGame);
    return { inserted, alreadyStored: size - inserted, failed };
  }

  /** Step-size rows and the sweep's counters, in one transaction; resolves to the games inserted. */
  function writeStepsizeRows(
    sweepId: string,
    rows: readonly StepsizeRow[],
    perGame: number,
  ): Promise<{ inserted: number; failed: number }> {
    return prisma.$transaction(async (tx) => {
      const { results, traces } = splitTraces(rows);
      const n = await insertStepsizeResults(tx, sweepId, results);
      // A retried batch's games are stored already: their traces too (the insert skips them).
      if (traces.length > 0) await insertStepsizeTraces(tx, sweepId, traces);
      // A game's rows are written together, so whole games were inserted.
      const games = perGame ? Math.round(n.inserted / perGame) : 0;
      const failed = perGame ? Math.round(n.failed / perGame) : 0;
      if (games > 0)
        await tx.sweep.update({
          where: { id: sweepId },
          data: { doneCells: { increment: games }, failedCells: { increment: failed } },
        });
      return { inserted: games, failed };
    });
  }

  /** Stores the cells of [start, end) not stored yet as failed with `reason` (a batch given up on). */
  async function recordFailed({
    sweepId,
    kind,
    start,
    end,
    reason,
  }: FailedBatchInput): Promise<BatchOutcome> {
    const resolved = await resolvedSpec(sweepId);
    const w =
      kind === 'certify'
        ? await writeCellBatch(prisma, sweepId, workerId, failedCellRows(resolved, start, end, reason))
        : await writeStepsizeRows(
            sweepId,
            failedStepsizeRows(resolved, start, end, reason),
            runsPerGame(resolved),
          );
    return { inserted: w.inserted, alreadyStored: end - start - w.inserted, failed: w.failed };
  }

  return {
    async loadPlan(sweepId: string): Promise<SweepPlan> {
      return planOf(await resolvedSpec(sweepId), batchesPerRun);
    },

    async runBatch(input: BatchInput): Promise<BatchOutcome> {
      const resolved = await resolvedSpec(input.sweepId);
      return input.kind === 'certify' ? certifyBatch(input, resolved) : stepsizeBatch(input, resolved);
    },

    recordFailedCells: recordFailed,

    async aggregateBands(sweepId: string): Promise<number> {
      const resolved = await resolvedSpec(sweepId);
      const ctx = Context.current();
      // Run as a local activity (the workflow's default now) it has no heartbeat to send.
      const heartbeat = ctx.info.isLocal ? undefined : () => ctx.heartbeat();
      return aggregateBandMaps(prisma, sweepId, resolved, heartbeat);
    },

    async setSweepStatus(sweepId: string, status: SweepStatus, error?: string): Promise<void> {
      if (!(await writeSweepStatus(prisma, sweepId, status, { error })))
        throw new SweepNotFoundError(sweepId, `its status is not written (${status})`);
    },
  };
}
