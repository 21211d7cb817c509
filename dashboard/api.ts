/**
 * The dashboard's answers, as JSON-ready objects: the sweeps with their progress, one sweep's
 * figures (the reports' own Vega-Lite specs, for --x / --slice / --aggregate), and its results
 * through the query layer. Read-only: nothing here writes to the database or asks Temporal.
 */
import type { PrismaClient } from '../db/client.js';
import { loadSweepData } from '../report/data.js';
import { FIGURE_CONFIG } from '../report/figures.js';
import { progressNote, sweepFigures } from '../report/sweep-report.js';
import type { ViewOptions } from '../report/view.js';
import { checkWhereSyntax } from '../sweep/query.js';
import {
  countResults,
  exportLayout,
  forEachResultPage,
  recentActivity,
  resultRows,
  sweepQueryContext,
  type ResultRow,
} from '../sweep/queries.js';
import {
  countRuns,
  forEachRunPage,
  runColumns,
  runQueryContext,
  runRows,
  runsFilter,
  type RunRow,
} from '../sweep/run-results.js';
import { tidyColumns, tidyRow } from '../sweep/tidy.js';
import type { Cell, TypedColumn } from '../formats/parquet.js';
import { InputError } from '../sgn/util/errors.js';

/** Where links point: Temporal's web UI (none when unset) and its namespace. */
export interface LinkSettings {
  readonly temporalUiUrl?: string;
  readonly namespace: string;
}

export interface SweepSummary {
  readonly id: string;
  readonly name: string | null;
  readonly kind: string;
  readonly status: string;
  readonly totalCells: number;
  readonly doneCells: number;
  readonly failedCells: number;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly cellsPerSecond: number;
  readonly workers: string[];
  readonly lastStoredAt: string | null;
  /** Temporal UI's page of the sweep's workflow, null when SGN_TEMPORAL_UI_URL is unset. */
  readonly workflowUrl: string | null;
}

