/**
 * How the sweep workflow meets failing batches, fast (real workflow, real dev server, stubbed
 * activities that throw or go silent; short attempts, backoffs and heartbeat timeouts in the plan):
 * - an ordinary error is retried up to maxAttempts, then the batch's cells are stored failed;
 * - a non-retryable InputError is stored failed at once, a SweepNotFound fails the sweep;
 * - a batch whose worker dies while it computes (heartbeats stop) is retried, then split, down to
 *   the lone cell that kills it, which is stored failed; the split's halves cross continue-as-new.
 * What went wrong is in the workflow's log.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepPlan } from '../../contracts/activities.js';
import { FAILURE_TYPES } from '../../contracts/failures.js';
import { StubActivities } from '../support/stub-activities.js';
import {
  startSweepWorker,
  startWorkflowEnvironment,
  workflowLog,
  type SweepWorker,
} from '../support/workflow-environment.js';

let env: TestWorkflowEnvironment;
let worker: SweepWorker;

beforeAll(async () => {
  env = await startWorkflowEnvironment();
  worker = await startSweepWorker(env);
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await env?.teardown();
});

/**
 * The workflow's log lines about this sweep since `from`, once there are `count` of them (they
 * reach the worker's logger after the workflow task that wrote them, perhaps after its result).
 */
async function logOf(
  sweepId: string,
  from: number,
  count: number,
): Promise<{ level: string; message: string; meta: Record<string, unknown> }[]> {
  const lines = () =>
    workflowLog()
      .slice(from)
      .filter((l) => l.meta.sweepId === sweepId);
  for (let waited = 0; lines().length < count && waited < 5000; waited += 25)
    await new Promise((r) => setTimeout(r, 25));
  return lines();
}

const failedCells = (stubs: StubActivities): [number, number, string][] =>
  stubs.calls.flatMap((c) =>
    c.activity === 'recordFailedCells'
      ? [[c.batch.start, c.batch.end, c.batch.reason] as [number, number, string]]
      : [],
  );

