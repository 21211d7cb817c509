/**
 * `sgn pseudospectrum <game.json> [--levels 0.5,1,1.5] [--grid 321] [--window re0,re1,im0,im1]
 * [--weights w1,w2,...] [--csv out.csv] [--figure out.svg|out.png] [--json]`: the paper's
 * pseudospectrum experiment (experiments/quadratic_pseudospectrum.py) for a linear game: the
 * fraction of a grid of the complex plane where log10 ||(zI - H)^{-1}|| reaches each level, in
 * the Euclidean norm and in the M(w) norm (sgn/experiments/pseudospectrum.ts). The weights are
 * the certificate's (the optimal ones) unless given.
 */
import { existsSync } from 'node:fs';
import { writeFileAtomically } from './atomic-file.js';
import { dirname, extname, resolve as resolvePath } from 'node:path';
import { buildGame } from '../sgn/games/build.js';
import { parseGameSpec, quadraticDims } from '../formats/game-file.js';
import { splitGameFile } from '../formats/region-section.js';
import { readDataFile } from '../formats/data-file.js';
import type { GameSpec } from '../sgn/games/spec.js';
import { certify, normaliseWeights } from '../sgn/certificate.js';
import {
  PAPER_LEVELS,
  PAPER_RESOLUTION,
  pseudospectrum,
  type Pseudospectrum,
  type Window,
} from '../sgn/experiments/pseudospectrum.js';
import { InputError } from '../sgn/util/errors.js';
import { DEFAULT_CONFIG, type SgnConfig } from '../config/config.js';
import { numberFlag, numberListFlag, parse } from './args.js';

export const pseudospectrumUsage =
  'sgn pseudospectrum <game.json> [--levels 0.5,1,1.5] [--grid 321] [--window re0,re1,im0,im1] [--weights w1,w2,...]\n' +
  '                  [--csv out.csv] [--figure out.svg|out.png] [--json]';

/** Small games only: every grid point costs an inverse and an eigenproblem of size 2d. */
const MAX_DIM = 24;
const MIN_GRID = 2;
const MAX_GRID = 2001;
/** grid^2 x d^3 at most this (d = 2 at the largest grid: 3.2e7; d = 24 at the paper's grid: 1.4e9). */
const MAX_WORK = 2e9;
/** The figure's own grid (points per axis): finer only inflates the SVG. */
const FIGURE_RESOLUTION = 101;
const LEVEL_MAX = 6; // log10 of the resolvent is at most 6 (the paper's floor on sigma_min)

/** Flags taking a value, which may be negative (`--window -2,2,-1,1`). */
const VALUE_FLAGS = ['levels', 'grid', 'window', 'weights', 'csv', 'figure'];

function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const next = argv[k + 1];
    if (
      a.startsWith('--') &&
      VALUE_FLAGS.includes(a.slice(2)) &&
      next !== undefined &&
      /^-[\d.]/.test(next)
    ) {
      out.push(`${a}=${next}`);
      k++;
    } else out.push(a);
  }
  return out;
}

function parseWindow(text: string | undefined): Window | undefined {
  const v = numberListFlag(text, '--window');
  if (v === undefined) return undefined;
  if (v.length !== 4)
    throw new InputError('--window', `must be re0,re1,im0,im1 (4 numbers), got ${v.length}`);
  const [r0, r1, i0, i1] = v;
  if (!(r0 < r1)) throw new InputError('--window', `needs re0 < re1, got ${r0} and ${r1}`);
  if (!(i0 < i1)) throw new InputError('--window', `needs im0 < im1, got ${i0} and ${i1}`);
  return { re: [r0, r1], im: [i0, i1] };
}

function parseLevels(text: string | undefined): readonly number[] {
  const v = numberListFlag(text, '--levels');
  if (v === undefined) return PAPER_LEVELS;
  v.forEach((l, k) => {
    if (l > LEVEL_MAX)
      throw new InputError(
        `--levels[${k}]`,
        `is ${l}: log10 of the resolvent norm is at most ${LEVEL_MAX} (sigma_min is floored at 1e-6, as in the paper)`,
      );
  });
  return v;
}

function outputPath(
  file: string | undefined,
  flag: string,
  extensions: readonly string[],
): string | undefined {
  if (file === undefined) return undefined;
  const ext = extname(file).toLowerCase();
  if (!extensions.includes(ext))
    throw new InputError(flag, `must end in ${extensions.join(' or ')}, got "${file}"`);
  if (!existsSync(dirname(resolvePath(file))))
    throw new InputError(flag, `folder "${dirname(file)}" does not exist`);
  return file;
}

/** Where a quadratic spec states its size, for errors. */
function sizeField(spec: GameSpec): string {
  if ('preset' in spec) return 'game.preset';
  if ('H' in spec) return 'game.H';
  if ('Q1' in spec) return 'game.Q1';
  return 'game.dims';
}

