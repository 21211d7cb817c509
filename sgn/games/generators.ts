/** Random building blocks for the seeded quadratic generators. */
import { zeros, type DenseMatrix } from '../linalg/matrix.js';
import { spectralNorm } from '../linalg/spectral-norm.js';
import type { SeededRandom } from '../util/random.js';

function gaussian(rows: number, cols: number, rng: SeededRandom): DenseMatrix {
  const m = zeros(rows, cols);
  for (let k = 0; k < m.data.length; k++) m.data[k] = rng.normal();
  return m;
}

/**
 * A rows x cols matrix with orthonormal rows or columns (whichever is fewer): all singular
 * values 1. Modified Gram-Schmidt on a Gaussian matrix, run twice for orthogonality to ~1e-15.
 */
export function orthonormalCoupling(rows: number, cols: number, rng: SeededRandom): DenseMatrix {
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
export function gaussianCoupling(rows: number, cols: number, rng: SeededRandom): DenseMatrix {
  const g = gaussian(rows, cols, rng);
  const norm = spectralNorm(g).value;
  for (let k = 0; k < g.data.length; k++) g.data[k] /= norm;
  return g;
}

/** B^T B + mu0 I with B Gaussian, entries N(0, 1/d) so that B^T B has an O(1) spectrum. */
export function gramPlusShift(d: number, mu0: number, rng: SeededRandom): DenseMatrix {
  const b = gaussian(d, d, rng);
  const s = 1 / Math.sqrt(d);
  for (let k = 0; k < b.data.length; k++) b.data[k] *= s;
  const out = zeros(d, d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let v = 0;
      for (let k = 0; k < d; k++) v += b.data[k * d + i] * b.data[k * d + j];
      out.data[i * d + j] = v;
      out.data[j * d + i] = v;
    }
    out.data[i * d + i] += mu0;
  }
  return out;
}
