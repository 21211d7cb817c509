import { describe, expect, it } from 'vitest';
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition, inverse } from 'ml-matrix';
import { markovModel, paperTables } from './model.js';
import { markovGame, type MarkovGame } from './markov-game.js';
import { evaluatePolicies } from './evaluation.js';
import { markovEquilibrium } from './equilibrium.js';
import {
  FISHER_EIGENVALUE_FLOOR,
  LEGACY_BLOCK_REGULARISATION,
  fisherInverseSqrt,
  markovCertificate,
} from './fisher.js';
import { logitCubePoints } from './region.js';
import { randomLogits, randomModel } from './test-games.js';

/** Symmetric matrix function via ml-matrix's EVD: V f(D) V^T. */
function symmetricFunction(m: Matrix, f: (v: number) => number): Matrix {
  const e = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const V = e.eigenvectorMatrix;
  const D = Matrix.diag(e.realEigenvalues.map(f));
  return V.mmul(D).mmul(V.transpose());
}

/** Player i's Fisher blockdiag_{i,s}(diag(p) - p p^T) + eps I (S A x S A). */
function playerFisher(game: MarkovGame, x: Float64Array, i: 0 | 1, eps: number): Matrix {
  const { states: S, actions: A } = game.model;
  const p = evaluatePolicies(game.model, x).p[i];
  const G = Matrix.zeros(S * A, S * A);
  for (let s = 0; s < S; s++)
    for (let a = 0; a < A; a++)
      for (let b = 0; b < A; b++)
        G.set(s * A + a, s * A + b, (a === b ? p[s * A + a] + eps : 0) - p[s * A + a] * p[s * A + b]);
  return G;
}

function blockDiag(a: Matrix, b: Matrix): Matrix {
  const m = Matrix.zeros(a.rows + b.rows, a.columns + b.columns);
  m.setSubMatrix(a, 0, 0);
  m.setSubMatrix(b, a.rows, a.columns);
  return m;
}

/**
 * The dense reference at one point, the way the paper's code computes it: Fisher blocks (+ eps I)
 * with eigenvalues floored at 1e-6 in their square roots and rebuilt from them for beta, mu_i the
 * smallest eigenvalue above 1e-6 in magnitude.
 */
function denseReference(game: MarkovGame, x: Float64Array, w: readonly number[], eps: number) {
  const n = game.blocks.dims[0];
  const J = new Matrix(
    Array.from({ length: 2 * n }, (_, r) => Array.from(game.J(x).data.subarray(r * 2 * n, (r + 1) * 2 * n))),
  );
  const floor = (v: number): number => Math.max(v, FISHER_EIGENVALUE_FLOOR);
  const G1 = symmetricFunction(playerFisher(game, x, 0, eps), floor);
  const G2 = symmetricFunction(playerFisher(game, x, 1, eps), floor);
  const R1 = symmetricFunction(G1, (v) => 1 / Math.sqrt(floor(v)));
  const R2 = symmetricFunction(G2, (v) => 1 / Math.sqrt(floor(v)));
  const H = (r: number, c: number): Matrix => J.subMatrix(r * n, r * n + n - 1, c * n, c * n + n - 1);
  const own = (R: Matrix, h: Matrix): number => {
    const m = R.mmul(h).mmul(R);
    const sym = m.add(m.transpose()).div(2);
    const ev = new EigenvalueDecomposition(sym, { assumeSymmetric: true }).realEigenvalues;
    return Math.min(...ev.filter((v) => Math.abs(v) > 1e-6));
  };
  const norm2 = (m: Matrix): number => new SingularValueDecomposition(m).norm2;
  const G = blockDiag(G1, G2);
  const M = blockDiag(G1.clone().mul(w[0]), G2.clone().mul(w[1]));
  const Mh = symmetricFunction(M, Math.sqrt);
  const Mih = symmetricFunction(M, (v) => 1 / Math.sqrt(v));
  const natural = inverse(G).mmul(J);
  return {
    mu: [own(R1, H(0, 0)), own(R2, H(1, 1))],
    L12: norm2(R1.mmul(H(0, 1)).mmul(R2)),
    L21: norm2(R2.mmul(H(1, 0)).mmul(R1)),
    beta: norm2(Mh.mmul(natural).mmul(Mih)),
  };
}

