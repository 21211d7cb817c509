/**
 * Random vectors and matrices for tests, benches and Lanczos start vectors, drawn from the
 * project's one generator (sgn/random/generator.ts): nothing in `sgn/linalg` touches Math.random.
 */
import type { RandomGenerator } from '../random/generator.js';
import { type DenseMatrix, zeros } from './matrix.js';

export function randomVector(n: number, rng: RandomGenerator): Float64Array {
  return rng.normals(n);
}

/** Matrix with i.i.d. standard normal entries. */
export function randomMatrix(rows: number, cols: number, rng: RandomGenerator): DenseMatrix {
  const m = zeros(rows, cols);
  rng.normals(m.data.length, m.data);
  return m;
}

/** Exactly symmetric matrix (B + B^T) / 2 with B Gaussian. */
export function randomSymmetric(n: number, rng: RandomGenerator): DenseMatrix {
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
export function randomOrthogonal(n: number, rng: RandomGenerator): DenseMatrix {
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
