import { describe, expect, it } from 'vitest';
import { contourSegments } from './contours.js';

const grid = (n: number, lo: number, hi: number): number[] =>
  Array.from({ length: n }, (_, k) => lo + ((hi - lo) * k) / (n - 1));

describe('contourSegments (marching squares)', () => {
  it('the level set of a plane is the exact straight line', () => {
    // f = x + 2y: linear interpolation is exact, every endpoint lies on x + 2y = 1.
    const xs = grid(11, -1, 1);
    const ys = grid(9, -1, 1);
    const values = ys.flatMap((y) => xs.map((x) => x + 2 * y));
    const segs = contourSegments(xs, ys, values, 1);
    expect(segs.length).toBeGreaterThan(5);
    for (const s of segs) {
      expect(s.x + 2 * s.y).toBeCloseTo(1, 12);
      expect(s.x2 + 2 * s.y2).toBeCloseTo(1, 12);
    }
  });

  it('a circle: endpoints within the interpolation error of radius r, total length near 2 pi r', () => {
    // f = -log10 |z| (a resolvent norm of a normal 1 x 1 matrix), level log10(1/r) for r = 0.6.
    const n = 201;
    const xs = grid(n, -1, 1);
    const values = xs.flatMap((y) => xs.map((x) => -Math.log10(Math.hypot(x, y))));
    const r = 0.6;
    const segs = contourSegments(xs, xs, values, -Math.log10(r));
    let length = 0;
    for (const s of segs) {
      // Step 0.01: interpolating a smooth function along an edge errs by O(step^2).
      expect(Math.abs(Math.hypot(s.x, s.y) - r)).toBeLessThan(1e-4);
      length += Math.hypot(s.x2 - s.x, s.y2 - s.y);
    }
    expect(Math.abs(length - 2 * Math.PI * r)).toBeLessThan(1e-3);
  });

  it('a saddle cell gives two segments; no crossing gives none', () => {
    // Corners (0,0) = 1, (1,0) = 0, (1,1) = 1, (0,1) = 0: mean 0.5 >= level 0.5.
    const segs = contourSegments([0, 1], [0, 1], [1, 0, 0, 1], 0.5);
    expect(segs).toHaveLength(2);
    expect(contourSegments([0, 1], [0, 1], [1, 1, 1, 1], 0.5)).toEqual([]);
  });
});
