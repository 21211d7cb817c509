/**
 * Perturbations of a linear game F(x) = H x + c by Gaussian noise of unit spectral norm, drawn
 * from NumPy's default_rng(seed) (sgn/random), so that a seed gives NumPy's matrix:
 *
 * - mode `add`:  H <- H + eps E, with E of spectral norm 1: Gaussian everywhere (`structure: full`,
 *   one standard_normal((d, d))) or on the coupling blocks only (`structure: coupling`, one
 *   standard_normal((d_i, d_j)) per ordered pair i != j, i-major; the own blocks stay as they were).
 * - mode `mix` (coupling blocks only): A_ij <- (1 - eps) A_ij + eps ||A_ij||_2 N_ij with each N_ij
 *   Gaussian of spectral norm 1: the paper's structured-noise study (LQ_GAMES/figures.py,
 *   compute_noise_robustness: there the scale is lambda a, resp. lambda b, which is ||A_ij||_2 for
 *   its orthonormal R), eps in [0, 1] running from the structured coupling to pure noise.
 *
 * A stream yields one draw after another (one draw: every noise matrix above, in that order);
 * `draw` k takes the (k+1)-th, the earlier ones drawn and discarded, as NumPy's loop over its
 * trials does.
 */
import { zeros, type DenseMatrix } from '../linalg/matrix.js';
import { DENSE_MAX_N_SPECTRAL, spectralNorm } from '../linalg/spectral-norm.js';
import { defaultRng } from '../random/generator.js';
import { blocksOf } from './blocks.js';

export const PERTURBATION_STRUCTURES = ['full', 'coupling'] as const;
export type PerturbationStructure = (typeof PERTURBATION_STRUCTURES)[number];
export const PERTURBATION_MODES = ['add', 'mix'] as const;
export type PerturbationMode = (typeof PERTURBATION_MODES)[number];

export interface Perturbation {
  /** Size: the spectral norm of what `add` adds; the noise fraction of `mix` (in [0, 1]). */
  eps: number;
  /** NumPy seed of the noise stream (a non-negative integer). */
  seed: number;
  /** Which draw of the stream: 0 is the first. */
  draw: number;
  structure: PerturbationStructure;
  mode: PerturbationMode;
}

/**
 * Normal draws a perturbation may discard before its own (draw x draw size): a bound on the
 * work of reaching a late draw (1e7 normals took 2.4 s here; the paper's study needs 2.7e5).
 */
export const MAX_SKIPPED_NORMALS = 1e7;

/** Normals in one draw: d^2 for `full`, d^2 - sum d_i^2 (the coupling blocks) for `coupling`. */
export function drawSize(dims: readonly number[], structure: PerturbationStructure): number {
  const d = dims.reduce((s, k) => s + k, 0);
  return structure === 'full' ? d * d : d * d - dims.reduce((s, k) => s + k * k, 0);
}

// The kernel is pinned (as generators.ts does): a seed must keep giving the same matrix.
function norm2(m: DenseMatrix): number {
  const method = Math.min(m.rows, m.cols) <= DENSE_MAX_N_SPECTRAL ? 'dense' : 'lanczos';
  return spectralNorm(m, { method }).value;
}

function scaleInPlace(m: DenseMatrix, s: number): void {
  for (let k = 0; k < m.data.length; k++) m.data[k] *= s;
}

function unitNorm(m: DenseMatrix): DenseMatrix {
  const n = norm2(m);
  if (!(n > 0)) throw new Error('the sampled noise matrix has zero norm');
  scaleInPlace(m, 1 / n);
  return m;
}

