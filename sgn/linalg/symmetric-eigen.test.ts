import { EigenvalueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { type DenseMatrix, fromRows, identity, scale, zeros } from './matrix.js';
import { randomSymmetric } from './random-matrices.js';
import { defaultRng } from '../random/generator.js';
import {
  symmetricEigen,
  symmetricEigenvalues,
  symmetricExtremeEigenpair,
  tridiagonalEigenvalues,
  tridiagonalEigenvector,
  tridiagonalExtremeEigenvalue,
} from './symmetric-eigen.js';
import {
  eigenResidual,
  maxAbs,
  sortedAsc,
  symmetricWithSpectrum,
  twoEigenvalueMatrix,
} from './test-utils.js';
import { toMlMatrix } from './ml-matrix-adapter.js';

// Tolerances (absolute, relative to ||A||_2 = max |lambda|): our dense kernels measure ~1e-14
// against NumPy; ml-matrix (JAMA) itself is ~3e-14 at n = 512, hence 1e-12 against it.
const TOL_VS_ML = 1e-12;
const TOL_EXACT = 1e-13; // against exactly known spectra / residuals

function mlSymmetricValues(a: DenseMatrix): number[] {
  return sortedAsc(new EigenvalueDecomposition(toMlMatrix(a), { assumeSymmetric: true }).realEigenvalues);
}

function column(m: DenseMatrix, j: number): Float64Array {
  const v = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) v[i] = m.data[i * m.cols + j];
  return v;
}

/** A V = V diag(values) (columnwise residual) and V^T V = I, with one expect per property. */
function checkFullDecomposition(a: DenseMatrix, tol: number): void {
  const n = a.rows;
  const { values, vectors } = symmetricEigen(a);
  const nrm = Math.max(maxAbs(values), 1e-300);
  let res = 0;
  let sorted = true;
  for (let j = 0; j < n; j++) {
    res = Math.max(res, eigenResidual(a, column(vectors, j), values[j]));
    if (j > 0 && values[j] < values[j - 1]) sorted = false;
  }
  expect(sorted).toBe(true);
  expect(res).toBeLessThanOrEqual(tol * nrm * Math.sqrt(n));
  let orth = 0;
  for (let p = 0; p < n; p++)
    for (let q = 0; q <= p; q++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += vectors.data[i * n + p] * vectors.data[i * n + q];
      orth = Math.max(orth, Math.abs(s - (p === q ? 1 : 0)));
    }
  expect(orth).toBeLessThanOrEqual(1e-13 * Math.sqrt(n));
}

describe('symmetricEigenvalues vs ml-matrix EigenvalueDecomposition', () => {
  const rng = defaultRng(101);
  for (const n of [1, 2, 3, 10, 64, 200]) {
    it(`random symmetric n=${n}`, () => {
      const a = randomSymmetric(n, rng);
      const ours = symmetricEigenvalues(a);
      const ref = mlSymmetricValues(a);
      const nrm = maxAbs(ref);
      let err = 0;
      for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(ours[i] - ref[i]));
      expect(err).toBeLessThanOrEqual(TOL_VS_ML * nrm);
      checkFullDecomposition(a, TOL_EXACT);
      for (const which of ['min', 'max'] as const) {
        const ex = symmetricExtremeEigenpair(a, which);
        const want = which === 'min' ? ref[0] : ref[n - 1];
        expect(Math.abs(ex.value - want)).toBeLessThanOrEqual(TOL_VS_ML * nrm);
        expect(eigenResidual(a, ex.vector, ex.value)).toBeLessThanOrEqual(TOL_EXACT * nrm);
      }
    });
  }

  it('random symmetric n=512 (values, extreme pair)', () => {
    const a = randomSymmetric(512, defaultRng(512));
    const ours = symmetricEigenvalues(a);
    const ref = mlSymmetricValues(a);
    const nrm = maxAbs(ref);
    let err = 0;
    for (let i = 0; i < 512; i++) err = Math.max(err, Math.abs(ours[i] - ref[i]));
    expect(err).toBeLessThanOrEqual(TOL_VS_ML * nrm);
    const ex = symmetricExtremeEigenpair(a, 'min');
    expect(Math.abs(ex.value - ref[0])).toBeLessThanOrEqual(TOL_VS_ML * nrm);
    expect(eigenResidual(a, ex.vector, ex.value)).toBeLessThanOrEqual(TOL_EXACT * nrm);
  });
});

