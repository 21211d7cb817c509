/**
 * The `paper-random` generator against the paper's own code (LQ_GAMES/random_suite.py of
 * AashVed/SmallGainNash): scripts/reference/paper_random_games.py runs generate_random_game and
 * run_random_suite and prints what they give; the test compares with that output live when
 * SGN_PAPER_CODE points at a checkout of the paper's code (and NumPy is there), and always with the
 * stored copy testdata/paper-random.json.
 *
 * Games (the suite's 30 seeds at d = 32 + 32, and 1+1, 3+4, 5+6, 20+20, 150+150 with other mu0 and
 * seeds): the normal draws are NumPy's bit for bit (sgn/random); Q_i and R differ from NumPy's by
 * rounding only. Tolerances: Q_i entries 1e-14 max|diag Q_i|, R entries 1e-14 (||R|| = 1),
 * lambda_min(Q_i) 1e-15 ||Q_i||_F (seen: 3e-16, 4e-16 and 1e-16 of those).
 * Certificates (seeds 12345 .. 15345 at the suite's seven lambdas, balanced weights (b/a, 1)):
 * mu, L, gamma_euc, alpha_sgn, alpha_true, beta and the SGN steps to 1e-9 relative (1e-12
 * absolute); the exact RK4 threshold lies in the suite's grid cell [h_grid, h_grid + 4 / (79 beta)).
 */
import { describe, expect, it } from 'vitest';
import { loadStored, runPythonReference, type LiveReference } from '../../test/support/python-reference.js';
import type { DenseMatrix } from '../linalg/matrix.js';
import { certify } from '../certificate.js';
import { buildGame } from './build.js';
import { paperRandomBlocks } from './generators.js';
import { PAPER_RANDOM_DEFAULTS } from './spec.js';
import { parseGameSpec } from '../../formats/game-file.js';
import { InputError } from '../util/errors.js';

interface GameRef {
  d1: number;
  d2: number;
  mu0: number;
  seed: number;
  Q1row0: number[];
  Q1diag: number[];
  Q2rowLast: number[];
  Q2diag: number[];
  Rrow0: number[];
  RcolLast: number[];
  Q1frob: number;
  Q2frob: number;
  Rfrob: number;
  mu1: number;
  mu2: number;
  Rnorm: number;
}
interface CertRow {
  seed: number;
  lam: number;
  mu1: number;
  mu2: number;
  L12: number;
  L21: number;
  gamma_euc: number;
  alpha_sgn: number;
  alpha_true: number;
  beta: number;
  rk4_step: number;
  euler_step: number;
  h_stab_rk4_grid: number;
  h_grid_step: number;
}
interface PaperRef {
  numpy: string;
  paperCommit: string | null;
  defaults: { d1: number; d2: number; mu0: number; a: number; b: number; seed: number };
  games: GameRef[];
  full: { seed: number; Q1: number[][]; Q2: number[][]; R: number[][] };
  certificates: { weights: [number, number]; rows: CertRow[] };
}

const stored = loadStored<PaperRef>('sgn/games/testdata/paper-random.json');
const live: LiveReference<PaperRef> = process.env.SGN_PAPER_CODE
  ? runPythonReference<PaperRef>('paper_random_games.py')
  : { ok: false, reason: 'SGN_PAPER_CODE is not set' };
const sources: [string, PaperRef][] = [[`stored (paper ${stored.paperCommit?.slice(0, 7)})`, stored]];
if (live.ok) sources.push([`live (paper ${live.data.paperCommit?.slice(0, 7) ?? 'copy'})`, live.data]);
else console.warn(`paper-random: comparing with the stored values only (${live.reason})`);

const row = (m: DenseMatrix, r: number): number[] => [...m.data.subarray(r * m.cols, (r + 1) * m.cols)];
const col = (m: DenseMatrix, c: number): number[] =>
  Array.from({ length: m.rows }, (_, r) => m.data[r * m.cols + c]);
