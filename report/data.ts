/**
 * A stored sweep's tables, read back through the query layer: band map (per value of the swept
 * game parameter and ratio), band edges, margins against the parameter, and step-size runs.
 * Whatever is stored is returned, so a running sweep yields its partial tables.
 */
import type { PrismaClient } from '../db/client.js';
import { bandMapRows, gridResultRows, resultRows, type ResultRow } from '../sweep/queries.js';
import { DRAWN_CELLS, drawnGrid, gridIndices, gridNote, type DrawnGrid } from '../sweep/drawn-grid.js';
import { cellAt, ratioLength } from '../sweep/cells.js';
import { chooseView, sliceLabel, type View, type ViewOptions } from './view.js';
import { axisValue, paramNumber } from '../sweep/axes.js';
import { traceSeries, type TraceSeries } from '../sweep/traces.js';
import type { ParamValue } from '../sweep/cells.js';
import type { ResolvedSweep, SweepAxis } from '../sweep/resolved.js';
import { InputError } from '../sgn/util/errors.js';
import { buildGame } from '../sgn/games/build.js';
import { analyseGame, certifyWeights } from '../sgn/certificate.js';

/**
 * A slice is one combination of the game axes other than the x axis ('' when x is the only game
 * axis), e.g. `seed=3`; figures draw one slice at a time. `at` holds the values of every axis
 * but the weights' (what --slice and --aggregate read); `param` is at[x].
 */
export interface AxisPoint {
  slice: string;
  at: Record<string, number>;
}

export interface BandCell extends AxisPoint {
  param: number;
  ratio: number;
  /** SGN margin alpha_* at (param, ratio); null when the cell failed. */
  alpha: number | null;
  certified: boolean;
  /** Pooled cells (--aggregate): how many, and the fraction certified (shown in the tooltip). */
  games?: number;
  certifiedRate?: number;
}

export interface BandEdge extends AxisPoint {
  param: number;
  rMinus: number | null;
  rPlus: number | null;
  optimalRatio: number | null;
  alphaMax: number | null;
  certifiedFraction: number;
}

export interface MarginRow extends AxisPoint {
  param: number;
  /** Euclidean margin: the classical test certifies when it is > 0. */
  gammaEuclidean: number;
  /** SGN margin at the optimal weights (alpha_max). */
  optimalAlpha: number;
  /** True contraction rate in M(w) at the optimal weights (stored for optimal-weight sweeps, or computed). */
  alphaTrue: number | null;
  /** alphaTrue of the stored cell whose ratio is nearest the optimal ratio (log distance). */
  alphaTrueNearestCell: number | null;
  nearestCellRatio: number | null;
  optimalRatio: number | null;
}

export interface StepsizePoint extends AxisPoint {
  param: number;
  integrator: string;
  multiplier: number;
  step: number;
  certifiedStep: number;
  exactThreshold: number | null;
  /** Null: no runs were asked for (seeds: 0). */
  convergedFraction: number | null;
  empiricalFactor: number | null;
  predictedFactor: number | null;
  /** rho of the step matrix at `step` (linear games; null otherwise). */
  spectralRadius: number | null;
  /** The game's Euclidean margin (>= 0: Euclidean-monotone). */
  gammaEuclidean: number | null;
}

export interface SweepMeta {
  id: string;
  name: string | null;
  kind: string;
  status: string;
  doneCells: number;
  totalCells: number;
  failedCells: number;
}

