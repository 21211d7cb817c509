import { describe, expect, it } from 'vitest';
import { blocksOf } from '../games/blocks.js';
import { metricNorm } from '../integrators.js';
import { contains, type Region } from '../regions/region.js';
import { InputError } from '../util/errors.js';
import {
  invariantMetricRadius,
  uniformInBall,
  uniformInBox,
  uniformInMetricBall,
  uniformInRegion,
} from './initial-points.js';

const blocks = blocksOf([1, 2]);
const centre = Float64Array.from([0.5, -1, 2]);
const box: Region = { kind: 'box', blocks, centre, radii: [0.2, 1], centreSource: 'given' };
const ball: Region = { kind: 'ball', blocks, centre, radii: [0.7, 0.7], centreSource: 'given' };

describe('seeded initial points', () => {
  it('uniform in a box: inside, seeded (same seed, same points), mean near the centre', () => {
    const radii = Float64Array.from([0.2, 1, 1]);
    const pts = uniformInBox(centre, radii, 4000, 3);
    expect(uniformInBox(centre, radii, 4000, 3)).toEqual(pts);
    expect(uniformInBox(centre, radii, 10, 4)[0]).not.toEqual(pts[0]);
    for (const p of pts) p.forEach((v, a) => expect(Math.abs(v - centre[a])).toBeLessThanOrEqual(radii[a]));
    // Uniform on [-r, r]: the mean has standard deviation r / sqrt(3 n) ~ 0.009 r; allow 5 of them.
    for (let a = 0; a < 3; a++) {
      const mean = pts.reduce((s, p) => s + p[a], 0) / pts.length;
      expect(Math.abs(mean - centre[a])).toBeLessThan((5 * radii[a]) / Math.sqrt(3 * pts.length));
    }
  });

  it('uniform in a ball: inside, and the fraction within half the radius is 2^-d', () => {
    const pts = uniformInBall(centre, 0.7, 8000, 5);
    let inner = 0;
    for (const p of pts) {
      const r = Math.hypot(...p.map((v, a) => v - centre[a]));
      expect(r).toBeLessThanOrEqual(0.7 * (1 + 1e-12));
      if (r <= 0.35) inner++;
    }
    // Binomial(8000, 1/8): standard deviation ~ 30 points; allow 5 of them.
    expect(Math.abs(inner - 1000)).toBeLessThan(150);
  });

  it('uniform in a region stays in it (box and ball)', () => {
    for (const region of [box, ball])
      for (const p of uniformInRegion(region, 500, 9)) expect(contains(region, p)).toBe(true);
  });

  it('the invariant M(w)-ball: inside the region, and as large as fits (it touches the boundary)', () => {
    const w = [1, 0.01];
    const xBox = Float64Array.from([0.55, -0.9, 2.3]);
    // In the ball the equilibrium is off-centre in the light block only: its M-ball reaches
    // furthest (rho / sqrt(0.01)) along that block, straight away from the centre.
    const xBall = Float64Array.from([0.5, -0.9, 2.3]);
    for (const [region, xStar] of [
      [box, xBox],
      [ball, xBall],
    ] as const) {
      const rho = invariantMetricRadius(region, xStar, w);
      const pts = uniformInMetricBall(xStar, blocks, w, rho, 2000, 11);
      for (const p of pts) {
        const v = p.map((t, a) => t - xStar[a]);
        expect(metricNorm(v, blocks, w)).toBeLessThanOrEqual(rho * (1 + 1e-12));
        expect(contains(region, p)).toBe(true);
      }
      // 1% further along the binding direction leaves the region.
      const away = region.kind === 'box' ? [0, 0, 1] : [0, 0.1, 0.3];
      const norm = Math.hypot(...away);
      const block = 1;
      const p = xStar.map((t, a) => t + ((1.01 * rho) / Math.sqrt(w[block])) * (away[a] / norm));
      expect(
        metricNorm(
          p.map((t, a) => t - xStar[a]),
          blocks,
          w,
        ),
      ).toBeCloseTo(1.01 * rho, 12);
      expect(contains(region, p)).toBe(false);
      const q = xStar.map((t, a) => t + ((0.99 * rho) / Math.sqrt(w[block])) * (away[a] / norm));
      expect(contains(region, q)).toBe(true);
    }
    // Box: min over coordinates of (R_a - |x*_a - c_a|) sqrt(w_i): player 1 (0.2 - 0.05) * 1 = 0.15,
    // player 2 (1 - 0.1) * 0.1 = 0.09 and (1 - 0.3) * 0.1 = 0.07, the binding one (the third coordinate).
    expect(invariantMetricRadius(box, xBox, w)).toBeCloseTo(0.07, 14);
  });

  it('refuses an equilibrium outside the region, naming the field', () => {
    try {
      invariantMetricRadius(box, Float64Array.from([5, 0, 0]), [1, 1], '--region');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).field).toBe('--region');
    }
  });
});
