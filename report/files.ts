/** A sweep's tables as CSV files, and rendered figures as SVG + PNG + Vega-Lite JSON files. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv } from '../formats/csv.js';
import { layoutOfRows, tidyColumns, tidyRow } from '../sweep/tidy.js';
import type { SweepData } from './data.js';
import type { RenderedFigure } from './figures.js';
import { cellGroupCells, cellGroupHeader, type CellGroup } from './aggregate.js';

/** The tables a report writes (a sweep's, or the demo's two sweeps merged). */
export type ReportTables = Pick<SweepData, 'param' | 'cells' | 'band' | 'edges' | 'margins' | 'steps'>;

export interface CsvTable {
  readonly file: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

/**
 * The non-empty tables. The parameter column is named after the swept parameter (e.g. lambda);
 * a `slice` column (the other game axes) appears only when the sweep has more than one.
 */
export function csvTables(data: ReportTables, groups: readonly CellGroup[] = []): CsvTable[] {
  const p = data.param ?? 'param';
  const sliced = [...data.band, ...data.margins, ...data.steps].some((r) => r.slice !== '');
  const lead = (r: { slice: string; param: number }): unknown[] => (sliced ? [r.slice, r.param] : [r.param]);
  const head = (...rest: string[]): string[] => (sliced ? ['slice', p, ...rest] : [p, ...rest]);
  const cellColumns = tidyColumns(layoutOfRows(data.cells));
  const tables: CsvTable[] = [
    {
      file: 'band-edges.csv',
      header: head('rMinus', 'rPlus', 'optimalRatio', 'alphaMax', 'certifiedFraction'),
      rows: data.edges.map((e) => [
        ...lead(e),
        e.rMinus,
        e.rPlus,
        e.optimalRatio,
        e.alphaMax,
        e.certifiedFraction,
      ]),
    },
    {
      file: 'band-map.csv',
      header: head('ratio', 'alpha', 'certified'),
      rows: data.band.map((b) => [...lead(b), b.ratio, b.alpha, b.certified]),
    },
    {
      file: 'margins.csv',
      header: head(
        'gammaEuclidean',
        'optimalAlpha',
        'alphaTrue',
        'optimalRatio',
        'alphaTrueNearestCell',
        'nearestCellRatio',
      ),
      rows: data.margins.map((m) => [
        ...lead(m),
        m.gammaEuclidean,
        m.optimalAlpha,
        m.alphaTrue,
        m.optimalRatio,
        m.alphaTrueNearestCell,
        m.nearestCellRatio,
      ]),
    },
    {
      file: 'stepsize.csv',
      header: head(
        'integrator',
        'multiplier',
        'step',
        'certifiedStep',
        'exactThreshold',
        'convergedFraction',
        'empiricalFactor',
        'predictedFactor',
        'spectralRadius',
        'gammaEuclidean',
      ),
      rows: data.steps.map((s) => [
        ...lead(s),
        s.integrator,
        s.multiplier,
        s.step,
        s.certifiedStep,
        s.exactThreshold,
        s.convergedFraction,
        s.empiricalFactor,
        s.predictedFactor,
        s.spectralRadius,
        s.gammaEuclidean,
      ]),
    },
    {
      // The cells pooled over --aggregate: one row per group.
      file: 'aggregate.csv',
      header: cellGroupHeader(Object.keys(groups[0]?.params ?? {})),
      rows: groups.map((g) => cellGroupCells(g, Object.keys(groups[0].params))),
    },
    {
      file: 'cells.csv',
      header: cellColumns.map((c) => c.name),
      rows: data.cells.map((r) => tidyRow(cellColumns, r)),
    },
  ];
  return tables.filter((t) => t.rows.length > 0);
}

/** Writes the non-empty CSV tables; returns their file names. */
export function writeTables(outDir: string, data: ReportTables, groups: readonly CellGroup[] = []): string[] {
  const tables = csvTables(data, groups);
  for (const t of tables) writeFileSync(join(outDir, t.file), toCsv(t.header, t.rows));
  return tables.map((t) => t.file);
}

/** Writes `<name>.svg`, `<name>.png` and `<name>.vl.json` per figure; returns the file names. */
export function writeFigures(outDir: string, figures: readonly RenderedFigure[]): string[] {
  const names: string[] = [];
  for (const f of figures) {
    writeFileSync(join(outDir, `${f.name}.svg`), f.svg);
    writeFileSync(join(outDir, `${f.name}.png`), f.png);
    writeFileSync(join(outDir, `${f.name}.vl.json`), JSON.stringify(f.spec));
    names.push(`${f.name}.svg`, `${f.name}.png`, `${f.name}.vl.json`);
  }
  return names;
}
