/**
 * `sgn simulate <game.json> [--integrator euler|rk4|npg|epg] [--multiplier c | --step h] [--seeds n] ...`:
 * trajectories at h = c * h_certified (or the given h: then uncertified games run too, with
 * h_certified reported as 0) from seeded starts, against what the certificate predicts
 * (see sgn/experiments/). The certificate is taken on the region of --region / the file's region
 * section, as `sgn certify` does; Markov games on the logit cube around their equilibrium.
 */
import type { Game } from '../sgn/games/game.js';
import { buildGame } from '../sgn/games/build.js';
import { parseGameSpec } from '../formats/game-file.js';
import { findEquilibrium } from '../sgn/games/equilibrium.js';
import { buildMarkovGame, type MarkovSpec } from '../sgn/games/markov/spec.js';
import { certify } from '../sgn/certificate.js';
import { regionText } from '../sgn/regions/region.js';
import { splitGameFile } from '../formats/region-section.js';
import {
  invariantMetricRadius,
  uniformInBox,
  uniformInMetricBall,
  uniformInRegion,
} from '../sgn/experiments/initial-points.js';
import { parseBoxConstraint, type BoxConstraint } from '../sgn/experiments/projection.js';
import { EXPERIMENT_INTEGRATORS, type ExperimentIntegrator } from '../sgn/experiments/dynamics.js';
import { gameSimulation, markovSimulation, type Simulation } from '../sgn/experiments/simulation.js';
import { runStudy, type TrajectoryStudy } from '../sgn/experiments/trajectories.js';
import { InputError } from '../sgn/util/errors.js';
import { DEFAULT_CONFIG, type SgnConfig } from '../config/config.js';
import { readGameData } from '../formats/sampled-file.js';
import { numberFlag, parse } from './args.js';
import { regionSampling } from './region-options.js';
import { markovSetup } from './markov-region.js';
import { checkGameFileBudget } from '../sweep/budget.js';
import { generalEigenvalues } from '../sgn/linalg/eigen.js';
import type { Eigenvalues } from '../sgn/stability.js';
import { stepSpectralRadius } from '../sgn/step-radius.js';

import { existsSync } from 'node:fs';
import { writeFileAtomically } from './atomic-file.js';
import { dirname, extname, resolve as resolvePath } from 'node:path';
import type { Blocks } from '../sgn/games/blocks.js';
import {
  CONVERGENCE_CRITERIA,
  criterionText,
  type ConvergenceCriterion,
} from '../sgn/experiments/convergence.js';
import {
  drawStarts,
  START_DISTRIBUTIONS,
  startText,
  type StartDistribution,
  type StartDistributionKind,
} from '../sgn/experiments/start-distribution.js';
import { MAX_TRACE_POINTS, TRACE_CSV_COLUMNS, type RunTrace } from '../sgn/experiments/trace.js';
import { toCsv } from '../formats/csv.js';

export const simulateUsage =
  'sgn simulate <game.json> [--integrator euler|rk4|npg|epg] [--multiplier c | --step h] [--seeds n] [--seed s] [--spread r]\n' +
  '                  [--steps N] [--tol t] [--project box:R] [--region box:R|ball:R] [--sampler S] [--rigorous] [--c4 2.5] [--json]\n' +
  '                  [--start box|gaussian|m-sphere] [--scale s] [--centre equilibrium|origin]\n' +
  '                  [--criterion residual|residual-ratio|bounded] [--bound b] [--trace out.csv] [--trace-points N]\n' +
  '                  [--portrait out.svg|png]';

const DEFAULTS = { multiplier: 1, seeds: 32, seed: 0, steps: 10000, tol: 1e-8 };
const MAX_SEEDS = 100000;
const MAX_STEPS = 10_000_000;
/** Linear games need no region: without --spread their starts are uniform in the box of this radius around x*. */
const LINEAR_DEFAULT_SPREAD = 1;

const VALUE_FLAGS = [
  'integrator',
  'multiplier',
  'step',
  'seeds',
  'seed',
  'spread',
  'steps',
  'tol',
  'project',
  'region',
  'sampler',
  'c4',
  'start',
  'scale',
  'centre',
  'criterion',
  'bound',
  'trace',
  'trace-points',
  'portrait',
] as const;

