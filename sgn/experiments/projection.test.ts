import { describe, expect, it } from 'vitest';
import { blocksOf } from '../games/blocks.js';
import { metricNorm } from '../integrators.js';
import { InputError } from '../util/errors.js';
import { defaultRng, type RandomGenerator } from '../random/generator.js';
import { boxConstraint, inBox, parseBoxConstraint, projectOntoBox } from './projection.js';

const blocks = blocksOf([2, 3]);
const centre = Float64Array.from([1, -2, 0.5, 3, -1]);

function randomPoint(rng: RandomGenerator, scale: number): Float64Array {
  return centre.map((c) => c + scale * (2 * rng.uniform() - 1));
}

describe('box projection', () => {
  it('per-player radii: block i is clipped to [c - R_i, c + R_i]', () => {
    const box = parseBoxConstraint('box:0.5,2', '--project', blocks, centre);
    expect(Array.from(box.radii)).toEqual([0.5, 0.5, 2, 2, 2]);
    const p = projectOntoBox(box, Float64Array.from([5, -5, 0.5, 10, -10]));
    expect(Array.from(p)).toEqual([1.5, -2.5, 0.5, 5, -3]);
  });

  it('is the nearest point: (x - P x) . (z - P x) <= 0 for every z in the box; idempotent; identity inside', () => {
    const rng = defaultRng(7);
    const box = boxConstraint(blocks, centre, [0.3, 1.1]);
    for (let t = 0; t < 200; t++) {
      const x = randomPoint(rng, 3);
      const p = projectOntoBox(box, x);
      expect(inBox(box, p)).toBe(true);
      expect(projectOntoBox(box, p)).toEqual(p);
      for (let s = 0; s < 20; s++) {
        // z uniform in the box: the variational inequality of the Euclidean projection.
        const z = centre.map((c, a) => c + box.radii[a] * (2 * rng.uniform() - 1));
        let dot = 0;
        for (let a = 0; a < x.length; a++) dot += (x[a] - p[a]) * (z[a] - p[a]);
        expect(dot).toBeLessThanOrEqual(1e-12);
      }
      const inside = centre.map((c, a) => c + 0.99 * box.radii[a] * (2 * rng.uniform() - 1));
      expect(projectOntoBox(box, inside)).toEqual(inside);
    }
  });

  it('is nonexpansive in ||.||_M for any block weights (so a certified contraction survives it)', () => {
    const rng = defaultRng(8);
    const box = boxConstraint(blocks, centre, [0.2]);
    for (let t = 0; t < 500; t++) {
      const w = [1, 10 ** (4 * rng.uniform() - 2)];
      const x = randomPoint(rng, 2);
      const y = randomPoint(rng, 2);
      const before = metricNorm(
        x.map((v, a) => v - y[a]),
        blocks,
        w,
      );
      const px = projectOntoBox(box, x);
      const py = projectOntoBox(box, y);
      const after = metricNorm(
        px.map((v, a) => v - py[a]),
        blocks,
        w,
      );
      expect(after).toBeLessThanOrEqual(before * (1 + 1e-15));
    }
  });

  it('refuses balls, bad radii and the wrong number of radii, naming the field', () => {
    const err = (f: () => unknown): InputError => {
      try {
        f();
      } catch (e) {
        if (e instanceof InputError) return e;
        throw e;
      }
      throw new Error('no error');
    };
    for (const text of ['ball:1', 'box:0', 'box:-1', 'box:1,2,3', 'cube:1', 'box']) {
      const e = err(() => parseBoxConstraint(text, '--project', blocks, centre));
      expect(e.field).toBe('--project');
      expect(e.message).not.toMatch(/\n/);
    }
  });
});
