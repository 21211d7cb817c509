/**
 * `sgn sweep compare A B`: two sweeps over the same axes (checked: names, order and values), cell
 * by cell, the difference B - A of chosen outputs. With the axes equal, a cell index stands for
 * the same axis values in both, so cells pair by index (queries.ts forEachCellPairPage). A
 * certified flag compares as 0/1, so its difference is +1 (B certifies, A does not), -1, or 0.
 */
import { InputError } from '../sgn/util/errors.js';
import { axisValues } from './axes.js';
import type { ResultRow } from './queries.js';
import { CELL_SCALARS } from './query.js';
import type { SweepAxis } from './resolved.js';

/** The outputs a comparison may name: the numeric columns of a result, and `certified`. */
export const COMPARABLE_OUTPUTS = [...CELL_SCALARS, 'certified'] as const;
export type ComparableOutput = (typeof COMPARABLE_OUTPUTS)[number];
export const DEFAULT_OUTPUTS: readonly ComparableOutput[] = ['alpha', 'beta', 'certified'];

export function parseOutputs(names: readonly string[] | undefined): ComparableOutput[] {
  if (!names || names.length === 0) return [...DEFAULT_OUTPUTS];
  const outputs = names.flatMap((n) => n.split(',')).map((n) => n.trim());
  for (const n of outputs)
    if (!(COMPARABLE_OUTPUTS as readonly string[]).includes(n))
      throw new InputError('--output', `"${n}" is not an output (one of ${COMPARABLE_OUTPUTS.join(', ')})`);
  return [...new Set(outputs)] as ComparableOutput[];
}

/** Why two sweeps' axes differ (names, order or values), or null when they agree. */
export function axesDifference(a: readonly SweepAxis[], b: readonly SweepAxis[]): string | null {
  const names = (axes: readonly SweepAxis[]): string => axes.map((x) => x.name).join(', ');
  if (names(a) !== names(b)) return `axes differ: (${names(a)}) vs (${names(b)})`;
  for (let i = 0; i < a.length; i++) {
    const va = a[i].files ?? axisValues(a[i].axis);
    const vb = b[i].files ?? axisValues(b[i].axis);
    if (va.length !== vb.length || va.some((v, k) => v !== vb[k]))
      return `axis ${a[i].name} differs: ${va.length} values from ${va[0]} vs ${vb.length} from ${vb[0]}`;
  }
  return null;
}

const outputValue = (r: ResultRow, o: ComparableOutput): number | null =>
  o === 'certified' ? (r.error !== null ? null : r.certified ? 1 : 0) : r[o];

export interface CellDiff {
  readonly cellIndex: number;
  readonly params: ResultRow['params'];
  /** Per output: A's value, B's value, B - A (null when either is missing). */
  readonly values: Record<string, { a: number | null; b: number | null; diff: number | null }>;
}

/** Whether the cell differs in any output (a value on one side only counts as a difference). */
export const cellDiffers = (c: CellDiff): boolean =>
  Object.values(c.values).some((v) => (v.diff === null ? v.a !== v.b : v.diff !== 0));

export interface OutputSummary {
  readonly output: ComparableOutput;
  /** max |B - A| over the cells where both are finite, and a cell where it is reached. */
  readonly maxAbs: number;
  readonly at: ResultRow['params'] | null;
  /** Cells whose values differ. */
  readonly differing: number;
}

/**
 * Two sweeps over the same axes compared cell by cell as their rows stream by (the same cell
 * index is the same axis values when the axes agree: axesDifference), in memory of the outputs,
 * not the cells.
 */
export class CellComparison {
  /** Cells stored in both, and in only one of them (e.g. one sweep has not finished). */
  compared = 0;
  onlyA = 0;
  onlyB = 0;
  /** Cells certified only in B (certified B - A = +1), and only in A (-1). */
  certifiedOnlyB = 0;
  certifiedOnlyA = 0;
  private readonly sums: { maxAbs: number; at: ResultRow['params'] | null; differing: number }[];

  constructor(readonly outputs: readonly ComparableOutput[]) {
    this.sums = outputs.map(() => ({ maxAbs: 0, at: null, differing: 0 }));
  }

  /** One cell as A and B store it (null: not stored there); its differences when both do. */
  add(a: ResultRow | null, b: ResultRow | null): CellDiff | null {
    if (!a || !b) {
      if (a) this.onlyA++;
      if (b) this.onlyB++;
      return null;
    }
    this.compared++;
    const values: CellDiff['values'] = {};
    this.outputs.forEach((o, i) => {
      const va = outputValue(a, o);
      const vb = outputValue(b, o);
      const diff = va === null || vb === null ? null : vb - va;
      values[o] = { a: va, b: vb, diff };
      const sum = this.sums[i];
      if (diff === null ? va !== vb : diff !== 0) sum.differing++;
      if (diff !== null && Number.isFinite(diff) && Math.abs(diff) > sum.maxAbs) {
        sum.maxAbs = Math.abs(diff);
        sum.at = a.params;
      }
      if (o === 'certified' && diff === 1) this.certifiedOnlyB++;
      if (o === 'certified' && diff === -1) this.certifiedOnlyA++;
    });
    return { cellIndex: a.cellIndex, params: a.params, values };
  }

  summaries(): OutputSummary[] {
    return this.outputs.map((output, i) => ({ output, ...this.sums[i] }));
  }
}
