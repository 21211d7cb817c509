/**
 * Initial points as the user chooses them, around a centre (x*, or the origin as the paper's
 * Markov runs start near uniform policies), from numpy.random.default_rng(seed):
 *   box:       uniform in the box of half-width `scale` (x = c + scale (2U - 1) per coordinate);
 *   gaussian:  x = c + scale N(0, I), as rng.normal(0, sigma, size=d) (the paper's LQ runs:
 *              sigma0 = 1; its Markov runs: 0.01 around the origin);
 *   m-sphere:  on the sphere ||x - c||_M = scale, M = blockdiag(w_i I): a Gaussian direction
 *              scaled to M-length `scale` (what step-size sweeps of linear games did by default).
 */
import type { Blocks } from '../games/blocks.js';
import { metricNorm } from '../integrators.js';
import { defaultRng } from '../random/generator.js';
import { uniformInBox } from './initial-points.js';

export const START_DISTRIBUTIONS = ['box', 'gaussian', 'm-sphere'] as const;
export type StartDistributionKind = (typeof START_DISTRIBUTIONS)[number];

export interface StartDistribution {
  readonly distribution: StartDistributionKind;
  /** Half-width (box), sigma (gaussian) or M-radius (m-sphere); > 0. */
  readonly scale: number;
}

export function drawStarts(
  d: StartDistribution,
  centre: Float64Array,
  blocks: Blocks,
  weights: readonly number[],
  count: number,
  seed: number,
): Float64Array[] {
  if (d.distribution === 'box')
    return uniformInBox(centre, new Float64Array(centre.length).fill(d.scale), count, seed);
  const rng = defaultRng(seed);
  const starts: Float64Array[] = [];
  for (let s = 0; s < count; s++) {
    const u = rng.normals(centre.length);
    const scale = d.distribution === 'gaussian' ? d.scale : d.scale / metricNorm(u, blocks, weights);
    starts.push(centre.map((c, i) => c + scale * u[i]));
  }
  return starts;
}

export function startText(d: StartDistribution, centre: 'x*' | 'the origin'): string {
  switch (d.distribution) {
    case 'box':
      return `uniform in the box of half-width ${d.scale} around ${centre}`;
    case 'gaussian':
      return `Gaussian with sigma ${d.scale} around ${centre}`;
    case 'm-sphere':
      return `on the M(w)-sphere of radius ${d.scale} around ${centre}`;
  }
}
