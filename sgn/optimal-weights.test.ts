/** Exact optimal weights against an independent numerical maximisation of alpha_*(w). */
import { describe, expect, it } from 'vitest';
import { defaultRng, type RandomGenerator } from './random/generator.js';
import { nelderMead } from './optimize/nelder-mead.js';
import { sgnMargin } from './sgn-matrix.js';
import { isIrreducible, optimalWeights, perronRoot } from './optimal-weights.js';

function randomBounds(n: number, rng: RandomGenerator): { mu: number[]; L: number[][] } {
  const mu = Array.from({ length: n }, () => 0.5 + 2 * rng.uniform());
  const L = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) =>
      i === j ? 0 : (1.5 / n) * rng.uniform() * Math.exp(2 * rng.normal()),
    ),
  );
  return { mu, L };
}

describe('optimalWeights', () => {
  for (let n = 2; n <= 5; n++) {
    it(`matches Nelder-Mead maximisation of alpha_*(w) on random ${n}-player games`, () => {
      const rng = defaultRng(100 + n);
      for (let trial = 0; trial < 8; trial++) {
        const { mu, L } = randomBounds(n, rng);
        const opt = optimalWeights(mu, L);
        // Independent: maximise over log-weights from several starts, no Perron theory involved.
        let best = -Infinity;
        for (let s = 0; s < 4; s++) {
          const x0 = Array.from({ length: n - 1 }, () => 2 * rng.normal());
          const m = nelderMead((x) => -sgnMargin(mu, L, [1, ...x.map(Math.exp)]), x0, {
            tol: 1e-15,
            maxEvaluations: 20000,
          });
          best = Math.max(best, -m.fx);
        }
        // tau(K) is the supremum: no weights beat it, and the Perron weights attain it.
        expect(best).toBeLessThanOrEqual(opt.alpha + 1e-10);
        expect(Math.abs(best - opt.alpha)).toBeLessThan(1e-7 * Math.max(1, Math.abs(opt.alpha)));
        expect(Math.abs(opt.alphaAtWeights - opt.alpha)).toBeLessThan(
          1e-10 * Math.max(1, Math.abs(opt.alpha)),
        );
        expect(opt.attained).toBe(true);
        expect(opt.weights[0]).toBe(1);
        expect(opt.weights.every((w) => w > 0)).toBe(true);
      }
    });
  }

  it('closed form for two players: r = L12 / L21 and tau = mean(mu) - sqrt(diff^2/4 + L12 L21)', () => {
    const opt = optimalWeights(
      [1, 3],
      [
        [0, 4],
        [0.25, 0],
      ],
    );
    expect(opt.weights[1]).toBeCloseTo(16, 12);
    expect(opt.alpha).toBeCloseTo(2 - Math.sqrt(2), 12);
  });

  it('handles reducible couplings: one-way coupling approaches min(mu) without attaining it', () => {
    const mu = [1, 2, 1.5];
    const L = [
      [0, 3, 0],
      [0, 0, 2],
      [0, 0, 0],
    ];
    expect(isIrreducible(L)).toBe(false);
    const opt = optimalWeights(mu, L);
    expect(opt.attained).toBe(false);
    expect(opt.alpha).toBeCloseTo(1, 12);
    expect(opt.alphaAtWeights).toBeGreaterThan(1 - 1e-3);
    expect(opt.alphaAtWeights).toBeLessThanOrEqual(1 + 1e-12);
  });

  it('reports alpha <= 0 with the least-bad weights when the small-gain condition fails', () => {
    const mu = [1, 1, 1];
    const L = [
      [0, 2, 0],
      [0, 0, 2],
      [2, 0, 0],
    ];
    const opt = optimalWeights(mu, L);
    expect(opt.alpha).toBeCloseTo(1 - 2, 10); // rho(L) = 2 for the 3-cycle
    expect(perronRoot(mu, L)).toBeCloseTo(-1, 10);
    expect(opt.alphaAtWeights).toBeCloseTo(-1, 8);
  });
});
