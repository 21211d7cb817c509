/** Pooling over an axis: groups, rates and statistics against a direct computation. */
import { describe, expect, it } from 'vitest';
import type { ResultRow } from '../sweep/queries.js';
import type { SweepAxis } from '../sweep/resolved.js';
import {
  aggregateBand,
  aggregateCells,
  aggregateEdges,
  aggregateSteps,
  cellGroupCells,
  cellGroupHeader,
} from './aggregate.js';
import type { BandCell, BandEdge, StepsizePoint } from './data.js';
import { chooseView } from './view.js';

function row(i: number, params: Record<string, number>, over: Partial<ResultRow>): ResultRow {
  return {
    cellIndex: i,
    cellKey: `k${i}`,
    params,
    certified: false,
    alpha: null,
    beta: null,
    eulerStep: null,
    rk4Step: null,
    weights: [],
    alphaTrue: null,
    gammaEuclidean: null,
    optimalAlpha: null,
    optimalRatio: null,
    bandMinus: null,
    bandPlus: null,
    hStabEuler: null,
    hStabRk4: null,
    mu: [],
    L: null,
    error: null,
    ...over,
  };
}

/** The type-7 quantile written out once more, for the comparison. */
function q(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo] + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]) - s[lo]);
}

describe('aggregateCells', () => {
  // 6 seeds x 2 lambdas; seed 6 at lambda 1 failed.
  const cells: ResultRow[] = [];
  for (const lambda of [0, 1])
    for (let seed = 1; seed <= 6; seed++) {
      const i = cells.length;
      if (lambda === 1 && seed === 6) {
        cells.push(row(i, { seed, lambda }, { error: 'boom' }));
        continue;
      }
      const alpha = 1 - lambda * seed * 0.3;
      const alphaTrue = 1 - lambda * 0.1 * seed;
      cells.push(
        row(
          i,
          { seed, lambda },
          {
            alpha,
            alphaTrue,
            certified: alpha > 0,
            gammaEuclidean: 1 - lambda * seed,
            rk4Step: alpha > 0 ? 0.5 / seed : 0,
            hStabRk4: 1 / seed,
          },
        ),
      );
    }

  it('one group per lambda, rates and quartiles as computed directly', () => {
    const groups = aggregateCells(cells, ['seed']);
    expect(groups.map((g) => g.params)).toEqual([{ lambda: 0 }, { lambda: 1 }]);
    const [g0, g1] = groups;
    expect([g0.cells, g0.failed, g1.cells, g1.failed]).toEqual([6, 0, 6, 1]);
    expect(g0.certifiedRate).toBe(1);
    const ok = cells.filter((c) => c.params.lambda === 1 && c.error === null);
    expect(g1.certifiedRate).toBe(ok.filter((c) => c.alpha! > 0).length / 5);
    expect(g1.euclideanRate).toBe(0);
    expect(g1.trueRate).toBe(1);
    const alphas = ok.map((c) => c.alpha!);
    for (const [k, p] of [
      ['q1', 0.25],
      ['median', 0.5],
      ['q3', 0.75],
    ] as const)
      expect(g1.stats.alpha![k]).toBeCloseTo(q(alphas, p), 14);
    const ratios = ok.map((c) => c.alpha! / c.alphaTrue!);
    expect(g1.stats.marginRatio!.median).toBeCloseTo(q(ratios, 0.5), 14);
    // Step ratios of the certified cells only: log10(0.5).
    expect(g1.values.log10StepRatioRk4).toHaveLength(ok.filter((c) => c.alpha! > 0).length);
    expect(g1.stats.log10StepRatioRk4!.median).toBeCloseTo(Math.log10(0.5), 14);
    // The CSV row lines up with its header.
    const header = cellGroupHeader(['lambda']);
    const line = cellGroupCells(g1, ['lambda']);
    expect(line).toHaveLength(header.length);
    expect(line[header.indexOf('alpha_median')]).toBe(g1.stats.alpha!.median);
    expect(line[header.indexOf('certifiedRate')]).toBe(g1.certifiedRate);
  });

  it('pools over several axes, or none (a group per cell)', () => {
    expect(aggregateCells(cells, ['seed', 'lambda'])).toHaveLength(1);
    expect(aggregateCells(cells, [])).toHaveLength(12);
  });

  it("keeps the groups' parameters in the sweep's axis order, whatever order a row's come in", () => {
    // As jsonb returns them: shorter keys first.
    const rows = [
      row(0, { seed: 1, ratio: 2, lambda: 0.5 }, {}),
      row(1, { seed: 2, ratio: 2, lambda: 0.5 }, {}),
    ];
    const [g] = aggregateCells(rows, ['seed'], undefined, ['lambda', 'seed', 'ratio']);
    expect(Object.keys(g.params)).toEqual(['lambda', 'ratio']);
    expect(Object.keys(aggregateCells(rows, ['seed'])[0].params)).toEqual(['ratio', 'lambda']);
  });
});

