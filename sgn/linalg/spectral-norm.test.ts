import { EigenvalueDecomposition, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { type DenseMatrix, fromRows, matvec, matvecT, symPart, zeros } from './matrix.js';
import { randomMatrix, randomSymmetric } from './random-matrices.js';
import { defaultRng } from '../random/generator.js';
import { maxSymmetricEigenvalue, minSymmetricEigenvalue, spectralNorm } from './spectral-norm.js';
import { maxAbs, sortedAsc, symmetricWithSpectrum } from './test-utils.js';
import { toMlMatrix } from './ml-matrix-adapter.js';

// Tolerances (relative): dense paths ~1e-15 measured, Lanczos converged to tol = 1e-12 on the
// residual of A^T A (or A), so sigma is within ~tol/2 and eigenvalues within ~tol ||A||.
const TOL_DENSE = 1e-13;
const TOL_LANCZOS = 1e-11;
const METHODS = ['dense', 'lanczos', 'auto'] as const;

function mlSigmaMax(a: DenseMatrix): number {
  const svd = new SingularValueDecomposition(toMlMatrix(a), {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
    autoTranspose: true,
  });
  return Math.max(...svd.diagonal);
}

function checkSpectral(a: DenseMatrix, ref: number): void {
  for (const method of METHODS) {
    const r = spectralNorm(a, { method });
    const tol = method === 'dense' ? TOL_DENSE : TOL_LANCZOS;
    expect(Math.abs(r.value - ref), `${a.rows}x${a.cols} ${method}`).toBeLessThanOrEqual(
      tol * Math.max(ref, 1e-300),
    );
    expect(r.rightVector.length).toBe(a.cols);
    expect(Math.abs(Math.hypot(...r.rightVector) - 1)).toBeLessThan(1e-13);
    // Right singular vector: ||A^T A v - sigma^2 v|| small relative to sigma^2.
    const g = matvecT(a, matvec(a, r.rightVector));
    let res = 0;
    for (let i = 0; i < a.cols; i++)
      res = Math.max(res, Math.abs(g[i] - r.value * r.value * r.rightVector[i]));
    expect(res).toBeLessThanOrEqual(10 * tol * ref * ref + 1e-300);
  }
}

describe('spectralNorm vs ml-matrix SingularValueDecomposition', () => {
  const rng = defaultRng(303);
  const shapes: [number, number][] = [
    [1, 1],
    [2, 2],
    [3, 3],
    [10, 10],
    [64, 64],
    [200, 200],
    [1, 5],
    [5, 1],
    [3, 7],
    [10, 3],
    [64, 20],
    [30, 200],
    [200, 120],
  ];
  for (const [m, n] of shapes) {
    it(`random ${m}x${n}`, () => {
      const a = randomMatrix(m, n, rng);
      checkSpectral(a, mlSigmaMax(a));
    });
  }

  it('random 512x300 (the large rectangular case)', () => {
    const a = randomMatrix(512, 300, defaultRng(512));
    checkSpectral(a, mlSigmaMax(a));
  });
});

describe('spectralNorm: nasty cases and warm start', () => {
  it('zero, empty and 1x1', () => {
    for (const method of METHODS) {
      const z = spectralNorm(zeros(4, 3), { method });
      expect(z.value).toBe(0);
      expect(z.rightVector.length).toBe(3);
      expect(spectralNorm(fromRows([[-3]]), { method }).value).toBe(3);
    }
    expect(spectralNorm(zeros(0, 3)).value).toBe(0);
    expect(() => spectralNorm(fromRows([[1, NaN]]))).toThrow(/finite/);
    expect(() => minSymmetricEigenvalue(fromRows([[NaN]]))).toThrow(/finite/);
    expect(() => maxSymmetricEigenvalue(zeros(2, 3))).toThrow(/square/);
  });

  it('repeated top singular value (orthogonal times scalar) and rank one', () => {
    const q = symmetricWithSpectrum([1, -1, 1, -1, 1, 1, -1, 1], defaultRng(8)); // orthogonal, symmetric
    for (const method of METHODS) {
      const r = spectralNorm({ rows: 8, cols: 8, data: q.data.map((x) => 2.5 * x) }, { method });
      expect(Math.abs(r.value - 2.5)).toBeLessThanOrEqual(1e-14 * 2.5);
    }
    const u = [1, 2, 3, 4];
    const v = [1, -1, 0.5];
    const rank1 = fromRows(u.map((x) => v.map((y) => x * y)));
    const want = Math.hypot(...u) * Math.hypot(...v);
    for (const method of METHODS)
      expect(Math.abs(spectralNorm(rank1, { method }).value - want)).toBeLessThanOrEqual(1e-14 * want);
  });

  it('warm start (previous right vector) keeps the value (iteration savings: lanczos.test.ts)', () => {
    const rng = defaultRng(44);
    const a = randomMatrix(300, 300, rng);
    const b = randomMatrix(300, 300, rng);
    const first = spectralNorm(a, { method: 'lanczos' });
    const a2 = { rows: 300, cols: 300, data: a.data.map((x, k) => x + 1e-3 * b.data[k]) };
    const warm = spectralNorm(a2, { method: 'lanczos', start: first.rightVector }).value;
    const dense = spectralNorm(a2, { method: 'dense' }).value;
    expect(Math.abs(warm - dense)).toBeLessThanOrEqual(TOL_LANCZOS * dense);
    // Wide matrix: the start is a right vector and is mapped to the left space internally.
    const wide = randomMatrix(40, 150, rng);
    const w0 = spectralNorm(wide, { method: 'lanczos' });
    const w1 = spectralNorm(wide, { method: 'lanczos', start: w0.rightVector });
    expect(Math.abs(w1.value - w0.value)).toBeLessThanOrEqual(TOL_LANCZOS * w0.value);
    expect(() => spectralNorm(wide, { method: 'lanczos', start: new Float64Array(40) })).toThrow(/length/);
  });
});

describe('min/maxSymmetricEigenvalue vs ml-matrix EigenvalueDecomposition', () => {
  const rng = defaultRng(404);
  for (const n of [1, 2, 3, 10, 64, 200]) {
    it(`random symmetric n=${n}`, () => {
      const a = randomSymmetric(n, rng);
      const ref = sortedAsc(
        new EigenvalueDecomposition(toMlMatrix(a), { assumeSymmetric: true }).realEigenvalues,
      );
      const nrm = maxAbs(ref);
      for (const method of METHODS) {
        const tol = method === 'dense' ? TOL_DENSE * 10 : TOL_LANCZOS;
        const lo = minSymmetricEigenvalue(a, { method });
        const hi = maxSymmetricEigenvalue(a, { method });
        expect(Math.abs(lo.value - ref[0]), `${n} ${method} min`).toBeLessThanOrEqual(tol * nrm);
        expect(Math.abs(hi.value - ref[n - 1]), `${n} ${method} max`).toBeLessThanOrEqual(tol * nrm);
        const av = matvec(a, lo.vector);
        let res = 0;
        for (let i = 0; i < n; i++) res = Math.max(res, Math.abs(av[i] - lo.value * lo.vector[i]));
        expect(res).toBeLessThanOrEqual(tol * nrm);
      }
    });
  }

  it('non-symmetric input is read as sym(A) by both paths', () => {
    const a = randomMatrix(30, 30, defaultRng(12));
    const want = minSymmetricEigenvalue(symPart(a), { method: 'dense' }).value;
    for (const method of METHODS)
      expect(Math.abs(minSymmetricEigenvalue(a, { method }).value - want)).toBeLessThanOrEqual(
        1e-11 * Math.abs(want),
      );
  });

  it('negative definite, repeated extremes, zero and 1x1', () => {
    const values = [-9, -9, -9, -4, -2, -2, -0.25, -7, -3, -1];
    const a = symmetricWithSpectrum(values, defaultRng(13));
    for (const method of METHODS) {
      expect(Math.abs(minSymmetricEigenvalue(a, { method }).value + 9)).toBeLessThanOrEqual(1e-13 * 9);
      expect(Math.abs(maxSymmetricEigenvalue(a, { method }).value + 0.25)).toBeLessThanOrEqual(1e-12 * 9);
      expect(minSymmetricEigenvalue(zeros(5, 5), { method }).value).toBe(0);
      expect(maxSymmetricEigenvalue(fromRows([[4]]), { method }).value).toBe(4);
    }
  });

  it('warm start from a neighbouring matrix agrees with dense', () => {
    const n = 150;
    const a = randomSymmetric(n, defaultRng(14));
    const b = randomSymmetric(n, defaultRng(15));
    const first = minSymmetricEigenvalue(a, { method: 'lanczos' });
    const a2 = { rows: n, cols: n, data: a.data.map((x, k) => x + 1e-3 * b.data[k]) };
    const warm = minSymmetricEigenvalue(a2, { method: 'lanczos', start: first.vector });
    const dense = minSymmetricEigenvalue(a2, { method: 'dense' });
    expect(Math.abs(warm.value - dense.value)).toBeLessThanOrEqual(TOL_LANCZOS * 20);
  });
});
