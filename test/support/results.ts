/**
 * Stored results against an in-process reference: the checks every sweep test ends with
 * (one row per cell, no duplicates, numbers equal bit for bit, counters right).
 */
import type { PrismaClient } from '../../db/client.js';
import { certifyRange, type CellRow } from '../../sweep/compute.js';
import type { ResolvedSweep } from '../../sweep/resolve.js';

/** The certificate columns compared with the reference (bit for bit, through JSON). */
export const COMPARED_COLUMNS: readonly (keyof CellRow)[] = [
  'certified',
  'alpha',
  'beta',
  'eulerStep',
  'rk4Step',
  'alphaTrue',
  'gammaEuclidean',
  'optimalAlpha',
  'optimalRatio',
  'bandMinus',
  'bandPlus',
  'hStabEuler',
  'hStabRk4',
  'weights',
  'mu',
  'couplingL',
];

/** The certify phase of a sweep computed in this process, batch by batch: no Temporal, no database. */
export async function referenceCells(resolved: ResolvedSweep): Promise<Map<string, CellRow>> {
  const reference = new Map<string, CellRow>();
  const B = resolved.execution.batchSize;
  for (let s = 0; s < resolved.totalCells; s += B) {
    for (const row of await certifyRange(resolved, s, Math.min(resolved.totalCells, s + B)))
      reference.set(row.cellKey, row);
  }
  return reference;
}

export interface StoredCheck {
  readonly expected: number;
  /** Rows stored for the sweep. */
  readonly stored: number;
  /** Rows beyond one per cell key (the unique index should make this 0). */
  readonly duplicates: number;
  /** Cells absent from the reference or with a column that differs from it. */
  readonly mismatches: number;
  /** Reference cells with no stored row. */
  readonly missing: number;
  readonly status: string;
  readonly doneCells: number;
  readonly failedCells: number;
  /** Status completed, doneCells = expected = stored, failedCells = 0. */
  readonly countsRight: boolean;
}

export async function checkStored(
  prisma: PrismaClient,
  sweepId: string,
  reference: ReadonlyMap<string, CellRow>,
): Promise<StoredCheck> {
  const rows = await prisma.cellResult.findMany({ where: { sweepId } });
  const keys = new Set(rows.map((r) => r.cellKey));
  let mismatches = 0;
  for (const row of rows) {
    const ref = reference.get(row.cellKey);
    if (!ref || ref.cellIndex !== row.cellIndex) {
      mismatches++;
      continue;
    }
    const differs = COMPARED_COLUMNS.some(
      (k) => JSON.stringify(row[k as keyof typeof row]) !== JSON.stringify(ref[k]),
    );
    if (differs) mismatches++;
  }
  let missing = 0;
  for (const key of reference.keys()) if (!keys.has(key)) missing++;
  const sweep = await prisma.sweep.findUniqueOrThrow({ where: { id: sweepId } });
  const expected = reference.size;
  return {
    expected,
    stored: rows.length,
    duplicates: rows.length - keys.size,
    mismatches,
    missing,
    status: sweep.status,
    doneCells: sweep.doneCells,
    failedCells: sweep.failedCells,
    countsRight:
      sweep.status === 'completed' &&
      sweep.totalCells === expected &&
      sweep.doneCells === expected &&
      rows.length === expected &&
      sweep.failedCells === 0,
  };
}
