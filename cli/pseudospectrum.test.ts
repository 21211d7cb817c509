// `sgn pseudospectrum` as users run it: real processes for exit codes, streams and the files
// written, direct runPseudospectrum() calls for the rest (same code path). The numbers are the
// paper's: experiments/quadratic_pseudospectrum.py run by scripts/reference/paper_pseudospectrum.py
// (stored in sgn/experiments/testdata/paper-pseudospectrum.json).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputError } from '../sgn/util/errors.js';
import { runCli, type CliResult } from '../test/support/processes.js';
import { projectRoot } from '../test/support/reference.js';
import { loadStored } from '../test/support/python-reference.js';
import { runPseudospectrum } from './pseudospectrum.js';

const TOY = 'examples/paper/mini-toy.json';
const abs = (p: string): string => (isAbsolute(p) ? p : join(projectRoot, p));

interface PaperRef {
  pseudospectrum: {
    resolution: number;
    counts: { level: number; euclidean: number; metric: number }[];
    printed: { level: number; euclidean: number; metric: number }[];
    sample: { i: number; j: number; re: number; im: number; log10Euclidean: number; log10Metric: number }[];
  };
}
const paper = loadStored<PaperRef>('sgn/experiments/testdata/paper-pseudospectrum.json').pseudospectrum;

const reportJson = z.object({
  game: z.string(),
  eigenvalues: z.object({ re: z.array(z.number()), im: z.array(z.number()) }),
  window: z.object({ re: z.tuple([z.number(), z.number()]), im: z.tuple([z.number(), z.number()]) }),
  grid: z.number().int(),
  weights: z.array(z.number()),
  weightsSource: z.enum(['certificate', 'given']),
  levels: z.array(
    z.object({
      level: z.number(),
      euclidean: z.number(),
      metric: z.number(),
      euclideanCount: z.number().int(),
      metricCount: z.number().int(),
    }),
  ),
});

async function output(args: string[]): Promise<string> {
  const lines: string[] = [];
  await runPseudospectrum([abs(args[0]), ...args.slice(1)], (s) => lines.push(s));
  expect(lines).toHaveLength(1);
  return lines[0];
}

