/**
 * stepsize.start, .converged and .trace: validation (one line naming the field), defaults that
 * keep earlier results, and traces against a direct simulation of a small linear game.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../sgn/util/errors.js';
import { defaultRng } from '../sgn/random/generator.js';
import { buildGame } from '../sgn/games/build.js';
import { parseGameSpec } from '../formats/game-file.js';
import { certify } from '../sgn/certificate.js';
import { traceSteps } from '../sgn/experiments/trace.js';
import { resolveSpec } from './resolve.js';
import { stepsizeRange, splitTraces } from './compute.js';

/** The paper's mini-toy shape, H = [[1, 3], [0.2, 1]], with an offset: x* = -H^-1 c != 0. */
const H = [
  [1, 3],
  [0.2, 1],
];
const c = [1, -1];
const game = { family: 'quadratic', dims: [1, 1], H, c };
const base = {
  kind: 'stepsize',
  game,
  stepsize: { integrators: ['euler', 'rk4'], multipliers: [0.5, 1.5], steps: 300, seeds: 3 },
};
type Raw = Record<string, unknown>;
const withStep = (extra: Raw): Raw => ({ ...base, stepsize: { ...base.stepsize, ...extra } });
const resolve = (raw: unknown) => resolveSpec(raw, { baseDir: '.' });

