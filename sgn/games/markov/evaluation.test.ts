import { describe, expect, it } from 'vitest';
import { markovModel, paperTables, type MarkovModel } from './model.js';
import { evaluatePolicies, losses, naturalResidual, pseudoGradient } from './evaluation.js';
import { markovGame, markovJacobian, naturalResidualJacobian } from './markov-game.js';
import { randomLogits, randomModel } from './test-games.js';

/** Richardson-extrapolated central difference of g along coordinate k: error O(h^4). */
function richardson(g: (x: Float64Array) => number[], x: Float64Array, k: number, h: number): number[] {
  const central = (step: number): number[] => {
    const xp = Float64Array.from(x);
    const xm = Float64Array.from(x);
    xp[k] += step;
    xm[k] -= step;
    const a = g(xp);
    const b = g(xm);
    return a.map((v, i) => (v - b[i]) / (2 * step));
  };
  const d1 = central(h);
  const d2 = central(h / 2);
  return d2.map((v, i) => (4 * v - d1[i]) / 3);
}

const cases: { name: string; model: MarkovModel; x: Float64Array }[] = [
  { name: 'paper game, near uniform', model: markovModel(paperTables()), x: randomLogits(8, 1, 0.3) },
  { name: 'paper game, far out', model: markovModel(paperTables()), x: randomLogits(8, 2, 2) },
  {
    name: 'paper game, unnormalised return',
    model: markovModel({ ...paperTables(), normalisedReturn: false }),
    x: randomLogits(8, 3, 1),
  },
  { name: 'random 3x3 general-sum', model: randomModel(3, 3, 7), x: randomLogits(18, 4, 1) },
  { name: 'random 4 states x 2 actions', model: randomModel(4, 2, 8, 0.95, 0.2), x: randomLogits(16, 5, 1) },
];

describe('markov evaluation', () => {
  it.each(cases)(
    'policy values match the truncated series sum_t gamma^t P_pi^t r_pi ($name)',
    ({ model, x }) => {
      const e = evaluatePolicies(model, x);
      const S = model.states;
      const A = model.actions;
      for (const i of [0, 1] as const) {
        // r_pi(s) directly from the tables, then the series by repeated multiplication.
        const r = new Float64Array(S);
        for (let s = 0; s < S; s++)
          for (let a = 0; a < A; a++)
            for (let b = 0; b < A; b++)
              r[s] += e.p[0][s * A + a] * e.p[1][s * A + b] * model.R[i][(s * A + a) * A + b];
        let term = Float64Array.from(r);
        const V = Float64Array.from(r);
        for (let t = 1; t < 2000; t++) {
          const next = new Float64Array(S);
          for (let s = 0; s < S; s++)
            for (let u = 0; u < S; u++) next[s] += model.gamma * e.Ppi[s * S + u] * term[u];
          term = next;
          for (let s = 0; s < S; s++) V[s] += term[s];
        }
        for (let s = 0; s < S; s++) expect(e.V[i][s]).toBeCloseTo(V[s], 10);
      }
      // Discounted visitation sums to 1 / (1 - gamma).
      expect(e.d.reduce((a, b) => a + b, 0)).toBeCloseTo(1 / (1 - model.gamma), 10);
    },
  );

  it.each(cases)('F is the gradient of the losses to 1e-8 ($name)', ({ model, x }) => {
    const F = pseudoGradient(evaluatePolicies(model, x));
    const n = x.length / 2;
    const f = (y: Float64Array): number[] => losses(evaluatePolicies(model, y));
    for (let k = 0; k < x.length; k++) {
      const fd = richardson(f, x, k, 1e-3);
      // Player 1 owns coordinates [0, n), player 2 [n, 2n).
      expect(Math.abs(F[k] - fd[k < n ? 0 : 1])).toBeLessThan(1e-8);
    }
  });

  it.each(cases)('J is the Jacobian of F to 1e-8 ($name)', ({ model, x }) => {
    const J = markovJacobian(model, x);
    const F = (y: Float64Array): number[] => Array.from(pseudoGradient(evaluatePolicies(model, y)));
    const d = x.length;
    let worst = 0;
    let worstPlain = 0;
    for (let k = 0; k < d; k++) {
      const fd = richardson(F, x, k, 1e-3);
      // The plain central difference at h = 1e-5 (what a finite-difference Hessian would use).
      const xp = Float64Array.from(x);
      const xm = Float64Array.from(x);
      xp[k] += 1e-5;
      xm[k] -= 1e-5;
      const a = F(xp);
      const b = F(xm);
      for (let r = 0; r < d; r++) {
        worst = Math.max(worst, Math.abs(J.data[r * d + k] - fd[r]));
        worstPlain = Math.max(worstPlain, Math.abs(J.data[r * d + k] - (a[r] - b[r]) / 2e-5));
      }
    }
    expect(worst).toBeLessThan(1e-8);
    expect(worstPlain).toBeLessThan(1e-8);
  });

  it.each(cases)(
    'the natural residual N solves G N = F, sums to 0 per state, and its Jacobian is exact ($name)',
    ({ model, x }) => {
      const e = evaluatePolicies(model, x);
      const F = pseudoGradient(e);
      const N = naturalResidual(e);
      const A = model.actions;
      for (let off = 0; off < x.length; off += A) {
        const i = off < x.length / 2 ? 0 : 1;
        const p = e.p[i].subarray(off % (x.length / 2), (off % (x.length / 2)) + A);
        let pn = 0;
        let sum = 0;
        for (let a = 0; a < A; a++) {
          pn += p[a] * N[off + a];
          sum += N[off + a];
        }
        // (diag(p) - p p^T) N = F, per state.
        for (let a = 0; a < A; a++) expect(p[a] * N[off + a] - p[a] * pn).toBeCloseTo(F[off + a], 12);
        expect(Math.abs(sum)).toBeLessThan(1e-12);
      }
      const JN = naturalResidualJacobian(model, x);
      const g = (y: Float64Array): number[] => Array.from(naturalResidual(evaluatePolicies(model, y)));
      const d = x.length;
      for (let k = 0; k < d; k++) {
        const fd = richardson(g, x, k, 1e-3);
        for (let r = 0; r < d; r++) expect(Math.abs(JN.data[r * d + k] - fd[r])).toBeLessThan(1e-8);
      }
    },
  );

  it('logits are defined up to a constant per state: F is invariant, J annihilates the shifts', () => {
    const model = randomModel(3, 3, 11);
    const x = randomLogits(18, 12);
    const game = markovGame(model);
    const shifted = Float64Array.from(x);
    for (let a = 0; a < 3; a++) shifted[3 + a] += 0.7; // player 1, state 1
    for (let a = 0; a < 3; a++) shifted[9 + 6 + a] -= 1.3; // player 2, state 2
    const F0 = game.F(x);
    const F1 = game.F(shifted);
    F0.forEach((v, i) => expect(F1[i]).toBeCloseTo(v, 13));
    const J = game.J(x);
    for (let block = 0; block < 6; block++) {
      for (let r = 0; r < 18; r++) {
        let s = 0;
        for (let a = 0; a < 3; a++) s += J.data[r * 18 + block * 3 + a];
        expect(Math.abs(s)).toBeLessThan(1e-12);
      }
    }
  });
});
