import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGame } from '../sgn/games/build.js';
import { parseGameSpec } from '../formats/game-file.js';
import { cellAt } from './cells.js';
import { hashedPart, resolveSpec, resolveSpecFile, sweepIdFor } from './resolve.js';

const examples = new URL('../examples/', import.meta.url).pathname;

describe('examples', () => {
  it('lq64-certify: 61 lambdas x 161 ratios = 9821 cells, ratio fastest', () => {
    const r = resolveSpecFile(join(examples, 'lq64-certify.yaml'));
    expect(r.kind).toBe('certify');
    expect(r.totalCells).toBe(9821);
    expect(r.gameCells).toBe(61);
    expect(r.axes.map((a) => [a.name, a.length])).toEqual([
      ['lambda', 61],
      ['ratio', 161],
    ]);
    expect(r.weights).toEqual({ kind: 'ratio' });
    expect(r.gameFile).toBe('games/lq64.json');
    // The game file is inlined: workers need no file system.
    expect('Q1' in r.game && r.game.Q1.length).toBe(32);
    expect('a' in r.game && [r.game.a, r.game.b]).toEqual([10, 0.05]);
  });

  it('lq64-stepsize: 61 cells at the optimal weights', () => {
    const r = resolveSpecFile(join(examples, 'lq64-stepsize.yaml'));
    expect(r.totalCells).toBe(61);
    expect(r.weights).toEqual({ kind: 'optimal' });
    expect(r.stepsize?.integrators).toEqual(['euler', 'rk4']);
    expect(r.stepsize?.multipliers).toEqual([0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 4]);
  });

  it('small: at most 200 cells of a buildable 2-player game', () => {
    const r = resolveSpecFile(join(examples, 'small.yaml'));
    expect(r.totalCells).toBe(144);
    expect(sweepIdFor(r)).toBe('small-demo');
    const g = buildGame(cellAt(r, 143).game);
    expect(g.blocks.dim).toBe(8);
  });
});

describe("paper-random-suite: the paper's 30 seeds x 7 lambdas", () => {
  it("resolves to 210 cells whose games are the seeds' paper-random games", () => {
    const r = resolveSpecFile(join(examples, 'paper', 'random-suite.yaml'));
    expect(r.totalCells).toBe(210);
    expect(r.axes.map((a) => [a.name, a.length])).toEqual([
      ['seed', 30],
      ['lambda', 7],
    ]);
    const last = cellAt(r, 209);
    expect(last.game).toMatchObject({ generator: 'paper-random', seed: 41345, lambda: 2.5, a: 10, b: 0.05 });
    const direct = buildGame(
      parseGameSpec({ family: 'quadratic', generator: 'paper-random', seed: 41345, lambda: 2.5 }),
    );
    expect(buildGame(last.game).linear!.H.data).toEqual(direct.linear!.H.data);
    // Seeds differ: the first cell's game is another draw.
    expect(buildGame(cellAt(r, 0).game).linear!.H.data).not.toEqual(direct.linear!.H.data);
  });
});

describe('markov: the Fisher convention in a sweep', () => {
  it('passes game.fisher through to every cell (default: the paper convention, no field)', () => {
    const base = { kind: 'certify', game: { family: 'markov', tau: { values: [0.5, 1] } } };
    const plain = resolveSpec(base, { baseDir: '.' });
    const option = resolveSpec(
      { ...base, game: { ...base.game, fisher: { blockRegularisation: 1e-3 } } },
      { baseDir: '.' },
    );
    expect(cellAt(plain, 1).game).not.toHaveProperty('fisher');
    expect(cellAt(option, 1).game).toMatchObject({ tau: 1, fisher: { blockRegularisation: 1e-3 } });
    // A different sweep: the game is part of what its id hashes.
    expect(option.specHash).not.toBe(plain.specHash);
    // The default convention is hashed as written out: equal to an explicit 0, and unlike the
    // hash of the same spec before the default changed (which had no such field).
    const explicit = resolveSpec(
      { ...base, game: { ...base.game, fisher: { blockRegularisation: 0 } } },
      { baseDir: '.' },
    );
    expect(explicit.specHash).toBe(plain.specHash);
    expect(hashedPart(plain)).toMatchObject({ game: { fisher: { blockRegularisation: 0 } } });
    expect(() =>
      resolveSpec({ ...base, game: { ...base.game, fisher: { blockRegularisation: -1 } } }, { baseDir: '.' }),
    ).toThrow(/fisher\.blockRegularisation/);
  });
});

