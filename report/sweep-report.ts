/**
 * `sgn report <id> --out dir`: for any stored sweep, the figures its data supports (band map,
 * margins, Euler and RK4 phase diagrams: converged fractions and, for linear games, log rho), the CSV tables and report.html tying them together.
 * A sweep that has not finished is reported as far as it is stored, and the page says so.
 */
import { paramNumber } from '../sweep/axes.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PrismaClient } from '../db/client.js';
import { traceFigure } from './trace-figure.js';
import { loadSweepData, type LoadOptions, type SweepData } from './data.js';
import {
  drawnBandCells,
  integratorLabel,
  marginsFigure,
  phaseFigure,
  renderFigure,
  rhoPhaseFigure,
  type Figure,
  type FigureLabels,
  type RenderedFigure,
} from './figures.js';
import { writeFigures, writeTables } from './files.js';
import { definitionTable, esc, figureHtml, htmlPage, htmlTable, sig } from './html.js';
import { upperEdgeText } from './band-edges.js';
import { firstSlice } from './slices.js';
import {
  aggregateBand,
  aggregateCells,
  aggregateEdges,
  aggregateMargins,
  aggregateSteps,
  type CellGroup,
} from './aggregate.js';
import {
  certificationRatesFigure,
  marginRatiosFigure,
  pooledMarginsFigure,
  stepRatiosFigure,
  type EnsembleLabels,
} from './ensemble-figures.js';
import { inView, sliceLabel, viewCaption, valueLabel, type View } from './view.js';
import { cellGroupTable } from './group-table.js';
import { bandLineFigure, bandLineOfCells, stabilityLineFigure } from './one-d-figures.js';
import { bandFigure } from './band-figure.js';
import { conservatismFigure, conservatismPoints } from './conservatism-figure.js';

export interface SweepReport {
  readonly dir: string;
  /** Files written, report.html last. */
  readonly files: string[];
  /** Why a figure is missing, what a figure leaves out, whether the sweep is unfinished. */
  readonly notes: string[];
  /** The sweep had not finished: the report shows what was stored. */
  readonly partial: boolean;
  readonly data: SweepData;
  /** The cells pooled over --aggregate (empty without it). */
  readonly groups: CellGroup[];
}

const ROWS_SHOWN = 60;

/** The sweep is unfinished (running or paused), or ended without all its work stored. */
export function progressNote(d: SweepData): string | null {
  const { status, doneCells, totalCells } = d.sweep;
  const stored = `${doneCells} of ${totalCells} work items (certify cells and step-size games) are stored`;
  if (status === 'running' || status === 'paused')
    return `sweep ${d.sweep.id} is still ${status}: ${stored}; this report shows what is stored so far`;
  if (doneCells < totalCells) return `sweep ${d.sweep.id} ended ${status}: ${stored}; this report shows them`;
  return null;
}

/** The subject of a figure, with the slice it draws and what it holds and pools. */
function subjectOf(labels: FigureLabels, slice: string, view: View): FigureLabels {
  // Held axes other than x are in the slice label already.
  const held = [...view.fixed]
    .filter(([n]) => n === view.x)
    .map(([n, v]) => `${n}=${valueLabel(view, n, v)}`);
  const parts = [...held, ...(slice ? [slice] : [])];
  return parts.length ? { ...labels, subject: `${labels.subject} (${parts.join(', ')})` } : labels;
}

/** A sweep over one game (no axis to draw against): the band against r, the converged fraction against the step. */
function oneGameFigures(d: SweepData): { figures: Figure[]; notes: string[] } {
  const figures: Figure[] = [];
  const subject = d.sweep.name ?? d.sweep.id;
  if (d.hasRatioAxis && d.cells.some((c) => c.alpha !== null))
    figures.push(bandLineFigure(bandLineOfCells(d.cells), subject));
  if (d.steps.some((s) => s.convergedFraction !== null))
    figures.push(stabilityLineFigure(d.steps, subject, d.resolved.stepsize?.base ?? 'certified'));
  if (d.traces.length) figures.push(traceFigure(d.traces, subject, null));
  const notes = figures.length
    ? []
    : [
        'no figures: the sweep is over one game and has no ratio axis or step-size runs (the CSV tables have the results)',
      ];
  return { figures, notes };
}