export interface SweepData {
  sweep: SweepMeta;
  resolved: ResolvedSweep;
  /** The x axis (--x, by default the first game axis), or null for a sweep over one game. */
  param: string | null;
  /** --x, --slice and --aggregate, checked against the sweep's axes. */
  view: View;
  hasRatioAxis: boolean;
  /**
   * The stored cells read: all of them, or for a sweep of more than DRAWN_CELLS cells those on
   * `drawn` (its --slice held, its axes thinned: sweep/drawn-grid.ts).
   */
  cells: ResultRow[];
  /** What `cells` leaves out of a large sweep, for the figures' notes; null when nothing. */
  drawn: string | null;
  band: BandCell[];
  edges: BandEdge[];
  /** band_maps: the stored band map (completed sweep); cells: built from the stored cells (unfinished sweep). */
  bandSource: 'band-maps' | 'cells' | null;
  margins: MarginRow[];
  steps: StepsizePoint[];
  /** Median run histories of the first games with traces (stepsize.trace), else empty. */
  traces: TraceSeries[];
}

export interface LoadOptions {
  /**
   * Compute the true margin at the optimal weights in-process (one game analysis per game
   * group) instead of reading the stored cell nearest the optimal ratio. Exact but costly.
   */
  exactTrueMargin?: boolean;
  /** --x, --slice, --aggregate (default: the first game axis on x, nothing held or pooled). */
  view?: ViewOptions;
  /** `--where` conditions (sweep/query.ts): the cells, and the band map drawn from them. */
  where?: readonly string[];
}

/** The values of a cell's axes other than the weights'. */
function axisPoint(resolved: ResolvedSweep, params: Record<string, ParamValue>): Record<string, number> {
  const at: Record<string, number> = {};
  // The file axis: the file's position in its list (paramNumber).
  for (const a of resolved.axes)
    if (a.target !== 'weights') at[a.name] = paramNumber(resolved, a.name, params[a.name]);
  return at;
}

/** A row's place: its axis values, its slice label in the view, and its x value (NaN without x). */
function placed(
  view: View,
  at: Record<string, number>,
): { at: Record<string, number>; slice: string; param: number } {
  return { at, slice: sliceLabel(view, at), param: view.x === null ? Number.NaN : at[view.x] };
}

async function sweepRow(
  prisma: PrismaClient,
  id: string,
): Promise<{ meta: SweepMeta; resolved: ResolvedSweep }> {
  const row = await prisma.sweep.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      kind: true,
      status: true,
      doneCells: true,
      totalCells: true,
      failedCells: true,
      spec: true,
    },
  });
  if (!row) throw new InputError('sweep', `no sweep with id "${id}" (see: sgn sweep list)`);
  const { spec, ...meta } = row;
  return { meta, resolved: spec as unknown as ResolvedSweep };
}

/**
 * A stored band-map row's axis values: its label is `main@a=1,b=2` (sweep/axes.ts gameSlice, the
 * values as String prints them, so Number reads them back exactly) and paramValue is main's.
 */
function bandRowPoint(paramName: string, paramValue: number): Record<string, number> {
  const cut = paramName.indexOf('@');
  const at: Record<string, number> = { [cut < 0 ? paramName : paramName.slice(0, cut)]: paramValue };
  if (cut >= 0)
    for (const part of paramName.slice(cut + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) at[part.slice(0, eq)] = Number(part.slice(eq + 1));
    }
  return at;
}

/** The aggregated band map rows as cells and edges, placed in the view. */
async function storedBand(
  prisma: PrismaClient,
  id: string,
  view: View,
  { edgesOnly = false }: { edgesOnly?: boolean } = {},
): Promise<{ band: BandCell[]; edges: BandEdge[] }> {
  const maps = await bandMapRows(prisma, id);
  const band: BandCell[] = [];
  const edges: BandEdge[] = [];
  for (const m of maps) {
    const where = placed(view, bandRowPoint(m.paramName, m.paramValue));
    if (!edgesOnly)
      m.ratios.forEach((ratio, i) => {
        // PostgreSQL arrays keep NULL for a failed cell: no number, not certified.
        const alpha = Number.isFinite(m.alphas[i]) ? m.alphas[i] : null;
        band.push({ ...where, ratio, alpha, certified: alpha !== null && alpha > 0 });
      });
    edges.push({
      ...where,
      rMinus: m.rMinus,
      rPlus: m.rPlus,
      optimalRatio: m.optimalRatio,
      alphaMax: m.alphaMax,
      certifiedFraction: m.certifiedFraction,
    });
  }
  return { band, edges };
}