describe('symmetric eigen: nasty cases', () => {
  it('1x1', () => {
    const a = fromRows([[-3.5]]);
    expect(Array.from(symmetricEigenvalues(a))).toEqual([-3.5]);
    const { values, vectors } = symmetricEigen(a);
    expect(values[0]).toBe(-3.5);
    expect(Math.abs(vectors.data[0])).toBe(1);
    expect(symmetricExtremeEigenpair(a, 'max').value).toBe(-3.5);
  });

  it('0x0', () => {
    expect(symmetricEigenvalues(zeros(0, 0)).length).toBe(0);
    expect(symmetricEigen(zeros(0, 0)).values.length).toBe(0);
  });

  it('zero matrix', () => {
    const a = zeros(7, 7);
    expect(Array.from(symmetricEigenvalues(a))).toEqual(new Array(7).fill(0));
    checkFullDecomposition(a, TOL_EXACT);
    const ex = symmetricExtremeEigenpair(a, 'min');
    expect(ex.value).toBe(0);
    expect(Math.abs(Math.hypot(...ex.vector) - 1)).toBeLessThan(1e-15);
  });

  it('diagonal (unsorted, with repeats) is returned exactly', () => {
    const diag = [3, -1, 2, 2, 0, -1, 5];
    const n = diag.length;
    const a = zeros(n, n);
    diag.forEach((x, i) => (a.data[i * n + i] = x));
    expect(Array.from(symmetricEigenvalues(a))).toEqual(sortedAsc(diag));
    checkFullDecomposition(a, TOL_EXACT);
    expect(symmetricExtremeEigenpair(a, 'min').value).toBe(-1);
    expect(symmetricExtremeEigenpair(a, 'max').value).toBe(5);
  });

  it('identity and scaled identity', () => {
    expect(Array.from(symmetricEigenvalues(scale(identity(5), -2)))).toEqual([-2, -2, -2, -2, -2]);
    checkFullDecomposition(identity(6), TOL_EXACT);
  });

  it('repeated eigenvalues: [[I, cR], [cR^T, I]] has only 1 -+ c', () => {
    for (const m of [1, 5, 40]) {
      const c = 0.6;
      const a = twoEigenvalueMatrix(m, c, defaultRng(m));
      const ev = symmetricEigenvalues(a);
      for (let i = 0; i < m; i++) expect(Math.abs(ev[i] - (1 - c))).toBeLessThanOrEqual(TOL_EXACT * 2);
      for (let i = m; i < 2 * m; i++) expect(Math.abs(ev[i] - (1 + c))).toBeLessThanOrEqual(TOL_EXACT * 2);
      checkFullDecomposition(a, TOL_EXACT);
      const ex = symmetricExtremeEigenpair(a, 'min');
      expect(Math.abs(ex.value - (1 - c))).toBeLessThanOrEqual(TOL_EXACT * 2);
      expect(eigenResidual(a, ex.vector, ex.value)).toBeLessThanOrEqual(TOL_EXACT * 2);
    }
  });

  it('negative definite with known spectrum, including a tight cluster', () => {
    const values = [-10, -7, -7 + 1e-9, -7 - 1e-9, -3, -1e-3, -2.5, -6, -0.5, -4];
    const a = symmetricWithSpectrum(values, defaultRng(3));
    const ev = symmetricEigenvalues(a);
    const ref = sortedAsc(values);
    for (let i = 0; i < values.length; i++)
      expect(Math.abs(ev[i] - ref[i])).toBeLessThanOrEqual(TOL_EXACT * 10);
    checkFullDecomposition(a, TOL_EXACT);
    expect(Math.abs(symmetricExtremeEigenpair(a, 'max').value + 1e-3)).toBeLessThanOrEqual(TOL_EXACT * 10);
  });

  it('graded scales (1e-8 .. 1e8) stay accurate relative to ||A||', () => {
    const values = [1e8, 1, -1e-8, 3e4, -2e2, 5e-3];
    const a = symmetricWithSpectrum(values, defaultRng(4));
    const ev = symmetricEigenvalues(a);
    const ref = sortedAsc(values);
    for (let i = 0; i < values.length; i++)
      expect(Math.abs(ev[i] - ref[i])).toBeLessThanOrEqual(TOL_EXACT * 1e8);
  });

  it('rejects non-square and non-finite input', () => {
    expect(() => symmetricEigenvalues(zeros(2, 3))).toThrow(/square/);
    expect(() =>
      symmetricEigen(
        fromRows([
          [1, 0],
          [0, NaN],
        ]),
      ),
    ).toThrow(/finite/);
    expect(() => symmetricExtremeEigenpair(fromRows([[Infinity]]), 'min')).toThrow(/finite/);
  });

  it('reads only the lower triangle', () => {
    const a = fromRows([
      [2, 999, 999],
      [1, 3, 999],
      [0, 1, 4],
    ]);
    const s = fromRows([
      [2, 1, 0],
      [1, 3, 1],
      [0, 1, 4],
    ]);
    expect(Array.from(symmetricEigenvalues(a))).toEqual(Array.from(symmetricEigenvalues(s)));
  });
});

