import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGame } from '../games/build.js';
import { parseGameSpec } from '../../formats/game-file.js';
import type { Game } from '../games/game.js';
import { findEquilibrium } from '../games/equilibrium.js';
import { certify, type Certificate } from '../certificate.js';
import { generalEigenvalues } from '../linalg/eigen.js';
import { parseRegionSection, splitGameFile } from '../../formats/region-section.js';
import { regionFields, type Region } from '../regions/region.js';
import { resolveRegion } from '../regions/resolve.js';
import { markovModel, paperTables } from '../games/markov/model.js';
import { markovGame } from '../games/markov/markov-game.js';
import { markovEquilibrium } from '../games/markov/equilibrium.js';
import { markovCertificate } from '../games/markov/fisher.js';
import { logitCubePoints, logitCube } from '../games/markov/region.js';
import { InputError } from '../util/errors.js';
import {
  invariantMetricRadius,
  uniformInBox,
  uniformInMetricBall,
  uniformInRegion,
} from './initial-points.js';
import { boxConstraint, inBox } from './projection.js';
import { gameSimulation, markovSimulation } from './simulation.js';
import { runFrom, runStudy } from './trajectories.js';
import { loadStored } from '../../test/support/python-reference.js';

interface PaperMiniToy {
  mu1: number;
  mu2: number;
  a: number;
  b: number;
  w: [number, number];
  x0: [number, number];
  h: number;
  steps: number;
  euclideanGrowth: number;
  energyDecreasing: boolean;
  symMinEigenvalue: number;
}

const root = join(import.meta.dirname, '..', '..');

function example(name: string): {
  game: Game;
  cert: Certificate;
  region: Region | null;
  xStar: Float64Array;
} {
  const file = splitGameFile(JSON.parse(readFileSync(join(root, 'examples/games', `${name}.json`), 'utf8')));
  const game = buildGame(parseGameSpec(file.game));
  const section = file.region === undefined ? null : parseRegionSection(file.region, 'region');
  const region = section ? resolveRegion(section.region, game, regionFields('region')) : null;
  const cert = certify(game, region ? { region: { region, sampler: section?.sampler } } : {});
  return { game, cert, region, xStar: findEquilibrium(game).x };
}

const RUN = { steps: 20000, tol: 1e-9 };

