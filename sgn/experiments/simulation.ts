/**
 * Which certificate an iteration is held to: the certified step h_certified the multiplier
 * scales, the rate alpha and Lipschitz constant beta, the metric's weights, and the per-step
 * factor the certificate predicts.
 *
 *   any game, euler:  h_certified = 2 alpha / beta^2, predicted sqrt(1 - 2 h alpha + h^2 beta^2);
 *   any game, rk4:    h_certified = C4 / beta; no per-step bound (RK4 follows the flow, whose
 *                     certified factor over time h is exp(-alpha h), reported as flowFactor);
 *   Markov, npg:      the Fisher certificate: h_certified = eta_max = 2 alpha / beta^2, predicted
 *                     as for Euler (NPG is Euler in the Fisher geometry);
 *   Markov, epg:      the baseline at NPG's steps: h_certified = the Fisher eta_max, measured in
 *                     the Fisher metric, no prediction (the Fisher certificate says nothing about
 *                     plain gradient steps) -- as the markov module's step study does;
 *   Markov, euler:    the same iterates as EPG, held to their own certificate: the Euclidean-geometry
 *                     Markov certificate (on the complement of the softmax null space), its eta_max
 *                     and its predicted factor, measured in blockdiag(w_i I);
 *   Markov, rk4:      RK4 on the logits with that certificate's C4 / beta.
 * With `uncertified` (the caller gives the step itself) a game whose certificate fails runs too:
 * h_certified = 0, no prediction, distances in the metric of the certificate's weights.
 */
import type { Game } from '../games/game.js';
import type { Certificate } from '../certificate.js';
import type { MarkovGame } from '../games/markov/markov-game.js';
import type { MarkovCertificate } from '../games/markov/fisher.js';
import { eulerFactorBound } from '../stability.js';
import { DEFAULT_C4, rk4Step } from '../steps.js';
import { InputError } from '../util/errors.js';
import type { BoxConstraint } from './projection.js';
import type { Dynamics, StepCertificate } from './trajectories.js';
import { gameDynamics, markovDynamics, type ExperimentIntegrator } from './dynamics.js';

export interface Simulation {
  readonly integrator: ExperimentIntegrator;
  readonly dynamics: Dynamics;
  readonly certificate: StepCertificate;
  readonly xStar: Float64Array;
  /** The metric ||x - x*|| is measured in, in words. */
  readonly metric: string;
}

/** The Euler bound while it is <= 1 (= 1 at c = 1, up to rounding), else null: no guarantee at this step. */
function eulerPrediction(alpha: number, beta: number): (h: number) => number | null {
  return (h) => {
    const f = eulerFactorBound(h, alpha, beta);
    return f <= 1 + 1e-12 ? f : null;
  };
}

function noPrediction(): null {
  return null;
}

function requireCertified(certified: boolean, why: string, field: string): void {
  if (!certified)
    throw new InputError(field, `is not certified (${why}), so there is no certified step to scale`);
}

/** Euler or RK4 on any game with its (region) certificate. */
export function gameSimulation(
  game: Game,
  cert: Certificate,
  xStar: Float64Array,
  integrator: ExperimentIntegrator,
  opts: { projection?: BoxConstraint; field?: string; gameField?: string; uncertified?: boolean } = {},
): Simulation {
  if (integrator !== 'euler' && integrator !== 'rk4')
    throw new InputError(
      opts.field ?? 'integrator',
      `${integrator} (policy gradient) is for the markov family only; the ${game.family} family takes euler or rk4`,
    );
  if (!opts.uncertified)
    requireCertified(cert.certified, cert.reason ?? 'alpha <= 0', opts.gameField ?? 'game');
  const dynamics = gameDynamics(game, integrator, xStar, cert.weights, opts.projection);
  return {
    integrator,
    dynamics,
    xStar,
    metric: `M(w) = blockdiag(w_i I), w = [${cert.weights.join(', ')}]`,
    certificate: {
      hCertified: !cert.certified ? 0 : integrator === 'euler' ? cert.eulerStep : cert.rk4Step,
      alpha: cert.alpha,
      beta: cert.beta,
      weights: cert.weights,
      predictedFactor:
        integrator === 'euler' && cert.certified ? eulerPrediction(cert.alpha, cert.beta) : noPrediction,
    },
  };
}

/** An iteration on a Markov game with its Fisher and Euclidean-geometry certificates (see the header). */
export function markovSimulation(
  game: MarkovGame,
  certs: { readonly fisher: MarkovCertificate; readonly euclidean: MarkovCertificate },
  xStar: Float64Array,
  integrator: ExperimentIntegrator,
  opts: { projection?: BoxConstraint; c4?: number; gameField?: string; uncertified?: boolean } = {},
): Simulation {
  const policyGradient = integrator === 'npg' || integrator === 'epg';
  const cert = policyGradient ? certs.fisher : certs.euclidean;
  if (!opts.uncertified)
    requireCertified(
      cert.certified,
      `${cert.geometry} geometry: alpha = ${cert.alpha.toPrecision(6)} <= 0`,
      opts.gameField ?? 'game',
    );
  const dynamics = markovDynamics(game, integrator, { xStar, weights: cert.weights }, opts.projection);
  const hCertified = !cert.certified
    ? 0
    : integrator === 'rk4'
      ? rk4Step(cert.alpha, cert.beta, opts.c4 ?? DEFAULT_C4)
      : cert.etaMax;
  return {
    integrator,
    dynamics,
    xStar,
    metric: policyGradient
      ? `Fisher metric blockdiag(w_i (G_i(x*) + eps I)), w = [${cert.weights.join(', ')}]`
      : `blockdiag(w_i I) on centred logits, w = [${cert.weights.join(', ')}]`,
    certificate: {
      hCertified,
      alpha: cert.alpha,
      beta: cert.beta,
      weights: cert.weights,
      predictedFactor:
        integrator === 'epg' || integrator === 'rk4' || !cert.certified
          ? noPrediction
          : eulerPrediction(cert.alpha, cert.beta),
    },
  };
}