/** The noise matrices of draw `p.draw` of default_rng(p.seed), in draw order, unnormalised. */
function rawDraw(dims: readonly number[], p: Perturbation): DenseMatrix[] {
  const rng = defaultRng(p.seed);
  const size = drawSize(dims, p.structure);
  if (p.draw * size > MAX_SKIPPED_NORMALS)
    throw new Error(`draw ${p.draw} would discard ${p.draw * size} normals (at most ${MAX_SKIPPED_NORMALS})`);
  const skip = new Float64Array(Math.min(size, 1 << 16));
  for (let left = p.draw * size; left > 0; left -= skip.length)
    rng.normals(Math.min(left, skip.length), skip);
  const take = (rows: number, cols: number): DenseMatrix => {
    const m = zeros(rows, cols);
    rng.normals(rows * cols, m.data);
    return m;
  };
  if (p.structure === 'full') {
    const d = dims.reduce((s, k) => s + k, 0);
    return [take(d, d)];
  }
  const out: DenseMatrix[] = [];
  for (let i = 0; i < dims.length; i++)
    for (let j = 0; j < dims.length; j++) if (i !== j) out.push(take(dims[i], dims[j]));
  return out;
}

/**
 * The matrix E of an `add` perturbation (eps aside): d x d, spectral norm 1, zero on the own
 * blocks when the structure is `coupling`.
 */
export function additiveNoise(dims: readonly number[], p: Perturbation): DenseMatrix {
  const draws = rawDraw(dims, p);
  if (p.structure === 'full') return unitNorm(draws[0]);
  const { offsets, dim } = blocksOf(dims);
  const E = zeros(dim, dim);
  let k = 0;
  for (let i = 0; i < dims.length; i++)
    for (let j = 0; j < dims.length; j++) {
      if (i === j) continue;
      const N = draws[k++];
      for (let r = 0; r < dims[i]; r++)
        E.data.set(N.data.subarray(r * dims[j], (r + 1) * dims[j]), (offsets[i] + r) * dim + offsets[j]);
    }
  return unitNorm(E);
}

/** The unit-norm coupling noises N_ij of a `mix` perturbation, in draw order (i-major, i != j). */
export function couplingNoises(dims: readonly number[], p: Perturbation): DenseMatrix[] {
  return rawDraw(dims, p).map(unitNorm);
}

function blockOf(H: DenseMatrix, r0: number, rows: number, c0: number, cols: number): DenseMatrix {
  const m = zeros(rows, cols);
  for (let r = 0; r < rows; r++)
    m.data.set(H.data.subarray((r0 + r) * H.cols + c0, (r0 + r) * H.cols + c0 + cols), r * cols);
  return m;
}

/** A perturbed copy of H (blocks of sizes dims); H itself is left as it was. */
export function perturbMatrix(H: DenseMatrix, dims: readonly number[], p: Perturbation): DenseMatrix {
  const { offsets, dim } = blocksOf(dims);
  if (H.rows !== dim || H.cols !== dim) throw new Error(`H is ${H.rows}x${H.cols} but dims add up to ${dim}`);
  const out: DenseMatrix = { rows: dim, cols: dim, data: Float64Array.from(H.data) };
  // eps = 0 is the game itself, exactly (both modes reduce to H): no draw needed.
  if (p.eps === 0) return out;
  if (p.mode === 'add') {
    const E = additiveNoise(dims, p);
    for (let k = 0; k < out.data.length; k++) out.data[k] += p.eps * E.data[k];
    return out;
  }
  if (p.structure !== 'coupling') throw new Error('a mix perturbation acts on the coupling blocks only');
  const noises = couplingNoises(dims, p);
  let k = 0;
  for (let i = 0; i < dims.length; i++)
    for (let j = 0; j < dims.length; j++) {
      if (i === j) continue;
      const N = noises[k++];
      const scale = norm2(blockOf(H, offsets[i], dims[i], offsets[j], dims[j]));
      for (let r = 0; r < dims[i]; r++) {
        const row = (offsets[i] + r) * dim + offsets[j];
        for (let c = 0; c < dims[j]; c++)
          out.data[row + c] = (1 - p.eps) * H.data[row + c] + p.eps * scale * N.data[r * dims[j] + c];
      }
    }
  return out;
}