/** The figures the data supports, plus a note for each one it does not (and for left-out slices). */
function chooseFigures(
  d: SweepData,
  labels: FigureLabels | null,
  groups: readonly CellGroup[],
): { figures: Figure[]; notes: string[] } {
  const figures: Figure[] = [];
  const notes: string[] = [];
  const view = d.view;
  const pooled = view.aggregate.length > 0;
  // No axis left to draw against: a sweep over one game draws its 1-D figures; a pooled view
  // has only its table (the one-game figures would mix the pooled games).
  if (!labels)
    return pooled
      ? {
          figures: [],
          notes: [
            `no figures: pooled over ${view.aggregate.join(', ')}, no game axis is left to draw against (the aggregate table has the results)`,
          ],
        }
      : oneGameFigures(d);
  const pooledText = `over ${view.aggregate.join(', ')}`;
  const ensemble = (l: FigureLabels): EnsembleLabels => ({ ...l, pooled: pooledText });
  if (!d.hasRatioAxis) notes.push('no band map: the sweep has no ratio axis');
  else if (drawnBandCells(d.band).length === 0)
    notes.push('no band map: no certificate with a finite α* is stored');
  else if (view.aggregate.includes('ratio'))
    notes.push('no band map: it is drawn over the ratio, which is aggregated');
  else {
    const cells = pooled ? aggregateBand(d.band, view) : d.band;
    const edges = pooled ? aggregateEdges(d.edges, view) : d.edges;
    const band = firstSlice(cells, 'band map', view);
    if (band.note) notes.push(band.note);
    if (d.bandSource === 'cells')
      notes.push('the band map is built from the stored cells (the sweep has not completed)');
    if (pooled) notes.push(`the band map shows the median α* and median band edges ${pooledText}`);
    figures.push(
      bandFigure(
        band.rows,
        edges.filter((e) => e.slice === band.slice && inView(view, e.at)),
        subjectOf(
          pooled ? { ...labels, subject: `${labels.subject}, median ${pooledText}` } : labels,
          band.slice,
          view,
        ),
      ),
    );
  }
  if (d.margins.length === 0) {
    if (d.resolved.kind !== 'stepsize') notes.push('no margins plot: no certificate with margins is stored');
  } else if (pooled) {
    const m = firstSlice(aggregateMargins(d.margins, view), 'margins plot', view);
    if (m.note) notes.push(m.note);
    figures.push(pooledMarginsFigure(m.rows, ensemble(subjectOf(labels, m.slice, view))));
  } else {
    const m = firstSlice(d.margins, 'margins plot', view);
    if (m.note) notes.push(m.note);
    figures.push(marginsFigure(m.rows, subjectOf(labels, m.slice, view)));
  }
  const integrators = d.resolved.stepsize?.integrators ?? [];
  for (const integrator of integrators) {
    // Linear games store rho of the step matrix: the paper's log-rho phase diagram (one slice:
    // rho is a function of the game, nothing to pool).
    const rho = firstSlice(
      d.steps.filter((s) => s.integrator === integrator && s.spectralRadius !== null),
      `${integratorLabel(integrator)} spectral-radius map`,
      view,
    );
    if (rho.rows.length > 0) {
      if (rho.note) notes.push(rho.note);
      figures.push(rhoPhaseFigure(rho.rows, integrator, subjectOf(labels, rho.slice, view)));
    }
    const ran = d.steps.filter((s) => s.integrator === integrator && s.convergedFraction !== null);
    if (ran.length === 0 && rho.rows.length > 0) continue; // seeds: 0, the spectrum only
    const steps = firstSlice(
      pooled ? aggregateSteps(ran, view) : ran,
      `${integratorLabel(integrator)} phase diagram`,
      view,
    );
    if (steps.rows.length === 0) {
      notes.push(`no ${integratorLabel(integrator)} phase diagram: no step-size runs are stored yet`);
      continue;
    }
    if (steps.note) notes.push(steps.note);
    if (pooled)
      notes.push(
        `the ${integratorLabel(integrator)} phase diagram shows median steps and the fraction of all runs converged ${pooledText}`,
      );
    const subject = pooled ? { ...labels, subject: `${labels.subject}, median ${pooledText}` } : labels;
    figures.push(
      phaseFigure(steps.rows, integrator, subjectOf(subject, steps.slice, view), {
        linearSteps: d.resolved.stepsize?.base === 'absolute',
      }),
    );
  }
  if (d.traces.length) figures.push(traceFigure(d.traces, labels.subject, d.param));
  if (pooled && d.param !== null && groups.length > 0) {
    const x = d.param;
    const placed = groups.map((g) => ({ g, at: g.params, slice: sliceLabel(view, g.params) }));
    const e = firstSlice(placed, 'ensemble figures', view);
    if (e.note) notes.push(e.note);
    const shown = e.rows.map((r) => r.g);
    const l = ensemble(subjectOf(labels, e.slice, view));
    figures.push(certificationRatesFigure(shown, x, l));
    if (shown.some((g) => g.values.marginRatio.length > 0)) figures.push(marginRatiosFigure(shown, x, l));
    else
      notes.push('no margin-ratio figure: no stored cell has a positive true margin (certify.groundTruth)');
    // The paper's noise figure: mean alpha_true / mean alpha against x.
    if (conservatismPoints(shown, x).length > 0) figures.push(conservatismFigure(shown, x, l));
    for (const integrator of ['rk4', 'euler'] as const) {
      const out = integrator === 'rk4' ? 'log10StepRatioRk4' : 'log10StepRatioEuler';
      if (shown.some((g) => g.values[out].length > 0))
        figures.push(stepRatiosFigure(shown, x, l, integrator));
    }
  }
  return { figures, notes };
}