describe('resolved sweeps', () => {
  const raw = {
    name: 'Coupling / Ratio study!',
    kind: 'both',
    game: {
      family: 'quadratic',
      generator: 'random',
      dims: [2, 3],
      seed: { values: [1, 2] },
      lambda: { range: [0, 1, 0.25] },
    },
    weights: { ratio: { values: [0.5, 2] } },
    stepsize: { integrators: ['rk4'], multipliers: { geomspace: [0.5, 2, 3] } },
  };

  it('is plain JSON (survives a JSON round trip unchanged)', () => {
    const r = resolveSpec(raw, { baseDir: '.' });
    expect(JSON.parse(JSON.stringify(r))).toStrictEqual(r);
  });

  it('orders game axes as written, then ratio; substitutes first values into a valid base game', () => {
    const r = resolveSpec(raw, { baseDir: '.' });
    expect(r.axes.map((a) => a.name)).toEqual(['seed', 'lambda', 'ratio']);
    expect(r.totalCells).toBe(2 * 4 * 2);
    expect(r.gameCells).toBe(8);
    expect(parseGameSpec(r.game)).toEqual(r.game);
    expect(r.game).toMatchObject({ seed: 1, lambda: 0, mu0: 1, coupling: 1 });
    expect(r.stepsize?.multipliers).toEqual([0.5, 1, 2]);
  });

  it('hashes deterministically; id, name and execution do not change the hash', () => {
    const a = resolveSpec(raw, { baseDir: '.' });
    const b = resolveSpec(JSON.parse(JSON.stringify(raw)), { baseDir: '.' });
    expect(a.specHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.specHash).toBe(a.specHash);
    const renamed = resolveSpec(
      { ...raw, name: 'other', id: 'x1', execution: { concurrency: 9 } },
      { baseDir: '.' },
    );
    expect(renamed.specHash).toBe(a.specHash);
    const changed = resolveSpec({ ...raw, weights: { ratio: { values: [0.5, 3] } } }, { baseDir: '.' });
    expect(changed.specHash).not.toBe(a.specHash);
  });

  it('sweepIdFor: the id, or a slug of the name plus the hash prefix', () => {
    const r = resolveSpec(raw, { baseDir: '.' });
    expect(sweepIdFor(r)).toBe(`coupling-ratio-study-${r.specHash.slice(0, 10)}`);
    const { name: _name, ...unnamed } = raw;
    const u = resolveSpec(unnamed, { baseDir: '.' });
    expect(sweepIdFor(u)).toBe(`sweep-${u.specHash.slice(0, 10)}`);
    expect(sweepIdFor(resolveSpec({ ...raw, id: 'fixed.id-1' }, { baseDir: '.' }))).toBe('fixed.id-1');
    expect(sweepIdFor(r)).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/);
  });

  it('game.file is resolved relative to baseDir and overridden by spec fields', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgn-sweep-resolve-'));
    writeFileSync(
      join(dir, 'g.json'),
      JSON.stringify({ family: 'quadratic', Q1: [[1]], Q2: [[2]], R: [[1]], a: 3, lambda: 7 }),
    );
    writeFileSync(
      join(dir, 'spec.yaml'),
      'kind: certify\ngame:\n  file: g.json\n  b: 0.25\n  lambda: {values: [0.5, 1]}\n',
    );
    const r = resolveSpecFile(join(dir, 'spec.yaml'));
    expect(r.game).toMatchObject({ a: 3, b: 0.25, lambda: 0.5 });
    expect(cellAt(r, 1).game).toMatchObject({ a: 3, b: 0.25, lambda: 1 });
    expect(r.totalCells).toBe(2);
  });
});