function aggregate(game: MarkovGame, points: Float64Array[], w: readonly number[], eps: number) {
  const refs = points.map((x) => denseReference(game, x, w, eps));
  return {
    mu: [Math.min(...refs.map((r) => r.mu[0])), Math.min(...refs.map((r) => r.mu[1]))],
    L12: Math.max(...refs.map((r) => r.L12)),
    L21: Math.max(...refs.map((r) => r.L21)),
    beta: Math.max(...refs.map((r) => r.beta)),
  };
}

describe('markov Fisher certificate', () => {
  const probabilities = [
    [0.5, 0.5],
    [0.2, 0.3, 0.5],
    [0.97, 0.01, 0.01, 0.01],
  ];
  const inverseSqrt = (p: number[], eps?: number): Matrix =>
    new Matrix(
      Array.from({ length: p.length }, (_, r) =>
        Array.from(fisherInverseSqrt(p, eps).subarray(r * p.length, (r + 1) * p.length)),
      ),
    );
  const fisher = (p: number[], eps: number): Matrix =>
    new Matrix(p.map((pa, a) => p.map((pb, b) => (a === b ? pa + eps : 0) - pa * pb)));

  it('fisherInverseSqrt(p, eps > 0) squares to the inverse of the regularised Fisher block', () => {
    for (const p of probabilities) {
      const R = inverseSqrt(p, LEGACY_BLOCK_REGULARISATION);
      const I = R.mmul(R).mmul(fisher(p, LEGACY_BLOCK_REGULARISATION));
      for (let a = 0; a < p.length; a++)
        for (let b = 0; b < p.length; b++) expect(I.get(a, b)).toBeCloseTo(a === b ? 1 : 0, 10);
    }
  });

  it('fisherInverseSqrt(p) (the default, eps = 0): the inverse on the complement of 1, 1e3 on 1', () => {
    for (const p of probabilities) {
      const A = p.length;
      const R = inverseSqrt(p);
      // R^2 G is the projector I - 1 1^T / A onto the complement of the null direction 1.
      const P = R.mmul(R).mmul(fisher(p, 0));
      for (let a = 0; a < A; a++)
        for (let b = 0; b < A; b++) expect(P.get(a, b)).toBeCloseTo((a === b ? 1 : 0) - 1 / A, 9);
      // The null direction's eigenvalue 0 is floored at 1e-6: R 1 = 1e3 1.
      const one = R.mmul(Matrix.ones(A, 1));
      for (let a = 0; a < A; a++) expect(one.get(a, 0) / 1e3).toBeCloseTo(1, 6);
    }
  });

  it("the paper game on the logit cube of radius 0.1: bounds match a dense ml-matrix computation (the paper's unregularised blocks)", () => {
    const game = markovGame(markovModel(paperTables()));
    const points = logitCubePoints(game, markovEquilibrium(game).x, 0.1);
    const c = markovCertificate(game, points);
    expect(c.blockRegularisation).toBe(0);
    const ref = aggregate(game, points, c.weights, 0);
    expect(c.samples).toBe(256);
    c.mu.forEach((m, i) => expect(m).toBeCloseTo(ref.mu[i], 9));
    expect(c.L[0][1]).toBeCloseTo(ref.L12, 9);
    expect(c.L[1][0]).toBeCloseTo(ref.L21, 9);
    expect(c.beta).toBeCloseTo(ref.beta, 9);
    // alpha = tau(K) for two players, and eta_max = 2 alpha / beta^2.
    const tau =
      (ref.mu[0] + ref.mu[1]) / 2 - Math.sqrt(((ref.mu[0] - ref.mu[1]) / 2) ** 2 + ref.L12 * ref.L21);
    expect(c.alpha).toBeCloseTo(tau, 9);
    expect(c.etaMax).toBeCloseTo((2 * c.alpha) / c.beta ** 2, 12);
    expect(c.certified).toBe(true);
  });

  it('a random 3-action general-sum game at its equilibrium, with given weights', () => {
    const game = markovGame(randomModel(3, 3, 31));
    const eq = markovEquilibrium(game).x;
    const points = [
      eq,
      ...Array.from({ length: 12 }, (_, k) => {
        const off = randomLogits(eq.length, 100 + k, 0.2);
        return eq.map((v, a) => v + off[a]);
      }),
    ];
    const w = [1, 2.5];
    for (const eps of [0, LEGACY_BLOCK_REGULARISATION]) {
      const c = markovCertificate(game, points, { weights: w, regulariser: eps });
      const ref = aggregate(game, points, w, eps);
      c.mu.forEach((m, i) => expect(m).toBeCloseTo(ref.mu[i], 9));
      expect(c.L[0][1]).toBeCloseTo(ref.L12, 9);
      expect(c.L[1][0]).toBeCloseTo(ref.L21, 9);
      expect(c.beta).toBeCloseTo(ref.beta, 9);
      expect(c.ratio).toBe(2.5);
    }
  });

  it('the per-block regularisation option: through the game (model.fisherRegularisation) as through opts', () => {
    const plain = markovGame(markovModel(paperTables()));
    const regularised = markovGame(
      markovModel({ ...paperTables(), fisherRegularisation: LEGACY_BLOCK_REGULARISATION }),
    );
    const points = logitCubePoints(plain, markovEquilibrium(plain).x, 0.1);
    const a = markovCertificate(regularised, points);
    const b = markovCertificate(plain, points, { regulariser: LEGACY_BLOCK_REGULARISATION });
    const c = markovCertificate(plain, points);
    expect(a).toEqual(b);
    expect(a.blockRegularisation).toBe(LEGACY_BLOCK_REGULARISATION);
    // The regularised blocks are larger: every normalised bound shrinks, by about 0.2% here.
    expect(a.mu[0]).toBeLessThan(c.mu[0]);
    expect(a.L[0][1]).toBeLessThan(c.L[0][1]);
    expect(a.beta).toBeLessThan(c.beta);
    expect(c.mu[0] / a.mu[0] - 1).toBeGreaterThan(1e-3);
    expect(c.mu[0] / a.mu[0] - 1).toBeLessThan(3e-3);
    // The Euclidean certificate does not depend on it.
    const ea = markovCertificate(regularised, points, { geometry: 'euclidean' });
    const ec = markovCertificate(plain, points, { geometry: 'euclidean' });
    expect(ea.mu).toEqual(ec.mu);
    expect(ea.beta).toBe(ec.beta);
  });

  it('the unnormalised return (plain discounted sum) of the paper game has 10x the coupling and no certificate', () => {
    const normal = markovGame(markovModel(paperTables()));
    const plain = markovGame(markovModel({ ...paperTables(), normalisedReturn: false }));
    const pts = logitCubePoints(normal, new Float64Array(8), 0.1);
    const a = markovCertificate(normal, pts);
    const b = markovCertificate(plain, pts);
    // The return's Hessian scales by 1 / (1 - gamma) = 10; the cross blocks come from it alone.
    expect(b.L[0][1]).toBeCloseTo(10 * a.L[0][1], 9);
    expect(b.certified).toBe(false);
    expect(b.etaMax).toBe(0);
  });
});

describe('markov logit cube', () => {
  it('has the 2^d vertices at +-radius around the centre', () => {
    const game = markovGame(markovModel(paperTables()));
    const centre = randomLogits(8, 3);
    const pts = logitCubePoints(game, centre, 0.1);
    expect(pts).toHaveLength(256);
    const seen = new Set(pts.map((p) => p.map((v, k) => Math.sign(v - centre[k])).join(',')));
    expect(seen.size).toBe(256);
    for (const p of pts)
      p.forEach((v, k) => expect(Math.abs(Math.abs(v - centre[k]) - 0.1)).toBeLessThan(1e-12));
  });
});
