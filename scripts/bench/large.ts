/**
 * Certification of a large two-player quadratic game (default d = 2048 = 1024 + 1024, generator
 * `random`, mu0 = 1, coupling 0.5, seed 1) at the optimal weights: block bounds, optimal weights,
 * band, beta and the true margin, but no exact stability thresholds (`groundTruth: 'never'`: those
 * need a full nonsymmetric eigendecomposition, minutes at this size).
 *
 *   npm run bench -- large [--reps 3] [--dim 1024] [--coupling 0.5] [--seed 1] [--check-dim 256]
 *
 * Each run is a fresh process (JIT warm-up included) reporting the wall (and CPU) time of game
 * construction and of certification, and its peak RSS; the best time of --reps runs is shown, and
 * the largest peak RSS. An accuracy check then certifies a smaller game of the same kind (dims
 * [check-dim, check-dim]) and compares the engine's numbers, and every kernel forced onto its
 * Lanczos path, with the dense ~eps-accurate kernels.
 */
import { join } from 'node:path';
import { parseGameSpec } from '../../formats/game-file.js';
import { buildGame } from '../../sgn/games/build.js';
import { analyseGame, certify, certifyWeights, type Certificate } from '../../sgn/certificate.js';
import type { Game } from '../../sgn/games/game.js';
import { block, symPart } from '../../sgn/linalg/matrix.js';
import { minSymmetricEigenvalue, spectralNorm } from '../../sgn/linalg/spectral-norm.js';
import { conjugateByMetric } from '../../sgn/metric.js';
import { childRun, intOption, ms, outRoot, parseArgs, printTable, sci, writeCsv } from './common.js';

interface RunResult {
  dim: number;
  buildMs: number;
  certifyMs: number;
  certifyCpuMs: number;
  maxRssMb: number;
  cert: {
    mu: number[];
    L12: number;
    L21: number;
    gammaEuclidean: number;
    alphaMax: number;
    ratio: number;
    beta: number;
    alphaTrue: number | null;
    rMinus: number | null;
    rPlus: number | null;
    eulerStep: number;
    rk4Step: number;
  };
}

function gameOf(dim: number, coupling: number, seed: number): Game {
  return buildGame(
    parseGameSpec({ family: 'quadratic', generator: 'random', dims: [dim, dim], mu0: 1, coupling, seed }),
  );
}

function summary(c: Certificate): RunResult['cert'] {
  return {
    mu: c.mu,
    L12: c.L[0][1],
    L21: c.L[1][0],
    gammaEuclidean: c.gammaEuclidean,
    alphaMax: c.optimal.alpha,
    ratio: c.optimal.ratio ?? NaN,
    beta: c.beta,
    alphaTrue: c.linear?.alphaTrue ?? null,
    rMinus: c.band?.rMinus ?? null,
    rPlus: c.band && Number.isFinite(c.band.rPlus) ? c.band.rPlus : null,
    eulerStep: c.eulerStep,
    rk4Step: c.rk4Step,
  };
}

function runOnce(dim: number, coupling: number, seed: number): RunResult {
  const t0 = performance.now();
  const game = gameOf(dim, coupling, seed);
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const c = certify(game, { groundTruth: 'never' });
  const cpu = process.cpuUsage(cpu0);
  const t2 = performance.now();
  return {
    dim: 2 * dim,
    buildMs: t1 - t0,
    certifyMs: t2 - t1,
    certifyCpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    cert: summary(c),
  };
}

type Method = 'dense' | 'lanczos';

/** mu, L, gamma_euc, and beta / alpha_true at weights (1, ratio), with the kernels forced to `method`. */
function kernelValues(game: Game, ratio: number, method: Method): Record<string, number> {
  const H = game.linear!.H;
  const [o0, o1, o2] = game.blocks.offsets;
  const opts = { method } as const;
  const C = conjugateByMetric(H, game.blocks, [1, ratio]);
  return {
    mu1: minSymmetricEigenvalue(symPart(block(H, o0, o1, o0, o1)), opts).value,
    mu2: minSymmetricEigenvalue(symPart(block(H, o1, o2, o1, o2)), opts).value,
    L12: spectralNorm(block(H, o0, o1, o1, o2), opts).value,
    L21: spectralNorm(block(H, o1, o2, o0, o1), opts).value,
    gammaEuclidean: minSymmetricEigenvalue(symPart(H), opts).value,
    beta: spectralNorm(C, opts).value,
    alphaTrue: minSymmetricEigenvalue(symPart(C), opts).value,
  };
}

/**
 * A smaller game of the same kind: the engine's numbers (certify at the optimal weights, and
 * certifyWeights at w = (1, 3)), and every kernel forced onto its Lanczos path, against the dense
 * (Householder, ~eps-accurate) kernels.
 */