describe('trajectory experiments on linear games (independent reference: eigenvalues of the step matrix)', () => {
  // The paper's mini-toy: H = [[1, 10], [0.05, 1]]; sym(H) has eigenvalue 1 - 5.025 = -4.025 < 0
  // (the Euclidean test fails) while a b = 0.5 < mu1 mu2 = 1 (SGN certifies).
  const toy = example('scalar-toy');
  const eig = generalEigenvalues(toy.game.linear!.H);
  const starts = uniformInBox(toy.xStar, Float64Array.from([1, 1]), 16, 1);

  it('the tail factor is the spectral radius of I - h H (Euler) and of P(-h H) (RK4)', () => {
    for (const [integrator, c] of [
      ['euler', 0.5],
      ['euler', 1],
      ['euler', 3],
      ['rk4', 0.5],
      // Not c = 1: there |P(-h lambda)| is 0.651 and 0.648 for the two eigenvalues, too close for
      // a tail fit of a run stopped at tol 1e-9 to separate (measured 0.6501 against 0.6513).
      ['rk4', 0.75],
    ] as const) {
      const sim = gameSimulation(toy.game, toy.cert, toy.xStar, integrator);
      const s = runStudy(sim.dynamics, sim.certificate, toy.xStar, starts, { ...RUN, multiplier: c });
      const z = Array.from(eig.re, (re, k) => ({ re: -s.h * re, im: -s.h * eig.im[k] }));
      // |1 + z| (Euler) or |1 + z + z^2/2 + z^3/6 + z^4/24| (RK4), complex arithmetic by hand.
      const radius = Math.max(
        ...z.map(({ re, im }) => {
          if (integrator === 'euler') return Math.hypot(1 + re, im);
          let pr = 1;
          let pi = 0;
          let tr = 1;
          let ti = 0;
          for (let n = 1; n <= 4; n++) {
            [tr, ti] = [(tr * re - ti * im) / n, (tr * im + ti * re) / n];
            pr += tr;
            pi += ti;
          }
          return Math.hypot(pr, pi);
        }),
      );
      expect(s.convergedFraction).toBe(1);
      expect(Math.abs(s.medianFactor! - radius)).toBeLessThan(1e-4);
    }
  });

  it('the mini-toy: the Euclidean distance to x* grows while ||x - x*||_M falls at every step', () => {
    // x0 - x* along the eigenvector (1, -1) of sym(H) for -4.025: d/dt ||x - x*||^2 = 8.05 ||x - x*||^2 > 0 at the start.
    const x0 = Float64Array.from([toy.xStar[0] + 1, toy.xStar[1] - 1]);
    for (const integrator of ['euler', 'rk4'] as const) {
      const sim = gameSimulation(toy.game, toy.cert, toy.xStar, integrator);
      const h = 0.5 * sim.certificate.hCertified;
      const run = runFrom(sim.dynamics, x0, toy.xStar, h, RUN);
      expect(run.converged).toBe(true);
      expect(run.metricMonotone).toBe(true);
      expect(run.euclideanGrowth).toBeGreaterThan(1.2);
      // It grows from the first step on. Euler's, by hand: (I - h H)(1, -1) = (1 + 9h, -1 + 0.95h).
      const first = sim.dynamics.step(x0, h);
      const growth = Math.hypot(first[0] - toy.xStar[0], first[1] - toy.xStar[1]) / Math.SQRT2;
      expect(growth).toBeGreaterThan(1);
      if (integrator === 'euler')
        expect(growth).toBeCloseTo(Math.hypot(1 + 9 * h, -1 + 0.95 * h) / Math.SQRT2, 12);
    }
    const sim = gameSimulation(toy.game, toy.cert, toy.xStar, 'euler');
    const s = runStudy(sim.dynamics, sim.certificate, toy.xStar, starts, { ...RUN, multiplier: 1 });
    expect(s.metricMonotoneFraction).toBe(1);
    expect(s.euclideanGrowth.max).toBeGreaterThan(1.2);
  });

  it("the paper's Figure 1 run (quadratic_phase.py, via scripts/reference/paper_pseudospectrum.py): same game, weights, growth", () => {
    // Its Euler loop from x0 = (0.15, -0.15) with h = 0.0005 for 3000 steps: the trajectory leaves
    // the Euclidean ball (growth measured by NumPy) while w1 x1^2 + w2 x2^2 falls at every step.
    const paper = loadStored<{ miniToy: PaperMiniToy }>(
      'sgn/experiments/testdata/paper-pseudospectrum.json',
    ).miniToy;
    expect(toy.game.linear!.H.data).toEqual(Float64Array.from([paper.mu1, paper.a, paper.b, paper.mu2]));
    expect(toy.cert.weights[0]).toBe(1);
    expect(toy.cert.weights[1]).toBeCloseTo(paper.w[1], 8);
    expect(toy.cert.gammaEuclidean).toBeCloseTo(paper.symMinEigenvalue, 12);
    expect(toy.xStar.every((v) => v === 0)).toBe(true);
    const sim = gameSimulation(toy.game, toy.cert, toy.xStar, 'euler');
    const run = runFrom(sim.dynamics, Float64Array.from(paper.x0), toy.xStar, paper.h, {
      steps: paper.steps,
      tol: 0,
    });
    expect(run.steps).toBe(paper.steps);
    expect(run.metricMonotone).toBe(paper.energyDecreasing);
    // Same operations in the same order up to the association of h (F): rounding only, 1e-12 relative.
    expect(Math.abs(run.euclideanGrowth / paper.euclideanGrowth - 1)).toBeLessThan(1e-12);
  });

  it('Euler at c <= 1: every step contracts ||.||_M by at most sqrt(1 - 2 h alpha + h^2 beta^2)', () => {
    const sim = gameSimulation(toy.game, toy.cert, toy.xStar, 'euler');
    for (const c of [0.25, 0.5, 1]) {
      const s = runStudy(sim.dynamics, sim.certificate, toy.xStar, starts, { ...RUN, multiplier: c });
      expect(s.convergedFraction).toBe(1);
      expect(s.predictedFactor).not.toBeNull();
      expect(s.worstStepRatio!).toBeLessThanOrEqual(s.predictedFactor! * (1 + 1e-12));
      expect(s.worstFactor!).toBeLessThanOrEqual(s.predictedFactor!);
    }
  });

  it('RK4 with a small step follows the flow: every step contracts by at most exp(-alpha h)', () => {
    const sim = gameSimulation(toy.game, toy.cert, toy.xStar, 'rk4');
    const c = 0.01 / sim.certificate.hCertified;
    const s = runStudy(sim.dynamics, sim.certificate, toy.xStar, starts.slice(0, 4), {
      ...RUN,
      multiplier: c,
    });
    expect(s.h).toBeCloseTo(0.01, 14);
    expect(s.convergedFraction).toBe(1);
    // RK4's local error at h = 0.01 is ~ (h ||H||)^5 / 120 ~ 3e-10 relative.
    expect(s.worstStepRatio!).toBeLessThanOrEqual(s.flowFactor * (1 + 1e-8));
  });

  it('policy-gradient integrators are refused for a quadratic game, naming the field', () => {
    for (const integrator of ['npg', 'epg'] as const) {
      try {
        gameSimulation(toy.game, toy.cert, toy.xStar, integrator, { field: '--integrator' });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        expect((e as InputError).field).toBe('--integrator');
        expect((e as InputError).message).toMatch(/markov/);
      }
    }
  });
});