const diag = (m: DenseMatrix): number[] => Array.from({ length: m.rows }, (_, r) => m.data[r * m.cols + r]);
const frob = (m: DenseMatrix): number => Math.hypot(...m.data);

function within(actual: readonly number[], expected: readonly number[], tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const err = Math.max(0, ...actual.map((v, k) => Math.abs(v - expected[k])));
  if (!(err <= tol)) expect.fail(`${what}: max error ${err.toExponential(2)} > ${tol.toExponential(2)}`);
}

function close(actual: number, expected: number, what: string, rel = 1e-9, abs = 1e-12): void {
  const err = Math.abs(actual - expected);
  if (!(err <= abs || err <= rel * Math.abs(expected)))
    expect.fail(`${what}: got ${actual}, expected ${expected} (error ${err.toExponential(2)})`);
}

describe('paper-random: the spec', () => {
  it("defaults to the paper's GameConfig and accepts overrides", () => {
    const d = stored.defaults;
    const spec = parseGameSpec({ family: 'quadratic', generator: 'paper-random' });
    expect(spec).toMatchObject({ dims: [d.d1, d.d2], mu0: d.mu0, a: d.a, b: d.b, seed: d.seed, lambda: 1 });
    expect(PAPER_RANDOM_DEFAULTS).toMatchObject({
      dims: [d.d1, d.d2],
      a: d.a,
      b: d.b,
      mu0: d.mu0,
      seed: d.seed,
    });
    const over = parseGameSpec({
      family: 'quadratic',
      generator: 'paper-random',
      dims: [3, 4],
      a: 2,
      b: 0.5,
      mu0: 0.1,
      lambda: 0.3,
      seed: 7,
    });
    expect(over).toMatchObject({ dims: [3, 4], a: 2, b: 0.5, mu0: 0.1, lambda: 0.3, seed: 7 });
  });

  it.each([
    [{ seed: -1 }, 'game.seed', /NumPy seed/],
    [{ seed: 1.5 }, 'game.seed', /integer/],
    [{ dims: [2, 2, 2] }, 'game.dims', /exactly 2 blocks/],
    [{ coupling: 1 }, 'game.coupling', /./],
  ])('rejects %j', (extra, field, says) => {
    let err: unknown;
    try {
      parseGameSpec({ family: 'quadratic', generator: 'paper-random', ...extra });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).field).toBe(field);
    expect((err as InputError).message).toMatch(says);
  });

  it('names every generator when one is unknown', () => {
    expect(() => parseGameSpec({ family: 'quadratic', generator: 'weird', dims: [1, 1] })).toThrow(
      /clean, random, paper-random/,
    );
  });
});

