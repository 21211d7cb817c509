/**
 * A sweep worker: polls the task queue, runs sweep workflows and batch activities.
 * Any number of these, on any machines, may share one task queue, as long as they share one
 * database (workers/config.ts: the default queue is the database's own). SIGINT/SIGTERM shut it
 * down gracefully: no new tasks, running activities get `shutdownGraceTime` to finish
 * (their batches are retried elsewhere otherwise; writes are idempotent).
 */
import type { AutoMigrate, SgnConfig } from '../config/config.js';
import { cellMemoryLimit, MiB } from '../sweep/budget.js';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { Context } from '@temporalio/activity';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { join } from 'node:path';
import { createPrisma, prepareSchema, type PrismaClient } from '../db/client.js';
import { PROJECT_ROOT } from '../config/project-root.js';
import { postgresUnavailable } from '../db/unavailable.js';
import { InputError } from '../sgn/util/errors.js';
import { createActivities } from '../activities/sweep-activities.js';
import { ComputeThread } from '../activities/compute-thread.js';
import type { SweepActivities } from '../contracts/activities.js';
import {
  scopedTaskQueue,
  temporalConfig,
  temporalConnectionOptions,
  temporalUnavailable,
  type TemporalConfig,
} from './config.js';
import { cachedWorkflowBundle, type CachedBundle } from './workflow-bundle.js';

export interface WorkerRunOptions {
  /** The settings, built once at start-up (the CLI's, the demo's): database, Temporal, limits. */
  readonly config: SgnConfig;
  /** Activity slots (batches in flight) in this process. */
  readonly concurrency?: number;
  /** Temporal's settings when the caller has them already (else from `config.temporal`). */
  readonly temporal?: TemporalConfig;
  /** Another database than `config.databaseUrl` (the demo's embedded PostgreSQL). */
  readonly databaseUrl?: string;
  /** Stop when this signal aborts (tests); SIGINT/SIGTERM always stop the worker. */
  readonly signal?: AbortSignal;
  /** Called once the worker polls; `temporal` holds the task queue it polls. */
  readonly onReady?: (temporal: TemporalConfig) => void;
  /**
   * What the worker may change in its database before taking work (db/client.ts prepareSchema).
   * Default: SGN_AUTO_MIGRATE's: a new database is set up, a database behind the committed
   * migrations is refused in one line (in production `sgn migrate` is its own step, run as the
   * role that owns the schema, and SGN_AUTO_MIGRATE=0 keeps workers from creating anything).
   */
  readonly autoMigrate?: AutoMigrate;
  /** Hears one line when the database was created or migrated. */
  readonly log?: (line: string) => void;
}

const require = createRequire(import.meta.url);

/** The workflow entry beside this module: index.js when compiled (dist/), else index.ts. */
export function workflowsPath(): string {
  return require.resolve(import.meta.url.endsWith('.js') ? '../workflows/index.js' : '../workflows/index.ts');
}

/** Where prebuilt workflow bundles are kept (see workflow-bundle.ts). */
export const WORKFLOW_BUNDLE_DIR = join(PROJECT_ROOT, '.cache', 'workflow-bundles');

/** The workflow bundle, built at most once per version of the workflow code. */
export async function sweepWorkflowBundle(): Promise<CachedBundle> {
  return cachedWorkflowBundle(workflowsPath(), PROJECT_ROOT, WORKFLOW_BUNDLE_DIR);
}

/**
 * The activities, each first checking that the workflow that scheduled it is the one stored
 * for its sweep in this worker's database. Two databases whose workers were given one task queue
 * by hand (SGN_TASK_QUEUE) would otherwise compute each other's batches against the wrong
 * database, silently when both hold a sweep of that id: the batch fails instead, naming the
 * queue. One query per sweep and worker (pairs found to match are remembered).
 */
/** A batch of another database's sweep reached this worker (contracts/failures.ts: not retried). */
export class WrongDatabaseError extends Error {
  override readonly name = 'WrongDatabase';
}

