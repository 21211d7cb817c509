// `sgn certify` on the markov family: the Fisher-geometry certificate on the logit cube around
// the equilibrium, the Euclidean one beside it, and flag errors that name the flag.
import { describe, expect, it } from 'vitest';
import { InputError } from '../sgn/util/errors.js';
import { runCertify } from './certify.js';
import { loadStored } from '../test/support/python-reference.js';

const MARKOV = 'examples/games/markov-coordination.json';

interface Geometry {
  certified: boolean;
  mu: number[];
  L: number[][];
  weights: number[];
  alpha: number;
  beta: number;
  eulerStep: number;
  rk4Step: number;
}
interface Report extends Geometry {
  etaMax: number;
  optimal: { alpha: number; weights: number[]; ratio: number };
  equilibrium: { residual: number };
  region: { kind: string; radii: number[]; sampler: string; points: number; mode: string };
  euclidean: Geometry;
}

function certifyJson(...flags: string[]): Report {
  let text = '';
  runCertify([MARKOV, '--json', ...flags], (s) => (text += s));
  return JSON.parse(text) as Report;
}

/** alpha_*(w) for two players from its definition: lambda_min of the 2 x 2 SGN matrix, in closed form. */
function sgnMargin2(mu: number[], L: number[][], w: number[]): number {
  const off = -(L[0][1] * Math.sqrt(w[0] / w[1]) + L[1][0] * Math.sqrt(w[1] / w[0])) / 2;
  return (mu[0] + mu[1]) / 2 - Math.hypot((mu[0] - mu[1]) / 2, off);
}

describe('sgn certify, markov family', () => {
  it("equals the paper's code on examples/games/markov-coordination.json (1e-6 relative)", () => {
    // sgn/games/markov/testdata/paper-markov.json: compute_local_sgn of the paper's markov/sgn_theory.py
    // (scripts/reference/paper_markov.py); its weights come from a ratio grid, so alpha and beta are
    // compared at its ratio, and the optimum is at least its alpha.
    const paper = loadStored<{
      cases: {
        tau: number;
        rewardScale: number;
        atEquilibrium: boolean;
        mu: number[];
        L: number[];
        alpha: number;
        ratio: number;
        beta: number;
        etaMax: number;
      }[];
    }>('sgn/games/markov/testdata/paper-markov.json').cases.find(
      (c) => c.tau === 1 && c.rewardScale === 1 && c.atEquilibrium,
    );
    if (!paper) throw new Error('the stored reference lacks the paper game');
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    const r = certifyJson('--weights', `1,${paper.ratio}`);
    expect((r as Report & { fisher: { blockRegularisation: number } }).fisher.blockRegularisation).toBe(0);
    for (const i of [0, 1]) expect(rel(r.mu[i], paper.mu[i])).toBeLessThan(1e-6);
    expect(rel(r.L[0][1], paper.L[0])).toBeLessThan(1e-6);
    expect(rel(r.L[1][0], paper.L[1])).toBeLessThan(1e-6);
    expect(rel(r.alpha, paper.alpha)).toBeLessThan(1e-6);
    expect(rel(r.beta, paper.beta)).toBeLessThan(1e-6);
    expect(rel(r.etaMax, paper.etaMax)).toBeLessThan(1e-6);
    expect(r.optimal.alpha).toBeGreaterThanOrEqual(paper.alpha);
  });

  it('certifies the paper game in Fisher geometry on the 256 vertices of the logit cube', () => {
    const r = certifyJson();
    expect(r.certified).toBe(true);
    expect(r.equilibrium.residual).toBeLessThan(1e-9);
    expect(r.region).toMatchObject({ kind: 'box', radii: [0.1, 0.1], sampler: 'vertices', points: 256 });
    // The optimum of the symmetric game: alpha = tau(K) = mu - L at equal weights.
    expect(r.alpha).toBeCloseTo(r.mu[0] - r.L[0][1], 12);
    expect(r.alpha).toBeCloseTo(sgnMargin2(r.mu, r.L, r.weights), 12);
    expect(r.weights[1] / r.weights[0]).toBeCloseTo(1, 9);
    expect(r.eulerStep).toBeCloseTo((2 * r.alpha) / r.beta ** 2, 14);
    expect(r.etaMax).toBe(r.eulerStep);
    expect(r.rk4Step).toBeCloseTo(2.5 / r.beta, 14);
    // Fisher geometry rescales by G^{-1/2} (G ~ diag(p) - pp^T, p ~ 1/2): larger margin than Euclidean.
    expect(r.euclidean.certified).toBe(true);
    expect(r.alpha).toBeGreaterThan(r.euclidean.alpha);
  });

  it('certifies at given weights with the margin of its definition, below the optimum', () => {
    const r = certifyJson('--weights', '1,4');
    expect(r.weights).toEqual([1, 4]);
    expect(r.alpha).toBeCloseTo(sgnMargin2(r.mu, r.L, [1, 4]), 12);
    expect(r.alpha).toBeLessThan(r.optimal.alpha);
  });

  it('loses the certificate on a larger cube', () => {
    const small = certifyJson();
    const large = certifyJson('--region', 'box:3');
    expect(large.region.radii).toEqual([3, 3]);
    expect(large.alpha).toBeLessThan(small.alpha);
  });

  it('prints a readable summary', () => {
    let text = '';
    runCertify([MARKOV], (s) => (text += s));
    expect(text).toMatch(/^CERTIFIED: natural policy gradient/);
    expect(text).toContain('eta_max');
    expect(text).toContain('Euclidean geometry (for comparison)');
  });

  it('names the flag it cannot honour', () => {
    const fails = (flags: string[], field: string) => {
      try {
        runCertify([MARKOV, ...flags], () => undefined);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        expect((e as InputError).field).toBe(field);
        return;
      }
      throw new Error(`expected an error naming ${field}`);
    };
    fails(['--step-weights'], '--step-weights');
    fails(['--rigorous'], '--rigorous');
    fails(['--weights', '1,2,3'], '--weights');
    fails(['--region', 'box:1,2,3'], '--region');
  });
});
