/**
 * Which cells a figure reads when a sweep has more than a figure can show. A 1,000 x 1,000 band
 * map is a million tiles on a 620-pixel-wide figure, and a million cells held at once took a
 * report past 4 GB. So reports and the dashboard read a regular sub-grid: an axis held at one
 * value (--slice) is read at that position only; then, while more than `limit` cells remain,
 * an axis is thinned to every 2nd, 3rd, ... of its values, the one with the most values read
 * among, in turn: the axes a figure shows one slice of, the axes it draws (x, the ratio), and
 * last the aggregated axes, whose statistics want every replicate. Pure: the SQL is
 * query-sql.ts's gridSql.
 */

export interface GridAxis {
  readonly name: string;
  /** Values on the axis (its positions 0 .. length - 1). */
  readonly length: number;
}

export interface DrawnGrid {
  /** Per axis, in the sweep's axis order: read positions 0, stride, 2 stride, ... */
  readonly strides: readonly number[];
  /** Per axis: the one position read (an axis held by --slice), or null. */
  readonly held: readonly (number | null)[];
  /** Cells of the grid (stored or not), and of the slice it is drawn from (the sweep, unless held). */
  readonly cells: number;
  readonly total: number;
}

/** Cells a figure reads at most: 128 x 128 (a figure is 620 x 380 pixels). */
export const DRAWN_CELLS = 16_384;

const count = (length: number, stride: number): number => Math.ceil(length / stride);

/** What a view does with the axes: draws them (x, the ratio) or pools them (--aggregate). */
export interface GridUse {
  readonly drawn: readonly string[];
  readonly pooled: readonly string[];
}

/**
 * The sub-grid read: every cell when the sweep (its held slice) has at most `limit`, else the
 * axes thinned, largest first: sliced axes, then drawn ones, then pooled ones, each class only
 * once the one before is down to one value an axis.
 */
export function drawnGrid(
  axes: readonly GridAxis[],
  held: ReadonlyMap<string, number>,
  use: GridUse,
  limit = DRAWN_CELLS,
): DrawnGrid {
  const strides = axes.map(() => 1);
  const heldAt = axes.map((a) => held.get(a.name) ?? null);
  const counts = axes.map((a, i) => (heldAt[i] !== null ? 1 : a.length));
  const cellsOf = (): number => counts.reduce((p, c) => p * c, 1);
  const total = cellsOf();
  const rank = (name: string): number => (use.pooled.includes(name) ? 2 : use.drawn.includes(name) ? 1 : 0);
  while (cellsOf() > limit) {
    let pick = -1;
    for (const r of [0, 1, 2]) {
      for (let i = 0; i < axes.length; i++)
        if (
          heldAt[i] === null &&
          counts[i] > 1 &&
          rank(axes[i].name) === r &&
          (pick < 0 || counts[i] > counts[pick])
        )
          pick = i;
      if (pick >= 0) break;
    }
    if (pick < 0) break; // every axis at one value: one cell
    // The smallest stride that about halves the values read (at least one fewer).
    const target = Math.max(1, Math.floor(counts[pick] / 2));
    let s = strides[pick] + 1;
    while (count(axes[pick].length, s) > target) s++;
    strides[pick] = s;
    counts[pick] = count(axes[pick].length, s);
  }
  return { strides, held: heldAt, cells: cellsOf(), total };
}

/** Whether the grid leaves cells out (other than by holding an axis). */
export const thinned = (grid: DrawnGrid): boolean => grid.strides.some((s) => s > 1);

/**
 * What was read, for a figure's note: "every 4th lambda and every 4th ratio (62,500 of 1,000,000
 * cells)".
 */
export function gridNote(axes: readonly GridAxis[], grid: DrawnGrid): string | null {
  if (!thinned(grid)) return null;
  const nth = (s: number): string => (s === 2 ? '2nd' : s === 3 ? '3rd' : `${String(s)}th`);
  const parts = axes.flatMap((a, i) =>
    grid.strides[i] > 1 ? [`every ${nth(grid.strides[i])} ${a.name}`] : [],
  );
  const list =
    parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
  return `${list} (${grid.cells.toLocaleString('en-US')} of ${grid.total.toLocaleString('en-US')} cells)`;
}

/**
 * The indices of the grid's cells, in order, over `axes` (a prefix of the grid's axes: the game
 * axes, for step-size runs indexed by game). At most the grid's cell count.
 */
export function gridIndices(axes: readonly GridAxis[], grid: Pick<DrawnGrid, 'strides' | 'held'>): number[] {
  let indices = [0];
  for (let i = 0; i < axes.length; i++) {
    const held = grid.held[i];
    const positions: number[] = [];
    if (held !== null) positions.push(held);
    else for (let k = 0; k < axes[i].length; k += grid.strides[i]) positions.push(k);
    const next: number[] = [];
    for (const base of indices) for (const k of positions) next.push(base * axes[i].length + k);
    indices = next;
  }
  return indices;
}

/** Whether cell `index` of a sweep over `axes` lies on the grid (its positions decoded). */
export function onGrid(
  axes: readonly GridAxis[],
  grid: Pick<DrawnGrid, 'strides' | 'held'>,
  index: number,
): boolean {
  let rest = index;
  for (let i = axes.length - 1; i >= 0; i--) {
    const k = rest % axes[i].length;
    rest = (rest - k) / axes[i].length;
    const held = grid.held[i];
    if (held !== null ? k !== held : k % grid.strides[i] !== 0) return false;
  }
  return true;
}
