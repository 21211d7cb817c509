/**
 * Logits are defined up to a constant per (player, state): adding c to every theta_i(s, .)
 * leaves the policy unchanged. These helpers work modulo that null space.
 */

/** Removes the mean of every consecutive run of `actions` entries (one run per player and state). */
export function centreLogits(x: Float64Array, actions: number): Float64Array {
  const out = Float64Array.from(x);
  for (let off = 0; off < out.length; off += actions) {
    let mean = 0;
    for (let a = 0; a < actions; a++) mean += out[off + a];
    mean /= actions;
    for (let a = 0; a < actions; a++) out[off + a] -= mean;
  }
  return out;
}

/**
 * An orthonormal basis of the complement of the all-ones vector in R^A, as an A x (A - 1)
 * row-major matrix (Helmert columns: e_1 - e_2, e_1 + e_2 - 2 e_3, ..., normalised).
 */
export function complementBasis(A: number): Float64Array {
  const q = new Float64Array(A * (A - 1));
  for (let c = 0; c < A - 1; c++) {
    const k = c + 1; // column c uses entries 0..k: k ones then -k
    const norm = Math.sqrt(k * (k + 1));
    for (let r = 0; r < k; r++) q[r * (A - 1) + c] = 1 / norm;
    q[k * (A - 1) + c] = -k / norm;
  }
  return q;
}
