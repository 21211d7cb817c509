/**
 * A Nash equilibrium as a zero of the pseudo-gradient, F(x*) = 0: the default centre of a region.
 * Linear games solve H x = -c; others run Newton's method with a backtracking line search on
 * ||F|| (damped steps keep it from jumping between basins of a saturating game).
 */
import { LuDecomposition, Matrix } from 'ml-matrix';
import type { DenseMatrix } from '../linalg/matrix.js';
import { toMlMatrix } from '../linalg/ml-matrix-adapter.js';
import { InputError } from '../util/errors.js';
import type { Game } from './game.js';

export interface Equilibrium {
  readonly x: Float64Array;
  /** ||F(x)||_2 at the returned point. */
  readonly residual: number;
  /** Newton steps taken (0 for a linear game). */
  readonly iterations: number;
}

export interface EquilibriumOptions {
  /** Newton's starting point (default: the origin). */
  readonly start?: Float64Array;
  /** The field errors name (where the user could give a centre instead). */
  readonly field?: string;
  /** Whether errors suggest giving a centre (false where the caller has none to give). */
  readonly centreHint?: boolean;
  readonly maxIterations?: number;
  /** Stop when ||F(x)|| <= tolerance * max(1, ||F(start)||). */
  readonly tolerance?: number;
}

function norm(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/** Solves A y = b, or returns null when A is (numerically) singular. */
function solve(A: DenseMatrix, b: Float64Array): Float64Array | null {
  const lu = new LuDecomposition(toMlMatrix(A));
  if (lu.isSingular()) return null;
  const y = Float64Array.from(lu.solve(Matrix.columnVector(Array.from(b))).getColumn(0));
  return y.every(Number.isFinite) ? y : null;
}

export function findEquilibrium(game: Game, opts: EquilibriumOptions = {}): Equilibrium {
  const field = opts.field ?? 'centre';
  const n = game.blocks.dim;
  if (game.linear) {
    const minusC = game.linear.c.map((v) => -v);
    const x = solve(game.linear.H, minusC);
    if (x === null)
      throw new InputError(
        field,
        `H is singular, so the game has no unique equilibrium${opts.centreHint === false ? '' : ': give a centre'}`,
      );
    return { x, residual: norm(game.F(x)), iterations: 0 };
  }
  const maxIterations = opts.maxIterations ?? 100;
  const x = opts.start ? Float64Array.from(opts.start) : new Float64Array(n);
  let Fx = game.F(x);
  let r = norm(Fx);
  const scale = Math.max(1, r);
  const target = (opts.tolerance ?? 1e-12) * scale;
  const from = opts.start ? 'the given start' : 'the origin';
  for (let it = 0; it < maxIterations; it++) {
    if (r <= target) return { x, residual: r, iterations: it };
    const step = solve(game.J(x), Fx);
    if (step === null)
      throw new InputError(
        field,
        `Newton from ${from} met a singular Jacobian after ${it} steps (||F|| = ${r.toExponential(3)}): give a centre or a start`,
      );
    // Backtracking (Armijo on ||F||): halve t until ||F(x - t step)|| <= (1 - t/2) ||F(x)||.
    let t = 1;
    const trial = new Float64Array(n);
    let Ft = Fx;
    let rt = r;
    for (; t >= 1e-10; t /= 2) {
      for (let a = 0; a < n; a++) trial[a] = x[a] - t * step[a];
      Ft = game.F(trial);
      rt = norm(Ft);
      if (rt <= (1 - t / 2) * r) break;
    }
    if (t < 1e-10) {
      // No descent left: rounding limits how small ||F|| gets; accept 1e-9 relative, fail above.
      if (r <= 1e-9 * scale) return { x, residual: r, iterations: it };
      throw new InputError(
        field,
        `Newton from ${from} stalled at ||F|| = ${r.toExponential(3)} (no equilibrium found nearby): give a centre or a start`,
      );
    }
    x.set(trial);
    Fx = Ft;
    r = rt;
  }
  if (r <= target) return { x, residual: r, iterations: maxIterations };
  throw new InputError(
    field,
    `Newton from ${from} did not converge in ${maxIterations} steps (||F|| = ${r.toExponential(3)}): give a centre or a start`,
  );
}
