import { describe, expect, it } from 'vitest';
import { DRAWN_CELLS, drawnGrid, gridIndices, gridNote, onGrid } from './drawn-grid.js';

const axes = (...lengths: [string, number][]) => lengths.map(([name, length]) => ({ name, length }));
const none = new Map<string, number>();
const plain = { drawn: ['lambda', 'ratio'], pooled: [] };

/** The indices a grid keeps, by decoding every index of the sweep (the slow, obvious way). */
function bruteForce(
  lengths: number[],
  strides: readonly number[],
  held: readonly (number | null)[],
): number[] {
  const total = lengths.reduce((p, n) => p * n, 1);
  const kept: number[] = [];
  for (let index = 0; index < total; index++) {
    let rest = index;
    let keep = true;
    for (let i = lengths.length - 1; i >= 0; i--) {
      const k = rest % lengths[i];
      rest = (rest - k) / lengths[i];
      if (held[i] !== null ? k !== held[i] : k % strides[i] !== 0) keep = false;
    }
    if (keep) kept.push(index);
  }
  return kept;
}

describe('drawnGrid', () => {
  it('reads every cell of a sweep that fits', () => {
    const g = drawnGrid(axes(['lambda', 100], ['ratio', 100]), none, plain);
    expect(g).toEqual({ strides: [1, 1], held: [null, null], cells: 10_000, total: 10_000 });
    expect(gridNote(axes(['lambda', 100], ['ratio', 100]), g)).toBeNull();
  });

  it('thins the largest axes of a million-cell sweep to at most DRAWN_CELLS, evenly', () => {
    const a = axes(['lambda', 1000], ['ratio', 1000]);
    const g = drawnGrid(a, none, plain);
    expect(g.strides).toEqual([8, 8]);
    expect(g.cells).toBe(125 * 125);
    expect(g.cells).toBeLessThanOrEqual(DRAWN_CELLS);
    expect(gridNote(a, g)).toBe('every 8th lambda and every 8th ratio (15,625 of 1,000,000 cells)');
  });

  it('reads a held axis at its one position, and thins the rest only as far as needed', () => {
    const a = axes(['seed', 50], ['lambda', 1000], ['ratio', 1000]);
    const g = drawnGrid(a, new Map([['seed', 7]]), plain);
    expect(g.held).toEqual([7, null, null]);
    expect(g.total).toBe(1_000_000);
    expect(g.cells).toBeLessThanOrEqual(DRAWN_CELLS);
    // Held at one value, the slice of 1,000 x 1,000 reads as the whole sweep of that size does.
    expect(g.strides.slice(1)).toEqual([8, 8]);
  });

  it('thins a sliced axis before the drawn ones, and an aggregated axis last', () => {
    // seed x lambda, lambda on x: the figures show one seed at a time, so seeds go first.
    const sliced = drawnGrid(axes(['seed', 100], ['lambda', 200]), none, { drawn: ['lambda'], pooled: [] });
    expect(sliced.strides).toEqual([2, 1]);
    const a = axes(['seed', 30], ['lambda', 1000], ['ratio', 1000]);
    const g = drawnGrid(a, none, { drawn: ['lambda', 'ratio'], pooled: ['seed'] });
    expect(g.strides[0]).toBe(1);
    expect(g.cells).toBeLessThanOrEqual(DRAWN_CELLS);
    const all = drawnGrid(axes(['seed', 100_000], ['ratio', 2]), none, {
      drawn: ['ratio'],
      pooled: ['seed'],
    });
    expect(all.strides[1]).toBe(2); // the ratio first, down to one value
    expect(all.strides[0]).toBeGreaterThan(1);
    expect(all.cells).toBeLessThanOrEqual(DRAWN_CELLS);
  });

  it("lists the grid's indices, and tells one on it, as decoding every index would", () => {
    const lengths = [5, 7, 6];
    for (const [strides, held] of [
      [
        [2, 3, 1],
        [null, null, null],
      ],
      [
        [1, 2, 4],
        [3, null, null],
      ],
      [
        [1, 1, 1],
        [null, 6, 0],
      ],
    ] as [number[], (number | null)[]][]) {
      const a = axes(['a', 5], ['b', 7], ['c', 6]);
      const kept = bruteForce(lengths, strides, held);
      expect(gridIndices(a, { strides, held })).toEqual(kept);
      const all = Array.from({ length: 5 * 7 * 6 }, (_, i) => i);
      expect(all.filter((i) => onGrid(a, { strides, held }, i))).toEqual(kept);
    }
  });
});
