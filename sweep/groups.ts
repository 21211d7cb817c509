/**
 * The per-group analysis a sweep's cells share: one game (built once, its equilibrium found once)
 * and, per region radius, its block bounds. Consecutive cells of a batch walk the ratio axis
 * fastest, then the radius axis, so one cached game and one cached analysis suffice.
 *
 *   quadratic: analyseGame on H (a region changes nothing: J is constant, so none is sampled);
 *   tanh:      analyseGame on the region (sampled, or rigorous), centred at the equilibrium or
 *              the given centre, exactly as `sgn certify --region` does;
 *   markov:    the Fisher-geometry bounds on the logit box around the equilibrium (region-setup.ts).
 */
import { buildGame } from '../sgn/games/build.js';
import type { Game } from '../sgn/games/game.js';
import { findEquilibrium } from '../sgn/games/equilibrium.js';
import { buildMarkovGame } from '../sgn/games/markov/spec.js';
import type { MarkovGame } from '../sgn/games/markov/markov-game.js';
import { markovEquilibrium } from '../sgn/games/markov/equilibrium.js';
import {
  markovRegion,
  markovRegionBounds,
  type MarkovRegionBounds,
} from '../sgn/games/markov/region-setup.js';
import { analyseGame, type GameAnalysis } from '../sgn/certificate.js';
import type { MetricWarmStart } from '../sgn/metric.js';
import { regionFields, type Region } from '../sgn/regions/region.js';
import { resolveRegion } from '../sgn/regions/resolve.js';
import type { RegionSampling } from '../sgn/regions/sampling.js';
import { gameGroupKey, gameKey, type Cell } from './cells.js';
import { REGION_ROOT, type ResolvedSweep } from './resolved.js';

export type GroupAnalysis =
  | {
      readonly family: 'generic';
      readonly game: Game;
      readonly analysis: GameAnalysis;
      /** The region the bounds were taken on (null: a linear game, or no region). */
      readonly sampling: RegionSampling | null;
    }
  | {
      readonly family: 'markov';
      readonly game: MarkovGame;
      readonly xStar: Float64Array;
      readonly bounds: MarkovRegionBounds;
    };

/** The sampling options of a nonlinear game's region for one cell (radii from the cell). */
export function regionSamplingFor(
  resolved: ResolvedSweep,
  game: Game,
  radii: readonly number[],
  equilibrium: () => Float64Array,
): RegionSampling {
  const r = resolved.region;
  if (!r) throw new Error('this sweep has no region');
  const centre = r.centre ?? Array.from(equilibrium());
  const region: Region = resolveRegion({ kind: r.kind, radii, centre }, game, regionFields(REGION_ROOT));
  return {
    region: r.centre ? region : { ...region, centreSource: 'equilibrium' },
    sampler: r.sampler,
    rigorous: r.rigorous,
    fields: { sampler: `${REGION_ROOT}.sampler`, rigorous: `${REGION_ROOT}.rigorous` },
  };
}

export class GameGroups {
  private gameKey = '';
  private game: Game | null = null;
  private xStar: Float64Array | null = null;
  private groupKey = '';
  private group: GroupAnalysis | null = null;
  /** Lanczos warm starts, chained through a group's cells. */
  warm: MetricWarmStart = {};

  constructor(private readonly resolved: ResolvedSweep) {}

  /** The game of `cell`, built once per distinct game. */
  gameOf(cell: Cell): Game {
    const key = gameKey(this.resolved, cell.index);
    if (key !== this.gameKey || !this.game) {
      this.gameKey = key;
      this.game = cell.game.family === 'markov' ? buildMarkovGame(cell.game) : buildGame(cell.game);
      this.xStar = null;
    }
    return this.game;
  }

  /**
   * The equilibrium of the cell's game, found once per game: Markov's regularised one; for other
   * games Newton from the region's centre or start (the origin by default), as `sgn simulate` does.
   */
  equilibriumOf(cell: Cell): Float64Array {
    const game = this.gameOf(cell);
    if (!this.xStar) {
      const r = this.resolved.region;
      const from = r?.centre ?? r?.start;
      this.xStar =
        game.family === 'markov'
          ? markovEquilibrium(game as MarkovGame).x
          : findEquilibrium(game, {
              start: from ? Float64Array.from(from) : undefined,
              field: `${REGION_ROOT}.centre`,
            }).x;
    }
    return this.xStar;
  }

  get(cell: Cell): GroupAnalysis {
    const key = gameGroupKey(this.resolved, cell.index);
    if (key !== this.groupKey || !this.group) {
      this.group = null;
      this.groupKey = key;
      this.warm = {};
      this.group = this.analyse(cell);
    }
    return this.group;
  }

  private analyse(cell: Cell): GroupAnalysis {
    const { resolved } = this;
    const game = this.gameOf(cell);
    const region = resolved.region;
    if (game.family === 'markov') {
      if (!region || !cell.radii) throw new Error('a markov sweep resolves with a region');
      const xStar = this.equilibriumOf(cell);
      const shaped = markovRegion(
        game as MarkovGame,
        xStar,
        { kind: region.kind, radii: cell.radii },
        `${REGION_ROOT}.radius`,
      );
      const bounds = markovRegionBounds(game as MarkovGame, shaped, region.sampler, `${REGION_ROOT}.sampler`);
      return { family: 'markov', game: game as MarkovGame, xStar, bounds };
    }
    const sampling =
      region && cell.radii && !game.linear
        ? regionSamplingFor(resolved, game, cell.radii, () => this.equilibriumOf(cell))
        : null;
    const analysis = analyseGame(game, {
      groundTruth: resolved.certify.groundTruth,
      ...(sampling ? { region: sampling } : {}),
    });
    return { family: 'generic', game, analysis, sampling };
  }
}
