/**
 * The Markov family's certificate set-up, shared by `sgn certify` and `sgn simulate`: the
 * equilibrium, the logit cube around it (box:0.1 by default, as in the paper; --region or the
 * file's region section override it), its sample points (all vertices while affordable), and
 * the certificates in Fisher and in Euclidean geometry.
 */
import type { MarkovGame } from '../sgn/games/markov/markov-game.js';
import { markovEquilibrium } from '../sgn/games/markov/equilibrium.js';
import { markovCertificate, type MarkovCertificate } from '../sgn/games/markov/fisher.js';
import { parseRegionText, type Region } from '../sgn/regions/region.js';
import { parseRegionSection } from '../sgn/regions/section.js';
import { defaultSampler, parseSamplerText, samplePoints, type SamplerSpec } from '../sgn/regions/samplers.js';
import { InputError } from '../sgn/util/errors.js';

/** The paper's logit cube around a Markov game's equilibrium. */
export const MARKOV_DEFAULT_REGION = 'box:0.1';
/** Up to this many logits the default sampler takes every vertex of the cube (2^12 points). */
const VERTICES_MAX_DIM = 12;

export interface MarkovRegionOptions {
  readonly region?: string;
  readonly sampler?: string;
  readonly rigorous?: boolean;
}

export interface MarkovSetup {
  readonly xStar: Float64Array;
  /** ||F(x*)|| of the solver's equilibrium. */
  readonly residual: number;
  readonly region: Region;
  readonly sampler: SamplerSpec;
  readonly points: readonly Float64Array[];
  readonly certs: { readonly fisher: MarkovCertificate; readonly euclidean: MarkovCertificate };
}

export function markovSetup(game: MarkovGame, section: unknown, o: MarkovRegionOptions): MarkovSetup {
  if (o.rigorous)
    throw new InputError('--rigorous', 'the markov family supplies no Lipschitz constant for its Jacobian');
  const parsed = section === undefined ? undefined : parseRegionSection(section, 'game.region');
  if (parsed?.rigorous)
    throw new InputError(
      'game.region.rigorous',
      'the markov family supplies no Lipschitz constant for its Jacobian',
    );
  const shape =
    o.region !== undefined
      ? parseRegionText(o.region, '--region')
      : (parsed?.region ?? parseRegionText(MARKOV_DEFAULT_REGION, '--region'));
  const equilibrium = markovEquilibrium(game);
  const xStar = equilibrium.x;
  const region: Region = {
    kind: shape.kind,
    blocks: game.blocks,
    centre: xStar,
    radii: shape.radii.length === 1 ? [shape.radii[0], shape.radii[0]] : [...shape.radii],
    centreSource: 'equilibrium',
  };
  if (region.radii.length !== 2)
    throw new InputError(
      o.region !== undefined ? '--region' : 'game.region.radius',
      'expects 1 or 2 radii (two players)',
    );
  const sampler: SamplerSpec =
    o.sampler !== undefined
      ? parseSamplerText(o.sampler, '--sampler')
      : (parsed?.sampler ??
        (game.blocks.dim <= VERTICES_MAX_DIM ? { kind: 'vertices' } : defaultSampler(game.blocks.dim)));
  const points = samplePoints(region, sampler, o.sampler !== undefined ? '--sampler' : 'game.region.sampler');
  return {
    xStar,
    residual: equilibrium.residual,
    region,
    sampler,
    points,
    certs: {
      fisher: markovCertificate(game, points),
      euclidean: markovCertificate(game, points, { geometry: 'euclidean' }),
    },
  };
}