async function inputError(args: string[]): Promise<InputError> {
  const printed: string[] = [];
  try {
    await runPseudospectrum(args, (s) => printed.push(s));
  } catch (e) {
    expect(printed).toEqual([]);
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error(`no error for ${args.join(' ')}`);
}

const dir = mkdtempSync(join(tmpdir(), 'sgn-pseudospectrum-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spawned: Record<string, Promise<CliResult>> = {};
beforeAll(() => {
  spawned.table = runCli(['pseudospectrum', TOY], {});
  spawned.files = runCli(
    ['pseudospectrum', TOY, '--csv', join(dir, 'grid.csv'), '--figure', join(dir, 'toy.svg'), '--json'],
    {},
  );
  spawned.bad = runCli(['pseudospectrum', TOY, '--grid', '1', '--csv', join(dir, 'never.csv')], {});
  spawned.tanh = runCli(['pseudospectrum', 'examples/games/tanh-2p.json'], {});
});

describe('sgn pseudospectrum', () => {
  it("the paper's mini-toy as a process: exit 0, the table of fractions with the paper's counts", async () => {
    const r = await spawned.table;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'grid:               321 x 321 on Re z in [-1.20711, 3.20711], Im z in [-1.2, 1.2]',
    );
    expect(r.stdout).toContain("w = [1, 200] (the certificate's weights)");
    // quadratic_pseudospectrum.py printed 0.796 / 0.059, 0.278 / 0.006, 0.031 / 0.001.
    expect(r.stdout).toMatch(/^ {2}0\.5 +0\.7960 +0\.0590 +\(82017 and 6076 of 103041 points\)$/m);
    expect(r.stdout).toMatch(/^ {2}1 +0\.2783 +0\.0059 +\(28679 and 604 of 103041 points\)$/m);
    expect(r.stdout).toMatch(/^ {2}1\.5 +0\.0313 +0\.0006 +\(3228 and 58 of 103041 points\)$/m);
  });

  it('--json, --csv and --figure: the counts, the full grid and an SVG', async () => {
    const r = await spawned.files;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = reportJson.parse(JSON.parse(r.stdout));
    expect(j.grid).toBe(paper.resolution);
    expect(j.levels.map((l) => [l.level, l.euclideanCount, l.metricCount])).toEqual(
      paper.counts.map((c) => [c.level, c.euclidean, c.metric]),
    );
    const csv = readFileSync(join(dir, 'grid.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe('re,im,log10_resolvent_euclidean,log10_resolvent_metric');
    expect(csv).toHaveLength(321 * 321 + 1);
    // The paper's grid values (LAPACK's SVD) at sampled points: 1e-12 in log10, as in the maths test.
    for (const q of paper.sample) {
      const [re, im, e, m] = csv[1 + q.i * 321 + q.j].split(',').map(Number);
      expect([re, im]).toEqual([q.re, q.im]);
      expect(Math.abs(e - q.log10Euclidean)).toBeLessThan(1e-12);
      expect(Math.abs(m - q.log10Metric)).toBeLessThan(1e-12);
    }
    const svg = readFileSync(join(dir, 'toy.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('(a) Euclidean geometry');
    expect(svg).toContain('(b) M(w) geometry, w = (1, 200)');
  });

  it('examples/paper/mini-toy.json is examples/games/scalar-toy.json: the same game', () => {
    const read = (p: string): Record<string, unknown> =>
      JSON.parse(readFileSync(abs(p), 'utf8')) as Record<string, unknown>;
    const { name: _a, ...paperToy } = read(TOY);
    const { name: _b, ...gamesToy } = read('examples/games/scalar-toy.json');
    expect(paperToy).toEqual(gamesToy);
  });

  it('--weights 1,1 makes the M(w) column the Euclidean one; --levels, --grid and --window are used', async () => {
    const j = reportJson.parse(
      JSON.parse(
        await output([
          TOY,
          '--weights',
          '1,1',
          '--grid',
          '41',
          '--window',
          '-2,4,-1.5,1.5',
          '--levels',
          '0,0.75',
          '--json',
        ]),
      ),
    );
    expect(j.weightsSource).toBe('given');
    expect(j.window).toEqual({ re: [-2, 4], im: [-1.5, 1.5] });
    expect(j.levels.map((l) => l.level)).toEqual([0, 0.75]);
    for (const l of j.levels) expect(l.metricCount).toBe(l.euclideanCount);
    expect(j.levels[0].euclidean).toBeGreaterThan(j.levels[1].euclidean);
  });

  it('a 3-player game (d = 3, the dense path) runs; the table names its complex eigenvalues', async () => {
    const file = join(dir, 'three.json');
    writeFileSync(
      file,
      JSON.stringify({
        family: 'quadratic',
        dims: [1, 1, 1],
        H: [
          [1, -2, 0],
          [2, 1, 0.5],
          [0, 0, 3],
        ],
      }),
    );
    const text = await output([file, '--grid', '31']);
    expect(text).toContain('eigenvalues of H:   1 - 2i, 1 + 2i, 3');
    // The window widens to the eigenvalues' |Im| + 1.2.
    expect(text).toContain('Im z in [-3.2, 3.2]');
  });

  it.each([
    [['--grid', '1'], '--grid', /must be an integer from 2 to 2001/],
    [['--grid', '2.5'], '--grid', /must be an integer/],
    [['--grid', 'many'], '--grid', /finite number, got "many"/],
    [['--window', '1,0,-1,1'], '--window', /needs re0 < re1, got 1 and 0/],
    [['--window', '-1,1,1,-1'], '--window', /needs im0 < im1/],
    [['--window', '0,1,2'], '--window', /4 numbers\), got 3/],
    [['--levels', '0.5,x'], '--levels[1]', /finite number, got "x"/],
    [['--levels', '7'], '--levels[0]', /at most 6/],
    [['--weights', '1'], '--weights', /has 1 entries, expected 2/],
    [['--weights', '1,-2'], '--weights[1]', /positive finite number, got -2/],
    [['--figure', 'out.pdf'], '--figure', /must end in \.svg or \.png/],
    [['--csv', '/nonexistent-folder/g.csv'], '--csv', /folder "\/nonexistent-folder" does not exist/],
    [['--colour', 'red'], 'pseudospectrum', /Unknown option '--colour'/],
  ])('refuses %j naming %s in one line', async (flags, field, says) => {
    const e = await inputError([abs(TOY), ...flags]);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(says);
    expect(e.message).not.toMatch(/\n/);
  });

  it('games that are not linear or not small are refused, naming the field', async () => {
    const markov = await inputError([abs('examples/games/markov-coordination.json')]);
    expect(markov.field).toBe('game.family');
    expect(markov.message).toMatch(/is markov: the pseudospectrum experiment is for linear games/);
    const lq = await inputError([abs('examples/games/lq64.json')]);
    expect(lq.field).toBe('game.Q1');
    expect(lq.message).toMatch(/d = 64: the pseudospectrum experiment takes d <= 24/);
    // The work budget grid^2 d^3: d = 2 at the largest grid is within it, d = 20 is not.
    const twenty = join(dir, 'twenty.json');
    writeFileSync(
      twenty,
      JSON.stringify({ family: 'quadratic', generator: 'clean', dims: [10, 10], mu0: 1, coupling: 0.3 }),
    );
    const heavy = await inputError([twenty, '--grid', '2001']);
    expect(heavy.field).toBe('--grid');
    expect(heavy.message).toMatch(/units of work \(grid\^2 d\^3\)/);
  });

  it('as a process: exit 2, one line naming the field, nothing written', async () => {
    for (const [name, field] of [
      ['bad', '--grid'],
      ['tanh', 'game.family'],
    ] as const) {
      const r = await spawned[name];
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.startsWith(`sgn pseudospectrum: ${field}: `)).toBe(true);
    }
    expect(existsSync(join(dir, 'never.csv'))).toBe(false);
  });
});
