/**
 * The bounded criterion on the paper's Markov 2-cycle: markov/experiment.py counts a run as
 * converged when its gradient norm falls below 1e-6 or its final distance ||theta - theta*||_2 is
 * below 1 (500 steps, starts N(0, 0.01^2) around the origin). Its step sweep, logspace(-1, 1, 20)
 * x eta_max, has 4.83 x at index 16: there NPG, and EPG at 10 x, stay bounded without converging
 * (EPG in a 2-cycle, NPG stalled): converged for the paper (bounded), not under the residual criterion.
 */
import { describe, expect, it } from 'vitest';
import { markovModel, paperTables } from '../games/markov/model.js';
import { markovGame } from '../games/markov/markov-game.js';
import { markovEquilibrium } from '../games/markov/equilibrium.js';
import { markovCertificate } from '../games/markov/fisher.js';
import { logitCubePoints } from '../games/markov/region.js';
import { markovSimulation } from './simulation.js';
import { runStudy } from './trajectories.js';
import { drawStarts } from './start-distribution.js';

describe('the bounded criterion on the Markov 2-cycle', () => {
  const game = markovGame(markovModel(paperTables()));
  const xStar = markovEquilibrium(game).x;
  const points = logitCubePoints(game, xStar, 0.1);
  const certs = {
    fisher: markovCertificate(game, points),
    euclidean: markovCertificate(game, points, { geometry: 'euclidean' }),
  };
  const paperMultiplier = 10 ** (-1 + (2 * 16) / 19); // logspace(-1, 1, 20)[16]
  const starts = drawStarts(
    { distribution: 'gaussian', scale: 0.01 },
    new Float64Array(xStar.length),
    game.blocks,
    certs.fisher.weights,
    8,
    42,
  );

  it.each([
    ['npg', paperMultiplier],
    ['epg', 10],
  ] as const)('%s at %f x eta_max: bounded, converged only under the bounded criterion', (integrator, c) => {
    expect(paperMultiplier).toBeCloseTo(4.83, 2);
    const sim = markovSimulation(game, certs, xStar, integrator);
    const run = (criterion: 'residual' | 'bounded') =>
      runStudy(sim.dynamics, sim.certificate, xStar, starts, {
        multiplier: c,
        steps: 500,
        tol: 1e-6,
        criterion: criterion === 'bounded' ? { criterion, tol: 1e-6, bound: 1 } : { criterion, tol: 1e-6 },
        tracePoints: 501,
      });
    const strict = run('residual');
    const bounded = run('bounded');
    expect(strict.convergedFraction).toBe(0);
    expect(strict.divergedFraction).toBe(0);
    expect(bounded.convergedFraction).toBe(1);
    for (const t of bounded.traces!) {
      // Every step kept (501 points for 500 steps).
      expect(t.k.length).toBe(501);
      const d = t.distance as number[];
      const n = d.length - 1;
      expect(d[n]).toBeLessThan(1);
      expect(d[n]).toBeGreaterThan(1e-2);
      expect(Math.abs(d[n] - d[n - 2])).toBeLessThan(1e-3 * d[n]);
      // Stationary in distance: not contracting.
      // The residual stays away from 0: no convergence in the strict sense.
      expect(t.residual[n]!).toBeGreaterThan(1e-3);
    }
  });
});
