/**
 * Bulk inserts that keep every double bit-for-bit, fast. Two Prisma 6.19 client-engine
 * behaviours shape this file (both measured): number parameters are rounded to 16 significant
 * digits on the way to PostgreSQL (0.0015610189539061294 was stored as 0.001561018953906129),
 * and every bound parameter costs ~30 us in the query compiler (a 1000-row insert with 26
 * parameters a row took ~0.85 s). So a batch travels as ONE parameter, a JSON document whose
 * numbers are JavaScript's shortest round-trip text, unpacked by jsonb_to_recordset: numeric ->
 * float8 is correctly rounded, so every double arrives exactly. Still Prisma's parameterised
 * raw queries: no value is spliced into the SQL text. JSON has no NaN/Infinity: those become NULL.
 */
import { Prisma } from '../generated/prisma/client.js';

/** Anything with $executeRaw: a PrismaClient or an interactive transaction. */
export interface RawExecutor {
  $executeRaw(query: Prisma.Sql): Prisma.PrismaPromise<number>;
}

/** A PrismaClient or an interactive transaction, for statements that return rows. */
export interface RawQueryExecutor {
  $queryRaw<T = unknown>(query: Prisma.Sql): Prisma.PrismaPromise<T>;
}

/** Rows per statement: bounds the JSON document (a few MB at most). */
const CHUNK = 5000;

function finiteJson(rows: readonly object[]): string {
  return JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

export interface CellInsert {
  cellIndex: number;
  cellKey: string;
  /** Axis name -> value; the file axis' value is the file's name. */
  params: Record<string, number | string>;
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

export interface StepsizeInsert {
  cellIndex: number;
  cellKey: string;
  integrator: string;
  multiplier: number;
  /** Null (as certifiedStep and convergedFraction) on a failed run: `error` says why. */
  step: number | null;
  certifiedStep: number | null;
  exactThreshold: number | null;
  stableExact: boolean | null;
  convergedFraction: number | null;
  empiricalFactor: number | null;
  predictedFactor: number | null;
  /** rho of the step matrix at h (linear games with their eigenvalues; else null). */
  spectralRadius: number | null;
  /** The game's Euclidean margin (>= 0: Euclidean-monotone), for the phase diagram's shading. */
  gammaEuclidean: number | null;
  error: string | null;
  /** The convergence criterion convergedFraction counts by (sgn/experiments/convergence.ts); null on a failed run. */
  convergence: string | null;
}

export async function insertStepsizeResults(
  db: RawQueryExecutor,
  sweepId: string,
  rows: readonly StepsizeInsert[],
): Promise<{ inserted: number; failed: number }> {
  let inserted = 0;
  let failed = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const doc = finiteJson(rows.slice(i, i + CHUNK));
    const [r] = await db.$queryRaw<{ inserted: number; failed: number }[]>(Prisma.sql`
      WITH ins AS (
        INSERT INTO stepsize_results (sweep_id, cell_index, cell_key, integrator, multiplier, step, certified_step,
          exact_threshold, stable_exact, converged_fraction, empirical_factor, predicted_factor, spectral_radius,
          gamma_euclidean, error, convergence)
        SELECT ${sweepId}, "cellIndex", "cellKey", integrator, multiplier, step, "certifiedStep", "exactThreshold",
          "stableExact", "convergedFraction", "empiricalFactor", "predictedFactor", "spectralRadius", "gammaEuclidean", error,
          convergence
        FROM jsonb_to_recordset(${doc}::jsonb) AS r("cellIndex" int, "cellKey" text, integrator text, multiplier float8,
          step float8, "certifiedStep" float8, "exactThreshold" float8, "stableExact" boolean, "convergedFraction" float8,
          "empiricalFactor" float8, "predictedFactor" float8, "spectralRadius" float8, "gammaEuclidean" float8, error text,
          convergence text)
        ON CONFLICT (sweep_id, cell_key, integrator, multiplier) DO NOTHING
        RETURNING error IS NOT NULL AS failed)
      SELECT count(*)::int AS inserted, (count(*) FILTER (WHERE failed))::int AS failed FROM ins`);
    inserted += r.inserted;
    failed += r.failed;
  }
  return { inserted, failed };
}

/** One run's thinned history (sgn/experiments/trace.ts): the arrays share their length; null = not finite. */
export interface StepsizeTraceInsert {
  cellIndex: number;
  cellKey: string;
  integrator: string;
  multiplier: number;
  /** The start's index among the game's starts. */
  run: number;
  step: number;
  k: number[];
  residual: (number | null)[];
  distance: (number | null)[];
  metricDistance: (number | null)[];
  lyapunov: (number | null)[] | null;
}

/** Runs per statement: a run holds at most 5 x 1000 numbers, so a statement's document stays ~20 MB. */
const TRACE_CHUNK = 200;

/** Inserts traces (a retried batch's are already there: skipped). Resolves to the runs inserted. */
export async function insertStepsizeTraces(
  db: RawExecutor,
  sweepId: string,
  traces: readonly StepsizeTraceInsert[],
): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < traces.length; i += TRACE_CHUNK) {
    const doc = finiteJson(traces.slice(i, i + TRACE_CHUNK));
    inserted += await db.$executeRaw(Prisma.sql`
      INSERT INTO stepsize_traces (sweep_id, cell_index, cell_key, integrator, multiplier, run, step, k, residual,
        distance, metric_distance, lyapunov)
      SELECT ${sweepId}, "cellIndex", "cellKey", integrator, multiplier, run, step, k, residual, distance,
        "metricDistance", lyapunov
      FROM jsonb_to_recordset(${doc}::jsonb) AS r("cellIndex" int, "cellKey" text, integrator text,
        multiplier float8, run int, step float8, k int[], residual float8[], distance float8[],
        "metricDistance" float8[], lyapunov float8[])
      ON CONFLICT (sweep_id, cell_key, integrator, multiplier, run) DO NOTHING`);
  }
  return inserted;
}
