/**
 * The one writer of a sweep's status. The workflow moves a sweep through its states (through
 * its setSweepStatus activity); the application layer writes it only where no workflow can:
 * when it starts or restarts one, when the workflow is found gone, and when a sweep without
 * a workflow is cancelled. Every such write goes through here, so `finished_at` and `error`
 * always agree with the status.
 */
import type { Prisma, PrismaClient } from './client.js';
import { FINAL_STATUSES, type SweepStatus } from './sweep-states.js';

export interface StatusWrite {
  /** Why a sweep failed (or was found gone); cleared by any other write. */
  readonly error?: string | null;
  /** Write only when the stored status is one of these (e.g. never relabel a completed sweep). */
  readonly onlyFrom?: readonly SweepStatus[];
}

/** Sets sweep `id`'s status; resolves to whether a row was written (false: no such sweep, or not `onlyFrom`). */
export async function writeSweepStatus(
  db: PrismaClient | Prisma.TransactionClient,
  id: string,
  status: SweepStatus,
  write: StatusWrite = {},
): Promise<boolean> {
  const { count } = await db.sweep.updateMany({
    where: write.onlyFrom ? { id, status: { in: [...write.onlyFrom] } } : { id },
    data: {
      status,
      error: write.error ?? null,
      finishedAt: FINAL_STATUSES.includes(status) ? new Date() : null,
    },
  });
  return count > 0;
}
