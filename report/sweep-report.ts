/**
 * `sgn report <id> --out dir`: for any stored sweep, the figures its data supports (band map,
 * margins, Euler and RK4 phase diagrams), the CSV tables and report.html tying them together.
 * A sweep that has not finished is reported as far as it is stored, and the page says so.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PrismaClient } from '../db/client.js';
import { loadSweepData, type LoadOptions, type SweepData } from './data.js';
import {
  bandMapFigure,
  drawnBandCells,
  integratorLabel,
  marginsFigure,
  phaseFigure,
  renderFigure,
  type Figure,
  type FigureLabels,
  type RenderedFigure,
} from './figures.js';
import { writeFigures, writeTables } from './files.js';
import { definitionTable, esc, figureHtml, htmlPage, htmlTable, sig } from './html.js';
import { firstSlice } from './slices.js';

export interface SweepReport {
  readonly dir: string;
  /** Files written, report.html last. */
  readonly files: string[];
  /** Why a figure is missing, what a figure leaves out, whether the sweep is unfinished. */
  readonly notes: string[];
  /** The sweep had not finished: the report shows what was stored. */
  readonly partial: boolean;
  readonly data: SweepData;
}

const ROWS_SHOWN = 60;

/** The sweep is unfinished (running or paused), or ended without all its work stored. */
function progressNote(d: SweepData): string | null {
  const { status, doneCells, totalCells } = d.sweep;
  const stored = `${doneCells} of ${totalCells} work items (certify cells and step-size games) are stored`;
  if (status === 'running' || status === 'paused')
    return `sweep ${d.sweep.id} is still ${status}: ${stored}; this report shows what is stored so far`;
  if (doneCells < totalCells) return `sweep ${d.sweep.id} ended ${status}: ${stored}; this report shows them`;
  return null;
}

/** The figures the data supports, plus a note for each one it does not (and for left-out slices). */
function chooseFigures(d: SweepData, labels: FigureLabels | null): { figures: Figure[]; notes: string[] } {
  const figures: Figure[] = [];
  const notes: string[] = [];
  if (!labels) {
    notes.push('no figures: the sweep has no game axis to draw against (the CSV tables have the results)');
    return { figures, notes };
  }
  if (!d.hasRatioAxis) notes.push('no band map: the sweep has no ratio axis');
  else if (drawnBandCells(d.band).length === 0)
    notes.push('no band map: no certificate with a finite α* is stored');
  else {
    const band = firstSlice(d.band, 'band map');
    if (band.note) notes.push(band.note);
    if (d.bandSource === 'cells')
      notes.push('the band map is built from the stored cells (the sweep has not completed)');
    figures.push(
      bandMapFigure(
        band.rows,
        d.edges.filter((e) => e.slice === band.slice),
        band.slice ? { ...labels, subject: `${labels.subject} (${band.slice})` } : labels,
      ),
    );
  }
  if (d.margins.length === 0) {
    if (d.resolved.kind !== 'stepsize') notes.push('no margins plot: no certificate with margins is stored');
  } else {
    const m = firstSlice(d.margins, 'margins plot');
    if (m.note) notes.push(m.note);
    figures.push(
      marginsFigure(m.rows, m.slice ? { ...labels, subject: `${labels.subject} (${m.slice})` } : labels),
    );
  }
  const integrators = d.resolved.stepsize?.integrators ?? [];
  for (const integrator of integrators) {
    const steps = firstSlice(
      d.steps.filter((s) => s.integrator === integrator),
      `${integratorLabel(integrator)} phase diagram`,
    );
    if (steps.rows.length === 0) {
      notes.push(`no ${integratorLabel(integrator)} phase diagram: no step-size runs are stored yet`);
      continue;
    }
    if (steps.note) notes.push(steps.note);
    figures.push(
      phaseFigure(
        steps.rows,
        integrator,
        steps.slice ? { ...labels, subject: `${labels.subject} (${steps.slice})` } : labels,
      ),
    );
  }
  return { figures, notes };
}

