import { describe, expect, it } from 'vitest';
import { buildQuadraticGame } from './quadratic.js';
import { blockBounds } from '../bounds.js';
import { defaultRng, type RandomGenerator } from '../random/generator.js';

function randomRows(rows: number, cols: number, rng: RandomGenerator): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.normal()));
}

describe('two-player form: block bounds known from the base matrices', () => {
  const rng = defaultRng(11);
  // Non-symmetric own blocks and a non-orthogonal coupling: nothing here is a closed form.
  const base = {
    family: 'quadratic' as const,
    Q1: randomRows(5, 5, rng),
    Q2: randomRows(3, 3, rng),
    R: randomRows(5, 3, rng),
    a: 2.5,
    b: -0.3,
  };

  it.each([0, 0.37, -1.2, 4])('match the bounds computed from H at lambda = %s', (lambda) => {
    const game = buildQuadraticGame({ ...base, lambda });
    const known = game.linear?.knownBounds;
    expect(known).toBeDefined();
    const computed = blockBounds(game.blocks, [game.linear!.H]);
    for (let i = 0; i < 2; i++) {
      expect(known!.mu[i]).toBeCloseTo(computed.mu[i], 12);
      for (let j = 0; j < 2; j++) {
        const scale = Math.max(1, computed.L[i][j]);
        expect(Math.abs(known!.L[i][j] - computed.L[i][j]) / scale).toBeLessThan(1e-13);
      }
    }
    if (lambda === 0)
      expect(known!.L).toEqual([
        [0, 0],
        [0, 0],
      ]);
  });

  it('are what analyseGame reports (gamma_euc still from H)', () => {
    const game = buildQuadraticGame({ ...base, lambda: 0.8 });
    const withKnown = blockBounds(game.blocks, [game.linear!.H], game.linear!.knownBounds);
    const computed = blockBounds(game.blocks, [game.linear!.H]);
    expect(withKnown.gammaEuclidean).toBe(computed.gammaEuclidean);
    expect(withKnown.mu).toEqual(game.linear!.knownBounds!.mu);
  });
});
