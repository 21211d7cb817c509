/**
 * certifyRange and stepsizeRange on nonlinear families, against the engine's direct calls on the
 * same game and region (built here independently of the sweep code: the game from the spec,
 * the region by resolveRegion / the Markov equilibrium and its logit cube).
 */
import { describe, expect, it } from 'vitest';
import { readDataFile } from '../formats/data-file.js';
import { buildGame } from '../sgn/games/build.js';
import { type GameSpec } from '../sgn/games/spec.js';
import { parseGameSpec } from '../formats/game-file.js';
import { buildMarkovGame, type MarkovSpec } from '../sgn/games/markov/spec.js';
import { markovEquilibrium } from '../sgn/games/markov/equilibrium.js';
import { markovCertificate } from '../sgn/games/markov/fisher.js';
import { logitCubePoints } from '../sgn/games/markov/region.js';
import { splitGameFile } from '../formats/region-section.js';
import { regionFields } from '../sgn/regions/region.js';
import { resolveRegion } from '../sgn/regions/resolve.js';
import { certify } from '../sgn/certificate.js';
import { resolveSpec, resolveSpecFile } from './resolve.js';
import { loadStored } from '../test/support/python-reference.js';
import { certifyRange, stepsizeRange } from './compute.js';

const examples = new URL('../examples/games/', import.meta.url).pathname;
const opts = { baseDir: examples };

function gameOf(file: string, extra: Record<string, unknown> = {}): GameSpec {
  const { game } = splitGameFile(readDataFile(`${examples}${file}`));
  return parseGameSpec({ ...(game as object), ...extra });
}

function markovSpecOf(extra: Record<string, unknown> = {}): MarkovSpec {
  const spec = gameOf('markov-coordination.json', extra);
  if (spec.family !== 'markov') throw new Error('markov-coordination.json is not a markov game');
  return spec;
}

