/**
 * The Markov family's certification set-up, shared by `sgn certify`, `sgn simulate` and sweeps:
 * the region is a box (or ball) in logits around the regularised equilibrium -- never a given
 * centre, since the certificate is about play near x* -- sampled at the cube's vertices by default,
 * and the bounds are sampled only (the family supplies no Lipschitz constant for its Jacobian).
 */
import type { Region, RegionKind } from '../../regions/region.js';
import { defaultSampler, samplePoints, type SamplerSpec } from '../../regions/samplers.js';
import { InputError } from '../../util/errors.js';
import type { MarkovGame } from './markov-game.js';
import { markovBounds, markovCertificateAt, type MarkovBounds, type MarkovCertificate } from './fisher.js';

/** The paper's logit cube around a Markov game's equilibrium. */
export const MARKOV_DEFAULT_REGION = 'box:0.1';
/** Up to this many logits the default sampler takes every vertex of the cube (2^12 points). */
const VERTICES_MAX_DIM = 12;

export const MARKOV_NO_RIGOROUS = 'the markov family supplies no Lipschitz constant for its Jacobian';

/** Vertices of the cube up to 12 logits, else the generic default. */
export function markovDefaultSampler(dim: number): SamplerSpec {
  return dim <= VERTICES_MAX_DIM ? { kind: 'vertices' } : defaultSampler(dim);
}

/** The region of kind/radii around x*; errors about the radii name `radiusField`. */
export function markovRegion(
  game: MarkovGame,
  xStar: Float64Array,
  shape: { readonly kind: RegionKind; readonly radii: readonly number[] },
  radiusField: string,
): Region {
  const radii = shape.radii.length === 1 ? [shape.radii[0], shape.radii[0]] : [...shape.radii];
  if (radii.length !== 2) throw new InputError(radiusField, 'expects 1 or 2 radii (two players)');
  return { kind: shape.kind, blocks: game.blocks, centre: xStar, radii, centreSource: 'equilibrium' };
}

export interface MarkovRegionBounds {
  readonly region: Region;
  readonly sampler: SamplerSpec;
  readonly points: readonly Float64Array[];
  readonly fisher: MarkovBounds;
  /** Computed on first use (only Euclidean-geometry iterations need it). */
  euclidean(): MarkovBounds;
}

/** Sample points of the region and the Fisher bounds on them (errors about the sampler name `samplerField`). */
export function markovRegionBounds(
  game: MarkovGame,
  region: Region,
  sampler: SamplerSpec,
  samplerField: string,
): MarkovRegionBounds {
  const points = samplePoints(region, sampler, samplerField);
  let euclidean: MarkovBounds | null = null;
  return {
    region,
    sampler,
    points,
    fisher: markovBounds(game, points),
    euclidean: () => (euclidean ??= markovBounds(game, points, { geometry: 'euclidean' })),
  };
}

/** The Fisher and Euclidean certificates at the optimal weights of each. */
export function markovOptimalCertificates(b: MarkovRegionBounds): {
  fisher: MarkovCertificate;
  euclidean: MarkovCertificate;
} {
  return { fisher: markovCertificateAt(b.fisher), euclidean: markovCertificateAt(b.euclidean()) };
}
