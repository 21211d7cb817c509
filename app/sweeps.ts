/**
 * Sweep operations shared by the CLI, the demo and tests: register a sweep in the database,
 * start / resume / pause / cancel its workflow, and read its status. Creating the sweep row
 * happens only after the whole spec validated, so bad input writes nothing. The only room that
 * talks to both Temporal and the database (through a SweepContext, context.ts).
 */
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { queryErrorCode, type PrismaClient } from '../db/client.js';
import { InputError } from '../sgn/util/errors.js';
import type { SweepContext } from './context.js';
import {
  cancelSignal,
  pauseSignal,
  progressQuery,
  resumeSignal,
  SWEEP_WORKFLOW_TYPE,
  sweepWorkflowId,
  type SweepProgress,
} from '../contracts/workflow.js';
import type { sweepWorkflow } from '../workflows/sweep.js';
import { planOf, totalWork } from '../activities/plan.js';
import type { SweepPlan } from '../contracts/activities.js';
import type { SweepStatus } from '../db/sweep-states.js';
import { writeSweepStatus } from '../db/sweep-status.js';
import { sweepIdFor } from '../sweep/resolve.js';
import type { ResolvedSweep } from '../sweep/resolved.js';
import { queueWorkers, type QueueWorker } from './pollers.js';

export interface StartResult {
  readonly id: string;
  /** False when an identical sweep was already registered (a re-launch resumes it). */
  readonly created: boolean;
  /** False when its workflow was already running. */
  readonly started: boolean;
}

/** A new sweep's workflow id: `sgn-sweep-<id>-<10 random hex>` (contracts/workflow.ts). */
function newWorkflowId(id: string): string {
  return sweepWorkflowId(id, randomBytes(5).toString('hex'));
}

/**
 * Inserts the sweep's row unless one with its id exists; resolves to the rows inserted (0 or 1).
 * The spec travels as JSON text: Prisma rounds the numbers of a Json value to 16 significant
 * digits on the way, and workers compute every cell from this stored spec, so a game file
 * written with 17 (e.g. -0.23122660198229492 in LQ-64's R) would be swept as a slightly
 * different game than `sgn certify` reads. The workflow id is chosen here, once: it is stored
 * with the row and every client reads it from there.
 */
function registerSweep(
  prisma: PrismaClient,
  id: string,
  resolved: ResolvedSweep,
  workflowId: string,
): Promise<number> {
  return prisma.$executeRaw`
    INSERT INTO sweeps (id, name, kind, status, spec, spec_hash, total_cells, workflow_id, updated_at)
    VALUES (${id}, ${resolved.name ?? null}, ${resolved.kind}, 'running', ${JSON.stringify(resolved)}::jsonb,
      ${resolved.specHash}, ${totalWork(resolved)}::int, ${workflowId}, now())
    ON CONFLICT (id) DO NOTHING`;
}

const differentSpec = (id: string): InputError =>
  new InputError('--id', `sweep "${id}" already exists with a different spec; choose another id`);

/** Registers the sweep (if new) and starts its workflow (if not running). */
export async function startSweep(
  ctx: SweepContext,
  resolved: ResolvedSweep,
  opts: { id?: string } = {},
): Promise<StartResult> {
  const id = opts.id ?? sweepIdFor(resolved);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(id)) {
    throw new InputError('--id', `"${id}" is not a valid sweep id (letters, digits, _ . -; at most 64)`);
  }
  // Reach Temporal before writing anything: when it is down, no sweep row is left without a workflow.
  await ctx.client();
  const select = { specHash: true, workflowId: true } as const;
  let row = await ctx.prisma.sweep.findUnique({ where: { id }, select });
  if (row && row.specHash !== resolved.specHash) throw differentSpec(id);
  let created = false;
  if (!row) {
    const workflowId = newWorkflowId(id);
    created = (await registerSweep(ctx.prisma, id, resolved, workflowId)) === 1;
    if (created) row = { specHash: resolved.specHash, workflowId };
    else {
      // Two launches racing: the other one registered it first; both go on to start the
      // workflow, under the winner's workflow id, unless the other registered a different spec.
      row = await ctx.prisma.sweep.findUniqueOrThrow({ where: { id }, select });
      if (row.specHash !== resolved.specHash) throw differentSpec(id);
    }
  }
  // A sweep registered just now has no workflow yet, and its plan is at hand.
  const started = await startWorkflow(
    ctx,
    { id, workflowId: row.workflowId },
    created ? planOf(resolved, ctx.config.batchesPerRun) : undefined,
  );
  return { id, created, started };
}