/** |a - b| <= tol * max(1, |b|). */
function close(a: number | null, b: number, tol: number): void {
  expect(a).not.toBeNull();
  expect(Math.abs((a as number) - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
}

describe('tanh: certifyRange equals certify on the same region', () => {
  const radii = [0.5, 1, 1.5];
  const ratios = [0.1, 1, 10];
  const r = resolveSpec(
    {
      kind: 'certify',
      game: { file: 'tanh-2p.json' },
      region: { kind: 'box', radius: { values: radii }, sampler: 'grid:4' },
      weights: { ratio: { values: ratios } },
    },
    opts,
  );
  const game = buildGame(gameOf('tanh-2p.json'));

  it('alpha, beta, steps, mu, L, band and optimum per (radius, ratio)', async () => {
    const rows = await certifyRange(r, 0, r.totalCells);
    expect(rows.every((x) => x.error === null)).toBe(true);
    let k = 0;
    for (const radius of radii) {
      const region = resolveRegion({ kind: 'box', radii: [radius] }, game, regionFields('region'));
      for (const ratio of ratios) {
        const row = rows[k++];
        const c = certify(game, {
          region: { region, sampler: { kind: 'grid', perAxis: 4 } },
          weights: [1, ratio],
        });
        expect(row.regionRadius).toBe(radius);
        expect(row.ratio).toBe(ratio);
        expect(row.certified).toBe(c.certified);
        // mu, L and alpha come from the same sampled Jacobians: equal to rounding. beta is a
        // Lanczos estimate the sweep warm-starts across ratios: 1e-9 relative.
        row.mu.forEach((m, i) => close(m, c.mu[i], 1e-12));
        close(row.alpha, c.alpha, 1e-12);
        close(row.optimalAlpha, c.optimal.alpha, 1e-12);
        close(row.beta, c.beta, 1e-9);
        close(row.eulerStep, c.eulerStep, 1e-8);
        expect(row.bandMinus === null).toBe(c.band === null);
        if (c.band) close(row.bandMinus, c.band.rMinus, 1e-12);
      }
    }
    // The certificate is lost as the region grows (saturation lowers mu, the quartic raises L).
    expect(rows.filter((x) => x.regionRadius === 0.5).every((x) => x.certified)).toBe(true);
    expect(rows.filter((x) => x.regionRadius === 1.5).some((x) => x.certified)).toBe(false);
  });

  it('rigorous mode: the inflated bounds of certify', async () => {
    const rr = resolveSpec(
      {
        kind: 'certify',
        game: { file: 'tanh-2p.json' },
        region: { kind: 'box', radius: 0.25, rigorous: true },
      },
      opts,
    );
    const [row] = await certifyRange(rr, 0, 1);
    const region = resolveRegion({ kind: 'box', radii: [0.25] }, game, regionFields('region'));
    const c = certify(game, { region: { region, rigorous: true } });
    close(row.alpha, c.alpha, 1e-12);
    close(row.beta, c.beta, 1e-9);
    expect(row.certified).toBe(c.certified);
  });
});

describe('markov: certifyRange equals markovCertificate on the logit cube', () => {
  const taus = [0.5, 1, 2];
  const ratios = [0.2, 1, 5];
  const r = resolveSpec(
    {
      kind: 'certify',
      game: { file: 'markov-coordination.json', tau: { values: taus } },
      region: { kind: 'box', radius: { values: [0.05, 0.1] } },
      weights: { ratio: { values: ratios } },
    },
    opts,
  );

  it('Fisher alpha, beta, eta_max, mu, L, weights, optimum per (tau, radius, ratio): identical', async () => {
    const rows = await certifyRange(r, 0, r.totalCells);
    expect(rows.every((x) => x.error === null)).toBe(true);
    let k = 0;
    for (const tau of taus) {
      const game = buildMarkovGame(markovSpecOf({ tau }));
      const xStar = markovEquilibrium(game).x;
      for (const radius of [0.05, 0.1]) {
        const points = logitCubePoints(game, xStar, radius);
        const optimal = markovCertificate(game, points);
        for (const ratio of ratios) {
          const row = rows[k++];
          const c = markovCertificate(game, points, { weights: [1, ratio] });
          // The same computation on the same points: equal to the last bit.
          expect(row.params).toEqual({ tau, radius, ratio });
          expect(row.regionRadius).toBe(radius);
          expect([row.alpha, row.beta, row.eulerStep]).toEqual([c.alpha, c.beta, c.etaMax]);
          expect(row.rk4Step).toBe(c.certified ? 2.5 / c.beta : 0);
          expect([row.mu, row.couplingL, row.weights]).toEqual([c.mu, c.L, c.weights]);
          expect([row.optimalAlpha, row.optimalRatio]).toEqual([optimal.alpha, optimal.ratio]);
          expect(row.certified).toBe(c.certified);
          // Band edges (closed form on mu, L) agree with the sign of alpha at the cell's ratio.
          if (row.bandMinus !== null && row.bandPlus !== null)
            expect(ratio > row.bandMinus && ratio < row.bandPlus).toBe(row.certified);
          else expect(row.certified).toBe(false);
        }
      }
    }
    // tau = 0.5 is not certified on box:0.1 (sgn certify agrees); tau = 2 is.
    expect(rows.filter((x) => x.params.tau === 2).some((x) => x.certified)).toBe(true);
  });
});

describe('step-size phase on nonlinear families', () => {
  it('tanh: euler at c x h_certified from the invariant M-ball; deterministic; no exact threshold', async () => {
    const r = resolveSpec(
      {
        kind: 'both',
        game: { file: 'tanh-2p.json' },
        region: { kind: 'box', radius: { values: [0.5, 2] }, sampler: 'grid:4' },
        stepsize: { integrators: ['euler', 'rk4'], multipliers: [0.5, 1, 50], steps: 2000, seeds: 4 },
      },
      opts,
    );
    const rows = await stepsizeRange(r, 0, 2);
    expect(rows).toHaveLength(2 * 2 * 3);
    const cells = await certifyRange(r, 0, 2);
    const small = rows.filter((x) => x.cellIndex === 0);
    for (const x of small) {
      expect(x.exactThreshold).toBeNull();
      expect(x.stableExact).toBeNull();
      expect(x.certifiedStep).toBeGreaterThan(0);
      expect(x.step).toBe(x.multiplier * (x.certifiedStep ?? Number.NaN));
    }
    const euler = small.filter((x) => x.integrator === 'euler');
    // The certified step at the optimal weights is the cell's Euler step (beta warm-started: 1e-9).
    close(euler[0].certifiedStep, cells[0].eulerStep as number, 1e-9);
    // Inside the certified step every start converges, at no worse than the certified factor.
    for (const x of euler.filter((e) => e.multiplier <= 1)) {
      expect(x.convergedFraction).toBe(1);
      expect(x.empiricalFactor as number).toBeLessThanOrEqual((x.predictedFactor as number) + 1e-9);
    }
    // Radius 2 is not certified: no certified step, no runs.
    const big = rows.filter((x) => x.cellIndex === 1);
    expect(cells[1].certified).toBe(false);
    expect(big.every((x) => x.step === 0 && x.convergedFraction === 0 && x.empiricalFactor === null)).toBe(
      true,
    );
    // Seeded: a second run is identical.
    expect(await stepsizeRange(r, 0, 2)).toEqual(rows);
  });

  it('markov: npg at eta_max multiples converges; epg runs at the same steps', async () => {
    const r = resolveSpec(
      {
        kind: 'stepsize',
        game: { file: 'markov-coordination.json' },
        stepsize: {
          integrators: ['npg', 'epg'],
          multipliers: [0.5, 1],
          steps: 3000,
          seeds: 3,
          tolerance: 1e-8,
        },
      },
      opts,
    );
    const rows = await stepsizeRange(r, 0, 1);
    expect(rows).toHaveLength(4);
    const [npgHalf, npgOne, epgHalf] = rows;
    expect(npgHalf.integrator).toBe('npg');
    expect(npgHalf.convergedFraction).toBe(1);
    expect(npgOne.convergedFraction).toBe(1);
    expect(epgHalf.certifiedStep).toBe(npgHalf.certifiedStep);
    // eta_max of the Fisher certificate on box:0.1 (vertices), as sgn certify computes it.
    const game = buildMarkovGame(markovSpecOf());
    const xStar = markovEquilibrium(game).x;
    expect(npgHalf.certifiedStep).toBe(markovCertificate(game, logitCubePoints(game, xStar, 0.1)).etaMax);
    expect(await stepsizeRange(r, 0, 1)).toEqual(rows);
  });
});

describe("paper-random: certifyRange on examples/paper/random-suite.yaml gives the paper's suite", () => {
  // sgn/games/testdata/paper-random.json: run_random_suite of the paper's LQ_GAMES/random_suite.py
  // (scripts/reference/paper_random_games.py) for its first seeds at its seven lambdas.
  interface Row {
    seed: number;
    lam: number;
    gamma_euc: number;
    alpha_sgn: number;
    alpha_true: number;
    beta: number;
    rk4_step: number;
  }
  const paper = loadStored<{ certificates: { rows: Row[] } }>('sgn/games/testdata/paper-random.json')
    .certificates.rows;

  it('the first 2 seeds x 7 lambdas (14 cells), to 1e-9 relative', async () => {
    const r = resolveSpecFile(new URL('../examples/paper/random-suite.yaml', import.meta.url).pathname);
    const rows = await certifyRange(r, 0, 14);
    expect(rows).toHaveLength(14);
    expect(new Set(rows.map((x) => x.params.seed))).toEqual(new Set([12345, 13345]));
    expect(rows.every((x) => x.error === null)).toBe(true);
    for (const row of rows) {
      const p = paper.find(
        (x) => x.seed === row.params.seed && Math.abs(x.lam - Number(row.params.lambda)) < 1e-12,
      );
      if (!p) throw new Error(`no reference row for ${JSON.stringify(row.params)}`);
      close(row.gammaEuclidean, p.gamma_euc, 1e-9);
      close(row.alpha, p.alpha_sgn, 1e-9);
      close(row.alphaTrue, p.alpha_true, 1e-9);
      close(row.beta, p.beta, 1e-9);
      close(row.rk4Step, p.rk4_step, 1e-9);
    }
  });
});
