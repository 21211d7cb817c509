/**
 * Figures of a sweep over one game (no game axis to draw against), as the paper draws them:
 * the timescale band against the weight ratio (LQ_GAMES/figures.py plot_timescale_band,
 * markov/plots.py "timescale") and the converged fraction against the step multiplier
 * (markov/plots.py "stability"). Vega-Lite specs, rendered by figures.ts.
 */
import type { ResultRow } from '../sweep/queries.js';
import type { StepsizePoint } from './data.js';
import { HEIGHT, WIDTH, integratorLabel, type Figure } from './figures.js';
import { maxOf, minOf } from '../sgn/util/extremes.js';
import { storedBandEdges } from './band-edges.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const finite = (x: number | null | undefined): x is number =>
  x !== null && x !== undefined && Number.isFinite(x);

/** A margin curve against the weight ratio: alpha_* (alpha_true where known) and the band's edges. */
export interface BandLine {
  readonly points: readonly { ratio: number; alpha: number | null; alphaTrue?: number | null }[];
  /** [r-, r+] where alpha_* >= 0 (r+ = Infinity: unbounded above), null when there is no band. */
  readonly edges: readonly [number, number] | null;
}

/** The band line of one game's stored cells (failed cells left out). */
export function bandLineOfCells(cells: readonly ResultRow[]): BandLine {
  const ok = cells.filter((c) => c.error === null);
  // Every cell of a game holds the game's band.
  const first = ok[0];
  return {
    // The ratio axis is numeric (only a file axis holds names).
    points: ok.map((c) => ({ ratio: Number(c.params.ratio), alpha: c.alpha, alphaTrue: c.alphaTrue })),
    edges: first ? storedBandEdges(first.bandMinus, first.bandPlus) : null,
  };
}

/**
 * alpha_*(r) and, where stored, alpha_true(r) against the weight ratio on a log axis, the band
 * [r-, r+] (exact edges, alpha_* = 0) shaded and marked, as the paper's lq_timescale_band.
 */
export function bandLineFigure(line: BandLine, subject: string): Figure {
  const rows = line.points.filter((p) => p.ratio > 0).sort((a, b) => a.ratio - b.ratio);
  const names = { sgn: 'SGN margin α*(r)', truth: 'true margin α_true(r) in M(w)' };
  const points: { r: number; series: string; margin: number }[] = [];
  for (const c of rows) {
    if (finite(c.alpha)) points.push({ r: c.ratio, series: names.sgn, margin: c.alpha });
    if (finite(c.alphaTrue)) points.push({ r: c.ratio, series: names.truth, margin: c.alphaTrue });
  }
  const edges = line.edges ?? [];
  const rMin = rows.length ? rows[0].ratio : 0.1;
  const rMax = rows.length ? rows[rows.length - 1].ratio : 10;
  // The band as stored, clipped to the drawn ratios (an edge outside them is not drawn).
  const band = edges.length
    ? [{ from: Math.max(rMin, edges[0]), to: Math.min(rMax, edges[1]), what: 'SGN band (α* ≥ 0)' }]
    : [];
  const marks = edges.filter((r) => r >= rMin && r <= rMax).map((r) => ({ r }));
  const hasTruth = points.some((p) => p.series === names.truth);
  const domain = hasTruth ? [names.truth, names.sgn] : [names.sgn];
  const edgeLabel = (r: number): string => (Number.isFinite(r) ? r.toPrecision(4) : '∞');
  const edgeText = edges.length
    ? `band r− = ${edgeLabel(edges[0])}, r+ = ${edgeLabel(edges[1])}`
    : 'no band: α* < 0 at every ratio';
  return {
    name: 'band-1d',
    title: 'Timescale band',
    caption:
      `SGN margin α*(r)${hasTruth ? ' and the true margin α_true(r) in M(w)' : ''} of ${subject} against the weight ratio r = w2/w1. ` +
      `Shaded, with dotted edges: the exact SGN band [r−, r+] where α* ≥ 0 (${edgeText}).`,
    spec: {
      $schema: SCHEMA,
      width: WIDTH,
      height: HEIGHT,
      title: { text: `${subject}: timescale band`, subtitle: edgeText },
      layer: [
        {
          data: { values: band },
          mark: { type: 'rect', opacity: 0.5 },
          encoding: {
            x: { field: 'from', type: 'quantitative' },
            x2: { field: 'to' },
            fill: {
              field: 'what',
              type: 'nominal',
              title: null,
              scale: { range: ['#FFDDC1'] },
              legend: { orient: 'bottom', direction: 'horizontal' },
            },
          },
        },
        {
          data: { values: marks },
          mark: { type: 'rule', color: '#FF7F0E', strokeDash: [2, 3], strokeWidth: 1.6 },
          encoding: { x: { field: 'r', type: 'quantitative' } },
        },
        {
          data: { values: [{ y: 0 }] },
          mark: { type: 'rule', color: '#888' },
          encoding: { y: { field: 'y', type: 'quantitative' } },
        },
        // The true margin solid, then alpha_* dashed on top (they coincide on LQ-64, as in the paper).
        ...domain.map((series) => ({
          data: { values: points.filter((p) => p.series === series) },
          mark: { type: 'line' as const, strokeWidth: 2, point: rows.length <= 40 ? { size: 18 } : false },
          encoding: {
            x: {
              field: 'r',
              type: 'quantitative' as const,
              title: 'weight ratio r = w2/w1',
              scale: { type: 'log' as const, domain: [rMin, rMax], nice: false },
            },
            y: { field: 'margin', type: 'quantitative' as const, title: 'margin' },
            color: {
              field: 'series',
              type: 'nominal' as const,
              title: null,
              scale: { domain, range: domain.map((d) => (d === names.sgn ? '#2ca02c' : '#1f77b4')) },
              legend: { orient: 'bottom' as const, direction: 'horizontal' as const },
            },
            strokeDash: {
              field: 'series',
              type: 'nominal' as const,
              title: null,
              scale: { domain, range: domain.map((d) => (d === names.sgn ? [6, 3] : [1, 0])) },
              legend: { orient: 'bottom' as const, direction: 'horizontal' as const },
            },
          },
        })),
      ],
    },
  };
}

