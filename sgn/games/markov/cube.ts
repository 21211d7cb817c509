/**
 * The 2^d vertices of the cube {x : ||x - centre||_inf <= radius}: the paper's sample set for
 * the Markov certificate (a tensor grid with 2 points per axis). Local until `sgn/regions/`
 * provides samplers.
 */
export const MAX_VERTEX_DIM = 20;

export function cubeVertices(centre: Float64Array, radius: number): Float64Array[] {
  const d = centre.length;
  if (d > MAX_VERTEX_DIM)
    throw new Error(`cube vertices: dimension ${d} gives more than 2^${MAX_VERTEX_DIM} points`);
  if (!(radius >= 0) || !Number.isFinite(radius))
    throw new Error(`cube vertices: radius must be >= 0, got ${radius}`);
  const out: Float64Array[] = [];
  for (let mask = 0; mask < 2 ** d; mask++) {
    const v = Float64Array.from(centre);
    for (let k = 0; k < d; k++) v[k] += (mask >> k) & 1 ? radius : -radius;
    out.push(v);
  }
  return out;
}
