/**
 * Step axes: absolute h (uncertified games run too), multiples of the exact threshold, seeds: 0
 * (spectrum only), and the spectral radius stored per run, on the scalar preset H = [[1, a], [b, 1]]
 * whose numbers are known in closed form: with a = 3, b = -3 the eigenvalues are 1 +- 3i (stable;
 * the Euler threshold is 2 Re / |lambda|^2 = 0.2) but L12 L21 = 9 > mu1 mu2 = 1, so nothing is
 * certified; with b = 0.2 it is.
 */
import { describe, expect, it } from 'vitest';
import { resolveSpec } from './resolve.js';
import { stepsizeRange } from './compute.js';
import { InputError } from '../sgn/util/errors.js';

const opts = { baseDir: new URL('../examples/', import.meta.url).pathname };
const scalar = { family: 'quadratic', preset: 'scalar', mu1: 1, mu2: 1, a: 3 };

/** |P(-h(1 + 3i))| for Euler and RK4, by direct complex arithmetic on P's coefficients. */
function radiusAt(h: number, method: 'euler' | 'rk4'): number {
  const zr = -h;
  const zi = -3 * h;
  let sr = 1;
  let si = 0;
  let pr = 1;
  let pi = 0;
  const terms = method === 'euler' ? 1 : 4;
  for (let k = 1; k <= terms; k++) {
    // p = z^k / k!
    const nr = (pr * zr - pi * zi) / k;
    pi = (pr * zi + pi * zr) / k;
    pr = nr;
    sr += pr;
    si += pi;
  }
  return Math.hypot(sr, si);
}