/** `--multiplier -1` as `--multiplier=-1`: node's parser takes a leading dash for a flag, and the value check should name the flag. */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const next = argv[k + 1];
    if (
      (VALUE_FLAGS as readonly string[]).includes(a.replace(/^--/, '')) &&
      a.startsWith('--') &&
      next !== undefined &&
      /^-[\d.]/.test(next)
    ) {
      out.push(`${a}=${next}`);
      k++;
    } else out.push(a);
  }
  return out;
}

function positive(value: string | undefined, flag: string): number | undefined {
  const v = numberFlag(value, flag);
  if (v !== undefined && !(v > 0)) throw new InputError(flag, `must be positive, got ${v}`);
  return v;
}

function count(value: string | undefined, flag: string, max: number): number | undefined {
  const v = numberFlag(value, flag);
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 1) throw new InputError(flag, `must be a positive integer, got ${value}`);
  if (v > max) throw new InputError(flag, `must be at most ${max}, got ${v}`);
  return v;
}

interface Setup {
  readonly simulation: Simulation;
  readonly blocks: Blocks;
  readonly starts: Float64Array[];
  readonly startsText: string;
  readonly regionText: string | null;
  /** Linear games: the eigenvalues of H, for rho of the step matrix. */
  readonly eigenvalues?: Eigenvalues;
}

