/**
 * The LQ-64 reference: every row of shared/reference/lq64/golden.json (computed independently
 * with NumPy) reproduced. Tolerances: 1e-9 relative or 1e-12 absolute; thresholds 1e-7.
 */
import { describe, expect, it } from 'vitest';
import { loadGolden, loadJson, lq64GamePath } from '../test/support/reference.js';
import { parseGameSpec } from '../formats/game-file.js';
import { buildGame } from './games/build.js';
import { certify } from './certificate.js';

const golden = loadGolden();
const baseSpec = loadJson<Record<string, unknown>>(lq64GamePath);

function close(actual: number, expected: number, rel = 1e-9, abs = 1e-12): void {
  const err = Math.abs(actual - expected);
  const ok = err <= abs || err <= rel * Math.abs(expected);
  if (!ok) expect.fail(`got ${actual}, expected ${expected} (error ${err.toExponential(2)})`);
}

describe('LQ-64 golden values', () => {
  it('has 61 rows', () => expect(golden.rows).toHaveLength(61));

  for (const row of golden.rows) {
    it(`lambda = ${row.lam}`, () => {
      const game = buildGame(parseGameSpec({ ...baseSpec, lambda: row.lam }));
      const c = certify(game, { weights: golden.weights, groundTruth: 'always' });
      close(c.mu[0], row.mu[0]);
      close(c.mu[1], row.mu[1]);
      close(c.L[0][1], row.L12);
      close(c.L[1][0], row.L21);
      close(c.gammaEuclidean, row.gamma_euc);
      close(c.alpha, row.alpha_sgn);
      close(c.linear!.alphaTrue, row.alpha_true);
      close(c.beta, row.beta);
      close(c.eulerStep, row.euler_step);
      close(c.rk4Step, row.rk4_step);
      close(c.linear!.hStabEuler!, row.h_stab_euler, 1e-7, 1e-7);
      close(c.linear!.hStabRk4!, row.h_stab_rk4, 1e-7, 1e-7);
      close(c.optimal.alpha, row.alpha_max);
      close(c.optimal.ratio!, row.w_opt_ratio);
      close(c.weights[1] / c.weights[0], golden.weights[1] / golden.weights[0]);
      expect(c.certified).toBe(row.alpha_sgn > 0);
      if (row.band_r === null) {
        if (row.L12 === 0 && row.L21 === 0) {
          // The reference leaves the uncoupled game's band out; every ratio certifies there.
          expect(c.band).toEqual({ rMinus: 0, rPlus: Infinity });
        } else {
          expect(c.band).toBeNull();
        }
      } else {
        close(c.band!.rMinus, row.band_r[0]);
        close(c.band!.rPlus, row.band_r[1]);
      }
    });
  }
});
