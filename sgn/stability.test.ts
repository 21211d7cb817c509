/** Exact thresholds from eigenvalues against a brute-force scan of step-matrix spectral radii. */
import { describe, expect, it } from 'vitest';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { defaultRng, type RandomGenerator } from './random/generator.js';
import { eulerThreshold, rk4Threshold } from './stability.js';

function spectralRadius(m: Matrix): number {
  const e = new EigenvalueDecomposition(m);
  return Math.max(...e.realEigenvalues.map((re, k) => Math.hypot(re, e.imaginaryEigenvalues[k])));
}

/** First h where rho(step matrix) >= 1, scanning step matrices (the paper's way) then bisecting. */
function bruteThreshold(H: Matrix, step: (h: number) => Matrix): number {
  const ok = (h: number): boolean => spectralRadius(step(h)) < 1;
  let lo = 0;
  let hi = 1e-4;
  while (ok(hi)) {
    lo = hi;
    hi *= 1.02;
  }
  for (let k = 0; k < 60; k++) {
    const m = 0.5 * (lo + hi);
    if (ok(m)) lo = m;
    else hi = m;
  }
  return lo;
}

function randomStable(n: number, rng: RandomGenerator): Matrix {
  // A positive-stable nonnormal matrix: shifted random plus a strong rotation part.
  const A = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A.set(i, j, rng.normal() / Math.sqrt(n));
  // ml-matrix arithmetic methods mutate in place: work on clones.
  const skew = A.clone().sub(A.transpose()).mul(2);
  return Matrix.eye(n).mul(1.5).add(skew).add(A.clone().mul(0.3));
}

describe('stability thresholds', () => {
  it('Euler and RK4 thresholds match the brute-force scan on random nonnormal matrices', () => {
    const rng = defaultRng(3);
    for (let trial = 0; trial < 6; trial++) {
      const n = 3 + trial;
      const H = randomStable(n, rng);
      const e = new EigenvalueDecomposition(H);
      const eig = { re: e.realEigenvalues, im: e.imaginaryEigenvalues };
      if (e.realEigenvalues.some((x) => x <= 0)) continue;
      const I = Matrix.eye(n);
      const euler = bruteThreshold(H, (h) => I.clone().sub(H.clone().mul(h)));
      const rk4 = bruteThreshold(H, (h) => {
        const Z = H.clone().mul(-h);
        const Z2 = Z.mmul(Z);
        const Z3 = Z2.mmul(Z);
        const Z4 = Z3.mmul(Z);
        return I.clone()
          .add(Z)
          .add(Z2.mul(1 / 2))
          .add(Z3.mul(1 / 6))
          .add(Z4.mul(1 / 24));
      });
      expect(Math.abs(eulerThreshold(eig) - euler) / euler).toBeLessThan(1e-8);
      expect(Math.abs(rk4Threshold(eig) - rk4) / rk4).toBeLessThan(1e-8);
    }
  });

  it('known values: real eigenvalue 1 gives 2 (Euler) and 2.7853 (RK4); a non-positive real part gives 0', () => {
    expect(eulerThreshold({ re: [1], im: [0] })).toBe(2);
    expect(rk4Threshold({ re: [1], im: [0] })).toBeCloseTo(2.785293563405, 10);
    expect(eulerThreshold({ re: [1, -0.1], im: [0, 0] })).toBe(0);
    expect(rk4Threshold({ re: [0, 1], im: [1, 0] })).toBe(0);
  });
});
