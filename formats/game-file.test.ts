import { describe, expect, it } from 'vitest';
import { parseGameSpec } from './game-file.js';
import { buildGame } from '../sgn/games/build.js';
import { get } from '../sgn/linalg/matrix.js';
import { InputError } from '../sgn/util/errors.js';

function errorOf(input: unknown): string {
  try {
    parseGameSpec(input);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

const ok2 = {
  family: 'quadratic',
  dims: [1, 1],
  H: [
    [1, 2],
    [0.1, 1],
  ],
};

describe('parseGameSpec', () => {
  it('accepts the three quadratic forms and builds H', () => {
    const g = buildGame(parseGameSpec(ok2));
    expect(get(g.J(new Float64Array(2)), 0, 1)).toBe(2);
    const two = buildGame(
      parseGameSpec({ family: 'quadratic', Q1: [[1]], Q2: [[2]], R: [[1]], a: 3, b: 0.5, lambda: 2 }),
    );
    expect(Array.from(two.linear!.H.data)).toEqual([1, 6, 1, 2]);
    const gen = buildGame(
      parseGameSpec({ family: 'quadratic', generator: 'clean', dims: [2, 3, 1], seed: 1 }),
    );
    expect(gen.blocks.dim).toBe(6);
  });

  it.each([
    [{ ...ok2, family: 'cubic' }, 'game.family: unknown family "cubic"'],
    [{ dims: [1, 1], H: [[1]] }, 'game.family: is required'],
    [{ ...ok2, H: [[1, 2], [3]] }, 'game.H[1]: has 1 entries, expected 2'],
    [
      {
        ...ok2,
        H: [
          [1, 2, 3],
          [1, 2, 3],
        ],
      },
      'game.H: must be square, got 2x3',
    ],
    [{ ...ok2, dims: [1, 2] }, 'game.dims: add up to 3 but H is 2x2'],
    [{ ...ok2, dims: [2] }, 'game.dims: a game needs at least 2 players'],
    [{ ...ok2, dims: [1, 0] }, 'game.dims[1]: must be positive'],
    [
      {
        ...ok2,
        H: [
          [1, 'x'],
          [0, 1],
        ],
      },
      'game.H[0][1]',
    ],
    [
      {
        ...ok2,
        H: [
          [1, Infinity],
          [0, 1],
        ],
      },
      'game.H[0][1]',
    ],
    [
      {
        ...ok2,
        H: [
          [1, NaN],
          [0, 1],
        ],
      },
      'game.H[0][1]',
    ],
    [{ ...ok2, extra: 1 }, 'game.extra: unknown field'],
    [{ ...ok2, c: [1] }, 'game.c: has 1 entries, expected 2'],
    [{ family: 'quadratic', Q1: [[1]], Q2: [[1]], R: [[1, 2]] }, 'game.R: has 2 columns, expected 1'],
    [{ family: 'quadratic', generator: 'weird', dims: [1, 1] }, 'game.generator'],
    [
      { family: 'quadratic', generator: 'clean', dims: [1, 1], coupling: [[0, 1]] },
      'game.coupling: has 1 rows, expected 2',
    ],
    [[1, 2], 'game: must be an object'],
  ])('rejects %j with a message naming the field', (input, expected) => {
    expect(errorOf(input)).toContain(expected);
  });
});
