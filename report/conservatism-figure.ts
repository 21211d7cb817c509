/**
 * The paper's conservatism curve (LQ_GAMES/figures.py plot_noise_robustness): over pooled cells,
 * mean alpha_true / mean alpha_sgn against x (the paper: against the noise fraction eps, 12 trials
 * a point), 1 marked as the ideal. A Vega-Lite spec, rendered by figures.ts.
 */
import type { CellGroup } from './aggregate.js';
import type { EnsembleLabels } from './ensemble-figures.js';
import { HEIGHT, WIDTH, paramText, type Figure } from './figures.js';

/** One point per group whose mean alpha_sgn is positive (a ratio to a mean <= 0 says nothing). */
export function conservatismPoints(
  groups: readonly CellGroup[],
  x: string,
): { param: number; ratio: number; alphaTrue: number; alpha: number; n: number }[] {
  const points: { param: number; ratio: number; alphaTrue: number; alpha: number; n: number }[] = [];
  for (const g of groups) {
    const a = g.stats.alpha;
    const t = g.stats.alphaTrue;
    if (!a || !t || !(a.mean > 0)) continue;
    points.push({ param: g.params[x], ratio: t.mean / a.mean, alphaTrue: t.mean, alpha: a.mean, n: a.n });
  }
  return points.sort((p, q) => p.param - q.param);
}

export function conservatismFigure(groups: readonly CellGroup[], x: string, labels: EnsembleLabels): Figure {
  const { sym, title } = paramText(labels.param);
  const points = conservatismPoints(groups, x);
  return {
    name: 'conservatism',
    title: 'Conservatism ratio',
    caption:
      `Mean true margin over mean SGN margin, mean α_true / mean α, of ${labels.subject} (${labels.pooled}) against ${title}, ` +
      'the means over the pooled cells (groups whose mean α is positive); 1 (dashed) is a tight bound. The paper draws this ' +
      'against the noise fraction ε (lq_noise_robustness).',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: HEIGHT,
      title: {
        text: `${labels.subject}: conservatism α_true / α against ${sym}`,
        subtitle: `mean α_true / mean α ${labels.pooled}; dashed: the ideal ratio 1`,
      },
      layer: [
        {
          data: { values: [{ y: 1 }] },
          mark: { type: 'rule', color: '#888', strokeDash: [5, 3] },
          encoding: { y: { field: 'y', type: 'quantitative' } },
        },
        {
          data: { values: points },
          mark: {
            type: 'line',
            color: '#9467bd',
            strokeWidth: 2,
            point: { size: 40, filled: true, color: '#9467bd' },
            tooltip: true,
          },
          encoding: {
            x: { field: 'param', type: 'quantitative', title },
            y: {
              field: 'ratio',
              type: 'quantitative',
              title: 'mean α_true / mean α',
              scale: { zero: false },
            },
          },
        },
      ],
    },
  };
}
