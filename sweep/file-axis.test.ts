/**
 * game.file as an axis: `{values: [...]}` in the order written, `{glob: ...}` sorted by code unit;
 * every file read at resolution and inlined, so a worker given the stored (JSON) spec computes the
 * same cells; the file's name is the cell's `file` param and keys the cell; each cell's certificate
 * is its file's own; bad inputs refused on one line naming the field.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../sgn/util/errors.js';
import { certify } from '../sgn/certificate.js';
import { buildGame } from '../sgn/games/build.js';
import { parseGameSpec } from '../formats/game-file.js';
import { readGameData } from '../formats/sampled-file.js';
import { resolveSpec, resolveSpecFile } from './resolve.js';
import { cellAt, gameKey, paramsKey } from './cells.js';
import { certifyRange } from './compute.js';
import type { ResolvedSweep } from './resolved.js';

const examples = new URL('../examples/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sgn-file-axis-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Three "checkpoints" of a two-player game: one sample of H each (H's coupling grows), JSON form.
const coupling = { 'ckpt-1.json': 0.2, 'ckpt-10.json': 0.9, 'ckpt-2.json': 2.5 };
mkdirSync(join(dir, 'checkpoints'));
for (const [name, c] of Object.entries(coupling)) {
  const H = [
    [1, 0, c, 0],
    [0, 1, 0, 0],
    [0.5, 0, 1, 0],
    [0, 0, 0, 2],
  ];
  writeFileSync(
    join(dir, 'checkpoints', name),
    JSON.stringify({ family: 'sampled-jacobians', dims: [2, 2], jacobians: [H] }),
  );
}
writeFileSync(join(dir, 'checkpoints', 'notes.txt'), 'not a game');
copyFileSync(join(examples, 'games', 'sampled-2p.npz'), join(dir, 'sampled-2p.npz'));
writeFileSync(
  join(dir, 'quadratic.json'),
  JSON.stringify({
    family: 'quadratic',
    dims: [1, 1],
    H: [
      [1, 0.1],
      [0.1, 1],
    ],
  }),
);

const opts = { baseDir: dir };
const ratio = { geomspace: [0.1, 10, 3] };

function errorOf(raw: Record<string, unknown>): string {
  try {
    resolveSpec(raw, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('game.file as an axis', () => {
  const globbed = resolveSpec(
    { kind: 'certify', game: { file: { glob: 'checkpoints/*.json' } }, weights: { ratio } },
    opts,
  );

  it('a glob lists its matches sorted by code unit, regular game files only', () => {
    const axis = globbed.axes[0];
    expect(axis.name).toBe('file');
    expect(axis.files).toEqual([
      'checkpoints/ckpt-1.json',
      'checkpoints/ckpt-10.json',
      'checkpoints/ckpt-2.json',
    ]);
    expect(globbed.totalCells).toBe(9);
    expect(globbed.gameCells).toBe(3);
    expect(globbed.files?.map((f) => f.name)).toEqual(axis.files);
  });

  it('expands deterministically: twice, and from the stored JSON as a worker reads it', () => {
    const again = resolveSpec(
      { kind: 'certify', game: { file: { glob: 'checkpoints/*.json' } }, weights: { ratio } },
      opts,
    );
    expect(again.specHash).toBe(globbed.specHash);
    const stored = JSON.parse(JSON.stringify(globbed)) as ResolvedSweep;
    for (let i = 0; i < globbed.totalCells; i++) {
      const a = cellAt(globbed, i);
      const b = cellAt(stored, i);
      expect(b.params).toEqual(a.params);
      expect(b.key).toBe(a.key);
      expect(b.game).toEqual(a.game);
      expect(a.key).toBe(paramsKey(a.params));
    }
    expect(cellAt(globbed, 4).params).toEqual({ file: 'checkpoints/ckpt-10.json', ratio: 1 });
    expect(gameKey(globbed, 3)).toBe(gameKey(globbed, 5));
    expect(gameKey(globbed, 2)).not.toBe(gameKey(globbed, 3));
  });

  it("each cell's certificate is its file's own", async () => {
    const rows = await certifyRange(globbed, 0, globbed.totalCells);
    for (const row of rows) {
      expect(row.error).toBeNull();
      const name = row.params.file as string;
      const want = certify(buildGame(parseGameSpec(readGameData(join(dir, name)))), {
        weights: [1, row.ratio ?? 1],
      });
      expect(row.alpha).toBe(want.alpha);
      expect(row.beta).toBe(want.beta);
      expect(row.mu).toEqual(want.mu);
      // game_param (what band maps are drawn against): the file's position in the sorted list.
      expect(row.gameParam).toBe(globbed.axes[0].files?.indexOf(name));
    }
    // L_12 = c: certified for 0.2 and 0.9 (c * 0.5 < 1), not for 2.5.
    expect(rows.filter((r) => r.ratio === 1).map((r) => r.optimalAlpha! > 0)).toEqual([true, true, false]);
  });

  it('{values} keeps the order written and mixes .npz and JSON files of one family', async () => {
    const r = resolveSpec(
      { kind: 'certify', game: { file: { values: ['sampled-2p.npz', 'checkpoints/ckpt-2.json'] } } },
      opts,
    );
    expect(r.axes[0].files).toEqual(['sampled-2p.npz', 'checkpoints/ckpt-2.json']);
    const rows = await certifyRange(r, 0, 2);
    const want = certify(buildGame(parseGameSpec(readGameData(join(dir, 'sampled-2p.npz')))));
    expect(rows[0].optimalAlpha).toBe(want.optimal.alpha);
    expect(rows[0].mu).toEqual(want.mu);
  });

  it('multiplies with a game axis in the order written; every cell is its file at its lambda', async () => {
    const p = join(dir, 'lq');
    mkdirSync(p);
    const twoPlayer = (q: number) => ({ family: 'quadratic', Q1: [[q]], Q2: [[1]], R: [[1]], a: 1, b: 0.5 });
    writeFileSync(join(p, 'q1.json'), JSON.stringify(twoPlayer(1)));
    writeFileSync(join(p, 'q3.json'), JSON.stringify(twoPlayer(3)));
    const r = resolveSpec(
      { kind: 'certify', game: { lambda: { values: [0.5, 2] }, file: { glob: 'lq/*.json' }, b: 0.25 } },
      opts,
    );
    expect(r.axes.map((a) => a.name)).toEqual(['lambda', 'file']);
    const rows = await certifyRange(r, 0, 4);
    expect(rows.map((x) => x.params)).toEqual([
      { lambda: 0.5, file: 'lq/q1.json' },
      { lambda: 0.5, file: 'lq/q3.json' },
      { lambda: 2, file: 'lq/q1.json' },
      { lambda: 2, file: 'lq/q3.json' },
    ]);
    for (const row of rows) {
      const q = row.params.file === 'lq/q1.json' ? 1 : 3;
      const want = certify(buildGame(parseGameSpec({ ...twoPlayer(q), b: 0.25, lambda: row.params.lambda })));
      expect(row.optimalAlpha).toBe(want.optimal.alpha);
      expect(row.mu).toEqual(want.mu);
      expect(row.gameParam).toBe(row.params.lambda); // a numeric game axis is the swept parameter
    }
  });

  it("a file's content is part of the spec's hash", () => {
    const p = join(dir, 'hash');
    mkdirSync(p);
    const game = (c: number) =>
      JSON.stringify({
        family: 'sampled-jacobians',
        dims: [1, 1],
        jacobians: [
          [
            [1, c],
            [0, 1],
          ],
        ],
      });
    writeFileSync(join(p, 'a.json'), game(0.1));
    writeFileSync(join(p, 'b.json'), game(0.2));
    const spec = { kind: 'certify', game: { file: { glob: 'hash/*.json' } } };
    const before = resolveSpec(spec, opts).specHash;
    writeFileSync(join(p, 'b.json'), game(0.3));
    expect(resolveSpec(spec, opts).specHash).not.toBe(before);
  });

  it('the example examples/checkpoints-sweep.yaml resolves to the three committed checkpoints', () => {
    const r = resolveSpecFile(join(examples, 'checkpoints-sweep.yaml'));
    expect(r.axes[0].files).toEqual([
      'checkpoints/step-0100.npz',
      'checkpoints/step-0200.npz',
      'checkpoints/step-0300.npz',
    ]);
    expect(r.totalCells).toBe(3 * 41);
  });
});

describe('bad file axes, one line each', () => {
  it.each([
    [{ glob: 'nothing/*.npz' }, `spec.game.file.glob: "nothing/*.npz" matches no file (relative to ${dir})`],
    [{ values: [] }, 'spec.game.file.values: must list at least one file'],
    [{ values: ['a.json', 'a.json'] }, 'spec.game.file.values[1]: repeats "a.json"'],
    [{ values: ['sampled-2p.npz', 'missing.json'] }, /^spec\.game\.file: missing\.json: cannot be read/],
    [
      { values: ['sampled-2p.npz', 'quadratic.json'] },
      'spec.game.file: quadratic.json is a quadratic game but sampled-2p.npz is sampled-jacobians; the files of an axis are one family',
    ],
    [{ linspace: [0, 1, 3] }, /^spec\.game\.file: must be a file name, \{values/],
  ])('%j', (file, want) => {
    const message = errorOf({ kind: 'certify', game: { file } });
    if (typeof want === 'string') expect(message).toBe(want);
    else expect(message).toMatch(want);
  });

  it('a file axis bounded by the input limit (all files together) and by the cell limit', () => {
    const spec = { kind: 'certify', game: { file: { glob: 'checkpoints/*.json' } } };
    const message = (o: object): string => {
      try {
        resolveSpec(spec, { ...opts, ...o });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(message({ settings: { maxInputBytes: 300 } })).toMatch(
      /^spec\.game\.file: the files up to checkpoints\/ckpt-\d+\.json hold \d+ bytes, over the input limit of 300 \(SGN_MAX_INPUT_BYTES\) for a file axis together/,
    );
    expect(message({ maxCells: 2 })).toBe(
      'spec.game.file: lists 3 files, over the cell limit of 2 set by the maxCells option',
    );
  });

  it('a sampled-jacobians sweep takes no region and runs no trajectories', () => {
    expect(errorOf({ kind: 'certify', game: { file: 'sampled-2p.npz' }, region: 'box:0.5' })).toMatch(
      /^spec\.region: does not apply to a sampled-jacobians game/,
    );
    expect(
      errorOf({
        kind: 'stepsize',
        game: { file: 'sampled-2p.npz' },
        stepsize: { integrators: ['euler'], multipliers: [0.5] },
      }),
    ).toMatch(/^spec\.kind: must be "certify" for a sampled-jacobians game/);
  });
});
