/**
 * Pooling rows over aggregated axes (`--aggregate seed`): the rows that differ only in those
 * axes form a group, and a group's numbers are its median, quartiles, mean (report/stats.ts) and
 * rates. Cells are pooled as they stream by (CellAggregator), so a large sweep aggregates in
 * memory of its values, not its rows.
 */
import type { ResultRow } from '../sweep/queries.js';
import type { ParamValue } from '../sweep/cells.js';
import type { AxisPoint, BandCell, BandEdge, MarginRow, StepsizePoint } from './data.js';
import {
  finiteSorted,
  medianSorted,
  rate,
  summarise,
  summaryCells,
  summaryHeader,
  type Summary,
} from './stats.js';
import { groupKey, sliceLabel, type View } from './view.js';

/** The axis values a group shares: `at` without the aggregated axes. */
export function pooledPoint(view: View, at: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(at)) if (!view.aggregate.includes(k)) out[k] = v;
  return out;
}

/** Rows grouped by their pooled axis values (and `extra`), in order of first appearance. */
export function groupRows<T extends { at: Readonly<Record<string, number>> }>(
  rows: readonly T[],
  view: View,
  extra: (r: T) => string = () => '',
): { at: Record<string, number>; rows: T[] }[] {
  const groups = new Map<string, { at: Record<string, number>; rows: T[] }>();
  for (const r of rows) {
    const key = `${groupKey(view, r.at)}|${extra(r)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { at: pooledPoint(view, r.at), rows: [] }));
    g.rows.push(r);
  }
  return [...groups.values()];
}

function place(view: View, at: Record<string, number>): AxisPoint & { param: number } {
  return { at, slice: sliceLabel(view, at), param: view.x === null ? Number.NaN : at[view.x] };
}

/** The median of the finite values; null when there are none. */
export function medianOf(values: readonly (number | null | undefined)[]): number | null {
  const xs = finiteSorted(values);
  return xs.length ? medianSorted(xs) : null;
}

/** Band cells pooled per (group, ratio): alpha_* is the group's median, certified when that is > 0; the certified fraction rides along. */
export function aggregateBand(band: readonly BandCell[], view: View): BandCell[] {
  return groupRows(band, view, (b) => String(b.ratio)).map((g) => {
    const alpha = medianOf(g.rows.map((b) => b.alpha));
    return {
      ...place(view, g.at),
      ratio: g.rows[0].ratio,
      alpha,
      certified: alpha !== null && alpha > 0,
      games: g.rows.length,
      certifiedRate: rate(g.rows, (b) => b.certified),
    };
  });
}

/** Band edges pooled per group: medians of the finite edges (an unbounded r+ is left out), the mean certified fraction. */
export function aggregateEdges(edges: readonly BandEdge[], view: View): BandEdge[] {
  return groupRows(edges, view).map((g) => ({
    ...place(view, g.at),
    rMinus: medianOf(g.rows.map((e) => e.rMinus)),
    rPlus: medianOf(g.rows.map((e) => e.rPlus)),
    optimalRatio: medianOf(g.rows.map((e) => e.optimalRatio)),
    alphaMax: medianOf(g.rows.map((e) => e.alphaMax)),
    certifiedFraction: g.rows.reduce((s, e) => s + e.certifiedFraction, 0) / g.rows.length,
  }));
}

/** Margins of a group of games: median and quartiles of each margin, and how often each is > 0. */
export interface MarginSummary extends AxisPoint {
  param: number;
  games: number;
  gammaEuclidean: Summary | null;
  optimalAlpha: Summary | null;
  /** The true margin at w* (or, without it, at the grid ratio nearest r*). */
  alphaTrue: Summary | null;
  /** Which true margin alphaTrue summarises. */
  trueAt: 'optimum' | 'nearest-cell';
}

export function aggregateMargins(margins: readonly MarginRow[], view: View): MarginSummary[] {
  const atOptimum = margins.some((m) => m.alphaTrue !== null);
  return groupRows(margins, view).map((g) => ({
    ...place(view, g.at),
    games: g.rows.length,
    gammaEuclidean: summarise(g.rows.map((m) => m.gammaEuclidean)),
    optimalAlpha: summarise(g.rows.map((m) => m.optimalAlpha)),
    alphaTrue: summarise(g.rows.map((m) => (atOptimum ? m.alphaTrue : m.alphaTrueNearestCell))),
    trueAt: atOptimum ? 'optimum' : 'nearest-cell',
  }));
}

/**
 * Step-size points pooled per (group, integrator, multiplier): median steps and thresholds, the
 * mean converged fraction (the fraction of all the group's runs that converged).
 */
export function aggregateSteps(steps: readonly StepsizePoint[], view: View): StepsizePoint[] {
  return groupRows(steps, view, (s) => `${s.integrator}|${s.multiplier}`).map((g) => ({
    ...place(view, g.at),
    integrator: g.rows[0].integrator,
    multiplier: g.rows[0].multiplier,
    step: medianOf(g.rows.map((s) => s.step)) ?? Number.NaN,
    certifiedStep: medianOf(g.rows.map((s) => s.certifiedStep)) ?? 0,
    exactThreshold: medianOf(g.rows.map((s) => s.exactThreshold)),
    convergedFraction: meanOfKnown(g.rows.map((s) => s.convergedFraction)),
    empiricalFactor: medianOf(g.rows.map((s) => s.empiricalFactor)),
    predictedFactor: medianOf(g.rows.map((s) => s.predictedFactor)),
    spectralRadius: medianOf(g.rows.map((s) => s.spectralRadius)),
    gammaEuclidean: medianOf(g.rows.map((s) => s.gammaEuclidean)),
  }));
}

/** The mean of the known values (null: no runs were asked for, seeds: 0), null when none is. */
function meanOfKnown(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((s, v) => s + v, 0) / known.length;
}

/** The cell outputs a group summarises, and the paper's two per-cell ratios. */
export const CELL_OUTPUTS = [
  'alpha',
  'alphaTrue',
  'gammaEuclidean',
  'optimalAlpha',
  'beta',
  'eulerStep',
  'rk4Step',
  'hStabEuler',
  'hStabRk4',
  /** alpha / alphaTrue where alphaTrue > 0 (the paper's margin ratio alpha_sgn / alpha_true). */
  'marginRatio',
  /** log10(rk4Step / hStabRk4) where both are > 0 (the paper's RK4 step ratio). */
  'log10StepRatioRk4',
  /** log10(eulerStep / hStabEuler) where both are > 0. */
  'log10StepRatioEuler',
] as const;
export type CellOutput = (typeof CELL_OUTPUTS)[number];

function cellValue(r: ResultRow, o: CellOutput): number | null {
  switch (o) {
    case 'marginRatio':
      return r.alpha !== null && r.alphaTrue !== null && r.alphaTrue > 0 ? r.alpha / r.alphaTrue : null;
    case 'log10StepRatioRk4':
      return r.rk4Step !== null && r.hStabRk4 !== null && r.rk4Step > 0 && r.hStabRk4 > 0
        ? Math.log10(r.rk4Step / r.hStabRk4)
        : null;
    case 'log10StepRatioEuler':
      return r.eulerStep !== null && r.hStabEuler !== null && r.eulerStep > 0 && r.hStabEuler > 0
        ? Math.log10(r.eulerStep / r.hStabEuler)
        : null;
    default:
      return r[o];
  }
}

/** A group of cells (all axes equal but the aggregated ones). */
export interface CellGroup {
  /** The group's parameter values (every axis but the aggregated ones). */
  readonly params: Record<string, number>;
  /** Cells in the group, failed ones included. */
  readonly cells: number;
  readonly failed: number;
  /** Fraction of the computed cells certified by SGN at their weights. */
  readonly certifiedRate: number | null;
  /** Fraction of the computed cells with a Euclidean margin whose margin is > 0 (null: none has one). */
  readonly euclideanRate: number | null;
  /** Fraction of the cells with a true margin whose true margin is > 0 (null: none has one). */
  readonly trueRate: number | null;
  /** Each output's finite values, ascending. */
  readonly values: Readonly<Record<CellOutput, readonly number[]>>;
  readonly stats: Readonly<Record<CellOutput, Summary | null>>;
}

interface Pool {
  params: Record<string, number>;
  cells: number;
  failed: number;
  certified: boolean[];
  euclidean: boolean[];
  trueMargin: boolean[];
  values: Record<CellOutput, number[]>;
}

const rateOrNull = (flags: readonly boolean[]): number | null =>
  flags.length ? rate(flags, (f) => f) : null;

/** Pools cells over the aggregated axes as they are added (any order); groups in order of first appearance. */
export class CellAggregator {
  private readonly pools = new Map<string, Pool>();

  /**
   * `toNumber`: a parameter's value as a number (the file axis: the file's position in its list);
   * `order`: the sweep's axis names, the order of the groups' parameters (a row's come in jsonb's
   * key order), any others after them.
   */
  constructor(
    private readonly aggregate: readonly string[],
    private readonly toNumber: (name: string, value: ParamValue) => number = (_name, v) => Number(v),
    private readonly order: readonly string[] = [],
  ) {}

  add(r: ResultRow): void {
    const params: Record<string, number> = {};
    for (const k of this.order)
      if (k in r.params && !this.aggregate.includes(k)) params[k] = this.toNumber(k, r.params[k]);
    for (const [k, v] of Object.entries(r.params))
      if (!this.aggregate.includes(k) && !(k in params)) params[k] = this.toNumber(k, v);
    const key = JSON.stringify(params);
    let p = this.pools.get(key);
    if (!p) {
      const values = Object.fromEntries(CELL_OUTPUTS.map((o) => [o, [] as number[]])) as Record<
        CellOutput,
        number[]
      >;
      this.pools.set(
        key,
        (p = { params, cells: 0, failed: 0, certified: [], euclidean: [], trueMargin: [], values }),
      );
    }
    p.cells++;
    if (r.error !== null) {
      p.failed++;
      return;
    }
    p.certified.push(r.certified);
    if (r.gammaEuclidean !== null) p.euclidean.push(r.gammaEuclidean > 0);
    if (r.alphaTrue !== null) p.trueMargin.push(r.alphaTrue > 0);
    for (const o of CELL_OUTPUTS) {
      const v = cellValue(r, o);
      if (v !== null && Number.isFinite(v)) p.values[o].push(v);
    }
  }

  groups(): CellGroup[] {
    return [...this.pools.values()].map((p) => {
      const values = Object.fromEntries(CELL_OUTPUTS.map((o) => [o, finiteSorted(p.values[o])])) as Record<
        CellOutput,
        number[]
      >;
      return {
        params: p.params,
        cells: p.cells,
        failed: p.failed,
        certifiedRate: rateOrNull(p.certified),
        euclideanRate: rateOrNull(p.euclidean),
        trueRate: rateOrNull(p.trueMargin),
        values,
        stats: Object.fromEntries(CELL_OUTPUTS.map((o) => [o, summarise(values[o])])) as Record<
          CellOutput,
          Summary | null
        >,
      };
    });
  }
}

/** Pools `cells` over `aggregate` (CellAggregator in one call). */
export function aggregateCells(
  cells: Iterable<ResultRow>,
  aggregate: readonly string[],
  toNumber?: (name: string, value: ParamValue) => number,
  order?: readonly string[],
): CellGroup[] {
  const a = new CellAggregator(aggregate, toNumber, order);
  for (const c of cells) a.add(c);
  return a.groups();
}

/** The CSV/JSON columns of a cell group: its parameters, counts, rates, then median, q1, q3, mean and n of each output. */
export function cellGroupHeader(paramNames: readonly string[]): string[] {
  return [
    ...paramNames,
    'cells',
    'failed',
    'certifiedRate',
    'euclideanRate',
    'trueRate',
    ...summaryHeader(CELL_OUTPUTS),
  ];
}

export function cellGroupCells(g: CellGroup, paramNames: readonly string[]): (number | null)[] {
  return [
    ...paramNames.map((p) => g.params[p] ?? null),
    g.cells,
    g.failed,
    g.certifiedRate,
    g.euclideanRate,
    g.trueRate,
    ...summaryCells(g.stats, CELL_OUTPUTS),
  ];
}

/** `sweep band --aggregate` tables: one row per (group, ratio) with the group's band edges. */
export function pooledBandTable(
  band: readonly BandCell[],
  edges: readonly BandEdge[],
  view: View,
): { header: string[]; rows: (number | null)[][] } {
  const names = view.axes
    .filter((a) => a.target !== 'weights' && !view.aggregate.includes(a.name))
    .map((a) => a.name);
  const edgeOf = new Map(groupRows(edges, view).map((g) => [groupKey(view, g.at), g.rows]));
  const header = [
    ...names,
    'ratio',
    'games',
    'certifiedRate',
    'alpha_median',
    'alpha_q1',
    'alpha_q3',
    'alpha_mean',
    'rMinus_median',
    'rPlus_median',
    'rPlusUnbounded',
    'optimalRatio_median',
    'alphaMax_median',
  ];
  const rows = groupRows(band, view, (b) => String(b.ratio)).map((g) => {
    const s = summarise(g.rows.map((b) => b.alpha));
    const e = edgeOf.get(groupKey(view, g.at)) ?? [];
    return [
      ...names.map((n) => g.at[n] ?? null),
      g.rows[0].ratio,
      g.rows.length,
      rate(g.rows, (b) => b.certified),
      s?.median ?? null,
      s?.q1 ?? null,
      s?.q3 ?? null,
      s?.mean ?? null,
      medianOf(e.map((x) => x.rMinus)),
      medianOf(e.map((x) => x.rPlus)),
      // Stored as null: an unbounded upper edge (or none at all when the game is never certified).
      e.filter((x) => x.rPlus === null && x.rMinus !== null).length,
      medianOf(e.map((x) => x.optimalRatio)),
      medianOf(e.map((x) => x.alphaMax)),
    ];
  });
  return { header, rows };
}
