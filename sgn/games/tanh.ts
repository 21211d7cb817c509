/**
 * The `tanh` family: N players with
 *   f_i(x) = x_i^T Q_i x_i / 2 + sum_{j != i} x_i^T A_ij tanh(x_j) + kappa_i / 4 sum_k x_{i,k}^4 + c_i^T x_i.
 * Stacked over players, with Qb = blockdiag(sym(Q_i)) and Aoff the cross blocks A_ij (zero diagonal
 * blocks):
 *   F(x) = Qb x + Aoff tanh(x) + kappa o x^3 + c,
 *   J(x) = Qb + diag(3 kappa o x^2) + Aoff diag(sech^2(x)).
 * Couplings saturate away from the origin and the quartic term stiffens the own costs, so mu_i
 * and L_ij depend on where the region is and how large it is.
 */
import { zeros, type DenseMatrix, matvec } from '../linalg/matrix.js';
import { spectralNorm } from '../linalg/spectral-norm.js';
import { coordinateRadii, type Region } from '../regions/region.js';
import { blocksOf } from './blocks.js';
import type { Game } from './game.js';
import type { TanhSpec } from './spec.js';

export interface TanhParameters {
  readonly dims: readonly number[];
  /** Own quadratic terms (symmetrised: only sym(Q_i) enters F). */
  readonly Q: readonly DenseMatrix[];
  /** A[i][j] = A_ij (d_i x d_j), null for i = j or an absent coupling. */
  readonly A: readonly (readonly (DenseMatrix | null)[])[];
  readonly kappa: readonly number[];
  readonly c?: Float64Array;
}

const sech2 = (x: number): number => {
  const ch = Math.cosh(x);
  return 1 / (ch * ch);
};

/** |d/dx sech^2 x| = 2 sech^2 x |tanh x|, largest at |x| = atanh(1/sqrt 3) where it is 4 / (3 sqrt 3). */
const slope = (x: number): number => 2 * sech2(x) * Math.abs(Math.tanh(x));
const PEAK = Math.atanh(1 / Math.sqrt(3));

/** max |(sech^2)'| over [lo, hi]: it increases in |x| up to PEAK and decreases after. */
export function sech2SlopeBound(lo: number, hi: number): number {
  const near = lo <= 0 && hi >= 0 ? 0 : Math.min(Math.abs(lo), Math.abs(hi));
  const far = Math.max(Math.abs(lo), Math.abs(hi));
  if (near <= PEAK && PEAK <= far) return slope(PEAK);
  return far < PEAK ? slope(far) : slope(near);
}

export function tanhGame(p: TanhParameters): Game {
  const blocks = blocksOf(p.dims);
  const { offsets, dim: n } = blocks;
  const N = p.dims.length;
  const Qb = zeros(n, n);
  const Aoff = zeros(n, n);
  const kappa = new Float64Array(n);
  for (let i = 0; i < N; i++) {
    const di = p.dims[i];
    const q = p.Q[i];
    for (let r = 0; r < di; r++) {
      for (let s = 0; s < di; s++) {
        Qb.data[(offsets[i] + r) * n + offsets[i] + s] = 0.5 * (q.data[r * di + s] + q.data[s * di + r]);
      }
    }
    kappa.fill(p.kappa[i], offsets[i], offsets[i + 1]);
    for (let j = 0; j < N; j++) {
      const A = p.A[i]?.[j];
      if (i === j || !A) continue;
      for (let r = 0; r < di; r++) {
        for (let s = 0; s < p.dims[j]; s++)
          Aoff.data[(offsets[i] + r) * n + offsets[j] + s] = A.data[r * A.cols + s];
      }
    }
  }
  const c = p.c ?? new Float64Array(n);
  return {
    family: 'tanh',
    blocks,
    F(x) {
      const y = matvec(Qb, x);
      const t = matvec(Aoff, x.map(Math.tanh));
      for (let a = 0; a < n; a++) y[a] += t[a] + kappa[a] * x[a] ** 3 + c[a];
      return y;
    },
    J(x) {
      const J = zeros(n, n);
      const s = x.map(sech2);
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) J.data[a * n + b] = Qb.data[a * n + b] + Aoff.data[a * n + b] * s[b];
        J.data[a * n + a] += 3 * kappa[a] * x[a] * x[a];
      }
      return J;
    },
    /**
     * For x, y in the region: J(x) - J(y) = diag(3 kappa o (x^2 - y^2)) + Aoff diag(sech^2 x - sech^2 y).
     * |x_a^2 - y_a^2| <= 2 m_a |x_a - y_a| with m_a = max |x_a| on the region, and
     * |sech^2 x_a - sech^2 y_a| <= sigma_a |x_a - y_a| with sigma_a the largest slope on the
     * coordinate's interval, so ||J(x) - J(y)||_2 <= (max_a 6 |kappa_a| m_a + ||Aoff diag(sigma)||_2) ||x - y||_2.
     * (Computed in floating point: sound up to rounding.)
     */
    jacobianLipschitz(region: Region) {
      const r = coordinateRadii(region);
      let own = 0;
      const scaled = zeros(n, n);
      for (let b = 0; b < n; b++) {
        const lo = region.centre[b] - r[b];
        const hi = region.centre[b] + r[b];
        own = Math.max(own, 6 * Math.abs(kappa[b]) * Math.max(Math.abs(lo), Math.abs(hi)));
        const sigma = sech2SlopeBound(lo, hi);
        for (let a = 0; a < n; a++) scaled.data[a * n + b] = Aoff.data[a * n + b] * sigma;
      }
      return own + spectralNorm(scaled).value;
    },
  };
}

function matrixOf(rows: readonly (readonly number[])[]): DenseMatrix {
  const m = zeros(rows.length, rows[0].length);
  rows.forEach((row, i) => m.data.set(row, i * m.cols));
  return m;
}

/** Builds the game a validated tanh spec describes (Q as q means q I; couplings are 1-based). */
export function buildTanhGame(spec: TanhSpec): Game {
  const N = spec.dims.length;
  const Q = spec.Q.map((q, i) => {
    if (Array.isArray(q)) return matrixOf(q);
    const d = spec.dims[i];
    const m = zeros(d, d);
    for (let k = 0; k < d; k++) m.data[k * d + k] = q;
    return m;
  });
  const A: (DenseMatrix | null)[][] = Array.from({ length: N }, () =>
    new Array<DenseMatrix | null>(N).fill(null),
  );
  for (const { i, j, A: a } of spec.couplings) A[i - 1][j - 1] = matrixOf(a);
  const kappa = Array.isArray(spec.kappa) ? spec.kappa : new Array<number>(N).fill(spec.kappa);
  return tanhGame({ dims: spec.dims, Q, A, kappa, c: spec.c ? Float64Array.from(spec.c) : undefined });
}
