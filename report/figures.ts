/**
 * The demo's figures as Vega-Lite specs, compiled by `vega-lite`, rendered to SVG by `vega`
 * (headless, no canvas) and to PNG by `@resvg/resvg-js`.
 */
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';
import { Resvg } from '@resvg/resvg-js';
import type { BandCell, BandEdge, MarginRow, StepsizePoint } from './data.js';

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const WIDTH = 620;
const HEIGHT = 380;

const CONFIG = {
  font: FONT,
  background: 'white',
  view: { stroke: '#888' },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: false },
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 400, symbolStrokeWidth: 2.5 },
  title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start' as const },
};

export interface Figure {
  readonly name: string;
  readonly title: string;
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

export interface RenderedFigure extends Figure {
  readonly svg: string;
  readonly png: Buffer;
}

export async function renderFigure(fig: Figure): Promise<RenderedFigure> {
  const vgSpec = compile(fig.spec, { config: CONFIG }).spec;
  const view = new View(parse(vgSpec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  })
    .render()
    .asPng();
  return { ...fig, svg, png };
}

/** Cell edges of a sorted axis: midpoints between neighbours (geometric for a log axis). */
function edgesOf(values: readonly number[], log: boolean): { lo: number[]; hi: number[] } {
  const f = log ? Math.log : (x: number) => x;
  const g = log ? Math.exp : (x: number) => x;
  const n = values.length;
  const lo: number[] = [];
  const hi: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = f(values[i]);
    const prev = i > 0 ? f(values[i - 1]) : n > 1 ? x - (f(values[1]) - x) : x - 0.5;
    const next = i < n - 1 ? f(values[i + 1]) : n > 1 ? x + (x - f(values[n - 2])) : x + 0.5;
    lo.push(g((prev + x) / 2));
    hi.push(g((x + next) / 2));
  }
  return { lo, hi };
}

