/**
 * The conservatism curve against the paper's own numbers: its 132 noise trials
 * (sgn/games/testdata/paper-noise.json, from scripts/reference/paper_noise.py) pooled over the
 * trial give its plotted mean alpha_true / mean alpha_sgn at every eps (1e-12 relative); groups
 * whose mean alpha is not positive are left out; the figure renders.
 */
import { describe, expect, it } from 'vitest';
import type { ResultRow } from '../sweep/queries.js';
import { loadStored } from '../test/support/python-reference.js';
import { aggregateCells } from './aggregate.js';
import { conservatismFigure, conservatismPoints } from './conservatism-figure.js';
import { renderFigure } from './figures.js';

interface NoiseStudy {
  study: {
    means: { eps_grid: number[]; ratio: number[] };
    trials: { eps: number; trial: number; alpha_true: number; alpha_sgn: number }[];
  };
}

function row(i: number, params: Record<string, number>, alpha: number, alphaTrue: number): ResultRow {
  return {
    cellIndex: i,
    cellKey: String(i),
    params,
    certified: alpha > 0,
    alpha,
    beta: 1,
    eulerStep: null,
    rk4Step: null,
    weights: [0.005, 1],
    alphaTrue,
    gammaEuclidean: -4,
    optimalAlpha: alpha,
    optimalRatio: 200,
    bandMinus: null,
    bandPlus: null,
    hStabEuler: null,
    hStabRk4: null,
    mu: [1, 1],
    L: null,
    error: null,
  };
}

describe('conservatism: mean alpha_true / mean alpha over pooled cells', () => {
  const { study } = loadStored<NoiseStudy>('sgn/games/testdata/paper-noise.json');
  const groups = aggregateCells(
    study.trials.map((t, i) => row(i, { eps: t.eps, trial: t.trial }, t.alpha_sgn, t.alpha_true)),
    ['trial'],
  );

  it("gives the paper's noise curve at every eps", () => {
    const points = conservatismPoints(groups, 'eps');
    expect(points.map((p) => p.n)).toEqual(Array(11).fill(12));
    points.forEach((p, i) => {
      expect(p.param).toBeCloseTo(study.means.eps_grid[i], 12);
      expect(Math.abs(p.ratio / study.means.ratio[i] - 1)).toBeLessThan(1e-12);
    });
  });

  it('leaves out a group whose mean alpha is not positive', () => {
    const g = aggregateCells([row(0, { x: 1, s: 0 }, 0.2, 0.3), row(1, { x: 2, s: 0 }, -0.1, 0.3)], ['s']);
    expect(conservatismPoints(g, 'x').map((p) => [p.param, p.ratio])).toEqual([[1, 0.3 / 0.2]]);
  });

  it('renders with the ideal ratio marked', async () => {
    const fig = conservatismFigure(groups, 'eps', { subject: 'noise', param: 'eps', pooled: 'over trial' });
    const r = await renderFigure(fig);
    expect(r.svg).toContain('mean α_true / mean α');
    expect(r.png.length).toBeGreaterThan(5_000);
  });
});
