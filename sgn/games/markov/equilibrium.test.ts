import { describe, expect, it } from 'vitest';
import { markovModel, paperTables } from './model.js';
import { markovGame } from './markov-game.js';
import { markovEquilibrium, solveEquilibrium } from './equilibrium.js';
import { randomLogits, randomModel } from './test-games.js';

function norm(v: Float64Array): number {
  return Math.hypot(...v);
}

describe('markov equilibrium (Levenberg-Marquardt on ||F||)', () => {
  it('the paper game: uniform policies are an equilibrium, and the solver returns to them from far starts', () => {
    const game = markovGame(markovModel(paperTables()));
    for (const seed of [1, 2, 3]) {
      const e = markovEquilibrium(game, randomLogits(8, seed, 1.5));
      expect(e.residual).toBeLessThan(1e-9);
      expect(norm(game.F(e.x))).toBeLessThan(1e-9);
      // By symmetry of rewards in the actions and equal states, theta = 0 (uniform) solves F = 0.
      for (const v of e.x) expect(Math.abs(v)).toBeLessThan(1e-9);
    }
  });

  it.each([
    [3, 3, 21],
    [2, 4, 22],
    [5, 2, 23],
  ])('random general-sum game S=%i A=%i: ||F|| < 1e-9 at a non-trivial point', (S, A, seed) => {
    const game = markovGame(randomModel(S, A, seed));
    const e = markovEquilibrium(game);
    expect(e.converged).toBe(true);
    expect(norm(game.F(e.x))).toBeLessThan(1e-9);
    // A generic game has no uniform equilibrium: the solver had to move.
    expect(norm(game.F(new Float64Array(game.blocks.dim)))).toBeGreaterThan(1e-3);
    expect(norm(e.x)).toBeGreaterThan(1e-3);
    // Centred representative: zero mean per (player, state).
    for (let off = 0; off < e.x.length; off += A) {
      let m = 0;
      for (let a = 0; a < A; a++) m += e.x[off + a];
      expect(Math.abs(m)).toBeLessThan(1e-12);
    }
  });

  it('reports failure instead of a fake equilibrium when capped too early', () => {
    const game = markovGame(randomModel(3, 3, 21));
    const e = solveEquilibrium(game, randomLogits(18, 9, 3), { maxIterations: 1 });
    expect(e.converged).toBe(false);
    expect(() => markovEquilibrium(game, randomLogits(18, 9, 3), { maxIterations: 1 })).toThrow(
      /no equilibrium found/,
    );
  });
});