/** `config`: the settings main() built (tests calling this directly get the defaults). */
export function runSimulate(
  argv: string[],
  out: (s: string) => void,
  config: SgnConfig = DEFAULT_CONFIG,
): void | Promise<void> {
  const { values, positionals } = parse(
    joinNegativeValues(argv),
    {
      integrator: { type: 'string' },
      multiplier: { type: 'string' },
      step: { type: 'string' },
      seeds: { type: 'string' },
      seed: { type: 'string' },
      spread: { type: 'string' },
      steps: { type: 'string' },
      tol: { type: 'string' },
      project: { type: 'string' },
      region: { type: 'string' },
      sampler: { type: 'string' },
      rigorous: { type: 'boolean', default: false },
      c4: { type: 'string' },
      json: { type: 'boolean', default: false },
      start: { type: 'string' },
      scale: { type: 'string' },
      centre: { type: 'string' },
      criterion: { type: 'string' },
      bound: { type: 'string' },
      trace: { type: 'string' },
      'trace-points': { type: 'string' },
      portrait: { type: 'string' },
    },
    'simulate',
  );
  if (positionals.length !== 1)
    throw new InputError('simulate', `expects one game file; usage: ${simulateUsage}`);
  const integratorText = values.integrator;
  if (integratorText !== undefined && !(EXPERIMENT_INTEGRATORS as readonly string[]).includes(integratorText))
    throw new InputError(
      '--integrator',
      `unknown integrator "${integratorText}" (known: ${EXPERIMENT_INTEGRATORS.join(', ')})`,
    );
  if (values.multiplier !== undefined && values.step !== undefined)
    throw new InputError(
      '--step',
      'cannot be given with --multiplier: the step is either h itself or c x h_certified',
    );
  const multiplier = positive(values.multiplier, '--multiplier') ?? DEFAULTS.multiplier;
  // An absolute step needs no certificate: uncertified games run at it (h_certified = 0).
  const step = positive(values.step, '--step');
  const seeds = count(values.seeds, '--seeds', MAX_SEEDS) ?? DEFAULTS.seeds;
  const seed = numberFlag(values.seed, '--seed') ?? DEFAULTS.seed;
  if (!Number.isSafeInteger(seed)) throw new InputError('--seed', `must be an integer, got ${values.seed}`);
  const spread = positive(values.spread, '--spread');
  const steps = count(values.steps, '--steps', MAX_STEPS) ?? DEFAULTS.steps;
  const tol = positive(values.tol, '--tol') ?? DEFAULTS.tol;
  const c4 = positive(values.c4, '--c4');
  const start = startOption(values.start, positive(values.scale, '--scale'), values.centre);
  const criterion = criterionOption(values.criterion, tol, positive(values.bound, '--bound'));
  const tracePoints = count(values['trace-points'], '--trace-points', MAX_TRACE_POINTS);
  if (tracePoints !== undefined && tracePoints < 2)
    throw new InputError('--trace-points', 'must be at least 2');
  if (tracePoints !== undefined && values.trace === undefined)
    throw new InputError('--trace-points', 'is only used with --trace out.csv');
  const traceFile = values.trace === undefined ? undefined : traceTarget(values.trace);
  const portraitFile = values.portrait === undefined ? undefined : portraitTarget(values.portrait);

  const file = splitGameFile(readGameData(positionals[0], config));
  const spec = parseGameSpec(file.game, 'game');
  if (spec.family === 'sampled-jacobians')
    throw new InputError(
      'game.family',
      'sampled-jacobians gives the game at its samples only; there are no dynamics to simulate (sgn certify certifies it)',
    );
  const integrator = (integratorText ?? (spec.family === 'markov' ? 'npg' : 'euler')) as ExperimentIntegrator;
  // Refuses, before the game is built, what would not fit in memory or a bounded time.
  checkGameFileBudget(
    spec,
    {
      region: values.region !== undefined,
      sampler: values.sampler,
      regionSection: file.region,
      rigorous: values.rigorous,
      runs: { steps, seeds, integrator },
    },
    config,
  );
  const common = {
    integrator,
    seeds,
    seed,
    spread,
    project: values.project,
    c4,
    uncertified: step !== undefined,
  };
  const setup =
    spec.family === 'markov'
      ? markovSimulationSetup(spec, file.region, {
          ...common,
          region: values.region,
          sampler: values.sampler,
          rigorous: values.rigorous,
        })
      : gameSetup(buildGame(spec), file.region, {
          ...common,
          flags: { region: values.region, sampler: values.sampler, rigorous: values.rigorous },
        });
  const { simulation } = setup;
  const starts = start
    ? drawStarts(
        start,
        start.centre === 'origin' ? new Float64Array(simulation.xStar.length) : simulation.xStar,
        setup.blocks,
        simulation.certificate.weights,
        seeds,
        seed,
      )
    : setup.starts;
  const { traces, ...study } = runStudy(
    simulation.dynamics,
    simulation.certificate,
    simulation.xStar,
    starts,
    {
      ...(step !== undefined ? { h: step } : { multiplier }),
      steps,
      tol,
      ...(criterion ? { criterion } : {}),
      ...(traceFile ? { tracePoints: tracePoints ?? DEFAULT_TRACE_POINTS } : {}),
    },
  );
  const eig = setup.eigenvalues;
  if (traceFile && traces)
    writeTraceCsv(traceFile, integrator, step !== undefined ? null : multiplier, study.h, traces);
  const report: SimulationReport = {
    game: { family: spec.family, name: spec.name ?? null },
    integrator,
    metric: simulation.metric,
    region: setup.regionText,
    starts: start ? startText(start, start.centre === 'origin' ? 'the origin' : 'x*') : setup.startsText,
    convergence: criterionText(criterion ?? { criterion: 'residual', tol }),
    seed,
    projection: values.project ?? null,
    steps,
    tol,
    xStar: Array.from(simulation.xStar),
    ...study,
    stepGiven: step !== undefined,
    spectralRadius:
      eig && (integrator === 'euler' || integrator === 'rk4')
        ? stepSpectralRadius(eig, study.h, integrator)
        : null,
  };
  const traceLine = traceFile
    ? `\n  trace:              ${traceFile} (${starts.length} runs, long format)`
    : '';
  if (portraitFile === undefined) {
    out(values.json ? reportJson(report) : summary(report) + traceLine);
    return;
  }
  if (simulation.xStar.length !== 2)
    throw new InputError(
      '--portrait',
      `draws games of two scalar players (d = 2), this one has d = ${simulation.xStar.length}`,
    );
  // The figure is drawn (asynchronously, by Vega) before anything is printed.
  const runs = starts.map((x0) => ({ points: positions(simulation.dynamics, x0, study.h, steps) }));
  const w = simulation.certificate.weights;
  const xStar: [number, number] = [simulation.xStar[0], simulation.xStar[1]];
  // The report's Vega stack loads only when a picture is asked for.
  return Promise.all([import('../report/portrait-figure.js'), import('../report/figures.js')])
    .then(([{ portraitFigure }, { renderFigure }]) =>
      renderFigure(portraitFigure(runs, xStar, [w[0], w[1]], spec.name ?? 'the game')),
    )
    .then((r) => {
      writeFileAtomically(portraitFile, portraitFile.toLowerCase().endsWith('.png') ? r.png : r.svg);
      out(
        (values.json ? reportJson(report) : summary(report) + traceLine) +
          (values.json
            ? ''
            : `\n  portrait:           ${portraitFile} (${runs.length} runs, Euclidean and SGN views)`),
      );
    });
}

