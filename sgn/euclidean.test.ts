/**
 * The Euclidean certificate beside SGN's and which of the two certifies, on games with closed
 * forms: a 3-player game Euclidean certifies and SGN cannot, and the LQ-64 game (SGN only).
 */
import { describe, expect, it } from 'vitest';
import { buildGame } from './games/build.js';
import { parseGameSpec } from '../formats/game-file.js';
import { certify, certificateToJson } from './certificate.js';
import { loadJson, lq64GamePath } from '../test/support/reference.js';

function close(a: number, b: number, tol: number): void {
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
}

describe('H = I + A, A the cyclic skew coupling of three scalar players', () => {
  // sym(H) = I: gamma_euc = 1. Every |H_ij| = 1 (i != j): mu = 1, L_ij = 1, K = 2I - ones, whose
  // smallest eigenvalue is 2 - 3 = -1, so no weights certify in SGN. H is normal with eigenvalues
  // 1 and 1 +- i sqrt(3): ||H|| = 2, and |1 - h (1 +- i sqrt 3)|^2 = 1 - 2h + 4h^2 < 1 iff h < 1/2.
  const game = buildGame(
    parseGameSpec({
      family: 'quadratic',
      dims: [1, 1, 1],
      H: [
        [1, 1, -1],
        [-1, 1, 1],
        [1, -1, 1],
      ],
    }),
  );

  it('Euclidean only: gamma 1, ||H|| 2, Euler step 2 gamma / ||H||^2 = 1/2 (the exact threshold), RK4 C4/2', () => {
    const c = certify(game, { groundTruth: 'always' });
    expect(c.certified).toBe(false);
    expect(c.certifiedBy).toEqual(['Euclidean']);
    close(c.optimal.alpha, -1, 1e-12);
    expect(c.eulerStep).toBe(0);
    expect(c.reason).toMatch(/small-gain condition fails/);
    close(c.gammaEuclidean, 1, 1e-12);
    const e = c.euclidean;
    expect(e.certified).toBe(true);
    close(e.gamma, 1, 1e-12);
    close(e.beta!, 2, 1e-12);
    close(e.eulerStep, 0.5, 1e-12);
    close(e.rk4Step, 2.5 / 2, 1e-12);
    close(c.linear!.hStabEuler!, 0.5, 1e-9);
    // In the JSON output too.
    const json = JSON.parse(certificateToJson(c)) as { euclidean: unknown; certifiedBy: unknown };
    expect(json.certifiedBy).toEqual(['Euclidean']);
    expect(json.euclidean).toEqual({
      gamma: e.gamma,
      beta: e.beta,
      eulerStep: e.eulerStep,
      rk4Step: e.rk4Step,
      certified: true,
    });
  });

  it('given non-uniform weights, the Euclidean certificate is still taken at M = I', () => {
    const c = certify(game, { weights: [1, 4, 0.25], c4: 3 });
    close(c.euclidean.beta!, 2, 1e-12);
    close(c.euclidean.eulerStep, 0.5, 1e-12);
    close(c.euclidean.rk4Step, 1.5, 1e-12);
    // SGN's beta at these weights is a different number: ||M^{1/2} H M^{-1/2}|| >= spectral radius 2.
    expect(c.beta).toBeGreaterThan(2 + 1e-6);
  });
});

describe('LQ-64 at lambda = 1 (SGN only)', () => {
  it('gamma_euc < 0: no Euclidean certificate, its norm not computed, zero steps', () => {
    const c = certify(buildGame(parseGameSpec(loadJson(lq64GamePath))), { groundTruth: 'never' });
    expect(c.certifiedBy).toEqual(['SGN']);
    expect(c.euclidean).toEqual({
      gamma: c.gammaEuclidean,
      beta: null,
      eulerStep: 0,
      rk4Step: 0,
      certified: false,
    });
    expect(c.gammaEuclidean).toBeLessThan(0);
  });
});
