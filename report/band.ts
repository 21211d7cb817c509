/**
 * The band map of one stored sweep as a picture (SVG, PNG) or a small self-contained HTML page
 * (the picture and the table of band edges): `sgn sweep band <id> --out map.svg|png|html`.
 */
import type { PrismaClient } from '../db/client.js';
import { InputError } from '../sgn/util/errors.js';
import { loadBandMap, type BandEdge } from './data.js';
import { drawnBandCells, renderFigure, type RenderedFigure } from './figures.js';
import { bandFigure } from './band-figure.js';
import { esc, figureHtml, htmlPage, htmlTable, sig } from './html.js';
import { upperEdgeText } from './band-edges.js';
import { firstSlice } from './slices.js';
import { aggregateBand, aggregateEdges, pooledBandTable } from './aggregate.js';
import { inView, valueLabel, type View, type ViewOptions } from './view.js';

export type PictureFormat = 'svg' | 'png' | 'html';

export interface BandPicture {
  readonly figure: RenderedFigure;
  /** Heatmap cells drawn (stored cells with a finite alpha_* in the drawn slice). */
  readonly cells: number;
  readonly edges: readonly BandEdge[];
  readonly note: string | null;
  readonly title: string;
  readonly param: string;
}

export function edgesTable(edges: readonly BandEdge[], param: string): string {
  return htmlTable(
    [param, 'r−', 'r+', 'optimal ratio r*', 'α_max', 'certified fraction'],
    edges.map((e) => [
      sig(e.param),
      sig(e.rMinus),
      upperEdgeText(e.rMinus, e.rPlus),
      sig(e.optimalRatio),
      sig(e.alphaMax),
      sig(e.certifiedFraction),
    ]),
  );
}

/** The stored band map in the view (--x, --slice, --aggregate), of the cells `where` keeps; an InputError names the sweep when there is none. */
async function viewedBand(
  prisma: PrismaClient,
  id: string,
  viewOptions: ViewOptions,
  where: readonly string[] = [],
) {
  const data = await loadBandMap(prisma, id, viewOptions, where, { picture: true });
  if (data.band.length === 0 || data.param === null)
    throw new InputError(
      'sweep band',
      `sweep "${id}" has no band map (it needs a ratio axis, and a game whose certify cells are all stored)`,
    );
  if (data.view.aggregate.includes('ratio'))
    throw new InputError('--aggregate', "ratio is the band map's vertical axis: aggregate another axis");
  return { ...data, param: data.param };
}

/** What a picture's title says about the view: held values, the slice drawn, what is pooled. */
function viewSubject(subject: string, slice: string, view: View): string {
  // Held axes other than x are in the slice label already.
  const held = [...view.fixed]
    .filter(([n]) => n === view.x)
    .map(([n, v]) => `${n}=${valueLabel(view, n, v)}`);
  const parts = [...held, ...(slice ? [slice] : [])];
  const pooled = view.aggregate.length ? `, median over ${view.aggregate.join(', ')}` : '';
  return `${subject}${pooled}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** Renders the stored band map; an InputError names the sweep when there is none. */
export async function bandPicture(
  prisma: PrismaClient,
  id: string,
  viewOptions: ViewOptions = {},
  where: readonly string[] = [],
): Promise<BandPicture> {
  const data = await viewedBand(prisma, id, viewOptions, where);
  const view = data.view;
  const pooled = view.aggregate.length > 0;
  const band = firstSlice(pooled ? aggregateBand(data.band, view) : data.band, 'band map', view);
  const edges = (pooled ? aggregateEdges(data.edges, view) : data.edges).filter(
    (e) => e.slice === band.slice && inView(view, e.at),
  );
  const subject = data.sweep.name ?? id;
  const figure = await renderFigure(
    bandFigure(band.rows, edges, { subject: viewSubject(subject, band.slice, view), param: data.param }),
  );
  return {
    figure,
    cells: drawnBandCells(band.rows).length,
    edges,
    note:
      [band.note, data.drawn ? `drawn from ${data.drawn}` : null].filter((n) => n !== null).join('; ') ||
      null,
    title: subject,
    param: data.param,
  };
}

/** The picture as the bytes of a file in `format`. */
export function bandPictureFile(p: BandPicture, format: PictureFormat, id: string): string | Buffer {
  if (format === 'svg') return p.figure.svg;
  if (format === 'png') return p.figure.png;
  return htmlPage(
    `Band map: ${p.title}`,
    `<h1>Band map: ${esc(p.title)}</h1>
<p class="meta">Sweep <code>${esc(id)}</code>, generated ${esc(new Date().toISOString())} by <code>sgn sweep band</code>.</p>
${p.note ? `<p class="notice">${esc(p.note)}</p>\n` : ''}${figureHtml(p.figure)}
<h2>Band edges</h2>
${edgesTable(p.edges, p.param)}`,
  );
}

/**
 * `sweep band --out x.csv|json` with --slice or --aggregate: the band map in the view, one row
 * per (group, ratio) (a group is one game when nothing is aggregated).
 */
export async function bandTable(
  prisma: PrismaClient,
  id: string,
  viewOptions: ViewOptions,
  where: readonly string[] = [],
): Promise<{ header: string[]; rows: (number | null)[][] }> {
  const data = await viewedBand(prisma, id, viewOptions, where);
  const view = data.view;
  return pooledBandTable(
    data.band.filter((b) => inView(view, b.at)),
    data.edges.filter((e) => inView(view, e.at)),
    view,
  );
}
