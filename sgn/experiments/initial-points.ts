/**
 * Seeded starting points for trajectory experiments: uniform in a box around x*, in a region, or
 * in the largest M(w)-ball around x* that fits in the region.
 *
 * Why the M(w)-ball: the certificate bounds F on the region only, and what it proves is that
 * ||x_k - x*||_M does not grow. A trajectory from a corner of a box region can leave the box
 * (the box is no level set of ||.||_M) and lose the guarantee; one from inside the M(w)-ball
 * stays in that ball, hence in the region, so the certified rate applies at every step.
 */
import type { Blocks } from '../games/blocks.js';
import { coordinateRadii, type Region } from '../regions/region.js';
import { InputError } from '../util/errors.js';
import { defaultRng, type RandomGenerator } from '../random/generator.js';

/** Uniform in {x : |x_a - centre_a| <= radii_a}. */
export function uniformInBox(
  centre: Float64Array,
  radii: Float64Array,
  count: number,
  seed: number,
): Float64Array[] {
  const rng = defaultRng(seed);
  return Array.from({ length: count }, () => centre.map((c, a) => c + radii[a] * (2 * rng.uniform() - 1)));
}

/** Uniform in the unit Euclidean ball of R^d: a normal direction, radius U^{1/d}. */
function unitBallPoint(rng: RandomGenerator, d: number): Float64Array {
  for (;;) {
    const v = new Float64Array(d);
    let s = 0;
    for (let a = 0; a < d; a++) {
      v[a] = rng.normal();
      s += v[a] * v[a];
    }
    if (s === 0) continue;
    const scale = rng.uniform() ** (1 / d) / Math.sqrt(s);
    return v.map((t) => t * scale);
  }
}

/** Uniform in {x : ||x - centre||_2 <= radius}. */
export function uniformInBall(
  centre: Float64Array,
  radius: number,
  count: number,
  seed: number,
): Float64Array[] {
  const rng = defaultRng(seed);
  return Array.from({ length: count }, () => {
    const u = unitBallPoint(rng, centre.length);
    return centre.map((c, a) => c + radius * u[a]);
  });
}

/** Uniform in {x : ||x - centre||_M <= rho}, M = blockdiag(w_i I): block i of a unit-ball point scaled by rho / sqrt(w_i). */
export function uniformInMetricBall(
  centre: Float64Array,
  blocks: Blocks,
  weights: readonly number[],
  rho: number,
  count: number,
  seed: number,
): Float64Array[] {
  const rng = defaultRng(seed);
  return Array.from({ length: count }, () => {
    const u = unitBallPoint(rng, blocks.dim);
    const x = Float64Array.from(centre);
    blocks.dims.forEach((_d, i) => {
      const s = rho / Math.sqrt(weights[i]);
      for (let a = blocks.offsets[i]; a < blocks.offsets[i + 1]; a++) x[a] += s * u[a];
    });
    return x;
  });
}

/** Uniform in the region (its box or ball). */
export function uniformInRegion(region: Region, count: number, seed: number): Float64Array[] {
  return region.kind === 'box'
    ? uniformInBox(region.centre, coordinateRadii(region), count, seed)
    : uniformInBall(region.centre, region.radii[0], count, seed);
}

/**
 * The largest rho with {x : ||x - xStar||_M <= rho} inside the region, M = blockdiag(w_i I).
 * Box: the ball reaches rho / sqrt(w_i) along each coordinate of block i, so
 * rho = min_a (R_a - |xStar_a - c_a|) sqrt(w_i(a)). Ball of radius R: ||v||_2 <= rho / sqrt(min w),
 * so rho = (R - ||xStar - c||_2) sqrt(min w). Throws (naming `field`) when x* is not inside.
 */
export function invariantMetricRadius(
  region: Region,
  xStar: Float64Array,
  weights: readonly number[],
  field = 'region',
): number {
  const { blocks } = region;
  let rho = Infinity;
  if (region.kind === 'box') {
    const r = coordinateRadii(region);
    blocks.dims.forEach((_d, i) => {
      for (let a = blocks.offsets[i]; a < blocks.offsets[i + 1]; a++)
        rho = Math.min(rho, (r[a] - Math.abs(xStar[a] - region.centre[a])) * Math.sqrt(weights[i]));
    });
  } else {
    let s = 0;
    for (let a = 0; a < blocks.dim; a++) s += (xStar[a] - region.centre[a]) ** 2;
    rho = (region.radii[0] - Math.sqrt(s)) * Math.sqrt(Math.min(...weights));
  }
  if (!(rho > 0))
    throw new InputError(
      field,
      'the equilibrium is not inside the region, so no start is covered by the certificate',
    );
  return rho;
}
