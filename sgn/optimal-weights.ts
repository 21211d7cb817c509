/**
 * Exact optimal SGN weights: max_w alpha_*(w) = tau(K), K = diag(mu) - L, attained at
 * w_i = u_i / v_i with u, v the left and right Perron vectors of K (sgn-math.md).
 */
import { Matrix, solve } from 'ml-matrix';
import { generalEigenvalues } from './linalg/eigen.js';
import { fromRows, transpose, type DenseMatrix } from './linalg/matrix.js';
import { toMlMatrix } from './linalg/ml-matrix-adapter.js';
import { sgnMargin } from './sgn-matrix.js';

export interface OptimalWeights {
  /** tau(K): the supremum of alpha_*(w) over w > 0. */
  readonly alpha: number;
  /** Weights normalised so weights[0] = 1. */
  readonly weights: number[];
  /** alpha_*(weights): equals alpha when attained, slightly below it otherwise. */
  readonly alphaAtWeights: number;
  /**
   * False when K is reducible with some coupling: the supremum is then approached (weights from a
   * slightly perturbed K) but in general not attained. True for uncoupled games (L = 0).
   */
  readonly attained: boolean;
}

/** Relative size of the coupling added to a reducible K so that Perron vectors are positive. */
const REDUCIBLE_EPSILON = 1e-10;

/** Smallest real eigenvalue of the Z-matrix K (real, and minimal in real part among all). */
export function perronRoot(mu: readonly number[], L: readonly (readonly number[])[]): number {
  const n = mu.length;
  if (n === 2) return (mu[0] + mu[1]) / 2 - Math.sqrt(((mu[0] - mu[1]) / 2) ** 2 + L[0][1] * L[1][0]);
  // Sorted by real part, ascending: the first is the smallest real part, the Perron root's.
  return generalEigenvalues(kMatrix(mu, L)).re[0];
}

function kMatrix(mu: readonly number[], L: readonly (readonly number[])[]): DenseMatrix {
  const n = mu.length;
  return fromRows(
    Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? mu[i] : -L[i][j]))),
  );
}

/** True when the coupling graph (edge i -> j iff L_ij > 0) is strongly connected. */
export function isIrreducible(L: readonly (readonly number[])[]): boolean {
  const n = L.length;
  const reach = (forward: boolean): boolean => {
    const seen = new Array<boolean>(n).fill(false);
    const stack = [0];
    seen[0] = true;
    while (stack.length) {
      const i = stack.pop() as number;
      for (let j = 0; j < n; j++) {
        const edge = forward ? L[i][j] : L[j][i];
        if (i !== j && edge > 0 && !seen[j]) {
          seen[j] = true;
          stack.push(j);
        }
      }
    }
    return seen.every(Boolean);
  };
  return n === 1 || (reach(true) && reach(false));
}

/** Positive vector x with (K - tau I) x = 0, by inverse iteration just below tau. */
function perronVector(k: DenseMatrix, tau: number): number[] {
  const K = toMlMatrix(k);
  const n = K.rows;
  const scale = Math.max(1e-300, K.max(), -K.min());
  // (K - sigma I) with sigma < tau is a nonsingular M-matrix: its inverse is entrywise
  // positive for irreducible K, so iterates stay positive; convergence ratio ~ 1e-12 per step.
  const shifted = K.clone().sub(Matrix.eye(n).mul(tau - 1e-12 * scale));
  let x = Matrix.ones(n, 1);
  for (let it = 0; it < 4; it++) {
    x = solve(shifted, x);
    const norm = x.norm();
    x = x.div(norm);
  }
  const v = x.to1DArray();
  const sign = v.reduce((s, t) => s + t, 0) < 0 ? -1 : 1;
  return v.map((t) => Math.abs(sign * t));
}

/** True when no player's cost depends on another's strategy (every L_ij = 0, i != j). */
export function isUncoupled(L: readonly (readonly number[])[]): boolean {
  return L.every((row, i) => row.every((v, j) => i === j || v === 0));
}

export function optimalWeights(mu: readonly number[], L: readonly (readonly number[])[]): OptimalWeights {
  const n = mu.length;
  if (isUncoupled(L)) {
    // S(w) = diag(mu) for every w > 0: alpha_*(w) = min mu is attained by every weighting, so
    // the uniform one is as optimal as any. (The reducible path below would perturb K and run
    // inverse iteration only to land near these weights and call the optimum "not attained".)
    const alpha = Math.min(...mu);
    return { alpha, weights: mu.map(() => 1), alphaAtWeights: alpha, attained: true };
  }
  const alpha = perronRoot(mu, L);
  const attained = isIrreducible(L);
  let Lw: readonly (readonly number[])[] = L;
  if (!attained) {
    const scale = Math.max(...mu.map(Math.abs), ...L.flat(), 1e-300);
    Lw = L.map((row, i) => row.map((v, j) => (i === j ? 0 : v + REDUCIBLE_EPSILON * scale)));
  }
  let weights: number[];
  if (n === 2) {
    // Closed form: the Perron weights balance the two coupling terms, r = w2/w1 = L12/L21.
    weights = [1, Lw[0][1] / Lw[1][0]];
  } else {
    const K = kMatrix(mu, Lw);
    const tau = attained ? alpha : perronRoot(mu, Lw);
    const v = perronVector(K, tau);
    const u = perronVector(transpose(K), tau);
    weights = u.map((ui, i) => ui / v[i] / (u[0] / v[0]));
  }
  return { alpha, weights, alphaAtWeights: sgnMargin(mu, L, weights), attained };
}