/** A sweep as far as its workflow is concerned: its id and its stored workflow id. */
export interface SweepRef {
  readonly id: string;
  readonly workflowId: string;
}

/** The stored workflow id of sweep `id` (undefined: no such sweep). */
export async function sweepWorkflowIdOf(prisma: PrismaClient, id: string): Promise<string | undefined> {
  return (await prisma.sweep.findUnique({ where: { id }, select: { workflowId: true } }))?.workflowId;
}

/**
 * Starts the sweep's workflow unless one is running; returns whether a new run started. `plan`:
 * the sweep was registered just now (status running, no workflow can exist yet) and this is its
 * plan, handed to the workflow so that it starts its first batches at once.
 */
export async function startWorkflow(ctx: SweepContext, sweep: SweepRef, plan?: SweepPlan): Promise<boolean> {
  const client = await ctx.client();
  const { id, workflowId } = sweep;
  if (plan === undefined) {
    try {
      const d = await client.workflow.getHandle(workflowId).describe();
      if (d.status.name === 'RUNNING') return false;
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) throw e;
    }
    // Marked before the start, so a fast workflow's final status is never overwritten.
    await writeSweepStatus(ctx.prisma, id, 'running');
  }
  const handle = await client.workflow.start<typeof sweepWorkflow>(SWEEP_WORKFLOW_TYPE, {
    taskQueue: ctx.temporal.taskQueue,
    workflowId,
    args: [plan ? { sweepId: id, plan, markedRunning: true } : { sweepId: id, markedRunning: true }],
    // Two launches at once attach to one execution instead of failing or duplicating.
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return handle.firstExecutionRunId !== undefined;
}

export interface SweepStatusReport {
  readonly id: string;
  readonly status: SweepStatus;
  readonly totalCells: number;
  readonly doneCells: number;
  readonly failedCells: number;
  readonly name: string | null;
  readonly kind: string;
  readonly error: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly progress: SweepProgress | null;
  /** The task queue its workflow runs on (this database's). */
  readonly taskQueue: string;
  /** Workers polling that queue while the sweep runs or is paused; null: ended, or not asked. */
  readonly workers: readonly QueueWorker[] | null;
}

async function requireSweep(ctx: SweepContext, id: string) {
  const row = await ctx.prisma.sweep.findUnique({
    where: { id },
    select: {
      id: true,
      status: true,
      totalCells: true,
      doneCells: true,
      failedCells: true,
      name: true,
      kind: true,
      error: true,
      workflowId: true,
      createdAt: true,
      finishedAt: true,
    },
  });
  if (!row) throw new InputError('sweep', `no sweep with id "${id}" (see: sgn sweep list)`);
  return row;
}

/**
 * Status from the database, reconciled with Temporal: a sweep recorded as running whose
 * workflow was terminated or timed out is reported (and recorded) as failed.
 */
export async function sweepStatus(
  ctx: SweepContext,
  id: string,
  opts: { reconcile?: boolean; progress?: boolean; workers?: boolean } = {},
): Promise<SweepStatusReport> {
  const row = await requireSweep(ctx, id);
  let status = row.status as SweepStatus;
  let error = row.error;
  let progress: SweepProgress | null = null;
  const live = status === 'running' || status === 'paused';
  let workers = live && opts.workers !== false ? await queueWorkers(ctx) : null;
  if (live && opts.reconcile !== false) {
    const handle = (await ctx.client()).workflow.getHandle(row.workflowId);
    try {
      const d = await handle.describe();
      if (d.status.name === 'RUNNING') {
        // A query is a task for a worker: with none polling it would wait out its timeout.
        if (opts.progress !== false && workers?.length !== 0)
          progress = await handle.query(progressQuery).catch(() => null);
      } else if (d.status.name !== 'COMPLETED' && d.status.name !== 'CONTINUED_AS_NEW') {
        status = d.status.name === 'CANCELLED' ? 'cancelled' : 'failed';
        error = `workflow ${d.status.name.toLowerCase()}; continue it with: sgn sweep resume ${id}`;
        await writeSweepStatus(ctx.prisma, id, status, { error }).catch((e: unknown) => {
          // A read-only role (docs/deployment.md, "Roles") reports what it found without recording it.
          if (queryErrorCode(e) !== '42501') throw e;
        });
      }
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) throw e;
      status = 'failed';
      error = `no workflow found; continue it with: sgn sweep resume ${id}`;
    }
  }
  if (status !== 'running' && status !== 'paused') workers = null;
  return {
    id: row.id,
    status,
    totalCells: row.totalCells,
    doneCells: row.doneCells,
    failedCells: row.failedCells,
    name: row.name,
    kind: row.kind,
    error,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    progress,
    taskQueue: ctx.temporal.taskQueue,
    workers,
  };
}

