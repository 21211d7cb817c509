/**
 * One workflow per sweep: a sliding window of batch activities over the cell range, phase
 * by phase, with pause/resume/cancel signals, a progress query and continue-as-new so the
 * history stays bounded. Deterministic and small: all work happens in activities.
 *
 * Every sweep ends. A cell's own failure is stored by its batch as that cell's result. The
 * workflow itself retries a batch that fails (one activity attempt at a time, with backoff), as
 * it can then tell why:
 * - its worker died while it computed (heartbeats stopped): after maxWorkerDeaths deaths the batch
 *   is split in two and each half runs again, until the cell that kills its worker is alone, and
 *   that cell is stored failed ("worker died N times computing this cell"). A batch whose worker
 *   died while it only waited behind another batch is put back whole (a few times at most);
 * - anything else (the database, Temporal, a bug): after maxAttempts attempts its cells are
 *   stored failed with the reason.
 * The sweep goes on either way; only a sweep deleted meanwhile, or a worker of another database,
 * ends it as failed. Cancel cancels the batches in flight (their compute stops) and
 * ends the sweep; pause lets the batches in flight finish and starts no more.
 *
 * A run continues as new after plan.batchesPerRun batches, or sooner when the server suggests it
 * (workflowInfo().continueAsNewSuggested: its history grew large). What goes wrong is logged
 * through the SDK's workflow logger (not repeated on replay).
 *
 * Changes that alter the commands a history already holds go behind patched(): histories
 * recorded before each one replay in test/replay.test.ts (scripts/record-histories.ts).
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { FailedBatchInput, SweepActivities, SweepPlan } from '../contracts/activities.js';
import { FAILURE_TYPES, NON_RETRYABLE_ERRORS, SWEEP_ENDING_ERRORS } from '../contracts/failures.js';
import {
  BOOKKEEPING_RETRY,
  LEGACY_BATCH_RETRY,
  MAX_REQUEUES,
  batchBackoffSeconds,
} from '../contracts/retry.js';
import {
  cancelSignal,
  pauseSignal,
  progressQuery,
  resumeSignal,
  type PendingRange,
  type SweepWorkflowInput,
  type SweepWorkflowResult,
} from '../contracts/workflow.js';
import { EXECUTION_DEFAULTS } from '../sweep/execution.js';

const bookkeeping = proxyActivities<Omit<SweepActivities, 'runBatch'>>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: BOOKKEEPING_RETRY,
});

// The same as local activities: run by the worker that runs the workflow task, without a trip
// through the task queue (under load each such trip cost 0.1-0.3 s at a sweep's start and end).
const localAggregation = proxyLocalActivities<Pick<SweepActivities, 'aggregateBands'>>({
  // PostgreSQL folds what batches left (at most ~1 s per million cells): no heartbeats needed.
  startToCloseTimeout: '10 minutes',
  retry: BOOKKEEPING_RETRY,
});

const localBookkeeping = proxyLocalActivities<Pick<SweepActivities, 'loadPlan' | 'setSweepStatus'>>({
  startToCloseTimeout: '1 minute',
  retry: BOOKKEEPING_RETRY,
});

/**
 * The batch activity, one attempt at a time: the workflow retries (runRange below), because only
 * it can count a batch's worker deaths apart from its services' errors.
 */
function batchActivities(plan: SweepPlan): Pick<SweepActivities, 'runBatch'> {
  return proxyActivities<Pick<SweepActivities, 'runBatch'>>({
    startToCloseTimeout: '24 hours',
    // Batches heartbeat every second from a timer, computing or queued: silence means a dead worker.
    heartbeatTimeout: `${plan.heartbeatTimeout ?? EXECUTION_DEFAULTS.heartbeatTimeout} seconds`,
    retry: { maximumAttempts: 1 },
  });
}

/** Histories recorded before every sweep ended: the batch activity as it was then (retried by Temporal). */
const legacyBatches = proxyActivities<Pick<SweepActivities, 'runBatch'>>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '20 seconds',
  retry: LEGACY_BATCH_RETRY,
});

/** A batch given up on: its cells are stored failed with the reason (and the log says so). */
async function giveUp(input: FailedBatchInput): Promise<void> {
  log.warn('batch given up: its cells are stored failed', { ...input });
  await bookkeeping.recordFailedCells(input);
}

