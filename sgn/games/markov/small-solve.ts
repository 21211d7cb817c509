/**
 * LU with partial pivoting for the small dense systems of the Markov family (S x S policy
 * evaluation, 2SA x 2SA Levenberg-Marquardt steps): factor once, solve many right-hand sides.
 */

export interface SmallLu {
  readonly n: number;
  readonly lu: Float64Array;
  readonly pivot: Int32Array;
}

/** Factors the row-major n x n matrix `a` (not modified). Throws on an exactly singular pivot. */
export function luFactor(a: Float64Array, n: number): SmallLu {
  const lu = Float64Array.from(a);
  const pivot = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(lu[i * n + k]) > Math.abs(lu[p * n + k])) p = i;
    pivot[k] = p;
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = lu[k * n + j];
        lu[k * n + j] = lu[p * n + j];
        lu[p * n + j] = t;
      }
    }
    const d = lu[k * n + k];
    if (d === 0 || !Number.isFinite(d)) throw new Error(`luFactor: singular matrix (pivot ${k})`);
    for (let i = k + 1; i < n; i++) {
      const f = (lu[i * n + k] /= d);
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i * n + j] -= f * lu[k * n + j];
    }
  }
  return { n, lu, pivot };
}

/** x with A x = b. */
export function luSolve(f: SmallLu, b: Float64Array): Float64Array {
  const { n, lu, pivot } = f;
  const x = Float64Array.from(b);
  for (let k = 0; k < n; k++) {
    const p = pivot[k];
    if (p !== k) {
      const t = x[k];
      x[k] = x[p];
      x[p] = t;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let j = 0; j < i; j++) s -= lu[i * n + j] * x[j];
    x[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let j = i + 1; j < n; j++) s -= lu[i * n + j] * x[j];
    x[i] = s / lu[i * n + i];
  }
  return x;
}
