/**
 * A sweep's figures as Vega-Lite specs (band map, margins, step-size phase diagrams), compiled
 * by `vega-lite`, rendered to SVG by `vega` (headless, no canvas) and to PNG by `@resvg/resvg-js`.
 */
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';
import { Resvg } from '@resvg/resvg-js';
import type { BandCell, BandEdge, MarginRow, StepsizePoint } from './data.js';
import { maxOf, minOf } from '../sgn/util/extremes.js';

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
export const WIDTH = 620;
export const HEIGHT = 380;

/** The figures' look (fonts, sizes): `sgn report` renders with it, the dashboard hands it to vega-embed. */
export const FIGURE_CONFIG = {
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

/** What the figures are about: the game (a sweep's name, or e.g. "LQ-64") and its swept parameter. */
export interface FigureLabels {
  readonly subject: string;
  /** Name of the swept game parameter (a spec field such as `lambda`). */
  readonly param: string;
}

/** The parameter's symbol and axis title: lambda is the quadratic family's coupling strength. */
export function paramText(param: string): { sym: string; title: string } {
  if (param === 'lambda') return { sym: 'λ', title: 'coupling strength λ' };
  // The perturbation size (sweep/perturbation.ts): the paper's noise fraction.
  if (param === 'eps') return { sym: 'ε', title: 'noise fraction ε' };
  return { sym: param, title: `game parameter ${param}` };
}

export interface RenderedFigure extends Figure {
  readonly svg: string;
  readonly png: Buffer;
}

export async function renderFigure(fig: Figure): Promise<RenderedFigure> {
  const vgSpec = compile(fig.spec, { config: FIGURE_CONFIG }).spec;
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
export function edgesOf(values: readonly number[], log: boolean): { lo: number[]; hi: number[] } {
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

export function sortedUnique(xs: readonly number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

/**
 * Column edges along the parameter axis, clipped to [first, last] value so the axis spans
 * exactly the swept range (a single value keeps a unit-wide column).
 */
export function paramEdges(values: readonly number[]): {
  edges: Map<number, { lo: number; hi: number }>;
  domain: [number, number];
} {
  const u = sortedUnique(values);
  const e = edgesOf(u, false);
  const clip = u.length > 1;
  const edges = new Map(
    u.map((l, i) => [
      l,
      clip
        ? { lo: Math.max(u[0], e.lo[i]), hi: Math.min(u[u.length - 1], e.hi[i]) }
        : { lo: e.lo[i], hi: e.hi[i] },
    ]),
  );
  const first = edges.get(u[0]);
  const last = edges.get(u[u.length - 1]);
  return { edges, domain: [first?.lo ?? 0, last?.hi ?? 1] };
}

/**
 * Heatmap tiles over (parameter, weight ratio): each point's column (paramEdges) and row (log
 * midpoints between the ratios), reaching one pixel into the next tile (drawn later, it covers
 * the overlap): abutting edges leave antialiasing seams, light lines across a map of many rows.
 */
export function paramRatioTiles<P extends { param: number; ratio: number }>(
  points: readonly P[],
): {
  tiles: (P & { l0: number; l1: number; r0: number; r1: number })[];
  domain: [number, number];
  rDomain: [number, number];
} {
  const px = paramEdges(points.map((p) => p.param));
  const ratios = sortedUnique(points.map((p) => p.ratio));
  const re = edgesOf(ratios, true);
  const rIndex = new Map(ratios.map((r, i) => [r, i]));
  const rDomain: [number, number] = [re.lo[0] ?? 0.1, re.hi[re.hi.length - 1] ?? 10];
  const pixelL = (px.domain[1] - px.domain[0]) / WIDTH;
  const pixelR = (rDomain[1] / rDomain[0]) ** (1 / HEIGHT);
  const tiles = points.map((p) => {
    const i = rIndex.get(p.ratio) ?? 0;
    const l = px.edges.get(p.param) ?? { lo: p.param, hi: p.param };
    return {
      ...p,
      l0: l.lo,
      l1: Math.min(px.domain[1], l.hi + pixelL),
      r0: re.lo[i],
      r1: Math.min(rDomain[1], re.hi[i] * pixelR),
    };
  });
  return { tiles, domain: px.domain, rDomain };
}

const finitePositive = (x: number | null): x is number => x !== null && Number.isFinite(x) && x > 0;

/** The cells a band map draws: finite alpha_* at a positive ratio. */
export function drawnBandCells(band: readonly BandCell[]): BandCell[] {
  return band.filter((b) => b.alpha !== null && Number.isFinite(b.alpha) && finitePositive(b.ratio));
}

/** The caption's word on cells with no margin (failed, or not finite): left blank. */
function failedText(blank: number): string {
  if (blank === 0) return '';
  return ` Blank: ${blank} ${blank === 1 ? 'cell' : 'cells'} without a margin (failed; listed by sgn sweep results --where error=any).`;
}

/** Heatmap of alpha_*(param, r) with the band edges and the optimal ratio. */
export function bandMapFigure(
  band: readonly BandCell[],
  edges: readonly BandEdge[],
  labels: FigureLabels,
): Figure {
  const { sym, title } = paramText(labels.param);
  const drawn = drawnBandCells(band);
  const { tiles: cells, domain, rDomain } = paramRatioTiles(drawn);
  // A sequential scale over the certified margins (no clamp: its top is the largest alpha*);
  // cells with alpha* <= 0 are grey, so the certified region stands out as the paper shades it.
  const alphaTop = maxOf([0, ...cells.map((c) => c.alpha ?? 0)]);
  const colourTop = alphaTop > 0 ? alphaTop : 1;
  const [rMin, rMax] = rDomain;
  const names = [`band edge r−(${sym})`, `band edge r+(${sym})`, `optimal ratio r*(${sym})`];
  const { segments, markers } = edgeMarks(edges, names, rMin, rMax);
  const beyond = markers.length > 0;
  const rScale = { type: 'log' as const, domain: [rMin, rMax], nice: false };
  const grey = '#d0d0d0';
  return {
    name: 'band-map',
    title: 'Timescale band map',
    caption:
      `SGN margin α*(${sym}, r) of ${labels.subject} over ${title} and the weight ratio r = w2/w1: ` +
      `certified cells (α* > 0) coloured by α* from 0 to ${fmtNumber(colourTop)}, the others grey. ` +
      `Lines: the exact band edges r−(${sym}), r+(${sym}) and the optimal ratio where the game is certified; ` +
      `an edge beyond the ratio axis is a triangle at the frame (its value in the tooltip and the band-edges table), ` +
      `an unbounded one (r− = 0, r+ = ∞) an open triangle.` +
      failedText(band.length - drawn.length),
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: HEIGHT,
      title: {
        text: `${labels.subject}: timescale band α*(${sym}, r)`,
        subtitle: [
          `colour: α* > 0 (certified) on [0, ${fmtNumber(colourTop)}]; grey: α* ≤ 0 (not certified)`,
          ...(beyond ? ['▲▼ at the frame: a band edge beyond the ratio axis; open: unbounded'] : []),
        ],
      },
      layer: [
        {
          data: { values: cells },
          mark: { type: 'rect', tooltip: true },
          encoding: {
            x: {
              field: 'l0',
              type: 'quantitative',
              title,
              scale: { domain, nice: false, zero: false },
            },
            x2: { field: 'l1' },
            y: { field: 'r0', type: 'quantitative', title: 'weight ratio r = w2/w1', scale: rScale },
            y2: { field: 'r1' },
            color: {
              condition: { test: 'datum.alpha <= 0', value: grey },
              field: 'alpha',
              type: 'quantitative',
              title: 'α* (certified)',
              scale: { scheme: 'viridis', domain: [0, colourTop] },
            },
            // Hover (the dashboard): the cell's certificate.
            tooltip: [
              { field: 'param', type: 'quantitative', title: sym, format: '.6g' },
              { field: 'ratio', type: 'quantitative', title: 'r = w2/w1', format: '.4g' },
              { field: 'alpha', type: 'quantitative', title: 'α* (SGN margin)', format: '.6g' },
              { field: 'certified', type: 'nominal', title: 'certified' },
              ...(drawn.some((b) => b.slice)
                ? [{ field: 'slice', type: 'nominal' as const, title: 'slice' }]
                : []),
              ...(drawn.some((b) => b.games !== undefined)
                ? [
                    { field: 'games', type: 'quantitative' as const, title: 'games pooled' },
                    {
                      field: 'certifiedRate',
                      type: 'quantitative' as const,
                      title: 'fraction certified',
                      format: '.3f',
                    },
                  ]
                : []),
            ],
          },
        },
        {
          data: { values: segments },
          mark: { type: 'line', strokeWidth: 2.2, clip: true, point: false },
          encoding: {
            x: { field: 'param', type: 'quantitative' },
            y: { field: 'r', type: 'quantitative' },
            detail: { field: 'segment' },
            stroke: {
              field: 'curve',
              type: 'nominal',
              title: null,
              scale: { domain: names, range: ['#d62728', '#d62728', '#ff7f0e'] },
              legend: { orient: 'bottom', direction: 'horizontal' },
            },
            strokeDash: {
              field: 'curve',
              type: 'nominal',
              title: null,
              scale: {
                domain: names,
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
        ...(beyond
          ? [
              {
                data: { values: markers },
                mark: { type: 'point' as const, size: 60, strokeWidth: 1.5, tooltip: true },
                encoding: {
                  x: { field: 'param', type: 'quantitative' as const },
                  y: { field: 'at', type: 'quantitative' as const },
                  shape: {
                    field: 'direction',
                    type: 'nominal' as const,
                    scale: { domain: ['above', 'below'], range: ['triangle-up', 'triangle-down'] },
                    legend: null,
                  },
                  color: { value: '#d62728' },
                  fill: {
                    field: 'unbounded',
                    type: 'nominal' as const,
                    scale: { domain: [false, true], range: ['#d62728', 'transparent'] },
                    legend: null,
                  },
                  tooltip: [
                    { field: 'param', type: 'quantitative' as const, title: sym, format: '.6g' },
                    { field: 'curve', type: 'nominal' as const, title: 'edge' },
                    { field: 'value', type: 'nominal' as const, title: 'value' },
                  ],
                },
              },
            ]
          : []),
      ],
      resolve: { scale: { color: 'independent', fill: 'independent', shape: 'independent' } },
    },
  };
}

/** A number as figures print it: 4 significant digits. */
const fmtNumber = (x: number): string => String(Number(x.toPrecision(4)));

/**
 * The band edges as line segments inside the ratio axis (a curve is cut where it leaves it, so no
 * line runs along the frame), and a marker at the frame for each edge beyond the axis or
 * unbounded. Only where the game is certified (alpha_max > 0): elsewhere there is no band, and no
 * optimal ratio worth drawing.
 */
function edgeMarks(
  edges: readonly BandEdge[],
  names: readonly string[],
  rMin: number,
  rMax: number,
): {
  segments: { param: number; curve: string; segment: string; r: number }[];
  markers: {
    param: number;
    curve: string;
    at: number;
    direction: string;
    unbounded: boolean;
    value: string;
  }[];
} {
  const segments: { param: number; curve: string; segment: string; r: number }[] = [];
  const markers: {
    param: number;
    curve: string;
    at: number;
    direction: string;
    unbounded: boolean;
    value: string;
  }[] = [];
  const run = new Map<string, number>();
  const open = new Map<string, boolean>();
  const sorted = [...edges].sort((a, b) => a.param - b.param);
  for (const e of sorted) {
    const certified = e.alphaMax !== null && e.alphaMax > 0;
    // rMinus null or 0: unbounded below; rPlus null (Infinity serialised): unbounded above.
    const values: [string, number | null, boolean][] = [
      [names[0], certified ? (e.rMinus ?? 0) : null, true],
      [names[1], certified ? (e.rPlus ?? Infinity) : null, true],
      [names[2], certified && finitePositive(e.optimalRatio) ? e.optimalRatio : null, false],
    ];
    for (const [curve, r, isEdge] of values) {
      const inside = r !== null && r >= rMin && r <= rMax;
      if (inside) {
        if (!open.get(curve)) run.set(curve, (run.get(curve) ?? 0) + 1);
        open.set(curve, true);
        segments.push({ param: e.param, curve, segment: `${curve}#${run.get(curve)}`, r });
        continue;
      }
      open.set(curve, false);
      if (r === null || !isEdge) continue;
      const unbounded = r === 0 || r === Infinity;
      markers.push({
        param: e.param,
        curve,
        at: r > rMax ? rMax : rMin,
        direction: r > rMax ? 'above' : 'below',
        unbounded,
        value: r === Infinity ? '∞ (unbounded)' : r === 0 ? '0 (unbounded)' : fmtNumber(r),
      });
    }
  }
  return { segments, markers };
}

/** Euclidean margin, SGN margin at the optimal weights and the true margin, against the parameter. */
export function marginsFigure(margins: readonly MarginRow[], labels: FigureLabels): Figure {
  const { sym, title } = paramText(labels.param);
  const FLOOR = -2;
  // The true margin at w* when known (stored for optimal-weight sweeps, or computed), else the
  // stored cell nearest the optimal ratio on the ratio grid.
  const atOptimum = margins.some((m) => m.alphaTrue !== null);
  const names = {
    gammaEuclidean: 'Euclidean margin γ (classical test)',
    optimalAlpha: 'SGN margin α* at optimal weights',
    alphaTrue: atOptimum ? 'true margin in M(w*)' : 'true margin at the grid ratio nearest r*',
  };
  const points: { param: number; series: string; margin: number }[] = [];
  for (const m of margins) {
    points.push({ param: m.param, series: names.gammaEuclidean, margin: Math.max(FLOOR, m.gammaEuclidean) });
    points.push({ param: m.param, series: names.optimalAlpha, margin: Math.max(FLOOR, m.optimalAlpha) });
    const t = atOptimum ? m.alphaTrue : m.alphaTrueNearestCell;
    if (t !== null && Number.isFinite(t))
      points.push({ param: m.param, series: names.alphaTrue, margin: Math.max(FLOOR, t) });
  }
  // The parameter values where SGN certifies and the Euclidean test fails.
  const gap = margins.filter((m) => m.optimalAlpha > 0 && m.gammaEuclidean <= 0).map((m) => m.param);
  const band = gap.length ? [{ from: minOf(gap), to: maxOf(gap) }] : [];
  return {
    name: 'margins',
    title: `Margins against ${title}`,
    caption:
      `Euclidean margin γ, SGN margin α* at the optimal weights and the true contraction rate ` +
      `(${atOptimum ? 'in M(w*) at the optimal weights' : 'at the stored ratio nearest the optimal one'}) of ${labels.subject} against ${sym}. ` +
      `Shaded: SGN certifies where the Euclidean test fails. Values below ${FLOOR} are drawn at ${FLOOR}.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: HEIGHT,
      title: {
        text: `${labels.subject}: margins against ${sym}`,
        subtitle: `shaded: α* > 0 and γ ≤ 0 (SGN certifies where the Euclidean test fails); values below ${FLOOR} drawn at ${FLOOR}`,
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
            x: { field: 'param', type: 'quantitative', title },
            y: {
              field: 'margin',
              type: 'quantitative',
              title: 'margin (contraction rate)',
              scale: {
                domain: [FLOOR, maxOf([1.05, ...points.map((p) => p.margin)])],
                nice: false,
              },
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

export const integratorLabel = (integrator: string): string =>
  integrator === 'rk4' ? 'RK4' : integrator === 'euler' ? 'Euler' : integrator;

/** Phase diagram param x h for one integrator: convergence as colour, certified step and exact threshold as lines. */
/** Half-height of a phase-diagram tile, as a factor on the log step axis. */
const PHASE_TILE = 1.12;

export function phaseFigure(
  steps: readonly StepsizePoint[],
  integrator: string,
  labels: FigureLabels,
  /** linearSteps: absolute steps on a shared grid (stepsize.h): a linear h axis, tiles edge to edge. */
  { linearSteps = false }: { linearSteps?: boolean } = {},
): Figure {
  const { sym, title } = paramText(labels.param);
  const all = steps.filter((s) => s.integrator === integrator);
  const rows = all.filter((s) => s.step > 0 && Number.isFinite(s.step));
  const { edges: px, domain } = paramEdges(all.map((s) => s.param));
  const cells: (StepsizePoint & { l0: number; l1: number; h0: number; h1: number })[] = [];
  for (const param of sortedUnique(rows.map((s) => s.param))) {
    const group = rows.filter((s) => s.param === param).sort((a, b) => a.step - b.step);
    const e = edgesOf(
      group.map((s) => s.step),
      !linearSteps,
    );
    const l = px.get(param) ?? { lo: param, hi: param };
    // A tile around each step actually run, not the whole way to the next one: a run that
    // converged at h must not paint steps above h (past the exact threshold) green. (A shared
    // absolute grid is dense enough for plain midpoints.)
    group.forEach((s, i) =>
      cells.push({
        ...s,
        l0: l.lo,
        l1: l.hi,
        h0: linearSteps ? Math.max(0, e.lo[i]) : Math.max(e.lo[i], s.step / PHASE_TILE),
        h1: linearSteps ? e.hi[i] : Math.min(e.hi[i], s.step * PHASE_TILE),
      }),
    );
  }
  // No runs at all (every game unstable for every step): any positive range draws the grey columns.
  const hMin = cells.length ? minOf(cells.map((c) => c.h0)) : 1e-3;
  const hMax = cells.length ? maxOf(cells.map((c) => c.h1)) : 1;
  const lines: { param: number; line: string; h: number }[] = [];
  for (const param of sortedUnique(rows.map((s) => s.param))) {
    const s = rows.find((r) => r.param === param);
    if (!s) continue;
    if (s.certifiedStep > 0)
      lines.push({ param, line: 'certified step', h: Math.min(hMax, Math.max(hMin, s.certifiedStep)) });
    if (finitePositive(s.exactThreshold))
      lines.push({
        param,
        line: 'exact stability threshold',
        h: Math.min(hMax, Math.max(hMin, s.exactThreshold)),
      });
  }
  const label = integratorLabel(integrator);
  // Games with exact threshold 0 (unstable for every step) have no runs to draw: grey columns.
  const values = sortedUnique(all.map((s) => s.param));
  const unstableAt = (p: number) => all.some((s) => s.param === p && s.exactThreshold === 0);
  // Consecutive unstable values merged into ranges, one label each.
  const unstable: { l0: number; l1: number; note: string }[] = [];
  values.forEach((p, i) => {
    if (!unstableAt(p)) return;
    const lo = px.get(p)?.lo ?? p;
    const hi = px.get(p)?.hi ?? p;
    const last = unstable[unstable.length - 1];
    if (last && i > 0 && unstableAt(values[i - 1])) last.l1 = hi;
    else unstable.push({ l0: lo, l1: hi, note: 'unstable for every step h' });
  });
  return {
    name: `phase-${integrator}`,
    title: `Phase diagram: ${label}`,
    caption:
      `${label} runs on ${labels.subject} at the sweep's steps (multiples of the certified step, the exact threshold where nothing is certified; multiples of the threshold; or absolute h): ` +
      'one tile per step run, coloured by the fraction of runs that converged; lines are the certified step and the exact stability threshold; ' +
      'grey: unstable for every step (exact threshold 0).',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: HEIGHT,
      title: {
        text: `${labels.subject}: step sizes, ${label}`,
        subtitle: `fraction of runs converged over (${sym}, h)`,
      },
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
              title,
              scale: { domain, nice: false, zero: false },
            },
            x2: { field: 'l1' },
            y: {
              field: 'h0',
              type: 'quantitative',
              title: 'step size h',
              scale: linearSteps
                ? { domain: [0, hMax], nice: false }
                : { type: 'log', domain: [hMin, hMax], nice: false },
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
            x: { field: 'param', type: 'quantitative' },
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

/** A tile of the log-rho map: one (param, h) of one integrator. */
interface RhoTile {
  param: number;
  step: number;
  rho: number;
  log10rho: number;
  l0: number;
  l1: number;
  h0: number;
  h1: number;
}

/**
 * The paper's log rho(T) phase diagram (LQ_GAMES/figures.py, plot_phase_diagrams_and_margins) for
 * one integrator: log10 of the step matrix's spectral radius over (param, h) on a linear h axis,
 * diverging around 0 (rho = 1: blue contracts, red grows; the paper blanks rho >= 1 instead),
 * the certified step and the exact threshold as lines, and the Euclidean-monotone range of the
 * parameter shaded: [min, max] of the values whose Euclidean margin is >= 0, as the paper takes it.
 */
export function rhoPhaseFigure(
  steps: readonly StepsizePoint[],
  integrator: string,
  labels: FigureLabels,
): Figure {
  const { sym, title } = paramText(labels.param);
  const rows = steps.filter(
    (s) => s.integrator === integrator && s.spectralRadius !== null && Number.isFinite(s.step),
  );
  const { edges: px, domain } = paramEdges(rows.map((s) => s.param));
  const tiles: RhoTile[] = [];
  for (const param of sortedUnique(rows.map((s) => s.param))) {
    const group = rows.filter((s) => s.param === param).sort((a, b) => a.step - b.step);
    const e = edgesOf(
      group.map((s) => s.step),
      false,
    );
    const l = px.get(param) ?? { lo: param, hi: param };
    group.forEach((s, i) => {
      const rho = s.spectralRadius as number;
      tiles.push({
        param,
        step: s.step,
        rho,
        // rho = 0 (h lambda = 1 exactly for Euler on a one-point spectrum) has no log: the floor.
        log10rho: Math.log10(Math.max(rho, 1e-16)),
        l0: l.lo,
        l1: l.hi,
        h0: Math.max(0, e.lo[i]),
        h1: e.hi[i],
      });
    });
  }
  const hMax = tiles.length ? maxOf(tiles.map((t) => t.h1)) : 1;
  // Tiles reach one pixel into their neighbours (drawn in order, the next one covers it): abutting
  // edges would leave antialiasing seams. No more than a pixel: neighbouring columns hold other
  // steps (h = c x the certified step of their own game), so a wider overlap shows as a ledge.
  const pixelL = (domain[1] - domain[0]) / WIDTH;
  const pixelH = hMax / HEIGHT;
  for (const t of tiles) {
    t.h1 = Math.min(hMax, t.h1 + pixelH);
    t.l1 = Math.min(domain[1], t.l1 + pixelL);
  }
  const logs = tiles.map((t) => t.log10rho).filter(Number.isFinite);
  // Both sides of 0 keep their full colour range (an unstable corner can reach log10 rho = 5 while
  // the stable side spans a few tenths); the stable side ends at its 2nd percentile, clamped, so a
  // lone rho = 0 (Euler at h = 1 on H = I) does not wash the rest out.
  const negative = logs.filter((x) => x < 0).sort((a, b) => a - b);
  const lo = Math.min(-1e-3, negative.length ? negative[Math.floor(0.02 * negative.length)] : 0);
  const hi = maxOf([1e-3, ...logs]);
  const lines: { param: number; line: string; h: number }[] = [];
  let clippedLines = false;
  for (const param of sortedUnique(rows.map((s) => s.param))) {
    const s = rows.find((r) => r.param === param);
    if (!s) continue;
    if (s.certifiedStep > hMax || (s.exactThreshold !== null && s.exactThreshold > hMax)) clippedLines = true;
    if (s.certifiedStep > 0)
      lines.push({ param, line: 'certified step', h: Math.min(hMax, s.certifiedStep) });
    if (s.exactThreshold !== null && Number.isFinite(s.exactThreshold))
      lines.push({ param, line: 'exact stability threshold', h: Math.min(hMax, s.exactThreshold) });
  }
  const monotone = sortedUnique(
    rows.filter((s) => s.gammaEuclidean !== null && s.gammaEuclidean >= 0).map((s) => s.param),
  );
  const shade = monotone.length
    ? [{ l0: monotone[0], l1: monotone[monotone.length - 1], region: 'Euclidean-monotone (γ ≥ 0)' }]
    : [];
  const label = integratorLabel(integrator);
  const lineLegend = {
    domain: ['certified step', 'exact stability threshold'],
  };
  return {
    name: `rho-${integrator}`,
    title: `Spectral radius: ${label}`,
    caption:
      `log10 ρ(T) of the ${label} step matrix T = P(−hH) on ${labels.subject}, exact from the eigenvalues of H ` +
      '(one tile per (parameter, h) stored): blue contracts (ρ < 1), red grows (ρ > 1), white is ρ = 1. ' +
      `Lines: the certified step and the exact stability threshold; shaded: the ${sym} range where the Euclidean test ` +
      '(λ_min(sym H) ≥ 0) holds, as the paper marks it.' +
      (shade.length ? '' : ' No stored value is Euclidean-monotone.'),
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: HEIGHT,
      title: {
        text: `${labels.subject}: log10 ρ(T), ${label}`,
        subtitle: [
          `spectral radius of the step matrix over (${sym}, h)`,
          ...(logs.some((x) => x < lo)
            ? [`colour clamped: log10 ρ below ${String(Number(lo.toPrecision(3)))} drawn as that value`]
            : []),
          ...(clippedLines
            ? [`a step line above h = ${String(Number(hMax.toPrecision(3)))} is drawn at the top`]
            : []),
        ],
      },
      layer: [
        {
          data: { values: tiles },
          mark: { type: 'rect', tooltip: true },
          encoding: {
            x: { field: 'l0', type: 'quantitative', title, scale: { domain, nice: false, zero: false } },
            x2: { field: 'l1' },
            y: {
              field: 'h0',
              type: 'quantitative',
              title: 'step size h',
              scale: { domain: [0, hMax], nice: false },
            },
            y2: { field: 'h1' },
            color: {
              field: 'log10rho',
              type: 'quantitative',
              title: 'log10 ρ',
              scale: { scheme: 'redblue', reverse: true, domain: [lo, hi], domainMid: 0, clamp: true },
            },
          },
        },
        {
          data: { values: shade },
          mark: { type: 'rect', fillOpacity: 0.35, stroke: '#333', strokeWidth: 1.2, strokeDash: [4, 2] },
          encoding: {
            x: { field: 'l0', type: 'quantitative' },
            x2: { field: 'l1' },
            fill: {
              field: 'region',
              type: 'nominal',
              title: null,
              scale: { range: ['#bdbdbd'] },
              legend: { orient: 'bottom', direction: 'horizontal' },
            },
          },
        },
        {
          data: { values: lines },
          mark: { type: 'line', strokeWidth: 2.4, clip: true },
          encoding: {
            x: { field: 'param', type: 'quantitative' },
            y: { field: 'h', type: 'quantitative' },
            stroke: {
              field: 'line',
              type: 'nominal',
              title: null,
              scale: { ...lineLegend, range: ['#ff7f0e', '#111111'] },
              legend: { orient: 'bottom', direction: 'horizontal' },
            },
            strokeDash: {
              field: 'line',
              type: 'nominal',
              title: null,
              scale: {
                ...lineLegend,
                range: [
                  [6, 3],
                  [1, 0],
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
