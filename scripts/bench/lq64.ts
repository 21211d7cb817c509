/**
 * The paper's LQ-64 pipeline, whole, in one process, against its NumPy version.
 *
 *   npm run bench -- lq64 [--reps 3] [--py-reps N] [--game examples/games/lq64.json]
 *
 * For lambda on linspace(0, 2.5, 61) and r = w2/w1 on geomspace(0.1, 1e4, 161): alpha_sgn,
 * alpha_true and beta at every (lambda, r) (one `analyseGame` per lambda, `certifyWeights` per r
 * with a warm start carried from cell to cell: along r, serpentine over lambda), the optimal ratio
 * and band per lambda (exact, and read off the grid like the paper's code does), and the exact
 * Euler/RK4 thresholds per lambda. Tables go to bench-out/lq64/, NumPy's to bench-out/paper/.
 *
 * Each of our runs is a fresh process, timed from before reading the game to after writing the
 * CSVs: JIT warm-up included ("cold"); a second run in the same process is reported as "warm".
 * Ours and NumPy's runs alternate (the machine is shared and its load drifts); the best of each is
 * reported, and then the two results are compared number by number.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { axisValue, type Axis } from '../../sweep/axes.js';
import { parseGameSpec } from '../../sgn/games/spec.js';
import { buildGame } from '../../sgn/games/quadratic.js';
import { analyseGame, certifyWeights } from '../../sgn/certificate.js';
import type { MetricWarmStart } from '../../sgn/metric.js';
import {
  childRun,
  intOption,
  ms,
  outRoot,
  parseArgs,
  parseCsv,
  printTable,
  projectRoot,
  sci,
  writeCsv,
} from './common.js';

const LAMBDAS: Axis = { linspace: [0, 2.5, 61] };
const RATIOS: Axis = { geomspace: [0.1, 1e4, 161] };
const OUT = join(outRoot, 'lq64');
const PY_OUT = join(outRoot, 'paper');

interface Timings {
  totalMs: number;
  analysisMs: number;
  gridMs: number;
  csvMs: number;
}

/** The pipeline; returns phase timings. Writes bench-out/lq64/{grid,summary}.csv. */
export function runPipeline(gamePath: string): Timings {
  const t0 = performance.now();
  // Validated once; each lambda then builds H = [[Q1, lambda a R], [lambda b R^T, Q2]] from it.
  const spec = parseGameSpec(JSON.parse(readFileSync(gamePath, 'utf8')));
  if (!('Q1' in spec)) throw new Error(`${gamePath}: expected the two-player form (Q1, Q2, R, a, b)`);
  const nl = 61;
  const nr = 161;
  const ratios = Float64Array.from({ length: nr }, (_, k) => axisValue(RATIOS, k));
  const grid: number[][] = [];
  const summary: number[][] = [];
  let analysisMs = 0;
  let gridMs = 0;
  const warm: MetricWarmStart = {};
  for (let li = 0; li < nl; li++) {
    const lambda = axisValue(LAMBDAS, li);
    const ta = performance.now();
    const game = buildGame({ ...spec, lambda });
    const an = analyseGame(game, { groundTruth: 'always' });
    const tb = performance.now();
    analysisMs += tb - ta;
    // The ratio axis is walked forwards for even lambdas and backwards for odd ones, so that the
    // warm start always comes from a neighbouring cell (also across lambdas).
    const rows = new Array<number[]>(nr);
    for (let step = 0; step < nr; step++) {
      const k = li % 2 === 0 ? step : nr - 1 - step;
      const c = certifyWeights(an, [1, ratios[k]], { warm });
      rows[k] = [lambda, ratios[k], c.alpha, c.alphaTrue ?? NaN, c.beta];
    }
    // Optimal ratio and band as the paper's code reads them off the grid (first maximum; the
    // smallest and largest certified ratios).
    let bestK = 0;
    let okMin = NaN;
    let okMax = NaN;
    for (let k = 0; k < nr; k++) {
      const alpha = rows[k][2];
      if (alpha > rows[bestK][2]) bestK = k;
      if (alpha > 0) {
        if (Number.isNaN(okMin)) okMin = ratios[k];
        okMax = ratios[k];
      }
      grid.push(rows[k]);
    }
    const bestAlpha = rows[bestK][2];
    gridMs += performance.now() - tb;
    const band = an.band;
    summary.push([
      lambda,
      an.mu[0],
      an.mu[1],
      an.L[0][1],
      an.L[1][0],
      an.gammaEuclidean,
      an.optimal.alpha,
      an.optimal.weights[1] / an.optimal.weights[0],
      band ? band.rMinus : NaN,
      band ? band.rPlus : NaN,
      ratios[bestK],
      bestAlpha,
      okMin,
      okMax,
      an.linear?.hStabEuler ?? NaN,
      an.linear?.hStabRk4 ?? NaN,
    ]);
  }
  const tc = performance.now();
  writeCsv(join(OUT, 'grid.csv'), ['lambda', 'ratio', 'alpha_sgn', 'alpha_true', 'beta'], grid);
  writeCsv(
    join(OUT, 'summary.csv'),
    [
      'lambda',
      'mu1',
      'mu2',
      'L12',
      'L21',
      'gamma_euc',
      'alpha_max',
      'opt_ratio',
      'r_minus',
      'r_plus',
      'grid_opt_ratio',
      'grid_alpha_max',
      'grid_r_minus',
      'grid_r_plus',
      'h_euler',
      'h_rk4',
    ],
    summary,
  );
  const t1 = performance.now();
  return { totalMs: t1 - t0, analysisMs, gridMs, csvMs: t1 - tc };
}

