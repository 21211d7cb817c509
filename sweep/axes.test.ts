import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  axisLength,
  axisValue,
  axisValueNear,
  axisValues,
  checkAxis,
  checkAxisPositive,
  firstNonInteger,
  pow10,
  type Axis,
} from './axes.js';

interface Fixture {
  linspace: [number, number, number, number[]][];
  geomspace: [number, number, number, number[], number[]][];
  lq64_golden_lambda: number[];
}
// Made by fixtures/make_numpy_axes.py (NumPy 2.4); lambdas copied from shared/reference/lq64/golden.json.
const fx = JSON.parse(
  readFileSync(new URL('./fixtures/numpy-axes.json', import.meta.url), 'utf8'),
) as Fixture;

function ulps(a: number, b: number): number {
  const f = new Float64Array([a, b]);
  const i = new BigInt64Array(f.buffer);
  return Number(i[0] > i[1] ? i[0] - i[1] : i[1] - i[0]);
}

describe('axis lengths and values', () => {
  it('values', () => {
    const ax: Axis = { values: [3, 1, 2] };
    expect(axisLength(ax)).toBe(3);
    expect(axisValues(ax)).toEqual([3, 1, 2]);
  });

  it('range is half-open and counts float steps robustly', () => {
    expect(axisValues({ range: [0, 5, 1] })).toEqual([0, 1, 2, 3, 4]);
    expect(axisLength({ range: [0, 1, 0.1] })).toBe(10);
    expect(axisLength({ range: [0, 0.3, 0.1] })).toBe(3); // 0.3/0.1 = 2.9999999999999996
    expect(axisLength({ range: [0, 1.05, 0.1] })).toBe(11);
    expect(axisValues({ range: [5, 0, -2] })).toEqual([5, 3, 1]);
    expect(axisValue({ range: [0, 1, 0.1] }, 3)).toBe(3 * 0.1);
    expect(axisLength({ range: [0, 1e7, 1] })).toBe(1e7);
  });

  it('linspace reproduces numpy.linspace bit for bit', () => {
    for (const [a, b, n, ref] of fx.linspace) expect(axisValues({ linspace: [a, b, n] })).toEqual(ref);
  });

  it('linspace(0, 2.5, 61) equals the lambdas of the LQ-64 golden file exactly', () => {
    const got = axisValues({ linspace: [0, 2.5, 61] });
    expect(got).toHaveLength(61);
    got.forEach((v, k) => expect(Object.is(v, fx.lq64_golden_lambda[k])).toBe(true));
  });

  it('geomspace equals the correctly rounded numpy formula exactly, and NumPy within one ulp', () => {
    for (const [a, b, n, numpy, exact] of fx.geomspace) {
      const got = axisValues({ geomspace: [a, b, n] });
      expect(got).toEqual(exact);
      expect(got[0]).toBe(a);
      expect(got[n - 1]).toBe(b);
      for (let k = 0; k < n; k++) expect(ulps(got[k], numpy[k])).toBeLessThanOrEqual(1);
    }
  });

  it('pow10 is correctly rounded (exact powers, and cases where V8 10 ** y is one ulp off)', () => {
    for (let e = -20; e <= 22; e++) expect(pow10(e)).toBe(Number(`1e${e}`));
    expect(pow10(0.5)).toBe(3.1622776601683795);
    // References: 10 ** Decimal(y) at 60 digits, rounded to double.
    expect(pow10(1.731278100880445)).toBe(53.86145744605316);
    expect(pow10(-0.5013231737254387)).toBe(0.31526577473054856);
    expect(pow10(-2.074987245882994)).toBe(0.008414198516291072);
  });

  it('reads by index without materialising (length 10^7)', () => {
    const ax: Axis = { linspace: [0, 1, 10_000_000] };
    expect(axisLength(ax)).toBe(1e7);
    expect(axisValue(ax, 9_999_999)).toBe(1);
    expect(axisValue(ax, 5_000_000)).toBe(5_000_000 * (1 / 9_999_999));
    expect(() => axisValue(ax, 1e7)).toThrow(RangeError);
    expect(() => axisValues(ax)).toThrow(RangeError);
  });
});

