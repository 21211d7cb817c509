/**
 * Stored results against an in-process reference: the checks every sweep test ends with
 * (one row per cell, no duplicates, numbers equal bit for bit, counters right).
 */
import type { PrismaClient } from '../../db/client.js';
import { certifyRange, type CellRow } from '../../sweep/compute.js';
import type { ResolvedSweep } from '../../sweep/resolved.js';
import { CELL_SCALARS } from '../../sweep/query.js';

/** The certificate columns compared with the reference (bit for bit, through JSON). */
export const COMPARED_COLUMNS: readonly (keyof CellRow)[] = [
  'certified',
  ...CELL_SCALARS,
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

/** The fields a certificate is compared on when it may come from a cold restart. */
export type CertificateFields = Pick<
  CellRow,
  'cellIndex' | 'error' | 'certified' | 'alpha' | 'beta' | 'eulerStep'
>;

/**
 * Cells that are not exactly the reference's because their computation restarted cold (a compute
 * thread replaced after a cell killed it, a batch split): the same certificates to 1e-8
 * relative (Lanczos from another start vector finds the same eigenvalue to ~1e-12). Returns
 * the indices (not in `skip`) that differ or are missing, empty when all agree.
 */
export function differingCertificates(
  got: readonly CertificateFields[],
  want: readonly CertificateFields[],
  skip: readonly number[] = [],
): number[] {
  const byIndex = new Map(want.map((r) => [r.cellIndex, r]));
  const close = (a: number | null, b: number | null): boolean =>
    a === null || b === null ? a === b : Math.abs(a - b) <= 1e-8 * Math.max(1, Math.abs(b));
  const differing: number[] = [];
  for (const row of got) {
    if (skip.includes(row.cellIndex)) continue;
    const w = byIndex.get(row.cellIndex);
    const same =
      w !== undefined &&
      row.error === w.error &&
      row.certified === w.certified &&
      close(row.alpha, w.alpha) &&
      close(row.beta, w.beta) &&
      close(row.eulerStep, w.eulerStep);
    if (!same) differing.push(row.cellIndex);
  }
  return differing;
}
