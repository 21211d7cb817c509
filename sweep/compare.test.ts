import { describe, expect, it } from 'vitest';
import { InputError } from '../sgn/util/errors.js';
import { axesDifference, compareCells, parseOutputs, summarise } from './compare.js';
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

  it('matches cells by their params, not their order', () => {
    const axes = [axis('lambda', [0, 1]), axis('ratio', [1, 2])];
    const a = [row(0, 1, 0.5, true), row(0, 2, 0.25, true), row(1, 1, -0.1, false)];
    const b = [row(1, 1, 0.2, true), row(0, 2, 0.25, true), row(0, 1, 0.4, true), row(1, 2, 3, true)];
    const c = compareCells(axes, a, b, ['alpha', 'certified']);
    expect(c.cells.map((x) => x.values.alpha.diff)).toEqual([0.4 - 0.5, 0, 0.2 - -0.1]);
    expect(c.cells.map((x) => x.values.certified.diff)).toEqual([0, 0, 1]);
    expect([c.onlyA, c.onlyB]).toEqual([0, 1]);
    const [alpha, certified] = summarise(c);
    expect(alpha).toMatchObject({ maxAbs: 0.2 - -0.1, at: { lambda: 1, ratio: 1 }, differing: 2 });
    expect(certified.differing).toBe(1);
  });

  it('reads --output lists and names a wrong one', () => {
    expect(parseOutputs(undefined)).toEqual(['alpha', 'beta', 'certified']);
    expect(parseOutputs(['beta,alphaTrue', 'beta'])).toEqual(['beta', 'alphaTrue']);
    expect(() => parseOutputs(['alfa'])).toThrow(InputError);
  });
});
