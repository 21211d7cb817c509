/**
 * `sgn certify` for the markov family: the certificate in Fisher (mirror) geometry on the logit
 * cube around the regularised equilibrium -- the geometry natural policy gradient lives in --
 * beside the Euclidean one for comparison. The generic engine would work in raw logits, where the
 * softmax null space makes every mu_i zero.
 */
import type { MarkovSpec } from '../sgn/games/markov/spec.js';
import { buildMarkovGame } from '../sgn/games/markov/spec.js';
import { markovCertificate, type MarkovCertificate } from '../sgn/games/markov/fisher.js';
import { regionText } from '../sgn/regions/region.js';
import { samplerText } from '../sgn/regions/samplers.js';
import { DEFAULT_C4 } from '../sgn/steps.js';
import { InputError } from '../sgn/util/errors.js';
import { markovSetup, type MarkovRegionOptions } from './markov-region.js';

export interface MarkovCertifyOptions extends MarkovRegionOptions {
  readonly weights?: readonly number[];
  readonly c4?: number;
  readonly stepWeights?: boolean;
}

function geometryJson(c: MarkovCertificate, c4: number) {
  return {
    geometry: c.geometry,
    certified: c.certified,
    mu: c.mu,
    L: c.L,
    weights: c.weights,
    alpha: c.alpha,
    beta: c.beta,
    eulerStep: c.etaMax,
    rk4Step: c.certified ? c4 / c.beta : 0,
  };
}

/** The certificate as one JSON-ready object (the Fisher one at top level, as `certify` prints). */
export function certifyMarkov(spec: MarkovSpec, section: unknown, o: MarkovCertifyOptions) {
  if (o.stepWeights)
    throw new InputError(
      '--step-weights',
      'is not available for the markov family (its steps are eta_max = 2 alpha / beta^2)',
    );
  const game = buildMarkovGame(spec);
  const setup = markovSetup(game, section, o);
  const c4 = o.c4 ?? DEFAULT_C4;
  const fisher = o.weights
    ? markovCertificate(game, setup.points, { weights: o.weights })
    : setup.certs.fisher;
  const euclidean = o.weights
    ? markovCertificate(game, setup.points, { geometry: 'euclidean', weights: o.weights })
    : setup.certs.euclidean;
  const optimal = setup.certs.fisher;
  return {
    family: 'markov' as const,
    dims: [...game.blocks.dims],
    ...geometryJson(fisher, c4),
    etaMax: fisher.etaMax,
    c4,
    /** The Fisher blocks' regularisation (game.fisher.blockRegularisation; 0: the paper's convention). */
    fisher: { blockRegularisation: fisher.blockRegularisation },
    optimal: { alpha: optimal.alpha, weights: optimal.weights, ratio: optimal.ratio },
    equilibrium: { x: [...setup.xStar], residual: setup.residual },
    region: {
      kind: setup.region.kind,
      centre: [...setup.xStar],
      centreSource: 'equilibrium' as const,
      radii: [...setup.region.radii],
      sampler: samplerText(setup.sampler),
      points: setup.points.length,
      mode: 'sampled' as const,
      inflation: null,
    },
    euclidean: geometryJson(euclidean, c4),
    reason: fisher.certified
      ? null
      : `small-gain condition fails in Fisher geometry: alpha_* = ${fmt(fisher.alpha)} <= 0 on ${regionText(setup.region)}`,
  };
}

export type MarkovCertifyReport = ReturnType<typeof certifyMarkov>;

function fmt(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(6)).toString() : String(x);
}

export function markovSummary(r: MarkovCertifyReport): string {
  const list = (xs: readonly number[]) => `[${xs.map(fmt).join(', ')}]`;
  const matrix = (m: readonly (readonly number[])[]) => m.map(list).join(' ');
  const lines = [
    r.certified
      ? `CERTIFIED: natural policy gradient contracts at rate ${fmt(r.alpha)} in the Fisher SGN metric`
      : 'NOT CERTIFIED',
  ];
  if (r.reason) lines.push(`  why: ${r.reason}`);
  lines.push(
    `  game: markov, 2 players, logit blocks [${r.dims.join(', ')}]`,
    `  equilibrium:        ||F(x*)|| = ${fmt(r.equilibrium.residual)}`,
    `  region:             ${regionText(r.region)} around x*, ${r.region.sampler} (${r.region.points} points, sampled bounds)`,
    `  Fisher geometry (the certificate), ${
      r.fisher.blockRegularisation === 0
        ? "blocks G_i unregularised (the paper's convention)"
        : `blocks G_i + ${r.fisher.blockRegularisation} I (fisher.blockRegularisation)`
    }:`,
    `    mu:               ${list(r.mu)}`,
    `    coupling L:       ${matrix(r.L)}`,
    `    weights:          ${list(r.weights)}   (optimal ratio w2/w1 = ${fmt(r.optimal.ratio)}, alpha = ${fmt(r.optimal.alpha)})`,
    `    SGN margin alpha: ${fmt(r.alpha)}   Lipschitz beta: ${fmt(r.beta)}`,
    `    eta_max:          ${fmt(r.etaMax)}   (2 alpha / beta^2: safe NPG step)`,
    `    safe RK4 step:    ${fmt(r.rk4Step)}   (C4 / beta, C4 = ${r.c4})`,
    '  Euclidean geometry (for comparison):',
    `    mu ${list(r.euclidean.mu)}, L ${matrix(r.euclidean.L)}, alpha ${fmt(r.euclidean.alpha)}, beta ${fmt(r.euclidean.beta)}, Euler step ${fmt(r.euclidean.eulerStep)}`,
  );
  return lines.join('\n');
}
