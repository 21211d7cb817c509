/**
 * Bulk inserts that keep every double bit-for-bit. Prisma 6.19's client engine rounds number
 * parameters to 16 significant digits on the way to PostgreSQL (measured: 0.0015610189539061294
 * is stored as 0.001561018953906129), which would break "identical results whatever the
 * workers". So floats travel as their shortest round-trip text and are cast in SQL. Still
 * Prisma's parameterised raw queries: no value is ever spliced into the SQL text.
 */
import { Prisma } from '../generated/prisma/client.js';

/** Anything with $executeRaw: a PrismaClient or an interactive transaction. */
export interface RawExecutor {
  $executeRaw(query: Prisma.Sql): Prisma.PrismaPromise<number>;
}

/** Rows per INSERT: stays far below PostgreSQL's 65535 parameters per statement. */
const CHUNK = 1000;

function f8(x: number | null): Prisma.Sql {
  // String(x) is the shortest text that round-trips; NaN/Infinity are spelled as PostgreSQL reads them.
  return x === null ? Prisma.sql`NULL::float8` : Prisma.sql`${String(x)}::float8`;
}

function f8s(xs: readonly number[]): Prisma.Sql {
  return Prisma.sql`${`{${xs.map(String).join(',')}}`}::float8[]`;
}

function jsonb(v: unknown): Prisma.Sql {
  return v === null ? Prisma.sql`NULL::jsonb` : Prisma.sql`${JSON.stringify(v)}::jsonb`;
}

export interface CellInsert {
  cellIndex: number;
  cellKey: string;
  params: Record<string, number>;
  gameParam: number | null;
  ratio: number | null;
  regionRadius: number | null;
  seed: number | null;
  certified: boolean;
  gammaEuclidean: number | null;
  alpha: number | null;
  beta: number | null;
  eulerStep: number | null;
  rk4Step: number | null;
  weights: number[];
  mu: number[];
  couplingL: number[][] | null;
  optimalAlpha: number | null;
  optimalRatio: number | null;
  bandMinus: number | null;
  bandPlus: number | null;
  alphaTrue: number | null;
  hStabEuler: number | null;
  hStabRk4: number | null;
  error: string | null;
}

/** Inserts cell results, skipping cells already stored; resolves to the number inserted. */
export async function insertCellResults(
  db: RawExecutor,
  sweepId: string,
  computedBy: string,
  rows: readonly CellInsert[],
): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const values = rows.slice(i, i + CHUNK).map(
      (
        r,
      ) => Prisma.sql`(${sweepId}, ${r.cellIndex}, ${r.cellKey}, ${jsonb(r.params)}, ${f8(r.gameParam)}, ${f8(r.ratio)},
        ${f8(r.regionRadius)}, ${r.seed}, ${r.certified}, ${f8(r.gammaEuclidean)}, ${f8(r.alpha)}, ${f8(r.beta)},
        ${f8(r.eulerStep)}, ${f8(r.rk4Step)}, ${f8s(r.weights)}, ${f8s(r.mu)}, ${jsonb(r.couplingL)}, ${f8(r.optimalAlpha)},
        ${f8(r.optimalRatio)}, ${f8(r.bandMinus)}, ${f8(r.bandPlus)}, ${f8(r.alphaTrue)}, ${f8(r.hStabEuler)},
        ${f8(r.hStabRk4)}, ${r.error}, ${computedBy})`,
    );
    inserted += await db.$executeRaw(Prisma.sql`
      INSERT INTO cell_results (sweep_id, cell_index, cell_key, params, game_param, ratio, region_radius, seed, certified,
        gamma_euclidean, alpha, beta, euler_step, rk4_step, weights, mu, coupling_l, optimal_alpha, optimal_ratio,
        band_minus, band_plus, alpha_true, h_stab_euler, h_stab_rk4, error, computed_by)
      VALUES ${Prisma.join(values)}
      ON CONFLICT (sweep_id, cell_key) DO NOTHING`);
  }
  return inserted;
}

export interface StepsizeInsert {
  cellIndex: number;
  cellKey: string;
  integrator: string;
  multiplier: number;
  step: number;
  certifiedStep: number;
  exactThreshold: number | null;
  stableExact: boolean | null;
  convergedFraction: number;
  empiricalFactor: number | null;
  predictedFactor: number | null;
}

export async function insertStepsizeResults(
  db: RawExecutor,
  sweepId: string,
  rows: readonly StepsizeInsert[],
): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const values = rows.slice(i, i + CHUNK).map(
      (
        r,
      ) => Prisma.sql`(${sweepId}, ${r.cellIndex}, ${r.cellKey}, ${r.integrator}, ${f8(r.multiplier)}, ${f8(r.step)},
        ${f8(r.certifiedStep)}, ${f8(r.exactThreshold)}, ${r.stableExact}, ${f8(r.convergedFraction)},
        ${f8(r.empiricalFactor)}, ${f8(r.predictedFactor)})`,
    );
    inserted += await db.$executeRaw(Prisma.sql`
      INSERT INTO stepsize_results (sweep_id, cell_index, cell_key, integrator, multiplier, step, certified_step,
        exact_threshold, stable_exact, converged_fraction, empirical_factor, predicted_factor)
      VALUES ${Prisma.join(values)}
      ON CONFLICT (sweep_id, cell_key, integrator, multiplier) DO NOTHING`);
  }
  return inserted;
}

export interface BandMapInsert {
  paramName: string;
  paramValue: number;
  ratios: number[];
  alphas: number[];
  rMinus: number | null;
  rPlus: number | null;
  optimalRatio: number | null;
  alphaMax: number | null;
  certifiedFraction: number;
}

export async function insertBandMaps(
  db: RawExecutor,
  sweepId: string,
  rows: readonly BandMapInsert[],
): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += 200) {
    const values = rows.slice(i, i + 200).map(
      (
        r,
      ) => Prisma.sql`(${sweepId}, ${r.paramName}, ${f8(r.paramValue)}, ${f8s(r.ratios)}, ${f8s(r.alphas)}, ${f8(r.rMinus)},
        ${f8(r.rPlus)}, ${f8(r.optimalRatio)}, ${f8(r.alphaMax)}, ${f8(r.certifiedFraction)})`,
    );
    inserted += await db.$executeRaw(Prisma.sql`
      INSERT INTO band_maps (sweep_id, param_name, param_value, ratios, alphas, r_minus, r_plus, optimal_ratio, alpha_max,
        certified_fraction)
      VALUES ${Prisma.join(values)}
      ON CONFLICT (sweep_id, param_name, param_value) DO NOTHING`);
  }
  return inserted;
}
