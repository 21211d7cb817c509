/**
 * Figures draw one slice (one combination of the game axes other than the swept parameter) at a
 * time; the CSV tables keep them all.
 */
export function slicesOf(rows: readonly { slice: string }[]): string[] {
  return [...new Set(rows.map((r) => r.slice))];
}

/** The rows of the first slice, and a note when others were left out of the figure. */
export function firstSlice<T extends { slice: string }>(
  rows: readonly T[],
  what: string,
): { rows: T[]; slice: string; note: string | null } {
  const slices = slicesOf(rows);
  const slice = slices[0] ?? '';
  return {
    rows: rows.filter((r) => r.slice === slice),
    slice,
    note:
      slices.length > 1
        ? `the ${what} shows the slice ${slice} (1 of ${slices.length}; the CSV tables have all of them)`
        : null,
  };
}