function accuracyCheck(dim: number, coupling: number, seed: number): string[][] {
  const game = gameOf(dim, coupling, seed);
  const c = certify(game, { groundTruth: 'never' });
  const ratio = c.optimal.ratio ?? 1;
  const dense = kernelValues(game, ratio, 'dense');
  const lanczos = kernelValues(game, ratio, 'lanczos');
  const engine: Record<string, number> = {
    mu1: c.mu[0],
    mu2: c.mu[1],
    L12: c.L[0][1],
    L21: c.L[1][0],
    gammaEuclidean: c.gammaEuclidean,
    beta: c.beta,
    alphaTrue: c.linear?.alphaTrue ?? NaN,
  };
  const rel = (x: number, y: number): string => sci(Math.abs(x - y) / Math.abs(y));
  const rows = Object.keys(dense).map((k) => [
    k,
    dense[k].toPrecision(15),
    rel(engine[k], dense[k]),
    rel(lanczos[k], dense[k]),
  ]);
  // Off the uniform weights (the metric's own Lanczos paths, no Euclidean shortcut).
  const an = analyseGame(game, { groundTruth: 'never' });
  const at = certifyWeights(an, [1, 3]);
  const d3 = kernelValues(game, 3, 'dense');
  rows.push(['beta at w = (1, 3)', d3.beta.toPrecision(15), rel(at.beta, d3.beta), '-']);
  rows.push([
    'alphaTrue at w = (1, 3)',
    d3.alphaTrue.toPrecision(15),
    rel(at.alphaTrue ?? NaN, d3.alphaTrue),
    '-',
  ]);
  return rows;
}

export async function main(args: string[]): Promise<void> {
  const { opts } = parseArgs(args);
  const dim = intOption(opts, 'dim', 1024);
  const seed = Number(opts.get('seed') ?? 1);
  const coupling = Number(opts.get('coupling') ?? 0.5);
  if (opts.has('child')) {
    console.log(JSON.stringify(runOnce(dim, coupling, seed)));
    return;
  }
  const reps = intOption(opts, 'reps', 3);
  const runs: RunResult[] = [];
  const common = ['--dim', String(dim), '--coupling', String(coupling), '--seed', String(seed)];
  for (let i = 0; i < reps; i++) {
    const r = childRun<RunResult>('large', ['--child', ...common]);
    runs.push(r);
    console.log(
      `run ${i + 1}/${reps}: build ${ms(r.buildMs)} ms, certify ${ms(r.certifyMs)} ms (CPU ${ms(r.certifyCpuMs)} ms), peak RSS ${r.maxRssMb.toFixed(0)} MB`,
    );
  }
  const bestOf = (f: (r: RunResult) => number): number => Math.min(...runs.map(f));
  const c = runs[0].cert;
  printTable(
    `Large game: d = ${2 * dim} ([${dim}, ${dim}], random, mu0 = 1, coupling ${coupling}, seed ${seed}); best of ${reps} fresh processes`,
    ['measure', 'value', 'target'],
    [
      ['game construction (ms)', ms(bestOf((r) => r.buildMs)), '-'],
      ['certification (ms)', ms(bestOf((r) => r.certifyMs)), '< 5000'],
      ['certification, CPU time (ms)', ms(bestOf((r) => r.certifyCpuMs)), '-'],
      ['peak RSS, largest of the runs (MB)', Math.max(...runs.map((r) => r.maxRssMb)).toFixed(0), '< 1024'],
    ],
  );
  const f = (x: number | null): string => (x === null ? 'null' : x.toPrecision(12));
  printTable(
    'Certificate',
    ['quantity', 'value'],
    [
      ['mu', c.mu.map(f).join(', ')],
      ['L12, L21', `${f(c.L12)}, ${f(c.L21)}`],
      ['gamma_euc', f(c.gammaEuclidean)],
      ['alpha_* (optimal)', f(c.alphaMax)],
      ['optimal ratio w2/w1', f(c.ratio)],
      ['band (r-, r+)', `${f(c.rMinus)}, ${f(c.rPlus)}`],
      ['beta', f(c.beta)],
      ['alpha_true', f(c.alphaTrue)],
      ['Euler / RK4 step', `${f(c.eulerStep)}, ${f(c.rk4Step)}`],
    ],
  );
  writeCsv(
    join(outRoot, 'large', 'runs.csv'),
    ['run', 'dim', 'build_ms', 'certify_ms', 'certify_cpu_ms', 'max_rss_mb'],
    runs.map((r, i) => [i + 1, r.dim, r.buildMs, r.certifyMs, r.certifyCpuMs, r.maxRssMb]),
  );
  const checkDim = intOption(opts, 'check-dim', 256);
  if (checkDim > 0) {
    printTable(
      `Accuracy check: d = ${2 * checkDim} game of the same kind, relative differences to the dense kernels`,
      ['quantity', 'dense value', 'engine', 'Lanczos forced'],
      accuracyCheck(checkDim, coupling, seed),
    );
  }
}
