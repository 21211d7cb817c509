/**
 * Sweep operations shared by the CLI, the demo and tests: register a sweep in the database,
 * start / resume / pause / cancel its workflow, and read its status. Creating the sweep row
 * happens only after the whole spec validated, so bad input writes nothing.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import {
  createPrisma,
  PROJECT_ROOT,
  migrateDeploy,
  ensureDatabase,
  databaseUrl,
  redactUrl,
  type PrismaClient,
} from '../db/client.js';
import { isConnectionFailure, ServiceUnavailable, shortReason } from '../db/unavailable.js';
import { InputError } from '../sgn/util/errors.js';
import { temporalConfig, type TemporalConfig } from '../workers/config.js';
import {
  cancelSignal,
  pauseSignal,
  progressQuery,
  resumeSignal,
  sweepWorkflowId,
  type SweepProgress,
} from '../workflows/signals.js';
import type { sweepWorkflow } from '../workflows/sweep.js';
import { planOf, totalWork } from '../activities/plan.js';
import type { SweepPlan } from '../activities/types.js';
import type { SweepStatus } from '../activities/types.js';
import { sweepIdFor, type ResolvedSweep } from './resolve.js';

export interface SweepContext {
  readonly prisma: PrismaClient;
  readonly temporal: TemporalConfig;
  client(): Promise<Client>;
  close(): Promise<void>;
}

/** Opens the database (applying pending migrations) and, lazily, a Temporal client. */
export async function openContext(
  opts: { databaseUrl?: string; temporal?: TemporalConfig } = {},
): Promise<SweepContext> {
  const prisma = createPrisma(opts.databaseUrl);
  try {
    await ensureSchema(prisma, opts.databaseUrl);
  } catch (e) {
    await prisma.$disconnect().catch(() => undefined);
    if (!isConnectionFailure(e)) throw e;
    throw new ServiceUnavailable(
      'PostgreSQL',
      `cannot reach PostgreSQL at ${redactUrl(opts.databaseUrl ?? databaseUrl())} (DATABASE_URL): ${shortReason(e)}`,
      { cause: e },
    );
  }
  const temporal = opts.temporal ?? temporalConfig();
  let connection: Connection | null = null;
  let client: Client | null = null;
  return {
    prisma,
    temporal,
    async client() {
      if (!client) {
        try {
          connection = await Connection.connect({ address: temporal.address, connectTimeout: '5s' });
        } catch (e) {
          throw new ServiceUnavailable(
            'Temporal',
            `cannot reach Temporal at ${temporal.address} (TEMPORAL_ADDRESS): ${shortReason(e)}`,
            { cause: e },
          );
        }
        client = new Client({ connection, namespace: temporal.namespace });
      }
      return client;
    },
    async close() {
      await connection?.close();
      await prisma.$disconnect();
    },
  };
}

