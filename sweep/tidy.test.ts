import { describe, expect, it } from 'vitest';
import type { ResultRow } from './queries.js';
import { layoutOfRows, tidyColumns, tidyRow } from './tidy.js';

const row = (over: Partial<ResultRow>): ResultRow => ({
  cellIndex: 0,
  cellKey: 'k',
  params: { lambda: 0.5, seed: 2 },
  certified: true,
  alpha: 0.25,
  beta: 1,
  eulerStep: 0.5,
  rk4Step: 2,
  weights: [1, 10],
  alphaTrue: 0.3,
  gammaEuclidean: -1,
  optimalAlpha: 0.3,
  optimalRatio: 8,
  bandMinus: 2,
  bandPlus: 40,
  hStabEuler: 0.6,
  hStabRk4: 2.5,
  mu: [1, 2, 3],
  L: [
    [0, 0.5, 0],
    [0.25, 0, 0],
    [0, 0, 0],
  ],
  error: null,
  ...over,
});

describe('tidy results', () => {
  it('a column per parameter and scalar, vectors spread 1-based, L row by row', () => {
    const rows = [
      row({}),
      row({ cellIndex: 1, weights: [], mu: [], L: null, alpha: null, certified: false, error: 'boom' }),
    ];
    const layout = layoutOfRows(rows, ['lambda', 'seed']);
    expect(layout).toEqual({ params: ['lambda', 'seed'], weights: 2, mu: 3, coupling: 3 });
    const columns = tidyColumns(layout);
    expect(columns.map((c) => c.name).join(',')).toBe(
      'cellIndex,cellKey,lambda,seed,certified,alpha,beta,eulerStep,rk4Step,alphaTrue,gammaEuclidean,' +
        'optimalAlpha,optimalRatio,bandMinus,bandPlus,hStabEuler,hStabRk4,weights_1,weights_2,mu_1,mu_2,mu_3,' +
        'L_1_1,L_1_2,L_1_3,L_2_1,L_2_2,L_2_3,L_3_1,L_3_2,L_3_3,error',
    );
    const at = (r: ResultRow, name: string) => tidyRow(columns, r)[columns.findIndex((c) => c.name === name)];
    expect(
      ['lambda', 'seed', 'weights_2', 'mu_3', 'L_1_2', 'L_2_1', 'certified'].map((n) => at(rows[0], n)),
    ).toEqual([0.5, 2, 10, 3, 0.5, 0.25, true]);
    expect(['alpha', 'weights_1', 'mu_1', 'L_1_2', 'certified', 'error'].map((n) => at(rows[1], n))).toEqual([
      null, null, null, null, false, 'boom',
    ]); // prettier-ignore
    expect(columns.filter((c) => c.type !== 'DOUBLE').map((c) => `${c.name}:${c.type}`)).toEqual([
      'cellIndex:INT32',
      'cellKey:STRING',
      'certified:BOOLEAN',
      'error:STRING',
    ]);
  });
});