interface ChildResult {
  cold: Timings;
  warm: Timings;
}

interface PyTimings {
  grid_s: number;
  thresholds_s: number;
  total_s: number;
}

function runPython(gamePath: string): PyTimings | string {
  const r = spawnSync('python3', [join(projectRoot, 'scripts/bench/paper_lq64.py'), gamePath, PY_OUT], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
  if (r.error) return `python3 not runnable: ${r.error.message}`;
  if (r.status !== 0) {
    if (/No module named ['"]?numpy/.test(r.stderr)) return 'numpy is missing (python3 -m pip install numpy)';
    return `paper_lq64.py failed (${r.status}): ${r.stderr.trim().split('\n').pop() ?? ''}`;
  }
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as PyTimings;
}

function best<T>(xs: readonly T[], key: (x: T) => number): T {
  return xs.reduce((a, b) => (key(b) < key(a) ? b : a));
}

/** Max |a - b| over matching entries (NaN on both sides counts as equal, NaN on one as Infinity). */
function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    const d = Math.abs(a[i] - b[i]);
    m = Math.max(m, Number.isNaN(d) ? Infinity : d);
  }
  return m;
}

/**
 * Max |a - b| / max(|b|, 1e-6 max|b|): relative, except for entries near zero (margins crossing
 * zero), which are measured against the column's scale.
 */
function maxRelDiff(a: readonly number[], b: readonly number[]): number {
  let scale = 0;
  for (const x of b) if (Number.isFinite(x)) scale = Math.max(scale, Math.abs(x));
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    const d = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-6 * scale, 1e-300);
    m = Math.max(m, Number.isNaN(d) ? Infinity : d);
  }
  return m;
}

function column(rows: readonly number[][], header: readonly string[], name: string): number[] {
  const c = header.indexOf(name);
  if (c < 0) throw new Error(`column ${name} missing`);
  return rows.map((r) => r[c]);
}

function compare(): void {
  const ours = parseCsv(readFileSync(join(OUT, 'grid.csv'), 'utf8'));
  const theirs = parseCsv(readFileSync(join(PY_OUT, 'paper_grid.csv'), 'utf8'));
  const sum = parseCsv(readFileSync(join(OUT, 'summary.csv'), 'utf8'));
  const thr = parseCsv(readFileSync(join(PY_OUT, 'paper_thresholds.csv'), 'utf8'));
  const band = parseCsv(readFileSync(join(PY_OUT, 'paper_band.csv'), 'utf8'));
  if (ours.rows.length !== theirs.rows.length) throw new Error('grid sizes differ');
  const col = (t: { header: string[]; rows: number[][] }, n: string): number[] => column(t.rows, t.header, n);
  const rows: string[][] = [];
  const add = (what: string, a: number[], b: number[]): void => {
    rows.push([what, sci(maxAbsDiff(a, b)), sci(maxRelDiff(a, b))]);
  };
  add(
    'grid: lambda, ratio (inputs)',
    [...col(ours, 'lambda'), ...col(ours, 'ratio')],
    [...col(theirs, 'lambda'), ...col(theirs, 'ratio')],
  );
  add('grid: alpha_sgn', col(ours, 'alpha_sgn'), col(theirs, 'alpha_sgn'));
  add('grid: alpha_true', col(ours, 'alpha_true'), col(theirs, 'alpha_true'));
  add('grid: beta', col(ours, 'beta'), col(theirs, 'beta'));
  add('h_euler (exact vs scan+bisect)', col(sum, 'h_euler'), col(thr, 'h_euler'));
  add('h_rk4 (exact vs scan+bisect)', col(sum, 'h_rk4'), col(thr, 'h_rk4'));
  add('grid optimal ratio', col(sum, 'grid_opt_ratio'), col(band, 'opt_ratio'));
  add('grid alpha_max', col(sum, 'grid_alpha_max'), col(band, 'alpha_max'));
  add(
    'grid band r-, r+',
    [...col(sum, 'grid_r_minus'), ...col(sum, 'grid_r_plus')],
    [...col(band, 'r_minus'), ...col(band, 'r_plus')],
  );
  printTable(
    'Ours vs NumPy (max over the grid / the 61 lambdas; rel: to max(|value|, 1e-6 x column max))',
    ['quantity', 'max abs diff', 'max rel diff'],
    rows,
  );
  const r1 = col(ours, 'ratio');
  const r2 = col(theirs, 'ratio');
  const differ = r1.filter((r, i) => r !== r2[i]).length;
  console.log(
    `(${differ} of ${r1.length} grid ratios differ from NumPy's geomspace, by an ulp: see pow10 in sweep/axes.ts)`,
  );
}

