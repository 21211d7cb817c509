/**
 * Figures over an ensemble (cells pooled over an aggregated axis such as seed), as the paper draws
 * its random LQ suite (LQ_GAMES/figures.py plot_random_suite_figures): certification rates of the
 * Euclidean test, SGN and the true margin against x; the margin ratios alpha_sgn / alpha_true; the
 * step ratios log10(h_SGN / h_stab); each game a dot, the median a line, the quartiles a band.
 * Also the margins plot pooled the same way. Vega-Lite specs, rendered by figures.ts.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CellGroup, CellOutput, MarginSummary } from './aggregate.js';
import { HEIGHT, WIDTH, paramText, type Figure, type FigureLabels } from './figures.js';
import type { Summary } from './stats.js';
import { maxOf, minOf } from '../sgn/util/extremes.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const GAMES = '#1f77b4';
const MEDIAN = '#ff7f0e';

/** Pooled figures also say what they pool, e.g. "over seed (30 games per point)". */
export interface EnsembleLabels extends FigureLabels {
  /** e.g. `over seed`. */
  readonly pooled: string;
}

/** Sorted unique x values and a deterministic horizontal jitter for the dots (2% of the smallest gap). */
function jitterer(xs: readonly number[]): (x: number, i: number) => number {
  const u = [...new Set(xs)].sort((a, b) => a - b);
  let gap = Infinity;
  for (let i = 1; i < u.length; i++) gap = Math.min(gap, u[i] - u[i - 1]);
  const w = Number.isFinite(gap) ? 0.08 * gap : 0.02;
  // Spread a group's dots over [-w, w] in a fixed pattern (no randomness: files are reproducible).
  return (x, i) => x + w * (((i * 7) % 11) / 5 - 1);
}

/** Certification rates against x: Euclidean margin > 0, SGN margin > 0 (at the cells' weights), true margin > 0. */
export function certificationRatesFigure(
  groups: readonly CellGroup[],
  x: string,
  labels: EnsembleLabels,
): Figure {
  const { sym, title } = paramText(labels.param);
  const names = {
    euclidean: 'Euclidean (γ > 0)',
    sgn: 'SGN (α > 0)',
    trueMargin: 'true margin (α_true > 0)',
  };
  const points: { param: number; series: string; rate: number; games: number }[] = [];
  for (const g of groups) {
    const param = g.params[x];
    const games = g.cells - g.failed;
    if (g.euclideanRate !== null)
      points.push({ param, series: names.euclidean, rate: g.euclideanRate, games });
    if (g.certifiedRate !== null) points.push({ param, series: names.sgn, rate: g.certifiedRate, games });
    if (g.trueRate !== null) points.push({ param, series: names.trueMargin, rate: g.trueRate, games });
  }
  const domain = [names.euclidean, names.sgn, names.trueMargin];
  const spec: TopLevelSpec = {
    $schema: SCHEMA,
    width: WIDTH,
    height: HEIGHT,
    title: {
      text: `${labels.subject}: certification rates against ${sym}`,
      subtitle: `fraction of games certified, ${labels.pooled}`,
    },
    data: { values: points },
    mark: { type: 'line', strokeWidth: 2, point: { size: 40 }, tooltip: true },
    encoding: {
      x: { field: 'param', type: 'quantitative', title },
      y: {
        field: 'rate',
        type: 'quantitative',
        title: 'fraction of games certified',
        scale: { domain: [-0.05, 1.05], nice: false },
      },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain, range: ['#111111', '#2ca02c', MEDIAN] },
        legend: { orient: 'bottom', direction: 'horizontal' },
      },
      strokeDash: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: {
          domain,
          range: [
            [6, 3],
            [1, 0],
            [2, 2],
          ],
        },
        legend: { orient: 'bottom', direction: 'horizontal' },
      },
    },
  };
  return {
    name: 'certification-rates',
    title: 'Certification rates',
    caption:
      `Fraction of the games of ${labels.subject} (${labels.pooled}) certified at each ${sym}: by the Euclidean test (γ > 0), ` +
      `by SGN at the cells' weights (α > 0), and by the true contraction rate in M(w) (α_true > 0).`,
    spec,
  };
}

