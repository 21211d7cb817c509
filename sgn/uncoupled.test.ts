/**
 * Uncoupled games (every L_ij = 0): S(w) = diag(mu) for every w > 0, so alpha_* = min mu at
 * every weighting, and H = blockdiag(Q_i) is untouched by the metric, so beta = max_i ||Q_i||.
 * Checked against those closed forms, with the Q_i's eigenvalues from ml-matrix (not the
 * engine's kernels). These games used to throw (non-finite S(w) in the band search).
 */
import { describe, expect, it } from 'vitest';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { buildGame } from './games/build.js';
import { parseGameSpec } from '../formats/game-file.js';
import type { Game } from './games/game.js';
import { certify, certificateToJson } from './certificate.js';
import { optimalWeights } from './optimal-weights.js';
import { sgnMargin } from './sgn-matrix.js';
import { axisBand } from './band.js';
import { defaultRng } from './random/generator.js';

/** |a - b| <= tol * max(1, |b|). */
function close(a: number, b: number, tol: number): void {
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
}

/** Extreme eigenvalues of each diagonal block Q_i of H (symmetric for the quadratic generator). */
function blockSpectra(game: Game): { lo: number[]; hi: number[] } {
  const H = game.linear!.H;
  const { offsets, dims } = game.blocks;
  const lo: number[] = [];
  const hi: number[] = [];
  dims.forEach((d, i) => {
    const rows = Array.from({ length: d }, (_, a) =>
      Array.from({ length: d }, (_, b) => H.data[(offsets[i] + a) * H.cols + offsets[i] + b]),
    );
    const eig = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true }).realEigenvalues;
    lo.push(Math.min(...eig));
    hi.push(Math.max(...eig));
  });
  return { lo, hi };
}

/** Every number in the JSON certificate is finite (band edges may be unbounded: null there). */
function expectNoNaN(value: unknown, path = 'certificate'): void {
  if (typeof value === 'number') expect(Number.isNaN(value), path).toBe(false);
  else if (Array.isArray(value)) value.forEach((v, i) => expectNoNaN(v, `${path}[${i}]`));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) expectNoNaN(v, `${path}.${k}`);
}

const games: Record<string, number[]> = { '3-player': [3, 3, 3], '5-player': [2, 1, 3, 2, 4] };

for (const [name, dims] of Object.entries(games)) {
  describe(`uncoupled ${name} game (coupling 0)`, () => {
    const game = buildGame(
      parseGameSpec({ family: 'quadratic', generator: 'random', dims, coupling: 0, seed: 7 }),
    );
    const { lo, hi } = blockSpectra(game);
    const minMu = Math.min(...lo);
    const norm = Math.max(...hi);

    it('certifies with alpha = min mu, every weight 1 optimal (attained), closed-form steps', () => {
      const c = certify(game, { groundTruth: 'always' });
      c.mu.forEach((m, i) => close(m, lo[i], 1e-12));
      c.L.forEach((row) => row.forEach((v) => expect(v).toBe(0)));
      expect(c.certified).toBe(true);
      expect(c.certifiedBy).toEqual(['SGN', 'Euclidean']);
      close(c.alpha, minMu, 1e-12);
      close(c.optimal.alpha, minMu, 1e-12);
      expect(c.optimal.weights).toEqual(dims.map(() => 1));
      expect(c.optimal.attained).toBe(true);
      close(c.gammaEuclidean, minMu, 1e-12);
      close(c.gainRadius, 0, 0);
      close(c.beta, norm, 1e-10);
      close(c.eulerStep, (2 * minMu) / norm ** 2, 1e-10);
      close(c.rk4Step, 2.5 / norm, 1e-10);
      // The metric leaves a block-diagonal H alone: the Euclidean certificate is the same one.
      close(c.euclidean.gamma, minMu, 1e-12);
      close(c.euclidean.beta!, norm, 1e-10);
      close(c.euclidean.eulerStep, c.eulerStep, 1e-12);
      close(c.linear!.alphaTrue, minMu, 1e-12);
      // Symmetric positive definite H: Euler is stable exactly for h < 2 / lambda_max(H).
      close(c.linear!.hStabEuler!, 2 / norm, 1e-9);
      // Every axis band is the whole half-line.
      expect(c.axisBands).toHaveLength(dims.length - 1);
      for (const b of c.axisBands!) expect([b.rMinus, b.rPlus]).toEqual([0, Infinity]);
      expect(c.reason).toBeNull();
      expectNoNaN(JSON.parse(certificateToJson(c)));
    });

    it('any positive weights certify with the same alpha, beta and finite positive steps', () => {
      const rng = defaultRng(11);
      const draws = Array.from({ length: 6 }, () => dims.map(() => Math.exp(10 * rng.normal())));
      // The widest spread the engine accepts, both ways.
      draws.push(dims.map((_, i) => (i % 2 ? 1e150 : 1e-150)));
      for (const weights of draws) {
        const c = certify(game, { weights, groundTruth: 'never' });
        expect(c.certified).toBe(true);
        close(c.alpha, minMu, 1e-12);
        close(c.beta, norm, 1e-10);
        expect(Number.isFinite(c.eulerStep) && c.eulerStep > 0).toBe(true);
        expect(Number.isFinite(c.rk4Step) && c.rk4Step > 0).toBe(true);
        close(c.eulerStep, (2 * minMu) / norm ** 2, 1e-10);
        close(c.euclidean.beta!, norm, 1e-10); // measured at M = I, not at these weights
        expectNoNaN(JSON.parse(certificateToJson(c)));
      }
    });

    it('--step-weights: the optimum is flat, the result finite', () => {
      const c = certify(game, { stepWeights: true, groundTruth: 'never' });
      for (const s of [c.stepWeights!.euler!, c.stepWeights!.rk4!]) {
        close(s.alpha, minMu, 1e-12);
        close(s.beta, norm, 1e-10);
        expect(s.weights.every((w) => Number.isFinite(w) && w > 0)).toBe(true);
      }
    });
  });
}

describe('the SGN maths at L = 0, directly', () => {
  const zero = (n: number): number[][] => Array.from({ length: n }, () => new Array<number>(n).fill(0));

  it('optimalWeights: alpha = min mu exactly, uniform weights, attained (also for mu <= 0)', () => {
    for (const mu of [
      [1, 2, 3],
      [3, 0.5, 2, 7, 1e-8],
      [0, 0, 0],
      [1, -2, 0.5, 4],
    ]) {
      const o = optimalWeights(mu, zero(mu.length));
      expect(o.alpha).toBe(Math.min(...mu));
      expect(o.alphaAtWeights).toBe(Math.min(...mu));
      expect(o.weights).toEqual(mu.map(() => 1));
      expect(o.attained).toBe(true);
    }
  });

  it('sgnMargin is min mu at weight ratios whose square roots overflow (no 0 * Infinity)', () => {
    const mu = [1.5, 0.25, 2];
    // sqrt(1e300 / 1e-300) = Infinity in doubles; the couplings it multiplies are 0.
    expect(sgnMargin(mu, zero(3), [1, 1e300, 1e-300])).toBe(0.25);
    expect(sgnMargin([1, 3], zero(2), [1e-300, 1e300])).toBe(1);
  });

  it('axisBand is the whole half-line on every axis', () => {
    for (let axis = 1; axis < 4; axis++)
      expect(axisBand([1, 2, 3, 4], zero(4), [1, 1, 1, 1], axis)).toEqual({ rMinus: 0, rPlus: Infinity });
  });
});
