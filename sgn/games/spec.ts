/**
 * The games the mathematics builds, as plain data: one shape per family (and per form of the
 * quadratic family), each carrying its `family` literal so that `spec.family` narrows. Files
 * are read into these shapes, with every field checked, by formats/game-file.ts.
 */
import type { MarkovSpec } from './markov/spec.js';
import type { Perturbation } from './perturbation.js';

/** F(x) = H x + c with blocks of sizes dims. */
export interface ExplicitQuadraticSpec {
  family: 'quadratic';
  name?: string;
  dims: number[];
  H: number[][];
  c?: number[];
}

/** The paper's two-player form: H = [[Q1, lambda a R], [lambda b R^T, Q2]]. */
export interface TwoPlayerQuadraticSpec {
  family: 'quadratic';
  name?: string;
  dims?: number[];
  Q1: number[][];
  Q2: number[][];
  R: number[][];
  a: number;
  b: number;
  lambda: number;
  /** Informational (the reference file records the mu0 it was built with). */
  mu0?: number;
  c?: number[];
}

/** Every `generator` a quadratic game file may name. */
export const GENERATORS = ['clean', 'random', 'paper-random'] as const;

/** Seeded generators: `clean` (Q_i = mu0 I, orthonormal couplings), `random` (Q_i = B^T B + mu0 I). */
export interface GeneratedQuadraticSpec {
  family: 'quadratic';
  name?: string;
  generator: 'clean' | 'random';
  dims: number[];
  mu0: number;
  /** Coupling scale: one number for every ordered pair, or an N x N matrix (diagonal ignored). */
  coupling: number | number[][];
  /** Overall multiplier on every coupling (the swept "coupling strength"). */
  lambda: number;
  seed: number;
}

/** The paper's defaults (LQ_GAMES/config.py GameConfig: d = 64, mu0 = 1, a = 10, b = 0.05, seed 12345). */
export const PAPER_RANDOM_DEFAULTS = { dims: [32, 32], mu0: 1, a: 10, b: 0.05, seed: 12345 } as const;

/**
 * The paper's random ensemble, draw for draw (LQ_GAMES/random_suite.generate_random_game(seed)):
 * with NumPy's default_rng(seed) reproduced (sgn/random), R_1 (d1 x d1), R_2 (d2 x d2) and
 * R_base (d1 x d2) standard normal in that order, Q_i = R_i^T R_i + mu0 I, R = R_base / ||R_base||_2
 * and H = [[Q1, lambda a R], [lambda b R^T, Q2]]. The seed is NumPy's: a non-negative integer.
 */
export interface PaperRandomQuadraticSpec {
  family: 'quadratic';
  name?: string;
  generator: 'paper-random';
  dims: number[];
  mu0: number;
  a: number;
  b: number;
  lambda: number;
  seed: number;
}

/**
 * The paper's scalar mini-toy: f1 = mu1 x1^2 / 2 + a x1 x2, f2 = mu2 x2^2 / 2 + b x1 x2, so
 * H = [[mu1, a], [b, mu2]] with one coordinate per player.
 */
export interface ScalarPresetSpec {
  family: 'quadratic';
  name?: string;
  preset: 'scalar';
  mu1: number;
  mu2: number;
  a: number;
  b: number;
}

/** Any form of the quadratic family, optionally perturbed (perturbation.ts: H <- H + eps E, or mixed). */
export type QuadraticSpec = (
  | ExplicitQuadraticSpec
  | TwoPlayerQuadraticSpec
  | GeneratedQuadraticSpec
  | PaperRandomQuadraticSpec
  | ScalarPresetSpec
) & { perturbation?: Perturbation };

/**
 * f_i(x) = x_i^T Q_i x_i / 2 + sum_{j != i} x_i^T A_ij tanh(x_j) + kappa_i / 4 sum_k x_{i,k}^4
 * (+ c_i^T x_i): saturating couplings and stiffening own costs, so the block bounds depend on
 * the region (see tanh.ts).
 */
export interface TanhSpec {
  family: 'tanh';
  name?: string;
  dims: number[];
  /** Own quadratic term per player: a d_i x d_i matrix, or a number q for q I. */
  Q: (number | number[][])[];
  /** A_ij with 1-based players i != j (as in the formula); pairs not listed are zero. */
  couplings: { i: number; j: number; A: number[][] }[];
  /** Quartic stiffness: one number for every player, or one per player. */
  kappa: number | number[];
  /** Linear term c_i^T x_i of each f_i, stacked (length d): moves the equilibrium off the origin. */
  c?: number[];
}

/**
 * A game users bring as samples: at S points of a region, the Jacobian J(x_s) of the pseudo-gradient
 * (d x d, d = sum of dims; players' blocks in the order of dims), optionally the points x_s and
 * the pseudo-gradient F(x_s). The certificate's bounds are the min/max over the samples
 * (sampled.ts): an estimate over the region the samples stand for, as any sampled region is.
 */
export interface SampledJacobiansSpec {
  family: 'sampled-jacobians';
  name?: string;
  dims: number[];
  /** S Jacobians, each d x d, row i the derivatives of F_i. */
  jacobians: number[][][];
  /** The sample points x_s (S x d), informational: where the Jacobians were taken. */
  points?: number[][];
  /** F(x_s) (S x d), informational: how far each sample is from a stationary point. */
  gradients?: number[][];
}

/** Every family's spec. */
export type GameSpec = QuadraticSpec | TanhSpec | MarkovSpec | SampledJacobiansSpec;

/** Number of players a spec describes. */
export function playerCount(spec: GameSpec): number {
  return spec.family === 'markov' || 'Q1' in spec || 'preset' in spec ? 2 : spec.dims.length;
}