describe('tridiagonal kernels', () => {
  function tridiagDense(d: number[], e: number[]): DenseMatrix {
    const n = d.length;
    const a = zeros(n, n);
    for (let i = 0; i < n; i++) {
      a.data[i * n + i] = d[i];
      if (i < n - 1) {
        a.data[i * n + i + 1] = e[i];
        a.data[(i + 1) * n + i] = e[i];
      }
    }
    return a;
  }

  it('random tridiagonal vs ml-matrix, plus bisection and inverse iteration', () => {
    const rng = defaultRng(77);
    for (const n of [1, 2, 3, 10, 64, 200]) {
      const d = Array.from({ length: n }, () => 2 * rng.uniform() - 1);
      const e = Array.from({ length: Math.max(n - 1, 0) }, () => 2 * rng.uniform() - 1);
      const ref = mlSymmetricValues(tridiagDense(d, e));
      const nrm = maxAbs(ref);
      const ev = tridiagonalEigenvalues(d, e);
      for (let i = 0; i < n; i++) expect(Math.abs(ev[i] - ref[i])).toBeLessThanOrEqual(TOL_VS_ML * nrm);
      for (const which of ['min', 'max'] as const) {
        const lam = tridiagonalExtremeEigenvalue(d, e, n, which);
        expect(Math.abs(lam - (which === 'min' ? ref[0] : ref[n - 1]))).toBeLessThanOrEqual(TOL_VS_ML * nrm);
        const v = tridiagonalEigenvector(d, e, n, lam);
        expect(eigenResidual(tridiagDense(d, e), v, lam)).toBeLessThanOrEqual(TOL_EXACT * nrm);
      }
    }
  });

  it('Wilkinson W21+ (pairs of nearly equal eigenvalues) and reducible cases', () => {
    const d = Array.from({ length: 21 }, (_, i) => Math.abs(10 - i));
    const e = new Array(20).fill(1);
    const ref = mlSymmetricValues(tridiagDense(d, e));
    const ev = tridiagonalEigenvalues(d, e);
    for (let i = 0; i < 21; i++) expect(Math.abs(ev[i] - ref[i])).toBeLessThanOrEqual(TOL_VS_ML * 11);
    // Zero off-diagonals split the matrix; repeated diagonal values give repeated eigenvalues.
    expect(Array.from(tridiagonalEigenvalues([2, 2, -1, 2], [0, 0, 0]))).toEqual([-1, 2, 2, 2]);
    expect(tridiagonalExtremeEigenvalue([2, 2, -1, 2], [0, 0, 0], 4, 'min')).toBeCloseTo(-1, 14);
    const v = tridiagonalEigenvector([2, 2, 2], [0, 0], 3, 2);
    expect(Math.hypot(...v)).toBeCloseTo(1, 14);
  });
});
