/** `sgn sweep compare A B`: per-cell differences B - A of two sweeps over the same axes (sweep/compare.ts). */
import { existsSync } from 'node:fs';
import { writeFileAtomically } from './atomic-file.js';
import { dirname, extname, resolve as resolvePath } from 'node:path';
import type { SgnConfig } from '../config/config.js';
import { openContext } from '../app/context.js';
import { InputError } from '../sgn/util/errors.js';
import { csvRow } from '../formats/csv.js';
import { axisValue, axisValueLabel, gameParamName, paramNumber } from '../sweep/axes.js';
import {
  axesDifference,
  cellDiffers,
  CellComparison,
  parseOutputs,
  type CellDiff,
  type ComparableOutput,
} from '../sweep/compare.js';
import { forEachCellPairPage } from '../sweep/queries.js';
import { drawnGrid, gridNote, onGrid } from '../sweep/drawn-grid.js';
import type { ResolvedSweep, SweepAxis } from '../sweep/resolved.js';
import type { PrismaClient } from '../db/client.js';
import { parse } from './args.js';
import { num, table } from './format.js';

type Out = (s: string) => void;

const TABLE_ROWS = 40;

async function storedSpec(prisma: PrismaClient, id: string): Promise<ResolvedSweep> {
  const row = await prisma.sweep.findUnique({ where: { id }, select: { spec: true } });
  if (!row) throw new InputError('sweep', `no sweep with id "${id}" (see: sgn sweep list)`);
  return row.spec as unknown as ResolvedSweep;
}

/** An axis' first value as its cells' params hold it (a file axis: the file's name). */
const axisFirst = (a: SweepAxis): number | string => (a.files ? a.files[0] : axisValue(a.axis, 0));

/** An axis value as tables print it: at the axis' precision (sweep/axes.ts axisValueLabel). */
function paramText(axes: readonly SweepAxis[], name: string, v: number | string | undefined): string {
  const axis = axes.find((x) => x.name === name)?.axis;
  return typeof v === 'number' && axis ? axisValueLabel(axis, v) : String(v);
}

function header(outputs: readonly ComparableOutput[], names: readonly string[]): string[] {
  return [...names, ...outputs.flatMap((o) => [`${o}A`, `${o}B`, `${o}Diff`])];
}

function cells(
  outputs: readonly ComparableOutput[],
  axes: readonly SweepAxis[],
  cell: CellDiff,
  text: boolean,
): (string | number | null)[] {
  const n = (x: number | null): string | number | null => (text ? num(x) : x);
  return [
    ...axes.map(({ name: p }) => (text ? paramText(axes, p, cell.params[p]) : (cell.params[p] ?? null))),
    ...outputs.flatMap((o) => [n(cell.values[o].a), n(cell.values[o].b), n(cell.values[o].diff)]),
  ];
}

