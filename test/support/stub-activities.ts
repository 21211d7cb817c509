/**
 * Stand-ins for the sweep's activities (contracts/activities.ts), for workflow tests and for
 * recording histories (scripts/record-histories.ts): no database, no compute. The workflow and the
 * Temporal server they run against are real; only what the activities do is scripted here.
 *
 * Every call is recorded in order, with the run (continue-as-new execution) it came from. A batch
 * heartbeats every 100 ms like the real one ({ computing: true }), and stops when Temporal
 * cancels it. What a batch does is up to the test: `behave` maps a batch (and its attempt: how
 * many times this range ran before) to one of the behaviours below, the default completing at once.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type {
  BatchInput,
  BatchOutcome,
  FailedBatchInput,
  SweepActivities,
  SweepPlan,
} from '../../contracts/activities.js';
import type { SweepStatus } from '../../db/sweep-states.js';

export type StubCall =
  | { readonly activity: 'loadPlan'; readonly runId: string }
  | { readonly activity: 'runBatch'; readonly runId: string; readonly batch: BatchInput }
  | { readonly activity: 'recordFailedCells'; readonly runId: string; readonly batch: FailedBatchInput }
  | { readonly activity: 'aggregateBands'; readonly runId: string }
  | {
      readonly activity: 'setSweepStatus';
      readonly runId: string;
      readonly status: SweepStatus;
      readonly error?: string;
    };

/** What one attempt at a batch does. */
export type BatchBehaviour =
  /** Completes after `ms` (default 0), heartbeating. */
  | { readonly kind: 'complete'; readonly ms?: number }
  /** Heartbeats until `gate` opens, then completes (or until Temporal cancels it). */
  | { readonly kind: 'wait'; readonly gate: Gate }
  /** Throws an ordinary error (the database, a bug): the workflow retries it. */
  | { readonly kind: 'throw'; readonly message: string }
  /** Throws a non-retryable failure of this type (contracts/failures.ts). */
  | { readonly kind: 'fail'; readonly type: string; readonly message: string }
  /**
   * Its worker dies while it computes: one heartbeat saying it computes, then silence (for
   * `ms`, longer than the plan's heartbeat timeout), so Temporal times it out.
   */
  | { readonly kind: 'die'; readonly ms: number };

/** A door the test opens: batches waiting at it complete. */
export class Gate {
  private opened = false;
  private readonly waiters: (() => void)[] = [];
  open(): void {
    this.opened = true;
    for (const w of this.waiters.splice(0)) w();
  }
  wait(): Promise<void> {
    return this.opened ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
}

export interface StubOptions {
  readonly plan: SweepPlan;
  /** What the attempt-th run of this batch's range (0 first) does; default: complete at once. */
  readonly behave?: (batch: BatchInput, attempt: number) => BatchBehaviour;
}

const OUTCOME: BatchOutcome = { inserted: 0, alreadyStored: 0, failed: 0 };

/** Resolves after `ms`, or as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

export class StubActivities {
  readonly calls: StubCall[] = [];
  /** Batches whose attempt was stopped by Temporal's cancellation, by start. */
  readonly cancelledBatches: number[] = [];
  private readonly attempts = new Map<string, number>();

  constructor(private readonly options: StubOptions) {}

  /** The runBatch calls, as [start, end) pairs in the order they began. */
  batches(): [number, number][] {
    return this.calls.flatMap((c) => (c.activity === 'runBatch' ? [[c.batch.start, c.batch.end]] : []));
  }

  /** The statuses set, in order. */
  statuses(): string[] {
    return this.calls.flatMap((c) => (c.activity === 'setSweepStatus' ? [c.status] : []));
  }

  /** Resolves once `test` holds (checked every 25 ms); rejects after `timeoutMs` naming `what`. */
  async until(test: (stubs: this) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test(this)) {
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; calls: ${this.describe()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** The calls on one line each, for failure messages. */
  describe(): string {
    return this.calls
      .map((c) =>
        c.activity === 'runBatch'
          ? `runBatch ${c.batch.kind} [${c.batch.start},${c.batch.end})`
          : c.activity === 'recordFailedCells'
            ? `recordFailedCells [${c.batch.start},${c.batch.end}) ${c.batch.reason}`
            : c.activity === 'setSweepStatus'
              ? `setSweepStatus ${c.status}${c.error ? ` (${c.error})` : ''}`
              : c.activity,
      )
      .join('; ');
  }

  private record(call: StubCall): void {
    this.calls.push(call);
  }

  private static runId(): string {
    return Context.current().info.workflowExecution?.runId ?? '';
  }

  /** The activities to register with a worker. */
  activities(): SweepActivities {
    return {
      loadPlan: async () => {
        this.record({ activity: 'loadPlan', runId: StubActivities.runId() });
        return this.options.plan;
      },
      runBatch: async (batch) => {
        const key = `${batch.kind}:${batch.start}:${batch.end}`;
        const attempt = this.attempts.get(key) ?? 0;
        this.attempts.set(key, attempt + 1);
        this.record({ activity: 'runBatch', runId: StubActivities.runId(), batch });
        return this.runBatch(batch, this.options.behave?.(batch, attempt) ?? { kind: 'complete' });
      },
      recordFailedCells: async (batch) => {
        this.record({ activity: 'recordFailedCells', runId: StubActivities.runId(), batch });
        return { inserted: batch.end - batch.start, alreadyStored: 0, failed: batch.end - batch.start };
      },
      aggregateBands: async () => {
        this.record({ activity: 'aggregateBands', runId: StubActivities.runId() });
        return 0;
      },
      setSweepStatus: async (_sweepId, status, error) => {
        this.record({
          activity: 'setSweepStatus',
          runId: StubActivities.runId(),
          status,
          ...(error === undefined ? {} : { error }),
        });
      },
    };
  }

  private async runBatch(batch: BatchInput, behaviour: BatchBehaviour): Promise<BatchOutcome> {
    const ctx = Context.current();
    const signal = ctx.cancellationSignal;
    switch (behaviour.kind) {
      case 'throw':
        throw new Error(behaviour.message);
      case 'fail':
        throw ApplicationFailure.nonRetryable(behaviour.message, behaviour.type);
      case 'die':
        ctx.heartbeat({ start: batch.start, done: 0, computing: true });
        await pause(behaviour.ms, signal);
        // Whatever this returns, Temporal has timed the attempt out: nobody reads it.
        return OUTCOME;
      case 'complete':
      case 'wait': {
        const finished =
          behaviour.kind === 'wait'
            ? behaviour.gate.wait()
            : pause(behaviour.ms ?? 0, new AbortController().signal);
        let done = false;
        void finished.then(() => (done = true));
        const beat = (): void => ctx.heartbeat({ start: batch.start, done: 0, computing: true });
        beat();
        while (!done && !signal.aborted) {
          await Promise.race([finished, pause(100, signal)]);
          if (!done) beat();
        }
        if (signal.aborted && !done) {
          this.cancelledBatches.push(batch.start);
          // An activity that Temporal cancelled ends by throwing its cancellation.
          throw ctx.cancellationSignal.reason;
        }
        return { ...OUTCOME, inserted: batch.end - batch.start };
      }
    }
  }
}