/** Positions x_0, x_1, ... of one run (at most ~2000 kept, evenly), for the phase portrait. */
function positions(
  dyn: { step(x: Float64Array, h: number): Float64Array },
  x0: Float64Array,
  h: number,
  steps: number,
): [number, number][] {
  const every = Math.max(1, Math.ceil(steps / 2000));
  const out: [number, number][] = [[x0[0], x0[1]]];
  let x = x0;
  for (let k = 1; k <= steps; k++) {
    x = dyn.step(x, h);
    if (!Number.isFinite(x[0]) || !Number.isFinite(x[1])) break;
    if (k % every === 0 || k === steps) out.push([x[0], x[1]]);
  }
  return out;
}

/** The --portrait file (.svg or .png), checked before anything runs. */
function portraitTarget(file: string): string {
  const ext = extname(file).toLowerCase();
  if (ext !== '.svg' && ext !== '.png')
    throw new InputError('--portrait', `must end in .svg or .png, got "${file}"`);
  if (!existsSync(dirname(resolvePath(file))))
    throw new InputError('--portrait', `folder "${dirname(file)}" does not exist`);
  return file;
}

/** Points kept per run when --trace is given without --trace-points. */
const DEFAULT_TRACE_POINTS = 200;

function startOption(
  kind: string | undefined,
  scale: number | undefined,
  centre: string | undefined,
): (StartDistribution & { centre: 'equilibrium' | 'origin' }) | undefined {
  if (kind === undefined) {
    if (scale !== undefined)
      throw new InputError('--scale', 'is only used with --start box|gaussian|m-sphere');
    if (centre !== undefined)
      throw new InputError('--centre', 'is only used with --start box|gaussian|m-sphere');
    return undefined;
  }
  if (!(START_DISTRIBUTIONS as readonly string[]).includes(kind))
    throw new InputError('--start', `must be one of ${START_DISTRIBUTIONS.join(', ')}, got "${kind}"`);
  if (centre !== undefined && centre !== 'equilibrium' && centre !== 'origin')
    throw new InputError('--centre', `must be equilibrium or origin, got "${centre}"`);
  return {
    distribution: kind as StartDistributionKind,
    scale: scale ?? 1,
    centre: centre === 'origin' ? 'origin' : 'equilibrium',
  };
}

function criterionOption(
  kind: string | undefined,
  tol: number,
  bound: number | undefined,
): ConvergenceCriterion | undefined {
  if (kind === undefined) {
    if (bound !== undefined) throw new InputError('--bound', 'is only used with --criterion bounded');
    return undefined;
  }
  if (!(CONVERGENCE_CRITERIA as readonly string[]).includes(kind))
    throw new InputError('--criterion', `must be one of ${CONVERGENCE_CRITERIA.join(', ')}, got "${kind}"`);
  if (kind === 'bounded') {
    if (bound === undefined) throw new InputError('--bound', 'is required with --criterion bounded');
    return { criterion: 'bounded', tol, bound };
  }
  if (bound !== undefined) throw new InputError('--bound', 'is only used with --criterion bounded');
  return { criterion: kind as 'residual' | 'residual-ratio', tol };
}

/** The --trace file, checked before anything runs. */
function traceTarget(file: string): string {
  if (extname(file).toLowerCase() !== '.csv')
    throw new InputError('--trace', `must end in .csv, got "${file}"`);
  if (!existsSync(dirname(resolvePath(file))))
    throw new InputError('--trace', `folder "${dirname(file)}" does not exist`);
  return file;
}

/** The runs' histories in long format: one line per run and kept step (t = k h). */
function writeTraceCsv(
  file: string,
  integrator: string,
  /** Null when the step was given (--step). */
  multiplier: number | null,
  h: number,
  traces: readonly RunTrace[],
): void {
  const rows: unknown[][] = [];
  traces.forEach((t, run) =>
    t.k.forEach((k, j) =>
      rows.push([
        integrator,
        multiplier,
        h,
        run,
        k,
        k * h,
        t.residual[j],
        t.distance[j],
        t.metricDistance[j],
        t.lyapunov ? t.lyapunov[j] : null,
      ]),
    ),
  );
  writeFileAtomically(file, toCsv(TRACE_CSV_COLUMNS, rows));
}

