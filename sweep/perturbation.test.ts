/**
 * The perturbation section of a sweep: eps and trial as axes, expanded deterministically (two
 * independent resolves, and the stored JSON a worker reads, give every cell the same params, key
 * and game, bit for bit), the draws each stream assigns, validation naming the field, and the
 * paper's noise study (examples/paper/noise-robustness.yaml) computed by the sweep's own cell code
 * against every trial of the paper's code (sgn/games/testdata/paper-noise.json, from
 * scripts/reference/paper_noise.py; tolerance 1e-9 relative, 1e-12 absolute, as there).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGame } from '../sgn/games/build.js';
import type { QuadraticSpec } from '../sgn/games/spec.js';
import { InputError } from '../sgn/util/errors.js';
import { loadStored } from '../test/support/python-reference.js';

/** The part of scripts/reference/paper_noise.py's output read here. */
interface NoiseStudy {
  study: {
    means: { ratio: number[] };
    trials: { eps: number; trial: number; alpha_true: number; alpha_sgn: number }[];
  };
}
import { gameParamName, gameSlice } from './axes.js';
import { canonicalJson } from './canonical.js';
import { cellAt, gameKey } from './cells.js';
import { certifyRange } from './compute.js';
import { resolveSpec, resolveSpecFile } from './resolve.js';
import type { ResolvedSweep } from './resolved.js';

const examples = new URL('../examples/', import.meta.url).pathname;
const noiseSpec = join(examples, 'paper', 'noise-robustness.yaml');
const perturbationOf = (r: ResolvedSweep, i: number) => (cellAt(r, i).game as QuadraticSpec).perturbation;

const base = (perturbation: Record<string, unknown>, game: Record<string, unknown> = {}) => ({
  kind: 'certify',
  game: {
    family: 'quadratic',
    generator: 'clean',
    dims: [3, 3],
    coupling: 0.5,
    seed: 1,
    ...game,
    perturbation,
  },
  weights: { fixed: [1, 1] },
});

describe("the paper's noise study as a sweep", () => {
  it('resolves to 11 eps x 12 trials, eps-major draws of one stream', () => {
    const r = resolveSpecFile(noiseSpec);
    expect(r.totalCells).toBe(132);
    expect(r.axes.map((a) => [a.name, a.target, a.length])).toEqual([
      ['eps', 'perturbation', 11],
      ['trial', 'perturbation', 12],
    ]);
    expect(r.perturbation).toEqual({ stream: 'shared', seed: 13122, trials: 12, trial: 0 });
    expect(gameParamName(r)).toBe('eps');
    for (const i of [0, 1, 11, 12, 57, 131]) {
      const c = cellAt(r, i);
      const epsIndex = Math.floor(i / 12);
      expect(c.params).toEqual({ eps: expect.closeTo(epsIndex / 10, 15), trial: i % 12 });
      expect(perturbationOf(r, i)).toEqual({
        eps: c.params.eps,
        seed: 13122,
        draw: epsIndex * 12 + (i % 12),
        structure: 'coupling',
        mode: 'mix',
      });
      expect(gameSlice(r, c.params, 'eps')).toBe(`trial=${i % 12}`);
    }
    expect(cellAt(r, 131).params.eps).toBe(1);
  });

  const ref = loadStored<NoiseStudy>('sgn/games/testdata/paper-noise.json');
  it("every cell's margins are the paper's trial (sweep cell code on the stored sweep)", async () => {
    const study = ref.study;
    // As a worker has it: the resolved sweep read back from its stored JSON.
    const r = JSON.parse(JSON.stringify(resolveSpecFile(noiseSpec))) as ResolvedSweep;
    const rows = await certifyRange(r, 0, r.totalCells);
    expect(rows).toHaveLength(study.trials.length);
    rows.forEach((row, i) => {
      const t = study.trials[i];
      const at = `cell ${i} (eps ${t.eps}, trial ${t.trial})`;
      expect(row.error ?? null, at).toBeNull();
      expect(cellAt(r, i).params, at).toEqual({ eps: expect.closeTo(t.eps, 15), trial: t.trial });
      for (const [got, want, what] of [
        [row.alpha, t.alpha_sgn, 'alpha_sgn'],
        [row.alphaTrue, t.alpha_true, 'alpha_true'],
      ] as const) {
        const err = Math.abs((got as number) - want);
        if (!(err <= 1e-12 || err <= 1e-9 * Math.abs(want)))
          expect.fail(`${at}: ${what} ${got}, the paper's ${want}`);
      }
      expect(row.certified, at).toBe(t.alpha_sgn > 0);
    });
    // The figure's curve: mean alpha_true / mean alpha_sgn per eps, as the paper saved it.
    for (let e = 0; e < 11; e++) {
      const cells = rows.slice(e * 12, e * 12 + 12);
      const mean = (k: 'alpha' | 'alphaTrue') => cells.reduce((s, c) => s + (c[k] as number), 0) / 12;
      expect(mean('alphaTrue') / mean('alpha')).toBeCloseTo(study.means.ratio[e], 9);
    }
  }, 300_000);
});

