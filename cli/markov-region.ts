/**
 * The Markov family's certificate set-up, shared by `sgn certify` and `sgn simulate`: the
 * equilibrium, the logit cube around it (box:0.1 by default, as in the paper; --region or the
 * file's region section override it), its sample points (all vertices while affordable), and
 * the certificates in Fisher and in Euclidean geometry.
 */
import type { MarkovGame } from '../sgn/games/markov/markov-game.js';
import { markovEquilibrium } from '../sgn/games/markov/equilibrium.js';
import type { MarkovCertificate } from '../sgn/games/markov/fisher.js';
import {
  MARKOV_DEFAULT_REGION,
  MARKOV_NO_RIGOROUS,
  markovDefaultSampler,
  markovOptimalCertificates,
  markovRegion,
  markovRegionBounds,
} from '../sgn/games/markov/region-setup.js';
import { parseRegionText, type Region } from '../sgn/regions/region.js';
import { parseRegionSection } from '../formats/region-section.js';
import { parseSamplerText, type SamplerSpec } from '../sgn/regions/samplers.js';
import { InputError } from '../sgn/util/errors.js';

export { MARKOV_DEFAULT_REGION };

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
  if (o.rigorous) throw new InputError('--rigorous', MARKOV_NO_RIGOROUS);
  const parsed = section === undefined ? undefined : parseRegionSection(section, 'game.region');
  if (parsed?.rigorous) throw new InputError('game.region.rigorous', MARKOV_NO_RIGOROUS);
  const shape =
    o.region !== undefined
      ? parseRegionText(o.region, '--region')
      : (parsed?.region ?? parseRegionText(MARKOV_DEFAULT_REGION, '--region'));
  const equilibrium = markovEquilibrium(game);
  const xStar = equilibrium.x;
  const region = markovRegion(game, xStar, shape, o.region !== undefined ? '--region' : 'game.region.radius');
  const sampler: SamplerSpec =
    o.sampler !== undefined
      ? parseSamplerText(o.sampler, '--sampler')
      : (parsed?.sampler ?? markovDefaultSampler(game.blocks.dim));
  const bounds = markovRegionBounds(
    game,
    region,
    sampler,
    o.sampler !== undefined ? '--sampler' : 'game.region.sampler',
  );
  return {
    xStar,
    residual: equilibrium.residual,
    region,
    sampler,
    points: bounds.points,
    certs: markovOptimalCertificates(bounds),
  };
}
