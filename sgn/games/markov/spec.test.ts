import { describe, expect, it } from 'vitest';
import { InputError } from '../../util/errors.js';
import { buildMarkovGame, markovTables } from './spec.js';
import { parseMarkovSpec } from '../../../formats/markov-file.js';
import { markovModel, paperTables } from './model.js';
import { randomTables } from './test-games.js';
import { readFileSync } from 'node:fs';
import { parseGameSpec } from '../../../formats/game-file.js';
import { buildGame } from '../build.js';

function errorOf(obj: Record<string, unknown>): InputError {
  try {
    parseMarkovSpec(obj, 'game');
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('markov game spec', () => {
  it('defaults to the paper game', () => {
    const spec = parseMarkovSpec({ family: 'markov' });
    expect(markovModel(markovTables(spec))).toEqual(markovModel(paperTables()));
    const game = buildMarkovGame(spec);
    expect(game.family).toBe('markov');
    expect(game.blocks.dims).toEqual([4, 4]);
  });

  it('the shared game-spec parser and builder dispatch to the markov family; the example file is the paper game', () => {
    const file: unknown = JSON.parse(
      readFileSync(new URL('../../../examples/games/markov-coordination.json', import.meta.url), 'utf8'),
    );
    const spec = parseGameSpec(file);
    expect(spec.family).toBe('markov');
    const game = buildGame(spec);
    expect(game.family).toBe('markov');
    const x = Float64Array.from({ length: 8 }, (_, k) => Math.sin(k + 1));
    expect(game.F(x)).toEqual(buildMarkovGame(parseMarkovSpec({ family: 'markov' })).F(x));
    expect(() => parseGameSpec({ family: 'markov', gamma: 2 })).toThrow(/game\.gamma/);
  });

  it('the paper game written out in full is the default', () => {
    const t = paperTables();
    const spec = parseMarkovSpec({
      family: 'markov',
      states: 2,
      actions: 2,
      gamma: 0.9,
      tau: 1,
      P: t.P,
      R: t.R,
      start: [1, 0],
    });
    expect(markovModel(markovTables(spec))).toEqual(markovModel(t));
  });

  it('accepts a general game and infers its size from P', () => {
    const t = randomTables(3, 4, 5);
    const game = buildMarkovGame(parseMarkovSpec({ family: 'markov', ...t }));
    expect(game.model.states).toBe(3);
    expect(game.model.actions).toBe(4);
    expect(game.blocks.dims).toEqual([12, 12]);
    expect(Array.from(game.model.R[1])).not.toEqual(Array.from(game.model.R[0]));
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['unknown field', { family: 'markov', foo: 1 }, 'game.foo', /unknown field/],
    ['gamma = 1', { family: 'markov', gamma: 1 }, 'game.gamma', /\[0, 1\)/],
    ['negative tau', { family: 'markov', tau: -1 }, 'game.tau', />= 0/],
    ['one action', { family: 'markov', actions: 1 }, 'game.actions', /at least 2/],
    ['size without tables', { family: 'markov', states: 3 }, 'game.P', /required/],
    [
      'row not a distribution',
      {
        family: 'markov',
        P: [
          [
            [
              [0.9, 0.1],
              [0.5, 0.5],
            ],
            [
              [0.5, 0.5],
              [0.1, 0.8],
            ],
          ],
          [
            [
              [0.9, 0.1],
              [0.5, 0.5],
            ],
            [
              [0.5, 0.5],
              [0.1, 0.9],
            ],
          ],
        ],
      },
      'game.P[0][1][1]',
      /sum to 1/,
    ],
    [
      'negative probability',
      {
        family: 'markov',
        P: [
          [
            [
              [1.1, -0.1],
              [0.5, 0.5],
            ],
            [
              [0.5, 0.5],
              [0.1, 0.9],
            ],
          ],
          [
            [
              [0.9, 0.1],
              [0.5, 0.5],
            ],
            [
              [0.5, 0.5],
              [0.1, 0.9],
            ],
          ],
        ],
      },
      'game.P[0][0][0][0]',
      /\[0, 1\]/,
    ],
    [
      'P with a missing state',
      {
        family: 'markov',
        states: 2,
        P: [
          [
            [
              [1, 0],
              [1, 0],
            ],
            [
              [1, 0],
              [1, 0],
            ],
          ],
        ],
      },
      'game.P',
      /expected 2/,
    ],
    [
      'short reward row',
      {
        family: 'markov',
        R: [
          [[1, -1], [-1]],
          [
            [1, -1],
            [-1, 1],
          ],
        ],
      },
      'game.R[0][1]',
      /expected 2/,
    ],
    [
      'R2 with a wrong shape',
      {
        family: 'markov',
        R2: [
          [
            [1, -1],
            [-1, 1],
          ],
        ],
      },
      'game.R2',
      /expected 2/,
    ],
    [
      'non-finite reward',
      {
        family: 'markov',
        R: [
          [
            [1, -1],
            [-1, 1],
          ],
          [
            [1, -1],
            [-1, 1e300],
          ],
        ],
      },
      'game.R[1][1][1]',
      /at most/,
    ],
    ['start not a distribution', { family: 'markov', start: [0.5, 0.4] }, 'game.start', /sum to 1/],
    ['start of the wrong length', { family: 'markov', start: [1] }, 'game.start', /expected 2/],
    [
      'non-boolean normalisedReturn',
      { family: 'markov', normalisedReturn: 'yes' },
      'game.normalisedReturn',
      /boolean/,
    ],
  ])('rejects %s, naming %s', (_what, obj, field, problem) => {
    const e = errorOf(obj);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(problem);
  });
});
