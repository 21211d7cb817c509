import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../config/config.js';
import { InputError } from '../sgn/util/errors.js';
import { resolveSpec, type ResolveOptions } from './resolve.js';

const dir = mkdtempSync(join(tmpdir(), 'sgn-sweep-spec-'));
writeFileSync(
  join(dir, 'g2.json'),
  JSON.stringify({ family: 'quadratic', Q1: [[1]], Q2: [[2]], R: [[1]], a: 3 }),
);
writeFileSync(join(dir, 'bad.json'), JSON.stringify({ family: 'quadratic', Q1: 'x', Q2: [[2]], R: [[1]] }));
writeFileSync(join(dir, 'list.json'), '[1, 2]');
writeFileSync(join(dir, 'broken.json'), '{"family": ');

const game2 = {
  family: 'quadratic',
  Q1: [[1]],
  Q2: [[1]],
  R: [[1]],
  a: 2,
  b: 0.5,
  lambda: { linspace: [0, 1, 5] },
};
const game3 = { family: 'quadratic', generator: 'clean', dims: [1, 1, 1], lambda: { values: [0.1, 0.2] } };
const certify = { kind: 'certify', game: game2, weights: { ratio: { geomspace: [0.1, 10, 5] } } };
const stepsize = {
  kind: 'stepsize',
  game: game2,
  stepsize: { integrators: ['euler', 'rk4'], multipliers: [0.5, 1] },
};

type Raw = Record<string, unknown>;
const withGame = (extra: Raw, base: Raw = game2): Raw => ({ ...certify, game: { ...base, ...extra } });
const withStep = (extra: Raw): Raw => ({ ...stepsize, stepsize: { ...stepsize.stepsize, ...extra } });
const yamlSpec = (text: string): unknown => parseYaml(text, { schema: 'core' });

