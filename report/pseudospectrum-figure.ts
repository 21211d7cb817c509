/**
 * The pseudospectrum figure, as the paper's Figure 2 (experiments/quadratic_pseudospectrum.py):
 * two panels, log10 ||(zI - J)^{-1}||_2 over the window in the Euclidean geometry and in M(w),
 * one colour scale (viridis) for both, the eigenvalues as red crosses. A heatmap of grid cells
 * instead of the paper's filled contours, with the level lines of the experiment's levels drawn
 * over it (contours.ts); the levels' fractions are in the subtitle.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Pseudospectrum, ResolventGrid } from '../sgn/experiments/pseudospectrum.js';
import type { Figure } from './figures.js';
import { contourSegments } from './contours.js';

const PANEL_WIDTH = 340;
const SUBJECT_MAX = 110;

interface Cell {
  readonly re0: number;
  readonly re1: number;
  readonly im0: number;
  readonly im1: number;
  readonly value: number;
}

/**
 * One rectangle per grid point, centred on it (half a step either side, clipped to the window),
 * reaching a fifth of a step into its upper and right neighbours: anti-aliased edges of cells
 * that only touch leave hairline seams in the picture.
 */
function cells(g: ResolventGrid): Cell[] {
  const half = (xs: Float64Array, k: number): [number, number] => {
    const lo = k > 0 ? (xs[k - 1] + xs[k]) / 2 : xs[0];
    const hi = k < xs.length - 1 ? (xs[k] + xs[k + 1]) / 2 + (xs[k + 1] - xs[k]) / 5 : xs[xs.length - 1];
    return [lo, hi];
  };
  const out: Cell[] = [];
  for (let i = 0; i < g.im.length; i++) {
    const [im0, im1] = half(g.im, i);
    for (let j = 0; j < g.re.length; j++) {
      const [re0, re1] = half(g.re, j);
      // Rounded: the SVG's size is mostly these numbers.
      out.push({ re0, re1, im0, im1, value: Math.round(g.values[i * g.re.length + j] * 1e4) / 1e4 });
    }
  }
  return out;
}

const fmt = (x: number): string => Number(x.toPrecision(4)).toString();

export function pseudospectrumFigure(p: Pseudospectrum, subject: string): Figure {
  const { re, im } = p.window;
  const height = Math.round(Math.min(2, Math.max(0.3, (im[1] - im[0]) / (re[1] - re[0]))) * PANEL_WIDTH);
  let vmin = Infinity;
  let vmax = -Infinity;
  for (const g of [p.euclidean, p.metric])
    for (const v of g.values) [vmin, vmax] = [Math.min(vmin, v), Math.max(vmax, v)];
  const eig = Array.from(p.eigenvalues.re, (x, k) => ({ re: x, im: p.eigenvalues.im[k] }));
  const weights = p.weights.map(fmt).join(', ');
  const levelLines = (g: ResolventGrid) =>
    p.levels.flatMap((l) => contourSegments(g.re, g.im, g.values, l.level));
  const panel = (g: ResolventGrid, title: string) => ({
    width: PANEL_WIDTH,
    height,
    title,
    layer: [
      {
        data: { values: cells(g) },
        // No per-cell aria labels: they tripled the SVG.
        mark: { type: 'rect' as const, aria: false, clip: true },
        encoding: {
          x: {
            field: 're0',
            type: 'quantitative' as const,
            title: 'Re z',
            scale: { domain: [re[0], re[1]], nice: false, zero: false },
          },
          x2: { field: 're1' },
          y: {
            field: 'im0',
            type: 'quantitative' as const,
            title: 'Im z',
            scale: { domain: [im[0], im[1]], nice: false, zero: false },
          },
          y2: { field: 'im1' },
          color: {
            field: 'value',
            type: 'quantitative' as const,
            title: 'log10 ||R||₂',
            scale: { scheme: 'viridis', domain: [vmin, vmax] },
            legend: { orient: 'right' as const, gradientLength: height },
          },
        },
      },
      {
        data: { values: levelLines(g) },
        mark: { type: 'rule' as const, color: 'white', strokeWidth: 1, aria: false },
        encoding: {
          x: { field: 'x', type: 'quantitative' as const },
          y: { field: 'y', type: 'quantitative' as const },
          x2: { field: 'x2' },
          y2: { field: 'y2' },
        },
      },
      {
        data: { values: eig },
        mark: {
          type: 'point' as const,
          shape: 'cross',
          angle: 45,
          size: 90,
          color: 'red',
          strokeWidth: 2,
          filled: true,
        },
        encoding: {
          x: { field: 're', type: 'quantitative' as const },
          y: { field: 'im', type: 'quantitative' as const },
        },
      },
    ],
  });
  const fractions = p.levels
    .map((l) => `≥ ${fmt(l.level)}: ${l.euclidean.toFixed(3)} vs ${l.metric.toFixed(3)}`)
    .join('; ');
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Pseudospectra: log10 ||(zI − J)⁻¹||₂, Euclidean vs M(w)',
      subtitle: [
        subject.length > SUBJECT_MAX ? `${subject.slice(0, SUBJECT_MAX - 3)}...` : subject,
        `white lines: the levels; fraction of the ${p.resolution} x ${p.resolution} grid (Euclidean vs M(w)) with log10 ||R|| ${fractions}`,
      ],
    },
    hconcat: [
      panel(p.euclidean, '(a) Euclidean geometry'),
      panel(p.metric, `(b) M(w) geometry, w = (${weights})`),
    ],
    resolve: { scale: { color: 'shared' } },
  };
  return {
    name: 'pseudospectrum',
    title: 'Pseudospectra',
    caption:
      `log10 of the resolvent norm ||(zI − J)^{-1}||_2 of ${subject} over the complex plane, in the Euclidean norm (J = H) ` +
      `and in the M(w) norm (J = M^{1/2} H M^{-1/2}, w = (${weights})); white lines: the levels ${p.levels.map((l) => fmt(l.level)).join(', ')}; ` +
      'red crosses: the eigenvalues of H.',
    spec,
  };
}
