/** Band edges against sign changes of alpha_*(r) - target on fine grids. */
import { describe, expect, it } from 'vitest';
import { defaultRng } from './random/generator.js';
import { axisBand, marginCurve, twoPlayerBand } from './band.js';
import { optimalWeights } from './optimal-weights.js';
import { sgnMargin } from './sgn-matrix.js';

/** Sign changes of f on a log grid, refined by bisection: independent of the closed form. */
function signChanges(f: (r: number) => number, lo: number, hi: number, n = 4000): number[] {
  const out: number[] = [];
  let prevR = lo;
  let prev = f(lo);
  for (let k = 1; k <= n; k++) {
    const r = lo * Math.pow(hi / lo, k / n);
    const v = f(r);
    if (Math.sign(v) !== Math.sign(prev)) {
      let a = prevR;
      let b = r;
      for (let it = 0; it < 200; it++) {
        const m = Math.sqrt(a * b);
        if (Math.sign(f(m)) === Math.sign(prev)) a = m;
        else b = m;
      }
      out.push(Math.sqrt(a * b));
    }
    prevR = r;
    prev = v;
  }
  return out;
}

describe('twoPlayerBand', () => {
  it('edges are the sign changes of alpha_*(r) - target, for random games and targets', () => {
    const rng = defaultRng(5);
    let checked = 0;
    for (let trial = 0; trial < 40; trial++) {
      const mu = [0.2 + rng.uniform(), 0.2 + rng.uniform()];
      const L = [
        [0, 5 * rng.uniform()],
        [0.2 * rng.uniform(), 0],
      ];
      const target = rng.uniform() * 0.5 * Math.min(...mu);
      const band = twoPlayerBand(mu, L, target);
      const f = (r: number): number => sgnMargin(mu, L, [1, r]) - target;
      const roots = signChanges(f, 1e-8, 1e8);
      if (band === null) {
        expect(roots).toHaveLength(0);
        expect(f(L[0][1] / L[1][0])).toBeLessThanOrEqual(1e-12);
      } else {
        expect(roots).toHaveLength(2);
        expect(Math.abs(band.rMinus - roots[0]) / roots[0]).toBeLessThan(1e-9);
        expect(Math.abs(band.rPlus - roots[1]) / roots[1]).toBeLessThan(1e-9);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('the LQ-64 band at lambda = 1 is (34.31, 1165.69)', () => {
    const band = twoPlayerBand(
      [1, 1],
      [
        [0, 10],
        [0.05, 0],
      ],
    );
    expect(band!.rMinus).toBeCloseTo(34.3146, 3);
    expect(band!.rPlus).toBeCloseTo(1165.685, 2);
  });

  it('one-way coupling gives a half-line', () => {
    const band = twoPlayerBand(
      [1, 1],
      [
        [0, 2],
        [0, 0],
      ],
    );
    expect(band!.rMinus).toBeCloseTo(1, 12);
    expect(band!.rPlus).toBe(Infinity);
    expect(
      sgnMargin(
        [1, 1],
        [
          [0, 2],
          [0, 0],
        ],
        [1, 1.0001],
      ),
    ).toBeGreaterThan(0);
    expect(
      sgnMargin(
        [1, 1],
        [
          [0, 2],
          [0, 0],
        ],
        [1, 0.9999],
      ),
    ).toBeLessThan(0);
  });
});

describe('axisBand for N > 2', () => {
  it('each axis band brackets the optimum and its edges are sign changes', () => {
    const rng = defaultRng(9);
    for (let trial = 0; trial < 10; trial++) {
      const n = 3 + (trial % 3);
      const mu = Array.from({ length: n }, () => 0.5 + rng.uniform());
      const L = Array.from({ length: n }, (_, i) =>
        Array.from({ length: n }, (_, j) => (i === j ? 0 : (0.6 / n) * rng.uniform())),
      );
      const opt = optimalWeights(mu, L);
      expect(opt.alpha).toBeGreaterThan(0);
      for (let axis = 1; axis < n; axis++) {
        const band = axisBand(mu, L, opt.weights, axis, 0)!;
        const f = (r: number): number => {
          const w = [...opt.weights];
          w[axis] = r;
          return sgnMargin(mu, L, w);
        };
        expect(band.rMinus).toBeLessThan(opt.weights[axis]);
        expect(band.rPlus).toBeGreaterThan(opt.weights[axis]);
        const roots = signChanges(f, 1e-12, 1e12, 2000);
        const finite = [band.rMinus, band.rPlus].filter((r) => r > 1e-12 && r < 1e12);
        expect(roots.length).toBe(finite.length);
        finite.forEach((r, k) => expect(Math.abs(r - roots[k]) / roots[k]).toBeLessThan(1e-8));
      }
    }
  });

  it('one-way coupling: closed-form edges, unbounded sides stay within the double range', () => {
    // Only L_12 = 2: at w = (1, r, w3), S_12 = -1/sqrt(r) and S_13 = S_23 = 0, so
    // alpha_* = min(1 - 1/sqrt(r), 1): positive iff r > 1 along w2, whatever w3 is. The outward
    // search used to probe r = exp(+-1024), where 0 * sqrt(Infinity) made S(w) NaN and threw.
    const mu = [1, 1, 1];
    const L = [
      [0, 2, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    const w2 = axisBand(mu, L, [1, 4, 1], 1)!;
    expect(Math.abs(w2.rMinus - 1)).toBeLessThan(1e-12);
    expect(w2.rPlus).toBe(Infinity);
    expect(axisBand(mu, L, [1, 4, 1], 2)).toEqual({ rMinus: 0, rPlus: Infinity });
    // A base whose spread is near the limit: the search stops there, still inside.
    const near = axisBand(mu, L, [1, 4, 1e-299], 1)!;
    expect(Math.abs(near.rMinus - 1)).toBeLessThan(1e-12);
    expect(near.rPlus).toBe(Infinity);
  });

  it('a tiny coupling: the edge lies beyond the doubles, the band is unbounded and finite to compute', () => {
    // Only L_12 = 1e-200: alpha_*(1, r, 1) = 1 - 1e-200 / (2 sqrt(r)) > 0 down to r = 2.5e-401,
    // below the smallest double. The search used to reach r = exp(-1024) = 0 and build
    // S_12 = -1e-200 * Infinity (and throw); it now stops at the largest accepted spread, 1e300.
    const L = [
      [0, 1e-200, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    expect(axisBand([1, 1, 1], L, [1, 1, 1], 1)).toEqual({ rMinus: 0, rPlus: Infinity });
  });

  it('marginCurve evaluates alpha_*(r) along the axis', () => {
    const mu = [1, 1];
    const L = [
      [0, 10],
      [0.05, 0],
    ];
    const curve = marginCurve(mu, L, [1, 1], [34.31457, 200, 1165.685]);
    expect(curve[1]).toBeCloseTo(1 - Math.sqrt(0.5), 12);
    expect(Math.abs(curve[0])).toBeLessThan(1e-5);
    expect(Math.abs(curve[2])).toBeLessThan(1e-5);
  });
});
