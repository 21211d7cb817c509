/**
 * Nash equilibria as zeros of a residual: Levenberg-Marquardt on ||r||^2 / 2 with the exact
 * Jacobian, (J^T J + lambda I) delta = -J^T r. The damping also handles Jacobians that are
 * singular by construction (the softmax null space of the Markov family: steps stay in the range
 * of J^T, so the per-state logit means never move). Converges to a zero near the start; a game
 * with several equilibria needs several starts.
 *
 * For the Markov family the residual is the natural residual N = G^+ F rather than F itself:
 * ||F|| also tends to 0 as policies saturate (softmax gradients vanish), and LM on ||F|| from far
 * starts was drawn towards logits of size ~10 with mismatched deterministic actions, ||F|| ~ 1e-9
 * and falling, which is no equilibrium. N has the same zeros at interior policies and grows like
 * tau |log pi| there. The result is accepted only when ||F|| itself is below the tolerance.
 */
import type { DenseMatrix } from '../../linalg/matrix.js';
import type { Game } from '../game.js';
import { luFactor, luSolve } from './small-solve.js';
import { naturalResidualJacobian, type MarkovGame } from './markov-game.js';
import { evaluatePolicies, naturalResidual } from './evaluation.js';
import { centreLogits } from './logits.js';

export interface EquilibriumOptions {
  /** Stop when the residual's 2-norm is <= tol. */
  readonly tol?: number;
  readonly maxIterations?: number;
}

export interface Equilibrium {
  readonly x: Float64Array;
  /** ||F(x)||_2 (the pseudo-gradient, whatever residual the solver used). */
  readonly residual: number;
  readonly iterations: number;
  readonly converged: boolean;
}

function norm(v: Float64Array): number {
  let s = 0;
  for (const t of v) s += t * t;
  return Math.sqrt(s);
}

interface Zero {
  readonly x: Float64Array;
  readonly residual: number;
  readonly iterations: number;
}

export function levenbergMarquardt(
  residual: (x: Float64Array) => Float64Array,
  jacobian: (x: Float64Array) => DenseMatrix,
  x0: Float64Array,
  opts: EquilibriumOptions = {},
): Zero {
  const tol = opts.tol ?? 1e-11;
  const maxIterations = opts.maxIterations ?? 500;
  const d = x0.length;
  let x = Float64Array.from(x0);
  let f = residual(x);
  let r = norm(f);
  let lambda = 1e-6;
  let it = 0;
  for (; it < maxIterations && r > tol; it++) {
    const J = jacobian(x);
    const m = J.rows;
    const jtj = new Float64Array(d * d);
    const g = new Float64Array(d);
    for (let a = 0; a < d; a++) {
      for (let k = 0; k < m; k++) g[a] += J.data[k * d + a] * f[k];
      for (let b = a; b < d; b++) {
        let v = 0;
        for (let k = 0; k < m; k++) v += J.data[k * d + a] * J.data[k * d + b];
        jtj[a * d + b] = v;
        jtj[b * d + a] = v;
      }
    }
    let accepted = false;
    // Raise the damping until the step reduces ||r|| (a short enough gradient step on ||r||^2 does).
    while (lambda < 1e12) {
      const sys = Float64Array.from(jtj);
      for (let a = 0; a < d; a++) sys[a * d + a] += lambda;
      const delta = luSolve(luFactor(sys, d), g);
      const xn = new Float64Array(d);
      for (let a = 0; a < d; a++) xn[a] = x[a] - delta[a];
      const fn = residual(xn);
      const rn = norm(fn);
      if (rn < r) {
        x = xn;
        f = fn;
        r = rn;
        lambda = Math.max(lambda / 10, 1e-15);
        accepted = true;
        break;
      }
      lambda *= 10;
    }
    // No damping reduces ||r||: a stationary point of ||r||^2, or the round-off floor.
    if (!accepted) break;
  }
  return { x, residual: r, iterations: it };
}

/** A zero of the pseudo-gradient of any game (LM on ||F||). */
export function solveEquilibrium(game: Game, x0: Float64Array, opts: EquilibriumOptions = {}): Equilibrium {
  if (x0.length !== game.blocks.dim)
    throw new Error(`start has ${x0.length} entries, expected ${game.blocks.dim}`);
  const z = levenbergMarquardt(game.F, game.J, x0, opts);
  return {
    x: z.x,
    residual: z.residual,
    iterations: z.iterations,
    converged: z.residual <= (opts.tol ?? 1e-11),
  };
}

/**
 * The Markov game's equilibrium from `start` (uniform policies, theta = 0, by default), as the
 * centred representative (zero mean logits per player and state). Throws when ||F|| does not
 * reach `tol`.
 */
export function markovEquilibrium(
  game: MarkovGame,
  start: Float64Array = new Float64Array(game.blocks.dim),
  opts: EquilibriumOptions = {},
): Equilibrium {
  if (start.length !== game.blocks.dim)
    throw new Error(`start has ${start.length} entries, expected ${game.blocks.dim}`);
  const tol = opts.tol ?? 1e-11;
  const z = levenbergMarquardt(
    (x) => naturalResidual(evaluatePolicies(game.model, x)),
    (x) => naturalResidualJacobian(game.model, x),
    start,
    // N = G^+ F and ||F|| <= ||G|| ||N|| <= ||N|| / 2: the same tolerance on N is enough.
    { ...opts, tol },
  );
  const x = centreLogits(z.x, game.model.actions);
  const residual = norm(game.F(x));
  if (!(residual <= tol)) {
    throw new Error(
      `no equilibrium found from the given start: ||F|| = ${residual.toExponential(3)} after ${z.iterations} iterations`,
    );
  }
  return { x, residual, iterations: z.iterations, converged: true };
}
