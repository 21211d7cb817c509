/** The quadratic (linear-quadratic) family: F(x) = H x + c, J = H. */
import { symPart, zeros, type DenseMatrix, matvec } from '../linalg/matrix.js';
import { minSymmetricEigenvalue, spectralNorm } from '../linalg/spectral-norm.js';
import { defaultRng } from '../random/generator.js';
import { blocksOf } from './blocks.js';
import type { Game } from './game.js';
import type {
  GeneratedQuadraticSpec,
  PaperRandomQuadraticSpec,
  QuadraticSpec,
  TwoPlayerQuadraticSpec,
} from './spec.js';
import { perturbMatrix } from './perturbation.js';
import { orthonormalCoupling, gaussianCoupling, gramPlusShift, paperRandomBlocks } from './generators.js';

type KnownBounds = NonNullable<NonNullable<Game['linear']>['knownBounds']>;

export function quadraticGame(
  H: DenseMatrix,
  dims: readonly number[],
  c?: Float64Array,
  knownBounds?: KnownBounds,
): Game {
  const blocks = blocksOf(dims);
  if (H.rows !== blocks.dim || H.cols !== blocks.dim) {
    throw new Error(`H is ${H.rows}x${H.cols} but dims add up to ${blocks.dim}`);
  }
  const shift = c ?? new Float64Array(blocks.dim);
  return {
    family: 'quadratic',
    blocks,
    linear: knownBounds ? { H, c: shift, knownBounds } : { H, c: shift },
    F(x) {
      const y = matvec(H, x);
      for (let i = 0; i < y.length; i++) y[i] += shift[i];
      return y;
    },
    J: () => H,
  };
}

/**
 * Builds the quadratic game a validated spec describes, perturbed when it says so (the block
 * bounds then come from the perturbed H: the family's known bounds are for the unperturbed one).
 */
export function buildQuadraticGame(spec: QuadraticSpec): Game {
  const game = buildUnperturbed(spec);
  const p = spec.perturbation;
  if (!p || p.eps === 0 || !game.linear) return game;
  const dims = game.blocks.dims;
  return quadraticGame(perturbMatrix(game.linear.H, dims, p), dims, game.linear.c);
}

