/** The tanh and scalar-preset game specs: accepted forms and every refusal naming its field. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../sgn/util/errors.js';
import { get } from '../sgn/linalg/matrix.js';
import { FAMILIES, parseGameSpec } from './game-file.js';
import { playerCount } from '../sgn/games/spec.js';
import { buildGame } from '../sgn/games/build.js';

function refusal(input: unknown): InputError {
  try {
    parseGameSpec(input);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

const tanh = {
  family: 'tanh',
  dims: [1, 2],
  Q: [
    2,
    [
      [1, 0],
      [0, 3],
    ],
  ],
  couplings: [{ i: 1, j: 2, A: [[1, -1]] }],
};
const toy = { family: 'quadratic', preset: 'scalar', mu1: 1, mu2: 2, a: 3, b: 0.5 };

describe('family dispatch', () => {
  it('knows quadratic and tanh', () => {
    expect(FAMILIES).toEqual(expect.arrayContaining(['quadratic', 'tanh']));
    expect(refusal({ family: 'cubic' }).problem).toMatch(/unknown family "cubic" \(known: .*quadratic.*tanh/);
    expect(refusal({ family: 7 }).field).toBe('game.family');
  });
});

describe('scalar preset', () => {
  it('builds H = [[mu1, a], [b, mu2]] with one coordinate per player', () => {
    const spec = parseGameSpec(toy);
    expect(playerCount(spec)).toBe(2);
    const H = buildGame(spec).linear!.H;
    expect(Array.from(H.data)).toEqual([1, 3, 0.5, 2]);
  });
  it.each([
    [{ ...toy, preset: 'vector' }, 'game.preset', /unknown preset/],
    [{ ...toy, mu1: undefined }, 'game.mu1', /expected number/],
    [{ ...toy, dims: [1, 1] }, 'game.dims', /unknown field/],
    [{ ...toy, a: 'x' }, 'game.a', /expected number/],
  ])('refuses %j naming %s', (input, field, says) => {
    const e = refusal(input);
    expect(e.field).toBe(field);
    expect(e.problem).toMatch(says);
  });
});

describe('tanh spec', () => {
  it('accepts q for q I, matrices, missing couplings, kappa defaults to 0', () => {
    const spec = parseGameSpec(tanh);
    expect(playerCount(spec)).toBe(2);
    const g = buildGame(spec);
    const J = g.J(new Float64Array(3));
    expect(get(J, 0, 0)).toBe(2);
    expect(get(J, 2, 2)).toBe(3);
    expect(get(J, 0, 2)).toBe(-1); // A_12 sech^2(0) = A_12
    expect(get(J, 1, 0)).toBe(0); // no A_21 given
  });
  it.each([
    [{ ...tanh, Q: [1] }, 'game.Q', /has 1 entries, expected 2/],
    [{ ...tanh, Q: [1, [[1, 0]]] }, 'game.Q[1]', /has 1 rows, expected 2/],
    [{ ...tanh, Q: [1, 'x'] }, 'game.Q[1]', /must be a number \(q for q I\) or a square matrix/],
    [
      { ...tanh, couplings: [{ i: 3, j: 1, A: [[1]] }] },
      'game.couplings[0].i',
      /player 3 but the game has 2/,
    ],
    [{ ...tanh, couplings: [{ i: 2, j: 2, A: [[1]] }] }, 'game.couplings[0].j', /must differ from i/],
    [{ ...tanh, couplings: [{ i: 0, j: 1, A: [[1]] }] }, 'game.couplings[0].i', /must be positive/],
    [
      { ...tanh, couplings: [tanh.couplings[0], tanh.couplings[0]] },
      'game.couplings[1]',
      /repeats the pair \(1, 2\)/,
    ],
    [{ ...tanh, couplings: [{ i: 2, j: 1, A: [[1, 2]] }] }, 'game.couplings[0].A', /has 1 rows, expected 2/],
    [{ ...tanh, kappa: [1, 2, 3] }, 'game.kappa', /has 3 entries, expected 2/],
    [{ ...tanh, kappa: 'soft' }, 'game.kappa', /must be a number or a list of numbers/],
    [{ ...tanh, c: [1] }, 'game.c', /has 1 entries, expected 3/],
    [{ ...tanh, dims: [3] }, 'game.dims', /at least 2 players/],
    [{ ...tanh, H: [[1]] }, 'game.H', /unknown field/],
  ])('refuses %j naming %s', (input, field, says) => {
    const e = refusal(input);
    expect(e.field).toBe(field);
    expect(e.problem).toMatch(says);
  });
});
