/**
 * Every family's derivatives against central finite differences: F_i = grad_{x_i} f_i (where the
 * family is defined by costs f_i, written out here from the formulas, independently of the
 * implementation) and J = dF/dx. Step h = 1e-5: truncation O(h^2) and rounding O(eps / h) are
 * both ~1e-10 for these magnitudes; the tolerance is 1e-7 relative to max(1, |value|).
 */
import { describe, expect, it } from 'vitest';
import { defaultRng } from '../random/generator.js';
import { get } from '../linalg/matrix.js';
import { type TanhSpec } from './spec.js';
import { parseGameSpec } from '../../formats/game-file.js';
import { buildGame } from './build.js';
import type { Game } from './game.js';

const H = 1e-5;
const TOL = 1e-7;

function close(actual: number, expected: number, what: string): void {
  if (!(Math.abs(actual - expected) <= TOL * Math.max(1, Math.abs(expected))))
    expect.fail(`${what}: got ${actual}, finite differences give ${expected}`);
}

/** Central difference of g along coordinate a at x. */
function diff(g: (x: Float64Array) => number, x: Float64Array, a: number): number {
  const p = Float64Array.from(x);
  const m = Float64Array.from(x);
  p[a] += H;
  m[a] -= H;
  return (g(p) - g(m)) / (2 * H);
}

function checkJacobian(game: Game, x: Float64Array): void {
  const J = game.J(x);
  const n = game.blocks.dim;
  for (let b = 0; b < n; b++) {
    for (let a = 0; a < n; a++)
      close(
        get(J, a, b),
        diff((y) => game.F(y)[a], x, b),
        `J[${a}][${b}]`,
      );
  }
}

/** F_i = grad_{x_i} f_i for costs f(i, x). */
function checkGradient(game: Game, f: (i: number, x: Float64Array) => number, x: Float64Array): void {
  const F = game.F(x);
  const { offsets } = game.blocks;
  game.blocks.dims.forEach((_d, i) => {
    for (let a = offsets[i]; a < offsets[i + 1]; a++)
      close(
        F[a],
        diff((y) => f(i, y), x, a),
        `F[${a}]`,
      );
  });
}

const rng = defaultRng(42);
const randomPoint = (n: number, scale: number): Float64Array =>
  Float64Array.from({ length: n }, () => scale * (2 * rng.uniform() - 1));
const randomMatrix = (r: number, c: number): number[][] =>
  Array.from({ length: r }, () => Array.from({ length: c }, () => rng.normal()));

describe('quadratic family', () => {
  it('explicit, two-player and generated games: J = dF/dx', () => {
    const games = [
      parseGameSpec({ family: 'quadratic', dims: [1, 2], H: randomMatrix(3, 3), c: [1, -2, 0.5] }),
      parseGameSpec({
        family: 'quadratic',
        Q1: [[2]],
        Q2: [
          [1, 0],
          [0, 3],
        ],
        R: [[1, -1]],
        a: 2,
        b: 0.3,
        lambda: 1.5,
      }),
      parseGameSpec({ family: 'quadratic', generator: 'random', dims: [2, 3, 1], seed: 5, coupling: 0.7 }),
    ].map(buildGame);
    for (const g of games) checkJacobian(g, randomPoint(g.blocks.dim, 2));
  });

  it('the scalar preset is the mini-toy: F_i = grad of f1 = mu1 x1^2/2 + a x1 x2, f2 = mu2 x2^2/2 + b x1 x2', () => {
    const [mu1, mu2, a, b] = [1.3, 0.7, 3, -0.2];
    const game = buildGame(parseGameSpec({ family: 'quadratic', preset: 'scalar', mu1, mu2, a, b }));
    expect(game.blocks.dims).toEqual([1, 1]);
    const f = (i: number, x: Float64Array): number =>
      i === 0 ? 0.5 * mu1 * x[0] ** 2 + a * x[0] * x[1] : 0.5 * mu2 * x[1] ** 2 + b * x[0] * x[1];
    for (let k = 0; k < 5; k++) {
      const x = randomPoint(2, 3);
      checkGradient(game, f, x);
      checkJacobian(game, x);
    }
  });
});

/** f_i written from the formula in the issue (plain arrays, no shared code with tanh.ts). */
function tanhCost(spec: TanhSpec): (i: number, x: Float64Array) => number {
  const off = [0];
  for (const d of spec.dims) off.push(off[off.length - 1] + d);
  const part = (x: Float64Array, i: number): number[] => Array.from(x.subarray(off[i], off[i + 1]));
  return (i, x) => {
    const xi = part(x, i);
    const q = spec.Q[i];
    let f = 0;
    xi.forEach((u, r) =>
      xi.forEach((v, s) => {
        f += 0.5 * u * (Array.isArray(q) ? q[r][s] : r === s ? q : 0) * v;
      }),
    );
    for (const { i: ci, j, A } of spec.couplings) {
      if (ci - 1 !== i) continue;
      const t = part(x, j - 1).map(Math.tanh);
      xi.forEach((u, r) => t.forEach((v, s) => (f += u * A[r][s] * v)));
    }
    const kappa = Array.isArray(spec.kappa) ? spec.kappa[i] : spec.kappa;
    f += (kappa / 4) * xi.reduce((s, u) => s + u ** 4, 0);
    if (spec.c) f += xi.reduce((s, u, r) => s + (spec.c as number[])[off[i] + r] * u, 0);
    return f;
  };
}

describe('tanh family', () => {
  // Non-symmetric Q (only its symmetric part enters F), three players of sizes 2, 3, 1, one
  // missing coupling, per-player kappa of both signs, a linear term.
  const spec = parseGameSpec({
    family: 'tanh',
    dims: [2, 3, 1],
    Q: [randomMatrix(2, 2), 1.5, [[2]]],
    couplings: [
      { i: 1, j: 2, A: randomMatrix(2, 3) },
      { i: 2, j: 1, A: randomMatrix(3, 2) },
      { i: 2, j: 3, A: randomMatrix(3, 1) },
      { i: 3, j: 1, A: randomMatrix(1, 2) },
    ],
    kappa: [0.3, -0.1, 1],
    c: [0.5, -1, 0, 2, 0.1, -0.3],
  }) as TanhSpec;
  const game = buildGame(spec);
  const f = tanhCost(spec);

  it('F_i = grad_{x_i} f_i and J = dF/dx at points near and far from the origin', () => {
    for (const scale of [0.1, 1, 3]) {
      for (let k = 0; k < 4; k++) {
        const x = randomPoint(game.blocks.dim, scale);
        checkGradient(game, f, x);
        checkJacobian(game, x);
      }
    }
  });

  it('has no linear part (its bounds depend on the region)', () => {
    expect(game.family).toBe('tanh');
    expect(game.linear).toBeUndefined();
    expect(game.jacobianLipschitz).toBeTypeOf('function');
  });
});
