/**
 * The band figure of a drawn slice: the band map (alpha_* over the game parameter and the ratio),
 * or, when the slice holds one game parameter value (`--slice lambda=0.7` on the map's own axis),
 * that column as a curve against the ratio with its band, which a one-column heatmap hides.
 */
import type { BandCell, BandEdge } from './data.js';
import { bandMapFigure, paramText, type Figure, type FigureLabels } from './figures.js';
import { bandLineFigure } from './one-d-figures.js';
import { storedBandEdges } from './band-edges.js';

export function bandFigure(
  band: readonly BandCell[],
  edges: readonly BandEdge[],
  labels: FigureLabels,
): Figure {
  const values = new Set(band.map((b) => b.param));
  if (values.size !== 1) return bandMapFigure(band, edges, labels);
  const [value] = values;
  const edge = edges.find((e) => e.param === value);
  const held = `${paramText(labels.param).sym} = ${value}`;
  return bandLineFigure(
    {
      points: band.filter((b) => b.alpha !== null).map((b) => ({ ratio: b.ratio, alpha: b.alpha })),
      edges: edge ? storedBandEdges(edge.rMinus, edge.rPlus) : null,
    },
    // A value held by --slice is in the subject already; one left by --where is not.
    labels.subject.includes(`${labels.param}=`) ? labels.subject : `${labels.subject} (${held})`,
  );
}
