import { describe, expect, it } from 'vitest';
import { loadConfig, type Env } from '../config/config.js';
import { parseGameSpec } from '../formats/game-file.js';
import { InputError } from '../sgn/util/errors.js';
import {
  CELL_OVERHEAD_BYTES,
  DEFAULT_MAX_CELL_MEMORY,
  DEFAULT_MAX_CELL_WORK,
  GiB,
  MiB,
  budgetLimits,
  cellMemoryLimit,
  cellWorkLimit,
  checkCellBudget,
  checkGameFileBudget,
  estimateCellMemory,
  estimateSweepCellMemory,
  estimateCellWork,
  formatBytes,
  gameFileShape,
  gameShape,
  keptJacobians,
  parseByteSize,
  type CellShape,
} from './budget.js';
import { resolveSpec } from './resolve.js';

const MACHINE = 64 * GiB;
const NO_ENV = {};
/** The limits' settings of an environment, parsed as at start-up (config/config.ts). */
const settings = (env: Env) => loadConfig(env);

function quadratic(dims: number[], build: 'random' | 'clean' | 'explicit' = 'random'): CellShape {
  return {
    game: { family: 'quadratic', dims, build, sizeField: 'dims' },
    points: 1,
    rigorous: false,
    groundTruth: false,
  };
}

