/**
 * The paper's LQ-64 pipeline, whole, in one process, against NumPy: the operations of the paper's
 * published code (AashVed/SmallGainNash, LQ_GAMES: dense diagonal-metric products, an SVD per
 * beta, 400-point spectral-radius scans per threshold; the issue quotes ~14 s for it here) and a
 * lean NumPy version of the same quantities (a stricter comparison). Both are paper_lq64.py.
 *
 *   npm run bench -- lq64 [--reps 3] [--py-reps N] [--game examples/games/lq64.json]
 *
 * For lambda on linspace(0, 2.5, 61) and r = w2/w1 on geomspace(0.1, 1e4, 161): alpha_sgn,
 * alpha_true and beta at every (lambda, r) (one `analyseGame` per lambda, `certifyWeights` per r
 * with a warm start carried from cell to cell), the optimal ratio and band per lambda (exact, and
 * read off the grid like the paper's code does), and the exact Euler/RK4 thresholds per lambda
 * (lq64-chain.ts). Tables go to bench-out/lq64/, NumPy's to bench-out/paper/.
 *
 * Each of our runs is a fresh `node` process running the pipeline once (lq64-child.ts, bundled
 * to dist/bench/ first by compile.ts: no tsx in the measured process), on one thread and on two
 * (a worker thread computes the exact thresholds while the main thread does the rest). One thread
 * is the primary figure: on the 2-core dev machine two threads were measured slower, with this
 * split and with one that gave each thread half of the lambdas (each thread pays its own start-up
 * and JIT warm-up, and V8 compiles on background threads that compete for the same two cores).
 * Two figures per run, for both sides:
 *   - in-process ("cold"): from before the game is read (and the worker created) to after the
 *     CSVs are written, JIT warm-up and worker start-up included; NumPy's: the same span, game
 *     read to CSVs written (after the interpreter start and numpy import); its computation alone
 *     (grid + thresholds phases) is printed too;
 *   - whole process: spawn to exit, as this parent sees it (node/python start-up, imports,
 *     everything).
 * A last run repeats the pipeline in the same process ("warm"). Ours and NumPy's runs alternate
 * (the machine is shared and its load drifts); the best of each is reported, with the load
 * average, and then the two results are compared number by number.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
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
import { bundleEntries } from './compile.js';
import type { ChildResult, Timings } from './lq64-child.js';

const OUT = join(outRoot, 'lq64');
/** NumPy's tables: the lean variant's are the ones compared number by number with ours. */
const PY_OUT = join(outRoot, 'paper');
const PY_OUT_PUBLISHED = join(outRoot, 'paper-published');

/** The paper's pipeline as published, or the same quantities with less NumPy work (paper_lq64.py). */
type PyVariant = 'published' | 'lean';

interface PyTimings {
  grid_s: number;
  thresholds_s: number;
  /** grid_s + thresholds_s: the computation alone. */
  total_s: number;
  /** Game read to CSVs written: the span our in-process figure covers. */
  pipeline_s: number;
  /** `import numpy`, from the script's first line (interpreter start not included). */
  import_s: number;
  /** Spawn to exit, ms, measured here. */
  wallMs: number;
}

interface OursRun {
  result: ChildResult;
  wallMs: number;
  load: number;
}

function load1(): number {
  return loadavg()[0];
}

/** Spawn to exit of `cmd args`, ms, and its last stdout line; throws with its stderr on failure. */
function timedSpawn(
  cmd: string,
  args: readonly string[],
): { wallMs: number; last: string; stderr: string; status: number | null; error?: Error } {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd: projectRoot, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallMs = performance.now() - t;
  const lines = (r.stdout ?? '').trim().split('\n');
  return { wallMs, last: lines[lines.length - 1], stderr: r.stderr ?? '', status: r.status, error: r.error };
}

function runOurs(child: string, gamePath: string, threads: number, warm: boolean): OursRun {
  const load = load1();
  const args = [child, '--game', gamePath, '--out', OUT, '--threads', String(threads)];
  const r = timedSpawn(process.execPath, warm ? [...args, '--warm'] : args);
  if (r.status !== 0) throw new Error(`lq64 child failed (${r.status}):\n${r.stderr}`);
  return { result: JSON.parse(r.last) as ChildResult, wallMs: r.wallMs, load };
}

