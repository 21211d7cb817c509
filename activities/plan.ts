/**
 * A sweep's plan for its workflow: phases, batch sizes, the window of batches in flight and the
 * batches per workflow execution. A pure function of the resolved spec and one setting
 * (SGN_BATCHES_PER_RUN, passed in), so the CLI hands it to a new sweep's workflow, which then need
 * not load it.
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

/**
 * The plan a sweep's workflow runs. `batchesPerRun`: batches per workflow execution before it
 * continues as new, ~7 history events each (SgnConfig.batchesPerRun, SGN_BATCHES_PER_RUN: tests
 * lower it to exercise continue-as-new).
 */
export function planOf(resolved: ResolvedSweep, batchesPerRun: number): SweepPlan {
  const { maxAttempts, maxWorkerDeaths, heartbeatTimeout } = executionOf(resolved);
  return {
    concurrency: resolved.execution.concurrency,
    batchesPerRun,
    phases: phasesOf(resolved),
    maxAttempts,
    maxWorkerDeaths,
    heartbeatTimeout,
  };
}
