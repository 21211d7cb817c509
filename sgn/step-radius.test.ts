/**
 * rho(P(-hH)) from the eigenvalues of H against the spectral radius of the step matrix itself,
 * formed densely (I - hH; I + Z + Z^2/2 + Z^3/6 + Z^4/24 with Z = -hH) and decomposed by ml-matrix
 * (an eigensolver independent of ours), on random nonnormal matrices. Tolerance 1e-10 relative:
 * both sides are backward stable and these small random matrices have well-conditioned spectra
 * (seen: 1e-14).
 */
import { describe, expect, it } from 'vitest';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { defaultRng, type RandomGenerator } from './random/generator.js';
import { generalEigenvalues } from './linalg/eigen.js';
import { fromRows } from './linalg/matrix.js';
import { stepSpectralRadii, stepSpectralRadius } from './step-radius.js';

function denseRadius(m: Matrix): number {
  const e = new EigenvalueDecomposition(m);
  return Math.max(...e.realEigenvalues.map((re, k) => Math.hypot(re, e.imaginaryEigenvalues[k])));
}

function rk4Matrix(H: Matrix, h: number): Matrix {
  const Z = H.clone().mul(-h);
  const Z2 = Z.mmul(Z);
  const Z3 = Z2.mmul(Z);
  const Z4 = Z3.mmul(Z);
  return Matrix.eye(H.rows)
    .add(Z)
    .add(Z2.mul(1 / 2))
    .add(Z3.mul(1 / 6))
    .add(Z4.mul(1 / 24));
}

function randomMatrix(n: number, rng: RandomGenerator): Matrix {
  // Nonnormal, mostly positive-stable but not always (some rho > 1 at every h).
  const A = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A.set(i, j, rng.normal());
  return A.add(Matrix.eye(n).mul(1 + rng.uniform()));
}

describe('step-matrix spectral radius from the eigenvalues of H', () => {
  it('matches the dense step matrices (Euler and RK4) on random nonnormal matrices to 1e-10 relative', () => {
    const rng = defaultRng(20);
    let worst = 0;
    for (let trial = 0; trial < 40; trial++) {
      const n = 2 + (trial % 7);
      const H = randomMatrix(n, rng);
      const eig = generalEigenvalues(fromRows(H.to2DArray()));
      for (const h of [0, 1e-3, 0.05, 0.2, 0.5, 1, 2.5]) {
        const euler = denseRadius(Matrix.eye(n).sub(H.clone().mul(h)));
        const rk4 = denseRadius(rk4Matrix(H, h));
        for (const [got, want] of [
          [stepSpectralRadius(eig, h, 'euler'), euler],
          [stepSpectralRadius(eig, h, 'rk4'), rk4],
        ]) {
          const rel = Math.abs(got - want) / want;
          worst = Math.max(worst, rel);
          if (!(rel <= 1e-10)) expect.fail(`n = ${n}, h = ${h}: ${got} against ${want} (rel ${rel})`);
        }
      }
    }
    expect(worst).toBeLessThan(1e-10);
  });

  it('known values: rho = 1 at h = 0, |1 - h| and P4(-h) for a real eigenvalue 1, |1 - h(1 + i)| for a complex pair', () => {
    const one = { re: [1], im: [0] };
    expect(stepSpectralRadius(one, 0, 'euler')).toBe(1);
    expect(stepSpectralRadius(one, 0, 'rk4')).toBe(1);
    expect(stepSpectralRadius(one, 2.5, 'euler')).toBeCloseTo(1.5, 15);
    expect(stepSpectralRadius(one, 1, 'rk4')).toBeCloseTo(1 - 1 + 1 / 2 - 1 / 6 + 1 / 24, 15);
    const pair = { re: [1, 1], im: [1, -1] };
    expect(stepSpectralRadius(pair, 0.5, 'euler')).toBeCloseTo(Math.hypot(0.5, 0.5), 15);
    expect(Array.from(stepSpectralRadii(one, [0, 1, 2], 'euler'))).toEqual([1, 0, 1]);
  });
});