/** Dots per game, median line and quartile band (and bars) of one per-cell quantity against x. */
function spreadSpec(
  groups: readonly CellGroup[],
  x: string,
  output: CellOutput,
  opts: {
    title: string;
    subtitle: string | string[];
    xTitle: string;
    yTitle: string;
    rules: number[];
    floor?: number;
    ceiling?: number;
  },
): TopLevelSpec {
  const xs = groups.map((g) => g.params[x]);
  const jitter = jitterer(xs);
  const clamp = (v: number) => Math.min(opts.ceiling ?? Infinity, Math.max(opts.floor ?? -Infinity, v));
  const dots: { param: number; shown: number; value: number }[] = [];
  const summary: { param: number; median: number; q1: number; q3: number; n: number }[] = [];
  for (const g of groups) {
    const param = g.params[x];
    g.values[output].forEach((v, i) => dots.push({ param: jitter(param, i), shown: clamp(v), value: v }));
    const s: Summary | null = g.stats[output];
    if (s) summary.push({ param, median: clamp(s.median), q1: clamp(s.q1), q3: clamp(s.q3), n: s.n });
  }
  summary.sort((a, b) => a.param - b.param);
  const all = [...dots.map((d) => d.shown), ...opts.rules];
  const lo = minOf(all);
  const hi = maxOf(all);
  const pad = 0.05 * (hi - lo || 1);
  // Every x value of the slice, certified or not (the paper's ticks), with room for the jitter.
  const xValues = [...xs, ...dots.map((d) => d.param)];
  const xLo = minOf(xValues);
  const xHi = maxOf(xValues);
  const xPad = 0.03 * (xHi - xLo || 1);
  const xEnc = {
    field: 'param',
    type: 'quantitative' as const,
    title: opts.xTitle,
    scale: { domain: [xLo - xPad, xHi + xPad], nice: false, zero: false },
  };
  const y = {
    type: 'quantitative' as const,
    title: opts.yTitle,
    scale: { domain: [lo - pad, hi + pad], nice: false },
  };
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: HEIGHT,
    title: { text: opts.title, subtitle: opts.subtitle },
    layer: [
      {
        data: { values: opts.rules.map((r) => ({ r })) },
        mark: { type: 'rule', color: '#888', strokeDash: [4, 3] },
        encoding: { y: { field: 'r', ...y } },
      },
      {
        data: { values: summary },
        mark: { type: 'area', color: MEDIAN, opacity: 0.2 },
        encoding: { x: xEnc, y: { field: 'q1', ...y }, y2: { field: 'q3' } },
      },
      {
        data: { values: dots },
        mark: {
          type: 'circle',
          size: 28,
          opacity: 0.6,
          color: GAMES,
          stroke: '#222',
          strokeWidth: 0.5,
          tooltip: true,
        },
        encoding: { x: xEnc, y: { field: 'shown', ...y } },
      },
      {
        data: { values: summary },
        mark: { type: 'rule', color: MEDIAN, strokeWidth: 3.5 },
        encoding: { x: xEnc, y: { field: 'q1', ...y }, y2: { field: 'q3' } },
      },
      {
        data: { values: summary },
        mark: {
          type: 'line',
          color: MEDIAN,
          strokeWidth: 2.5,
          point: { size: 60, color: MEDIAN },
          tooltip: true,
        },
        encoding: { x: xEnc, y: { field: 'median', ...y } },
      },
    ],
  };
}

/** The paper's margin ratios alpha_sgn / alpha_true (games with alpha_true > 0) against x. */
export function marginRatiosFigure(groups: readonly CellGroup[], x: string, labels: EnsembleLabels): Figure {
  const { sym, title } = paramText(labels.param);
  const FLOOR = -1;
  const spec = spreadSpec(groups, x, 'marginRatio', {
    title: `${labels.subject}: margin ratios α/α_true against ${sym}`,
    subtitle: [
      `${labels.pooled}; dots: games with α_true > 0; orange: median, quartiles (bars, band)`,
      `ratios below ${FLOOR} drawn at ${FLOOR}`,
    ],
    xTitle: title,
    yTitle: 'margin ratio α / α_true',
    rules: [0, 1],
    floor: FLOOR,
  });
  return {
    name: 'margin-ratios',
    title: 'Margin ratios',
    caption:
      `The SGN margin over the true contraction rate in M(w), α/α_true, of each game of ${labels.subject} (${labels.pooled}) ` +
      `whose true rate is positive, against ${title}: dots are games, the orange line their median and the band their quartiles ` +
      `(np.percentile's linear interpolation). Ratios below ${FLOOR} are drawn at ${FLOOR}; the CSV has them all.`,
    spec,
  };
}

