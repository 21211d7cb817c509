/**
 * Bounds on regions, through analyseGame/certify: the rigorous mode's inflated bounds contain what
 * dense sampling finds, the tanh family's Lipschitz bound holds, the tanh bounds depend on the
 * region (a larger box loses the certificate), and linear games are unchanged by a region.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGame } from '../games/build.js';
import { parseGameSpec } from '../../formats/game-file.js';
import type { Game } from '../games/game.js';
import { sech2SlopeBound } from '../games/tanh.js';
import { zeros, type DenseMatrix } from '../linalg/matrix.js';
import { spectralNorm } from '../linalg/spectral-norm.js';
import { analyseGame, certify, certifyWeights } from '../certificate.js';
import { InputError } from '../util/errors.js';
import { regionFields, type Region } from './region.js';
import { resolveRegion } from './resolve.js';
import { samplePoints, type SamplerSpec } from './samplers.js';
import { splitGameFile } from '../../formats/region-section.js';

const example = splitGameFile(
  JSON.parse(readFileSync(new URL('../../examples/games/tanh-2p.json', import.meta.url), 'utf8')),
);
const tanh = buildGame(parseGameSpec(example.game));
const fields = regionFields('region');
const boxAround = (game: Game, radius: number): Region =>
  resolveRegion({ kind: 'box', radii: [radius] }, game, fields);

function diffNorm(a: DenseMatrix, b: DenseMatrix): number {
  const d = zeros(a.rows, a.cols);
  for (let k = 0; k < d.data.length; k++) d.data[k] = a.data[k] - b.data[k];
  return spectralNorm(d).value;
}

describe('rigorous mode on the tanh example (box:0.5 around its equilibrium)', () => {
  const region = boxAround(tanh, 0.5);
  const coarse: SamplerSpec = { kind: 'random', count: 64, seed: 1 };
  const rigorous = analyseGame(tanh, { region: { region, sampler: coarse, rigorous: true } });
  const sampled = analyseGame(tanh, { region: { region, sampler: coarse } });
  // 15^4 = 50625 points, spacing 1/14: the reference "exact" min/max.
  const dense = analyseGame(tanh, { region: { region, sampler: { kind: 'grid', perAxis: 15 } } });

  it('records the mode, the sampler, the points and the inflation', () => {
    const r = rigorous.region!;
    expect(r.mode).toBe('rigorous');
    expect(r.sampler).toBe('random:64:1');
    expect(r.points).toBe(64);
    expect(r.centreSource).toBe('equilibrium');
    expect(r.radii).toEqual([0.5, 0.5]);
    const i = r.inflation!;
    expect(i.coveringMethod).toBe('branch-and-bound');
    expect(i.amount).toBeCloseTo(i.jacobianLipschitz * i.coveringRadius, 14);
    expect(rigorous.betaInflation).toBe(i.amount);
    expect(r.sampled!.mu).toEqual(sampled.mu);
    expect(sampled.region!.mode).toBe('sampled');
    expect(sampled.region!.inflation).toBeNull();
  });

  it('the inflated bounds contain the dense min/max of mu, L, gamma_euc and beta(w)', () => {
    // The tight setting too: grid:9 inflates by only 0.34 (random:64 by 1.9).
    const tight = analyseGame(tanh, {
      region: { region, sampler: { kind: 'grid', perAxis: 9 }, rigorous: true },
    });
    expect(tight.betaInflation).toBeLessThan(0.4);
    for (const a of [rigorous, tight]) {
      for (let i = 0; i < 2; i++) {
        expect(dense.mu[i]).toBeGreaterThanOrEqual(a.mu[i]);
        for (let j = 0; j < 2; j++) if (i !== j) expect(dense.L[i][j]).toBeLessThanOrEqual(a.L[i][j]);
      }
      expect(dense.gammaEuclidean).toBeGreaterThanOrEqual(a.gammaEuclidean);
      expect(certifyWeights(dense, a.optimal.weights).beta).toBeLessThanOrEqual(
        certifyWeights(a, a.optimal.weights).beta,
      );
    }
    for (let i = 0; i < 2; i++) {
      expect(dense.mu[i]).toBeGreaterThanOrEqual(rigorous.mu[i]);
      for (let j = 0; j < 2; j++) if (i !== j) expect(dense.L[i][j]).toBeLessThanOrEqual(rigorous.L[i][j]);
    }
    expect(dense.gammaEuclidean).toBeGreaterThanOrEqual(rigorous.gammaEuclidean);
    for (const w of [[1, 1], [1, 5], [1, 0.1], rigorous.optimal.weights]) {
      const bRig = certifyWeights(rigorous, w).beta;
      const bDense = certifyWeights(dense, w).beta;
      const bSampled = certifyWeights(sampled, w).beta;
      expect(bDense).toBeLessThanOrEqual(bRig);
      // The inflation of beta is sqrt(max w / min w) delta on top of the sampled value.
      const spread = Math.max(...w) / Math.min(...w);
      expect(bRig - bSampled).toBeCloseTo(Math.sqrt(spread) * rigorous.betaInflation, 10);
    }
  });

  it('without the inflation the coarse estimate is wrong: the dense samples fall outside it', () => {
    const violations = [
      dense.mu[0] < sampled.mu[0],
      dense.mu[1] < sampled.mu[1],
      dense.L[0][1] > sampled.L[0][1],
      dense.L[1][0] > sampled.L[1][0],
    ];
    expect(violations.filter(Boolean).length).toBeGreaterThanOrEqual(2);
  });

  it("the family's Lipschitz bound holds between random pairs of the region", () => {
    const lip = tanh.jacobianLipschitz!(region);
    const xs = samplePoints(region, { kind: 'random', count: 400, seed: 2 });
    let worst = 0;
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const x = xs[k];
      // Pairs at all distances: every other partner is pulled close to x.
      const y = k % 4 === 0 ? xs[k + 1] : xs[k + 1].map((v, a) => x[a] + 1e-3 * (v - x[a]));
      const dist = Math.hypot(...x.map((v, a) => v - y[a]));
      worst = Math.max(worst, diffNorm(tanh.J(x), tanh.J(y)) / dist);
    }
    expect(worst).toBeLessThanOrEqual(lip);
    // And it is not wildly loose (measured: the bound is ~1.45x the largest local ratio).
    expect(worst).toBeGreaterThan(lip / 5);
  });

  it("sech^2 slope bound: the max of |(sech^2)'| over an interval, against a dense scan", () => {
    const slope = (x: number): number => (2 * Math.tanh(Math.abs(x))) / Math.cosh(x) ** 2;
    for (const [lo, hi] of [
      [-1, 1],
      [0.1, 0.3],
      [1.5, 2.5],
      [-3, -0.9],
      [-0.2, 0.4],
      [2, 2],
    ]) {
      let scan = 0;
      for (let k = 0; k <= 10000; k++) scan = Math.max(scan, slope(lo + ((hi - lo) * k) / 10000));
      const bound = sech2SlopeBound(lo, hi);
      expect(bound).toBeGreaterThanOrEqual(scan * (1 - 1e-12));
      expect(bound).toBeLessThanOrEqual(scan * (1 + 1e-6));
    }
  });
});

describe('the tanh bounds depend on the region', () => {
  const grid: SamplerSpec = { kind: 'grid', perAxis: 5 };
  const at = (radius: number, rigorous = false, sampler = grid) =>
    certify(tanh, { region: { region: boxAround(tanh, radius), sampler, rigorous } });

  it('box:0.5 around the equilibrium certifies; box:3 does not (couplings unsaturate near the origin)', () => {
    const small = at(0.5);
    const large = at(3);
    expect(small.certified).toBe(true);
    expect(large.certified).toBe(false);
    expect(large.reason).toMatch(/small-gain condition fails/);
    for (let i = 0; i < 2; i++) expect(large.mu[i]).toBeLessThan(small.mu[i]);
    expect(large.L[0][1]).toBeGreaterThan(small.L[0][1]);
    expect(large.L[1][0]).toBeGreaterThan(small.L[1][0]);
  });

  it('the margin shrinks as the box grows, and the rigorous mode certifies box:0.5 with a fine grid', () => {
    const alphas = [0.25, 0.5, 1, 1.5].map((r) => at(r).optimal.alpha);
    for (let k = 1; k < alphas.length; k++) expect(alphas[k]).toBeLessThan(alphas[k - 1]);
    const rig = at(0.5, true, { kind: 'grid', perAxis: 9 });
    expect(rig.certified).toBe(true);
    expect(rig.region!.inflation!.coveringMethod).toBe('exact');
    expect(rig.region!.inflation!.coveringRadius).toBeCloseTo(Math.sqrt(4 * (0.5 / 8) ** 2), 14);
    expect(rig.alpha).toBeLessThan(at(0.5, false, { kind: 'grid', perAxis: 9 }).alpha);
  });

  it('without a region a nonlinear game is taken at the origin only (unchanged behaviour)', () => {
    const c = certify(tanh);
    expect(c.region).toBeNull();
    const at0 = analyseGame(tanh);
    expect(at0.jacobians).toHaveLength(1);
    expect(at0.betaInflation).toBe(0);
  });

  it('refuses the rigorous mode for a game that gives no Lipschitz constant', () => {
    const bare: Game = { family: 'bare', blocks: tanh.blocks, F: (x) => tanh.F(x), J: (x) => tanh.J(x) };
    const region = boxAround(tanh, 0.5);
    try {
      analyseGame(bare, { region: { region, rigorous: true, fields: { rigorous: '--rigorous' } } });
      expect.fail('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).field).toBe('--rigorous');
      expect((e as InputError).problem).toMatch(/bare family supplies no Lipschitz constant/);
    }
  });
});

describe('linear games on a region', () => {
  const lq = buildGame(
    parseGameSpec({ family: 'quadratic', generator: 'random', dims: [3, 2], seed: 4, coupling: 0.4, mu0: 1 }),
  );

  it('numbers are those without a region; the record says exact, one Jacobian, no sampler', () => {
    const plain = certify(lq);
    for (const rigorous of [false, true]) {
      const c = certify(lq, {
        region: { region: boxAround(lq, 2), sampler: { kind: 'sobol', count: 64 }, rigorous },
      });
      expect(c.alpha).toBe(plain.alpha);
      expect(c.beta).toBe(plain.beta);
      expect(c.mu).toEqual(plain.mu);
      expect(c.L).toEqual(plain.L);
      expect(c.region).toMatchObject({
        kind: 'box',
        mode: 'exact',
        sampler: null,
        points: 1,
        inflation: null,
      });
      // The equilibrium of F = H x + c with c = 0 is the origin (a solve of H x = -0 may give -0:
      // the sign of a zero means nothing here, and -0 + 0 is +0).
      expect(c.region!.centre.map((v) => v + 0)).toEqual([0, 0, 0, 0, 0]);
    }
    expect(plain.region).toBeNull();
  });
});