export async function main(args: string[]): Promise<void> {
  const { opts } = parseArgs(args);
  const gamePath = resolve(projectRoot, opts.get('game') ?? 'examples/games/lq64.json');
  if (opts.has('child')) {
    const cold = runPipeline(gamePath);
    const warm = runPipeline(gamePath);
    console.log(JSON.stringify({ cold, warm } satisfies ChildResult));
    return;
  }
  const reps = intOption(opts, 'reps', 3);
  const pyReps = intOption(opts, 'py-reps', reps);
  const runs: ChildResult[] = [];
  const py: PyTimings[] = [];
  let pyProblem: string | null = null;
  // Ours and NumPy alternate, so that both see the same (shared, drifting) machine load.
  for (let i = 0; i < Math.max(reps, pyReps); i++) {
    if (i < reps) {
      const r = childRun<ChildResult>('lq64', ['--child', '--game', gamePath]);
      runs.push(r);
      console.log(`ours  run ${i + 1}/${reps}: cold ${ms(r.cold.totalMs)} ms, warm ${ms(r.warm.totalMs)} ms`);
    }
    if (i < pyReps && pyProblem === null) {
      const p = runPython(gamePath);
      if (typeof p === 'string') pyProblem = p;
      else {
        py.push(p);
        console.log(`NumPy run ${i + 1}/${pyReps}: ${(p.total_s * 1000).toFixed(0)} ms`);
      }
    }
  }
  const cold = best(runs, (r) => r.cold.totalMs).cold;
  const warm = best(runs, (r) => r.warm.totalMs).warm;
  const pyBest = py.length ? best(py, (p) => p.total_s) : null;
  const ratio = (x: number, y: number | undefined): string =>
    y === undefined ? '-' : `${(y / x).toFixed(1)}x`;
  const pyMs = (k: keyof PyTimings): number | undefined => (pyBest ? pyBest[k] * 1000 : undefined);
  const cell = (x: number | undefined): string => (x === undefined ? '-' : ms(x));
  printTable(
    `LQ-64 pipeline, 61 x 161 grid (best of ${reps} ours${pyBest ? `, best of ${py.length} NumPy` : ''}; ms)`,
    ['phase', 'ours (cold)', 'ours (warm)', 'NumPy', 'NumPy / ours cold'],
    [
      [
        'grid (alpha_sgn, alpha_true, beta)',
        ms(cold.gridMs),
        ms(warm.gridMs),
        cell(pyMs('grid_s')),
        ratio(cold.gridMs, pyMs('grid_s')),
      ],
      [
        'per-lambda analysis + exact thresholds',
        ms(cold.analysisMs),
        ms(warm.analysisMs),
        cell(pyMs('thresholds_s')),
        ratio(cold.analysisMs, pyMs('thresholds_s')),
      ],
      ['writing CSVs', ms(cold.csvMs), ms(warm.csvMs), '-', '-'],
      [
        'total (incl. reading game, CSVs)',
        ms(cold.totalMs),
        ms(warm.totalMs),
        cell(pyMs('total_s')),
        ratio(cold.totalMs, pyMs('total_s')),
      ],
    ],
  );
  console.log(
    '(NumPy total excludes its CSV writing; its "thresholds" phase is scan+bisect on step-matrix spectra,',
  );
  console.log(' ours is one general eigendecomposition per lambda plus bounds, optimal weights and band.)');
  writeCsv(
    join(OUT, 'timings.csv'),
    ['run', 'cold_total_ms', 'cold_grid_ms', 'cold_analysis_ms', 'warm_total_ms'],
    runs.map((r, i) => [i + 1, r.cold.totalMs, r.cold.gridMs, r.cold.analysisMs, r.warm.totalMs]),
  );
  if (pyProblem !== null) {
    console.log(`\nNumPy comparison skipped: ${pyProblem}`);
    return;
  }
  compare();
}