/** One row per value of the swept parameter: band edges, margins and steps side by side. */
function parameterTable(d: SweepData): string {
  const p = d.param ?? 'param';
  const files = d.resolved.axes.find((a) => a.name === d.param)?.files;
  const keyOf = (r: { slice: string; param: number }) => `${r.slice}|${r.param}`;
  const rows = new Map<string, Map<string, string>>();
  const put = (r: { slice: string; param: number }, col: string, v: string) => {
    let row = rows.get(keyOf(r));
    if (!row) {
      row = new Map([[p, sig(r.param)]]);
      // The file axis: its position, and the file it stands for.
      if (files) row.set('file name', files[r.param] ?? '');
      if (r.slice) row.set('slice', r.slice);
      rows.set(keyOf(r), row);
    }
    row.set(col, v);
  };
  for (const e of d.edges) {
    put(e, 'r−', sig(e.rMinus));
    put(e, 'r+', upperEdgeText(e.rMinus, e.rPlus));
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
  groups: readonly CellGroup[],
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
  if (d.param) facts.push(['x axis', d.param]);
  const shown = viewCaption(d.view);
  if (shown) facts.push(['view', shown]);
  const data = files.filter((f) => f.endsWith('.csv'));
  return htmlPage(
    `SGN sweep report: ${title}`,
    `<h1>SGN sweep report: ${esc(title)}</h1>
<p class="meta">Generated ${esc(new Date().toISOString())} by <code>sgn report ${esc(s.id)}</code>.</p>
${progress ? `<p class="notice">${esc(progress)}.</p>\n` : ''}${definitionTable(facts)}
${notes.length ? `<ul class="notes">\n${notes.map((n) => `<li>${esc(n)}</li>`).join('\n')}\n</ul>\n` : ''}${groups.length ? cellGroupTable(groups, d.view, ROWS_SHOWN) : parameterTable(d)}
${figures.map((f) => figureHtml(f, { links: [`${f.name}.png`, `${f.name}.svg`] })).join('\n')}
<h2>Data</h2>
<ul>
${data.map((f) => `<li><a href="${esc(f)}">${esc(f)}</a></li>`).join('\n')}
</ul>`,
  );
}

/** A loaded sweep's figures (Vega-Lite specs, not rendered), the groups --aggregate pools, and notes. */
export function sweepFigures(data: SweepData): { figures: Figure[]; notes: string[]; groups: CellGroup[] } {
  const labels = data.param ? { subject: data.sweep.name ?? data.sweep.id, param: data.param } : null;
  const groups = data.view.aggregate.length
    ? aggregateCells(
        data.cells,
        data.view.aggregate,
        (name, v) => paramNumber(data.view, name, v),
        data.view.axes.map((a) => a.name),
      )
    : [];
  const { figures, notes } = chooseFigures(data, labels, groups);
  return { figures, notes: data.drawn ? [drawnNote(data), ...notes] : notes, groups };
}

/** What a large sweep's figures and tables hold (loadSweepData read a sub-grid of its cells). */
function drawnNote(data: SweepData): string {
  const edges = data.bandSource === 'band-maps' ? "; the band edges are every game's" : '';
  return (
    `a large sweep: figures and tables read ${String(data.drawn)}${edges}; ` +
    `every cell: sgn sweep results ${data.sweep.id} --format csv (or parquet) --out FILE`
  );
}

export async function writeSweepReport(
  prisma: PrismaClient,
  id: string,
  dir: string,
  opts: LoadOptions = {},
): Promise<SweepReport> {
  const data = await loadSweepData(prisma, id, opts);
  const { figures: specs, notes, groups } = sweepFigures(data);
  const progress = progressNote(data);
  const figures: RenderedFigure[] = [];
  for (const f of specs) figures.push(await renderFigure(f));
  mkdirSync(dir, { recursive: true });
  const files = [...writeFigures(dir, figures), ...writeTables(dir, data, groups)];
  writeFileSync(join(dir, 'report.html'), reportPage(data, groups, figures, notes, files, progress));
  files.push('report.html');
  return {
    dir,
    files,
    notes: progress ? [progress, ...notes] : notes,
    partial: progress !== null,
    data,
    groups,
  };
}
