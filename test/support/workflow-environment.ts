/**
 * The SDK's test environment for workflow tests with stubbed activities (test/workflows/) and for
 * recording histories (scripts/record-histories.ts): TestWorkflowEnvironment.createLocal on the
 * Temporal CLI this project obtains (the time-skipping server is a download these machines cannot
 * make), and a worker on a task queue of its own serving the real workflow bundle, each sweep's
 * activities being the stubs (stub-activities.ts) it was started with.
 *
 * The Temporal runtime's logger is installed here (once per process): every line, the workflow's
 * own (`log` from @temporalio/workflow) among them, is kept in `logged` for tests to read instead
 * of being printed. SGN_TEST_TEMPORAL_LOG=1 prints them as well.
 */
import { randomUUID } from 'node:crypto';
import { Client, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, type LogEntry, type WorkflowBundleOption } from '@temporalio/worker';
import type { SweepActivities } from '../../contracts/activities.js';
import type { SweepWorkflowInput } from '../../contracts/workflow.js';
import { SWEEP_WORKFLOW_TYPE } from '../../contracts/workflow.js';
import type { sweepWorkflow } from '../../workflows/sweep.js';
import { sweepWorkflowBundle } from '../../workers/worker.js';
import type { StubActivities } from './stub-activities.js';
import { findTemporalCli } from '../../local/temporal-dev-server.js';

export type SweepHandle = WorkflowHandleWithFirstExecutionRunId<typeof sweepWorkflow>;

/** Every line the Temporal runtime logged in this process, the workflow's own among them. */
export const logged: LogEntry[] = [];

let runtimeInstalled = false;

function installRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const print = process.env.SGN_TEST_TEMPORAL_LOG === '1';
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry) => {
      logged.push(entry);
      if (print)
        process.stderr.write(`${entry.level} ${entry.message} ${JSON.stringify(entry.meta ?? {})}\n`);
    }),
    // The SDK core's own lines too (e.g. a "dead" stub's late completion), instead of on stderr.
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } },
  });
}

export interface EnvironmentOptions {
  /**
   * The server suggests continue-as-new once a run's history holds this many events (dynamic
   * config limit.historyCount.suggestContinueAsNew; the server's default is 4 Ki events).
   */
  readonly suggestContinueAsNewAfterEvents?: number;
}

/** A local Temporal dev server (in memory, free port) with a client and a worker connection. */
export async function startWorkflowEnvironment(
  opts: EnvironmentOptions = {},
): Promise<TestWorkflowEnvironment> {
  installRuntime();
  const path = await findTemporalCli();
  const extraArgs =
    opts.suggestContinueAsNewAfterEvents === undefined
      ? []
      : [
          '--dynamic-config-value',
          `limit.historyCount.suggestContinueAsNew=${opts.suggestContinueAsNewAfterEvents}`,
        ];
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path }, ip: '127.0.0.1', extraArgs },
  });
}

export interface SweepWorkerOptions {
  /** The workflow code (default: today's, workers/worker.ts's cached bundle). */
  readonly workflowBundle?: WorkflowBundleOption;
  /** The worker's and its client's identity, as histories show it (default: pid@host). */
  readonly identity?: string;
}

/** A worker serving the sweep workflow on a task queue of its own, each sweep with its stubs. */
export interface SweepWorker {
  readonly taskQueue: string;
  /** Starts a sweep whose activities are `stubs` (one sweep id per worker). */
  start(stubs: StubActivities, input: SweepWorkflowInput): Promise<SweepHandle>;
  /** Stops the worker (activities still running get its grace time, then are cancelled). */
  close(): Promise<void>;
}

/**
 * Starts a worker (a few seconds: it loads the workflow bundle) that tests share: each sweep's
 * activities go to the stubs it was started with, by sweep id.
 */
export async function startSweepWorker(
  env: TestWorkflowEnvironment,
  opts: SweepWorkerOptions = {},
): Promise<SweepWorker> {
  const taskQueue = `workflow-test-${randomUUID()}`;
  const bySweep = new Map<string, SweepActivities>();
  const route = (sweepId: string): SweepActivities => {
    const stubs = bySweep.get(sweepId);
    if (stubs === undefined) throw new Error(`no stub activities for sweep ${sweepId}`);
    return stubs;
  };
  const client =
    opts.identity === undefined
      ? env.client
      : new Client({ connection: env.connection, identity: opts.identity });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    ...(opts.identity === undefined ? {} : { identity: opts.identity }),
    taskQueue,
    workflowBundle: opts.workflowBundle ?? (await sweepWorkflowBundle()).option,
    activities: {
      loadPlan: (sweepId) => route(sweepId).loadPlan(sweepId),
      runBatch: (batch) => route(batch.sweepId).runBatch(batch),
      recordFailedCells: (batch) => route(batch.sweepId).recordFailedCells(batch),
      aggregateBands: (sweepId) => route(sweepId).aggregateBands(sweepId),
      setSweepStatus: (sweepId, status, error) => route(sweepId).setSweepStatus(sweepId, status, error),
    } satisfies SweepActivities,
    // As workers/worker.ts: heartbeats reach the server within a second, and with them cancellation.
    maxHeartbeatThrottleInterval: '1s',
    defaultHeartbeatThrottleInterval: '1s',
    // A stub left waiting (its worker "died") must not hold the worker's shutdown for long.
    shutdownGraceTime: '1s',
  });
  const running = worker.run();
  // Its failure is reported by close(); until then it must not go unhandled.
  running.catch(() => undefined);
  return {
    taskQueue,
    async start(stubs, input) {
      if (bySweep.has(input.sweepId))
        throw new Error(`sweep ${input.sweepId} was started on this worker already`);
      bySweep.set(input.sweepId, stubs.activities());
      return client.workflow.start<typeof sweepWorkflow>(SWEEP_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: `sweep-${input.sweepId}-${randomUUID().slice(0, 8)}`,
        args: [input],
      });
    },
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

/** The workflow's own log lines (sdkComponent 'workflow') in this process so far. */
export function workflowLog(): { level: string; message: string; meta: Record<string, unknown> }[] {
  return logged
    .filter((e) => e.meta?.sdkComponent === 'workflow')
    .map((e) => ({ level: e.level, message: e.message, meta: e.meta ?? {} }));
}
