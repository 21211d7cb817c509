/**
 * A sweep stored as the workers store it, without Temporal: its row as `sweep start` registers it,
 * and certify cells computed in-process by the activity's function and written by its writer
 * (rows, counters and the band-map rows of the games they complete, in one transaction). For
 * tests of what reads stored sweeps: reports, compare, results, aggregation.
 */
import type { PrismaClient } from '../../db/client.js';
import { CellBatchStream } from '../../db/cell-batches.js';
import { foldCompletedGroups } from '../../activities/band-maps.js';
import { totalWork } from '../../activities/plan.js';
import { sweepWorkflowId } from '../../contracts/workflow.js';
import { certifyRange } from '../../sweep/compute.js';
import type { ResolvedSweep } from '../../sweep/resolved.js';

export async function registerSweep(
  prisma: PrismaClient,
  id: string,
  resolved: ResolvedSweep,
  status = 'completed',
): Promise<void> {
  await prisma.sweep.create({
    data: {
      id,
      name: resolved.name ?? null,
      kind: resolved.kind,
      status,
      spec: resolved as unknown as object,
      specHash: resolved.specHash,
      totalCells: totalWork(resolved),
      workflowId: sweepWorkflowId(id, 'stored-sweep'),
    },
  });
}

/** Certify cells [from, to) of a registered sweep, written as one batch activity writes them. */
export async function storeCertifyCells(
  prisma: PrismaClient,
  id: string,
  resolved: ResolvedSweep,
  from = 0,
  to = resolved.totalCells,
): Promise<void> {
  const rows = await certifyRange(resolved, from, to);
  await prisma.$transaction(async (tx) => {
    const stream = new CellBatchStream(tx, id, 'stored-sweep');
    stream.push(rows);
    await stream.finish();
    await foldCompletedGroups(tx, id, resolved, from, to);
  });
}
