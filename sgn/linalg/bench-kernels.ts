/**
 * Timings of the linalg kernels, dense vs Lanczos:  npx tsx sgn/linalg/bench-kernels.ts [--ml] [--quick]
 *
 *   --ml     also time ml-matrix's EigenvalueDecomposition (general, up to n = 1024: ~1 min there)
 *   --ml-small  only ml-matrix vs eigen.ts at a certificate's sizes (players: n = 3..64), the
 *            table in eigen.ts (there: each implementation in its own process, best of 4)
 *   --quick  sizes 64 and 256 only
 *
 * Matrices are seeded Gaussian (symmetric ones as (B + B^T)/2): their extreme eigenvalues sit at a
 * semicircle edge with gaps ~ n^(-2/3), a fair-to-hard case for Lanczos. "warm" re-solves for
 * A + 1e-3 B starting from the previous vector, the sweep situation. Each timing is the best of a
 * few runs (the dev machine is shared and noisy); dense runs predicted to exceed 20 s are skipped.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { generalEigenvalues, symmetricEigenvalues } from './eigen.js';
import { lanczosExtreme } from './lanczos.js';
import { type DenseMatrix, fromRows, matvec, toRows } from './matrix.js';
import { randomMatrix, randomSymmetric } from './random-matrices.js';
import { defaultRng } from '../random/generator.js';
import {
  DENSE_MAX_N_SPECTRAL,
  DENSE_MAX_N_SYMMETRIC,
  minSymmetricEigenvalue,
  spectralNorm,
} from './spectral-norm.js';

const args = new Set(process.argv.slice(2));

if (args.has('--ml-small')) {
  /** Best time per call (us) over 30 windows of 20 ms. */
  const perCallUs = (fn: () => void): number => {
    let best = Infinity;
    for (let w = 0; w < 30; w++) {
      let calls = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 20) {
        fn();
        calls++;
      }
      best = Math.min(best, (performance.now() - t0) / calls);
    }
    return best * 1000;
  };
  console.log(
    'us per call, input number[][] as at the call sites: n, general ours / ml-matrix, symmetric ours / ml-matrix',
  );
  for (const n of [3, 4, 6, 8, 10, 16, 32, 64]) {
    const rng = defaultRng(4000 + n);
    const g = toRows(randomMatrix(n, n, rng));
    const s = toRows(randomSymmetric(n, rng));
    const cols = [
      perCallUs(() => generalEigenvalues(fromRows(g))),
      perCallUs(() => new EigenvalueDecomposition(new Matrix(g)).realEigenvalues),
      perCallUs(() => symmetricEigenvalues(fromRows(s))),
      perCallUs(() => new EigenvalueDecomposition(new Matrix(s), { assumeSymmetric: true }).realEigenvalues),
    ];
    console.log(`${String(n).padStart(5)} ${cols.map((t) => t.toFixed(1).padStart(9)).join('')}`);
  }
  process.exit(0);
}
const SIZES = args.has('--quick') ? [64, 256] : [64, 256, 1024, 2048];
const BUDGET_MS = 20_000;

/** Best wall time (ms) of `reps` runs, fewer when one run is already long. */
function time(fn: () => void, reps = 3): number {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    const dt = performance.now() - t0;
    best = Math.min(best, dt);
    if (dt > 2000) break;
  }
  return best;
}

function fmt(ms: number | null): string {
  if (ms === null) return 'skipped'.padStart(9);
  return (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)).padStart(9);
}

function perturbed(a: DenseMatrix, b: DenseMatrix, eps: number): DenseMatrix {
  return { rows: a.rows, cols: a.cols, data: a.data.map((x, k) => x + eps * b.data[k]) };
}

function lanczosIters(a: DenseMatrix, which: 'min' | 'max', start?: Float64Array): number {
  return lanczosExtreme({ n: a.rows, apply: (x, y) => void matvec(a, x, y) }, { which, start }).iterations;
}

// JIT warm-up (several sizes, several calls: V8 tiers up per function and per loop) so that the
// first size is not charged for compilation.
for (const n of [16, 48, 96, 16, 48, 96]) {
  const w = randomSymmetric(n, defaultRng(n));
  symmetricEigenvalues(w);
  minSymmetricEigenvalue(w, { method: 'dense' });
  minSymmetricEigenvalue(w, { method: 'lanczos' });
  minSymmetricEigenvalue(w, { method: 'lanczos', start: w.data.subarray(0, n) });
  spectralNorm(w, { method: 'dense' });
  spectralNorm(w, { method: 'lanczos' });
  generalEigenvalues(w);
}