describe('trajectory experiments on a nonlinear (tanh) game with a sampled region certificate', () => {
  const tanh = example('tanh-2p');
  const region = tanh.region!;

  it('starts in the invariant M(w)-ball at c <= 1: all converge, no step beats the certified factor', () => {
    const rho = invariantMetricRadius(region, tanh.xStar, tanh.cert.weights);
    const starts = uniformInMetricBall(tanh.xStar, tanh.game.blocks, tanh.cert.weights, rho, 24, 2);
    const sim = gameSimulation(tanh.game, tanh.cert, tanh.xStar, 'euler');
    for (const c of [0.25, 0.5, 1]) {
      const s = runStudy(sim.dynamics, sim.certificate, tanh.xStar, starts, { ...RUN, multiplier: c });
      expect(s.convergedFraction).toBe(1);
      expect(s.metricMonotoneFraction).toBe(1);
      // The bounds are sampled (grid:5), an estimate: still, no step here comes near the bound.
      expect(s.worstStepRatio!).toBeLessThanOrEqual(s.predictedFactor!);
    }
  });

  it('far beyond the certified step the iteration diverges (c = 10)', () => {
    const sim = gameSimulation(tanh.game, tanh.cert, tanh.xStar, 'euler');
    const s = runStudy(sim.dynamics, sim.certificate, tanh.xStar, uniformInRegion(region, 8, 3), {
      ...RUN,
      multiplier: 10,
    });
    expect(s.convergedFraction).toBe(0);
    expect(s.divergedFraction).toBe(1);
    expect(s.predictedFactor).toBeNull();
  });

  it('projected Euler and RK4: iterates stay in the box, x* (inside) is still reached, steps still contract', () => {
    const box = boxConstraint(tanh.game.blocks, tanh.xStar, [0.1]);
    // Starts outside the box: the first projection pulls them in, then the certified contraction holds.
    const starts = uniformInRegion(region, 12, 4);
    for (const integrator of ['euler', 'rk4'] as const) {
      const sim = gameSimulation(tanh.game, tanh.cert, tanh.xStar, integrator, { projection: box });
      let x = starts[0];
      for (let k = 0; k < 50; k++) {
        x = sim.dynamics.step(x, sim.certificate.hCertified);
        expect(inBox(box, x)).toBe(true);
      }
      const s = runStudy(sim.dynamics, sim.certificate, tanh.xStar, starts, { ...RUN, multiplier: 1 });
      expect(s.convergedFraction).toBe(1);
      if (integrator === 'euler') {
        const inside = starts.map((p) => sim.dynamics.step(p, 0));
        const t = runStudy(sim.dynamics, sim.certificate, tanh.xStar, inside, { ...RUN, multiplier: 1 });
        expect(t.metricMonotoneFraction).toBe(1);
        expect(t.worstStepRatio!).toBeLessThanOrEqual(t.predictedFactor! * (1 + 1e-12));
      }
    }
  });
});

describe('trajectory experiments on the paper Markov game (logit cube of radius 0.1)', () => {
  const game = markovGame(markovModel(paperTables()));
  const xStar = markovEquilibrium(game).x;
  const points = logitCubePoints(game, xStar, 0.1);
  const certs = {
    fisher: markovCertificate(game, points),
    euclidean: markovCertificate(game, points, { geometry: 'euclidean' }),
  };
  const starts = uniformInRegion(logitCube(game, xStar, 0.05), 12, 5);

  it('NPG at c <= 1: all converge, the KL Lyapunov value never rises, factor within the certified one', () => {
    const sim = markovSimulation(game, certs, xStar, 'npg');
    expect(sim.certificate.hCertified).toBe(certs.fisher.etaMax);
    for (const c of [0.5, 1]) {
      const s = runStudy(sim.dynamics, sim.certificate, xStar, starts, {
        steps: 5000,
        tol: 1e-9,
        multiplier: c,
      });
      expect(s.convergedFraction).toBe(1);
      expect(s.lyapunov!.monotoneFraction).toBe(1);
      expect(s.lyapunov!.medianLast!).toBeLessThan(1e-6 * s.lyapunov!.medianFirst);
      expect(s.worstFactor!).toBeLessThanOrEqual(s.predictedFactor!);
    }
  });

  it('Euler on the logits takes the same steps as EPG; EPG runs at the NPG steps without a prediction', () => {
    const epg = markovSimulation(game, certs, xStar, 'epg');
    const euler = markovSimulation(game, certs, xStar, 'euler');
    expect(epg.certificate.hCertified).toBe(certs.fisher.etaMax);
    expect(epg.certificate.predictedFactor(epg.certificate.hCertified)).toBeNull();
    expect(euler.certificate.hCertified).toBe(certs.euclidean.etaMax);
    const h = 0.3;
    for (const x of starts.slice(0, 3)) {
      epg.dynamics.gradientNorm(x);
      euler.dynamics.gradientNorm(x);
      const a = epg.dynamics.step(x, h);
      const b = euler.dynamics.step(x, h);
      a.forEach((v, k) => expect(v).toBeCloseTo(b[k], 15));
    }
    const s = runStudy(euler.dynamics, euler.certificate, xStar, starts, {
      steps: 20000,
      tol: 1e-9,
      multiplier: 1,
    });
    expect(s.convergedFraction).toBe(1);
    expect(s.lyapunov).not.toBeNull();
  });
});