/** The failure's type when it is one that must not be retried. */
function nonRetryableType(e: unknown): string | null {
  const cause = e instanceof ActivityFailure ? e.cause : e;
  if (!(cause instanceof ApplicationFailure)) return null;
  if (cause.nonRetryable || NON_RETRYABLE_ERRORS.includes(cause.type ?? '')) return cause.type ?? 'Error';
  return null;
}

/** The batch's last attempt lost its worker (heartbeats stopped, or it ran out of time). */
function workerLost(e: unknown): TimeoutFailure | null {
  return e instanceof ActivityFailure && e.cause instanceof TimeoutFailure ? e.cause : null;
}

/**
 * What the batch was doing when its worker was lost, by its last heartbeat that reached the
 * server: computing, waiting behind another batch on the same worker, or unknown (no heartbeat
 * got through: it died within its first second).
 */
function stateAtLoss(timeout: TimeoutFailure): 'computing' | 'queued' | 'unknown' {
  const details = timeout.lastHeartbeatDetails as { computing?: unknown; queued?: unknown } | undefined;
  if (details === undefined || details === null) return 'unknown';
  // Older workers' heartbeats say `queued: true` while waiting and carry no `computing`.
  if (details.computing === false || details.queued === true) return 'queued';
  return 'computing';
}

/** A failure's message on one line (drivers' messages span several), as stored with a cell. */
function messageOf(e: unknown): string {
  const cause = e instanceof ActivityFailure && e.cause instanceof Error ? e.cause : e;
  const text = cause instanceof Error ? cause.message : String(cause);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}

