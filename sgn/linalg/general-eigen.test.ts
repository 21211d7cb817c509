import { EigenvalueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { generalEigenvalues } from './general-eigen.js';
import { type DenseMatrix, fromRows, zeros } from './matrix.js';
import { randomMatrix, randomSymmetric } from './random-matrices.js';
import { defaultRng } from '../random/generator.js';
import { eigenvalueMatchError, generalWithSpectrum, maxAbs } from './test-utils.js';
import { toMlMatrix } from './ml-matrix-adapter.js';

// Tolerance: backward-stable QR gives eigenvalue errors ~ cond(lambda) * eps * ||A||; random
// Gaussian matrices have modest condition numbers (measured ~1e-14 * ||A|| vs NumPy), so 1e-11
// relative to ||A|| (here: the Frobenius norm, an upper bound) leaves room for ml-matrix's own error.
const TOL = 1e-11;

function frob(a: DenseMatrix): number {
  return Math.hypot(...a.data);
}

function mlEigenvalues(a: DenseMatrix): { re: number[]; im: number[] } {
  const e = new EigenvalueDecomposition(toMlMatrix(a), { assumeSymmetric: false });
  return { re: e.realEigenvalues, im: e.imaginaryEigenvalues };
}

function checkSorted(re: Float64Array, im: Float64Array): void {
  for (let i = 1; i < re.length; i++) {
    expect(re[i] > re[i - 1] || (re[i] === re[i - 1] && im[i] >= im[i - 1])).toBe(true);
  }
}

describe('generalEigenvalues vs ml-matrix EigenvalueDecomposition', () => {
  const rng = defaultRng(505);
  for (const n of [1, 2, 3, 10, 64, 200]) {
    it(`random nonsymmetric n=${n}`, () => {
      const a = randomMatrix(n, n, rng);
      const ours = generalEigenvalues(a);
      const ref = mlEigenvalues(a);
      expect(eigenvalueMatchError(ours.re, ours.im, ref.re, ref.im)).toBeLessThanOrEqual(TOL * frob(a));
      checkSorted(ours.re, ours.im);
      // Conjugate pairs come out exactly conjugate.
      let sumIm = 0;
      for (let i = 0; i < n; i++) sumIm += ours.im[i];
      expect(Math.abs(sumIm)).toBeLessThanOrEqual(1e-12 * frob(a));
      // Trace check: sum of eigenvalues = trace.
      let tr = 0;
      let sumRe = 0;
      for (let i = 0; i < n; i++) {
        tr += a.data[i * n + i];
        sumRe += ours.re[i];
      }
      expect(Math.abs(sumRe - tr)).toBeLessThanOrEqual(1e-11 * frob(a));
    });
  }

  it('symmetric input gives real eigenvalues matching ml-matrix', () => {
    const a = randomSymmetric(40, defaultRng(6));
    const ours = generalEigenvalues(a);
    expect(maxAbs(ours.im)).toBe(0);
    const ref = mlEigenvalues(a);
    expect(eigenvalueMatchError(ours.re, ours.im, ref.re, ref.im)).toBeLessThanOrEqual(TOL * frob(a));
  });

  it('n=512 with an exactly known spectrum (half complex pairs)', () => {
    // Known spectrum instead of ml-matrix here: its EVD takes ~6 s at n = 512 (64 s at 1024).
    const { a, re, im } = generalWithSpectrum(512, defaultRng(512));
    const ours = generalEigenvalues(a);
    expect(eigenvalueMatchError(ours.re, ours.im, re, im)).toBeLessThanOrEqual(1e-10);
  });
});

describe('generalEigenvalues: nasty cases', () => {
  it('empty, 1x1, zero and diagonal', () => {
    expect(generalEigenvalues(zeros(0, 0)).re.length).toBe(0);
    const one = generalEigenvalues(fromRows([[-4.25]]));
    expect([one.re[0], one.im[0]]).toEqual([-4.25, 0]);
    const z = generalEigenvalues(zeros(5, 5));
    expect(Array.from(z.re)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(z.im)).toEqual([0, 0, 0, 0, 0]);
    const d = generalEigenvalues(
      fromRows([
        [3, 0, 0, 0],
        [0, -1, 0, 0],
        [0, 0, 3, 0],
        [0, 0, 0, 0.5],
      ]),
    );
    expect(Array.from(d.re)).toEqual([-1, 0.5, 3, 3]);
  });

  it('rotation and 2x2 blocks: exact complex pairs', () => {
    const th = 0.3;
    const r = generalEigenvalues(
      fromRows([
        [Math.cos(th), -Math.sin(th)],
        [Math.sin(th), Math.cos(th)],
      ]),
    );
    expect(r.re[0]).toBeCloseTo(Math.cos(th), 15);
    expect(r.re[1]).toBe(r.re[0]);
    expect(r.im[0]).toBeCloseTo(-Math.sin(th), 15);
    expect(r.im[1]).toBe(-r.im[0]);
    // A game-like Jacobian: strongly rotational, eigenvalues 1 +- 5i.
    const g = generalEigenvalues(
      fromRows([
        [1, 5],
        [-5, 1],
      ]),
    );
    expect(Array.from(g.re)).toEqual([1, 1]);
    expect(Array.from(g.im)).toEqual([-5, 5]);
  });

  it('companion matrix with known roots (1, 2, 3, -1 +- 2i)', () => {
    // p(x) = (x-1)(x-2)(x-3)(x^2+2x+5) = x^5 - 4x^4 + 4x^3 - 14x^2 + 43x - 30
    const c = [-4, 4, -14, 43, -30];
    const n = 5;
    const a = zeros(n, n);
    for (let j = 0; j < n; j++) a.data[j] = -c[j];
    for (let i = 1; i < n; i++) a.data[i * n + i - 1] = 1;
    const r = generalEigenvalues(a);
    expect(eigenvalueMatchError(r.re, r.im, [1, 2, 3, -1, -1], [0, 0, 0, 2, -2])).toBeLessThanOrEqual(1e-11);
  });

  it('defective Jordan block: eigenvalue perturbation ~ eps^(1/k), as for any backward-stable solver', () => {
    const n = 4;
    const a = zeros(n, n);
    for (let i = 0; i < n; i++) {
      a.data[i * n + i] = 2;
      if (i + 1 < n) a.data[i * n + i + 1] = 1;
    }
    const r = generalEigenvalues(a);
    for (let i = 0; i < n; i++) expect(Math.hypot(r.re[i] - 2, r.im[i])).toBeLessThanOrEqual(1e-3);
    // Balanced badly-scaled matrix: similar to [[1, 2], [3, 4]] via diag(1e6, 1).
    const b = generalEigenvalues(
      fromRows([
        [1, 2e6],
        [3e-6, 4],
      ]),
    );
    const s = Math.sqrt(33);
    expect(b.re[0]).toBeCloseTo((5 - s) / 2, 12);
    expect(b.re[1]).toBeCloseTo((5 + s) / 2, 12);
  });

  it('rejects non-square and non-finite input', () => {
    expect(() => generalEigenvalues(zeros(2, 3))).toThrow(/square/);
    expect(() => generalEigenvalues(fromRows([[NaN]]))).toThrow(/finite/);
  });
});
