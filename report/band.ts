/**
 * The band map of one stored sweep as a picture (SVG, PNG) or a small self-contained HTML page
 * (the picture and the table of band edges): `sgn sweep band <id> --out map.svg|png|html`.
 */
import type { PrismaClient } from '../db/client.js';
import { InputError } from '../sgn/util/errors.js';
import { loadBandMap, type BandEdge } from './data.js';
import { bandMapFigure, drawnBandCells, renderFigure, type RenderedFigure } from './figures.js';
import { esc, figureHtml, htmlPage, htmlTable, sig } from './html.js';
import { firstSlice } from './slices.js';

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
      sig(e.rPlus),
      sig(e.optimalRatio),
      sig(e.alphaMax),
      sig(e.certifiedFraction),
    ]),
  );
}

/** Renders the stored band map; an InputError names the sweep when there is none. */
export async function bandPicture(
  prisma: PrismaClient,
  id: string,
  where: readonly string[] = [],
): Promise<BandPicture> {
  const data = await loadBandMap(prisma, id, where);
  if (data.band.length === 0 || data.param === null)
    throw new InputError(
      'sweep band',
      `sweep "${id}" has no band map (it needs a ratio axis, and a game whose certify cells are all stored)`,
    );
  const band = firstSlice(data.band, 'band map');
  const edges = data.edges.filter((e) => e.slice === band.slice);
  const subject = data.sweep.name ?? id;
  const figure = await renderFigure(
    bandMapFigure(band.rows, edges, {
      subject: band.slice ? `${subject} (${band.slice})` : subject,
      param: data.param,
    }),
  );
  return {
    figure,
    cells: drawnBandCells(band.rows).length,
    edges,
    note: band.note,
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