/** Stored cells grouped by game (cells g*R .. g*R + R - 1 share one), in index order. */
function gameGroups(cells: readonly ResultRow[], R: number): ResultRow[][] {
  const groups = new Map<number, ResultRow[]>();
  for (const c of cells) {
    const g = Math.floor(c.cellIndex / R);
    let group = groups.get(g);
    if (!group) groups.set(g, (group = []));
    group.push(c);
  }
  return [...groups.values()];
}

/** The band map of an unfinished sweep, from whatever cells are stored (as the aggregation does). */
function bandFromCells(
  resolved: ResolvedSweep,
  view: View,
  cells: readonly ResultRow[],
): { band: BandCell[]; edges: BandEdge[] } {
  const band: BandCell[] = [];
  const edges: BandEdge[] = [];
  for (const group of gameGroups(cells, ratioLength(resolved))) {
    const first = group[0];
    const where = placed(view, axisPoint(resolved, first.params));
    for (const c of group)
      band.push({ ...where, ratio: Number(c.params.ratio), alpha: c.alpha, certified: c.certified });
    edges.push({
      ...where,
      rMinus: first.bandMinus,
      rPlus: first.bandPlus,
      optimalRatio: first.optimalRatio,
      alphaMax: first.optimalAlpha,
      certifiedFraction: group.filter((c) => c.certified).length / group.length,
    });
  }
  return { band, edges };
}

function nearestToOptimum(group: readonly ResultRow[], optimalRatio: number | null): ResultRow | null {
  if (optimalRatio === null || !(optimalRatio > 0)) return null;
  const target = Math.log(optimalRatio);
  let nearest: ResultRow | null = null;
  for (const c of group) {
    const r = Number(c.params.ratio);
    if (!(r > 0)) continue;
    if (
      !nearest ||
      Math.abs(Math.log(r) - target) < Math.abs(Math.log(Number(nearest.params.ratio)) - target)
    )
      nearest = c;
  }
  return nearest;
}

/** One row per stored game: the group's first cell carries the weight-independent fields. */
function marginRows(
  resolved: ResolvedSweep,
  view: View,
  cells: readonly ResultRow[],
  exact: boolean,
): MarginRow[] {
  const R = ratioLength(resolved);
  const hasRatio = resolved.weights.kind === 'ratio';
  const margins: MarginRow[] = [];
  for (const group of gameGroups(cells, R)) {
    const first = group.find((c) => c.gammaEuclidean !== null && c.optimalAlpha !== null);
    if (!first) continue;
    let alphaTrue: number | null = null;
    if (exact) {
      const g = Math.floor(first.cellIndex / R);
      const analysis = analyseGame(buildGame(cellAt(resolved, g * R).game), {
        groundTruth: resolved.certify.groundTruth,
      });
      alphaTrue = certifyWeights(analysis, analysis.optimal.weights, { c4: resolved.certify.c4 }).alphaTrue;
    } else if (resolved.weights.kind === 'optimal') {
      alphaTrue = first.alphaTrue;
    }
    const nearest = hasRatio ? nearestToOptimum(group, first.optimalRatio) : null;
    margins.push({
      ...placed(view, axisPoint(resolved, first.params)),
      gammaEuclidean: first.gammaEuclidean!,
      optimalAlpha: first.optimalAlpha!,
      alphaTrue,
      alphaTrueNearestCell: nearest?.alphaTrue ?? null,
      nearestCellRatio: nearest ? Number(nearest.params.ratio) : null,
      optimalRatio: first.optimalRatio,
    });
  }
  return margins;
}

