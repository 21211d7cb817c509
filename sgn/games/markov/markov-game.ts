/**
 * The `markov` family as a `Game`: joint state x = (theta_1, theta_2), each player's block the
 * S x A logits of its softmax policy. F is the analytic pseudo-gradient, J its exact Jacobian.
 */
import { zeros, type DenseMatrix } from '../../linalg/matrix.js';
import { blocksOf } from '../blocks.js';
import type { Game } from '../game.js';
import type { MarkovModel } from './model.js';
import {
  evaluatePolicies,
  losses,
  naturalResidualTangent,
  pseudoGradient,
  pseudoGradientTangent,
  type PolicyEvaluation,
} from './evaluation.js';

export interface MarkovGame extends Game {
  readonly family: 'markov';
  readonly model: MarkovModel;
  /** (f_1, f_2) at x. */
  losses(x: Float64Array): [number, number];
}

/** The matrix of a tangent map, column k = tangent along e_k. */
function columns(
  model: MarkovModel,
  x: Float64Array,
  tangent: (e: PolicyEvaluation, v: Float64Array) => Float64Array,
): DenseMatrix {
  const e = evaluatePolicies(model, x);
  const d = x.length;
  const J = zeros(d, d);
  const dir = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    dir.fill(0);
    dir[k] = 1;
    const col = tangent(e, dir);
    for (let r = 0; r < d; r++) J.data[r * d + k] = col[r];
  }
  return J;
}

/** J(x) column by column: J e_k by forward-mode propagation (exact up to round-off). */
export function markovJacobian(model: MarkovModel, x: Float64Array): DenseMatrix {
  return columns(model, x, pseudoGradientTangent);
}

/** Jacobian of the natural residual G^+ F (exact). */
export function naturalResidualJacobian(model: MarkovModel, x: Float64Array): DenseMatrix {
  return columns(model, x, naturalResidualTangent);
}

export function markovGame(model: MarkovModel): MarkovGame {
  const n = model.states * model.actions;
  return {
    family: 'markov',
    model,
    blocks: blocksOf([n, n]),
    F: (x) => pseudoGradient(evaluatePolicies(model, x)),
    J: (x) => markovJacobian(model, x),
    losses: (x) => losses(evaluatePolicies(model, x)),
  };
}