describe('failing batches', () => {
  it('retries an ordinary error up to maxAttempts, then stores the batch failed and completes the sweep', async () => {
    const plan: SweepPlan = {
      concurrency: 2,
      batchesPerRun: 100,
      maxAttempts: 3,
      phases: [{ kind: 'certify', cells: 6, batchSize: 2 }],
    };
    const stubs = new StubActivities({
      plan,
      // [0, 2) fails once then works; [2, 4) keeps failing.
      behave: (b, attempt) =>
        (b.start === 0 && attempt === 0) || b.start === 2
          ? { kind: 'throw', message: 'connection refused\n  (the database)' }
          : { kind: 'complete' },
    });
    const from = workflowLog().length;
    const handle = await worker.start(stubs, { sweepId: 'errors', plan, markedRunning: true });
    expect(await handle.result()).toEqual({ sweepId: 'errors', status: 'completed' });
    const attempts = (start: number): number => stubs.batches().filter(([s]) => s === start).length;
    expect([attempts(0), attempts(2), attempts(4)]).toEqual([2, 3, 1]);
    expect(failedCells(stubs)).toEqual([
      [2, 4, 'batch gave up after 3 attempts: connection refused (the database)'],
    ]);
    expect(stubs.statuses()).toEqual(['completed']);
    expect(await logOf('errors', from, 1)).toEqual([
      {
        level: 'WARN',
        message: 'batch given up: its cells are stored failed',
        meta: expect.objectContaining({
          start: 2,
          end: 4,
          reason: 'batch gave up after 3 attempts: connection refused (the database)',
        }),
      },
    ]);
  });

  it('stores a batch failing with InputError at once, without retrying it', async () => {
    const plan: SweepPlan = {
      concurrency: 1,
      batchesPerRun: 100,
      maxAttempts: 3,
      phases: [{ kind: 'certify', cells: 4, batchSize: 2 }],
    };
    const stubs = new StubActivities({
      plan,
      behave: (b) =>
        b.start === 0
          ? { kind: 'fail', type: FAILURE_TYPES.input, message: 'bad game' }
          : { kind: 'complete' },
    });
    const handle = await worker.start(stubs, { sweepId: 'input', plan, markedRunning: true });
    expect(await handle.result()).toEqual({ sweepId: 'input', status: 'completed' });
    expect(stubs.batches()).toEqual([
      [0, 2],
      [2, 4],
    ]);
    expect(failedCells(stubs)).toEqual([[0, 2, 'bad game']]);
  });

  it('fails the sweep when a batch finds it gone (SweepNotFound): no retry, status failed with the reason', async () => {
    const plan: SweepPlan = {
      concurrency: 1,
      batchesPerRun: 100,
      phases: [{ kind: 'certify', cells: 6, batchSize: 2 }],
    };
    const stubs = new StubActivities({
      plan,
      behave: (b) =>
        b.start === 2
          ? { kind: 'fail', type: FAILURE_TYPES.sweepNotFound, message: 'sweep gone is not in the database' }
          : { kind: 'complete' },
    });
    const from = workflowLog().length;
    const handle = await worker.start(stubs, { sweepId: 'gone', plan, markedRunning: true });
    const error = await handle.result().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({
      type: FAILURE_TYPES.sweepFailed,
      nonRetryable: true,
      message: 'sweep gone failed: sweep gone is not in the database',
    });
    expect(stubs.batches()).toEqual([
      [0, 2],
      [2, 4],
    ]);
    expect(failedCells(stubs)).toEqual([]);
    expect(stubs.calls.at(-1)).toMatchObject({
      activity: 'setSweepStatus',
      status: 'failed',
      error: 'sweep gone is not in the database',
    });
    expect(await logOf('gone', from, 1)).toEqual([
      {
        level: 'ERROR',
        message: 'sweep failed',
        meta: expect.objectContaining({ error: 'sweep gone is not in the database' }),
      },
    ]);
  });

  it('splits a batch whose worker keeps dying down to the cell that kills it, stores that cell failed, and goes on', async () => {
    const plan: SweepPlan = {
      concurrency: 2,
      // Three batches per run: the split's second half runs in the next run (carried as pending).
      batchesPerRun: 3,
      maxWorkerDeaths: 2,
      heartbeatTimeout: 1,
      phases: [{ kind: 'certify', cells: 4, batchSize: 2 }],
    };
    // Cell 2 kills its worker: one heartbeat saying it computes, then silence.
    const stubs = new StubActivities({
      plan,
      behave: (b) => (b.start <= 2 && 2 < b.end ? { kind: 'die', ms: 3000 } : { kind: 'complete' }),
    });
    const from = workflowLog().length;
    const handle = await worker.start(stubs, { sweepId: 'killer', plan, markedRunning: true });
    expect(await handle.result()).toEqual({ sweepId: 'killer', status: 'completed' });
    // Two deaths per range before it is split (one backoff between them).
    expect(stubs.batches()).toEqual([
      [0, 2],
      [2, 4],
      [2, 4],
      [2, 3],
      [2, 3],
      [3, 4],
    ]);
    expect(failedCells(stubs)).toEqual([[2, 3, 'worker died 2 times computing this cell']]);
    // The half not yet run when the first run had started its three batches ran in the second.
    const runOf = (start: number, end: number): string | undefined =>
      stubs.calls.find((c) => c.activity === 'runBatch' && c.batch.start === start && c.batch.end === end)
        ?.runId;
    expect(runOf(3, 4)).not.toBe(runOf(2, 3));
    expect(runOf(2, 3)).toBe(runOf(0, 2));
    expect(
      (await logOf('killer', from, 3)).map((l) => [l.level, l.message, l.meta.start, l.meta.end]),
    ).toEqual([
      ['WARN', 'batch split: its worker died computing it', 2, 4],
      ['WARN', 'batch given up: its cells are stored failed', 2, 3],
      ['INFO', 'continuing as new', undefined, undefined],
    ]);
  });
});