async function stepRows(
  prisma: PrismaClient,
  id: string,
  resolved: ResolvedSweep,
  view: View,
  grid: DrawnGrid | null,
): Promise<StepsizePoint[]> {
  // A large sweep's runs: those of the games on the grid (runs are indexed by game: the axes
  // before the weights').
  const games = resolved.axes.length - (resolved.weights.kind === 'ratio' ? 1 : 0);
  const onGrid = grid ? { cellIndex: { in: gridIndices(resolved.axes.slice(0, games), grid) } } : {};
  // Failed runs (their game could not be analysed) have no numbers to draw; the cells table lists them.
  const rows = await prisma.stepsizeResult.findMany({
    where: { sweepId: id, error: null, ...onGrid },
    orderBy: [{ cellIndex: 'asc' }, { integrator: 'asc' }, { multiplier: 'asc' }],
  });
  const R = ratioLength(resolved);
  const paramsOf = new Map<number, Record<string, number | string>>();
  return rows.map(({ step, certifiedStep, convergedFraction, ...s }) => {
    // Step-size rows are indexed by game group; the group's first cell has its parameters.
    let params = paramsOf.get(s.cellIndex);
    if (!params) paramsOf.set(s.cellIndex, (params = cellAt(resolved, s.cellIndex * R).params));
    return {
      ...placed(view, axisPoint(resolved, params)),
      integrator: s.integrator,
      multiplier: s.multiplier,
      step: step ?? Number.NaN,
      certifiedStep: certifiedStep ?? 0,
      exactThreshold: s.exactThreshold,
      convergedFraction,
      empiricalFactor: s.empiricalFactor,
      predictedFactor: s.predictedFactor,
      spectralRadius: s.spectralRadius,
      gammaEuclidean: s.gammaEuclidean,
    };
  });
}

/** The stored band map (empty when there is none): all games once the sweep has completed, before that the games stored whole. */
/** The sweep's view (--x, --slice, --aggregate checked against its axes); InputError when there is no such sweep. */
export async function loadView(prisma: PrismaClient, id: string, viewOptions: ViewOptions): Promise<View> {
  const { resolved } = await sweepRow(prisma, id);
  return chooseView(resolved.axes, viewOptions, id);
}

/**
 * The band map: every stored row (the tables), or for a picture of a large sweep the tiles of
 * the cells on its drawn grid (sweep/drawn-grid.ts) with every game's edges, and what was left out.
 */
export async function loadBandMap(
  prisma: PrismaClient,
  id: string,
  viewOptions: ViewOptions = {},
  where: readonly string[] = [],
  { picture = false }: { picture?: boolean } = {},
): Promise<{
  sweep: SweepMeta;
  param: string | null;
  view: View;
  band: BandCell[];
  edges: BandEdge[];
  drawn: string | null;
}> {
  const { meta, resolved } = await sweepRow(prisma, id);
  const view = chooseView(resolved.axes, viewOptions, id);
  const grid = picture ? largeSweepGrid(resolved, view) : null;
  const drawn = grid ? gridNote(resolved.axes, grid) : null;
  if (where.length === 0 && !grid)
    return { sweep: meta, param: view.x, view, ...(await storedBand(prisma, id, view)), drawn };
  // `--where`: the band map of the cells the filter keeps (sweep/query.ts), as an unfinished sweep's.
  const cells = grid
    ? await gridResultRows(prisma, id, where, resolved.axes, grid)
    : await resultRows(prisma, id, where);
  const fromCells =
    view.x !== null && resolved.weights.kind === 'ratio' && cells.length
      ? bandFromCells(resolved, view, cells)
      : { band: [], edges: [] };
  // Unfiltered, the edges are band_maps' (every game), as the tables have them.
  const edges =
    where.length === 0 && meta.status === 'completed'
      ? (await storedBand(prisma, id, view, { edgesOnly: true })).edges
      : fromCells.edges;
  return { sweep: meta, param: view.x, view, band: fromCells.band, edges, drawn };
}