describe('aggregateBand, aggregateEdges, aggregateSteps', () => {
  const axes: SweepAxis[] = [
    { name: 'seed', target: 'game', field: 'f', axis: { values: [1, 2, 3] }, length: 3 },
    { name: 'lambda', target: 'game', field: 'f', axis: { values: [0.5] }, length: 1 },
    { name: 'ratio', target: 'weights', field: 'f', axis: { values: [1, 10] }, length: 2 },
  ];
  const view = chooseView(axes, { aggregate: ['seed'] }, 's');
  const at = (seed: number) => ({ seed, lambda: 0.5 });
  const band: BandCell[] = [1, 2, 3].flatMap((seed) => [
    { slice: '', at: at(seed), param: 0.5, ratio: 1, alpha: seed === 2 ? null : -seed, certified: false },
    { slice: '', at: at(seed), param: 0.5, ratio: 10, alpha: 0.1 * seed, certified: true },
  ]);

  it('band cells: the median alpha_* per ratio (failed cells left out)', () => {
    const b = aggregateBand(band, view);
    expect(b.map((c) => [c.ratio, c.alpha, c.certified, c.at, c.games, c.certifiedRate])).toEqual([
      [1, -2, false, { lambda: 0.5 }, 3, 0],
      [10, 0.2, true, { lambda: 0.5 }, 3, 1],
    ]);
  });

  it('edges: medians of the finite edges, the mean certified fraction', () => {
    const edges: BandEdge[] = [1, 2, 3].map((seed) => ({
      slice: '',
      at: at(seed),
      param: 0.5,
      rMinus: seed,
      rPlus: seed === 3 ? null : 10 * seed,
      optimalRatio: 2,
      alphaMax: 0.1 * seed,
      certifiedFraction: seed / 4,
    }));
    const [e] = aggregateEdges(edges, view);
    expect([e.rMinus, e.rPlus, e.optimalRatio, e.certifiedFraction]).toEqual([2, 15, 2, 0.5]);
    expect(e.alphaMax).toBeCloseTo(0.2, 15);
  });

  it('steps: per integrator and multiplier, the mean converged fraction', () => {
    const steps: StepsizePoint[] = [1, 2, 3].flatMap((seed) =>
      ['euler', 'rk4'].map((integrator) => ({
        slice: '',
        at: at(seed),
        param: 0.5,
        integrator,
        multiplier: 1,
        step: seed,
        certifiedStep: seed,
        exactThreshold: 2 * seed,
        convergedFraction: seed === 1 ? 0 : 1,
        empiricalFactor: null,
        predictedFactor: null,
        spectralRadius: null,
        gammaEuclidean: null,
      })),
    );
    const s = aggregateSteps(steps, view);
    expect(s.map((x) => [x.integrator, x.step, x.exactThreshold, x.convergedFraction])).toEqual([
      ['euler', 2, 4, 2 / 3],
      ['rk4', 2, 4, 2 / 3],
    ]);
  });
});
