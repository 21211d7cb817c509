/**
 * Sweep activities, built by a factory that receives their dependencies (the database).
 * Each batch reads the resolved spec from the database, expands its own index range,
 * computes, and writes its rows in one transaction; unique keys make retries idempotent.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { PrismaClient } from '../db/client.js';
import { CellBatchStream, storedCells } from '../db/cell-batches.js';
import { insertStepsizeResults } from '../db/exact-writes.js';
import type { ResolvedSweep } from '../sweep/resolve.js';
import { certifyCells, stepsizeRange } from '../sweep/compute.js';
import { aggregateBandMaps } from './band-maps.js';
import { planOf } from './plan.js';
import { ComputeGate } from './compute-gate.js';
import type { BatchInput, BatchOutcome, SweepActivities, SweepPlan, SweepStatus } from './types.js';

/** Computation yields to the event loop this often (ms): a streamed write's reply waits at most this long. */
const YIELD_MS = 20;
const HEARTBEAT_MS = 200;

/** A certify batch's transaction stays open while it computes: as long as a batch may run. */
const BATCH_TRANSACTION_MS = 30 * 60_000;

export interface ActivityDeps {
  readonly prisma: PrismaClient;
  /** Recorded on every row this worker writes. */
  readonly workerId: string;
}

export function createActivities({ prisma, workerId }: ActivityDeps): SweepActivities {
  // Resolved specs are immutable per sweep (a changed spec is a new sweep id): cache them.
  const specs = new Map<string, ResolvedSweep>();

  async function resolvedSpec(sweepId: string): Promise<ResolvedSweep> {
    const cached = specs.get(sweepId);
    if (cached) return cached;
    const row = await prisma.sweep.findUnique({ where: { id: sweepId }, select: { spec: true } });
    if (!row)
      throw ApplicationFailure.nonRetryable(`sweep ${sweepId} is not in the database`, 'SweepNotFound');
    const resolved = row.spec as unknown as ResolvedSweep;
    if (specs.size > 64) specs.clear();
    specs.set(sweepId, resolved);
    return resolved;
  }

  // Batches in this process compute one at a time, each while the previous one writes.
  const gate = new ComputeGate();

  /** Waits for a batch's turn to compute, heartbeating meanwhile; resolves to the function ending it. */
  function computeTurn(input: BatchInput): Promise<() => void> {
    const ctx = Context.current();
    return gate.turn({
      whileWaiting: () => ctx.heartbeat({ start: input.start, done: 0, queued: true }),
      heartbeatMs: 2000,
      signal: ctx.cancellationSignal,
    });
  }

  /** Runs a batch's computation in its turn. */
  async function computeInTurn<T>(input: BatchInput, compute: () => Promise<T>): Promise<T> {
    const end = await computeTurn(input);
    try {
      return await compute();
    } finally {
      end();
    }
  }

  /**
   * Heartbeats with progress and yields to the event loop (so heartbeats, cancellation and the
   * replies to the batch's own streamed writes get through): yields every YIELD_MS, heartbeats
   * every HEARTBEAT_MS (the SDK throttles what it sends further).
   */
  function ticker(input: BatchInput): (done: number) => Promise<void> {
    const ctx = Context.current();
    let lastYield = 0;
    let lastBeat = 0;
    return async (done) => {
      const now = performance.now();
      if (now - lastYield < YIELD_MS) return;
      lastYield = now;
      if (now - lastBeat >= HEARTBEAT_MS) {
        lastBeat = now;
        ctx.heartbeat({ start: input.start, done });
      }
      await yieldToLoop();
      if (ctx.cancellationSignal.aborted)
        throw ctx.cancellationSignal.reason ?? new Error('activity cancelled');
    };
  }

  async function certifyBatch(input: BatchInput, resolved: ResolvedSweep): Promise<BatchOutcome> {
    const { sweepId, start, end } = input;
    const size = end - start;
    const stored = await storedCells(prisma, sweepId, start, end);
    if (stored >= size) return { inserted: 0, alreadyStored: stored, failed: 0 };
    // Recompute the whole batch even when part of it is stored: warm starts chain through a
    // batch, so this keeps every stored number identical to an undisturbed run.
    const endTurn = await computeTurn(input);
    try {
      // One transaction: rows are written while the rest of the batch computes, and the last
      // statement moves the counters by what the batch actually inserted (exact under retries).
      const { inserted, failed } = await prisma.$transaction(
        async (tx) => {
          const stream = new CellBatchStream(tx, sweepId, workerId);
          try {
            await certifyCells(resolved, start, end, ticker(input), (rows) => stream.push(rows));
          } finally {
            endTurn();
          }
          return stream.finish();
        },
        { timeout: BATCH_TRANSACTION_MS, maxWait: 60_000 },
      );
      return { inserted, alreadyStored: size - inserted, failed };
    } finally {
      endTurn();
    }
  }

  async function stepsizeBatch(input: BatchInput, resolved: ResolvedSweep): Promise<BatchOutcome> {
    const { sweepId, start, end } = input;
    const perGame =
      (resolved.stepsize?.integrators.length ?? 0) * (resolved.stepsize?.multipliers.length ?? 0);
    const size = end - start;
    const stored = await prisma.stepsizeResult.count({
      where: { sweepId, cellIndex: { gte: start, lt: end } },
    });
    if (stored >= size * perGame) return { inserted: 0, alreadyStored: size, failed: 0 };
    const rows = await computeInTurn(input, () => stepsizeRange(resolved, start, end, ticker(input)));
    const inserted = await prisma.$transaction(async (tx) => {
      const n = await insertStepsizeResults(tx, sweepId, rows);
      // A game's rows are written together, so whole games were inserted.
      const games = perGame ? Math.round(n / perGame) : 0;
      if (games > 0)
        await tx.sweep.update({ where: { id: sweepId }, data: { doneCells: { increment: games } } });
      return games;
    });
    return { inserted, alreadyStored: size - inserted, failed: 0 };
  }

  return {
    async loadPlan(sweepId: string): Promise<SweepPlan> {
      return planOf(await resolvedSpec(sweepId));
    },

    async runBatch(input: BatchInput): Promise<BatchOutcome> {
      const resolved = await resolvedSpec(input.sweepId);
      return input.kind === 'certify' ? certifyBatch(input, resolved) : stepsizeBatch(input, resolved);
    },

    async aggregateBands(sweepId: string): Promise<number> {
      const resolved = await resolvedSpec(sweepId);
      const ctx = Context.current();
      return aggregateBandMaps(prisma, sweepId, resolved, () => ctx.heartbeat());
    },

    async setSweepStatus(sweepId: string, status: SweepStatus, error?: string): Promise<void> {
      const terminal = status === 'completed' || status === 'failed' || status === 'cancelled';
      await prisma.sweep.update({
        where: { id: sweepId },
        data: { status, error: error ?? null, finishedAt: terminal ? new Date() : null },
      });
    },
  };
}
