/** A region spec made concrete for one game: radii per player, the centre given or the equilibrium. */
import type { Game } from '../games/game.js';
import { findEquilibrium } from '../games/equilibrium.js';
import { InputError } from '../util/errors.js';
import { checkRadii, type Region, type RegionFields, type RegionSpec } from './region.js';

/**
 * The region of `spec` for `game`: radii expanded per player, the centre checked or computed
 * (Newton on F, see equilibrium.ts).
 */
export function resolveRegion(spec: RegionSpec, game: Game, fields: RegionFields): Region {
  const { blocks } = game;
  const n = blocks.dims.length;
  const radii = checkRadii(spec.radii, fields.radius);
  if (spec.kind === 'ball' && radii.length !== 1)
    throw new InputError(fields.radius, 'a ball has one radius (per-player radii are for box)');
  if (radii.length !== 1 && radii.length !== n)
    throw new InputError(fields.radius, `has ${radii.length} radii, expected 1 or ${n} (one per player)`);
  const perPlayer = radii.length === 1 ? new Array<number>(n).fill(radii[0]) : radii;
  const checkPoint = (p: readonly number[], at: string): Float64Array => {
    if (p.length !== blocks.dim)
      throw new InputError(at, `has ${p.length} entries, expected ${blocks.dim} (the joint state)`);
    return Float64Array.from(p);
  };
  if (spec.centre) {
    return {
      kind: spec.kind,
      blocks,
      centre: checkPoint(spec.centre, fields.centre),
      radii: perPlayer,
      centreSource: 'given',
    };
  }
  const start = spec.start ? checkPoint(spec.start, fields.start) : undefined;
  const eq = findEquilibrium(game, { start, field: fields.centre });
  return { kind: spec.kind, blocks, centre: eq.x, radii: perPlayer, centreSource: 'equilibrium' };
}
