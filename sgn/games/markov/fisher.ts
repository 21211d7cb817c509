/**
 * The SGN certificate of the `markov` family in the Fisher (mirror) geometry (sgn-math.md,
 * "Mirror / Fisher geometry"). Per player and state the Fisher information of the softmax in its
 * logits is G = diag(p) - p p^T. By default it is used as the paper's code uses it
 * (markov/sgn_theory.py with env.get_fisher): unregularised, G^{-1/2} from its eigendecomposition
 * with the eigenvalues floored at 1e-6 (the 1e-3 I of env.get_fisher goes into the joint matrix,
 * which the certificate never uses). The game's `fisher.blockRegularisation` eps > 0 (model
 * .fisherRegularisation) uses G + eps I instead -- the project's convention before it matched the
 * paper (eps = 1e-3 moves mu, L and beta by ~0.2% on the paper's game).
 *
 * The softmax null space: G, every Jacobian block and F annihilate the per-state all-ones vectors
 * (and have zero column sums), and (G + eps I)^{-1/2} (eps >= 0, floored) maps that null space and
 * its orthogonal complement to themselves. So the normalised Jacobian Jhat = G^{-1/2} J G^{-1/2} is zero on the
 * null space, and we work on the complement through B = blockdiag_{i,s} G_{i,s}^{-1/2} Q_A
 * (Q_A an orthonormal basis of 1^perp in R^A): Jred = B^T J B, of size 2 S (A - 1).
 *   mu_i  = min over samples of lambda_min(sym(Jred_ii))  -- lambda_min of G_i^{-1/2} H_ii G_i^{-1/2}
 *           restricted to the complement ("ignoring the softmax null space"), exactly, instead of
 *           the paper's code's "smallest eigenvalue above 1e-5 in magnitude";
 *   L_ij  = max over samples of ||Jred_ij||_2 = ||G_i^{-1/2} H_ij G_j^{-1/2}||_2 (the null space adds nothing);
 *   beta  = max over samples of ||M^{1/2} (G^{-1} J) M^{-1/2}||_2, M = blockdiag(w_i G_i), which
 *           equals ||W^{1/2} Jhat W^{-1/2}||_2 = ||W^{1/2} Jred W^{-1/2}||_2. Like the maths note and
 *           the paper, G^{-1} J omits the (dG^{-1}) F term of the natural field's Jacobian (zero at
 *           the equilibrium), and G is taken at each sample point.
 * The `euclidean` geometry (B = blockdiag Q_A, G = I) gives the matching certificate of plain
 * policy gradient, for comparison.
 */
import { zeros, type DenseMatrix } from '../../linalg/matrix.js';
import { symmetricEigen } from '../../linalg/eigen.js';
import { blocksOf, type Blocks } from '../blocks.js';
import { blockBounds } from '../../bounds.js';
import { sgnMargin } from '../../sgn-matrix.js';
import { optimalWeights } from '../../optimal-weights.js';
import { lipschitzInMetric } from '../../metric.js';
import type { MarkovGame } from './markov-game.js';
import { evaluatePolicies } from './evaluation.js';
import { complementBasis } from './logits.js';

/** The paper's floor on a Fisher block's eigenvalues where it is inverted (torch.clamp(e, min=1e-6)). */
export const FISHER_EIGENVALUE_FLOOR = 1e-6;
/** The per-block regularisation the project used before it followed the paper (now an option). */
export const LEGACY_BLOCK_REGULARISATION = 1e-3;

export type Geometry = 'fisher' | 'euclidean';

/**
 * (diag(p) - p p^T + eps I)^{-1/2} for one state's action distribution p (A x A, row-major), from
 * the eigendecomposition with the eigenvalues floored at FISHER_EIGENVALUE_FLOOR as the paper's
 * code does (eps = 0: on the null direction 1 only, where it is 1000; the reduction never uses it).
 */
export function fisherInverseSqrt(p: ArrayLike<number>, eps = 0): Float64Array {
  const A = p.length;
  const g = zeros(A, A);
  for (let a = 0; a < A; a++)
    for (let b = 0; b < A; b++) g.data[a * A + b] = (a === b ? p[a] + eps : 0) - p[a] * p[b];
  const { values, vectors } = symmetricEigen(g);
  const out = new Float64Array(A * A);
  for (let k = 0; k < A; k++) {
    const f = 1 / Math.sqrt(Math.max(values[k], FISHER_EIGENVALUE_FLOOR));
    for (let a = 0; a < A; a++)
      for (let b = 0; b < A; b++) out[a * A + b] += vectors.data[a * A + k] * f * vectors.data[b * A + k];
  }
  return out;
}

/** Reduced coordinates: blocks of S (A - 1) per player. */
export function reducedBlocks(game: MarkovGame): Blocks {
  const r = game.model.states * (game.model.actions - 1);
  return blocksOf([r, r]);
}

/**
 * The 2 S A x 2 S (A - 1) matrix B (block diagonal over players and states), stored per
 * (player, state) block: B_{i,s} = G_{i,s}^{-1/2} Q_A (fisher) or Q_A (euclidean).
 */
