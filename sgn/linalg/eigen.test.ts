import { EigenvalueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { spectralRadius } from './eigen.js';
import { fromRows } from './matrix.js';
import { toMlMatrix } from './ml-matrix-adapter.js';
import { randomMatrix } from './random-matrices.js';
import { defaultRng } from '../random/generator.js';

describe('spectralRadius', () => {
  it('is the modulus of a complex pair: a scaled rotation', () => {
    // 2 [[cos t, -sin t], [sin t, cos t]]: eigenvalues 2 e^(+-it).
    const t = 0.7;
    const a = fromRows([
      [2 * Math.cos(t), -2 * Math.sin(t)],
      [2 * Math.sin(t), 2 * Math.cos(t)],
    ]);
    expect(spectralRadius(a)).toBeCloseTo(2, 14);
  });

  it('matches ml-matrix on gain-matrix-like inputs (zero diagonal, nonnegative off it)', () => {
    const rng = defaultRng(11);
    for (const n of [3, 5, 8, 20]) {
      const g = randomMatrix(n, n, rng);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) g.data[i * n + j] = i === j ? 0 : Math.abs(g.data[i * n + j]);
      const e = new EigenvalueDecomposition(toMlMatrix(g));
      const ref = Math.max(...e.realEigenvalues.map((re, k) => Math.hypot(re, e.imaginaryEigenvalues[k])));
      expect(Math.abs(spectralRadius(g) - ref)).toBeLessThanOrEqual(1e-12 * ref);
    }
  });
});