/** The Temporal UI's page of a workflow. */
export function workflowLink(links: LinkSettings, workflowId: string): string | null {
  if (!links.temporalUiUrl) return null;
  const base = links.temporalUiUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(links.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** Every sweep, newest first, with its counters and its recent pace (activity over `windowSeconds`). */
export async function sweepSummaries(
  prisma: PrismaClient,
  links: LinkSettings,
  windowSeconds = 60,
): Promise<SweepSummary[]> {
  const sweeps = await prisma.sweep.findMany({
    orderBy: { createdAt: 'desc' },
    select: {
      id: true,
      name: true,
      kind: true,
      status: true,
      totalCells: true,
      doneCells: true,
      failedCells: true,
      createdAt: true,
      finishedAt: true,
      workflowId: true,
    },
  });
  // Pace only for sweeps still at work: an ended one stores nothing more.
  const live = sweeps.filter((s) => s.status === 'running' || s.status === 'paused').map((s) => s.id);
  const activity = new Map((await recentActivity(prisma, live, windowSeconds)).map((a) => [a.sweepId, a]));
  return sweeps.map((s) => {
    const a = activity.get(s.id);
    return {
      id: s.id,
      name: s.name,
      kind: s.kind,
      status: s.status,
      totalCells: s.totalCells,
      doneCells: s.doneCells,
      failedCells: s.failedCells,
      createdAt: s.createdAt.toISOString(),
      finishedAt: s.finishedAt?.toISOString() ?? null,
      cellsPerSecond: a?.cellsPerSecond ?? 0,
      workers: a?.workers ?? [],
      lastStoredAt: a?.lastStoredAt ?? null,
      workflowUrl: workflowLink(links, s.workflowId),
    };
  });
}

/** A figure as the page draws it: the spec carries the reports' look. */
export interface FigureJson {
  readonly name: string;
  readonly title: string;
  readonly caption: string;
  readonly spec: object;
}

export interface SweepDetail {
  readonly id: string;
  readonly status: string;
  readonly doneCells: number;
  readonly totalCells: number;
  readonly failedCells: number;
  /** The sweep's axes (the choices for x, slice and aggregate) and their values. */
  readonly axes: { name: string; target: string; length: number }[];
  /** The view drawn: x, pooled axes, held values. */
  readonly view: { x: string | null; aggregate: string[]; slice: Record<string, number> };
  readonly figures: FigureJson[];
  readonly notes: string[];
}

/** One sweep's figures for a view (InputError naming the option for a bad one, or for no such sweep). */
export async function sweepDetail(prisma: PrismaClient, id: string, view: ViewOptions): Promise<SweepDetail> {
  const data = await loadSweepData(prisma, id, { view });
  const { figures, notes } = sweepFigures(data);
  const progress = progressNote(data);
  return {
    id,
    status: data.sweep.status,
    doneCells: data.sweep.doneCells,
    totalCells: data.sweep.totalCells,
    failedCells: data.sweep.failedCells,
    axes: data.resolved.axes.map((a) => ({ name: a.name, target: a.target, length: a.length })),
    view: {
      x: data.view.x,
      aggregate: [...data.view.aggregate],
      slice: Object.fromEntries(data.view.fixed),
    },
    figures: figures.map((f) => ({
      name: f.name,
      title: f.title,
      caption: f.caption,
      spec: { ...f.spec, config: FIGURE_CONFIG },
    })),
    notes: progress ? [progress, ...notes] : notes,
  };
}

/**
 * The results filter from the page's `where` parameters (`NAME<op>VALUE`, the query language of
 * sweep/query.ts, one per parameter): checked here, resolved against the sweep by the queries.
 */
export function resultsFilter(items: readonly string[]): string[] {
  checkWhereSyntax(items);
  return [...items];
}

/** Rows the results table shows at most (the CSV download has them all). */
export const TABLE_LIMIT = 200;

/**
 * What the results table lists: certificates, or (a step-size sweep) its runs; `params` names
 * their parameter columns in the sweep's axis order (a row's params come in jsonb's key order).
 */
export type SweepResults =
  | {
      readonly kind: 'cells';
      readonly total: number;
      readonly params: readonly string[];
      readonly rows: ResultRow[];
    }
  | {
      readonly kind: 'runs';
      readonly total: number;
      readonly params: readonly string[];
      readonly rows: RunRow[];
    };

/** Whether a sweep's results are its step-size runs (as `sgn sweep results` lists them). */
async function listsRuns(prisma: PrismaClient, id: string): Promise<boolean> {
  const row = await prisma.sweep.findUnique({ where: { id }, select: { kind: true } });
  if (!row) throw new InputError('sweep', `no sweep with id "${id}"`);
  return row.kind === 'stepsize';
}

export async function sweepResults(
  prisma: PrismaClient,
  id: string,
  where: readonly string[],
  limit = TABLE_LIMIT,
): Promise<SweepResults> {
  if (await listsRuns(prisma, id)) {
    const rows = await runRows(prisma, id, where, limit);
    const total =
      rows.length < limit
        ? rows.length
        : await countRuns(prisma, (await runsFilter(prisma, id, where)).filter);
    return { kind: 'runs', total, params: (await runQueryContext(prisma, id)).paramNames, rows };
  }
  const rows = await resultRows(prisma, id, where, limit);
  const total = rows.length < limit ? rows.length : await countResults(prisma, id, where);
  return { kind: 'cells', total, params: (await sweepQueryContext(prisma, id)).paramNames, rows };
}

/** A sweep's matching results as tidy rows (the columns of `sweep results --format csv`). */
export interface TidyResults {
  readonly columns: readonly TypedColumn[];
  /** Hands the rows a page at a time to `onPage` (awaited: the reader sets the pace). */
  forEachPage(onPage: (rows: Cell[][]) => Promise<void>): Promise<void>;
}

export async function tidyResults(
  prisma: PrismaClient,
  id: string,
  where: readonly string[],
): Promise<TidyResults> {
  if (await listsRuns(prisma, id)) {
    const columns = runColumns(await runQueryContext(prisma, id));
    return {
      columns,
      forEachPage: (onPage) =>
        forEachRunPage(prisma, id, where, (rows) => onPage(rows.map((r) => columns.map((c) => c.value(r))))),
    };
  }
  const columns = tidyColumns(await exportLayout(prisma, id));
  return {
    columns,
    forEachPage: (onPage) =>
      forEachResultPage(prisma, id, where, (rows) => onPage(rows.map((r) => tidyRow(columns, r)))),
  };
}

/** A view from the page's query: x, slice (repeated), aggregate (repeated or comma-separated). */
export function viewOf(query: URLSearchParams): ViewOptions {
  const x = query.get('x')?.trim();
  const slice = query.getAll('slice').filter((s) => s.trim() !== '');
  const aggregate = query.getAll('aggregate').filter((s) => s.trim() !== '');
  for (const [k] of query)
    if (!['x', 'slice', 'aggregate'].includes(k))
      throw new InputError(k, 'is not an option of a sweep view (x, slice, aggregate)');
  return { ...(x ? { x } : {}), slice, aggregate };
}
