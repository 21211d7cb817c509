/**
 * Reading stored run histories (stepsize_traces) back as long-format rows: one per run and kept
 * step, with the game's swept parameters, so a plotting tool can group and facet by any column.
 * t = k h is the time the run has reached (RK4 at a small h: the flow's time series).
 */
import { Prisma, type PrismaClient } from '../db/client.js';
import { InputError } from '../sgn/util/errors.js';
import { cellAt, ratioLength, type ParamValue } from './cells.js';
import type { ResolvedSweep } from './resolved.js';
import { TRACE_CSV_COLUMNS } from '../sgn/experiments/trace.js';
import { EXPORT_TIMEOUT_MS } from './cursor.js';

interface RawTrace {
  cell_index: number;
  integrator: string;
  multiplier: number;
  run: number;
  step: number;
  k: number[];
  residual: (number | null)[];
  distance: (number | null)[];
  metric_distance: (number | null)[];
  lyapunov: (number | null)[] | null;
}

/** Runs per page (a run is at most 1000 steps: pages of ~10^5 lines). */
const TRACE_PAGE = 100;

export interface TraceExport {
  /** cell_index, the sweep's game parameters, then TRACE_CSV_COLUMNS. */
  readonly header: string[];
  /** Runs exported. */
  readonly runs: number;
  /** Lines (run x kept step) exported. */
  readonly lines: number;
}

/** The long-format lines of one stored run. */
export function traceLines(t: RawTrace, params: readonly unknown[]): unknown[][] {
  return t.k.map((k, j) => [
    t.cell_index,
    ...params,
    t.integrator,
    t.multiplier,
    t.step,
    t.run,
    k,
    k * t.step,
    t.residual[j],
    t.distance[j],
    t.metric_distance[j],
    t.lyapunov ? t.lyapunov[j] : null,
  ]);
}

/**
 * Hands the sweep's traces to `onLines` as long-format lines, a page of runs at a time (in cell,
 * integrator, multiplier and run order), through a cursor in one read transaction. InputError
 * when there is no such sweep, or it stored no traces.
 */
export async function exportTraces(
  prisma: PrismaClient,
  sweepId: string,
  onHeader: (header: string[]) => void | Promise<void>,
  onLines: (lines: unknown[][]) => void | Promise<void>,
): Promise<TraceExport> {
  const [sweep] = await prisma.$queryRaw<{ spec: unknown }[]>`SELECT spec FROM sweeps WHERE id = ${sweepId}`;
  if (!sweep) throw new InputError('sweep', `no sweep with id "${sweepId}" (see: sgn sweep list)`);
  const resolved = sweep.spec as ResolvedSweep;
  const R = ratioLength(resolved);
  const paramNames = resolved.axes.filter((a) => a.target !== 'weights').map((a) => a.name);
  const header = ['cell_index', ...paramNames, ...TRACE_CSV_COLUMNS];
  let runs = 0;
  let lines = 0;
  // A game's runs are consecutive: its parameters are worked out once.
  const paramsOf = new Map<number, Record<string, ParamValue>>();
  await prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`DECLARE sgn_traces NO SCROLL CURSOR FOR
        SELECT cell_index, integrator, multiplier, run, step, k, residual, distance, metric_distance, lyapunov
        FROM stepsize_traces WHERE sweep_id = ${sweepId}
        ORDER BY cell_index, integrator, multiplier, run`;
      for (;;) {
        const page = await tx.$queryRaw<RawTrace[]>(Prisma.sql`FETCH FORWARD 100 FROM sgn_traces`);
        if (runs === 0 && page.length === 0) break;
        if (runs === 0) await onHeader(header);
        const out: unknown[][] = [];
        for (const t of page) {
          let params = paramsOf.get(t.cell_index);
          if (paramsOf.size > 1024) paramsOf.clear();
          if (!params) paramsOf.set(t.cell_index, (params = cellAt(resolved, t.cell_index * R).params));
          for (const line of traceLines(
            t,
            paramNames.map((p) => params[p] ?? null),
          ))
            out.push(line);
        }
        runs += page.length;
        lines += out.length;
        if (out.length > 0) await onLines(out);
        if (page.length < TRACE_PAGE) break;
      }
    },
    { timeout: EXPORT_TIMEOUT_MS },
  );
  if (runs === 0)
    throw new InputError(
      'sweep trace',
      `sweep "${sweepId}" has no stored traces (give its spec stepsize.trace: {points: N})`,
    );
  return { header, runs, lines };
}

/** The median history of one game's runs at one (integrator, multiplier), for figures. */
export interface TraceSeries {
  /** The game's index (stepsize_traces.cell_index) and its swept parameters. */
  readonly cellIndex: number;
  readonly params: Record<string, ParamValue>;
  readonly integrator: string;
  readonly multiplier: number;
  readonly step: number;
  /** Runs the medians are over. */
  readonly runs: number;
  /** Kept steps, and at each the median over the runs that reached it. */
  readonly k: number[];
  readonly metricDistance: (number | null)[];
  readonly distance: (number | null)[];
  readonly lyapunov: (number | null)[] | null;
}

/** Median of the finite values, null when none is. */
function medianOf(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/**
 * Per game (the first `maxGames` with traces) and (integrator, multiplier): the runs' median
 * history. Bounded: maxGames x integrators x multipliers x runs x 1000 points at most are read.
 */
export async function traceSeries(
  prisma: PrismaClient,
  resolved: ResolvedSweep,
  sweepId: string,
  maxGames = 12,
): Promise<TraceSeries[]> {
  const rows = await prisma.$queryRaw<RawTrace[]>`
    SELECT cell_index, integrator, multiplier, run, step, k, residual, distance, metric_distance, lyapunov
    FROM stepsize_traces
    WHERE sweep_id = ${sweepId} AND cell_index IN (
      SELECT DISTINCT cell_index FROM stepsize_traces WHERE sweep_id = ${sweepId} ORDER BY cell_index LIMIT ${maxGames})
    ORDER BY cell_index, integrator, multiplier, run`;
  const R = ratioLength(resolved);
  const groups = new Map<string, RawTrace[]>();
  for (const r of rows) {
    const key = `${r.cell_index}|${r.integrator}|${r.multiplier}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const out: TraceSeries[] = [];
  for (const runs of groups.values()) {
    const first = runs[0];
    // Runs stop at different steps: the longest run's kept steps, each over the runs that have it.
    const longest = runs.reduce((a, b) => (b.k.length > a.k.length ? b : a));
    const at = runs.map((r) => new Map(r.k.map((k, j) => [k, j])));
    const pick = (field: 'metric_distance' | 'distance' | 'lyapunov'): (number | null)[] =>
      longest.k.map((k) =>
        medianOf(
          runs.map((r, i) => {
            const j = at[i].get(k);
            const values = r[field];
            return j === undefined || !values ? null : values[j];
          }),
        ),
      );
    out.push({
      cellIndex: first.cell_index,
      params: cellAt(resolved, first.cell_index * R).params,
      integrator: first.integrator,
      multiplier: first.multiplier,
      step: first.step,
      runs: runs.length,
      k: longest.k,
      metricDistance: pick('metric_distance'),
      distance: pick('distance'),
      lyapunov: runs.some((r) => r.lyapunov) ? pick('lyapunov') : null,
    });
  }
  return out;
}
