/**
 * Block bounds on a region: the Jacobians at a sampler's points, and in the rigorous mode the
 * inflation that turns the sampled min/max into bounds over the whole region.
 *
 * Rigorous mode: with Lip an upper bound of the Lipschitz constant of J on R (spectral norm) and
 * r_cov the covering radius of the samples, every x in R has a sample s with ||x - s|| <= r_cov,
 * so ||J(x) - J(s)||_2 <= delta = Lip r_cov. Every block of J then moves by at most delta, hence
 *   mu_i >= (sampled mu_i) - delta,  L_ij <= (sampled L_ij) + delta,  gamma_euc >= (sampled) - delta,
 * and in the metric ||M^{1/2} (J(x) - J(s)) M^{-1/2}||_2 <= sqrt(max w / min w) delta, which is
 * added to the sampled beta(w) (certificate.ts does that per weight vector).
 */
import type { DenseMatrix } from '../linalg/matrix.js';
import type { Game } from '../games/game.js';
import type { BlockBounds } from '../bounds.js';
import { InputError } from '../util/errors.js';
import type { Region, RegionKind } from './region.js';
import { checkSampler, defaultSampler, samplePoints, samplerText, type SamplerSpec } from './samplers.js';
import { coveringRadius } from './covering.js';

/** What the certificate says about the region its bounds rest on. */
export interface RegionRecord {
  /** `samples`: the points a sampled-Jacobians file gives (sgn/games/sampled.ts). */
  readonly kind: RegionKind | 'samples';
  readonly centre: number[];
  readonly centreSource: 'given' | 'equilibrium';
  /** One per player (samples: the largest distance of a player's block from the centre). */
  readonly radii: number[];
  /** null for linear games: J is constant, so no sampling is needed. */
  readonly sampler: string | null;
  /** Points the Jacobian was evaluated at. */
  readonly points: number;
  /**
   * exact: linear game (one Jacobian is the region); sampled: min/max over the points (an
   * estimate); rigorous: sampled bounds inflated into bounds over the whole region.
   */
  readonly mode: 'exact' | 'sampled' | 'rigorous';
  readonly inflation: {
    /** Upper bound of the Lipschitz constant of J on the region (the family's). */
    readonly jacobianLipschitz: number;
    /** Upper bound of the samples' covering radius (exact for centre, vertices and box grids). */
    readonly coveringRadius: number;
    readonly coveringMethod: 'exact' | 'branch-and-bound';
    /** A lower bound of the covering radius (equal to it when exact). */
    readonly coveringLower: number;
    /** delta = jacobianLipschitz x coveringRadius: subtracted from mu, added to L. */
    readonly amount: number;
  } | null;
  /**
   * Samples given with their pseudo-gradient values (sgn/games/sampled.ts): the smallest and largest
   * ||F(x_s)||_2, how far the samples are from a stationary point. Absent otherwise.
   */
  readonly gradientNorms?: { readonly min: number; readonly max: number };
  /** The bounds before inflation (rigorous mode). */
  readonly sampled: { readonly mu: number[]; readonly L: number[][]; readonly gammaEuclidean: number } | null;
}

export interface RegionSampling {
  readonly region: Region;
  /** Default: defaultSampler(d). */
  readonly sampler?: SamplerSpec;
  readonly rigorous?: boolean;
  /** Fields errors name (the CLI passes its flags). */
  readonly fields?: { readonly sampler?: string; readonly rigorous?: string };
}

export interface RegionJacobians {
  readonly jacobians: DenseMatrix[];
  readonly record: Omit<RegionRecord, 'sampled'>;
}

function baseRecord(region: Region): Pick<RegionRecord, 'kind' | 'centre' | 'centreSource' | 'radii'> {
  return {
    kind: region.kind,
    centre: Array.from(region.centre),
    centreSource: region.centreSource,
    radii: [...region.radii],
  };
}

/** The Jacobians the bounds are taken over, and (rigorous) the inflation they need. */
export function regionJacobians(game: Game, sampling: RegionSampling): RegionJacobians {
  const { region } = sampling;
  const samplerField = sampling.fields?.sampler ?? 'sampler';
  const sampler = sampling.sampler ?? defaultSampler(region.blocks.dim);
  if (game.linear) {
    // Validated all the same: a sampler that was asked for must make sense for the region.
    if (sampling.sampler) checkSampler(sampling.sampler, region.kind, region.blocks.dim, samplerField);
    return {
      jacobians: [game.linear.H],
      record: { ...baseRecord(region), sampler: null, points: 1, mode: 'exact', inflation: null },
    };
  }
  if (sampling.rigorous && !game.jacobianLipschitz) {
    throw new InputError(
      sampling.fields?.rigorous ?? 'rigorous',
      `the ${game.family} family supplies no Lipschitz constant for its Jacobian, so only sampled bounds are available`,
    );
  }
  const points = samplePoints(region, sampler, samplerField);
  const jacobians = points.map((x) => game.J(x));
  let inflation: RegionRecord['inflation'] = null;
  if (sampling.rigorous && game.jacobianLipschitz) {
    const lip = game.jacobianLipschitz(region);
    const cov = coveringRadius(region, sampler, points);
    inflation = {
      jacobianLipschitz: lip,
      coveringRadius: cov.value,
      coveringMethod: cov.method,
      coveringLower: cov.lower,
      amount: lip * cov.value,
    };
  }
  return {
    jacobians,
    record: {
      ...baseRecord(region),
      sampler: samplerText(sampler),
      points: points.length,
      mode: sampling.rigorous ? 'rigorous' : 'sampled',
      inflation,
    },
  };
}

/** mu - delta, L + delta (off the diagonal), gamma_euc - delta: bounds over the whole region. */
export function inflateBounds(b: BlockBounds, delta: number): BlockBounds {
  return {
    mu: b.mu.map((m) => m - delta),
    L: b.L.map((row, i) => row.map((v, j) => (i === j ? v : v + delta))),
    gammaEuclidean: b.gammaEuclidean - delta,
    gammaVector: b.gammaVector,
  };
}