function runPython(gamePath: string, variant: PyVariant): (PyTimings & { load: number }) | string {
  const load = load1();
  const script = join(projectRoot, 'scripts/bench/paper_lq64.py');
  const r = timedSpawn(
    'python3',
    variant === 'lean' ? [script, gamePath, PY_OUT, '--lean'] : [script, gamePath, PY_OUT_PUBLISHED],
  );
  if (r.error) return `python3 not runnable: ${r.error.message}`;
  if (r.status !== 0) {
    if (/No module named ['"]?numpy/.test(r.stderr)) return 'numpy is missing (python3 -m pip install numpy)';
    return `paper_lq64.py failed (${r.status}): ${r.stderr.trim().split('\n').pop() ?? ''}`;
  }
  return { ...(JSON.parse(r.last) as Omit<PyTimings, 'wallMs'>), wallMs: r.wallMs, load };
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

/** Our tables against the lean NumPy's (and the published pipeline's grid and thresholds). */
function compare(): void {
  const ours = parseCsv(readFileSync(join(OUT, 'grid.csv'), 'utf8'));
  const theirs = parseCsv(readFileSync(join(PY_OUT, 'paper_grid.csv'), 'utf8'));
  const sum = parseCsv(readFileSync(join(OUT, 'summary.csv'), 'utf8'));
  const thr = parseCsv(readFileSync(join(PY_OUT, 'paper_thresholds.csv'), 'utf8'));
  const band = parseCsv(readFileSync(join(PY_OUT, 'paper_band.csv'), 'utf8'));
  const pubGrid = parseCsv(readFileSync(join(PY_OUT_PUBLISHED, 'paper_grid.csv'), 'utf8'));
  const pubThr = parseCsv(readFileSync(join(PY_OUT_PUBLISHED, 'paper_thresholds.csv'), 'utf8'));
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
  // The published pipeline: the SGN margin with L = lambda a, lambda b (||R|| = 1 assumed), and
  // thresholds bisected 20 times from a 400-point scan.
  for (const q of ['alpha_sgn', 'alpha_true', 'beta'])
    add(`published pipeline grid: ${q}`, col(ours, q), col(pubGrid, q));
  add('published pipeline h_euler', col(sum, 'h_euler'), col(pubThr, 'h_euler'));
  add('published pipeline h_rk4', col(sum, 'h_rk4'), col(pubThr, 'h_rk4'));
  printTable(
    'Ours vs NumPy, lean unless marked (max over the grid / the 61 lambdas; rel: to max(|value|, 1e-6 x column max))',
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
  const reps = intOption(opts, 'reps', 3);
  const pyReps = intOption(opts, 'py-reps', reps);
  const built = await bundleEntries([
    'scripts/bench/lq64-child.ts',
    'scripts/bench/lq64-thresholds-worker.ts',
  ]);
  const child = built.outputs[0];
  console.log(
    `bundled ${built.outputs.map((o) => o.slice(projectRoot.length + 1)).join(', ')} in ${ms(built.ms)} ms`,
  );
  const two: OursRun[] = [];
  const one: OursRun[] = [];
  const py: Record<PyVariant, (PyTimings & { load: number })[]> = { published: [], lean: [] };
  let pyProblem: string | null = null;
  const f1 = (x: number): string => x.toFixed(2);
  // Ours (one thread, two threads) and NumPy (as published, lean) alternate, so that all see the
  // same drifting load.
  for (let i = 0; i < Math.max(reps, pyReps); i++) {
    if (i < reps) {
      for (const [threads, runs] of [
        [1, one],
        [2, two],
      ] as const) {
        const r = runOurs(child, gamePath, threads, false);
        runs.push(r);
        console.log(
          `ours  ${threads} thread${threads > 1 ? 's' : ' '}        run ${i + 1}/${reps}: in-process ${ms(r.result.cold.totalMs)} ms, whole process ${ms(r.wallMs)} ms (load ${f1(r.load)})`,
        );
      }
    }
    for (const variant of ['published', 'lean'] as const) {
      if (i >= pyReps || pyProblem !== null) continue;
      const p = runPython(gamePath, variant);
      if (typeof p === 'string') pyProblem = p;
      else {
        py[variant].push(p);
        console.log(
          `NumPy ${variant.padEnd(9)}  run ${i + 1}/${pyReps}: in-process ${ms(p.pipeline_s * 1000)} ms (computation ${ms(p.total_s * 1000)}), whole process ${ms(p.wallMs)} ms (load ${f1(p.load)})`,
        );
      }
    }
  }
  const warmRun = runOurs(child, gamePath, 1, true);
  const warm = warmRun.result.warm as Timings;
  const cold2 = best(two, (r) => r.result.cold.totalMs);
  const cold1 = best(one, (r) => r.result.cold.totalMs);
  const wall2 = best(two, (r) => r.wallMs);
  const wall1 = best(one, (r) => r.wallMs);
  const bestIn = (v: PyVariant) => (py[v].length ? best(py[v], (p) => p.pipeline_s) : null);
  const bestWall = (v: PyVariant) => (py[v].length ? best(py[v], (p) => p.wallMs) : null);
  const pub = { in: bestIn('published'), wall: bestWall('published') };
  const lean = { in: bestIn('lean'), wall: bestWall('lean') };
  const ratio = (x: number, y: number | undefined): string =>
    y === undefined ? '-' : `${(y / x).toFixed(1)}x`;
  const cell = (x: number | undefined): string => (x === undefined ? '-' : ms(x));
  const inMs = (p: PyTimings | null): number | undefined => (p ? p.pipeline_s * 1000 : undefined);
  const row = (label: string, oursMs: number, load: number, kind: 'in' | 'wall'): string[] => {
    const pubMs = kind === 'in' ? inMs(pub.in) : pub.wall?.wallMs;
    const leanMs = kind === 'in' ? inMs(lean.in) : lean.wall?.wallMs;
    const pyLoad = (kind === 'in' ? pub.in : pub.wall)?.load;
    return [
      label,
      ms(oursMs),
      cell(pubMs),
      ratio(oursMs, pubMs),
      cell(leanMs),
      ratio(oursMs, leanMs),
      `${f1(load)}, ${pyLoad === undefined ? '-' : f1(pyLoad)}`,
    ];
  };
  const n = py.published.length;
  printTable(
    `LQ-64 pipeline, 61 x 161 grid: ours vs NumPy (best of ${reps} ours per row${n ? `, best of ${n} NumPy` : ''}; ms)`,
    ['measured', 'ours', "paper's NumPy", 'ratio', 'lean NumPy', 'ratio', 'load (ours, NumPy)'],
    [
      row('in-process, cold, 1 thread (primary)', cold1.result.cold.totalMs, cold1.load, 'in'),
      row('in-process, cold, 2 threads', cold2.result.cold.totalMs, cold2.load, 'in'),
      row('whole process (spawn to exit), 1 thread', wall1.wallMs, wall1.load, 'wall'),
      row('whole process (spawn to exit), 2 threads', wall2.wallMs, wall2.load, 'wall'),
      row('in-process, warm (2nd run, same process), 1 thread', warm.totalMs, warmRun.load, 'in'),
    ],
  );
  console.log(
    "paper's NumPy: the operations of the paper's published code (AashVed/SmallGainNash, LQ_GAMES); lean: the same quantities with less NumPy work (paper_lq64.py --lean).",
  );
  const c = cold2.result.cold;
  const c1 = cold1.result.cold;
  console.log(
    `\nOurs, phases of the best cold runs (ms): 2 threads: start-up before the timed region ${ms(c.startMs)}; main thread lambdas 31 down to 0: analysis ${ms(c.mainAnalysisMs)}, grid ${ms(c.mainGridMs)}; lambdas 32-60: analysis ${ms(c.otherAnalysisMs)}, grid ${ms(c.otherGridMs)}; then waited ${ms(c.waitMs)}; worker: start-up ${ms(c.workerBootMs)}, thresholds ${ms(c.workerMs)}; CSVs ${ms(c.csvMs)}.`,
  );
  console.log(
    `1 thread: start-up ${ms(c1.startMs)}; lambdas 31 down to 0: analysis + thresholds ${ms(c1.mainAnalysisMs)}, grid ${ms(c1.mainGridMs)}; lambdas 32-60: analysis ${ms(c1.otherAnalysisMs)}, grid ${ms(c1.otherGridMs)}; CSVs ${ms(c1.csvMs)}.`,
  );
  for (const [name, p] of [
    ["paper's NumPy", pub.in],
    ['lean NumPy', lean.in],
  ] as const)
    if (p)
      console.log(
        `${name} (best in-process run): game read to CSVs written ${ms(p.pipeline_s * 1000)}, of which grid ${ms(p.grid_s * 1000)} and thresholds ${ms(p.thresholds_s * 1000)} (computation ${ms(p.total_s * 1000)}: NumPy / ours on that alone ${ratio(cold1.result.cold.totalMs, p.total_s * 1000)}, 1 thread, ours still with its game read and CSVs); numpy import ${ms(p.import_s * 1000)} (in its whole-process figure only).`,
      );
  console.log(
    '(Their thresholds are scan+bisect on step-matrix spectra; ours one general eigendecomposition per lambda plus bounds, optimal weights and band.)',
  );
  writeCsv(
    join(OUT, 'timings.csv'),
    ['run', 'threads', 'cold_total_ms', 'whole_process_ms', 'load1'],
    [...two, ...one].map((r, i) => [i + 1, r.result.cold.threads, r.result.cold.totalMs, r.wallMs, r.load]),
  );
  if (pyProblem !== null) {
    console.log(`\nNumPy comparison skipped: ${pyProblem}`);
    return;
  }
  compare();
}