describe('absolute step axes', () => {
  it('runs an uncertified game at the given h (certified step 0) and stores rho of the step matrix', async () => {
    const r = resolveSpec(
      {
        kind: 'stepsize',
        game: { ...scalar, b: { values: [-3, 0.2] } },
        stepsize: { integrators: ['euler', 'rk4'], h: { values: [0, 0.1, 0.3] }, steps: 3000, seeds: 3 },
      },
      opts,
    );
    expect(r.stepsize?.base).toBe('absolute');
    const rows = await stepsizeRange(r, 0, 2);
    expect(rows).toHaveLength(2 * 2 * 3);
    const uncertified = rows.filter((x) => x.cellIndex === 0);
    for (const x of uncertified) {
      expect(x.error).toBeNull();
      expect(x.certifiedStep).toBe(0);
      expect(x.step).toBe(x.multiplier);
      expect(x.gammaEuclidean).toBeCloseTo(1, 12);
      const want = radiusAt(x.step as number, x.integrator as 'euler' | 'rk4');
      expect(Math.abs((x.spectralRadius as number) - want)).toBeLessThanOrEqual(1e-12 * want);
    }
    const euler = (h: number) => uncertified.find((x) => x.integrator === 'euler' && x.step === h)!;
    expect(euler(0.1).exactThreshold).toBeCloseTo(0.2, 14);
    // rho = 0.949 < 1: every start converges; rho = 1.3 at h = 0.3 (past 0.2): none does.
    expect(euler(0.1).convergedFraction).toBe(1);
    expect(euler(0.1).stableExact).toBe(true);
    expect(euler(0.3).convergedFraction).toBe(0);
    expect(euler(0.3).stableExact).toBe(false);
    // h = 0 moves nothing: rho = 1 and no runs.
    expect(euler(0).spectralRadius).toBe(1);
    expect(euler(0).convergedFraction).toBe(0);
    // The certified game runs at the same absolute steps and reports its certified step.
    const certified = rows.filter((x) => x.cellIndex === 1);
    expect(certified.every((x) => (x.certifiedStep as number) > 0 && x.step === x.multiplier)).toBe(true);
  });

  it('multiples of the exact threshold; seeds: 0 stores the spectrum without runs', async () => {
    const r = resolveSpec(
      {
        kind: 'stepsize',
        game: { ...scalar, b: -3 },
        stepsize: { integrators: ['euler'], multipliers: [0.5, 2], of: 'threshold', seeds: 0 },
      },
      opts,
    );
    expect(r.stepsize?.base).toBe('threshold');
    const rows = await stepsizeRange(r, 0, 1);
    expect(rows.map((x) => x.step)).toEqual([0.5 * rows[0].exactThreshold!, 2 * rows[0].exactThreshold!]);
    expect(rows[0].exactThreshold).toBeCloseTo(0.2, 14);
    expect(rows.every((x) => x.convergedFraction === null && x.empiricalFactor === null)).toBe(true);
    expect(rows[0].spectralRadius).toBeLessThan(1);
    expect(rows[1].spectralRadius).toBeGreaterThan(1);
  });

  it('the default stays multiples of the certified step, and its hash with it', () => {
    const r = resolveSpec(
      {
        kind: 'stepsize',
        game: { ...scalar, b: 0.2 },
        stepsize: { integrators: ['euler'], multipliers: [1] },
      },
      opts,
    );
    expect(r.stepsize && 'base' in r.stepsize).toBe(false);
  });

  const bad: [string, Record<string, unknown>, Record<string, unknown>, string, RegExp][] = [
    ['both axes', scalar, { h: { values: [0.1] }, multipliers: [1] }, 'spec.stepsize.h', /either absolute/],
    ['no axis', scalar, {}, 'spec.stepsize', /needs a step axis: h .* or multipliers/],
    ['of with h', scalar, { h: { values: [0.1] }, of: 'threshold' }, 'spec.stepsize.of', /multipliers only/],
    ['a negative h', scalar, { h: { values: [0.1, -1] } }, 'spec.stepsize.h.values[1]', /must be >= 0/],
    ['a negative linspace', scalar, { h: { linspace: [-1, 1, 5] } }, 'spec.stepsize.h.linspace[0]', />= 0/],
    ['a list for h', scalar, { h: [0.1, 0.2] }, 'spec.stepsize.h', /must be an axis/],
    ['an unknown base', scalar, { multipliers: [1], of: 'flow' }, 'spec.stepsize.of', /certified, threshold/],
    ['negative seeds', scalar, { h: { values: [0.1] }, seeds: -1 }, 'spec.stepsize.seeds', /non-negative/],
  ];
  it.each(bad)('refuses %s on one line naming the field', (_what, game, stepsize, field, says) => {
    let err: unknown;
    try {
      resolveSpec(
        { kind: 'stepsize', game: { ...game, b: -3 }, stepsize: { integrators: ['euler'], ...stepsize } },
        opts,
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).field).toBe(field);
    expect((err as InputError).message).toMatch(says);
    expect((err as InputError).message).not.toContain('\n');
  });

  it('refuses multiples of the threshold where there is none (tanh) or it is not computed', () => {
    expect(() =>
      resolveSpec(
        {
          kind: 'stepsize',
          game: { file: 'games/tanh-2p.json' },
          region: 'box:0.5',
          stepsize: { integrators: ['euler'], multipliers: [1], of: 'threshold' },
        },
        opts,
      ),
    ).toThrow(/spec\.stepsize\.of: threshold needs the exact stability threshold of a linear game/);
    expect(() =>
      resolveSpec(
        {
          kind: 'stepsize',
          game: { ...scalar, b: -3 },
          certify: { groundTruth: 'never' },
          stepsize: { integrators: ['euler'], multipliers: [1], of: 'threshold' },
        },
        opts,
      ),
    ).toThrow(/groundTruth: never/);
  });

  it('runs an uncertified tanh region at absolute h (certified step 0, no spectrum)', async () => {
    const r = resolveSpec(
      {
        kind: 'stepsize',
        game: { file: 'games/tanh-2p.json' },
        region: { kind: 'box', radius: 2, sampler: 'grid:4' },
        stepsize: { integrators: ['euler'], h: { values: [0.05] }, steps: 200, seeds: 2 },
      },
      opts,
    );
    const [row] = await stepsizeRange(r, 0, 1);
    expect(row.certifiedStep).toBe(0);
    expect(row.step).toBe(0.05);
    expect(row.convergedFraction).not.toBeNull();
    expect(row.spectralRadius).toBeNull();
  });
});
