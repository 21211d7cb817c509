/**
 * A sweep worker: polls the task queue, runs sweep workflows and batch activities.
 * Any number of these, on any machines, may share one task queue. SIGINT/SIGTERM shut it
 * down gracefully: no new tasks, running activities get `shutdownGraceTime` to finish
 * (their batches are retried elsewhere otherwise; writes are idempotent).
 */
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { join } from 'node:path';
import { createPrisma, databaseUrl, PROJECT_ROOT } from '../db/client.js';
import { createActivities } from '../activities/sweep-activities.js';
import { ComputeThread } from '../activities/compute-thread.js';
import { temporalConfig, type TemporalConfig } from './config.js';
import { cachedWorkflowBundle, type CachedBundle } from './workflow-bundle.js';

export interface WorkerRunOptions {
  /** Activity slots (batches in flight) in this process. */
  readonly concurrency?: number;
  readonly temporal?: TemporalConfig;
  readonly databaseUrl?: string;
  /** Stop when this signal aborts (tests); SIGINT/SIGTERM always stop the worker. */
  readonly signal?: AbortSignal;
  readonly onReady?: () => void;
}

const require = createRequire(import.meta.url);

export function workflowsPath(): string {
  return require.resolve('../workflows/index.ts');
}

/** Where prebuilt workflow bundles are kept (see workflow-bundle.ts). */
export const WORKFLOW_BUNDLE_DIR = join(PROJECT_ROOT, '.cache', 'workflow-bundles');

/** The workflow bundle, built at most once per version of the workflow code. */
export async function sweepWorkflowBundle(): Promise<CachedBundle> {
  return cachedWorkflowBundle(workflowsPath(), PROJECT_ROOT, WORKFLOW_BUNDLE_DIR);
}

export async function createSweepWorker(
  opts: WorkerRunOptions = {},
): Promise<{ worker: Worker; close: () => Promise<void> }> {
  const temporal = opts.temporal ?? temporalConfig();
  const url = opts.databaseUrl ?? databaseUrl();
  const prisma = createPrisma(url);
  const connection = await NativeConnection.connect({ address: temporal.address });
  // The compute thread loads its modules while the workflow bundle loads.
  const compute = new ComputeThread();
  compute.warm();
  const bundle = await sweepWorkflowBundle();
  const options: WorkerOptions = {
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    workflowBundle: bundle.option,
    activities: createActivities({ prisma, compute, workerId: `${hostname()}:${process.pid}` }),
    maxConcurrentActivityTaskExecutions: opts.concurrency ?? 2,
    // Batches heartbeat every second; sending them that often (not at 0.8 x the heartbeat
    // timeout) is what brings a sweep's cancellation to its batches within a second.
    maxHeartbeatThrottleInterval: '1s',
    defaultHeartbeatThrottleInterval: '1s',
    shutdownGraceTime: '20s',
  };
  const worker = await Worker.create(options);
  return {
    worker,
    close: async () => {
      await compute.close();
      await connection.close();
      await prisma.$disconnect();
    },
  };
}

/** Runs a worker until SIGINT/SIGTERM (handled by the Temporal runtime) or `signal`. */
export async function runWorker(opts: WorkerRunOptions = {}): Promise<void> {
  const { worker, close } = await createSweepWorker(opts);
  opts.signal?.addEventListener('abort', () => worker.shutdown(), { once: true });
  opts.onReady?.();
  try {
    await worker.run();
  } finally {
    await close();
  }
}
