/** Random building blocks for the seeded quadratic generators. */
import { zeros, type DenseMatrix } from '../linalg/matrix.js';
import { DENSE_MAX_N_SPECTRAL, spectralNorm } from '../linalg/spectral-norm.js';
import type { RandomGenerator } from '../random/generator.js';
import { defaultRng } from '../random/generator.js';

function gaussian(rows: number, cols: number, rng: RandomGenerator): DenseMatrix {
  const m = zeros(rows, cols);
  for (let k = 0; k < m.data.length; k++) m.data[k] = rng.normal();
  return m;
}

/**
 * A rows x cols matrix with orthonormal rows or columns (whichever is fewer): all singular
 * values 1. Modified Gram-Schmidt on a Gaussian matrix, run twice for orthogonality to ~1e-15.
 */
export function orthonormalCoupling(rows: number, cols: number, rng: RandomGenerator): DenseMatrix {
  const g = gaussian(rows, cols, rng);
  const tall = rows >= cols;
  // Orthonormalise the shorter side's vectors: columns of a tall matrix, rows of a wide one.
  const k = tall ? cols : rows;
  const len = tall ? rows : cols;
  const vec = (v: number, t: number): number => (tall ? t * cols + v : v * cols + t);
  for (let pass = 0; pass < 2; pass++) {
    for (let v = 0; v < k; v++) {
      for (let u = 0; u < v; u++) {
        let dot = 0;
        for (let t = 0; t < len; t++) dot += g.data[vec(u, t)] * g.data[vec(v, t)];
        for (let t = 0; t < len; t++) g.data[vec(v, t)] -= dot * g.data[vec(u, t)];
      }
      let norm = 0;
      for (let t = 0; t < len; t++) norm += g.data[vec(v, t)] ** 2;
      norm = Math.sqrt(norm);
      for (let t = 0; t < len; t++) g.data[vec(v, t)] /= norm;
    }
  }
  return g;
}

/** A Gaussian rows x cols matrix scaled to spectral norm 1. */
export function gaussianCoupling(rows: number, cols: number, rng: RandomGenerator): DenseMatrix {
  const g = gaussian(rows, cols, rng);
  // The kernel is pinned (dense up to the documented size, uncapped Lanczos above) rather than
  // left to `auto`, whose choice may be retuned: a seed must keep producing the same game, bit for bit.
  const method = Math.min(rows, cols) <= DENSE_MAX_N_SPECTRAL ? 'dense' : 'lanczos';
  const norm = spectralNorm(g, { method }).value;
  for (let k = 0; k < g.data.length; k++) g.data[k] /= norm;
  return g;
}

/** B^T B + mu0 I with B Gaussian, entries N(0, 1/d) so that B^T B has an O(1) spectrum. */
export function gramPlusShift(d: number, mu0: number, rng: RandomGenerator): DenseMatrix {
  const b = gaussian(d, d, rng);
  const s = 1 / Math.sqrt(d);
  for (let k = 0; k < b.data.length; k++) b.data[k] *= s;
  return gramPlusShiftOf(b, mu0);
}

/**
 * The paper's random ensemble (LQ_GAMES/random_suite.generate_random_game) on NumPy's stream:
 * from default_rng(seed), R_1 = standard_normal((d1, d1)), R_2 = standard_normal((d2, d2)),
 * R_base = standard_normal((d1, d2)) in that order (each filled row by row), Q_i = R_i^T R_i + mu0 I
 * (unscaled, as the paper has it) and R = R_base / ||R_base||_2. The draws are NumPy's bit for bit;
 * Q_i and R agree with NumPy's to rounding (BLAS and LAPACK order their sums differently).
 */
export function paperRandomBlocks(
  d1: number,
  d2: number,
  mu0: number,
  seed: number,
): { Q1: DenseMatrix; Q2: DenseMatrix; R: DenseMatrix } {
  const rng = defaultRng(seed);
  const draw = (rows: number, cols: number): DenseMatrix => {
    const m = zeros(rows, cols);
    rng.normals(rows * cols, m.data);
    return m;
  };
  const R1 = draw(d1, d1);
  const R2 = draw(d2, d2);
  const base = draw(d1, d2);
  const Q1 = gramPlusShiftOf(R1, mu0);
  const Q2 = gramPlusShiftOf(R2, mu0);
  // Pinned kernel, as in gaussianCoupling: a seed keeps producing the same game.
  const method = Math.min(d1, d2) <= DENSE_MAX_N_SPECTRAL ? 'dense' : 'lanczos';
  const norm = spectralNorm(base, { method }).value;
  if (!(norm > 0)) throw new Error('the sampled cross-player base matrix has zero norm');
  for (let k = 0; k < base.data.length; k++) base.data[k] /= norm;
  return { Q1, Q2, R: base };
}

/** B^T B + mu0 I for a square B (exactly symmetric). */
export function gramPlusShiftOf(b: DenseMatrix, mu0: number): DenseMatrix {
  const d = b.rows;
  if (b.cols !== d) throw new Error(`gramPlusShiftOf needs a square matrix, got ${b.rows}x${b.cols}`);
  const out = zeros(d, d);
  const bd = b.data;
  // (B^T B)_ij = sum_k b_ki b_kj, summed over k in increasing order for every (i, j) exactly as a
  // plain triple loop would (so games stay bit-for-bit reproducible), but four rows i at a time
  // against contiguous rows of B instead of strided columns.
  const acc = [new Float64Array(d), new Float64Array(d), new Float64Array(d), new Float64Array(d)];
  for (let i0 = 0; i0 < d; i0 += 4) {
    const rows = Math.min(4, d - i0);
    for (let r = 0; r < rows; r++) acc[r].fill(0);
    const [a0, a1, a2, a3] = acc;
    for (let k = 0; k < d; k++) {
      const row = k * d;
      const c0 = bd[row + i0];
      const c1 = rows > 1 ? bd[row + i0 + 1] : 0;
      const c2 = rows > 2 ? bd[row + i0 + 2] : 0;
      const c3 = rows > 3 ? bd[row + i0 + 3] : 0;
      for (let j = i0; j < d; j++) {
        const v = bd[row + j];
        a0[j] += c0 * v;
        a1[j] += c1 * v;
        a2[j] += c2 * v;
        a3[j] += c3 * v;
      }
    }
    for (let r = 0; r < rows; r++) {
      const i = i0 + r;
      const a = acc[r];
      for (let j = i; j < d; j++) {
        out.data[i * d + j] = a[j];
        out.data[j * d + i] = a[j];
      }
      out.data[i * d + i] += mu0;
    }
  }
  return out;
}
