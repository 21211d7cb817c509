/**
 * Figures draw one slice (one combination of the axes other than x and the aggregated ones) at a
 * time; the CSV tables keep them all. `--slice PARAM=VALUE` holds an axis at a value first.
 */
import { inView, type View } from './view.js';

export function slicesOf(rows: readonly { slice: string }[]): string[] {
  return [...new Set(rows.map((r) => r.slice))];
}

/** The rows in the view's --slice choices, then those of their first slice, and a note when others were left out of the figure. */
export function firstSlice<T extends { slice: string; at: Readonly<Record<string, number>> }>(
  rows: readonly T[],
  what: string,
  view: View,
): { rows: T[]; slice: string; note: string | null } {
  const held = rows.filter((r) => inView(view, r.at));
  const slices = slicesOf(held);
  const slice = slices[0] ?? '';
  return {
    rows: held.filter((r) => r.slice === slice),
    slice,
    note:
      slices.length > 1
        ? `the ${what} ${what.endsWith('figures') ? 'show' : 'shows'} the slice ${slice} (1 of ${slices.length}; choose with --slice PARAM=VALUE or pool with --aggregate PARAM; the CSV tables have all of them)`
        : null,
  };
}