describe('perturbation axes expand deterministically', () => {
  it('two independent resolves and the stored JSON give every cell the same params, key and game', () => {
    const a = resolveSpecFile(noiseSpec);
    const b = resolveSpecFile(noiseSpec);
    const stored = JSON.parse(JSON.stringify(a)) as ResolvedSweep;
    expect(b.specHash).toBe(a.specHash);
    for (let i = 0; i < a.totalCells; i++) {
      const ca = cellAt(a, i);
      for (const other of [b, stored]) {
        const co = cellAt(other, i);
        expect(co.key).toBe(ca.key);
        expect(canonicalJson(co.params)).toBe(canonicalJson(ca.params));
        expect(canonicalJson(co.game)).toBe(canonicalJson(ca.game));
        expect(gameKey(other, i)).toBe(gameKey(a, i));
      }
    }
    // Cells in any order (a worker takes any batch) build bit-for-bit the same H.
    for (const i of [131, 0, 77, 12]) {
      const ha = buildGame(cellAt(a, i).game).linear!.H.data;
      const hs = buildGame(cellAt(stored, i).game).linear!.H.data;
      expect(Buffer.from(hs.buffer).equals(Buffer.from(ha.buffer))).toBe(true);
    }
    // Distinct cells are distinct games.
    expect(new Set(Array.from({ length: a.totalCells }, (_, i) => gameKey(a, i))).size).toBe(132);
  });

  it('another process (as another worker) resolves and builds the same cells, bit for bit', () => {
    const cells = [0, 57, 131];
    const summary = (r: ResolvedSweep, i: number): string => {
      const c = cellAt(r, i);
      const H = buildGame(c.game).linear!.H.data;
      const h = createHash('sha256')
        .update(Buffer.from(H.buffer, H.byteOffset, H.byteLength))
        .digest('hex');
      return `${c.key} ${canonicalJson(c.params)} ${h}`;
    };
    const here = resolveSpecFile(noiseSpec);
    const root = new URL('..', import.meta.url).pathname;
    // The same three steps in a fresh Node process: resolve the spec file, decode, build, hash.
    const code = `
      import { createHash } from 'node:crypto';
      import { resolveSpecFile } from '${root}sweep/resolve.ts';
      import { cellAt } from '${root}sweep/cells.ts';
      import { canonicalJson } from '${root}sweep/canonical.ts';
      import { buildGame } from '${root}sgn/games/build.ts';
      const r = resolveSpecFile(${JSON.stringify(noiseSpec)});
      for (const i of ${JSON.stringify(cells)}) {
        const c = cellAt(r, i);
        const H = buildGame(c.game).linear.H.data;
        const h = createHash('sha256').update(Buffer.from(H.buffer, H.byteOffset, H.byteLength)).digest('hex');
        console.log(c.key + ' ' + canonicalJson(c.params) + ' ' + h);
      }`;
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      encoding: 'utf8',
      cwd: root,
    });
    expect(out.stderr).toBe('');
    expect(out.stdout.trim().split('\n')).toEqual(cells.map((i) => summary(here, i)));
  }, 60_000);

  it('per-trial stream: trial t draws from default_rng(seed + t), the same E at every eps', () => {
    const r = resolveSpec(base({ eps: { values: [0, 0.1, 0.2] }, trial: { values: [3, 5] }, seed: 100 }), {
      baseDir: '.',
    });
    expect(r.totalCells).toBe(6);
    expect(perturbationOf(r, 0)).toMatchObject({
      eps: 0,
      seed: 103,
      draw: 0,
      structure: 'full',
      mode: 'add',
    });
    expect(perturbationOf(r, 5)).toMatchObject({ eps: 0.2, seed: 105, draw: 0 });
    // H(eps) - H(0) = eps E with the trial's own E: (H(0.2) - H0) = 2 (H(0.1) - H0).
    const H = (i: number) => buildGame(cellAt(r, i).game).linear!.H.data;
    const [h0, h1, h2] = [H(1), H(3), H(5)];
    h0.forEach((v, k) => expect(h2[k] - v).toBeCloseTo(2 * (h1[k] - v), 14));
    expect(H(0)).toEqual(h0); // eps 0: the unperturbed game for both trials
  });

  it('a fixed eps with trials as the only axis; stream and seed change the hash', () => {
    const r = resolveSpec(base({ eps: 0.3, trial: { range: [0, 4, 1] } }), { baseDir: '.' });
    expect(r.axes.map((a) => a.name)).toEqual(['trial']);
    expect(perturbationOf(r, 2)).toMatchObject({ eps: 0.3, seed: 2, draw: 0 });
    const shared = resolveSpec(base({ eps: 0.3, trial: { range: [0, 4, 1] }, stream: 'shared' }), {
      baseDir: '.',
    });
    expect(perturbationOf(shared, 2)).toMatchObject({ eps: 0.3, seed: 0, draw: 2 });
    expect(shared.specHash).not.toBe(r.specHash);
    const seeded = resolveSpec(base({ eps: 0.3, trial: { range: [0, 4, 1] }, seed: 1 }), { baseDir: '.' });
    expect(seeded.specHash).not.toBe(r.specHash);
  });

  it('combines with game axes: lambda, then eps and trial', () => {
    const r = resolveSpec(
      base({ eps: { linspace: [0, 1, 3] }, trial: { range: [0, 2, 1] } }, { lambda: { values: [0.5, 1] } }),
      { baseDir: '.' },
    );
    expect(r.axes.map((a) => a.name)).toEqual(['lambda', 'eps', 'trial']);
    expect(cellAt(r, 11).params).toEqual({ lambda: 1, eps: 1, trial: 1 });
    expect(cellAt(r, 11).game).toMatchObject({ lambda: 1, perturbation: { eps: 1, seed: 1 } });
  });
});

