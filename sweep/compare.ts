/**
 * `sgn sweep compare A B`: two sweeps over the same axes, cell by cell (matched by their axis
 * values, not their index), the difference B - A of chosen outputs. A certified flag compares as
 * 0/1, so its difference is +1 (B certifies, A does not), -1, or 0.
 */
import { InputError } from '../sgn/util/errors.js';
import { axisValues } from './axes.js';
import type { ResultRow } from './queries.js';
import type { SweepAxis } from './resolved.js';

/** The outputs a comparison may name: the numeric columns of a result, and `certified`. */
export const COMPARABLE_OUTPUTS = [
  'alpha',
  'beta',
  'certified',
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
] as const;
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

/** A cell's key: its axis values in axis order. */
const cellKey = (axes: readonly SweepAxis[], params: ResultRow['params']): string =>
  JSON.stringify(axes.map((x) => params[x.name]));

const outputValue = (r: ResultRow, o: ComparableOutput): number | null =>
  o === 'certified' ? (r.error !== null ? null : r.certified ? 1 : 0) : r[o];

export interface CellDiff {
  readonly params: ResultRow['params'];
  /** Per output: A's value, B's value, B - A (null when either is missing). */
  readonly values: Record<string, { a: number | null; b: number | null; diff: number | null }>;
}

export interface Comparison {
  readonly outputs: readonly ComparableOutput[];
  /** Cells stored in both, in A's order. */
  readonly cells: CellDiff[];
  /** Cells stored in only one of them (e.g. one sweep has not finished). */
  readonly onlyA: number;
  readonly onlyB: number;
}

export function compareCells(
  axes: readonly SweepAxis[],
  a: readonly ResultRow[],
  b: readonly ResultRow[],
  outputs: readonly ComparableOutput[],
): Comparison {
  const byKey = new Map(b.map((r) => [cellKey(axes, r.params), r]));
  const cells: CellDiff[] = [];
  let onlyA = 0;
  for (const ra of a) {
    const key = cellKey(axes, ra.params);
    const rb = byKey.get(key);
    if (!rb) {
      onlyA++;
      continue;
    }
    byKey.delete(key);
    const values: CellDiff['values'] = {};
    for (const o of outputs) {
      const va = outputValue(ra, o);
      const vb = outputValue(rb, o);
      values[o] = { a: va, b: vb, diff: va === null || vb === null ? null : vb - va };
    }
    cells.push({ params: ra.params, values });
  }
  return { outputs, cells, onlyA, onlyB: byKey.size };
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

export function summarise(c: Comparison): OutputSummary[] {
  return c.outputs.map((output) => {
    let maxAbs = 0;
    let at: ResultRow['params'] | null = null;
    let differing = 0;
    for (const cell of c.cells) {
      const v = cell.values[output];
      if (v.diff === null ? v.a !== v.b : v.diff !== 0) differing++;
      if (v.diff !== null && Number.isFinite(v.diff) && Math.abs(v.diff) > maxAbs) {
        maxAbs = Math.abs(v.diff);
        at = cell.params;
      }
    }
    return { output, maxAbs, at, differing };
  });
}
