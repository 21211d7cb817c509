/**
 * The difference map of `sgn sweep compare`: B - A of one output over the swept game parameter
 * and the weight ratio, a diverging colour centred on 0 (red: B below A, blue: B above).
 */
import { HEIGHT, paramRatioTiles, paramText, WIDTH, type Figure } from './figures.js';
import { maxOf } from '../sgn/util/extremes.js';

export interface DiffPoint {
  readonly param: number;
  readonly ratio: number;
  readonly diff: number;
}

export function differenceMapFigure(
  points: readonly DiffPoint[],
  labels: { subject: string; param: string; output: string },
): Figure {
  const { sym, title } = paramText(labels.param);
  const drawn = points.filter((p) => Number.isFinite(p.diff) && Number.isFinite(p.param) && p.ratio > 0);
  const { tiles: cells, domain, rDomain } = paramRatioTiles(drawn);
  // A symmetric colour domain, so that white is no difference (all equal: ±1 keeps it defined).
  const m = maxOf([0, ...drawn.map((p) => Math.abs(p.diff))]) || 1;
  return {
    name: 'difference-map',
    title: `Difference of ${labels.output}`,
    caption: `${labels.output}(B) − ${labels.output}(A) over ${title} and the weight ratio r = w2/w1 (blue: B larger, red: A larger).`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: HEIGHT,
      title: {
        text: `${labels.subject}: Δ${labels.output}(${sym}, r)`,
        subtitle: 'B − A; white: no difference',
      },
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
          field: 'r0',
          type: 'quantitative',
          title: 'weight ratio r = w2/w1',
          scale: { type: 'log', domain: rDomain, nice: false },
        },
        y2: { field: 'r1' },
        color: {
          field: 'diff',
          type: 'quantitative',
          title: `Δ${labels.output}`,
          scale: { scheme: 'redblue', domain: [-m, m], domainMid: 0 },
        },
      },
    },
  };
}