describe('axis checks', () => {
  it.each<[Axis, string, string]>([
    [{ values: [] }, 'values', 'at least one value'],
    [{ values: [1, 2, 1] }, 'values,2', 'repeats the value at index 0'],
    [{ values: [0, -0] }, 'values,1', 'repeats the value at index 0'],
    [{ linspace: [0, 1, 0] }, 'linspace,2', 'positive integer'],
    [{ linspace: [1, 1, 5] }, 'linspace', 'start equals stop'],
    [{ linspace: [-1e308, 1e308, 3] }, 'linspace', 'overflows'],
    [{ linspace: [1, 1 + 2 ** -52, 10] }, 'linspace', 'too close'],
    [{ geomspace: [0, 1, 3] }, 'geomspace,0', 'must be > 0'],
    [{ geomspace: [1, -2, 3] }, 'geomspace,1', 'must be > 0'],
    [{ range: [0, 1, 0] }, 'range,2', 'must not be zero'],
    [{ range: [1, 0, 0.5] }, 'range', 'empty or reversed'],
    [{ range: [0, 1, -0.5] }, 'range', 'empty or reversed'],
    [{ range: [1, 1, 1] }, 'range', 'empty or reversed'],
    [{ range: [1e17, 1e17 + 1000, 1] }, 'range,2', 'float resolution'],
    [{ range: [0, 1e18, 1] }, 'range', 'too many values'],
  ])('%j -> %s', (axis, path, message) => {
    const issue = checkAxis(axis);
    expect(issue?.path.join(',')).toBe(path);
    expect(issue?.message).toContain(message);
  });

  it('accepts single-valued and descending generated axes', () => {
    expect(checkAxis({ linspace: [3, 3, 1] })).toBeNull();
    expect(checkAxis({ linspace: [1, 0, 5] })).toBeNull();
    expect(checkAxis({ geomspace: [100, 1, 3] })).toBeNull();
  });

  it('positivity and integrality', () => {
    expect(checkAxisPositive({ values: [1, 0] })?.path).toEqual(['values', 1]);
    expect(checkAxisPositive({ linspace: [0, 1, 3] })?.path).toEqual(['linspace', 0]);
    expect(checkAxisPositive({ range: [1, -1, -0.5] })?.message).toContain('reaches -0.5');
    expect(checkAxisPositive({ geomspace: [0.1, 10, 5] })).toBeNull();
    expect(firstNonInteger({ range: [0, 10, 1] })).toBe(-1);
    expect(firstNonInteger({ linspace: [0, 10, 4] })).toBe(1);
  });
});

describe('the axis value a typed number stands for', () => {
  const axes: Axis[] = [
    { linspace: [0, 1.1, 12] },
    { linspace: [1, 0, 11] },
    { geomspace: [0.01, 100, 161] },
    { range: [0, 1, 0.1] },
    { values: [3, 1, 2.5e-8, 7] },
  ];

  it('is the value itself, and the value as printed to 6 significant digits', () => {
    for (const axis of axes)
      for (let k = 0; k < axisLength(axis); k++) {
        const g = axisValue(axis, k);
        expect(axisValueNear(axis, g), `${JSON.stringify(axis)}[${k}]`).toBe(g);
        expect(axisValueNear(axis, Number(g.toPrecision(6))), `${JSON.stringify(axis)}[${k}] printed`).toBe(
          g,
        );
      }
  });

  it('finds the stored double behind a short decimal', () => {
    const lin: Axis = { linspace: [0, 1.1, 12] };
    expect(axisValue(lin, 3)).toBe(0.30000000000000004);
    expect(axisValueNear(lin, 0.3)).toBe(0.30000000000000004);
    expect(axisValueNear({ range: [0, 1, 0.1] }, 0.7)).toBe(0.7000000000000001);
    // linspace(-0.1, 0.2, 4)[1] is 1.39e-17, not 0: zero stands for it (float noise against the 0.1 spacing).
    const acrossZero: Axis = { linspace: [-0.1, 0.2, 4] };
    expect(axisValueNear(acrossZero, 0)).toBe(axisValue(acrossZero, 1));
  });

  it('is null off the axis, even between or just outside its values', () => {
    expect(axisValueNear({ linspace: [0, 1.1, 12] }, 0.35)).toBeNull();
    expect(axisValueNear({ linspace: [0, 1.1, 12] }, 0.3001)).toBeNull();
    expect(axisValueNear({ linspace: [0, 1.1, 12] }, -0.1)).toBeNull();
    expect(axisValueNear({ linspace: [0, 1.1, 12] }, 1.2)).toBeNull();
    expect(axisValueNear({ geomspace: [0.01, 100, 161] }, 0)).toBeNull();
    expect(axisValueNear({ geomspace: [0.01, 100, 161] }, -1)).toBeNull();
    expect(axisValueNear({ values: [3, 1, 2.5e-8, 7] }, 2.6e-8)).toBeNull();
    expect(axisValueNear({ values: [3, 1, 2.5e-8, 7] }, 0)).toBeNull();
    expect(axisValueNear({ values: [3, 1] }, NaN)).toBeNull();
  });
});

describe('axisValueLabel: axis values at the axis precision', () => {
  it('prints the fewest digits that name the value on its axis', async () => {
    const { axisValueLabel } = await import('./axes.js');
    const lin: Axis = { range: [0, 1, 0.05] }; // 0.15000000000000002 at k = 3
    expect(axisValue(lin, 3)).toBe(0.15000000000000002);
    expect(axisValueLabel(lin, axisValue(lin, 3))).toBe('0.15');
    const suite: Axis = { linspace: [0, 2.5, 7] };
    expect(axisValues(suite).map((v) => axisValueLabel(suite, v))).toEqual([
      '0',
      '0.416667',
      '0.833333',
      '1.25',
      '1.66667',
      '2.08333',
      '2.5',
    ]);
    const seeds: Axis = { range: [12345, 42345, 1000] };
    expect(axisValueLabel(seeds, 13345)).toBe('13345');
    // Labels name their value again (as --where and --slice read numbers).
    for (const axis of [lin, suite, seeds, { geomspace: [0.01, 100, 9] } as Axis])
      for (const v of axisValues(axis)) expect(axisValueNear(axis, Number(axisValueLabel(axis, v)))).toBe(v);
    // Not on the axis: in full.
    expect(axisValueLabel(lin, 0.123456789)).toBe('0.123456789');
  });
});