/** Applies committed migrations when the database lacks any of them (first use of a database). */
export async function ensureSchema(prisma: PrismaClient, url?: string): Promise<void> {
  const expected = readdirSync(join(PROJECT_ROOT, 'prisma', 'migrations'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  let applied: string[] = [];
  try {
    const rows = await prisma.$queryRaw<{ migration_name: string }[]>`
      SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL`;
    applied = rows.map((r) => r.migration_name);
  } catch (e) {
    const code =
      (e as { code?: string; meta?: { code?: string } }).meta?.code ?? (e as { code?: string }).code;
    const message = e instanceof Error ? e.message : String(e);
    // 42P01: no migrations table yet; 3D000 / P1003: the database itself does not exist.
    if (!/42P01|does not exist|P1003|3D000/.test(`${code} ${message}`)) throw e;
    if (/database .* does not exist|P1003|3D000/.test(`${code} ${message}`)) await ensureDatabase(url);
  }
  if (expected.some((m) => !applied.includes(m))) await migrateDeploy(url);
}

export interface StartResult {
  readonly id: string;
  /** False when an identical sweep was already registered (a re-launch resumes it). */
  readonly created: boolean;
  /** False when its workflow was already running. */
  readonly started: boolean;
}

/**
 * Inserts the sweep's row unless one with its id exists; resolves to the rows inserted (0 or 1).
 * The spec travels as JSON text: Prisma rounds the numbers of a Json value to 16 significant
 * digits on the way, and workers compute every cell from this stored spec, so a game file
 * written with 17 (e.g. -0.23122660198229492 in LQ-64's R) would be swept as a slightly
 * different game than `sgn certify` reads.
 */
function registerSweep(prisma: PrismaClient, id: string, resolved: ResolvedSweep): Promise<number> {
  return prisma.$executeRaw`
    INSERT INTO sweeps (id, name, kind, status, spec, spec_hash, total_cells, workflow_id, updated_at)
    VALUES (${id}, ${resolved.name ?? null}, ${resolved.kind}, 'running', ${JSON.stringify(resolved)}::jsonb,
      ${resolved.specHash}, ${totalWork(resolved)}::int, ${sweepWorkflowId(id)}, now())
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
  const existing = await ctx.prisma.sweep.findUnique({ where: { id }, select: { specHash: true } });
  if (existing && existing.specHash !== resolved.specHash) throw differentSpec(id);
  let created = false;
  if (!existing) {
    created = (await registerSweep(ctx.prisma, id, resolved)) === 1;
    if (!created) {
      // Two launches racing: the other one registered it first; both go on to start the
      // workflow, unless the other registered a different spec under this id.
      const winner = await ctx.prisma.sweep.findUnique({ where: { id }, select: { specHash: true } });
      if (winner && winner.specHash !== resolved.specHash) throw differentSpec(id);
    }
  }
  // A sweep registered just now has no workflow yet, and its plan is at hand.
  const started = await startWorkflow(ctx, id, created ? planOf(resolved) : undefined);
  return { id, created, started };
}

/**
 * Starts the sweep's workflow unless one is running; returns whether a new run started. `plan`:
 * the sweep was registered just now (status running, no workflow can exist yet) and this is its
 * plan, handed to the workflow so that it starts its first batches at once.
 */
export async function startWorkflow(ctx: SweepContext, id: string, plan?: SweepPlan): Promise<boolean> {
  const client = await ctx.client();
  const workflowId = sweepWorkflowId(id);
  if (plan === undefined) {
    try {
      const d = await client.workflow.getHandle(workflowId).describe();
      if (d.status.name === 'RUNNING') return false;
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) throw e;
    }
    // Marked before the start, so a fast workflow's final status is never overwritten.
    await ctx.prisma.sweep.update({
      where: { id },
      data: { status: 'running', error: null, finishedAt: null },
    });
  }
  const handle = await client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', {
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
  opts: { reconcile?: boolean; progress?: boolean } = {},
): Promise<SweepStatusReport> {
  const row = await requireSweep(ctx, id);
  let status = row.status as SweepStatus;
  let error = row.error;
  let progress: SweepProgress | null = null;
  if ((status === 'running' || status === 'paused') && opts.reconcile !== false) {
    const handle = (await ctx.client()).workflow.getHandle(sweepWorkflowId(id));
    try {
      const d = await handle.describe();
      if (d.status.name === 'RUNNING') {
        if (opts.progress !== false) progress = await handle.query(progressQuery).catch(() => null);
      } else if (d.status.name !== 'COMPLETED' && d.status.name !== 'CONTINUED_AS_NEW') {
        status = d.status.name === 'CANCELLED' ? 'cancelled' : 'failed';
        error = `workflow ${d.status.name.toLowerCase()}; continue it with: sgn sweep resume ${id}`;
        await ctx.prisma.sweep.update({ where: { id }, data: { status, error } });
      }
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) throw e;
      status = 'failed';
      error = `no workflow found; continue it with: sgn sweep resume ${id}`;
    }
  }
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
  };
}

/** Resume: un-pause a running workflow, or start a new run that schedules only what is missing. */
export async function resumeSweep(
  ctx: SweepContext,
  id: string,
): Promise<'resumed' | 'restarted' | 'already-complete'> {
  const row = await requireSweep(ctx, id);
  const handle = (await ctx.client()).workflow.getHandle(sweepWorkflowId(id));
  try {
    const d = await handle.describe();
    if (d.status.name === 'RUNNING') {
      await handle.signal(resumeSignal);
      return 'resumed';
    }
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) throw e;
  }
  if (row.status === 'completed' && row.doneCells >= row.totalCells) return 'already-complete';
  await startWorkflow(ctx, id);
  return 'restarted';
}

export async function pauseSweep(ctx: SweepContext, id: string): Promise<void> {
  await requireSweep(ctx, id);
  await (await ctx.client()).workflow.getHandle(sweepWorkflowId(id)).signal(pauseSignal);
}

export async function cancelSweep(ctx: SweepContext, id: string): Promise<'signalled' | 'marked'> {
  await requireSweep(ctx, id);
  const handle = (await ctx.client()).workflow.getHandle(sweepWorkflowId(id));
  try {
    const d = await handle.describe();
    if (d.status.name === 'RUNNING') {
      await handle.signal(cancelSignal);
      return 'signalled';
    }
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) throw e;
  }
  await ctx.prisma.sweep.update({ where: { id }, data: { status: 'cancelled', finishedAt: new Date() } });
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
  // Woken early when the workflow ends (a long poll on its result, following continue-as-new),
  // so a sweep that ends between two polls is reported at once, not up to intervalMs later.
  let ended = false;
  const end = (await ctx.client()).workflow
    .getHandle(sweepWorkflowId(id))
    .result()
    .then(
      () => undefined,
      () => undefined, // failed, cancelled, terminated or not found: the status poll tells which
    )
    .finally(() => (ended = true));
  let reconciledAt = -Infinity;
  for (;;) {
    const now = Date.now();
    const reconcile = ended || now - reconciledAt >= reconcileMs;
    if (reconcile) reconciledAt = now;
    const s = await sweepStatus(ctx, id, { reconcile, progress: false });
    onProgress(s);
    if (s.status !== 'running' && s.status !== 'paused') return s;
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<void>((r) => (timer = setTimeout(r, intervalMs)));
    await (ended ? tick : Promise.race([tick, end]));
    clearTimeout(timer);
  }
}
