import { describe, expect, it } from 'vitest';
import { InputError } from '../sgn/util/errors.js';
import { axesDifference, CellComparison, parseOutputs } from './compare.js';
import type { ResultRow } from './queries.js';
import type { SweepAxis } from './resolved.js';

const axis = (name: string, values: number[]): SweepAxis => ({
  name,
  target: name === 'ratio' ? 'weights' : 'game',
  field: name,
  axis: { values },
  length: values.length,
});

const row = (lambda: number, ratio: number, alpha: number, certified: boolean): ResultRow =>
  ({ params: { lambda, ratio }, alpha, beta: 1, certified, error: null }) as unknown as ResultRow;

describe('sweep compare', () => {
  it('refuses axes that differ in names or values', () => {
    const a = [axis('lambda', [0, 1]), axis('ratio', [1, 2])];
    expect(axesDifference(a, [axis('lambda', [0, 1]), axis('ratio', [1, 2])])).toBeNull();
    expect(axesDifference(a, [axis('mu0', [0, 1]), axis('ratio', [1, 2])])).toBe(
      'axes differ: (lambda, ratio) vs (mu0, ratio)',
    );
    expect(axesDifference(a, [axis('lambda', [0, 1.5]), axis('ratio', [1, 2])])).toMatch(
      /^axis lambda differs/,
    );
  });

  it('compares the cells both store, counts the others, and keeps the largest difference and where', () => {
    // Cells as the paired read hands them over (by index): A's and B's row, or null.
    const pairs: [ResultRow | null, ResultRow | null][] = [
      [row(0, 1, 0.5, true), row(0, 1, 0.4, true)],
      [row(0, 2, 0.25, true), row(0, 2, 0.25, true)],
      [row(1, 1, -0.1, false), row(1, 1, 0.2, true)],
      [null, row(1, 2, 3, true)],
    ];
    const c = new CellComparison(['alpha', 'certified']);
    const diffs = pairs.map(([a, b]) => c.add(a, b));
    expect(diffs.map((x) => x?.values.alpha.diff ?? null)).toEqual([0.4 - 0.5, 0, 0.2 - -0.1, null]);
    expect(diffs.map((x) => x?.values.certified.diff ?? null)).toEqual([0, 0, 1, null]);
    expect([c.compared, c.onlyA, c.onlyB]).toEqual([3, 0, 1]);
    expect([c.certifiedOnlyB, c.certifiedOnlyA]).toEqual([1, 0]);
    const [alpha, certified] = c.summaries();
    expect(alpha).toMatchObject({ maxAbs: 0.2 - -0.1, at: { lambda: 1, ratio: 1 }, differing: 2 });
    expect(certified.differing).toBe(1);
  });

  it('reads --output lists and names a wrong one', () => {
    expect(parseOutputs(undefined)).toEqual(['alpha', 'beta', 'certified']);
    expect(parseOutputs(['beta,alphaTrue', 'beta'])).toEqual(['beta', 'alphaTrue']);
    expect(() => parseOutputs(['alfa'])).toThrow(InputError);
  });
});