export async function runPseudospectrum(
  argv: string[],
  out: (s: string) => void,
  config: SgnConfig = DEFAULT_CONFIG,
): Promise<void> {
  const { values, positionals } = parse(
    joinNegativeValues(argv),
    {
      levels: { type: 'string' },
      grid: { type: 'string' },
      window: { type: 'string' },
      weights: { type: 'string' },
      csv: { type: 'string' },
      figure: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    'pseudospectrum',
  );
  if (positionals.length !== 1)
    throw new InputError('pseudospectrum', `expects one game file; usage: ${pseudospectrumUsage}`);
  const levels = parseLevels(values.levels);
  const grid = numberFlag(values.grid, '--grid') ?? PAPER_RESOLUTION;
  if (!Number.isInteger(grid) || grid < MIN_GRID || grid > MAX_GRID)
    throw new InputError(
      '--grid',
      `must be an integer from ${MIN_GRID} to ${MAX_GRID} (points per axis), got ${values.grid}`,
    );
  const window = parseWindow(values.window);
  const userWeights = numberListFlag(values.weights, '--weights');
  const csv = outputPath(values.csv, '--csv', ['.csv']);
  const figure = outputPath(values.figure, '--figure', ['.svg', '.png']);

  const file = splitGameFile(readDataFile(positionals[0], config));
  const spec = parseGameSpec(file.game, 'game');
  if (spec.family !== 'quadratic')
    throw new InputError(
      'game.family',
      `is ${spec.family}: the pseudospectrum experiment is for linear games (the quadratic family), whose Jacobian H is constant`,
    );
  const d = quadraticDims(spec).reduce((a, b) => a + b, 0);
  if (d > MAX_DIM)
    throw new InputError(
      sizeField(spec),
      `describes d = ${d}: the pseudospectrum experiment takes d <= ${MAX_DIM}`,
    );
  const work = grid * grid * Math.max(d, 2) ** 3;
  if (work > MAX_WORK)
    throw new InputError(
      '--grid',
      `${grid} x ${grid} points at d = ${d} is ${work.toExponential(2)} units of work (grid^2 d^3), above ${MAX_WORK.toExponential(0)}`,
    );
  const game = buildGame(spec);
  const H = game.linear!.H;
  const players = game.blocks.dims.length;
  const weights = userWeights ? normaliseWeights(userWeights, players, '--weights') : certify(game).weights;
  const result = pseudospectrum(H, game.blocks, weights, { window, resolution: grid, levels });
  const subject = spec.name ?? `a ${d}-dimensional quadratic game`;

  // Everything computed and rendered before anything is written.
  let picture: string | Buffer | undefined;
  if (figure) {
    const [{ renderFigure }, { pseudospectrumFigure }] = await Promise.all([
      import('../report/figures.js'),
      import('../report/pseudospectrum-figure.js'),
    ]);
    const coarse =
      grid <= FIGURE_RESOLUTION
        ? result
        : pseudospectrum(H, game.blocks, weights, {
            window: result.window,
            resolution: FIGURE_RESOLUTION,
            levels,
          });
    // The subtitle quotes the fractions of the full grid, not the figure's coarser one.
    const rendered = await renderFigure(
      pseudospectrumFigure({ ...coarse, levels: result.levels, resolution: grid }, subject),
    );
    picture = extname(figure).toLowerCase() === '.png' ? rendered.png : rendered.svg;
  }
  const csvText = csv ? gridCsv(result) : undefined;
  if (csv && csvText !== undefined) writeFileAtomically(csv, csvText);
  if (figure && picture !== undefined) writeFileAtomically(figure, picture);

  out(
    values.json
      ? reportJson(result, subject, weights, userWeights !== undefined)
      : table(result, subject, userWeights !== undefined),
  );
}

function gridCsv(p: Pseudospectrum): string {
  const lines = ['re,im,log10_resolvent_euclidean,log10_resolvent_metric'];
  const n = p.resolution;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      lines.push(
        `${p.euclidean.re[j]},${p.euclidean.im[i]},${p.euclidean.values[i * n + j]},${p.metric.values[i * n + j]}`,
      );
  return `${lines.join('\n')}\n`;
}

const fmt = (x: number, digits = 6): string => Number(x.toPrecision(digits)).toString();

function eigenText(p: Pseudospectrum): string {
  return Array.from(p.eigenvalues.re, (re, k) => {
    const im = p.eigenvalues.im[k];
    return im === 0 ? fmt(re) : `${fmt(re)} ${im < 0 ? '-' : '+'} ${fmt(Math.abs(im))}i`;
  }).join(', ');
}

export function table(p: Pseudospectrum, subject: string, givenWeights: boolean): string {
  const n = p.resolution;
  const rows = p.levels.map(
    (l) =>
      `  ${fmt(l.level).padEnd(24)}${l.euclidean.toFixed(4).padEnd(12)}${l.metric.toFixed(4).padEnd(12)}(${l.euclideanCount} and ${l.metricCount} of ${n * n} points)`,
  );
  return [
    `pseudospectrum of ${subject}`,
    `  eigenvalues of H:   ${eigenText(p)}`,
    `  grid:               ${n} x ${n} on Re z in [${fmt(p.window.re[0])}, ${fmt(p.window.re[1])}], Im z in [${fmt(p.window.im[0])}, ${fmt(p.window.im[1])}]`,
    `  metric:             M(w) = blockdiag(w_i I), w = [${p.weights.map((w) => fmt(w)).join(', ')}]${givenWeights ? ' (--weights)' : " (the certificate's weights)"}`,
    `  fraction of the grid where log10 ||(zI - H)^{-1}||_2 >= level:`,
    `  ${'level'.padEnd(24)}${'Euclidean'.padEnd(12)}${'M(w)'.padEnd(12)}`,
    ...rows,
  ]
    .map((line) => line.trimEnd())
    .join('\n');
}

function reportJson(p: Pseudospectrum, subject: string, weights: readonly number[], given: boolean): string {
  return JSON.stringify({
    game: subject,
    eigenvalues: { re: Array.from(p.eigenvalues.re), im: Array.from(p.eigenvalues.im) },
    window: p.window,
    grid: p.resolution,
    weights,
    weightsSource: given ? 'given' : 'certificate',
    levels: p.levels,
  });
}