export async function compareCommand(argv: string[], out: Out, config: SgnConfig): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      output: { type: 'string', multiple: true },
      format: { type: 'string', default: 'table' },
      out: { type: 'string' },
    },
    'sweep compare',
  );
  if (positionals.length !== 2) throw new InputError('sweep compare', 'expects two sweep ids: A B');
  const [idA, idB] = positionals;
  const outputs = parseOutputs(values.output);
  const format = values.format;
  if (format !== 'table' && format !== 'csv')
    throw new InputError('--format', `must be table or csv, got "${format}"`);
  const file = values.out;
  const picture = file === undefined ? undefined : extname(file).toLowerCase();
  if (file !== undefined && picture !== '.svg' && picture !== '.png')
    throw new InputError('--out', `must end in .svg or .png, got "${file}"`);
  if (file !== undefined && !existsSync(dirname(resolvePath(file))))
    throw new InputError('--out', `folder "${dirname(file)}" does not exist`);

  const ctx = await openContext({ config, log: (line) => process.stderr.write(`${line}\n`) });
  try {
    const a = await storedSpec(ctx.prisma, idA);
    const b = await storedSpec(ctx.prisma, idB);
    const why = axesDifference(a.axes, b.axes);
    if (why)
      throw new InputError('sweep compare', `sweeps ${idA} and ${idB} do not share their axes: ${why}`);
    const axes = a.axes;
    const param = gameParamName(a);
    const ratioAxis = axes.find((x) => x.target === 'weights');
    if (file !== undefined && (param === null || ratioAxis === undefined))
      throw new InputError('--out', 'a difference map needs a swept game parameter and a ratio axis');
    const names = axes.map((x) => x.name);
    // The map: param x ratio, other game axes at their first value, at most a drawn grid of it.
    const mapGrid =
      file !== undefined && param !== null && ratioAxis !== undefined
        ? drawnGrid(
            axes,
            new Map(axes.filter((x) => x.target !== 'weights' && x.name !== param).map((x) => [x.name, 0])),
            { drawn: [param, ratioAxis.name], pooled: [] },
          )
        : null;
    const mapCells: { param: number; ratio: number; diff: number }[] = [];
    const output = outputs[0];

    // Streamed: differing rows go out as they are read (CSV), the table keeps its first rows.
    const c = new CellComparison(outputs);
    const shown: CellDiff[] = [];
    let differing = 0;
    if (format === 'csv') out(csvRow(header(outputs, names)));
    await forEachCellPairPage(ctx.prisma, idA, idB, (pairs) => {
      for (const pair of pairs) {
        const cell = c.add(pair.a, pair.b);
        if (!cell) continue;
        if (cellDiffers(cell)) {
          differing++;
          if (format === 'csv') out(csvRow(cells(outputs, axes, cell, false)));
          else if (shown.length < TABLE_ROWS) shown.push(cell);
        }
        if (mapGrid && param !== null && ratioAxis && onGrid(axes, mapGrid, cell.cellIndex))
          mapCells.push({
            param: paramNumber(a, param, cell.params[param]),
            ratio: Number(cell.params[ratioAxis.name]),
            diff: cell.values[output].diff ?? Number.NaN,
          });
      }
    });

    // With CSV on stdout, the summary goes to stderr.
    const say: Out = format === 'csv' ? (s) => process.stderr.write(`${s}\n`) : out;
    say(`compared ${c.compared} cells of ${idA} (A) and ${idB} (B): differences B - A`);
    if (c.onlyA + c.onlyB > 0)
      say(`note: ${c.onlyA} cells stored only in ${idA}, ${c.onlyB} only in ${idB} (not compared)`);
    for (const s of c.summaries()) {
      if (s.output === 'certified') {
        const [up, down] = [c.certifiedOnlyB, c.certifiedOnlyA];
        say(`certified: ${up + down} cells flip (${up} certified only in B, ${down} only in A)`);
      } else {
        const where = s.at
          ? ` at ${names.map((p) => `${p}=${paramText(axes, p, s.at?.[p])}`).join(', ')}`
          : '';
        say(`${s.output}: max |B - A| = ${num(s.maxAbs)}${where}; ${s.differing} cells differ`);
      }
    }
    if (format !== 'csv' && shown.length > 0) {
      out(
        table(
          header(outputs, names),
          shown.map((cell) => cells(outputs, axes, cell, true) as string[]),
        ),
      );
      if (differing > shown.length)
        out(`(${shown.length} of ${differing} differing cells; --format csv for all)`);
    }

    if (file !== undefined && mapGrid && param !== null) {
      const { differenceMapFigure } = await import('../report/compare-figure.js');
      const { renderFigure } = await import('../report/figures.js');
      const fig = await renderFigure(
        differenceMapFigure(mapCells, { subject: `${idB} − ${idA}`, param, output }),
      );
      writeFileAtomically(file, picture === '.svg' ? fig.svg : fig.png);
      const held = axes.filter((x) => x.target !== 'weights' && x.name !== param);
      const slice = held.length
        ? ` at ${held.map((o) => `${o.name}=${paramText(axes, o.name, axisFirst(o))}`).join(', ')}`
        : '';
      const thinned = gridNote(axes, mapGrid);
      say(
        `${file}: difference map of ${output}, ${mapCells.length} cells${slice}${thinned ? `; drawn: ${thinned}` : ''}`,
      );
    }
    return 0;
  } finally {
    await ctx.close();
  }
}