function errorOf(raw: unknown): string {
  try {
    resolve(raw);
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('spec validation', () => {
  it.each([
    [
      { start: { distribution: 'cube' } },
      'spec.stepsize.start.distribution: must be one of: box, gaussian, m-sphere',
    ],
    [{ start: { distribution: 'box', scale: 0 } }, 'spec.stepsize.start.scale: must be > 0'],
    [{ start: { distribution: 'box', seed: -1 } }, 'spec.stepsize.start.seed: must be >= 0 (a NumPy seed)'],
    [
      { start: { distribution: 'box', centre: 'x0' } },
      'spec.stepsize.start.centre: must be one of: equilibrium, origin',
    ],
    [{ start: { scale: 2 } }, 'spec.stepsize.start.distribution: is required'],
    [
      { converged: { criterion: 'bounded' } },
      'spec.stepsize.converged.bound: is required when criterion is "bounded"',
    ],
    [
      { converged: { criterion: 'residual', bound: 1 } },
      'spec.stepsize.converged.bound: is only used when criterion is "bounded"',
    ],
    [
      { converged: { criterion: 'small' } },
      'spec.stepsize.converged.criterion: must be one of: residual, residual-ratio, bounded',
    ],
    [{ converged: { criterion: 'residual', tol: -1 } }, 'spec.stepsize.converged.tol: must be > 0'],
    [{ trace: { points: 1 } }, 'spec.stepsize.trace.points: must be at least 2'],
    [{ trace: { points: 5000 } }, 'spec.stepsize.trace.points: must be at most 1000'],
    [{ trace: { points: 10.5 } }, 'spec.stepsize.trace.points: must be an integer'],
    [{ trace: { every: 3 } }, 'spec.stepsize.trace'],
  ])('%j', (extra, expected) => {
    const message = errorOf(withStep(extra));
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  it('refuses batches that would hold too many trace points, naming the field', () => {
    const raw = {
      ...withStep({ seeds: 100, multipliers: { linspace: [0.1, 2, 20] }, trace: { points: 1000 } }),
      game: {
        ...game,
        H: undefined,
        c: undefined,
        generator: 'random',
        mu0: 1,
        coupling: 1,
        seed: { range: [0, 50, 1] },
      },
      execution: { batchSize: 10 },
    };
    delete (raw.game as Raw).H;
    delete (raw.game as Raw).c;
    expect(errorOf(raw)).toMatch(
      /^spec\.stepsize\.trace\.points: a batch of 10 games would hold .* trace points .* lower the points, the seeds or execution\.batchSize$/,
    );
  });
});

describe('budget', () => {
  it("a cell's traces count towards its memory: refused naming spec.stepsize.trace.points", () => {
    const raw = withStep({
      seeds: 20_000,
      multipliers: { linspace: [0.1, 2, 100] },
      trace: { points: 1000 },
    });
    expect(errorOf(raw)).toMatch(
      /^spec\.stepsize\.trace\.points: a cell needs ~\S+ \S+ \(4,000,000 runs keep traces of 1,000 points\)/,
    );
    expect(errorOf(raw)).toContain('lower stepsize.trace.points or seeds');
    // Without traces the same runs fit.
    expect(() =>
      resolve(withStep({ seeds: 20_000, multipliers: { linspace: [0.1, 2, 100] } })),
    ).not.toThrow();
  });
});

describe('defaults keep earlier results', () => {
  it('no new keys: nothing added to the resolved spec (same hash), the old criterion recorded, no traces', async () => {
    const r = resolve(base);
    expect(Object.keys(r.stepsize!).sort()).toEqual(
      ['integrators', 'multipliers', 'seeds', 'spread', 'steps', 'tolerance', 'weights'].sort(),
    );
    const rows = await stepsizeRange(r, 0, 1);
    for (const row of rows) {
      expect(row.convergence).toBe('residual-ratio <= 0.000001 or contracting');
      expect(row.traces).toBeUndefined();
    }
  });

  it('start m-sphere of radius spread, the cell seed: the same runs as the default', async () => {
    const plain = await stepsizeRange(resolve(base), 0, 1);
    const explicit = await stepsizeRange(
      resolve(withStep({ start: { distribution: 'm-sphere', scale: 1 } })),
      0,
      1,
    );
    expect(explicit).toEqual(plain);
  });
});

describe('traces against a direct simulation of the linear game', () => {
  const points = 25;
  const seed = 7;
  const sigma = 2;
  const resolved = resolve(
    withStep({
      start: { distribution: 'gaussian', scale: sigma, seed },
      converged: { criterion: 'residual', tol: 1e-8 },
      trace: { points },
    }),
  );
  // x* = -H^{-1} c (2 x 2 by Cramer's rule); M = diag(w) at the optimal weights.
  const det = H[0][0] * H[1][1] - H[0][1] * H[1][0];
  const xStar = [-(H[1][1] * c[0] - H[0][1] * c[1]) / det, -(-H[1][0] * c[0] + H[0][0] * c[1]) / det];
  const w = certify(buildGame(parseGameSpec(game))).weights;
  const F = (x: number[]) => [H[0][0] * x[0] + H[0][1] * x[1] + c[0], H[1][0] * x[0] + H[1][1] * x[1] + c[1]];
  const step = (integrator: string, x: number[], h: number): number[] => {
    const f = (y: number[]) => F(y).map((v) => -v);
    if (integrator === 'euler') return x.map((v, i) => v + h * f(x)[i]);
    const k1 = f(x);
    const k2 = f(x.map((v, i) => v + (h / 2) * k1[i]));
    const k3 = f(x.map((v, i) => v + (h / 2) * k2[i]));
    const k4 = f(x.map((v, i) => v + h * k3[i]));
    return x.map((v, i) => v + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
  };

  it('shapes: one trace per start, the kept steps of traceSteps, every array as long', async () => {
    const rows = await stepsizeRange(resolved, 0, 1);
    expect(rows).toHaveLength(4);
    const { results, traces } = splitTraces(rows);
    expect(results.every((r) => !('traces' in r))).toBe(true);
    expect(traces).toHaveLength(4 * 3);
    for (const t of traces) {
      expect(t.k.length).toBeLessThanOrEqual(points);
      expect(t.k[0]).toBe(0);
      for (const a of [t.residual, t.distance, t.metricDistance]) expect(a).toHaveLength(t.k.length);
      expect(t.lyapunov).toBeNull();
      // A run that does not end early keeps exactly traceSteps' steps.
      if (t.k[t.k.length - 1] === 300) expect(t.k).toEqual(traceSteps(300, points));
    }
    expect(rows.map((r) => r.convergence)).toEqual(Array(4).fill('residual <= 1e-8'));
  });

  it('values: the residual, Euclidean and M-distances of a direct iteration at the kept steps', async () => {
    const rows = await stepsizeRange(resolved, 0, 1);
    const rng = defaultRng(seed);
    const starts = [0, 1, 2].map(() => xStar.map((v) => v + sigma * rng.normal()));
    let compared = 0;
    for (const row of rows) {
      const h = row.step!;
      row.traces!.forEach((t, run) => {
        let x = starts[run];
        let j = 0;
        for (let k = 0; k <= t.k[t.k.length - 1]; k++) {
          if (k === t.k[j]) {
            const e = x.map((v, i) => v - xStar[i]);
            const want = [
              Math.hypot(...F(x)),
              Math.hypot(...e),
              Math.sqrt(w[0] * e[0] ** 2 + w[1] * e[1] ** 2),
            ];
            const got = [t.residual[j]!, t.distance[j]!, t.metricDistance[j]!];
            // Same operations up to summation order: relative 1e-9 (errors grow with |x| on
            // diverging runs, which the 1.5 x Euler run at this certified step is not).
            got.forEach((g, q) =>
              expect(Math.abs(g - want[q])).toBeLessThanOrEqual(1e-9 * Math.max(1, want[q])),
            );
            compared++;
            j++;
          }
          x = step(row.integrator, x, h);
        }
        expect(j).toBe(t.k.length);
      });
      // The criterion is counted from the same values: converged iff the last residual <= 1e-8.
      const last = row.traces!.map((t) => t.residual[t.residual.length - 1]!);
      expect(row.convergedFraction).toBe(last.filter((r) => r <= 1e-8).length / last.length);
    }
    expect(compared).toBeGreaterThan(4 * 3 * 10);
  });
});
