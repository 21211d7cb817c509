/**
 * The workers polling this database's task queue, as Temporal sees them (its task-queue
 * description): a running sweep with none makes no progress, and says so instead of a rate of 0.
 */
import type { SweepContext } from './context.js';

export interface QueueWorker {
  /** The worker's identity (`pid@host` unless set). */
  readonly identity: string;
  /** When it last polled (ISO time); null when Temporal does not say. */
  readonly lastSeen: string | null;
}

/** A protobuf timestamp (seconds as a Long or number) in milliseconds; undefined when absent. */
function timestampMs(
  ts: { seconds?: { toString(): string } | number | null; nanos?: number | null } | null | undefined,
): number | undefined {
  if (!ts || ts.seconds === null || ts.seconds === undefined) return undefined;
  return Number(ts.seconds.toString()) * 1000 + (ts.nanos ?? 0) / 1e6;
}

/** temporal.api.enums.v1.TaskQueueType: a worker polls both, a workflow worker only the first. */
const TASK_QUEUE_TYPE_WORKFLOW = 1;
const TASK_QUEUE_TYPE_ACTIVITY = 2;

/** The workers polling the context's task queue (workflow or activity tasks), by identity, newest poll kept. */
export async function queueWorkers(ctx: SweepContext): Promise<QueueWorker[]> {
  const service = (await ctx.client()).workflowService;
  const seen = new Map<string, number | undefined>();
  for (const taskQueueType of [TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY]) {
    const { pollers } = await service.describeTaskQueue({
      namespace: ctx.temporal.namespace,
      taskQueue: { name: ctx.temporal.taskQueue },
      taskQueueType,
    });
    for (const p of pollers ?? []) {
      const identity = p.identity ?? '';
      const at = timestampMs(p.lastAccessTime);
      const before = seen.get(identity);
      seen.set(identity, before === undefined ? at : at === undefined ? before : Math.max(before, at));
    }
  }
  return [...seen]
    .map(([identity, at]) => ({ identity, lastSeen: at === undefined ? null : new Date(at).toISOString() }))
    .sort((a, b) => a.identity.localeCompare(b.identity));
}

/** `workers: 2 polling (pid@host-a, pid@host-b)`, or the warning for a running sweep without any. */
export function workersLine(taskQueue: string, workers: readonly QueueWorker[]): string {
  if (workers.length === 0)
    return `warning: no worker is polling task queue ${taskQueue}: start one with \`sgn worker\``;
  return `workers: ${workers.length} polling (${workers.map((w) => w.identity).join(', ')})`;
}