function buildUnperturbed(spec: QuadraticSpec): Game {
  if ('preset' in spec) {
    // The scalar toy: F1 = mu1 x1 + a x2, F2 = b x1 + mu2 x2.
    const H = zeros(2, 2);
    H.data.set([spec.mu1, spec.a, spec.b, spec.mu2]);
    return quadraticGame(H, [1, 1]);
  }
  if ('H' in spec) {
    const n = spec.H.length;
    const H = zeros(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H.data[i * n + j] = spec.H[i][j];
    return quadraticGame(H, spec.dims, spec.c ? Float64Array.from(spec.c) : undefined);
  }
  if ('Q1' in spec) return twoPlayerGame(spec);
  if (spec.generator === 'paper-random') return paperRandomGame(spec);
  return generatedGame(spec);
}

/**
 * The paper's random ensemble (generators.ts, paperRandomBlocks): H = [[Q1, lambda a R],
 * [lambda b R^T, Q2]]. Known bounds as the paper's random suite takes them: mu_i = lambda_min(Q_i),
 * L_12 = |lambda a|, L_21 = |lambda b| (||R||_2 = 1 by construction, to rounding).
 */
function paperRandomGame(spec: PaperRandomQuadraticSpec): Game {
  const [d1, d2] = spec.dims;
  const { Q1, Q2, R } = paperRandomBlocks(d1, d2, spec.mu0, spec.seed);
  const n = d1 + d2;
  const H = zeros(n, n);
  const top = spec.lambda * spec.a;
  const bottom = spec.lambda * spec.b;
  for (let i = 0; i < d1; i++) {
    H.data.set(Q1.data.subarray(i * d1, (i + 1) * d1), i * n);
    for (let j = 0; j < d2; j++) {
      H.data[i * n + d1 + j] = top * R.data[i * d2 + j];
      H.data[(d1 + j) * n + i] = bottom * R.data[i * d2 + j];
    }
  }
  for (let i = 0; i < d2; i++) H.data.set(Q2.data.subarray(i * d2, (i + 1) * d2), (d1 + i) * n + d1);
  const known: KnownBounds = {
    mu: [minSymmetricEigenvalue(Q1).value, minSymmetricEigenvalue(Q2).value],
    L: [
      [0, Math.abs(top)],
      [Math.abs(bottom), 0],
    ],
  };
  return quadraticGame(H, [d1, d2], undefined, known);
}

function twoPlayerGame(spec: TwoPlayerQuadraticSpec): Game {
  const d1 = spec.Q1.length;
  const d2 = spec.Q2.length;
  const n = d1 + d2;
  const H = zeros(n, n);
  const top = spec.lambda * spec.a;
  const bottom = spec.lambda * spec.b;
  for (let i = 0; i < d1; i++) {
    for (let j = 0; j < d1; j++) H.data[i * n + j] = spec.Q1[i][j];
    for (let j = 0; j < d2; j++) {
      H.data[i * n + d1 + j] = top * spec.R[i][j];
      H.data[(d1 + j) * n + i] = bottom * spec.R[i][j];
    }
  }
  for (let i = 0; i < d2; i++) for (let j = 0; j < d2; j++) H.data[(d1 + i) * n + d1 + j] = spec.Q2[i][j];
  const norm = unitCouplingNorm(spec.R);
  const known: KnownBounds = {
    mu: [ownMargin(spec.Q1), ownMargin(spec.Q2)],
    L: [
      [0, Math.abs(top) * norm],
      [Math.abs(bottom) * norm, 0],
    ],
  };
  return quadraticGame(H, [d1, d2], spec.c ? Float64Array.from(spec.c) : undefined, known);
}

/**
 * Per-matrix results for the two-player form, keyed by the spec's own arrays: a sweep over lambda
 * builds one game per lambda from the same Q1, Q2, R, whose block bounds are then lambda_min(sym
 * Q_i) (no lambda at all) and |lambda a| ||R||, |lambda b| ||R|| (one norm for every lambda).
 */
const ownMargins = new WeakMap<readonly (readonly number[])[], number>();
const couplingNorms = new WeakMap<readonly (readonly number[])[], number>();

function denseOf(rows: readonly (readonly number[])[]): DenseMatrix {
  const m = zeros(rows.length, rows[0]?.length ?? 0);
  rows.forEach((r, i) => m.data.set(r, i * m.cols));
  return m;
}

function ownMargin(Q: readonly (readonly number[])[]): number {
  let v = ownMargins.get(Q);
  if (v === undefined) {
    v = minSymmetricEigenvalue(symPart(denseOf(Q))).value;
    ownMargins.set(Q, v);
  }
  return v;
}

function unitCouplingNorm(R: readonly (readonly number[])[]): number {
  let v = couplingNorms.get(R);
  if (v === undefined) {
    v = spectralNorm(denseOf(R)).value;
    couplingNorms.set(R, v);
  }
  return v;
}

function generatedGame(spec: GeneratedQuadraticSpec): Game {
  const { dims } = spec;
  const blocks = blocksOf(dims);
  const n = blocks.dim;
  const H = zeros(n, n);
  const rng = defaultRng(spec.seed);
  // Fixed draw order (own blocks, then ordered pairs row by row) keeps games reproducible.
  for (let i = 0; i < dims.length; i++) {
    const own = spec.generator === 'clean' ? null : gramPlusShift(dims[i], spec.mu0, rng);
    const o = blocks.offsets[i];
    for (let r = 0; r < dims[i]; r++) {
      for (let c = 0; c < dims[i]; c++) {
        H.data[(o + r) * n + o + c] = own ? own.data[r * dims[i] + c] : r === c ? spec.mu0 : 0;
      }
    }
  }
  for (let i = 0; i < dims.length; i++) {
    for (let j = 0; j < dims.length; j++) {
      if (i === j) continue;
      const s = spec.lambda * (Array.isArray(spec.coupling) ? spec.coupling[i][j] : spec.coupling);
      const C =
        spec.generator === 'clean'
          ? orthonormalCoupling(dims[i], dims[j], rng)
          : gaussianCoupling(dims[i], dims[j], rng);
      const oi = blocks.offsets[i];
      const oj = blocks.offsets[j];
      for (let r = 0; r < dims[i]; r++) {
        for (let c = 0; c < dims[j]; c++) H.data[(oi + r) * n + oj + c] = s * C.data[r * dims[j] + c];
      }
    }
  }
  return quadraticGame(H, dims);
}
