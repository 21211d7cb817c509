import { describe, expect, it } from 'vitest';
import { axisValues, type Axis } from './axes.js';
import {
  checkWhereSyntax,
  nearbyAxisValues,
  NUMBER_OUTPUTS,
  parseWhere,
  splitCondition,
  type QueryParams,
} from './query.js';
import { whereSql } from './query-sql.js';

const lambda: Axis = { linspace: [0, 1, 11] }; // 0.30000000000000004 at index 3
const params: QueryParams = new Map<string, Axis | null>([
  ['lambda', lambda],
  ['ratio', { geomspace: [0.01, 100, 9] }],
  ['seed', null],
]);

describe('the --where language', () => {
  it('splits name, operator and value at the first operator', () => {
    expect(splitCondition('lambda<=0.5')).toEqual({ name: 'lambda', op: '<=', value: '0.5' });
    expect(splitCondition(' alpha > -1e-3 ')).toEqual({ name: 'alpha', op: '>', value: '-1e-3' });
    expect(splitCondition('error=a<b=c')).toEqual({ name: 'error', op: '=', value: 'a<b=c' });
    expect(splitCondition('certified!=yes')).toEqual({ name: 'certified', op: '!=', value: 'yes' });
    expect(() => checkWhereSyntax(['lambda~0.5'])).toThrow(
      '--where "lambda~0.5": must look like name op value, op one of = != < <= > >=',
    );
  });

  it('snaps a parameter value to the axis value it stands for, for every operator', () => {
    const [eq, le, ne] = parseWhere(['lambda=0.3', 'lambda<=0.3', 'lambda!=0.3'], params);
    for (const c of [eq, le, ne]) expect(c).toMatchObject({ kind: 'param', value: axisValues(lambda)[3] });
    expect(axisValues(lambda)[3]).not.toBe(0.3);
    // Not on the axis: kept as given (the hint names the axis values either side).
    expect(parseWhere(['lambda=0.35'], params)[0]).toMatchObject({ value: 0.35, op: '=' });
    expect(parseWhere(['seed>=3'], params)[0]).toMatchObject({ kind: 'param', axis: null, value: 3 });
  });

  it('reads outputs: certified as yes/no or true/false, error, numbers, vector elements, nan and null', () => {
    const cs = parseWhere(
      [
        'certified=yes',
        'certified!=false',
        'error=any',
        'error!=none',
        'error=singular',
        'alpha>0',
        'mu_2<=1.5',
        'L_1_2!=0',
        'weights_1=1',
        'alphaTrue=nan',
        'beta!=null',
      ],
      params,
    );
    expect(cs.map(({ text: _t, ...c }) => c)).toEqual([
      { kind: 'certified', op: '=', value: true },
      { kind: 'certified', op: '!=', value: false },
      { kind: 'error', op: '=', value: { any: true } },
      { kind: 'error', op: '!=', value: { any: false } },
      { kind: 'error', op: '=', value: { contains: 'singular' } },
      { kind: 'number', name: 'alpha', source: { column: 'alpha' }, op: '>', value: 0 },
      { kind: 'number', name: 'mu_2', source: { array: 'mu', index: 2 }, op: '<=', value: 1.5 },
      { kind: 'number', name: 'L_1_2', source: { matrix: 'coupling_l', row: 1, col: 2 }, op: '!=', value: 0 },
      { kind: 'number', name: 'weights_1', source: { array: 'weights', index: 1 }, op: '=', value: 1 },
      { kind: 'number', name: 'alphaTrue', source: { column: 'alpha_true' }, op: '=', value: 'nan' },
      { kind: 'number', name: 'beta', source: { column: 'beta' }, op: '!=', value: 'null' },
    ]);
  });

  it('refuses in one line naming the condition and what is valid', () => {
    const bad =
      (text: string, params_: QueryParams = params) =>
      () =>
        parseWhere([text], params_);
    expect(bad('gamma=1')).toThrow(
      '--where gamma=1: "gamma" is neither a parameter of the sweep (lambda, ratio, seed) nor an output of its cells (certified, error, cellKey, cellIndex, alpha, beta,',
    );
    expect(bad('certified=maybe')).toThrow(
      '--where certified=maybe: certified must be yes or no (or true/false), got "maybe"',
    );
    expect(bad('certified>no')).toThrow('--where certified>no: certified takes = or != only');
    expect(bad('error<x')).toThrow('--where error<x: error takes = or != only');
    expect(bad('lambda=abc')).toThrow(
      '--where lambda=abc: lambda is a parameter: the value must be a number, got "abc"',
    );
    expect(bad('alpha<nan')).toThrow('--where alpha<nan: alpha=nan takes = or != only');
    expect(bad('alpha>')).toThrow(
      '--where alpha>: alpha must be compared with a number (or nan, null), got ""',
    );
    expect(bad('mu_0=1')).toThrow('"mu_0" is neither');
    // A sweep whose spec lists no axes: any other name is a parameter in the params document.
    expect(parseWhere(['gamma<2'], null)[0]).toMatchObject({
      kind: 'param',
      name: 'gamma',
      op: '<',
      value: 2,
    });
  });

  it('names the axis values either side of a value that is not on the axis', () => {
    expect(nearbyAxisValues(lambda, 0.35)).toEqual([axisValues(lambda)[3], 0.4]);
    expect(nearbyAxisValues(lambda, -1)).toEqual([0]);
    expect(nearbyAxisValues(lambda, 7)).toEqual([1]);
    expect(nearbyAxisValues({ values: [5, 1, 3] }, 2)).toEqual([1, 3]);
    const geom: Axis = { geomspace: [0.01, 100, 9] };
    expect(nearbyAxisValues(geom, 2)).toEqual([axisValues(geom)[4], axisValues(geom)[5]]);
  });

  it('has SQL for every number output it names', () => {
    const all = parseWhere(
      Object.keys(NUMBER_OUTPUTS).map((n) => `${n}>=0`),
      params,
    );
    const sql = whereSql('s', all, { main: 'lambda', ratio: true }).sql;
    for (const column of Object.values(NUMBER_OUTPUTS)) expect(sql).toContain(`${column} >=`);
  });
});