interface CommonOptions {
  readonly integrator: ExperimentIntegrator;
  readonly seeds: number;
  readonly seed: number;
  readonly spread?: number;
  readonly project?: string;
  readonly c4?: number;
  /** The step is given (--step): a game whose certificate fails runs too. */
  readonly uncertified: boolean;
}

function projection(text: string | undefined, game: Game, xStar: Float64Array): BoxConstraint | undefined {
  return text === undefined ? undefined : parseBoxConstraint(text, '--project', game.blocks, xStar);
}

function boxStarts(xStar: Float64Array, spread: number, o: CommonOptions): Float64Array[] {
  return uniformInBox(xStar, new Float64Array(xStar.length).fill(spread), o.seeds, o.seed);
}

function gameSetup(
  game: Game,
  section: unknown,
  o: CommonOptions & { flags: { region?: string; sampler?: string; rigorous?: boolean } },
): Setup {
  if (o.integrator === 'npg' || o.integrator === 'epg')
    throw new InputError(
      '--integrator',
      `${o.integrator} (policy gradient) is for the markov family only; the ${game.family} family takes euler or rk4`,
    );
  const sampling = regionSampling(o.flags, section, game);
  if (!sampling && !game.linear)
    throw new InputError(
      '--region',
      `the ${game.family} family is certified on a region: give --region box:R (or ball:R), or a region section in the game file`,
    );
  const cert = certify(game, { region: sampling, c4: o.c4 });
  const region = sampling?.region;
  const xStar =
    !region || region.centreSource === 'equilibrium'
      ? (region?.centre ?? findEquilibrium(game, { field: 'game' }).x)
      : findEquilibrium(game, { start: region.centre, field: '--region' }).x;
  const simulation = gameSimulation(game, cert, xStar, o.integrator, {
    projection: projection(o.project, game, xStar),
    field: '--integrator',
    uncertified: o.uncertified,
  });
  let starts: Float64Array[];
  let startsText: string;
  if (o.spread !== undefined || !region) {
    const r = o.spread ?? LINEAR_DEFAULT_SPREAD;
    starts = boxStarts(xStar, r, o);
    startsText = `uniform in the box of radius ${r} around x*`;
  } else {
    const rho = invariantMetricRadius(region, xStar, cert.weights, '--region');
    starts = uniformInMetricBall(xStar, game.blocks, cert.weights, rho, o.seeds, o.seed);
    startsText = `uniform in the largest M(w)-ball around x* inside the region (radius ${fmt(rho)} in ||.||_M)`;
  }
  return {
    simulation,
    blocks: game.blocks,
    starts,
    startsText,
    regionText: region ? regionText(region) : null,
    ...(game.linear ? { eigenvalues: generalEigenvalues(game.linear.H) } : {}),
  };
}

function markovSimulationSetup(
  spec: MarkovSpec,
  section: unknown,
  o: CommonOptions & { region?: string; sampler?: string; rigorous?: boolean },
): Setup {
  const game = buildMarkovGame(spec);
  const { xStar, region, certs, points } = markovSetup(game, section, o);
  const simulation = markovSimulation(game, certs, xStar, o.integrator, {
    projection: projection(o.project, game, xStar),
    c4: o.c4,
    uncertified: o.uncertified,
  });
  const starts =
    o.spread !== undefined ? boxStarts(xStar, o.spread, o) : uniformInRegion(region, o.seeds, o.seed);
  return {
    simulation,
    blocks: game.blocks,
    starts,
    startsText:
      o.spread !== undefined
        ? `uniform in the logit box of radius ${o.spread} around x*`
        : `uniform in the certified logit region ${regionText(region)} around x*`,
    regionText: `${regionText(region)} (${points.length} points)`,
  };
}

interface SimulationReport extends TrajectoryStudy {
  readonly game: { family: string; name: string | null };
  readonly integrator: ExperimentIntegrator;
  readonly metric: string;
  readonly region: string | null;
  readonly starts: string;
  readonly convergence: string;
  readonly seed: number;
  readonly projection: string | null;
  readonly steps: number;
  readonly tol: number;
  readonly xStar: number[];
  /** --step: h was given, not scaled from h_certified. */
  readonly stepGiven: boolean;
  /** Linear games: rho of the step matrix at h (max_k |P(-h lambda_k(H))|). */
  readonly spectralRadius: number | null;
}