/** One row per value of the swept parameter: band edges, margins and steps side by side. */
function parameterTable(d: SweepData): string {
  const p = d.param ?? 'param';
  const keyOf = (r: { slice: string; param: number }) => `${r.slice}|${r.param}`;
  const rows = new Map<string, Map<string, string>>();
  const put = (r: { slice: string; param: number }, col: string, v: string) => {
    let row = rows.get(keyOf(r));
    if (!row) {
      row = new Map([[p, sig(r.param)]]);
      if (r.slice) row.set('slice', r.slice);
      rows.set(keyOf(r), row);
    }
    row.set(col, v);
  };
  for (const e of d.edges) {
    put(e, 'r−', sig(e.rMinus));
    put(e, 'r+', sig(e.rPlus));
    put(e, 'r*', sig(e.optimalRatio));
    put(e, 'certified fraction', sig(e.certifiedFraction));
  }
  for (const m of d.margins) {
    put(m, 'γ (Euclidean)', sig(m.gammaEuclidean));
    put(m, 'α_max', sig(m.optimalAlpha));
    if (m.alphaTrue !== null) put(m, 'true margin at w*', sig(m.alphaTrue));
    else if (m.alphaTrueNearestCell !== null)
      put(m, 'true margin at the grid r nearest r*', sig(m.alphaTrueNearestCell));
  }
  for (const s of d.steps) {
    const label = integratorLabel(s.integrator);
    put(s, `${label} certified h`, sig(s.certifiedStep));
    put(s, `${label} exact h`, sig(s.exactThreshold));
  }
  if (rows.size === 0) return '';
  const columns = [...new Set([...rows.values()].flatMap((r) => [...r.keys()]))];
  const all = [...rows.values()];
  const shown = all.slice(0, ROWS_SHOWN);
  return `<h2>By ${esc(p)}</h2>
${htmlTable(
  columns,
  shown.map((r) => columns.map((c) => r.get(c) ?? '–')),
  all.length > shown.length ? `first ${shown.length} of ${all.length} rows (all in the CSV files)` : '',
)}`;
}

function reportPage(
  d: SweepData,
  figures: readonly RenderedFigure[],
  notes: readonly string[],
  files: readonly string[],
  progress: string | null,
): string {
  const s = d.sweep;
  const title = s.name ?? s.id;
  const certified = d.cells.filter((c) => c.certified).length;
  const facts: [string, string][] = [
    ['sweep id', s.id],
    ['kind', s.kind],
    ['status', s.status],
    ['progress', `${s.doneCells} / ${s.totalCells} done, ${s.failedCells} failed`],
  ];
  if (d.cells.length) facts.push(['certified cells', `${certified} of ${d.cells.length} stored`]);
  if (d.param) facts.push(['swept game parameter', d.param]);
  const data = files.filter((f) => f.endsWith('.csv'));
  return htmlPage(
    `SGN sweep report: ${title}`,
    `<h1>SGN sweep report: ${esc(title)}</h1>
<p class="meta">Generated ${esc(new Date().toISOString())} by <code>sgn report ${esc(s.id)}</code>.</p>
${progress ? `<p class="notice">${esc(progress)}.</p>\n` : ''}${definitionTable(facts)}
${notes.length ? `<ul class="notes">\n${notes.map((n) => `<li>${esc(n)}</li>`).join('\n')}\n</ul>\n` : ''}${parameterTable(d)}
${figures.map((f) => figureHtml(f, { links: [`${f.name}.png`, `${f.name}.svg`] })).join('\n')}
<h2>Data</h2>
<ul>
${data.map((f) => `<li><a href="${esc(f)}">${esc(f)}</a></li>`).join('\n')}
</ul>`,
  );
}

export async function writeSweepReport(
  prisma: PrismaClient,
  id: string,
  dir: string,
  opts: LoadOptions = {},
): Promise<SweepReport> {
  const data = await loadSweepData(prisma, id, opts);
  const labels = data.param ? { subject: data.sweep.name ?? id, param: data.param } : null;
  const { figures: specs, notes } = chooseFigures(data, labels);
  const progress = progressNote(data);
  const figures: RenderedFigure[] = [];
  for (const f of specs) figures.push(await renderFigure(f));
  mkdirSync(dir, { recursive: true });
  const files = [...writeFigures(dir, figures), ...writeTables(dir, data)];
  writeFileSync(join(dir, 'report.html'), reportPage(data, figures, notes, files, progress));
  files.push('report.html');
  return { dir, files, notes: progress ? [progress, ...notes] : notes, partial: progress !== null, data };
}
