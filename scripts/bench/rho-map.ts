/**
 * The LQ-64 spectral-radius map as the paper draws it: rho of the Euler and RK4 step matrices at
 * 61 lambdas (linspace(0, 2.5, 61)) x 400 steps (the paper's grids: Euler linspace(0, 8, 400),
 * RK4 linspace(0, 10, 400); scripts/reference/paper_phase.py), exactly from one eigendecomposition
 * of H per lambda (sgn/step-radius.ts), as a step-size sweep computes it.
 *
 *   npm run bench -- rho-map [--reps 5] [--game examples/games/lq64.json]
 *
 * Prints the best of `reps` runs in one process: the 61 eigendecompositions, the 2 x 61 x 400
 * radii, and the total (building the 61 games is timed apart: a sweep builds them anyway).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseGameSpec } from '../../formats/game-file.js';
import { buildGame } from '../../sgn/games/build.js';
import { generalEigenvalues } from '../../sgn/linalg/eigen.js';
import type { DenseMatrix } from '../../sgn/linalg/matrix.js';
import { stepSpectralRadii } from '../../sgn/step-radius.js';
import { intOption, ms, parseArgs } from './common.js';

const linspace = (a: number, b: number, n: number): Float64Array =>
  Float64Array.from({ length: n }, (_v, k) => a + ((b - a) * k) / (n - 1));

export async function main(args: string[]): Promise<void> {
  const { opts } = parseArgs(args);
  const reps = intOption(opts, 'reps', 5);
  const file = resolve(opts.get('game') ?? 'examples/games/lq64.json');
  const base = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const lambdas = linspace(0, 2.5, 61);
  const eulerSteps = linspace(0, 8, 400);
  const rk4Steps = linspace(0, 10, 400);
  let best = { build: Infinity, eigen: Infinity, radii: Infinity };
  let stable = 0;
  for (let rep = 0; rep < reps; rep++) {
    const t0 = performance.now();
    const Hs: DenseMatrix[] = Array.from(
      lambdas,
      (lambda) => buildGame(parseGameSpec({ ...base, lambda })).linear!.H,
    );
    const t1 = performance.now();
    const eigs = Hs.map((H) => generalEigenvalues(H));
    const t2 = performance.now();
    stable = 0;
    for (const eig of eigs) {
      for (const rho of [
        stepSpectralRadii(eig, eulerSteps, 'euler'),
        stepSpectralRadii(eig, rk4Steps, 'rk4'),
      ])
        for (const r of rho) if (r < 1) stable++;
    }
    const t3 = performance.now();
    best = {
      build: Math.min(best.build, t1 - t0),
      eigen: Math.min(best.eigen, t2 - t1),
      radii: Math.min(best.radii, t3 - t2),
    };
  }
  console.log(`rho map, ${file.replace(/.*\//, '')}: 61 lambdas x 400 h x (Euler, RK4), best of ${reps}`);
  console.log(`  games built (not part of the map):  ${ms(best.build)} ms`);
  console.log(`  61 eigendecompositions of H (64):   ${ms(best.eigen)} ms`);
  console.log(`  2 x 61 x 400 spectral radii:        ${ms(best.radii)} ms`);
  console.log(`  map total (eigen + radii):          ${ms(best.eigen + best.radii)} ms`);
  console.log(`  (${stable} of ${2 * 61 * 400} cells have rho < 1)`);
}
