/**
 * Benchmarks:  npm run bench -- <name> [options]
 *
 *   lq64   the paper's whole LQ-64 pipeline (61 lambdas x 161 ratios, bands, exact thresholds)
 *          against the NumPy version (scripts/bench/paper_lq64.py), with a numerical cross-check
 *   large  certification of a d = 2048 two-player quadratic game (time and peak RSS)
 *   sweep  a 20,000-cell certify sweep through Temporal and PostgreSQL with 1 and 2 worker
 *          processes, against the same cells in-process: overhead, CPU per process, timeline
 *   sweep-profile  the same cells' batches through the worker's database calls, without Temporal
 *   rho-map  the LQ-64 log-rho phase diagram's numbers: 61 lambdas x 400 h, Euler and RK4
 *   results  --where and exports on a 1,000,000-cell sweep: database time, export time and peak RSS
 *
 * Numbers go to stdout as small tables; CSVs to bench-out/ (gitignored). Timings are the best of
 * a few runs (default 3) because the machine is shared and noisy.
 */
const BENCHES: Record<string, () => Promise<{ main(args: string[]): Promise<void> }>> = {
  lq64: () => import('./bench/lq64.js'),
  large: () => import('./bench/large.js'),
  sweep: () => import('./bench/sweep.js'),
  'sweep-profile': () => import('./bench/sweep-profile.js'),
  'rho-map': () => import('./bench/rho-map.js'),
  results: () => import('./bench/results.js'),
};

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || !(name in BENCHES)) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]`);
  process.exit(2);
}
const mod = await BENCHES[name]();
await mod.main(rest);
