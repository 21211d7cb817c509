/**
 * A sweep's plan for its workflow: phases, batch sizes, the window of batches in flight and the
 * batches per workflow execution. A pure function of the resolved spec (and one setting), so the
 * CLI hands it to a new sweep's workflow, which then need not load it.
 */
import type { ResolvedSweep } from '../sweep/resolved.js';
import { ratioLength } from '../sweep/cells.js';
import { executionOf } from '../sweep/execution.js';
import type { SweepPlan, WorkKind } from '../contracts/activities.js';

/**
 * Phases and their batch sizes: certify runs over every cell; stepsize over game groups (one
 * per game), with batches shrunk by the number of runs per game so batches take similar time.
 */
export function phasesOf(resolved: ResolvedSweep): { kind: WorkKind; cells: number; batchSize: number }[] {
  const gameCells = resolved.totalCells / ratioLength(resolved);
  const { batchSize } = resolved.execution;
  const runsPerGame =
    (resolved.stepsize?.integrators.length ?? 1) * (resolved.stepsize?.multipliers.length ?? 1);
  const certify = { kind: 'certify' as const, cells: resolved.totalCells, batchSize };
  const stepsize = {
    kind: 'stepsize' as const,
    cells: gameCells,
    batchSize: Math.max(1, Math.floor(batchSize / runsPerGame)),
  };
  return resolved.kind === 'certify'
    ? [certify]
    : resolved.kind === 'stepsize'
      ? [stepsize]
      : [certify, stepsize];
}

export function totalWork(resolved: ResolvedSweep): number {
  return phasesOf(resolved).reduce((s, p) => s + p.cells, 0);
}

/** Batches per workflow execution (SGN_BATCHES_PER_RUN, for tests of continue-as-new); ~7 history events each. */
export function batchesPerRun(): number {
  const v = Number(process.env.SGN_BATCHES_PER_RUN);
  return Number.isInteger(v) && v > 0 ? v : 400;
}

/** The plan a sweep's workflow runs. */
export function planOf(resolved: ResolvedSweep): SweepPlan {
  const { maxAttempts, maxWorkerDeaths, heartbeatTimeout } = executionOf(resolved);
  return {
    concurrency: resolved.execution.concurrency,
    batchesPerRun: batchesPerRun(),
    phases: phasesOf(resolved),
    maxAttempts,
    maxWorkerDeaths,
    heartbeatTimeout,
  };
}