export function guardedActivities(
  activities: SweepActivities,
  prisma: PrismaClient,
  taskQueue: string,
): SweepActivities {
  const verified = new Set<string>();
  const check = async (sweepId: string): Promise<void> => {
    const workflowId = Context.current().info.workflowExecution?.workflowId;
    if (workflowId === undefined) return;
    const pair = `${sweepId}\0${workflowId}`;
    if (verified.has(pair)) return;
    const row = await prisma.sweep.findUnique({ where: { id: sweepId }, select: { workflowId: true } });
    // No row: the activity itself says the sweep is not in the database.
    if (!row) return;
    if (row.workflowId !== workflowId)
      throw new WrongDatabaseError(
        `workflow ${workflowId} is not the workflow of sweep ${sweepId} in this worker's database ` +
          `(${row.workflowId}): workers of two databases poll task queue ${taskQueue}; give each ` +
          'database its own SGN_TASK_QUEUE, or leave it unset (a queue per database)',
      );
    if (verified.size >= 4096) verified.clear();
    verified.add(pair);
  };
  return {
    async loadPlan(sweepId) {
      await check(sweepId);
      return activities.loadPlan(sweepId);
    },
    async runBatch(input) {
      await check(input.sweepId);
      return activities.runBatch(input);
    },
    async recordFailedCells(input) {
      await check(input.sweepId);
      return activities.recordFailedCells(input);
    },
    async aggregateBands(sweepId) {
      await check(sweepId);
      return activities.aggregateBands(sweepId);
    },
    async setSweepStatus(sweepId, status, error) {
      await check(sweepId);
      return activities.setSweepStatus(sweepId, status, error);
    },
  };
}

export async function createSweepWorker(
  opts: WorkerRunOptions,
): Promise<{ worker: Worker; temporal: TemporalConfig; close: () => Promise<void> }> {
  const { config } = opts;
  const url = opts.databaseUrl ?? config.databaseUrl;
  const prisma = createPrisma(url);
  let connection: NativeConnection | undefined;
  let compute: ComputeThread | undefined;
  const close = async (): Promise<void> => {
    await compute?.close();
    await connection?.close();
    await prisma.$disconnect();
  };
  try {
    // A worker checks the schema (or, where allowed, sets up the database), and its task
    // queue is the database's own unless SGN_TASK_QUEUE names one (workers/config.ts).
    let key: string;
    try {
      ({ key } = await prepareSchema(prisma, url, {
        autoMigrate: opts.autoMigrate ?? config.autoMigrate,
        create: true,
        log: opts.log,
      }));
    } catch (e) {
      throw postgresUnavailable(e, url);
    }
    const temporal = scopedTaskQueue(opts.temporal ?? temporalConfig(config.temporal), key);
    try {
      connection = await NativeConnection.connect(temporalConnectionOptions(temporal));
    } catch (e) {
      throw await temporalUnavailable(temporal, e);
    }
    // The compute thread loads its modules while the workflow bundle loads. Its heap is capped at
    // the cell memory limit: a cell whose objects outgrow it is stored 'out of memory' (typed
    // arrays and the kernels' WebAssembly memory live outside that heap: sweep start's budget
    // check bounds those before anything runs).
    compute = new ComputeThread({
      heapLimitMb: Math.ceil(cellMemoryLimit(config).value / MiB),
      faults: config.testFaults,
    });
    compute.warm();
    const bundle = await sweepWorkflowBundle();
    const activities = createActivities({
      prisma,
      compute,
      workerId: `${hostname()}:${process.pid}`,
      batchesPerRun: config.batchesPerRun,
    });
    const options: WorkerOptions = {
      connection,
      namespace: temporal.namespace,
      taskQueue: temporal.taskQueue,
      workflowBundle: bundle.option,
      activities: guardedActivities(activities, prisma, temporal.taskQueue),
      maxConcurrentActivityTaskExecutions: opts.concurrency ?? 2,
      // Batches heartbeat every second; sending them that often (not at 0.8 x the heartbeat
      // timeout) is what brings a sweep's cancellation to its batches within a second.
      maxHeartbeatThrottleInterval: '1s',
      defaultHeartbeatThrottleInterval: '1s',
      shutdownGraceTime: '20s',
    };
    let worker: Worker;
    try {
      worker = await Worker.create(options);
    } catch (e) {
      // The one setting Worker.create checks against the server.
      if (/namespace .*not found/i.test(e instanceof Error ? e.message : String(e)))
        throw new InputError(
          'TEMPORAL_NAMESPACE',
          `namespace "${temporal.namespace}" not found at ${temporal.address}`,
        );
      throw e;
    }
    return { worker, temporal, close };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}

/** Runs a worker until SIGINT/SIGTERM (handled by the Temporal runtime) or `signal`. */
export async function runWorker(opts: WorkerRunOptions): Promise<void> {
  const { worker, temporal, close } = await createSweepWorker(opts);
  opts.signal?.addEventListener('abort', () => worker.shutdown(), { once: true });
  opts.onReady?.(temporal);
  try {
    await worker.run();
  } finally {
    await close();
  }
}
