/** The shape of a resolved sweep: a spec with defaults applied, axes expanded and limits checked (resolve.ts builds it). */
import type { GameSpec } from '../sgn/games/spec.js';
import type { StartDistribution } from '../sgn/experiments/start-distribution.js';
import type { ConvergenceCriterion } from '../sgn/experiments/convergence.js';
import type { RegionKind } from '../sgn/regions/region.js';
import type { SamplerSpec } from '../sgn/regions/samplers.js';
import type { Axis } from './axes.js';
import type { ExecutionSettings } from './execution.js';
import { SPEC_ROOT, type Integrator, type PerturbationStream, type SweepKind } from './spec.js';

/**
 * What a stored spec's cells are computed by. 2: every random draw is NumPy's default_rng stream
 * (sgn/random/generator.ts); sweeps of format 1 drew from an earlier generator, so their missing
 * cells cannot be computed to match the stored ones (a worker refuses them, naming the reason).
 */
export const SWEEP_FORMAT = 'sgn-sweep/2';
// The default cell limit is a setting's default (SGN_MAX_CELLS): its home is config/.
export { DEFAULT_MAX_CELLS } from '../config/config.js';
/** Multipliers are run inside every cell, so their count is kept small. */
export const MAX_MULTIPLIERS = 1000;

export interface SweepAxis {
  /** Parameter name in cell params: the game field ('lambda', 'seed', ...), 'radius' or 'ratio'. */
  name: string;
  /** 'perturbation': eps and trial (perturbation.ts), which set the game's perturbation. */
  target: 'game' | 'perturbation' | 'region' | 'weights';
  /** Where the axis is written in the spec, for messages. */
  field: string;
  axis: Axis;
  length: number;
  /**
   * The file axis (game.file as {values} or {glob}): the files, in axis order. Its axis is the
   * indices 0..n-1; a cell's params carry the file's name.
   */
  files?: string[];
}

/** One file of a file axis: its name as the spec (or the glob) spells it, and its game, resolved. */
export interface ResolvedGameFile {
  name: string;
  /** The file's game with the spec's own fields and every other axis' first value put in. */
  game: GameSpec;
}

export type ResolvedWeights = { kind: 'optimal' } | { kind: 'fixed'; values: number[] } | { kind: 'ratio' };

/** Name of the file axis in cell params (its values: the files' names). */
export const FILE_AXIS = 'file';
/** Name of the region-radius axis in cell params. */
export const RADIUS_AXIS = 'radius';
export const REGION_ROOT = `${SPEC_ROOT}.region`;

/**
 * The region every cell's bounds are taken over (sgn/regions/). The radius is either fixed
 * (`radii`) or the axis named 'radius' (one radius for every player).
 */
export interface ResolvedRegion {
  kind: RegionKind;
  /** Fixed radii (one, or one per player); absent when the radius is an axis. */
  radii?: number[];
  /** A given centre (the joint state); absent: the game's equilibrium. */
  centre?: number[];
  /** Where Newton starts for the equilibrium (default: the origin). */
  start?: number[];
  /** The sampler, defaults applied (see effectiveSampler). */
  sampler: SamplerSpec;
  rigorous: boolean;
  /** Where the section came from, for messages ('spec.region' or the game file). */
  source: string;
}

/** What a cell needs to turn its eps and trial into the game's perturbation (perturbation.ts). */
export interface ResolvedPerturbation {
  stream: PerturbationStream;
  /** The stream's NumPy seed (per-trial: the seed of trial 0). */
  seed: number;
  /** Number of trials: the trial axis' length, 1 when the trial is fixed. */
  trials: number;
  /** The trial when it is fixed (else the axis' first value). */
  trial: number;
}

export interface ResolvedStepsize {
  integrators: Integrator[];
  /**
   * The step axis' values (stored in the multiplier column): multiples of the certified step,
   * of the exact threshold (base 'threshold'), or the steps h themselves (base 'absolute').
   */
  multipliers: number[];
  /** Absent: multiples of the certified step (the exact threshold where nothing is certified). */
  base?: 'absolute' | 'threshold';
  steps: number;
  seeds: number;
  spread: number;
  tolerance: number;
  weights: 'optimal';
  /** Absent: linear games on the M(w)-sphere of radius spread, nonlinear ones in their region (see compute.ts). */
  start?: ResolvedStart;
  /** Absent: residual-ratio or contracting (linear games), residual <= tolerance (nonlinear). */
  converged?: ConvergenceCriterion;
  /** Thinned histories of every run, at most `points` steps each (the stepsize_traces table). */
  trace?: { points: number };
}

export interface ResolvedStart extends StartDistribution {
  /** Absent: each game draws from its own seed (derived from its key). */
  seed?: number;
  centre: 'equilibrium' | 'origin';
}

export interface ResolvedSweep {
  format: typeof SWEEP_FORMAT;
  id?: string;
  name?: string;
  kind: SweepKind;
  /** The spec's game.file as written (informational: its content is inlined in `game`). */
  gameFile?: string;
  /** A file axis' files and their games (inlined: workers never read the files); `game` is the first's. */
  files?: ResolvedGameFile[];
  /** Base game, defaults applied, every swept field at its axis' first value. */
  game: GameSpec;
  /** Present when the game is perturbed from the sweep: how a cell's eps and trial set it. */
  perturbation?: ResolvedPerturbation;
  players: number;
  /** Game axes in spec order, then the ratio axis (fastest-varying: consecutive cells share a game). */
  axes: SweepAxis[];
  weights: ResolvedWeights;
  /** Absent: no region (quadratic games only; their bounds hold everywhere). */
  region?: ResolvedRegion;
  certify: { c4: number; groundTruth: 'auto' | 'always' | 'never' };
  stepsize?: ResolvedStepsize;
  execution: ExecutionSettings;
  totalCells: number;
  /** Number of distinct games (totalCells / ratio-axis length). */
  gameCells: number;
  /** The cell limit that was applied, and where it came from. */
  cellLimit: number;
  cellLimitSource: string;
  /** sha256 of the canonical JSON of everything that determines results (see hashedPart). */
  specHash: string;
}