export async function sweepWorkflow(input: SweepWorkflowInput): Promise<SweepWorkflowResult> {
  const { sweepId } = input;
  let paused = input.paused ?? false;
  let cancelling = false;
  let phaseIndex = input.phaseIndex ?? 0;
  let nextBatch = input.nextBatch ?? 0;
  const pending: PendingRange[] = [...(input.pending ?? [])];
  const generation = input.generation ?? 0;
  /** Batches in flight: id -> first cell. */
  const inFlight = new Map<number, number>();
  const scopes = new Set<CancellationScope>();
  let launched = 0;
  let plan: SweepPlan | undefined = input.plan;
  let statusDirty = false;
  // Histories recorded before the local activities replay with the task-queue ones.
  const statusActivities = patched('local-bookkeeping') ? localBookkeeping : bookkeeping;
  // Histories recorded before cell-level failures replay with a failed batch failing the sweep.
  const everySweepEnds = patched('every-sweep-ends');

  setHandler(pauseSignal, () => {
    if (!paused) statusDirty = true;
    paused = true;
  });
  setHandler(resumeSignal, () => {
    if (paused) statusDirty = true;
    paused = false;
  });
  setHandler(cancelSignal, () => {
    if (!cancelling && everySweepEnds) for (const scope of scopes) scope.cancel();
    cancelling = true;
  });
  setHandler(progressQuery, () => {
    const phase = plan?.phases[phaseIndex];
    const total = phase ? Math.ceil(phase.cells / phase.batchSize) : 0;
    // Batches below the smallest in-flight or pending cell are done (they are started in order).
    const firsts = [...inFlight.values(), ...pending.map((p) => p.start)];
    const done = firsts.length && phase ? Math.floor(Math.min(...firsts) / phase.batchSize) : nextBatch;
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
    const batches = everySweepEnds ? batchActivities(plan) : legacyBatches;
    const maxAttempts = plan.maxAttempts ?? EXECUTION_DEFAULTS.maxAttempts;
    const maxDeaths = plan.maxWorkerDeaths ?? EXECUTION_DEFAULTS.maxWorkerDeaths;
    // Batches started per execution before continuing as new: histories stay at a few thousand
    // events. Sooner when the server suggests it (retries, splits or signals made the history
    // large), in runs that recorded the patch: earlier histories replay as they ran.
    const perRun = plan.batchesPerRun;
    let startedThisRun = 0;
    const runFull = (): boolean =>
      startedThisRun >= perRun ||
      (workflowInfo().continueAsNewSuggested && patched('continue-as-new-when-suggested'));
    let failure: unknown = null;

    for (; phaseIndex < plan.phases.length; phaseIndex++, nextBatch = 0) {
      const { kind, cells, batchSize } = plan.phases[phaseIndex];
      const total = Math.ceil(cells / batchSize);

      /** One batch: its cells stored, or (when it cannot be) put back, split or stored failed. */
      const runRange = async (range: PendingRange): Promise<void> => {
        const batch = { sweepId, kind, start: range.start, end: range.end };
        const single = range.end - range.start === 1;
        let deaths = 0;
        let errors = 0;
        for (;;) {
          try {
            await batches.runBatch(batch);
            return;
          } catch (e) {
            if (!everySweepEnds) throw e;
            if (cancelling && isCancellation(e)) return;
            const lost = workerLost(e);
            if (lost !== null) {
              const state = stateAtLoss(lost);
              // Not seen computing when its worker died: perhaps another batch's cell killed it.
              // A batch is put back whole; a lone cell too, unless it was seen computing.
              if ((state === 'queued' || (state === 'unknown' && single)) && range.requeued < MAX_REQUEUES) {
                log.info('batch put back: its worker died while it waited', { ...batch, state });
                pending.push({ ...range, requeued: range.requeued + 1 });
                return;
              }
              if (++deaths < maxDeaths) {
                await sleep(`${batchBackoffSeconds(deaths)} seconds`);
                continue;
              }
              if (!single) {
                const mid = range.start + Math.floor((range.end - range.start) / 2);
                log.warn('batch split: its worker died computing it', { ...batch, deaths });
                pending.push(
                  { start: range.start, end: mid, requeued: 0 },
                  { start: mid, end: range.end, requeued: 0 },
                );
                return;
              }
              await giveUp({ ...batch, reason: `worker died ${deaths} times computing this cell` });
              return;
            }
            const type = nonRetryableType(e);
            if (type !== null && SWEEP_ENDING_ERRORS.includes(type)) throw e;
            if (type === null && ++errors < maxAttempts) {
              await sleep(`${batchBackoffSeconds(errors)} seconds`);
              continue;
            }
            await giveUp({
              ...batch,
              reason:
                type !== null ? messageOf(e) : `batch gave up after ${errors} attempts: ${messageOf(e)}`,
            });
            return;
          }
        }
      };

      const launch = (range: PendingRange): void => {
        const id = launched++;
        inFlight.set(id, range.start);
        const scope = new CancellationScope();
        scopes.add(scope);
        scope
          .run(() => runRange(range))
          .catch((e: unknown) => {
            // Storing a given-up batch's cells as failed was itself cancelled: the sweep is ending.
            if (cancelling && isCancellation(e)) return;
            failure ??= e;
          })
          .finally(() => {
            inFlight.delete(id);
            scopes.delete(scope);
          });
      };

      while (nextBatch < total || pending.length > 0 || inFlight.size > 0) {
        if (statusDirty) {
          statusDirty = false;
          await statusActivities.setSweepStatus(sweepId, paused ? 'paused' : 'running');
        }
        const canStart = (): boolean =>
          !paused &&
          !cancelling &&
          failure === null &&
          (pending.length > 0 || nextBatch < total) &&
          inFlight.size < plan!.concurrency &&
          !runFull();
        while (canStart()) {
          startedThisRun++;
          const range = pending.shift();
          if (range !== undefined) launch(range);
          else {
            const start = nextBatch++ * batchSize;
            launch({ start, end: Math.min(cells, start + batchSize), requeued: 0 });
          }
        }
        const before = inFlight.size;
        const stalled = paused || cancelling || failure !== null || runFull();
        if (inFlight.size === 0 && stalled) {
          if (failure !== null || cancelling) break;
          if (runFull()) {
            log.info('continuing as new', { sweepId, generation, phaseIndex, nextBatch, startedThisRun });
            await continueAsNew<typeof sweepWorkflow>({
              sweepId,
              plan,
              phaseIndex,
              nextBatch,
              ...(pending.length > 0 ? { pending } : {}),
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
    if (outcome === 'failed') log.error('sweep failed', { sweepId, error: message });
    await CancellationScope.nonCancellable(() =>
      statusActivities.setSweepStatus(sweepId, outcome, outcome === 'failed' ? message : undefined),
    );
    if (outcome === 'cancelled') throw e;
    throw ApplicationFailure.nonRetryable(`sweep ${sweepId} failed: ${message}`, FAILURE_TYPES.sweepFailed);
  }
}