function errorOf(raw: unknown, opts: Partial<ResolveOptions> = {}): string {
  try {
    resolveSpec(raw, { baseDir: dir, ...opts });
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('valid specs', () => {
  it('resolve with defaults', () => {
    const r = resolveSpec(certify, { baseDir: dir });
    expect(r.totalCells).toBe(25);
    expect(r.certify).toEqual({ c4: 2.5, groundTruth: 'auto' });
    expect(r.execution).toEqual({
      batchSize: 200,
      concurrency: 4,
      cellTimeout: 900,
      maxAttempts: 10,
      maxWorkerDeaths: 3,
      heartbeatTimeout: 20,
    });
    const s = resolveSpec(stepsize, { baseDir: dir });
    expect(s.stepsize).toEqual({
      integrators: ['euler', 'rk4'],
      multipliers: [0.5, 1],
      steps: 400,
      seeds: 4,
      spread: 1,
      tolerance: 1e-6,
      weights: 'optimal',
    });
    expect(s.weights).toEqual({ kind: 'optimal' });
  });
});

describe('malformed specs name the offending path', () => {
  it.each<[string, () => unknown, string]>([
    ['not an object', () => 'certify', 'spec: must be an object'],
    ['a list', () => [certify], 'spec: must be an object'],
    ['missing kind', () => ({ ...certify, kind: undefined }), 'spec.kind: is required'],
    [
      'bad kind',
      () => ({ ...certify, kind: 'verify' }),
      'spec.kind: must be one of: certify, stepsize, both',
    ],
    ['unknown top-level field', () => ({ ...certify, weigths: 'optimal' }), 'spec.weigths: unknown field'],
    ['missing game', () => ({ kind: 'certify' }), 'spec.game: is required'],
    ['game not an object', () => ({ kind: 'certify', game: 'lq64' }), 'spec.game: must be an object'],
    ['unknown game field', () => withGame({ lamda: 1 }), 'spec.game.lamda: unknown field'],
    [
      'lambda a string',
      () => withGame({ lambda: 'big' }),
      'spec.game.lambda: must be a finite number or an axis',
    ],
    [
      'linspace count not integer',
      () => withGame({ lambda: { linspace: [0, 1, 2.5] } }),
      'spec.game.lambda.linspace[2]: must be an integer',
    ],
    [
      'linspace count zero',
      () => withGame({ lambda: { linspace: [0, 1, 0] } }),
      'spec.game.lambda.linspace[2]: must be a positive integer',
    ],
    [
      'linspace too short',
      () => withGame({ lambda: { linspace: [0, 1] } }),
      'spec.game.lambda.linspace: must have exactly 3 entries [start, stop, count]',
    ],
    [
      'range not a list',
      () => withGame({ lambda: { range: 'x' } }),
      'spec.game.lambda.range: must be a list [start, stop, step]',
    ],
    [
      'linspace with a string',
      () => withGame({ lambda: { linspace: [0, '1', 3] } }),
      'spec.game.lambda.linspace[1]: must be a finite number',
    ],
    [
      'YAML .nan in an axis',
      () =>
        yamlSpec(
          'kind: certify\ngame: {family: quadratic, Q1: [[1]], Q2: [[1]], R: [[1]], lambda: {linspace: [0, .nan, 5]}}',
        ),
      'spec.game.lambda.linspace[1]: must be a finite number',
    ],
    [
      'YAML .inf as a scalar',
      () => yamlSpec('kind: certify\ngame: {family: quadratic, Q1: [[1]], Q2: [[1]], R: [[1]], a: .inf}'),
      'spec.game.a: must be a finite number',
    ],
    [
      'YAML -.inf in values',
      () =>
        yamlSpec(
          'kind: certify\ngame: {family: quadratic, Q1: [[1]], Q2: [[1]], R: [[1]], b: {values: [1, -.inf]}}',
        ),
      'spec.game.b.values[1]: must be a finite number',
    ],
    [
      'reversed range',
      () => withGame({ lambda: { range: [1, 0, 0.1] } }),
      'spec.game.lambda.range: is empty or reversed',
    ],
    [
      'range step zero',
      () => withGame({ lambda: { range: [0, 1, 0] } }),
      'spec.game.lambda.range[2]: step must not be zero',
    ],
    [
      'empty values',
      () => withGame({ lambda: { values: [] } }),
      'spec.game.lambda.values: must list at least one value',
    ],
    [
      'repeated values',
      () => withGame({ lambda: { values: [1, 2, 1] } }),
      'spec.game.lambda.values[2]: repeats the value at index 0',
    ],
    [
      'constant linspace',
      () => withGame({ lambda: { linspace: [1, 1, 4] } }),
      'spec.game.lambda.linspace: start equals stop',
    ],
    [
      'two axis kinds',
      () => withGame({ lambda: { linspace: [0, 1, 3], values: [1] } }),
      'spec.game.lambda: has both',
    ],
    [
      'empty axis object',
      () => withGame({ lambda: {} }),
      'spec.game.lambda: must be an axis: {values: [...]}',
    ],
    [
      'unknown axis field',
      () => withGame({ lambda: { linspace: [0, 1, 3], step: 1 } }),
      'spec.game.lambda.step: unknown field',
    ],
    [
      'geomspace through zero',
      () => withGame({ a: { geomspace: [0, 1, 3] } }),
      'spec.game.a.geomspace[0]: must be > 0',
    ],
    ['seed not integer', () => withGame({ seed: 1.5 }, game3), 'spec.game.seed: must be an integer'],
    [
      'seed axis with fractions',
      () => ({ ...withGame({ seed: { linspace: [0, 10, 4] } }, game3), weights: 'optimal' }),
      'spec.game.seed: value 3.3333333333333335 (index 1) is not an integer',
    ],
    [
      'coupling a string',
      () => withGame({ coupling: 'strong' }, game3),
      'spec.game.coupling: must be a finite number, an N x N matrix or an axis',
    ],
    ['game without family', () => withGame({ family: undefined }), 'spec.game.family: is required'],
    ['matrix of the wrong type', () => withGame({ Q1: 'eye' }), 'spec.game.Q1:'],
    [
      'lambda axis in the explicit form',
      () =>
        withGame(
          { lambda: { values: [1, 2] } },
          {
            family: 'quadratic',
            dims: [1, 1],
            H: [
              [1, 0],
              [0, 1],
            ],
          },
        ),
      'spec.game.lambda: unknown field',
    ],
    [
      'mu0 axis in the Q1/Q2 form',
      () => withGame({ mu0: { values: [1, 2] } }),
      'spec.game.mu0: is informational',
    ],
    [
      'a axis in the generator form',
      () => withGame({ a: { values: [1, 2] } }, game3),
      'spec.game.a: unknown field',
    ],
    [
      'ratio with 3 players',
      () => ({ ...certify, game: game3 }),
      'spec.weights.ratio: needs a 2-player game (r = w2/w1), but the game has 3 players',
    ],
    [
      'ratio through zero',
      () => ({ ...certify, weights: { ratio: { linspace: [0, 1, 3] } } }),
      'spec.weights.ratio.linspace[0]: must be > 0',
    ],
    [
      'negative ratio value',
      () => ({ ...certify, weights: { ratio: { values: [1, -2] } } }),
      'spec.weights.ratio.values[1]: must be > 0',
    ],
    [
      'ratio range reaching 0',
      () => ({ ...certify, weights: { ratio: { range: [1, -1, -0.5] } } }),
      'spec.weights.ratio.range: reaches -0.5',
    ],
    [
      'zero fixed weight',
      () => ({ ...certify, weights: { fixed: [1, 0] } }),
      'spec.weights.fixed[1]: must be > 0',
    ],
    [
      'fixed weights vs players',
      () => ({ ...certify, weights: { fixed: [1, 2, 3] } }),
      'spec.weights.fixed: has 3 weights but the game has 2 players',
    ],
    [
      'fixed weights vs 3 players',
      () => ({ ...certify, game: game3, weights: { fixed: [1, 2] } }),
      'spec.weights.fixed: has 2 weights but the game has 3 players',
    ],
    ['unknown weights keyword', () => ({ ...certify, weights: 'best' }), "spec.weights: must be 'optimal'"],
    ['weights a number', () => ({ ...certify, weights: 2 }), "spec.weights: must be 'optimal', {fixed"],
    [
      'fixed and ratio together',
      () => ({ ...certify, weights: { fixed: [1, 1], ratio: { values: [1] } } }),
      'spec.weights.ratio: unknown field',
    ],
    [
      'stepsize missing',
      () => ({ ...stepsize, stepsize: undefined }),
      'spec.stepsize: is required when kind is "stepsize"',
    ],
    [
      'both without stepsize',
      () => ({ ...certify, kind: 'both' }),
      'spec.stepsize: is required when kind is "both"',
    ],
    [
      'stepsize in a certify sweep',
      () => ({ ...certify, stepsize: stepsize.stepsize }),
      'spec.stepsize: is only used when kind is "stepsize" or "both"',
    ],
    [
      'stepsize with swept weights',
      () => ({ ...stepsize, weights: certify.weights }),
      'spec.weights: must be \'optimal\' when kind is "stepsize"',
    ],
    ['zero multiplier', () => withStep({ multipliers: [1, 0] }), 'spec.stepsize.multipliers[1]: must be > 0'],
    [
      'negative multiplier axis',
      () => withStep({ multipliers: { linspace: [-1, 1, 3] } }),
      'spec.stepsize.multipliers.linspace[0]: must be > 0',
    ],
    [
      'repeated multiplier',
      () => withStep({ multipliers: [1, 1] }),
      'spec.stepsize.multipliers[1]: repeats the value at index 0',
    ],
    [
      'step axis missing',
      () => withStep({ multipliers: undefined }),
      'spec.stepsize: needs a step axis: h (absolute steps',
    ],
    [
      'too many multipliers',
      () => withStep({ multipliers: { linspace: [0.1, 10, 2000] } }),
      'spec.stepsize.multipliers: has 2000 values',
    ],
    [
      'no integrators',
      () => withStep({ integrators: [] }),
      'spec.stepsize.integrators: must list at least one integrator',
    ],
    [
      'repeated integrator',
      () => withStep({ integrators: ['euler', 'euler'] }),
      'spec.stepsize.integrators[1]: repeats "euler"',
    ],
    [
      'unknown integrator',
      () => withStep({ integrators: ['rk2'] }),
      'spec.stepsize.integrators[0]: must be one of: euler, rk4',
    ],
    ['fractional steps', () => withStep({ steps: 2.5 }), 'spec.stepsize.steps: must be an integer'],
    ['negative spread', () => withStep({ spread: -1 }), 'spec.stepsize.spread: must be > 0'],
    [
      'misspelt stepsize field',
      () => withStep({ integrator: ['euler'] }),
      'spec.stepsize.integrator: unknown field',
    ],
    [
      'stepsize weights not optimal',
      () => withStep({ weights: 'fixed' }),
      "spec.stepsize.weights: must be 'optimal'",
    ],
    ['negative c4', () => ({ ...certify, certify: { c4: -1 } }), 'spec.certify.c4: must be > 0'],
    [
      'bad groundTruth',
      () => ({ ...certify, certify: { groundTruth: 'sometimes' } }),
      'spec.certify.groundTruth: must be one of: auto, always, never',
    ],
    [
      'batch size zero',
      () => ({ ...certify, execution: { batchSize: 0 } }),
      'spec.execution.batchSize: must be a positive integer',
    ],
    [
      'batch size too large',
      () => ({ ...certify, execution: { batchSize: 200_000 } }),
      'spec.execution.batchSize: must be at most 100000',
    ],
    [
      'concurrency too large',
      () => ({ ...certify, execution: { concurrency: 300 } }),
      'spec.execution.concurrency: must be at most 256',
    ],
    ['bad id', () => ({ ...certify, id: 'my sweep!' }), 'spec.id: must match'],
    ['id a number', () => ({ ...certify, id: 7 }), 'spec.id: must be a string'],
    ['maxCells zero', () => ({ ...certify, maxCells: 0 }), 'spec.maxCells: must be a positive integer'],
    [
      'over the spec cell limit',
      () => ({ ...certify, maxCells: 10 }),
      'spec: the sweep has 25 cells (lambda 5 x ratio 5), over the limit of 10 set by spec.maxCells',
    ],
    ['missing game file', () => withGame({ file: 'nope.json' }), 'spec.game.file: nope.json: cannot be read'],
    [
      'game file not JSON',
      () => withGame({ file: 'broken.json' }),
      'spec.game.file: broken.json: is not valid JSON',
    ],
    [
      'game file not an object',
      () => withGame({ file: 'list.json' }),
      'spec.game.file: list.json must hold a game object',
    ],
    ['bad field inside the game file', () => ({ ...certify, game: { file: 'bad.json' } }), 'spec.game.Q1:'],
  ])('%s', (_label, make, expected) => {
    expect(errorOf(make())).toContain(expected);
  });

  it('points at the game file when the bad field came from it', () => {
    expect(errorOf({ ...certify, game: { file: 'bad.json' } })).toMatch(
      /^spec\.game\.Q1: .*\(in the game file bad\.json\)$/,
    );
  });

  it('applies the cell limit: option over spec over SGN_MAX_CELLS over the default', () => {
    const huge = withGame({ lambda: { linspace: [0, 1, 100_000] } });
    huge.weights = { ratio: { geomspace: [0.1, 10, 100] } };
    expect(errorOf(huge)).toContain(
      'spec: the sweep has 10,000,000 cells (lambda 100000 x ratio 100), over the limit of 5,000,000 set by the default limit',
    );
    // SGN_MAX_CELLS reaches resolveSpec in the settings built at start-up (config/config.ts).
    const settings = loadConfig({ SGN_MAX_CELLS: '20' });
    expect(errorOf(certify, { settings })).toContain('over the limit of 20 set by SGN_MAX_CELLS');
    expect(resolveSpec({ ...certify, maxCells: 25 }, { baseDir: dir, settings }).cellLimit).toBe(25);
    expect(errorOf({ ...certify, maxCells: 100 }, { maxCells: 24, settings })).toContain(
      'over the limit of 24 set by the maxCells option',
    );
    expect(() => loadConfig({ SGN_MAX_CELLS: 'lots' })).toThrow(
      'SGN_MAX_CELLS: must be a positive integer, got "lots"',
    );
  });

  it('reports an exact count even beyond 2^53, axes in spec order', () => {
    const axis = { linspace: [0, 1, 2 ** 40] };
    // game2 lists a before lambda; 5 * 2^80 cells.
    expect(errorOf(withGame({ lambda: axis, a: axis }))).toContain(
      'the sweep has 6,044,629,098,073,145,873,530,880 cells (a 1099511627776 x lambda 1099511627776 x ratio 5)',
    );
  });
});
