/**
 * `sgn simulate --portrait`: the paper's Figure 1 for a game of two scalar players. On the
 * mini-toy at a certified step the trajectories leave the Euclidean circle through their start
 * (transient growth) and stay inside the M(w) circle; the picture says which view is which.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../config/errors.js';
import { portraitFigure } from '../report/portrait-figure.js';
import { projectRoot } from '../test/support/reference.js';
import { runSimulate } from './simulate.js';

const TOY = join(projectRoot, 'examples', 'paper', 'mini-toy.json');

type Layer = {
  data: { values: { x: number; y: number; run: number }[] };
  encoding: { x: { scale: { domain: number[] } }; y: { scale: { domain: number[] } } };
};

describe('sgn simulate --portrait', () => {
  it('writes the two views; trajectories leave the Euclidean circle and stay inside the M(w) one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgn-portrait-'));
    try {
      const file = join(dir, 'toy.svg');
      const lines: string[] = [];
      await runSimulate(
        [TOY, '--step', '0.0005', '--steps', '3000', '--seeds', '3', '--portrait', file],
        (s) => lines.push(s),
      );
      expect(lines.join('\n')).toMatch(/portrait: +.*toy\.svg \(3 runs, Euclidean and SGN views\)/);
      const svg = readFileSync(file, 'utf8');
      expect(svg).toContain('Euclidean view (x1, x2)');
      expect(svg).toContain('SGN view');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('draws circles through the starts and equal x and y ranges', () => {
    // x' = -H x with H = [[1, 10], [0.05, 1]], Euler h = 0.0005 from (0.15, -0.15): the paper's run.
    const points: [number, number][] = [[0.15, -0.15]];
    for (let k = 0; k < 3000; k++) {
      const [x, y] = points[points.length - 1];
      points.push([x - 0.0005 * (x + 10 * y), y - 0.0005 * (0.05 * x + y)]);
    }
    const f = portraitFigure([{ points }], [0, 0], [1, 200], 'toy');
    const [euclid, sgn] = (f.spec as unknown as { hconcat: { layer: Layer[] }[] }).hconcat;
    const radius = (v: { x: number; y: number }) => Math.hypot(v.x, v.y);
    const start = (l: Layer) => radius(l.data.values[0]);
    // Euclidean: leaves the circle through the start (the paper's growth 3.18655); M(w): never.
    const growth = Math.max(...euclid.layer[1].data.values.map(radius)) / start(euclid.layer[1]);
    expect(growth).toBeCloseTo(3.18655, 4);
    expect(Math.max(...sgn.layer[1].data.values.map(radius))).toBeLessThanOrEqual(
      start(sgn.layer[1]) * (1 + 1e-12),
    );
    // The circles pass through the start, and each panel's ranges are equal (circles look round).
    expect(Math.max(...euclid.layer[0].data.values.map(radius))).toBeCloseTo(start(euclid.layer[1]), 12);
    for (const p of [euclid, sgn]) {
      const { x, y } = { x: p.layer[0].encoding.x.scale.domain, y: p.layer[0].encoding.y.scale.domain };
      expect(x[1] - x[0]).toBeCloseTo(y[1] - y[0], 12);
    }
  });

  it('refuses a game that is not two scalar players, and a file that is not .svg or .png', () => {
    const fail = (argv: string[]): InputError => {
      try {
        void runSimulate(argv, () => undefined);
      } catch (e) {
        if (e instanceof InputError) return e;
        throw e;
      }
      throw new Error('not refused');
    };
    expect(fail([TOY, '--portrait', 'x.pdf']).message).toBe(
      '--portrait: must end in .svg or .png, got "x.pdf"',
    );
    const lq = join(projectRoot, 'examples', 'games', 'lq64.json');
    expect(fail([lq, '--seeds', '1', '--steps', '10', '--portrait', join(tmpdir(), 'x.svg')]).message).toBe(
      '--portrait: draws games of two scalar players (d = 2), this one has d = 64',
    );
  });
});
