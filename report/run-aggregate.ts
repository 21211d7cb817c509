/**
 * Pooling step-size runs over aggregated axes (`sgn sweep results ID --aggregate seed` on a
 * step-size sweep): the runs whose games differ only in those axes, at one integrator and
 * multiplier, form a group; its numbers are the median, quartiles and mean (stats.ts) of each
 * run output and two rates. Runs are pooled as they stream by, so a large sweep aggregates in the
 * memory of its values, not its rows.
 */
import type { ParamValue } from '../sweep/cells.js';
import type { RunRow } from '../sweep/run-results.js';
import { sig } from './html.js';
import { rate, summarise, summaryCells, summaryHeader, type Summary } from './stats.js';
import { rateText, summaryText } from './group-table.js';
import { valueLabel, type View } from './view.js';

/** The run outputs a group summarises. */
export const RUN_GROUP_OUTPUTS = [
  'convergedFraction',
  'step',
  'certifiedStep',
  'exactThreshold',
  'empiricalFactor',
  'predictedFactor',
  'spectralRadius',
] as const;
export type RunGroupOutput = (typeof RUN_GROUP_OUTPUTS)[number];

/** Runs at one integrator and multiplier whose games share every axis but the aggregated ones. */
export interface RunGroup {
  /** The group's parameter values (every game axis but the aggregated ones). */
  readonly params: Record<string, number>;
  readonly integrator: string;
  readonly multiplier: number;
  /** Runs in the group, failed ones included. */
  readonly runs: number;
  readonly failed: number;
  /** Fraction of the computed runs with starts in which every start converged (null: no starts). */
  readonly convergedRate: number | null;
  /** Fraction of the runs whose exact stability is known (linear games) that are stable at their step. */
  readonly stableRate: number | null;
  readonly stats: Readonly<Record<RunGroupOutput, Summary | null>>;
}

interface Pool {
  params: Record<string, number>;
  integrator: string;
  multiplier: number;
  runs: number;
  failed: number;
  converged: boolean[];
  stable: boolean[];
  values: Record<RunGroupOutput, number[]>;
}

/** Pools runs over the aggregated axes as they are added; groups in order of first appearance. */
export class RunAggregator {
  private readonly pools = new Map<string, Pool>();

  /**
   * `order`: the sweep's parameter names (the groups' columns keep it); `toNumber`: a parameter's
   * value as a number (a file axis: the file's position in its list).
   */
  constructor(
    private readonly aggregate: readonly string[],
    private readonly order: readonly string[],
    private readonly toNumber: (name: string, value: ParamValue) => number = (_name, v) => Number(v),
  ) {}

  add(r: RunRow): void {
    const params: Record<string, number> = {};
    for (const name of this.order)
      if (!this.aggregate.includes(name) && name in r.params)
        params[name] = this.toNumber(name, r.params[name]);
    const key = JSON.stringify([params, r.integrator, r.multiplier]);
    let p = this.pools.get(key);
    if (!p) {
      const values = Object.fromEntries(RUN_GROUP_OUTPUTS.map((o) => [o, [] as number[]])) as Record<
        RunGroupOutput,
        number[]
      >;
      const pool: Pool = {
        params,
        integrator: r.integrator,
        multiplier: r.multiplier,
        runs: 0,
        failed: 0,
        converged: [],
        stable: [],
        values,
      };
      this.pools.set(key, (p = pool));
    }
    p.runs++;
    if (r.error !== null) {
      p.failed++;
      return;
    }
    if (r.convergedFraction !== null) p.converged.push(r.convergedFraction === 1);
    if (r.stableExact !== null) p.stable.push(r.stableExact);
    for (const o of RUN_GROUP_OUTPUTS) {
      const v = r[o];
      if (v !== null && Number.isFinite(v)) p.values[o].push(v);
    }
  }

  groups(): RunGroup[] {
    return [...this.pools.values()].map((p) => ({
      params: p.params,
      integrator: p.integrator,
      multiplier: p.multiplier,
      runs: p.runs,
      failed: p.failed,
      convergedRate: p.converged.length ? rate(p.converged, (c) => c) : null,
      stableRate: p.stable.length ? rate(p.stable, (s) => s) : null,
      stats: Object.fromEntries(RUN_GROUP_OUTPUTS.map((o) => [o, summarise(p.values[o])])) as Record<
        RunGroupOutput,
        Summary | null
      >,
    }));
  }
}

/** The CSV columns of a run group: parameters, integrator, multiplier, counts, rates, then each output's median, q1, q3, mean and n. */
export function runGroupHeader(paramNames: readonly string[]): string[] {
  return [
    ...paramNames,
    'integrator',
    'multiplier',
    'runs',
    'failed',
    'convergedRate',
    'stableRate',
    ...summaryHeader(RUN_GROUP_OUTPUTS),
  ];
}

export function runGroupCells(g: RunGroup, paramNames: readonly string[]): (number | string | null)[] {
  return [
    ...paramNames.map((p) => g.params[p] ?? null),
    g.integrator,
    g.multiplier,
    g.runs,
    g.failed,
    g.convergedRate,
    g.stableRate,
    ...summaryCells(g.stats, RUN_GROUP_OUTPUTS),
  ];
}

/** The columns a table shows, each a median [q1, q3]. */
const SHOWN: readonly [RunGroupOutput, string][] = [
  ['convergedFraction', 'converged'],
  ['step', 'step'],
  ['empiricalFactor', 'factor/step'],
  ['spectralRadius', 'rho'],
];

/** The groups as a text table: parameters at their axis precision, counts, rates, medians [q1, q3]. */
export function runGroupRows(
  groups: readonly RunGroup[],
  paramNames: readonly string[],
  view: View,
): { header: string[]; rows: string[][] } {
  // Outputs no group has (a nonlinear game has no rho) are left out.
  const shown = SHOWN.filter(([o]) => groups.some((g) => g.stats[o] !== null));
  const header = [
    ...paramNames,
    'integrator',
    'multiplier',
    'runs',
    'failed',
    'allConverged',
    'stable',
    ...shown.map(([, label]) => `${label} median [q1, q3]`),
  ];
  const rows = groups.map((g) => [
    ...paramNames.map((n) => valueLabel(view, n, g.params[n])),
    g.integrator,
    sig(g.multiplier),
    String(g.runs),
    String(g.failed),
    rateText(g.convergedRate),
    rateText(g.stableRate),
    ...shown.map(([o]) => summaryText(g.stats[o])),
  ]);
  return { header, rows };
}