console.log(
  `auto thresholds in use: symmetric dense for n <= ${DENSE_MAX_N_SYMMETRIC}, spectral dense for n <= ${DENSE_MAX_N_SPECTRAL}`,
);
console.log('times in ms (best of up to 3); iters = Lanczos steps (cold / warm)\n');
console.log(
  [
    'n',
    'symEigAll',
    'minEigDns',
    'minEigLcz',
    'minEigWrm',
    'iters',
    'normDense',
    'normLcz',
    'normWarm',
    'genEig',
  ]
    .map((s, i) => (i === 0 ? s.padStart(5) : s.padStart(9)))
    .join(' ') + '   (iters)',
);

let lastDense: { n: number; ms: number } | null = null;
let lastGram: { n: number; ms: number } | null = null;
let lastGeneral: { n: number; ms: number } | null = null;
for (const n of SIZES) {
  const rng = defaultRng(1000 + n);
  const s = randomSymmetric(n, rng);
  const s2 = perturbed(s, randomSymmetric(n, rng), 1e-3);
  const g = randomMatrix(n, n, rng);
  const g2 = perturbed(g, randomMatrix(n, n, rng), 1e-3);
  // Dense cost is ~n^3: skip when the previous size predicts more than the budget.
  const predict = (last: { n: number; ms: number } | null): number =>
    last ? last.ms * (n / last.n) ** 3 : 0;
  const runDense: boolean = predict(lastDense) <= BUDGET_MS;
  const runGram: boolean = predict(lastGram) <= BUDGET_MS;
  const runGeneral: boolean = predict(lastGeneral) <= BUDGET_MS;

  const tAll: number | null = runDense ? time(() => symmetricEigenvalues(s), 2) : null;
  const tMinDense: number | null = runDense
    ? time(() => minSymmetricEigenvalue(s, { method: 'dense' }), 2)
    : null;
  if (tMinDense !== null) lastDense = { n, ms: tMinDense };
  const tMinL = time(() => minSymmetricEigenvalue(s, { method: 'lanczos' }));
  const v = minSymmetricEigenvalue(s, { method: 'lanczos' }).vector;
  const tMinW = time(() => minSymmetricEigenvalue(s2, { method: 'lanczos', start: v }));
  const itCold = lanczosIters(s2, 'min');
  const itWarm = lanczosIters(s2, 'min', v);

  const tNormDense: number | null = runGram ? time(() => spectralNorm(g, { method: 'dense' }), 2) : null;
  if (tNormDense !== null) lastGram = { n, ms: tNormDense };
  const tNormL = time(() => spectralNorm(g, { method: 'lanczos' }));
  const rv = spectralNorm(g, { method: 'lanczos' }).rightVector;
  const tNormW = time(() => spectralNorm(g2, { method: 'lanczos', start: rv }));
  const tGen: number | null =
    runGeneral && n <= 1024 ? time(() => generalEigenvalues(g), n <= 256 ? 3 : 1) : null;
  if (tGen !== null) lastGeneral = { n, ms: tGen };

  console.log(
    [
      String(n).padStart(5),
      fmt(tAll),
      fmt(tMinDense),
      fmt(tMinL),
      fmt(tMinW),
      `${itCold}/${itWarm}`.padStart(9),
    ]
      .concat([fmt(tNormDense), fmt(tNormL), fmt(tNormW), fmt(tGen)])
      .join(' '),
  );
}

// Crossover: smallest size where cold Lanczos beats dense, for both kernels.
console.log('\ncrossover scan (cold start), ms: n, minEig dense / lanczos, spectralNorm dense / lanczos');
for (const n of [16, 32, 48, 64, 96, 128, 192, 256, 384]) {
  const rng = defaultRng(2000 + n);
  const s = randomSymmetric(n, rng);
  const g = randomMatrix(n, n, rng);
  const reps = n <= 128 ? 7 : 3;
  const a = time(() => minSymmetricEigenvalue(s, { method: 'dense' }), reps);
  const b = time(() => minSymmetricEigenvalue(s, { method: 'lanczos' }), reps);
  const c = time(() => spectralNorm(g, { method: 'dense' }), reps);
  const d = time(() => spectralNorm(g, { method: 'lanczos' }), reps);
  console.log(
    `${String(n).padStart(5)} ${fmt(a)} / ${fmt(b)} ${a < b ? 'dense ' : 'lanczos'}   ${fmt(c)} / ${fmt(d)} ${c < d ? 'dense' : 'lanczos'}`,
  );
}

if (args.has('--ml')) {
  console.log('\nml-matrix EigenvalueDecomposition (general) vs generalEigenvalues, ms');
  for (const n of [64, 256, 512, 1024]) {
    const g = randomMatrix(n, n, defaultRng(3000 + n));
    const m = new Matrix(toRows(g));
    const tMl = time(() => new EigenvalueDecomposition(m, { assumeSymmetric: false }), 1);
    const tOurs = time(() => generalEigenvalues(g), 1);
    console.log(`${String(n).padStart(5)} ml-matrix ${fmt(tMl)}   ours ${fmt(tOurs)}`);
  }
}