function sortedUnique(xs: readonly number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

function lambdaEdges(lambdas: readonly number[]): Map<number, { lo: number; hi: number }> {
  const u = sortedUnique(lambdas);
  const e = edgesOf(u, false);
  return new Map(
    u.map((l, i) => [l, { lo: Math.max(u[0], e.lo[i]), hi: Math.min(u[u.length - 1], e.hi[i]) }]),
  );
}

const finitePositive = (x: number | null): x is number => x !== null && Number.isFinite(x) && x > 0;

/** Heatmap of alpha_*(lambda, r) with the band edges and the optimal ratio. */
export function bandMapFigure(band: readonly BandCell[], edges: readonly BandEdge[]): Figure {
  const lx = lambdaEdges(band.map((b) => b.lambda));
  const ratios = sortedUnique(band.map((b) => b.ratio));
  const re = edgesOf(ratios, true);
  const rIndex = new Map(ratios.map((r, i) => [r, i]));
  const cells = band.map((b) => {
    const i = rIndex.get(b.ratio) ?? 0;
    const l = lx.get(b.lambda) ?? { lo: b.lambda, hi: b.lambda };
    return { ...b, l0: l.lo, l1: l.hi, r0: re.lo[i], r1: re.hi[i], a: Math.max(-1, Math.min(1, b.alpha)) };
  });
  const rMin = re.lo[0];
  const rMax = re.hi[re.hi.length - 1];
  const clampR = (r: number) => Math.min(rMax, Math.max(rMin, r));
  const curves: { lambda: number; curve: string; r: number }[] = [];
  for (const e of edges) {
    if (finitePositive(e.rMinus))
      curves.push({ lambda: e.lambda, curve: 'band edge r−(λ)', r: clampR(e.rMinus) });
    if (finitePositive(e.rPlus))
      curves.push({ lambda: e.lambda, curve: 'band edge r+(λ)', r: clampR(e.rPlus) });
    if (finitePositive(e.optimalRatio))
      curves.push({ lambda: e.lambda, curve: 'optimal ratio r*(λ)', r: clampR(e.optimalRatio) });
  }
  const lambdaScale = {
    domain: [
      lx.get(sortedUnique(band.map((b) => b.lambda))[0])?.lo ?? 0,
      Math.max(...band.map((b) => b.lambda)),
    ],
    nice: false,
    zero: false,
  };
  const rScale = { type: 'log' as const, domain: [rMin, rMax], nice: false };
  return {
    name: 'band-map',
    title: 'Timescale band map',
    caption:
      'SGN margin α*(λ, r) of LQ-64 over the coupling strength λ and the weight ratio r = w2/w1 ' +
      '(blue: certified, α* > 0; colour clamped to ±1). Lines: the exact band edges r−(λ), r+(λ) and the optimal ratio.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: HEIGHT,
      title: {
        text: 'LQ-64 timescale band: α*(λ, r)',
        subtitle: 'certified region α* > 0 between r−(λ) and r+(λ)',
      },
      layer: [
        {
          data: { values: cells },
          mark: { type: 'rect', tooltip: true },
          encoding: {
            x: { field: 'l0', type: 'quantitative', title: 'coupling strength λ', scale: lambdaScale },
            x2: { field: 'l1' },
            y: { field: 'r0', type: 'quantitative', title: 'weight ratio r = w2/w1', scale: rScale },
            y2: { field: 'r1' },
            color: {
              field: 'a',
              type: 'quantitative',
              title: 'α*',
              scale: { scheme: 'redblue', domain: [-1, 1], domainMid: 0 },
            },
          },
        },
        {
          data: { values: curves },
          mark: { type: 'line', strokeWidth: 2.2, clip: true, point: false },
          encoding: {
            x: { field: 'lambda', type: 'quantitative' },
            y: { field: 'r', type: 'quantitative' },
            detail: { field: 'curve' },
            stroke: {
              field: 'curve',
              type: 'nominal',
              title: null,
              scale: {
                domain: ['band edge r−(λ)', 'band edge r+(λ)', 'optimal ratio r*(λ)'],
                range: ['#111111', '#111111', '#f2a900'],
              },
              legend: { orient: 'bottom', direction: 'horizontal' },
            },
            strokeDash: {
              field: 'curve',
              type: 'nominal',
              title: null,
              scale: {
                domain: ['band edge r−(λ)', 'band edge r+(λ)', 'optimal ratio r*(λ)'],
                range: [
                  [1, 0],
                  [6, 3],
                  [2, 2],
                ],
              },
              legend: { orient: 'bottom', direction: 'horizontal' },
            },
          },
        },
      ],
      resolve: { scale: { color: 'independent' } },
    },
  };
}

