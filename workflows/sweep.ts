/**
 * One workflow per sweep: a sliding window of batch activities over the cell range, phase
 * by phase, with pause/resume/cancel signals, a progress query and continue-as-new so the
 * history stays bounded. Deterministic and small: all work happens in activities.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { SweepActivities, SweepPlan } from '../activities/types.js';
import { cancelSignal, pauseSignal, progressQuery, resumeSignal } from './signals.js';

export interface SweepWorkflowInput {
  readonly sweepId: string;
  /** Carried across continue-as-new. */
  readonly plan?: SweepPlan;
  readonly phaseIndex?: number;
  readonly nextBatch?: number;
  readonly paused?: boolean;
  readonly generation?: number;
  /** The starter already marked the sweep running (the CLI does, before starting the workflow). */
  readonly markedRunning?: boolean;
}

export interface SweepWorkflowResult {
  readonly sweepId: string;
  readonly status: 'completed' | 'cancelled';
}

const NON_RETRYABLE = ['InputError', 'SweepNotFound'];

const batches = proxyActivities<Pick<SweepActivities, 'runBatch'>>({
  startToCloseTimeout: '30 minutes',
  // Batches heartbeat between cells; a killed worker's batch is retried elsewhere after this.
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

const bookkeeping = proxyActivities<Omit<SweepActivities, 'runBatch'>>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

// The same as local activities: run by the worker that runs the workflow task, without a trip
// through the task queue (under load each such trip cost 0.1-0.3 s at a sweep's start and end).
const localAggregation = proxyLocalActivities<Pick<SweepActivities, 'aggregateBands'>>({
  // PostgreSQL folds what batches left (at most ~1 s per million cells): no heartbeats needed.
  startToCloseTimeout: '10 minutes',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

const localBookkeeping = proxyLocalActivities<Pick<SweepActivities, 'loadPlan' | 'setSweepStatus'>>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

export async function sweepWorkflow(input: SweepWorkflowInput): Promise<SweepWorkflowResult> {
  const { sweepId } = input;
  let paused = input.paused ?? false;
  let cancelling = false;
  let phaseIndex = input.phaseIndex ?? 0;
  let nextBatch = input.nextBatch ?? 0;
  const generation = input.generation ?? 0;
  const inFlight = new Set<number>();
  let plan: SweepPlan | undefined = input.plan;
  let statusDirty = false;
  // Histories recorded before the local activities replay with the task-queue ones.
  const statusActivities = patched('local-bookkeeping') ? localBookkeeping : bookkeeping;

  setHandler(pauseSignal, () => {
    if (!paused) statusDirty = true;
    paused = true;
  });
  setHandler(resumeSignal, () => {
    if (paused) statusDirty = true;
    paused = false;
  });
  setHandler(cancelSignal, () => {
    cancelling = true;
  });
  setHandler(progressQuery, () => {
    const phase = plan?.phases[phaseIndex];
    const total = phase ? Math.ceil(phase.cells / phase.batchSize) : 0;
    // Batches below the smallest in-flight index are done (they are started in order).
    const done = inFlight.size ? Math.min(...inFlight) : nextBatch;
    return {
      sweepId,
      phase: plan ? (phase?.kind ?? 'aggregate') : 'planning',
      batchesTotal: total,
      batchesDone: done,
      inFlight: inFlight.size,
      paused,
      cancelling,
      generation,
    };
  });

  try {
    plan ??= await statusActivities.loadPlan(sweepId);
    if (generation === 0 && !paused && !input.markedRunning)
      await statusActivities.setSweepStatus(sweepId, 'running');
    // Batches started per execution before continuing as new: histories stay at a few thousand events.
    const perRun = plan.batchesPerRun;
    let startedThisRun = 0;
    let failure: unknown = null;

    for (; phaseIndex < plan.phases.length; phaseIndex++, nextBatch = 0) {
      const { kind, cells, batchSize } = plan.phases[phaseIndex];
      const total = Math.ceil(cells / batchSize);
      while (nextBatch < total || inFlight.size > 0) {
        if (statusDirty) {
          statusDirty = false;
          await statusActivities.setSweepStatus(sweepId, paused ? 'paused' : 'running');
        }
        const canStart = (): boolean =>
          !paused &&
          !cancelling &&
          failure === null &&
          nextBatch < total &&
          inFlight.size < plan!.concurrency &&
          startedThisRun < perRun;
        while (canStart()) {
          const batch = nextBatch++;
          startedThisRun++;
          inFlight.add(batch);
          const start = batch * batchSize;
          const end = Math.min(cells, start + batchSize);
          batches
            .runBatch({ sweepId, kind, start, end })
            .catch((e: unknown) => {
              failure ??= e;
            })
            .finally(() => inFlight.delete(batch));
        }
        const before = inFlight.size;
        const stalled = paused || cancelling || failure !== null || startedThisRun >= perRun;
        if (inFlight.size === 0 && stalled) {
          if (failure !== null || cancelling) break;
          if (startedThisRun >= perRun) {
            await continueAsNew<typeof sweepWorkflow>({
              sweepId,
              plan,
              phaseIndex,
              nextBatch,
              paused,
              generation: generation + 1,
            });
          }
          // Paused with nothing running: wait for resume or cancel.
          await condition(() => !paused || cancelling || statusDirty);
          continue;
        }
        await condition(() => inFlight.size < before || statusDirty || (cancelling && inFlight.size === 0));
      }
      if (failure !== null || cancelling) break;
    }

    if (failure !== null) throw failure;
    if (cancelling) {
      await statusActivities.setSweepStatus(sweepId, 'cancelled');
      return { sweepId, status: 'cancelled' };
    }
    // Histories recorded before the local aggregation replay with the task-queue one.
    await (patched('local-aggregation') ? localAggregation : bookkeeping).aggregateBands(sweepId);
    await statusActivities.setSweepStatus(sweepId, 'completed');
    return { sweepId, status: 'completed' };
  } catch (e) {
    if (e instanceof ContinueAsNew) throw e;
    // Record the outcome even when the workflow itself is being cancelled.
    const outcome = isCancellation(e) ? 'cancelled' : 'failed';
    const message = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    await CancellationScope.nonCancellable(() =>
      statusActivities.setSweepStatus(sweepId, outcome, outcome === 'failed' ? message : undefined),
    );
    if (outcome === 'cancelled') throw e;
    throw ApplicationFailure.nonRetryable(`sweep ${sweepId} failed: ${message}`, 'SweepFailed');
  }
}