/** The paper's step ratios log10(h_SGN / h_stab) (games with both > 0) against x. */
export function stepRatiosFigure(
  groups: readonly CellGroup[],
  x: string,
  labels: EnsembleLabels,
  integrator: 'rk4' | 'euler',
): Figure {
  const { sym, title } = paramText(labels.param);
  const label = integrator === 'rk4' ? 'RK4' : 'Euler';
  const output: CellOutput = integrator === 'rk4' ? 'log10StepRatioRk4' : 'log10StepRatioEuler';
  const spec = spreadSpec(groups, x, output, {
    title: `${labels.subject}: ${label} step ratios against ${sym}`,
    subtitle: `${labels.pooled}; dots: certified games; orange: median, quartiles (bars, band)`,
    xTitle: title,
    yTitle: `log10(h_SGN / h_stab), ${label}`,
    rules: [0],
  });
  return {
    name: `step-ratios-${integrator}`,
    title: `${label} step ratios`,
    caption:
      `The certified ${label} step over the exact stability threshold of x' = −Hx, log10(h_SGN / h_stab), of each certified game ` +
      `of ${labels.subject} (${labels.pooled}) against ${title} (0: the certified step is the threshold). ` +
      `The threshold is exact (the paper scans a grid of 80 steps up to 4/β).`,
    spec,
  };
}

/** The margins plot pooled over the aggregated axes: median lines and quartile bands of γ, α* and the true margin. */
export function pooledMarginsFigure(margins: readonly MarginSummary[], labels: EnsembleLabels): Figure {
  const { sym, title } = paramText(labels.param);
  const FLOOR = -2;
  const atOptimum = margins.some((m) => m.trueAt === 'optimum');
  const names = {
    gammaEuclidean: 'Euclidean margin γ',
    optimalAlpha: 'SGN margin α* at optimal weights',
    alphaTrue: atOptimum ? 'true margin in M(w*)' : 'true margin at the grid ratio nearest r*',
  };
  const rows: { param: number; series: string; median: number; q1: number; q3: number; n: number }[] = [];
  const clamp = (v: number) => Math.max(FLOOR, v);
  for (const m of [...margins].sort((a, b) => a.param - b.param))
    for (const k of ['gammaEuclidean', 'optimalAlpha', 'alphaTrue'] as const) {
      const s = m[k];
      if (s)
        rows.push({
          param: m.param,
          series: names[k],
          median: clamp(s.median),
          q1: clamp(s.q1),
          q3: clamp(s.q3),
          n: s.n,
        });
    }
  // Series with data only: a fixed-weight sweep has no true margin at the optimal weights.
  const series = (['gammaEuclidean', 'optimalAlpha', 'alphaTrue'] as const).filter((k) =>
    rows.some((r) => r.series === names[k]),
  );
  const colours = { gammaEuclidean: '#d62728', optimalAlpha: '#1f77b4', alphaTrue: '#ff7f0e' };
  const domain = series.map((k) => names[k]);
  const range = series.map((k) => colours[k]);
  const yDomain = [FLOOR, maxOf([1.05, ...rows.map((r) => r.q3)])];
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    scale: { domain, range },
    legend: { orient: 'bottom' as const, direction: 'vertical' as const, symbolType: 'stroke' },
  };
  return {
    name: 'margins',
    title: `Margins against ${title}`,
    caption:
      `Median (line) and quartiles (band) ${labels.pooled} of the Euclidean margin γ, the SGN margin α* at the optimal weights and ` +
      `the true contraction rate of ${labels.subject} against ${sym}. Values below ${FLOOR} are drawn at ${FLOOR}.`,
    spec: {
      $schema: SCHEMA,
      width: WIDTH,
      height: HEIGHT,
      title: {
        text: `${labels.subject}: margins against ${sym}`,
        subtitle: `${labels.pooled}: median and quartiles; values below ${FLOOR} drawn at ${FLOOR}`,
      },
      layer: [
        {
          data: { values: [{ y: 0 }] },
          mark: { type: 'rule', color: '#666', strokeDash: [4, 3] },
          encoding: { y: { field: 'y', type: 'quantitative' } },
        },
        {
          data: { values: rows },
          mark: { type: 'area', opacity: 0.18 },
          encoding: {
            x: { field: 'param', type: 'quantitative', title },
            y: { field: 'q1', type: 'quantitative', scale: { domain: yDomain, nice: false } },
            y2: { field: 'q3' },
            color,
          },
        },
        {
          data: { values: rows },
          mark: { type: 'line', strokeWidth: 2, point: { size: 18 }, tooltip: true },
          encoding: {
            x: { field: 'param', type: 'quantitative', title },
            y: {
              field: 'median',
              type: 'quantitative',
              title: 'margin (contraction rate)',
              scale: { domain: yDomain, nice: false },
            },
            color,
          },
        },
      ],
    },
  };
}
