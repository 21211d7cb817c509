/**
 * The summary statistics against NumPy: np.percentile (default 'linear'), np.median, np.mean of
 * fixed samples (scripts/reference/percentiles.py; live when NumPy is here, the stored copy always).
 */
import { describe, expect, it } from 'vitest';
import { finiteSorted, quantileSorted, rate, summarise } from './stats.js';
import { loadStored, runPythonReference } from '../test/support/python-reference.js';

interface Reference {
  numpy: string;
  samples: { x: number[]; q1: number; median: number; q3: number; p10: number; p90: number; mean: number }[];
}

function check(ref: Reference): void {
  expect(ref.samples.length).toBeGreaterThan(10);
  for (const s of ref.samples) {
    const xs = finiteSorted(s.x);
    const sum = summarise(s.x);
    if (!sum) throw new Error('no summary');
    // Quantiles and the median are a sort and one interpolation: NumPy's bits exactly.
    expect(sum.q1).toBe(s.q1);
    expect(sum.median).toBe(s.median);
    expect(sum.q3).toBe(s.q3);
    expect(quantileSorted(xs, 0.1)).toBe(s.p10);
    expect(quantileSorted(xs, 0.9)).toBe(s.p90);
    // NumPy sums pairwise: the mean agrees to rounding (1e-12 of the largest magnitude).
    const scale = Math.max(...s.x.map(Math.abs));
    expect(Math.abs(sum.mean - s.mean)).toBeLessThanOrEqual(1e-12 * scale);
    expect(sum.n).toBe(s.x.length);
  }
}

describe('stats: NumPy percentile, median and mean', () => {
  it('equal the stored NumPy values', () => {
    check(loadStored<Reference>('report/testdata/percentiles.json'));
  });

  it('equal NumPy itself when it is installed', (ctx) => {
    const live = runPythonReference<Reference>('percentiles.py');
    if (!live.ok) ctx.skip();
    else check(live.data);
  });

  it('leaves out nulls and non-finite values; nothing finite is no summary', () => {
    expect(summarise([null, Number.NaN, 2, Infinity, 1, undefined, 4])).toEqual({
      n: 3,
      mean: 7 / 3,
      median: 2,
      q1: 1.5,
      q3: 3,
      min: 1,
      max: 4,
    });
    expect(summarise([null, Number.NaN])).toBeNull();
    expect(quantileSorted([], 0.5)).toBeNaN();
    expect(() => quantileSorted([1], 1.5)).toThrow(RangeError);
  });

  it('rate is the fraction for which the condition holds', () => {
    expect(rate([1, -1, 2, 0], (x) => x > 0)).toBe(0.5);
    expect(rate([], () => true)).toBeNaN();
  });
});
