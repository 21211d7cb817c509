/**
 * The iterations a trajectory experiment runs, with the metric each is measured in:
 *   any game:   forward Euler and RK4 on x' = -F(x) (sgn/integrators.ts), in M(w) = blockdiag(w_i I);
 *   Markov:     natural policy gradient (NPG) and Euclidean policy gradient (EPG) from the markov
 *               module, and Euler / RK4 on the logits. Euler on theta' = -F(theta) IS plain policy
 *               gradient (the same iterates as EPG); what differs is the certificate it is held to
 *               (see simulation.ts). NPG / EPG are measured in the Fisher metric at x*,
 *               blockdiag(w_i (G_i(x*) + eps I)); Euler / RK4 in blockdiag(w_i I) -- both on logit
 *               differences centred per state (the softmax null space moves no policy).
 * An optional box projection follows every step (projected variants).
 */
import { metricNorm, step as integratorStep, type Integrator } from '../integrators.js';
import type { Game } from '../games/game.js';
import type { MarkovGame } from '../games/markov/markov-game.js';
import { centreLogits } from '../games/markov/logits.js';
import {
  lyapunov,
  metricDistance,
  policyGradientDirection,
  prepareReference,
  type PolicyGradientMethod,
  type TrajectoryReference,
} from '../games/markov/policy-gradient.js';
import { projectOntoBox, type BoxConstraint } from './projection.js';
import type { Dynamics } from './trajectories.js';

export const EXPERIMENT_INTEGRATORS = ['euler', 'rk4', 'npg', 'epg'] as const;
export type ExperimentIntegrator = (typeof EXPERIMENT_INTEGRATORS)[number];

function norm2(v: Float64Array): number {
  let s = 0;
  for (const t of v) s += t * t;
  return Math.sqrt(s);
}

/**
 * F with F(x_k) kept from the convergence test for the step's first stage. Only iterates are
 * remembered (never mutated); RK4 reuses one scratch array for its stages, so a cache keyed on
 * every argument would return stale values.
 */
function sharedField(F: (x: Float64Array) => Float64Array): {
  field: (x: Float64Array) => Float64Array;
  atIterate: (x: Float64Array) => Float64Array;
} {
  let iterate: Float64Array | null = null;
  let value: Float64Array | null = null;
  return {
    field: (x) => (x === iterate && value !== null ? value : F(x)),
    atIterate: (x) => {
      if (x !== iterate || value === null) {
        value = F(x);
        iterate = x;
      }
      return value;
    },
  };
}

function projected(next: Float64Array, projection: BoxConstraint | undefined): Float64Array {
  return projection ? projectOntoBox(projection, next) : next;
}

/** Euler or RK4 on x' = -F(x), measured in blockdiag(w_i I). */
export function gameDynamics(
  game: Game,
  kind: Integrator,
  xStar: Float64Array,
  weights: readonly number[],
  projection?: BoxConstraint,
): Dynamics {
  const F = sharedField((x) => game.F(x));
  const diff = new Float64Array(xStar.length);
  return {
    step: (x, h) => projected(integratorStep(kind, F.field, x, h), projection),
    gradientNorm: (x) => norm2(F.atIterate(x)),
    metricDistance: (x) => {
      for (let a = 0; a < x.length; a++) diff[a] = x[a] - xStar[a];
      return metricNorm(diff, game.blocks, weights);
    },
  };
}

/**
 * An iteration on a Markov game's logits. `reference` holds x* and the weights of the metric;
 * the KL Lyapunov value uses the same weights.
 */
export function markovDynamics(
  game: MarkovGame,
  integrator: ExperimentIntegrator,
  reference: TrajectoryReference,
  projection?: BoxConstraint,
): Dynamics {
  const { model } = game;
  const ref = prepareReference(model, reference);
  const kl = (x: Float64Array): number => lyapunov(model, ref, x);
  if (integrator === 'npg' || integrator === 'epg') {
    const method: PolicyGradientMethod = integrator;
    let lastX: Float64Array | null = null;
    let last: ReturnType<typeof policyGradientDirection> | null = null;
    const at = (x: Float64Array): ReturnType<typeof policyGradientDirection> => {
      if (x !== lastX || last === null) {
        last = policyGradientDirection(model, method, x, ref.eps);
        lastX = x;
      }
      return last;
    };
    return {
      step: (x, h) => {
        const { direction } = at(x);
        return projected(
          x.map((t, a) => t - h * direction[a]),
          projection,
        );
      },
      gradientNorm: (x) => at(x).gradientNorm,
      metricDistance: (x) => metricDistance(model, ref, x),
      lyapunov: kl,
    };
  }
  const F = sharedField((x) => game.F(x));
  const A = model.actions;
  return {
    step: (x, h) => projected(integratorStep(integrator, F.field, x, h), projection),
    gradientNorm: (x) => norm2(F.atIterate(x)),
    metricDistance: (x) =>
      metricNorm(
        centreLogits(
          x.map((t, a) => t - reference.xStar[a]),
          A,
        ),
        game.blocks,
        reference.weights,
      ),
    lyapunov: kl,
  };
}
