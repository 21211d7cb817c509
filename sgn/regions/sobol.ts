/**
 * The Sobol sequence (unscrambled, Gray-code order, first point 0), with the Joe & Kuo direction
 * numbers ("new-joe-kuo-6.21201", S. Joe and F. Y. Kuo, SIAM J. Sci. Comput. 30 (2008)) for the
 * first 32 dimensions. Above that it refuses: use a Halton sequence or random points.
 * Checked point for point against scipy.stats.qmc.Sobol (sobol.test.ts).
 */

/**
 * Dimensions 2..32: [primitive polynomial, initial direction numbers m_1..m_s]. The polynomial is
 * written in binary with its leading and trailing 1 (degree s = bit length - 1); its middle bits
 * are Joe-Kuo's `a`. Dimension 1 is the van der Corput sequence (every m_k = 1).
 */
const JOE_KUO: readonly (readonly [number, readonly number[]])[] = [
  [3, [1]],
  [7, [1, 3]],
  [11, [1, 3, 1]],
  [13, [1, 1, 1]],
  [19, [1, 1, 3, 3]],
  [25, [1, 3, 5, 13]],
  [37, [1, 1, 5, 5, 17]],
  [41, [1, 1, 5, 5, 5]],
  [47, [1, 1, 7, 11, 19]],
  [55, [1, 1, 5, 1, 1]],
  [59, [1, 1, 1, 3, 11]],
  [61, [1, 3, 5, 5, 31]],
  [67, [1, 3, 3, 9, 7, 49]],
  [91, [1, 1, 1, 15, 21, 21]],
  [97, [1, 3, 1, 13, 27, 49]],
  [103, [1, 1, 1, 15, 7, 5]],
  [109, [1, 3, 1, 15, 13, 25]],
  [115, [1, 1, 5, 5, 19, 61]],
  [131, [1, 3, 7, 11, 23, 15, 103]],
  [137, [1, 3, 7, 13, 13, 15, 69]],
  [143, [1, 1, 3, 13, 7, 35, 63]],
  [145, [1, 3, 5, 9, 1, 25, 53]],
  [157, [1, 3, 1, 13, 9, 35, 107]],
  [167, [1, 3, 1, 5, 27, 61, 31]],
  [171, [1, 1, 5, 11, 19, 41, 61]],
  [185, [1, 3, 5, 3, 3, 13, 69]],
  [191, [1, 1, 7, 13, 1, 19, 1]],
  [193, [1, 3, 7, 5, 13, 19, 59]],
  [203, [1, 1, 3, 9, 25, 29, 41]],
  [211, [1, 3, 5, 13, 23, 1, 55]],
  [213, [1, 3, 7, 3, 13, 59, 17]],
];

export const SOBOL_MAX_DIM = JOE_KUO.length + 1;
const BITS = 32;

/** V[k] = m_k 2^(32 - k), k = 1..32, for one dimension (Bratley-Fox recurrence). */
function directionNumbers(dimension: number): Uint32Array {
  const v = new Uint32Array(BITS + 1);
  if (dimension === 0) {
    for (let k = 1; k <= BITS; k++) v[k] = 2 ** (BITS - k);
    return v;
  }
  const [poly, m] = JOE_KUO[dimension - 1];
  const s = Math.floor(Math.log2(poly));
  const a = (poly >>> 1) & ((1 << (s - 1)) - 1);
  for (let k = 1; k <= Math.min(s, BITS); k++) v[k] = (m[k - 1] * 2 ** (BITS - k)) >>> 0;
  for (let k = s + 1; k <= BITS; k++) {
    let x = (v[k - s] ^ (v[k - s] >>> s)) >>> 0;
    for (let l = 1; l < s; l++) if ((a >>> (s - 1 - l)) & 1) x = (x ^ v[k - l]) >>> 0;
    v[k] = x;
  }
  return v;
}

/** The first `count` points of the `dim`-dimensional Sobol sequence in [0, 1)^dim. */
export function sobolPoints(dim: number, count: number): Float64Array[] {
  if (!Number.isInteger(dim) || dim < 1 || dim > SOBOL_MAX_DIM)
    throw new RangeError(`Sobol points need 1 <= dim <= ${SOBOL_MAX_DIM}, got ${dim}`);
  if (!Number.isInteger(count) || count < 0 || count > 2 ** BITS - 1)
    throw new RangeError(`Sobol point count must be an integer in [0, 2^32), got ${count}`);
  const V = Array.from({ length: dim }, (_, j) => directionNumbers(j));
  const x = new Uint32Array(dim);
  const out: Float64Array[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      // Gray code: point i differs from point i - 1 by the direction of (i - 1)'s lowest zero bit.
      let c = 1;
      for (let k = i - 1; k & 1; k >>>= 1) c++;
      for (let j = 0; j < dim; j++) x[j] = (x[j] ^ V[j][c]) >>> 0;
    }
    out.push(Float64Array.from(x, (u) => u / 2 ** BITS));
  }
  return out;
}