/** Euclidean margin, SGN margin at the optimal weights and the true margin, against lambda. */
export function marginsFigure(margins: readonly MarginRow[]): Figure {
  const FLOOR = -2;
  const names = {
    gammaEuclidean: 'Euclidean margin γ (classical test)',
    optimalAlpha: 'SGN margin α* at optimal weights',
    alphaTrue: 'true margin in M(w*)',
  };
  const points: { lambda: number; series: string; margin: number }[] = [];
  for (const m of margins) {
    points.push({
      lambda: m.lambda,
      series: names.gammaEuclidean,
      margin: Math.max(FLOOR, m.gammaEuclidean),
    });
    points.push({ lambda: m.lambda, series: names.optimalAlpha, margin: Math.max(FLOOR, m.optimalAlpha) });
    if (m.alphaTrue !== null)
      points.push({ lambda: m.lambda, series: names.alphaTrue, margin: Math.max(FLOOR, m.alphaTrue) });
  }
  // The lambdas where SGN certifies and the Euclidean test fails.
  const gap = margins.filter((m) => m.optimalAlpha > 0 && m.gammaEuclidean <= 0).map((m) => m.lambda);
  const band = gap.length ? [{ from: Math.min(...gap), to: Math.max(...gap) }] : [];
  return {
    name: 'margins',
    title: 'Margins against coupling strength',
    caption:
      'Euclidean margin γ, SGN margin α* at the optimal weights and the true contraction rate in M(w*) ' +
      `(computed in-process at the optimal weights) against λ. Shaded: SGN certifies where the Euclidean test fails. Values below ${FLOOR} are drawn at ${FLOOR}.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: HEIGHT,
      title: {
        text: 'LQ-64 margins: SGN certifies where the Euclidean test fails',
        subtitle: 'shaded: α* > 0 and γ ≤ 0',
      },
      layer: [
        {
          data: { values: band },
          mark: { type: 'rect', color: '#2ca02c', opacity: 0.12 },
          encoding: {
            x: { field: 'from', type: 'quantitative' },
            x2: { field: 'to' },
          },
        },
        {
          data: { values: [{ y: 0 }] },
          mark: { type: 'rule', color: '#666', strokeDash: [4, 3] },
          encoding: { y: { field: 'y', type: 'quantitative' } },
        },
        {
          data: { values: points },
          mark: { type: 'line', strokeWidth: 2, point: { size: 18 } },
          encoding: {
            x: { field: 'lambda', type: 'quantitative', title: 'coupling strength λ' },
            y: {
              field: 'margin',
              type: 'quantitative',
              title: 'margin (contraction rate)',
              scale: { domain: [FLOOR, Math.max(1.05, ...points.map((p) => p.margin))], nice: false },
            },
            color: {
              field: 'series',
              type: 'nominal',
              title: null,
              scale: {
                domain: [names.gammaEuclidean, names.optimalAlpha, names.alphaTrue],
                range: ['#d62728', '#1f77b4', '#ff7f0e'],
              },
              legend: { orient: 'bottom', direction: 'vertical' },
            },
            strokeDash: {
              field: 'series',
              type: 'nominal',
              title: null,
              scale: {
                domain: [names.gammaEuclidean, names.optimalAlpha, names.alphaTrue],
                range: [
                  [1, 0],
                  [1, 0],
                  [5, 3],
                ],
              },
              legend: { orient: 'bottom', direction: 'vertical' },
            },
          },
        },
      ],
    },
  };
}

/** Phase diagram lambda x h for one integrator: convergence as colour, certified step and exact threshold as lines. */
export function phaseFigure(steps: readonly StepsizePoint[], integrator: string): Figure {
  const rows = steps.filter((s) => s.integrator === integrator && s.step > 0 && Number.isFinite(s.step));
  const lx = lambdaEdges(steps.filter((s) => s.integrator === integrator).map((s) => s.lambda));
  const cells: (StepsizePoint & { l0: number; l1: number; h0: number; h1: number })[] = [];
  for (const lambda of sortedUnique(rows.map((s) => s.lambda))) {
    const group = rows.filter((s) => s.lambda === lambda).sort((a, b) => a.step - b.step);
    const e = edgesOf(
      group.map((s) => s.step),
      true,
    );
    const l = lx.get(lambda) ?? { lo: lambda, hi: lambda };
    group.forEach((s, i) => cells.push({ ...s, l0: l.lo, l1: l.hi, h0: e.lo[i], h1: e.hi[i] }));
  }
  const hMin = Math.min(...cells.map((c) => c.h0));
  const hMax = Math.max(...cells.map((c) => c.h1));
  const lines: { lambda: number; line: string; h: number }[] = [];
  for (const lambda of sortedUnique(rows.map((s) => s.lambda))) {
    const s = rows.find((r) => r.lambda === lambda);
    if (!s) continue;
    if (s.certifiedStep > 0)
      lines.push({ lambda, line: 'certified step', h: Math.min(hMax, Math.max(hMin, s.certifiedStep)) });
    if (finitePositive(s.exactThreshold))
      lines.push({
        lambda,
        line: 'exact stability threshold',
        h: Math.min(hMax, Math.max(hMin, s.exactThreshold)),
      });
  }
  const label = integrator === 'rk4' ? 'RK4' : integrator === 'euler' ? 'Euler' : integrator;
  // Games with exact threshold 0 (unstable for every step) have no runs to draw: grey columns.
  const all = steps.filter((s) => s.integrator === integrator);
  const lambdas = sortedUnique(all.map((s) => s.lambda));
  const allEdges = lambdaEdges(lambdas);
  // Consecutive unstable lambdas merged into ranges, one label each.
  const unstable: { l0: number; l1: number; note: string }[] = [];
  lambdas.forEach((l, i) => {
    if (!all.some((s) => s.lambda === l && s.exactThreshold === 0)) return;
    const lo = allEdges.get(l)?.lo ?? l;
    const hi = allEdges.get(l)?.hi ?? l;
    const last = unstable[unstable.length - 1];
    const prevUnstable = i > 0 && all.some((s) => s.lambda === lambdas[i - 1] && s.exactThreshold === 0);
    if (last && prevUnstable) last.l1 = hi;
    else unstable.push({ l0: lo, l1: hi, note: 'unstable for every step h' });
  });
  return {
    name: `phase-${integrator}`,
    title: `Phase diagram: ${label}`,
    caption:
      `${label} runs on LQ-64 at multiples of the certified step (the exact threshold where nothing is certified): ` +
      'colour is the fraction of runs that converged; lines are the certified step and the exact stability threshold; ' +
      'grey: unstable for every step (exact threshold 0).',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: HEIGHT,
      title: { text: `LQ-64 step sizes: ${label}`, subtitle: 'fraction of runs converged over (λ, h)' },
      layer: [
        {
          data: { values: unstable },
          mark: { type: 'rect', color: '#c8c8c8' },
          encoding: {
            x: { field: 'l0', type: 'quantitative' },
            x2: { field: 'l1' },
          },
        },
        {
          data: { values: unstable },
          mark: { type: 'text', color: '#333', fontSize: 12 },
          encoding: {
            x: { field: 'lm', type: 'quantitative' },
            text: { field: 'note' },
          },
          transform: [{ calculate: '(datum.l0 + datum.l1) / 2', as: 'lm' }],
        },
        {
          data: { values: cells },
          mark: { type: 'rect', tooltip: true },
          encoding: {
            x: {
              field: 'l0',
              type: 'quantitative',
              title: 'coupling strength λ',
              scale: {
                domain: [lambdas[0] ?? 0, lambdas[lambdas.length - 1] ?? 1],
                nice: false,
                zero: false,
              },
            },
            x2: { field: 'l1' },
            y: {
              field: 'h0',
              type: 'quantitative',
              title: 'step size h',
              scale: { type: 'log', domain: [hMin, hMax], nice: false },
            },
            y2: { field: 'h1' },
            color: {
              field: 'convergedFraction',
              type: 'quantitative',
              title: 'converged',
              scale: { scheme: 'redyellowgreen', domain: [0, 1] },
            },
          },
        },
        {
          data: { values: lines },
          mark: { type: 'line', strokeWidth: 2.4, clip: true },
          encoding: {
            x: { field: 'lambda', type: 'quantitative' },
            y: { field: 'h', type: 'quantitative' },
            stroke: {
              field: 'line',
              type: 'nominal',
              title: null,
              scale: {
                domain: ['certified step', 'exact stability threshold'],
                range: ['#08306b', '#111111'],
              },
              legend: { orient: 'bottom', direction: 'horizontal' },
            },
            strokeDash: {
              field: 'line',
              type: 'nominal',
              title: null,
              scale: {
                domain: ['certified step', 'exact stability threshold'],
                range: [
                  [1, 0],
                  [6, 3],
                ],
              },
              legend: { orient: 'bottom', direction: 'horizontal' },
            },
          },
        },
      ],
      resolve: { scale: { color: 'independent' } },
    },
  };
}