type SweepRow = Awaited<ReturnType<typeof requireSweep>>;

/** `sweep X is completed (800 cells stored)`, or with its failed cells. */
function completedLine(row: SweepRow): string {
  return `sweep ${row.id} is completed (${
    row.failedCells > 0
      ? `${row.failedCells} failed cell${row.failedCells === 1 ? '' : 's'}`
      : `all ${row.totalCells} cells stored`
  })`;
}

/** Whether the sweep's workflow is running (false: ended, or never found). */
async function workflowRunning(ctx: SweepContext, workflowId: string): Promise<boolean> {
  try {
    return (await (await ctx.client()).workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return false;
    throw e;
  }
}

/**
 * Resume: un-pause a running workflow, or start a new run that schedules only what is missing
 * (a failed, cancelled or terminated sweep). A completed sweep is refused (InputError, exit 2)
 * before Temporal is asked anything: every cell is stored; those that failed are retried by
 * `--retry-failed`, which the refusal names.
 */
export async function resumeSweep(ctx: SweepContext, id: string): Promise<'resumed' | 'restarted'> {
  const row = await requireSweep(ctx, id);
  if (row.status === 'completed') {
    throw new InputError(
      'sweep resume',
      row.failedCells > 0
        ? `${completedLine(row)}; retry them with: sgn sweep resume ${id} --retry-failed`
        : `${completedLine(row)}; nothing to resume`,
    );
  }
  const handle = (await ctx.client()).workflow.getHandle(row.workflowId);
  if (await workflowRunning(ctx, row.workflowId)) {
    await handle.signal(resumeSignal);
    return 'resumed';
  }
  await startWorkflow(ctx, row);
  return 'restarted';
}

/**
 * `sgn sweep resume <id> --retry-failed`: forgets the sweep's failed cells (certify rows and
 * step-size runs with an error, the band-map rows folded from them, and their counts), then
 * starts its workflow, whose batches find every other cell stored and compute only the missing
 * ones. Refused while the sweep runs. Resolves to the cells put back.
 */
export async function retryFailedCells(ctx: SweepContext, id: string): Promise<number> {
  const row = await requireSweep(ctx, id);
  if (row.status === 'running' || row.status === 'paused' || (await workflowRunning(ctx, row.workflowId)))
    throw new InputError(
      'sweep resume --retry-failed',
      `sweep ${id} is ${row.status === 'paused' ? 'paused' : 'running'}; retry its failed cells once it has ended`,
    );
  if (row.failedCells === 0) {
    throw new InputError('sweep resume --retry-failed', `sweep ${id} has no failed cells`);
  }
  const retried = await ctx.prisma.$transaction(async (tx) => {
    // Band-map rows summarise a game's cells: a game with a failed cell is folded again when the
    // retry has stored it (the sweep's last step folds every game without a row).
    await tx.$executeRaw`
      DELETE FROM band_maps b WHERE b.sweep_id = ${id} AND b.param_value IN (
        SELECT game_param FROM cell_results WHERE sweep_id = ${id} AND error IS NOT NULL AND game_param IS NOT NULL)`;
    const cells = await tx.$executeRaw`DELETE FROM cell_results WHERE sweep_id = ${id} AND error IS NOT NULL`;
    const [games] = await tx.$queryRaw<{ n: number }[]>`
      WITH gone AS (DELETE FROM stepsize_results WHERE sweep_id = ${id} AND cell_index IN (
        SELECT cell_index FROM stepsize_results WHERE sweep_id = ${id} AND error IS NOT NULL)
        RETURNING cell_index)
      SELECT count(DISTINCT cell_index)::int AS n FROM gone`;
    const n = cells + games.n;
    await tx.sweep.update({
      where: { id },
      data: { doneCells: { decrement: n }, failedCells: { decrement: n } },
    });
    await writeSweepStatus(tx, id, 'running');
    return n;
  });
  await startWorkflow(ctx, row);
  return retried;
}

/**
 * Pause a running sweep. Refused (InputError, exit 2; nothing signalled or written) when the
 * sweep has ended, or its workflow is not running (terminated from outside: resume restarts it).
 */
export async function pauseSweep(ctx: SweepContext, id: string): Promise<void> {
  const row = await requireSweep(ctx, id);
  if (row.status === 'completed')
    throw new InputError('sweep pause', `${completedLine(row)}; nothing to pause`);
  if (row.status === 'cancelled' || row.status === 'failed')
    throw new InputError(
      'sweep pause',
      `sweep ${id} is ${row.status}; nothing to pause (continue it with: sgn sweep resume ${id})`,
    );
  if (!(await workflowRunning(ctx, row.workflowId)))
    throw new InputError(
      'sweep pause',
      `sweep ${id} has no running workflow (${row.status} in the database); continue it with: sgn sweep resume ${id}`,
    );
  await (await ctx.client()).workflow.getHandle(row.workflowId).signal(pauseSignal);
}

/**
 * Cancel: signal a running workflow, or mark a sweep without one cancelled (running in the
 * database but its workflow gone, or failed: giving up on it). A completed or already cancelled
 * sweep is refused (InputError, exit 2) and left as it is: its status says what is stored.
 */
export async function cancelSweep(ctx: SweepContext, id: string): Promise<'signalled' | 'marked'> {
  const row = await requireSweep(ctx, id);
  const refuse = (r: SweepRow): never => {
    throw new InputError(
      'sweep cancel',
      r.status === 'completed'
        ? `${completedLine(r)}; nothing to cancel`
        : `sweep ${id} is already ${r.status}; nothing to cancel`,
    );
  };
  if (row.status === 'completed' || row.status === 'cancelled') refuse(row);
  if (await workflowRunning(ctx, row.workflowId)) {
    await (await ctx.client()).workflow.getHandle(row.workflowId).signal(cancelSignal);
    return 'signalled';
  }
  // Only from a status that is not final: a workflow that completed meanwhile keeps its word.
  const marked = await writeSweepStatus(ctx.prisma, id, 'cancelled', {
    onlyFrom: ['running', 'paused', 'failed'],
  });
  if (!marked) refuse(await requireSweep(ctx, id));
  return 'marked';
}

/**
 * Waits for the sweep to finish, calling `onProgress` with fresh status every `intervalMs` and
 * when its workflow ends: the sweep's row (status, counters) each time, its workflow (describe)
 * every `reconcileMs` and at its end as well, so that a workflow terminated from outside still
 * ends the wait. No progress query: a query is a task for the worker that runs the workflow,
 * which is busy computing, and the row already holds the counts.
 */
export async function waitForSweep(
  ctx: SweepContext,
  id: string,
  onProgress: (s: SweepStatusReport) => void = () => {},
  intervalMs = 1000,
  reconcileMs = 5000,
): Promise<SweepStatusReport> {
  const { workflowId } = await requireSweep(ctx, id);
  // Woken early when the workflow ends (a long poll on its result, following continue-as-new),
  // so a sweep that ends between two polls is reported at once, not up to intervalMs later.
  let ended = false;
  const end = (await ctx.client()).workflow
    .getHandle(workflowId)
    .result()
    .then(
      () => undefined,
      () => undefined, // failed, cancelled, terminated or not found: the status poll tells which
    )
    .finally(() => (ended = true));
  let reconciledAt = -Infinity;
  // The queue's pollers are asked as often as the workflow is; between, the last answer stands.
  let workers: readonly QueueWorker[] | null = null;
  for (;;) {
    const now = Date.now();
    const reconcile = ended || now - reconciledAt >= reconcileMs;
    if (reconcile) reconciledAt = now;
    const fresh = await sweepStatus(ctx, id, { reconcile, progress: false, workers: reconcile });
    if (reconcile) workers = fresh.workers;
    const s = { ...fresh, workers: fresh.status === 'running' || fresh.status === 'paused' ? workers : null };
    onProgress(s);
    if (s.status !== 'running' && s.status !== 'paused') return s;
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<void>((r) => (timer = setTimeout(r, intervalMs)));
    await (ended ? tick : Promise.race([tick, end]));
    clearTimeout(timer);
  }
}