/** One JSON object; Infinity (a diverged run's growth) as null. */
function reportJson(r: SimulationReport): string {
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

function fmt(x: number | null, digits = 6): string {
  if (x === null) return '-';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return Number(x.toPrecision(digits)).toString();
}

const STEP_RULE: Record<ExperimentIntegrator, string> = {
  euler: '2 alpha / beta^2',
  npg: 'eta_max = 2 alpha / beta^2, Fisher geometry',
  epg: "NPG's eta_max: the baseline at the same steps",
  rk4: 'C4 / beta',
};

export function summary(r: SimulationReport): string {
  const pct = (f: number): string => `${Math.round(f * r.runs)}/${r.runs}`;
  const lines = [
    `${r.integrator} on ${r.game.name ?? `a ${r.game.family} game`} (${r.game.family})`,
    `  certificate:        alpha = ${fmt(r.alpha)}, beta = ${fmt(r.beta)}, weights [${r.weights.map((w) => fmt(w)).join(', ')}]${r.region ? `, region ${r.region}` : ''}`,
    r.stepGiven
      ? `  step:               h = ${fmt(r.h)} (given)${r.hCertified > 0 ? ` = ${fmt(r.multiplier)} x h_certified` : ''}   (h_certified = ${fmt(r.hCertified)}${r.hCertified > 0 ? `: ${STEP_RULE[r.integrator]}` : ': not certified'})`
      : `  step:               h = ${fmt(r.multiplier)} x h_certified = ${fmt(r.h)}   (h_certified = ${fmt(r.hCertified)}: ${STEP_RULE[r.integrator]})`,
    ...(r.spectralRadius !== null
      ? [
          `  step matrix:        rho = ${fmt(r.spectralRadius)} (max_k |P(-h lambda_k(H))|, ${r.spectralRadius < 1 ? 'stable' : 'not stable'})`,
        ]
      : []),
    `  starts:             ${r.runs} ${r.starts}, seed ${r.seed}${r.projection ? `; projected onto ${r.projection} around x*` : ''}`,
    `  converged:          ${pct(r.convergedFraction)} (${r.convergence} within ${r.steps} steps${r.medianSteps !== null ? `, median ${fmt(r.medianSteps)} steps` : ''}); diverged ${pct(r.divergedFraction)}`,
    `  factor per step:    median ${fmt(r.medianFactor)}, worst ${fmt(r.worstFactor)} (tail fit of log ||x_k - x*||_M); worst single step ${fmt(r.worstStepRatio)}`,
    r.hCertified === 0
      ? '  certified factor:   none (the game is not certified)'
      : r.predictedFactor !== null
        ? `  certified factor:   ${fmt(r.predictedFactor)} = sqrt(1 - 2 h alpha + h^2 beta^2)   flow exp(-alpha h) = ${fmt(r.flowFactor)}`
        : `  certified factor:   none at this step${r.integrator === 'rk4' || r.integrator === 'epg' ? ` (no per-step bound for ${r.integrator})` : ' (bound >= 1)'}   flow exp(-alpha h) = ${fmt(r.flowFactor)}`,
    `  metric:             ${r.metric}; ||x_k - x*||_M never increased in ${pct(r.metricMonotoneFraction)} runs`,
    `  Euclidean growth:   max_k ||x_k - x*||_2 / ||x_0 - x*||_2: max ${fmt(r.euclideanGrowth.max, 4)}, median ${fmt(r.euclideanGrowth.median, 4)}${r.euclideanGrowth.max > 1 + 1e-9 && r.metricMonotoneFraction === 1 ? ' (trajectories leave the Euclidean ball while ||.||_M decreases)' : ''}`,
  ];
  if (r.lyapunov)
    lines.push(
      `  Lyapunov sum w_i KL(pi*_i || pi_i): median first ${fmt(r.lyapunov.medianFirst, 4)}, last ${fmt(r.lyapunov.medianLast, 4)}; non-increasing in ${pct(r.lyapunov.monotoneFraction)} runs`,
    );
  return lines.join('\n');
}
