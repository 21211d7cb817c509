/**
 * The paper's certification region for the Markov family: the logit cube
 * {theta : ||theta - centre||_inf <= radius} sampled at its 2^d vertices (a tensor grid with 2
 * points per axis), through the shared regions module.
 */
import type { Region } from '../../regions/region.js';
import { samplePoints, type SamplerSpec } from '../../regions/samplers.js';
import type { MarkovGame } from './markov-game.js';

export function logitCube(game: MarkovGame, centre: Float64Array, radius: number): Region {
  return { kind: 'box', blocks: game.blocks, centre, radii: [radius, radius], centreSource: 'given' };
}

/** Sample points of the logit cube (vertices by default; errors name `field`). */
export function logitCubePoints(
  game: MarkovGame,
  centre: Float64Array,
  radius: number,
  sampler: SamplerSpec = { kind: 'vertices' },
  field = 'sampler',
): Float64Array[] {
  return samplePoints(logitCube(game, centre, radius), sampler, field);
}
