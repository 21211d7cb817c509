/**
 * The sweep workflow's lifecycle, fast: the real workflow on a real Temporal dev server
 * (TestWorkflowEnvironment.createLocal), its activities stubbed (test/support/stub-activities.ts).
 * - a sweep runs its batches phase by phase, folds the band maps and sets its statuses in order;
 * - pause lets the batches in flight finish and starts no more; resume goes on;
 * - cancel stops the batches in flight (Temporal cancels them) and ends the sweep 'cancelled'.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressQuery, pauseSignal, resumeSignal, cancelSignal } from '../../contracts/workflow.js';
import type { SweepPlan } from '../../contracts/activities.js';
import { Gate, StubActivities } from '../support/stub-activities.js';
import {
  startSweepWorker,
  startWorkflowEnvironment,
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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('sweep workflow with stubbed activities', () => {
  it('runs every batch once, phase by phase, then folds the band maps and sets its statuses in order', async () => {
    const plan: SweepPlan = {
      concurrency: 2,
      batchesPerRun: 100,
      phases: [
        { kind: 'certify', cells: 10, batchSize: 3 },
        { kind: 'stepsize', cells: 4, batchSize: 2 },
      ],
    };
    const stubs = new StubActivities({ plan, behave: () => ({ kind: 'complete', ms: 50 }) });
    const result = await (await worker.start(stubs, { sweepId: 'plain' })).result();
    expect(result).toEqual({ sweepId: 'plain', status: 'completed' });
    // No plan in the input: the workflow loads it and marks the sweep running itself.
    expect(stubs.calls.map((c) => c.activity)).toEqual([
      'loadPlan',
      'setSweepStatus',
      ...Array<string>(6).fill('runBatch'),
      'aggregateBands',
      'setSweepStatus',
    ]);
    expect(stubs.statuses()).toEqual(['running', 'completed']);
    expect(
      stubs.calls.flatMap((c) =>
        c.activity === 'runBatch' ? [[c.batch.kind, c.batch.start, c.batch.end]] : [],
      ),
    ).toEqual([
      ['certify', 0, 3],
      ['certify', 3, 6],
      ['certify', 6, 9],
      ['certify', 9, 10],
      ['stepsize', 0, 2],
      ['stepsize', 2, 4],
    ]);
  });

  it('pause lets the batches in flight finish and starts no more; resume runs the rest', async () => {
    const plan: SweepPlan = {
      concurrency: 2,
      batchesPerRun: 100,
      phases: [{ kind: 'certify', cells: 12, batchSize: 2 }],
    };
    const gate = new Gate();
    const stubs = new StubActivities({
      plan,
      behave: (b) => (b.start < 4 ? { kind: 'wait', gate } : { kind: 'complete' }),
    });
    // As the CLI starts a sweep: with its plan, already marked running.
    const handle = await worker.start(stubs, { sweepId: 'paused', plan, markedRunning: true });
    await stubs.until((s) => s.batches().length === 2, 'the first two batches');
    await handle.signal(pauseSignal);
    await stubs.until((s) => s.statuses().includes('paused'), "status 'paused'");
    expect(await handle.query(progressQuery)).toMatchObject({ paused: true, inFlight: 2, batchesDone: 0 });
    gate.open();
    // The two in flight finish; none starts while paused.
    for (let waited = 0; (await handle.query(progressQuery)).inFlight > 0; waited += 50) {
      expect(waited, 'the batches in flight to finish').toBeLessThan(10_000);
      await sleep(50);
    }
    await sleep(1000);
    expect(await handle.query(progressQuery)).toMatchObject({ paused: true, inFlight: 0, batchesDone: 2 });
    expect(stubs.batches()).toEqual([
      [0, 2],
      [2, 4],
    ]);
    await handle.signal(resumeSignal);
    expect(await handle.result()).toEqual({ sweepId: 'paused', status: 'completed' });
    expect(stubs.statuses()).toEqual(['paused', 'running', 'completed']);
    expect(stubs.batches()).toEqual([0, 2, 4, 6, 8, 10].map((s) => [s, s + 2]));
  });

  it('cancel stops the batches in flight and ends the sweep cancelled, starting nothing more', async () => {
    const plan: SweepPlan = {
      concurrency: 2,
      batchesPerRun: 100,
      phases: [{ kind: 'certify', cells: 12, batchSize: 2 }],
    };
    // Batches that never end by themselves: only Temporal's cancellation stops them.
    const never = new Gate();
    const stubs = new StubActivities({ plan, behave: () => ({ kind: 'wait', gate: never }) });
    const handle = await worker.start(stubs, { sweepId: 'cancelled', plan, markedRunning: true });
    await stubs.until((s) => s.batches().length === 2, 'the first two batches');
    await handle.signal(cancelSignal);
    expect(await handle.result()).toEqual({ sweepId: 'cancelled', status: 'cancelled' });
    // Both batches hear the cancellation (heartbeats carry it back within about a second).
    await stubs.until((s) => s.cancelledBatches.length === 2, 'the batches to be cancelled', 10_000);
    expect([...stubs.cancelledBatches].sort((x, y) => x - y)).toEqual([0, 2]);
    expect(stubs.batches()).toEqual([
      [0, 2],
      [2, 4],
    ]);
    expect(stubs.statuses()).toEqual(['cancelled']);
  });
});
