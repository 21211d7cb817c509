/**
 * certifyRange on a 3-player family through lambda = 0, where the game is uncoupled: those cells
 * used to be stored with error 'symmetricEigenvalues: matrix has non-finite entries'. Checked
 * against closed forms on the game built here from the spec (the blocks' eigenvalues from
 * ml-matrix): alpha = optimal alpha = gamma_euc = min mu, beta = max ||Q_i|| at any weights.
 */
import { describe, expect, it } from 'vitest';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { buildGame } from '../sgn/games/build.js';
import { parseGameSpec } from '../formats/game-file.js';
import { resolveSpec } from './resolve.js';
import { certifyRange } from './compute.js';

const family = { family: 'quadratic', generator: 'random', dims: [3, 2, 3], seed: 4 };

/** |a - b| <= tol * max(1, |b|). */
function close(a: number | null, b: number, tol: number): void {
  expect(a).not.toBeNull();
  expect(Math.abs((a as number) - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
}

/** min over players of lambda_min(Q_i) and max of lambda_max(Q_i) at lambda = 0 (H = blockdiag(Q_i)). */
function uncoupledClosedForms(): { minMu: number; norm: number; mu: number[] } {
  const game = buildGame(parseGameSpec({ ...family, lambda: 0 }));
  const H = game.linear!.H;
  const { offsets, dims } = game.blocks;
  const mu: number[] = [];
  let norm = 0;
  dims.forEach((d, i) => {
    const Q = Array.from({ length: d }, (_, a) =>
      Array.from({ length: d }, (_, b) => H.data[(offsets[i] + a) * H.cols + offsets[i] + b]),
    );
    const eig = new EigenvalueDecomposition(new Matrix(Q), { assumeSymmetric: true }).realEigenvalues;
    mu.push(Math.min(...eig));
    norm = Math.max(norm, ...eig);
  });
  // The generator's couplings are scaled by lambda: at 0 every off-diagonal block is zero (+-0).
  const player = (k: number): number => offsets.findIndex((o, j) => k >= o && k < offsets[j + 1]);
  for (let a = 0; a < H.rows; a++)
    for (let b = 0; b < H.cols; b++)
      if (player(a) !== player(b)) expect(Math.abs(H.data[a * H.cols + b])).toBe(0);
  return { minMu: Math.min(...mu), norm, mu };
}

describe('a 3-player family through lambda = 0', () => {
  const { minMu, norm, mu } = uncoupledClosedForms();

  for (const weights of ['optimal', { fixed: [1, 30, 0.002] }] as const) {
    it(`weights ${JSON.stringify(weights)}: lambda = 0 cells are certified, error null, closed forms`, async () => {
      const r = resolveSpec(
        { kind: 'certify', game: { ...family, lambda: { values: [0, 0.25, 0.5] } }, weights },
        { baseDir: '.' },
      );
      const rows = await certifyRange(r, 0, r.totalCells);
      expect(rows).toHaveLength(3);
      expect(rows.map((x) => x.error)).toEqual([null, null, null]);
      const zero = rows.filter((x) => x.gameParam === 0);
      expect(zero).toHaveLength(1);
      for (const row of zero) {
        expect(row.certified).toBe(true);
        row.mu.forEach((m, i) => close(m, mu[i], 1e-12));
        close(row.alpha, minMu, 1e-12);
        close(row.optimalAlpha, minMu, 1e-12);
        close(row.gammaEuclidean, minMu, 1e-12);
        close(row.alphaTrue, minMu, 1e-12);
        close(row.beta, norm, 1e-10);
        close(row.eulerStep, (2 * minMu) / norm ** 2, 1e-10);
        close(row.rk4Step, 2.5 / norm, 1e-10);
        expect(row.couplingL!.flat().every((v) => v === 0)).toBe(true);
        if (weights === 'optimal') expect(row.weights).toEqual([1, 1, 1]);
        // N > 2: no two-player band or ratio columns.
        expect([row.bandMinus, row.bandPlus, row.optimalRatio]).toEqual([null, null, null]);
      }
    });
  }
});
