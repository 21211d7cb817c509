/**
 * Small seeded generators. Kernels and tests must be reproducible run to run, so nothing in
 * `sgn/linalg` touches Math.random.
 */
import { type DenseMatrix, zeros } from './matrix.js';

/** mulberry32: 32-bit state, uniform in [0, 1). Plenty for start vectors and test matrices. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * seededRandom(seed) after `draws` calls, without making them: mulberry32's state is a counter
 * (it advances by a constant per draw), so this is seededRandom at the advanced state.
 */
export function seededRandomAfter(seed: number, draws: number): () => number {
  return seededRandom((seed + Math.imul(draws, 0x6d2b79f5)) >>> 0);
}

/** Standard normal via Box-Muller (only the cosine half; simplicity beats speed here). */
export function gaussian(rng: () => number): number {
  const u = 1 - rng(); // (0, 1], keeps log finite
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function randomVector(n: number, rng: () => number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = gaussian(rng);
  return x;
}

/** Matrix with i.i.d. standard normal entries. */
export function randomMatrix(rows: number, cols: number, rng: () => number): DenseMatrix {
  const m = zeros(rows, cols);
  for (let k = 0; k < m.data.length; k++) m.data[k] = gaussian(rng);
  return m;
}

/** Exactly symmetric matrix (B + B^T) / 2 with B Gaussian. */
export function randomSymmetric(n: number, rng: () => number): DenseMatrix {
  const b = randomMatrix(n, n, rng);
  const m = zeros(n, n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      const v = 0.5 * (b.data[i * n + j] + b.data[j * n + i]);
      m.data[i * n + j] = v;
      m.data[j * n + i] = v;
    }
  return m;
}

/** Random orthogonal n x n matrix (modified Gram-Schmidt, run twice, on a Gaussian matrix). */
export function randomOrthogonal(n: number, rng: () => number): DenseMatrix {
  const q = randomMatrix(n, n, rng);
  const d = q.data;
  // Orthonormalise rows; rows of an orthogonal matrix are orthonormal too.
  for (let i = 0; i < n; i++) {
    for (let pass = 0; pass < 2; pass++)
      for (let j = 0; j < i; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += d[i * n + k] * d[j * n + k];
        for (let k = 0; k < n; k++) d[i * n + k] -= s * d[j * n + k];
      }
    let nr = 0;
    for (let k = 0; k < n; k++) nr += d[i * n + k] * d[i * n + k];
    nr = Math.sqrt(nr);
    for (let k = 0; k < n; k++) d[i * n + k] /= nr;
  }
  return q;
}
