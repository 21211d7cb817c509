/**
 * Continue-as-new, fast (real workflow, real dev server, stubbed activities):
 * - after plan.batchesPerRun batches a run hands its cursor (phase, next batch) to the next one:
 *   every batch runs once, in order, the plan is loaded and the sweep marked running once;
 * - a run whose server suggests continuing as new (workflowInfo().continueAsNewSuggested; here a
 *   server that suggests it after 40 events) continues as new before batchesPerRun.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepPlan } from '../../contracts/activities.js';
import { StubActivities, type StubCall } from '../support/stub-activities.js';
import {
  startSweepWorker,
  startWorkflowEnvironment,
  workflowLog,
  type SweepWorker,
} from '../support/workflow-environment.js';

let env: TestWorkflowEnvironment;
let suggesting: TestWorkflowEnvironment;
let worker: SweepWorker;
let suggestingWorker: SweepWorker;

beforeAll(async () => {
  [env, suggesting] = await Promise.all([
    startWorkflowEnvironment(),
    startWorkflowEnvironment({ suggestContinueAsNewAfterEvents: 40 }),
  ]);
  [worker, suggestingWorker] = await Promise.all([startSweepWorker(env), startSweepWorker(suggesting)]);
}, 120_000);

afterAll(async () => {
  await Promise.all([worker?.close(), suggestingWorker?.close()]);
  await Promise.all([env?.teardown(), suggesting?.teardown()]);
});

/** The runs in the order they first called an activity, each with the batches it ran. */
function batchesByRun(calls: readonly StubCall[]): [number, number][][] {
  const runs = new Map<string, [number, number][]>();
  for (const c of calls) {
    if (!runs.has(c.runId)) runs.set(c.runId, []);
    if (c.activity === 'runBatch') runs.get(c.runId)!.push([c.batch.start, c.batch.end]);
  }
  return [...runs.values()];
}

describe('continue-as-new', () => {
  it('hands the cursor on every batchesPerRun batches: each batch once, in order, across phases', async () => {
    const plan: SweepPlan = {
      concurrency: 2,
      batchesPerRun: 2,
      phases: [
        { kind: 'certify', cells: 9, batchSize: 2 },
        { kind: 'stepsize', cells: 2, batchSize: 1 },
      ],
    };
    const stubs = new StubActivities({ plan });
    const logged = workflowLog().length;
    const result = await (await worker.start(stubs, { sweepId: 'can' })).result();
    expect(result).toEqual({ sweepId: 'can', status: 'completed' });
    expect(
      stubs.calls.flatMap((c) =>
        c.activity === 'runBatch' ? [`${c.batch.kind} ${c.batch.start}-${c.batch.end}`] : [],
      ),
    ).toEqual([
      'certify 0-2',
      'certify 2-4',
      'certify 4-6',
      'certify 6-8',
      'certify 8-9',
      'stepsize 0-1',
      'stepsize 1-2',
    ]);
    // Four runs of at most two batches; the plan crosses over in the input, the status is set once.
    expect(batchesByRun(stubs.calls).map((r) => r.length)).toEqual([2, 2, 2, 1]);
    expect(stubs.calls.filter((c) => c.activity === 'loadPlan')).toHaveLength(1);
    expect(stubs.statuses()).toEqual(['running', 'completed']);
    expect(stubs.calls.filter((c) => c.activity === 'aggregateBands')).toHaveLength(1);
    // The workflow logger says so, once per hand-over.
    const handOvers = workflowLog()
      .slice(logged)
      .filter((l) => l.message === 'continuing as new');
    expect(handOvers.map((l) => [l.meta.generation, l.meta.phaseIndex, l.meta.nextBatch])).toEqual([
      [0, 0, 2],
      [1, 0, 4],
      [2, 1, 1],
    ]);
  });

  it('continues as new when the server suggests it, long before batchesPerRun', async () => {
    const plan: SweepPlan = {
      concurrency: 1,
      batchesPerRun: 1000,
      phases: [{ kind: 'certify', cells: 24, batchSize: 1 }],
    };
    const stubs = new StubActivities({ plan });
    const handle = await suggestingWorker.start(stubs, { sweepId: 'suggested', plan, markedRunning: true });
    expect(await handle.result()).toEqual({ sweepId: 'suggested', status: 'completed' });
    const first = suggesting.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
    expect(stubs.batches()).toEqual(Array.from({ length: 24 }, (_, i) => [i, i + 1]));
    const runs = batchesByRun(stubs.calls);
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.flat()).toHaveLength(24);
    // The first run's history: the server suggested continuing, and the run did at the next step.
    const events = (await first.fetchHistory()).events ?? [];
    const suggestedAt = events.findIndex((e) => e.workflowTaskStartedEventAttributes?.suggestContinueAsNew);
    expect(suggestedAt).toBeGreaterThan(0);
    expect(events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    // One batch in flight when it came: it finishes (3 events, a workflow task), then the hand-over.
    expect(events.length - suggestedAt).toBeLessThan(12);
  });
});
