/**
 * Game families in sweeps: the scalar preset, tanh and markov games, the region section (its radius
 * possibly an axis) and what it does to cell keys and game groups. Compute checks against the
 * engine's direct calls are in families-compute.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../sgn/util/errors.js';
import { resolveSpec, hashedPart } from './resolve.js';
import { cellAt, gameGroupKey, gameKey, paramsKey } from './cells.js';
import { certifyRange } from './compute.js';

const examples = new URL('../examples/games/', import.meta.url).pathname;
const opts = { baseDir: examples };
const tanh = { file: 'tanh-2p.json' };
const markov = { file: 'markov-coordination.json' };
type Raw = Record<string, unknown>;

function errorOf(raw: Raw): { field: string; problem: string } {
  try {
    resolveSpec(raw, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return { field: (e as InputError).field, problem: (e as InputError).problem };
  }
  throw new Error('expected an InputError');
}

describe('families in sweeps', () => {
  it('the scalar preset from a game file, swept over a: certified iff a b < mu1 mu2', async () => {
    const r = resolveSpec(
      { kind: 'certify', game: { file: join(examples, 'scalar-toy.json'), a: { values: [1, 19.9, 20.1] } } },
      opts,
    );
    expect(r.totalCells).toBe(3);
    const rows = await certifyRange(r, 0, 3);
    // mu1 = mu2 = 1, b = 0.05 (the paper's mini-toy): the threshold is a = 20.
    expect(rows.map((x) => x.certified)).toEqual([true, true, false]);
    expect(rows[0].optimalAlpha).toBeCloseTo(1 - Math.sqrt(0.05), 12);
  });

  it('the scalar preset swept over mu1: a b < mu1 mu2 again (a = 10, b = 0.05: threshold mu1 = 0.5)', async () => {
    const r = resolveSpec(
      { kind: 'certify', game: { file: 'scalar-toy.json', mu1: { values: [0.4, 0.6] } } },
      opts,
    );
    expect(r.axes.map((a) => a.name)).toEqual(['mu1']);
    const rows = await certifyRange(r, 0, 2);
    expect(rows.map((x) => x.certified)).toEqual([false, true]);
    // The two-player optimum: alpha_* = (mu1 + mu2)/2 - sqrt(((mu1 - mu2)/2)^2 + a b).
    expect(rows[1].optimalAlpha).toBeCloseTo(0.8 - Math.sqrt(0.2 ** 2 + 0.5), 12);
  });

  it('a tanh game without a region is refused, naming spec.region', () => {
    const e = errorOf({ kind: 'certify', game: { family: 'tanh', dims: [1, 1], Q: [1, 1] } });
    expect(e.field).toBe('spec.region');
    expect(e.problem).toMatch(/^is required for the tanh family .*x = 0 only/);
  });

  it("a game file's region section is used when the spec has none", () => {
    const r = resolveSpec({ kind: 'certify', game: tanh }, opts);
    expect(r.region).toMatchObject({ kind: 'box', radii: [0.5], sampler: { kind: 'grid', perAxis: 5 } });
    expect(r.axes).toEqual([]);
    expect(cellAt(r, 0).radii).toEqual([0.5]);
  });

  it('markov without a region takes the paper logit cube box:0.1 (vertices)', () => {
    const r = resolveSpec({ kind: 'certify', game: { ...markov, gamma: { values: [0.5, 0.9] } } }, opts);
    expect(r.region).toMatchObject({
      kind: 'box',
      radii: [0.1],
      sampler: { kind: 'vertices' },
      rigorous: false,
    });
    expect(r.totalCells).toBe(2);
  });
});

describe('region section errors name their field', () => {
  const spec = (region: unknown, game: Raw = tanh): Raw => ({ kind: 'certify', game, region });
  it.each([
    [
      { kind: 'box', radius: { linspace: [0.1, 1, 0] } },
      'spec.region.radius.linspace[2]',
      /positive integer/,
    ],
    [{ kind: 'box', radius: { linspace: [-1, 1, 3] } }, 'spec.region.radius.linspace[0]', /must be > 0/],
    [{ kind: 'box', radius: -0.5 }, 'spec.region.radius', /must be > 0/],
    [{ kind: 'box', radius: 'big' }, 'spec.region.radius', /a positive number, a list of them .* or an axis/],
    [{ kind: 'box' }, 'spec.region.radius', /is required/],
    [{ kind: 'cube', radius: 1 }, 'spec.region.kind', /box, ball/],
    [{ kind: 'box', radius: 1, sampler: 'grid:x' }, 'spec.region.sampler', /grid points per axis/],
    [{ kind: 'ball', radius: 1, sampler: 'vertices' }, 'spec.region.sampler', /vertices needs a box/],
    [{ kind: 'box', radius: 1, radious: 2 }, 'spec.region.radious', /unknown field/],
    [{ kind: 'box', radius: 1, centre: [1, 2, 3] }, 'spec.region.centre', /3 entries, expected 4/],
    [{ kind: 'box', radius: [1, 2, 3] }, 'spec.region.radius', /3 radii, expected 1 or 2/],
    [{ kind: 'ball', radius: [1, 2] }, 'spec.region.radius', /a ball has one radius/],
    [{ kind: 'box', radius: 1, rigorous: 'yes' }, 'spec.region.rigorous', /./],
    ['cube:1', 'spec.region', /unknown region "cube"/],
    [42, 'spec.region', /must be a region/],
  ])('%j', (region, field, problem) => {
    const e = errorOf(spec(region));
    expect(e.field).toBe(field);
    expect(e.problem).toMatch(problem);
  });

  it('markov: no rigorous mode, no given centre', () => {
    expect(errorOf(spec({ kind: 'box', radius: 0.1, rigorous: true }, markov))).toEqual({
      field: 'spec.region.rigorous',
      problem: 'the markov family supplies no Lipschitz constant for its Jacobian',
    });
    expect(errorOf(spec({ kind: 'box', radius: 0.1, centre: new Array(8).fill(0) }, markov)).field).toBe(
      'spec.region.centre',
    );
  });

  it('every value of a game axis must make a valid game (gamma < 1, tau >= 0)', () => {
    expect(errorOf({ kind: 'certify', game: { ...markov, gamma: { values: [0.5, 0.9, 1.2] } } })).toEqual({
      field: 'spec.game.gamma',
      problem: 'value 1.2 (index 2): must be in [0, 1)',
    });
    expect(errorOf({ kind: 'certify', game: { ...markov, tau: { linspace: [1, -1, 3] } } }).field).toBe(
      'spec.game.tau',
    );
  });

  it('npg / epg are for the markov family only', () => {
    const e = errorOf({
      kind: 'stepsize',
      game: tanh,
      stepsize: { integrators: ['npg'], multipliers: [1] },
    });
    expect(e).toEqual({
      field: 'spec.stepsize.integrators[0]',
      problem: 'npg (policy gradient) is for the markov family only; the tanh family takes euler or rk4',
    });
  });
});

describe('cells with a radius axis', () => {
  const r = resolveSpec(
    {
      kind: 'certify',
      game: { ...tanh, kappa: { values: [0.1, 0.2] } },
      region: { kind: 'box', radius: { linspace: [0.5, 1.5, 3] }, sampler: 'grid:3' },
      weights: { ratio: { values: [0.5, 1, 2, 4] } },
    },
    opts,
  );

  it('axes: game, then radius, then ratio (fastest); groups are game x radius', () => {
    expect(r.axes.map((a) => [a.name, a.target])).toEqual([
      ['kappa', 'game'],
      ['radius', 'region'],
      ['ratio', 'weights'],
    ]);
    expect(r.totalCells).toBe(24);
    expect(r.gameCells).toBe(6);
    expect(r.region?.radii).toBeUndefined();
  });

  it('the radius is in params and keys; a group shares game and radius, a game shares only kappa', () => {
    const c = cellAt(r, 5); // kappa 0.1, radius 1, ratio 1
    expect(c.params).toEqual({ kappa: 0.1, radius: 1, ratio: 1 });
    expect(c.radii).toEqual([1]);
    expect(c.key).toBe(paramsKey({ kappa: 0.1, radius: 1, ratio: 1 }));
    expect(gameGroupKey(r, 5)).toBe(paramsKey({ kappa: 0.1, radius: 1 }));
    expect(gameGroupKey(r, 4)).toBe(gameGroupKey(r, 7));
    expect(gameGroupKey(r, 3)).not.toBe(gameGroupKey(r, 4));
    expect(gameKey(r, 0)).toBe(gameKey(r, 11));
    expect(gameKey(r, 11)).not.toBe(gameKey(r, 12));
    const keys = new Set(Array.from({ length: 24 }, (_v, i) => cellAt(r, i).key));
    expect(keys.size).toBe(24);
  });

  it('the region is hashed (a different sampler is a different sweep); region-less hashes are unchanged', () => {
    const other = resolveSpec(
      {
        kind: 'certify',
        game: { ...tanh, kappa: { values: [0.1, 0.2] } },
        region: { kind: 'box', radius: { linspace: [0.5, 1.5, 3] }, sampler: 'grid:5' },
        weights: { ratio: { values: [0.5, 1, 2, 4] } },
      },
      opts,
    );
    expect(other.specHash).not.toBe(r.specHash);
    const plain = resolveSpec({ kind: 'certify', game: { file: 'scalar-toy.json' } }, opts);
    expect(hashedPart(plain)).not.toHaveProperty('region');
  });

  it('rows store the radius in region_radius', async () => {
    const rows = await certifyRange(r, 4, 9);
    expect(rows.map((x) => x.regionRadius)).toEqual([1, 1, 1, 1, 1.5]);
    expect(rows.every((x) => x.error === null)).toBe(true);
  });
});
