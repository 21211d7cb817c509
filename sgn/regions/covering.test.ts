/**
 * Covering radii: the closed forms against the branch-and-bound on the same points, and the
 * branch-and-bound's upper bound against a dense probe (the largest nearest-sample distance over
 * many points of the region, which can only underestimate r_cov).
 */
import { describe, expect, it } from 'vitest';
import { blocksOf } from '../games/blocks.js';
import { defaultRng } from '../random/generator.js';
import type { Region, RegionKind } from './region.js';
import { samplePoints, type SamplerSpec } from './samplers.js';
import { coveringRadius, coveringRadiusBound } from './covering.js';

function region(kind: RegionKind, dims: number[], radii: number[], centre?: number[]): Region {
  const blocks = blocksOf(dims);
  return {
    kind,
    blocks,
    centre: Float64Array.from(centre ?? new Array<number>(blocks.dim).fill(0)),
    radii,
    centreSource: 'given',
  };
}

/** max over probe points of the distance to the nearest sample: a lower estimate of r_cov. */
function probe(r: Region, samples: readonly Float64Array[], count: number): number {
  const probes = samplePoints(r, { kind: 'random', count, seed: 12345 });
  // Add the vertices (for a box) where covering radii are often attained.
  if (r.kind === 'box' && r.blocks.dim <= 10) probes.push(...samplePoints(r, { kind: 'vertices' }));
  const d = r.blocks.dim;
  let worst = 0;
  for (const p of probes) {
    let best = Infinity;
    for (const s of samples) {
      let q = 0;
      for (let a = 0; a < d; a++) q += (p[a] - s[a]) ** 2;
      if (q < best) best = q;
    }
    worst = Math.max(worst, best);
  }
  return Math.sqrt(worst);
}

describe('closed forms', () => {
  const box = region('box', [1, 2], [1, 0.5], [0.3, -2, 1]);
  const exact: [SamplerSpec, number][] = [
    [{ kind: 'centre' }, Math.sqrt(1 + 0.25 + 0.25)],
    [{ kind: 'vertices' }, Math.sqrt(1 + 0.25 + 0.25)],
    [{ kind: 'grid', perAxis: 1 }, Math.sqrt(1.5)],
    [{ kind: 'grid', perAxis: 3 }, Math.sqrt(1.5) / 2],
    [{ kind: 'grid', perAxis: 5 }, Math.sqrt(1.5) / 4],
  ];
  for (const [s, value] of exact) {
    it(`${s.kind}${s.kind === 'grid' ? `:${s.perAxis}` : ''} on a box with radii [1, 0.5]: ${value.toFixed(4)}, as the branch and bound finds`, () => {
      const pts = samplePoints(box, s);
      const c = coveringRadius(box, s, pts);
      expect(c.method).toBe('exact');
      expect(c.value).toBeCloseTo(value, 14);
      const bb = coveringRadiusBound(box, pts, { tolerance: 0.005 });
      expect(bb.lower).toBeLessThanOrEqual(value * (1 + 1e-12));
      expect(bb.value).toBeGreaterThanOrEqual(value);
      expect(bb.value).toBeLessThanOrEqual(value * 1.006);
    });
  }

  it('centre of a ball: the radius', () => {
    const ball = region('ball', [2, 1], [0.7, 0.7]);
    const c = coveringRadius(ball, { kind: 'centre' }, samplePoints(ball, { kind: 'centre' }));
    expect(c.value).toBe(0.7);
  });
});

describe('branch and bound', () => {
  const cases: [string, Region, SamplerSpec][] = [
    ['random:200 in a 2-D box', region('box', [1, 1], [1, 2]), { kind: 'random', count: 200, seed: 1 }],
    ['sobol:256 in a 3-D box', region('box', [2, 1], [0.5, 0.5], [1, 1, 1]), { kind: 'sobol', count: 256 }],
    ['halton:100 in a 2-D ball', region('ball', [1, 1], [1, 1], [0, 3]), { kind: 'halton', count: 100 }],
    ['random:300 in a 3-D ball', region('ball', [3], [2]), { kind: 'random', count: 300, seed: 7 }],
    ['grid:5 in a 2-D ball', region('ball', [2], [1]), { kind: 'grid', perAxis: 5 }],
  ];
  for (const [name, r, s] of cases) {
    it(`${name}: lower <= dense probe <= upper, and they meet within the tolerance`, () => {
      const pts = samplePoints(r, s);
      const c = coveringRadius(r, s, pts, { tolerance: 0.01 });
      expect(c.method).toBe('branch-and-bound');
      const estimate = probe(r, pts, 20000);
      expect(estimate).toBeLessThanOrEqual(c.value);
      expect(c.lower).toBeLessThanOrEqual(c.value);
      expect(c.value).toBeLessThanOrEqual(1.01 * c.lower * (1 + 1e-9));
      // The probe is a lower estimate too; a dense one lands near the bound.
      expect(estimate).toBeGreaterThan(0.9 * c.value);
    });
  }

  it('out of budget (8-D, a tiny budget): still an upper bound, just a loose one', () => {
    const r = region('box', [4, 4], [1, 1]);
    const pts = samplePoints(r, { kind: 'random', count: 64, seed: 3 });
    const c = coveringRadiusBound(r, pts, { maxWork: 5e4 });
    expect(c.value).toBeGreaterThan(1.01 * c.lower);
    expect(probe(r, pts, 20000)).toBeLessThanOrEqual(c.value);
  });

  it('is deterministic', () => {
    const r = region('box', [2], [1]);
    const rng = defaultRng(9);
    const pts = Array.from({ length: 50 }, () =>
      Float64Array.from([2 * rng.uniform() - 1, 2 * rng.uniform() - 1]),
    );
    expect(coveringRadiusBound(r, pts)).toEqual(coveringRadiusBound(r, pts));
  });
});