/** The paper's names and colours for the Markov iterations (markov/plots.py). */
const POLICY_GRADIENT: Record<string, { label: string; colour: string }> = {
  npg: { label: 'natural PG (SGN metric)', colour: '#1f77b4' },
  epg: { label: 'Euclidean PG', colour: '#d62728' },
  euler: { label: 'Euler', colour: '#2ca02c' },
  rk4: { label: 'RK4', colour: '#9467bd' },
};
const lineLabel = (integrator: string): string =>
  POLICY_GRADIENT[integrator]?.label ?? integratorLabel(integrator);
const lineShape = (label: string): string => (label === POLICY_GRADIENT.epg.label ? 'square' : 'circle');
const lineColour = (label: string): string =>
  Object.values(POLICY_GRADIENT).find((p) => p.label === label)?.colour ?? '#555';

/**
 * The fraction of runs converged against the step (multiplier of the certified step, of the exact
 * threshold, or h itself), one line per integrator, the certified bound marked: markov/plots.py's
 * stability figure.
 */
export function stabilityLineFigure(
  steps: readonly StepsizePoint[],
  subject: string,
  base: 'certified' | 'threshold' | 'absolute',
): Figure {
  const rows = steps
    .filter((s) => s.convergedFraction !== null && s.multiplier > 0)
    .sort((a, b) => a.multiplier - b.multiplier);
  const integrators = [...new Set(rows.map((s) => s.integrator))];
  const labels = integrators.map(lineLabel);
  const points = rows.map((s) => ({
    x: s.multiplier,
    step: s.step,
    integrator: lineLabel(s.integrator),
    converged: s.convergedFraction as number,
  }));
  const certified = rows.find((s) => s.certifiedStep > 0)?.certifiedStep ?? 0;
  const xTitle =
    base === 'absolute'
      ? 'step size h'
      : base === 'threshold'
        ? 'step multiplier h / h_stab (exact threshold)'
        : 'step multiplier h / h_cert (η / η_max)';
  // Where the certificate ends: multiplier 1, or the certified step on an absolute axis.
  const bound = base === 'certified' ? 1 : base === 'absolute' && certified > 0 ? certified : null;
  const xs = points.map((p) => p.x);
  return {
    name: 'stability-1d',
    title: 'Stability against the step',
    caption:
      `Fraction of runs converged on ${subject} against the ${xTitle}, one line per integrator` +
      (bound !== null ? '; the dashed rule is the certified bound.' : '.'),
    spec: {
      $schema: SCHEMA,
      width: WIDTH,
      height: HEIGHT,
      title: { text: `${subject}: stability against the step`, subtitle: 'fraction of runs converged' },
      layer: [
        {
          data: { values: bound === null ? [] : [{ x: bound, what: 'certified bound' }] },
          mark: { type: 'rule', color: '#111', strokeDash: [6, 3], strokeWidth: 1.4 },
          encoding: { x: { field: 'x', type: 'quantitative' } },
        },
        {
          data: { values: points },
          mark: { type: 'line', strokeWidth: 2, point: { size: 30, filled: true }, tooltip: true },
          encoding: {
            x: {
              field: 'x',
              type: 'quantitative',
              title: xTitle,
              scale: { type: 'log', domain: [minOf(xs), maxOf(xs)], nice: false },
            },
            y: {
              field: 'converged',
              type: 'quantitative',
              title: 'fraction converged',
              scale: { domain: [-0.05, 1.05], nice: false },
            },
            color: {
              field: 'integrator',
              type: 'nominal',
              title: null,
              scale: { domain: labels, range: labels.map(lineColour) },
              legend: { orient: 'bottom', direction: 'horizontal' },
            },
            shape: {
              field: 'integrator',
              type: 'nominal',
              title: null,
              scale: { domain: labels, range: labels.map(lineShape) },
            },
          },
        },
      ],
    },
  };
}
