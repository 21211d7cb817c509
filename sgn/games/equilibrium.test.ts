import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../util/errors.js';
import { regionFields } from '../regions/region.js';
import { resolveRegion } from '../regions/resolve.js';
import { splitGameFile } from '../../formats/region-section.js';
import { buildGame } from './build.js';
import { parseGameSpec } from '../../formats/game-file.js';
import { findEquilibrium } from './equilibrium.js';
import type { Game } from './game.js';

const tanh = buildGame(
  parseGameSpec(
    splitGameFile(
      JSON.parse(readFileSync(new URL('../../examples/games/tanh-2p.json', import.meta.url), 'utf8')),
    ).game,
  ),
);
const norm = (v: Float64Array): number => Math.hypot(...v);

function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('findEquilibrium', () => {
  it('linear games: H x = -c (checked by the residual of F, computed independently of the solve)', () => {
    const g = buildGame(
      parseGameSpec({
        family: 'quadratic',
        dims: [1, 2],
        H: [
          [2, 1, 0],
          [0.5, 3, -1],
          [1, 0, 4],
        ],
        c: [1, -2, 3],
      }),
    );
    const eq = findEquilibrium(g);
    expect(eq.iterations).toBe(0);
    expect(norm(g.F(eq.x))).toBeLessThan(1e-14);
  });

  it('tanh: Newton from the origin reaches F = 0 to rounding level, in a handful of steps', () => {
    const eq = findEquilibrium(tanh);
    expect(eq.residual).toBeLessThan(1e-11);
    expect(norm(tanh.F(eq.x))).toBe(eq.residual);
    expect(eq.iterations).toBeLessThan(30);
    // Saturated couplings: every coordinate sits near 2, where tanh is flat.
    for (const v of eq.x) expect(v).toBeGreaterThan(1.5);
    // J(x*) is nonsingular there: Newton converges quadratically from a nearby start.
    const again = findEquilibrium(tanh, { start: eq.x.map((v) => v + 0.1) });
    for (let a = 0; a < 4; a++) expect(again.x[a]).toBeCloseTo(eq.x[a], 10);
    expect(again.iterations).toBeLessThanOrEqual(6);
  });

  it('a region without a centre is around the equilibrium; a given centre is kept as it is', () => {
    const r = resolveRegion({ kind: 'box', radii: [0.5] }, tanh, regionFields('game.region'));
    expect(r.centreSource).toBe('equilibrium');
    expect(norm(tanh.F(r.centre))).toBeLessThan(1e-11);
    const given = resolveRegion(
      { kind: 'ball', radii: [1], centre: [1, 2, 3, 4] },
      tanh,
      regionFields('game.region'),
    );
    expect(Array.from(given.centre)).toEqual([1, 2, 3, 4]);
    expect(given.radii).toEqual([1, 1]);
  });

  it('no equilibrium (|c| beyond the saturated coupling): an InputError naming the centre field', () => {
    // F_i = 2 tanh(x_j) + 3 has no zero.
    const g = buildGame(
      parseGameSpec({
        family: 'tanh',
        dims: [1, 1],
        Q: [0, 0],
        couplings: [
          { i: 1, j: 2, A: [[2]] },
          { i: 2, j: 1, A: [[2]] },
        ],
        c: [3, 3],
      }),
    );
    const e = inputError(() => resolveRegion({ kind: 'box', radii: [1] }, g, regionFields('game.region')));
    expect(e.field).toBe('game.region.centre');
    expect(e.problem).toMatch(/Newton from the origin .* give a centre/);
  });

  it('singular H, wrong centre and start lengths, bad radii: errors name their fields', () => {
    const singular: Game = buildGame(
      parseGameSpec({
        family: 'quadratic',
        dims: [1, 1],
        H: [
          [1, 1],
          [1, 1],
        ],
        c: [1, 0],
      }),
    );
    expect(inputError(() => findEquilibrium(singular, { field: 'game.region.centre' })).field).toBe(
      'game.region.centre',
    );
    const f = regionFields('game.region');
    const cases: [() => unknown, string, RegExp][] = [
      [
        () => resolveRegion({ kind: 'box', radii: [1], centre: [1, 2] }, tanh, f),
        'game.region.centre',
        /has 2 entries, expected 4/,
      ],
      [
        () => resolveRegion({ kind: 'box', radii: [1], start: [0] }, tanh, f),
        'game.region.start',
        /expected 4/,
      ],
      [
        () => resolveRegion({ kind: 'ball', radii: [1, 2] }, tanh, f),
        'game.region.radius',
        /a ball has one radius/,
      ],
      [
        () => resolveRegion({ kind: 'box', radii: [1, 2, 3] }, tanh, f),
        'game.region.radius',
        /has 3 radii, expected 1 or 2/,
      ],
      [() => resolveRegion({ kind: 'box', radii: [0.1, -2] }, tanh, f), 'game.region.radius', /got -2/],
    ];
    for (const [run, field, says] of cases) {
      const e = inputError(run);
      expect(e.field).toBe(field);
      expect(e.problem).toMatch(says);
    }
  });
});
