import { describe, expect, it } from 'vitest';
import { generalEigenvalues } from '../../linalg/eigen.js';
import { eulerThreshold } from '../../stability.js';
import { markovModel, paperTables } from './model.js';
import { markovGame } from './markov-game.js';
import { evaluatePolicies, pseudoGradient } from './evaluation.js';
import { markovEquilibrium } from './equilibrium.js';
import { Matrix, pseudoInverse } from 'ml-matrix';
import { LEGACY_BLOCK_REGULARISATION, markovCertificate, reducedJacobian } from './fisher.js';
import { logitCubePoints } from './region.js';
import {
  fisherSolve,
  policyGradientDirection,
  runPolicyGradient,
  stepStudy,
  tailFactor,
} from './policy-gradient.js';
import { luFactor, luSolve } from './small-solve.js';
import { randomLogits, randomModel, randomTables } from './test-games.js';

describe('markov policy gradient', () => {
  it('the natural direction is G^+ F per player and state by default (dense pseudo-inverse reference)', () => {
    const model = randomModel(3, 4, 41);
    const x = randomLogits(24, 42, 1.5);
    const e = evaluatePolicies(model, x);
    const F = pseudoGradient(e);
    const { direction } = policyGradientDirection(model, 'npg', x);
    const A = 4;
    for (let off = 0; off < 24; off += A) {
      const i = off < 12 ? 0 : 1;
      const p = e.p[i].subarray(off % 12, (off % 12) + A);
      const G = new Matrix(
        Array.from({ length: A }, (_, a) =>
          Array.from({ length: A }, (_, b) => (a === b ? p[a] : 0) - p[a] * p[b]),
        ),
      );
      const z = pseudoInverse(G).mmul(Matrix.columnVector(Array.from(F.subarray(off, off + A))));
      for (let a = 0; a < A; a++) expect(direction[off + a]).toBeCloseTo(z.get(a, 0), 10);
    }
    expect(fisherSolve(e.p[0], F.subarray(0, 12), A)).toEqual(direction.subarray(0, 12));
    expect(policyGradientDirection(model, 'epg', x).direction).toEqual(F);
  });

  it('with blockRegularisation eps it solves (G + eps I) z = F (dense LU reference)', () => {
    const eps = LEGACY_BLOCK_REGULARISATION;
    const model = markovModel({ ...randomTables(3, 4, 41), fisherRegularisation: eps });
    const x = randomLogits(24, 42, 1.5);
    const e = evaluatePolicies(model, x);
    const F = pseudoGradient(e);
    const { direction } = policyGradientDirection(model, 'npg', x);
    const A = 4;
    for (let off = 0; off < 24; off += A) {
      const i = off < 12 ? 0 : 1;
      const p = e.p[i].subarray(off % 12, (off % 12) + A);
      const G = new Float64Array(A * A);
      for (let a = 0; a < A; a++)
        for (let b = 0; b < A; b++) G[a * A + b] = (a === b ? p[a] + eps : 0) - p[a] * p[b];
      const z = luSolve(luFactor(G, A), F.subarray(off, off + A));
      for (let a = 0; a < A; a++) expect(direction[off + a]).toBeCloseTo(z[a], 10);
    }
    expect(fisherSolve(e.p[0], F.subarray(0, 12), A, eps)).toEqual(direction.subarray(0, 12));
  });

  it('tailFactor recovers the rate of a geometric sequence', () => {
    expect(tailFactor(Array.from({ length: 50 }, (_, k) => 3 * 0.8 ** k))).toBeCloseTo(0.8, 12);
    expect(tailFactor([1, 0.5])).toBeNull();
  });

  it('a trajectory at the certified step converges, with the Lyapunov value falling to ~0', () => {
    const game = markovGame(markovModel(paperTables()));
    const xStar = markovEquilibrium(game).x;
    const cert = markovCertificate(game, logitCubePoints(game, xStar, 0.1));
    const x0 = xStar.map((v, k) => v + 0.05 * Math.sin(3 * k + 1));
    const run = runPolicyGradient(
      game,
      'npg',
      x0,
      0.5 * cert.etaMax,
      { xStar, weights: cert.weights },
      { steps: 2000, tol: 1e-10 },
    );
    expect(run.converged).toBe(true);
    expect(run.lyapunov[run.lyapunov.length - 1]).toBeLessThan(1e-12 * run.lyapunov[0] + 1e-18);
    expect(run.distance[run.distance.length - 1]).toBeLessThan(1e-6 * run.distance[0]);
  });

  it('the paper game: certificate, and NPG / EPG at 0.5, 1, 2, 5 x eta_max (logged)', () => {
    const game = markovGame(markovModel(paperTables()));
    const eq = markovEquilibrium(game);
    const points = logitCubePoints(game, eq.x, 0.1);
    const cert = markovCertificate(game, points);
    const euclidean = markovCertificate(game, points, { geometry: 'euclidean' });
    const rows = stepStudy(game, cert, eq.x, {
      multipliers: [0.5, 1, 2, 5],
      count: 20,
      spread: 0.05,
      seed: 42,
      steps: 5000,
      tol: 1e-8,
    });
    console.log(
      [
        `markov (paper game): ||F(x*)|| = ${eq.residual.toExponential(2)}, cube radius 0.1, ${cert.samples} vertices`,
        `  Fisher:    mu = [${cert.mu.map((v) => v.toPrecision(6)).join(', ')}], L12 = ${cert.L[0][1].toPrecision(6)}, L21 = ${cert.L[1][0].toPrecision(6)}, alpha = ${cert.alpha.toPrecision(6)}, r* = ${cert.ratio.toPrecision(6)}, beta = ${cert.beta.toPrecision(6)}, eta_max = ${cert.etaMax.toPrecision(6)}`,
        `  Euclidean: mu = [${euclidean.mu.map((v) => v.toPrecision(6)).join(', ')}], L12 = ${euclidean.L[0][1].toPrecision(6)}, alpha = ${euclidean.alpha.toPrecision(6)}, beta = ${euclidean.beta.toPrecision(6)}, eta_max = ${euclidean.etaMax.toPrecision(6)}`,
        '  method  c    h        converged  certified factor  median factor  Lyapunov monotone  median steps',
        ...rows.map(
          (r) =>
            `  ${r.method.padEnd(6)}  ${String(r.multiplier).padEnd(3)}  ${r.h.toFixed(4)}   ${r.convergedFraction.toFixed(2).padEnd(9)}  ${(r.certifiedFactor?.toFixed(4) ?? '-').padEnd(17)} ${(r.medianFactor?.toFixed(4) ?? '-').padEnd(13)}  ${r.lyapunovMonotoneFraction.toFixed(2).padEnd(17)}  ${r.medianSteps ?? '-'}`,
        ),
      ].join('\n'),
    );
    expect(cert.certified).toBe(true);
    // Symmetric players: the optimal weights are equal.
    expect(cert.ratio).toBeCloseTo(1, 12);
    // The exact local thresholds of both iterations, from the linearisations at x* (on the complement
    // of the softmax null space): NPG's is G^{-1} J ~ Jred (Fisher), EPG's is Q^T J Q.
    const threshold = {
      npg: eulerThreshold(generalEigenvalues(reducedJacobian(game, eq.x, 'fisher'))) / cert.etaMax,
      epg: eulerThreshold(generalEigenvalues(reducedJacobian(game, eq.x, 'euclidean'))) / cert.etaMax,
    };
    console.log(
      `  local Euler thresholds in units of eta_max: NPG ${threshold.npg.toFixed(3)}, EPG ${threshold.epg.toFixed(3)}`,
    );
    // The certificate is sound: NPG converges at and below eta_max, at least as fast as certified.
    expect(threshold.npg).toBeGreaterThan(1);
    for (const r of rows) {
      if (r.method === 'npg' && r.multiplier <= 1) {
        expect(r.convergedFraction).toBe(1);
        expect(r.lyapunovMonotoneFraction).toBe(1);
        expect(r.medianFactor as number).toBeLessThanOrEqual(r.certifiedFactor as number);
      }
      // Small starting spread: the local linear threshold decides.
      const t = threshold[r.method];
      if (r.multiplier < 0.9 * t) expect(r.convergedFraction).toBe(1);
      if (r.multiplier > 1.02 * t) expect(r.convergedFraction).toBe(0);
    }
  });
});