describe.each(sources)('paper-random against the paper code: %s', (_name, ref) => {
  it('draws the games of generate_random_game (35 games, 7 shapes)', () => {
    expect(ref.games.length).toBeGreaterThanOrEqual(35);
    for (const g of ref.games) {
      const at = `d = ${g.d1}+${g.d2}, mu0 = ${g.mu0}, seed ${g.seed}`;
      const { Q1, Q2, R } = paperRandomBlocks(g.d1, g.d2, g.mu0, g.seed);
      const q = 1e-14 * Math.max(...g.Q1diag, ...g.Q2diag);
      within(row(Q1, 0), g.Q1row0, q, `${at}: Q1 row 0`);
      within(diag(Q1), g.Q1diag, q, `${at}: diag Q1`);
      within(row(Q2, g.d2 - 1), g.Q2rowLast, q, `${at}: Q2 last row`);
      within(diag(Q2), g.Q2diag, q, `${at}: diag Q2`);
      within(row(R, 0), g.Rrow0, 1e-14, `${at}: R row 0`);
      within(col(R, g.d2 - 1), g.RcolLast, 1e-14, `${at}: R last column`);
      close(frob(Q1), g.Q1frob, `${at}: ||Q1||_F`, 1e-14);
      close(frob(Q2), g.Q2frob, `${at}: ||Q2||_F`, 1e-14);
      close(frob(R), g.Rfrob, `${at}: ||R||_F`, 1e-14);
      const game = buildGame(
        parseGameSpec({
          family: 'quadratic',
          generator: 'paper-random',
          dims: [g.d1, g.d2],
          mu0: g.mu0,
          seed: g.seed,
        }),
      );
      const mu = game.linear!.knownBounds!.mu;
      close(mu[0], g.mu1, `${at}: lambda_min(Q1)`, 0, 1e-15 * g.Q1frob);
      close(mu[1], g.mu2, `${at}: lambda_min(Q2)`, 0, 1e-15 * g.Q2frob);
      close(g.Rnorm, 1, `${at}: the reference's ||R||_2`, 0, 1e-14);
    }
  });

  it(`seed ${ref.full.seed}: every entry of Q1, Q2, R and the assembled H`, () => {
    const { full, defaults: d } = ref;
    const lambda = 1.25;
    const game = buildGame(
      parseGameSpec({ family: 'quadratic', generator: 'paper-random', lambda, seed: full.seed }),
    );
    const H = game.linear!.H;
    const n = d.d1 + d.d2;
    const block = (r0: number, c0: number, rows: number, cols: number, scale = 1): number[] =>
      Array.from(
        { length: rows * cols },
        (_, k) => H.data[(r0 + Math.floor(k / cols)) * n + c0 + (k % cols)] / scale,
      );
    const qTol = 1e-14 * Math.max(...full.Q1.map((r, i) => r[i]), ...full.Q2.map((r, i) => r[i]));
    within(block(0, 0, d.d1, d.d1), full.Q1.flat(), qTol, 'Q1');
    within(block(d.d1, d.d1, d.d2, d.d2), full.Q2.flat(), qTol, 'Q2');
    within(block(0, d.d1, d.d1, d.d2, lambda * d.a), full.R.flat(), 1e-14, 'H_12 / (lambda a)');
    const Rt = full.R[0].map((_, j) => full.R.map((r) => r[j]));
    within(block(d.d1, 0, d.d2, d.d1, lambda * d.b), Rt.flat(), 1e-14, 'H_21 / (lambda b)');
  });

  it('certificates as run_random_suite computes them (seeds 12345 .. 15345, 7 lambdas)', () => {
    const { weights, rows } = ref.certificates;
    expect(rows.length).toBeGreaterThanOrEqual(28);
    for (const r of rows) {
      const at = `seed ${r.seed}, lambda ${r.lam}`;
      const game = buildGame(
        parseGameSpec({ family: 'quadratic', generator: 'paper-random', seed: r.seed, lambda: r.lam }),
      );
      const c = certify(game, { weights, groundTruth: 'always' });
      close(c.mu[0], r.mu1, `${at}: mu1`);
      close(c.mu[1], r.mu2, `${at}: mu2`);
      close(c.L[0][1], r.L12, `${at}: L12`);
      close(c.L[1][0], r.L21, `${at}: L21`);
      close(c.gammaEuclidean, r.gamma_euc, `${at}: gamma_euc`);
      close(c.alpha, r.alpha_sgn, `${at}: alpha_sgn`);
      close(c.linear!.alphaTrue, r.alpha_true, `${at}: alpha_true`);
      close(c.beta, r.beta, `${at}: beta`);
      close(c.rk4Step, r.rk4_step, `${at}: rk4 step`);
      close(c.eulerStep, r.euler_step, `${at}: euler step`);
      expect(c.certified, at).toBe(r.alpha_sgn > 0);
      const h = c.linear!.hStabRk4!;
      if (!(h >= r.h_stab_rk4_grid && h < r.h_stab_rk4_grid + r.h_grid_step))
        expect.fail(
          `${at}: exact RK4 threshold ${h} outside the suite's grid cell [${r.h_stab_rk4_grid}, +${r.h_grid_step})`,
        );
    }
  });
});