describe('perturbation section: bad values name the field', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['eps missing', base({ trial: 0 }), 'spec.game.perturbation.eps', /required/],
    ['eps negative', base({ eps: -0.1 }), 'spec.game.perturbation.eps', />= 0/],
    [
      'eps axis negative',
      base({ eps: { values: [0, 0.1, -1] } }),
      'spec.game.perturbation.eps',
      /value -1 \(index 2\): must be >= 0/,
    ],
    [
      'mix eps above 1',
      base({ eps: { linspace: [0, 1.5, 4] }, structure: 'coupling', mode: 'mix' }),
      'spec.game.perturbation.eps',
      /value 1.5 \(index 3\).*\[0, 1\]/,
    ],
    [
      'trial not an integer',
      base({ eps: 0.1, trial: { values: [0, 0.5] } }),
      'spec.game.perturbation.trial',
      /not an integer/,
    ],
    [
      'trial negative',
      base({ eps: 0.1, trial: { values: [1, -2] } }),
      'spec.game.perturbation.trial',
      />= 0/,
    ],
    ['trial fixed negative', base({ eps: 0.1, trial: -1 }), 'spec.game.perturbation.trial', />= 0/],
    [
      'shared trials not 0..n-1',
      base({ eps: 0.1, trial: { values: [1, 2] }, stream: 'shared' }),
      'spec.game.perturbation.trial',
      /0, 1/,
    ],
    ['seed negative', base({ eps: 0.1, seed: -3 }), 'spec.game.perturbation.seed', /NumPy seed/],
    [
      'stream unknown',
      base({ eps: 0.1, stream: 'fresh' }),
      'spec.game.perturbation.stream',
      /per-trial, shared/,
    ],
    [
      'structure unknown',
      base({ eps: 0.1, structure: 'own' }),
      'spec.game.perturbation.structure',
      /full, coupling/,
    ],
    ['mix on full', base({ eps: 0.1, mode: 'mix' }), 'spec.game.perturbation.structure', /must be coupling/],
    [
      'draw is not written in a sweep',
      base({ eps: 0.1, draw: 2 }),
      'spec.game.perturbation.draw',
      /unknown field/,
    ],
    [
      'shared draws out of reach',
      base(
        { eps: { linspace: [0, 1, 1000] }, trial: { range: [0, 1000, 1] }, stream: 'shared' },
        { dims: [20, 20] },
      ),
      'spec.game.perturbation.trial',
      /trial 999 at eps index 999: .*discards/,
    ],
    [
      'tanh family',
      {
        kind: 'certify',
        game: { file: 'games/tanh-2p.json', perturbation: { eps: 0.1 } },
        region: { kind: 'box', radius: 0.5 },
      },
      'spec.game.perturbation',
      /quadratic family only/,
    ],
  ];
  it.each(cases)('%s', (_what, raw, field, says) => {
    let err: unknown;
    try {
      resolveSpec(raw, { baseDir: examples, maxCells: 10_000_000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).field).toBe(field);
    expect((err as InputError).message).toMatch(says);
  });
});