function refusal(f: () => void): InputError {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('parseByteSize', () => {
  it.each([
    ['4294967296', 4294967296],
    ['512MB', 512e6],
    ['512 mb', 512e6],
    ['4GB', 4e9],
    ['1.5GiB', 1.5 * 2 ** 30],
    ['2G', 2 * 2 ** 30],
    ['512m', 512 * 2 ** 20],
    ['100KiB', 102400],
    ['1e9', 1e9],
    ['64B', 64],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'lots', '4 GBs', '-1GB', '0', '0.1', 'GB', '1.5.2GB', 'Infinity', '1e400'])(
    '%j is not a size',
    (text) => {
      expect(parseByteSize(text)).toBeUndefined();
    },
  );

  it('formats binary units', () => {
    expect(formatBytes(4 * GiB)).toBe('4 GiB');
    expect(formatBytes(1.5 * GiB)).toBe('1.5 GiB');
    expect(formatBytes(512 * MiB)).toBe('512 MiB');
    expect(formatBytes(100)).toBe('100 bytes');
  });
});

describe('limits from the environment', () => {
  it('memory: min(4 GiB, half of the machine) by default', () => {
    expect(cellMemoryLimit(NO_ENV, 64 * GiB).value).toBe(DEFAULT_MAX_CELL_MEMORY);
    expect(cellMemoryLimit(NO_ENV, 4 * GiB)).toEqual({
      value: 2 * GiB,
      source: "the default limit, half of the machine's memory (SGN_MAX_CELL_MEMORY)",
    });
  });

  it('memory: SGN_MAX_CELL_MEMORY with units, the option over it', () => {
    expect(cellMemoryLimit(settings({ SGN_MAX_CELL_MEMORY: '1.5GiB' }), MACHINE)).toEqual({
      value: 1.5 * GiB,
      source: 'SGN_MAX_CELL_MEMORY',
    });
    expect(cellMemoryLimit(settings({ SGN_MAX_CELL_MEMORY: '1.5GiB' }), MACHINE, 1000).value).toBe(1000);
    // Empty is unset.
    expect(cellMemoryLimit(settings({ SGN_MAX_CELL_MEMORY: ' ' }), MACHINE).value).toBe(
      DEFAULT_MAX_CELL_MEMORY,
    );
  });

  it('memory: a bad value is one error naming the variable', () => {
    const e = refusal(() => cellMemoryLimit(settings({ SGN_MAX_CELL_MEMORY: 'lots' }), MACHINE));
    expect(e.field).toBe('SGN_MAX_CELL_MEMORY');
    expect(e.problem).toBe('must be a number of bytes or a size like 512MB, 4GB or 1.5GiB, got "lots"');
    expect(refusal(() => cellMemoryLimit(settings({ SGN_MAX_CELL_MEMORY: '-4GB' }), MACHINE)).field).toBe(
      'SGN_MAX_CELL_MEMORY',
    );
  });

  it('work: SGN_MAX_CELL_WORK, default 1e12, bad values refused', () => {
    expect(cellWorkLimit(NO_ENV)).toEqual({
      value: DEFAULT_MAX_CELL_WORK,
      source: 'the default limit (SGN_MAX_CELL_WORK)',
    });
    expect(cellWorkLimit(settings({ SGN_MAX_CELL_WORK: '2.5e11' })).value).toBe(2.5e11);
    expect(cellWorkLimit(settings({ SGN_MAX_CELL_WORK: '1_000_000' })).value).toBe(1e6);
    for (const bad of ['many', '0', '-1e9', 'Infinity', '1e999', '1e12 flops']) {
      const e = refusal(() => cellWorkLimit(settings({ SGN_MAX_CELL_WORK: bad })));
      expect(e.field).toBe('SGN_MAX_CELL_WORK');
      expect(e.problem).toContain(`got "${bad}"`);
    }
  });
});

describe('memory estimate (independent arithmetic: 8 bytes x matrices)', () => {
  it('quadratic, random, two blocks of n, no ground truth: 1 + 3 + 2 n/5 d/d + 3 n^2/d^2 ... matrices', () => {
    // d = 2n = 5000; H (d^2) + analysis: sym(J), the metric's matrix, the SIMD copy (3 d^2),
    // Lanczos 2 x d x (4096/5 rounded up: d is over 4096), blocks 2 n^2 + n^2 (own copy and sym
    // part, one coupling block).
    const n = 2500;
    const d = 2 * n;
    const doubles = d * d + 3 * d * d + 2 * d * 820 + 3 * n * n;
    expect(estimateCellMemory(quadratic([n, n])).amount).toBe(CELL_OVERHEAD_BYTES + 8 * doubles);
    expect(estimateCellMemory(quadratic([n, n])).driver).toBe('size');
  });

  it('quadratic with ground truth: one more d x d copy', () => {
    const a = estimateCellMemory(quadratic([500, 500])).amount;
    const b = estimateCellMemory({ ...quadratic([500, 500]), groundTruth: true }).amount;
    expect(b - a).toBe(8 * 1000 * 1000);
  });

  it('tanh: Qb, Aoff, one Jacobian and its SIMD copy per sample point, the analysis', () => {
    const shape: CellShape = {
      game: { family: 'tanh', dims: [100, 100], build: 'tanh', sizeField: 'dims' },
      points: 838,
      rigorous: false,
      groundTruth: false,
    };
    const d = 200;
    // Qb, Aoff; 2 x 838 Jacobians; sym(J), metric, SIMD copy and 2 for the dense path (d <= 4096);
    // Lanczos 2 x d x d/5; the blocks.
    const doubles = 2 * d * d + 2 * 838 * d * d + 5 * d * d + 2 * d * 40 + 3 * 100 * 100;
    const e = estimateCellMemory(shape);
    expect(e.amount).toBe(CELL_OVERHEAD_BYTES + 8 * doubles);
    expect(e.driver).toBe('sampler');
  });

  it('dims [100000, 100000]: ~320 GiB of H alone, far over 4 GiB', () => {
    const e = estimateCellMemory(quadratic([100000, 100000]));
    expect(e.amount).toBeGreaterThan(8 * 200000 ** 2);
    expect(e.amount).toBeLessThan(8 * 8 * 200000 ** 2);
  });

  it('kept Jacobians are capped as checkSampler caps them', () => {
    expect(keptJacobians({ kind: 'vertices' }, 8)).toBe(256);
    expect(keptJacobians({ kind: 'vertices' }, 64)).toBe(2 ** 25 / 64 ** 2);
    expect(keptJacobians({ kind: 'vertices' }, 20)).toBe(65536);
    expect(keptJacobians({ kind: 'sobol', count: 1024 }, 200)).toBe(838);
    expect(keptJacobians({ kind: 'centre' }, 100000)).toBe(1);
  });
});

describe('work estimate', () => {
  it('step-size runs: steps x seeds x evaluations x (2 d^2 + 200)', () => {
    const base = quadratic([32, 32], 'explicit');
    const shape: CellShape = {
      ...base,
      runs: { steps: 1e11, seeds: 1e5, evaluationsPerStep: (1 + 4) * 8, what: 'euler, rk4 x 8 multipliers' },
    };
    const runs = 1e11 * 1e5 * 40 * (2 * 64 * 64 + 200);
    const e = estimateCellWork(shape);
    expect(e.driver).toBe('runs');
    expect(e.amount).toBeGreaterThanOrEqual(runs);
    expect(e.amount).toBeLessThan(runs * 1.001);
  });

  it('a random [2500, 2500] game is under the default work limit, [100000, 100000] is not', () => {
    expect(estimateCellWork(quadratic([2500, 2500])).amount).toBeLessThan(DEFAULT_MAX_CELL_WORK / 2);
    expect(estimateCellWork(quadratic([100000, 100000])).amount).toBeGreaterThan(DEFAULT_MAX_CELL_WORK);
  });
});

describe('checkCellBudget', () => {
  const limits = budgetLimits(NO_ENV, {}, MACHINE);

  it('refuses dims [100000, 100000] naming the size field and the limit', () => {
    const e = refusal(() => checkCellBudget(quadratic([100000, 100000]), limits, { size: 'spec.game.dims' }));
    expect(e.field).toBe('spec.game.dims');
    expect(e.problem).toMatch(
      /^a cell needs ~\d+ GiB \(d = 200,000: dense 200,000 x 200,000 matrices\), above the cell memory limit 4 GiB set by the default limit \(SGN_MAX_CELL_MEMORY\); shrink dims or raise SGN_MAX_CELL_MEMORY$/,
    );
  });

  it('accepts [2500, 2500] (measured: ~0.7 GiB peak)', () => {
    expect(() => checkCellBudget(quadratic([2500, 2500]), limits, { size: 'spec.game.dims' })).not.toThrow();
  });

  it('names the larger of steps and seeds when the runs are too much work', () => {
    const shape: CellShape = {
      ...quadratic([2, 2]),
      runs: { steps: 1e11, seeds: 1e5, evaluationsPerStep: 1, what: 'euler' },
    };
    const fields = { size: 'spec.game.dims', steps: 'spec.stepsize.steps', seeds: 'spec.stepsize.seeds' };
    const e = refusal(() => checkCellBudget(shape, limits, fields));
    expect(e.field).toBe('spec.stepsize.steps');
    expect(e.problem).toContain(
      'above the cell work limit 1e12 set by the default limit (SGN_MAX_CELL_WORK)',
    );
    expect(e.problem).toContain('steps 1e11 x seeds 100000 x euler');
    const seeds = refusal(() =>
      checkCellBudget({ ...shape, runs: { ...shape.runs!, steps: 1000, seeds: 1e9 } }, limits, fields),
    );
    expect(seeds.field).toBe('spec.stepsize.seeds');
    // So many starts do not even fit in memory: the seeds are named for that too.
    const starts = refusal(() =>
      checkCellBudget({ ...shape, runs: { ...shape.runs!, steps: 1, seeds: 1e12 } }, limits, fields),
    );
    expect(starts.field).toBe('spec.stepsize.seeds');
    expect(starts.problem).toContain('(1,000,000,000,000 starts of d = 4), above the cell memory limit');
  });

  it('a lower limit from the environment refuses what the default allows', () => {
    const low = budgetLimits(settings({ SGN_MAX_CELL_MEMORY: '100MB' }), {}, MACHINE);
    const e = refusal(() => checkCellBudget(quadratic([1000, 1000]), low, { size: 'game.dims' }));
    expect(e.problem).toContain('above the cell memory limit 95.4 MiB set by SGN_MAX_CELL_MEMORY');
  });
});

describe('game files', () => {
  it('reads the shape from every spec form without building the game', () => {
    expect(gameShape(parseGameSpec({ family: 'quadratic', generator: 'clean', dims: [3, 4, 5] }))).toEqual({
      family: 'quadratic',
      dims: [3, 4, 5],
      build: 'clean',
      sizeField: 'dims',
    });
    expect(gameShape(parseGameSpec({ family: 'markov' })).dims).toEqual([4, 4]);
    expect(
      gameShape(parseGameSpec({ family: 'quadratic', Q1: [[1]], Q2: [[1], [0]].slice(0, 1), R: [[0]] })),
    ).toMatchObject({ dims: [1, 1], sizeField: 'Q1' });
  });

  it('the sampler comes from the flag, else the file, else the default', () => {
    const tanh = parseGameSpec({ family: 'tanh', dims: [2, 2], Q: [1, 1] });
    expect(gameFileShape(tanh, {}).points).toBe(1);
    expect(gameFileShape(tanh, { region: true }).points).toBe(81);
    expect(gameFileShape(tanh, { region: true, sampler: 'grid:5' }).points).toBe(625);
    expect(gameFileShape(tanh, { regionSection: { kind: 'box', radius: 1, sampler: 'centre' } }).points).toBe(
      1,
    );
    // Unparsable: counted as the most the samplers allow (the command then refuses it itself).
    expect(gameFileShape(tanh, { region: true, sampler: 'nonsense' }).points).toBe(65536);
  });

  it('refuses a huge tanh game naming game.dims, and huge simulate runs naming --steps', () => {
    const huge = parseGameSpec({ family: 'tanh', dims: [100000, 100000], Q: [1, 1] });
    expect(refusal(() => checkGameFileBudget(huge, { region: true }, NO_ENV, MACHINE)).field).toBe(
      'game.dims',
    );
    const small = parseGameSpec({ family: 'quadratic', preset: 'scalar', mu1: 1, mu2: 1, a: 0, b: 0 });
    expect(() =>
      checkGameFileBudget(small, { runs: { steps: 10000, seeds: 32, integrator: 'euler' } }, NO_ENV, MACHINE),
    ).not.toThrow();
    expect(
      refusal(() =>
        checkGameFileBudget(small, { runs: { steps: 1e7, seeds: 1e5, integrator: 'rk4' } }, NO_ENV, MACHINE),
      ).field,
    ).toBe('--steps');
  });
});

describe('resolveSpec checks the budget before anything runs', () => {
  const baseDir = process.cwd();
  const random = (dims: number[]) => ({ family: 'quadratic', generator: 'random', dims, seed: 1 });
  // The machine's own default (min(4 GiB, half its memory)) would make these tests depend on it.
  const opts = { baseDir, maxCellMemory: 4 * GiB };

  it('refuses dims [100000, 100000] naming spec.game.dims and the limit', () => {
    const e = refusal(() => resolveSpec({ kind: 'certify', game: random([100000, 100000]) }, opts));
    expect(e.field).toBe('spec.game.dims');
    expect(e.problem).toContain(
      '(d = 200,000: dense 200,000 x 200,000 matrices), above the cell memory limit 4 GiB',
    );
    expect(e.problem).toContain('set by the maxCellMemory option; shrink dims or raise SGN_MAX_CELL_MEMORY');
  });

  it('refuses a huge tanh game before building it (its region needs the dimension only)', () => {
    const game = { family: 'tanh', dims: [100000, 100000], Q: [1, 1] };
    const e = refusal(() => resolveSpec({ kind: 'certify', game, region: 'box:0.5' }, opts));
    expect(e.field).toBe('spec.game.dims');
  });

  it('refuses stepsize steps 1e11 x seeds 1e5 naming spec.stepsize.steps', () => {
    const spec = {
      kind: 'stepsize',
      game: random([2, 2]),
      stepsize: { integrators: ['euler'], multipliers: [1], steps: 1e11, seeds: 100000 },
    };
    const e = refusal(() => resolveSpec(spec, opts));
    expect(e.field).toBe('spec.stepsize.steps');
    expect(e.problem).toContain('steps 1e11 x seeds 100000 x integrators euler x 1 multiplier,');
    expect(e.problem).toContain(
      'above the cell work limit 1e12 set by the default limit (SGN_MAX_CELL_WORK)',
    );
  });

  it('accepts dims [2500, 2500] (certify takes ~40 s and ~0.7 GiB) and the default step-size runs', () => {
    const r = resolveSpec({ kind: 'certify', game: random([2500, 2500]) }, opts);
    expect(r.totalCells).toBe(1);
    const s = resolveSpec(
      {
        kind: 'stepsize',
        game: random([32, 32]),
        stepsize: { integrators: ['euler', 'rk4'], multipliers: [1, 2] },
      },
      opts,
    );
    expect(s.stepsize?.steps).toBe(400);
  });

  it('SGN_MAX_CELL_MEMORY and SGN_MAX_CELL_WORK apply through the settings; bad values are refused naming them', () => {
    const spec = { kind: 'certify', game: random([500, 500]) };
    const under = (env: Env) => ({ baseDir, settings: settings(env) });
    expect(refusal(() => resolveSpec(spec, under({ SGN_MAX_CELL_MEMORY: '64MB' }))).problem).toContain(
      'set by SGN_MAX_CELL_MEMORY',
    );
    expect(() => resolveSpec(spec, under({ SGN_MAX_CELL_MEMORY: '1GB' }))).not.toThrow();
    expect(
      refusal(() => resolveSpec(spec, under({ SGN_MAX_CELL_MEMORY: '1GB', SGN_MAX_CELL_WORK: '1e6' })))
        .problem,
    ).toContain('set by SGN_MAX_CELL_WORK');
    expect(refusal(() => under({ SGN_MAX_CELL_MEMORY: '1GB', SGN_MAX_CELL_WORK: 'fast' })).field).toBe(
      'SGN_MAX_CELL_WORK',
    );
    // The process's environment is not read behind the caller's back: only the settings count.
    const saved = process.env.SGN_MAX_CELL_MEMORY;
    process.env.SGN_MAX_CELL_MEMORY = '64MB';
    try {
      expect(() => resolveSpec(spec, { baseDir })).not.toThrow();
    } finally {
      if (saved === undefined) delete process.env.SGN_MAX_CELL_MEMORY;
      else process.env.SGN_MAX_CELL_MEMORY = saved;
    }
  });

  it('the per-cell estimate of a resolved sweep (for sizing a compute thread) counts its samples', () => {
    const r = resolveSpec(
      {
        kind: 'certify',
        game: { family: 'tanh', dims: [100, 100], Q: [1, 1] },
        region: { kind: 'box', radius: 0.1, sampler: 'random:100' },
      },
      opts,
    );
    // 100 Jacobians of 200 x 200 doubles and their SIMD copies on top of the rest.
    expect(estimateSweepCellMemory(r)).toBeGreaterThan(CELL_OVERHEAD_BYTES + 8 * 200 * 200 * 200);
    expect(estimateSweepCellMemory(r)).toBeLessThan(CELL_OVERHEAD_BYTES + 8 * 210 * 200 * 200);
  });
});