/** Band cells and edges as band_maps rows (`lambda@seed=3` for a slice), for the band's tables. */
export function bandMapsOf(param: string, band: readonly BandCell[], edges: readonly BandEdge[]) {
  return edges.map((e) => {
    const cells = band.filter((b) => b.slice === e.slice && b.param === e.param);
    return {
      paramName: e.slice ? `${param}@${e.slice}` : param,
      paramValue: e.param,
      ratios: cells.map((b) => b.ratio),
      alphas: cells.map((b) => b.alpha),
      rMinus: e.rMinus,
      rPlus: e.rPlus,
      optimalRatio: e.optimalRatio,
      alphaMax: e.alphaMax,
      certifiedFraction: e.certifiedFraction,
    };
  });
}

/** The axis position of a held value (view.fixed holds axis values, a file axis' index). */
function positionOf(axis: SweepAxis, value: number): number | null {
  for (let k = 0; k < axis.length; k++) if (axisValue(axis.axis, k) === value) return k;
  return null;
}

/**
 * For a sweep of more than DRAWN_CELLS cells, the sub-grid the figures read (drawn-grid.ts): the
 * held slice, thinned until it fits. Null for a smaller sweep: every cell is read.
 */
function largeSweepGrid(resolved: ResolvedSweep, view: View): DrawnGrid | null {
  if (resolved.totalCells <= DRAWN_CELLS) return null;
  const held = new Map<string, number>();
  for (const [name, value] of view.fixed) {
    const axis = resolved.axes.find((a) => a.name === name);
    const k = axis ? positionOf(axis, value) : null;
    if (k !== null) held.set(name, k);
  }
  const drawn = [
    ...(view.x !== null ? [view.x] : []),
    ...resolved.axes.filter((a) => a.target === 'weights').map((a) => a.name),
  ];
  return drawnGrid(resolved.axes, held, { drawn, pooled: view.aggregate });
}

export async function loadSweepData(
  prisma: PrismaClient,
  id: string,
  opts: LoadOptions = {},
): Promise<SweepData> {
  const { meta, resolved } = await sweepRow(prisma, id);
  const view = chooseView(resolved.axes, opts.view ?? {}, id);
  const param = view.x;
  const hasRatioAxis = resolved.weights.kind === 'ratio';
  const where = opts.where ?? [];
  const grid = largeSweepGrid(resolved, view);
  const cells = grid
    ? await gridResultRows(prisma, id, where, resolved.axes, grid)
    : await resultRows(prisma, id, where);
  // Until the sweep has completed, band_maps hold only the games whose cells are all stored
  // (batches fold them as they go): the stored cells hold those and the rest. A filtered report
  // draws the band from the cells it kept. A large sweep's band edges are every game's (band_maps),
  // its tiles those of the cells read.
  const stored = meta.status === 'completed' && where.length === 0;
  let { band, edges } = stored
    ? await storedBand(prisma, id, view, { edgesOnly: grid !== null })
    : { band: [], edges: [] };
  let bandSource: SweepData['bandSource'] = edges.length ? 'band-maps' : null;
  if (!band.length && hasRatioAxis && param !== null && cells.length) {
    const fromCells = bandFromCells(resolved, view, cells);
    band = fromCells.band;
    if (!edges.length) {
      edges = fromCells.edges;
      bandSource = 'cells';
    }
  }
  const margins = param === null ? [] : marginRows(resolved, view, cells, opts.exactTrueMargin ?? false);
  const steps = await stepRows(prisma, id, resolved, view, grid);
  const traces = resolved.stepsize?.trace ? await traceSeries(prisma, resolved, id) : [];
  return {
    sweep: meta,
    resolved,
    param,
    view,
    hasRatioAxis,
    cells,
    drawn: grid ? gridNote(resolved.axes, grid) : null,
    band,
    edges,
    bandSource,
    margins,
    steps,
    traces,
  };
}