function reductionBlocks(game: MarkovGame, x: Float64Array, geometry: Geometry, eps: number): Float64Array[] {
  const { states: S, actions: A } = game.model;
  const Q = complementBasis(A);
  const e = geometry === 'fisher' ? evaluatePolicies(game.model, x) : null;
  const out: Float64Array[] = [];
  for (const i of [0, 1] as const) {
    for (let s = 0; s < S; s++) {
      if (e === null) {
        out.push(Q);
        continue;
      }
      const G = fisherInverseSqrt(e.p[i].subarray(s * A, (s + 1) * A), eps);
      const b = new Float64Array(A * (A - 1));
      for (let r = 0; r < A; r++)
        for (let c = 0; c < A - 1; c++) {
          let v = 0;
          for (let k = 0; k < A; k++) v += G[r * A + k] * Q[k * (A - 1) + c];
          b[r * (A - 1) + c] = v;
        }
      out.push(b);
    }
  }
  return out;
}

/** Jred = B^T J B at x: the Jacobian in normalised coordinates on the complement of the null space. */
export function reducedJacobian(
  game: MarkovGame,
  x: Float64Array,
  geometry: Geometry = 'fisher',
  eps = game.model.fisherRegularisation,
): DenseMatrix {
  const { actions: A } = game.model;
  const J = game.J(x);
  const d = J.rows;
  const blocks = reductionBlocks(game, x, geometry, eps);
  const r = blocks.length * (A - 1);
  // JB = J B (d x r), then B^T (J B).
  const JB = zeros(d, r);
  for (let row = 0; row < d; row++)
    blocks.forEach((b, k) => {
      for (let c = 0; c < A - 1; c++) {
        let v = 0;
        for (let a = 0; a < A; a++) v += J.data[row * d + k * A + a] * b[a * (A - 1) + c];
        JB.data[row * r + k * (A - 1) + c] = v;
      }
    });
  const out = zeros(r, r);
  blocks.forEach((b, k) => {
    for (let c = 0; c < A - 1; c++)
      for (let col = 0; col < r; col++) {
        let v = 0;
        for (let a = 0; a < A; a++) v += b[a * (A - 1) + c] * JB.data[(k * A + a) * r + col];
        out.data[(k * (A - 1) + c) * r + col] = v;
      }
  });
  return out;
}

export interface MarkovCertificate {
  readonly geometry: Geometry;
  readonly samples: number;
  readonly mu: number[];
  readonly L: number[][];
  /** max over w of alpha_*(w) = tau(K), and the weights attaining it (w_1 = 1). */
  readonly alpha: number;
  readonly weights: number[];
  /** r = w_2 / w_1 at the optimum. */
  readonly ratio: number;
  /** beta(w) at the optimal weights, max over the samples. */
  readonly beta: number;
  /** 2 alpha / beta^2: the certified bound on the (natural) policy-gradient step; 0 when alpha <= 0. */
  readonly etaMax: number;
  readonly certified: boolean;
  /** The per-block Fisher regularisation eps the bounds used (0: the paper's convention). */
  readonly blockRegularisation: number;
}

/** The block bounds over sample points, which every weighting shares (sweeps reuse them across a ratio axis). */
export interface MarkovBounds {
  readonly geometry: Geometry;
  /** The per-block Fisher regularisation eps (0 in the euclidean geometry). */
  readonly blockRegularisation: number;
  readonly blocks: Blocks;
  readonly jacobians: readonly DenseMatrix[];
  readonly mu: number[];
  readonly L: number[][];
  readonly optimal: { readonly alpha: number; readonly weights: number[] };
}

/** Reduced Jacobians at the sample points (joint logit vectors), mu, L and the optimal weights. */
export function markovBounds(
  game: MarkovGame,
  points: readonly Float64Array[],
  opts: { geometry?: Geometry; regulariser?: number } = {},
): MarkovBounds {
  if (points.length === 0) throw new Error('markovCertificate needs at least one sample point');
  if (game.model.actions < 2) throw new Error('a Markov game with one action has no policy to certify');
  const geometry = opts.geometry ?? 'fisher';
  const eps = geometry === 'fisher' ? (opts.regulariser ?? game.model.fisherRegularisation) : 0;
  const blocks = reducedBlocks(game);
  const jacobians = points.map((x) => reducedJacobian(game, x, geometry, eps));
  const { mu, L } = blockBounds(blocks, jacobians);
  const optimal = optimalWeights(mu, L);
  return {
    geometry,
    blockRegularisation: eps,
    blocks,
    jacobians,
    mu,
    L,
    optimal: { alpha: optimal.alpha, weights: optimal.weights },
  };
}

/** The certificate at the given weights (default: the optimal ones) from shared bounds. */
export function markovCertificateAt(b: MarkovBounds, given?: readonly number[]): MarkovCertificate {
  const weights = given ? given.map((w) => w / given[0]) : b.optimal.weights;
  const alpha = given ? sgnMargin(b.mu, b.L, weights) : b.optimal.alpha;
  const beta = lipschitzInMetric(b.jacobians, b.blocks, weights);
  const certified = alpha > 0;
  return {
    geometry: b.geometry,
    samples: b.jacobians.length,
    mu: b.mu,
    L: b.L,
    alpha,
    weights,
    ratio: weights[1] / weights[0],
    beta,
    etaMax: certified ? (2 * alpha) / (beta * beta) : 0,
    certified,
    blockRegularisation: b.blockRegularisation,
  };
}

/** Bounds over sample points (joint logit vectors), the optimal weights, alpha, beta and eta_max. */
export function markovCertificate(
  game: MarkovGame,
  points: readonly Float64Array[],
  opts: { geometry?: Geometry; regulariser?: number; weights?: readonly number[] } = {},
): MarkovCertificate {
  return markovCertificateAt(markovBounds(game, points, opts), opts.weights);
}
