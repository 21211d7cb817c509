/**
 * The sampled-Jacobians family: a game known only through its Jacobians at sample points (a GAN's
 * checkpoints, a policy's states), as the user's framework computed them. The certificate takes
 * its bounds over exactly these samples, with the same code a sampled region uses (bounds.ts,
 * metric.ts): mu_i = min_s lambda_min(sym(J_ii(x_s))), L_ij = max_s ||J_ij(x_s)||_2 and beta(w) =
 * max_s ||M^{1/2} J(x_s) M^{-1/2}||_2, marked `mode: sampled` (an estimate of the bounds on the
 * region the samples stand for). F and J exist at the sample points only.
 */
import { fromRows } from '../linalg/matrix.js';
import { blocksOf } from './blocks.js';
import type { Game, JacobianSamples } from './game.js';
import type { SampledJacobiansSpec } from './spec.js';
import type { RegionRecord } from '../regions/sampling.js';

export const SAMPLED_FAMILY = 'sampled-jacobians';

export function buildSampledGame(spec: SampledJacobiansSpec): Game {
  const blocks = blocksOf(spec.dims);
  const samples: JacobianSamples = {
    jacobians: spec.jacobians.map((J) => fromRows(J)),
    points: spec.points ? spec.points.map((p) => Float64Array.from(p)) : null,
    gradients: spec.gradients ? spec.gradients.map((g) => Float64Array.from(g)) : null,
  };
  const at = (x: Float64Array): number => {
    const k = samples.points?.findIndex((p) => p.every((v, a) => v === x[a])) ?? -1;
    if (k < 0)
      throw new Error(
        `the ${SAMPLED_FAMILY} family knows its game at its ${samples.jacobians.length} sample points only`,
      );
    return k;
  };
  return {
    family: SAMPLED_FAMILY,
    blocks,
    samples,
    J: (x) => samples.jacobians[at(x)],
    F: (x) => {
      const k = at(x);
      if (!samples.gradients) throw new Error(`this ${SAMPLED_FAMILY} file gives no pseudo-gradient values`);
      return Float64Array.from(samples.gradients[k]);
    },
  };
}

/**
 * The certificate's `region` record for samples given by the file: kind `samples`, the points'
 * mean as centre and, per player, the largest distance of a sample's block from it (empty without
 * points); mode `sampled`, nothing inflated.
 */
export function samplesRecord(game: Game, samples: JacobianSamples): RegionRecord {
  const { dims, offsets, dim } = game.blocks;
  const points = samples.points;
  let centre: number[] = [];
  let radii: number[] = [];
  if (points && points.length > 0) {
    const c = new Float64Array(dim);
    for (const p of points) for (let a = 0; a < dim; a++) c[a] += p[a] / points.length;
    centre = Array.from(c);
    radii = dims.map((_d, i) => {
      let r = 0;
      for (const p of points) {
        let s = 0;
        for (let a = offsets[i]; a < offsets[i + 1]; a++) s += (p[a] - c[a]) ** 2;
        r = Math.max(r, Math.sqrt(s));
      }
      return r;
    });
  }
  // Loops, not spreads: d and S may exceed the engine's argument limit.
  const norms = samples.gradients?.map((g) => Math.sqrt(g.reduce((sum, v) => sum + v * v, 0)));
  return {
    ...(norms && norms.length > 0
      ? {
          gradientNorms: {
            min: norms.reduce((a, b) => Math.min(a, b)),
            max: norms.reduce((a, b) => Math.max(a, b)),
          },
        }
      : {}),
    kind: 'samples',
    centre,
    centreSource: 'given',
    radii,
    sampler: 'file',
    points: samples.jacobians.length,
    mode: 'sampled',
    inflation: null,
    sampled: null,
  };
}
