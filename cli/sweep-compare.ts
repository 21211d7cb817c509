/** `sgn sweep compare A B`: per-cell differences B - A of two sweeps over the same axes (sweep/compare.ts). */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, extname, resolve as resolvePath } from 'node:path';
import type { SgnConfig } from '../config/config.js';
import { openContext } from '../app/context.js';
import { InputError } from '../sgn/util/errors.js';
import { csvRow } from '../formats/csv.js';
import { axisValueLabel, gameParamName, paramNumber } from '../sweep/axes.js';
import {
  axesDifference,
  cellDiffers,
  compareCells,
  parseOutputs,
  summarise,
  type CellDiff,
  type Comparison,
} from '../sweep/compare.js';
import { forEachResultPage, type ResultRow } from '../sweep/queries.js';
import type { ResolvedSweep, SweepAxis } from '../sweep/resolved.js';
import type { PrismaClient } from '../db/client.js';
import { parse } from './args.js';
import { num, table } from './format.js';

type Out = (s: string) => void;

const TABLE_ROWS = 40;

async function storedSweep(
  prisma: PrismaClient,
  id: string,
): Promise<{ resolved: ResolvedSweep; rows: ResultRow[] }> {
  const row = await prisma.sweep.findUnique({ where: { id }, select: { spec: true } });
  if (!row) throw new InputError('sweep', `no sweep with id "${id}" (see: sgn sweep list)`);
  const rows: ResultRow[] = [];
  await forEachResultPage(prisma, id, [], (page) => {
    rows.push(...page);
  });
  return { resolved: row.spec as unknown as ResolvedSweep, rows };
}

/** An axis value as tables print it: at the axis' precision (sweep/axes.ts axisValueLabel). */
function paramText(axes: readonly SweepAxis[], name: string, v: number | string | undefined): string {
  const axis = axes.find((x) => x.name === name)?.axis;
  return typeof v === 'number' && axis ? axisValueLabel(axis, v) : String(v);
}

function header(c: Comparison, names: readonly string[]): string[] {
  return [...names, ...c.outputs.flatMap((o) => [`${o}A`, `${o}B`, `${o}Diff`])];
}

function cells(
  c: Comparison,
  axes: readonly SweepAxis[],
  cell: CellDiff,
  text: boolean,
): (string | number | null)[] {
  const n = (x: number | null): string | number | null => (text ? num(x) : x);
  return [
    ...axes.map(({ name: p }) => (text ? paramText(axes, p, cell.params[p]) : (cell.params[p] ?? null))),
    ...c.outputs.flatMap((o) => [n(cell.values[o].a), n(cell.values[o].b), n(cell.values[o].diff)]),
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
    const a = await storedSweep(ctx.prisma, idA);
    const b = await storedSweep(ctx.prisma, idB);
    const why = axesDifference(a.resolved.axes, b.resolved.axes);
    if (why)
      throw new InputError('sweep compare', `sweeps ${idA} and ${idB} do not share their axes: ${why}`);
    const axes = a.resolved.axes;
    const param = gameParamName(a.resolved);
    const ratioAxis = axes.find((x) => x.target === 'weights');
    if (file !== undefined && (param === null || ratioAxis === undefined))
      throw new InputError('--out', 'a difference map needs a swept game parameter and a ratio axis');
    const c = compareCells(axes, a.rows, b.rows, outputs);
    const names = axes.map((x) => x.name);
    const differing = c.cells.filter(cellDiffers);

    // With CSV on stdout, the summary goes to stderr.
    const say: Out = format === 'csv' ? (s) => process.stderr.write(`${s}\n`) : out;
    say(`compared ${c.cells.length} cells of ${idA} (A) and ${idB} (B): differences B - A`);
    if (c.onlyA + c.onlyB > 0)
      say(`note: ${c.onlyA} cells stored only in ${idA}, ${c.onlyB} only in ${idB} (not compared)`);
    for (const s of summarise(c)) {
      if (s.output === 'certified') {
        const up = c.cells.filter((x) => x.values.certified.diff === 1).length;
        const down = c.cells.filter((x) => x.values.certified.diff === -1).length;
        say(`certified: ${up + down} cells flip (${up} certified only in B, ${down} only in A)`);
      } else {
        const where = s.at
          ? ` at ${names.map((p) => `${p}=${paramText(axes, p, s.at?.[p])}`).join(', ')}`
          : '';
        say(`${s.output}: max |B - A| = ${num(s.maxAbs)}${where}; ${s.differing} cells differ`);
      }
    }
    if (format === 'csv') {
      out(csvRow(header(c, names)));
      for (const cell of differing) out(csvRow(cells(c, axes, cell, false)));
    } else if (differing.length > 0) {
      out(
        table(
          header(c, names),
          differing.slice(0, TABLE_ROWS).map((cell) => cells(c, axes, cell, true) as string[]),
        ),
      );
      if (differing.length > TABLE_ROWS)
        out(`(${TABLE_ROWS} of ${differing.length} differing cells; --format csv for all)`);
    }

    if (file !== undefined && param !== null && ratioAxis !== undefined) {
      const output = outputs[0];
      // Other game axes: the map shows the slice at their first value.
      const others = axes.filter((x) => x.target !== 'weights' && x.name !== param);
      const first = new Map(others.map((x) => [x.name, c.cells[0]?.params[x.name]]));
      const shown = c.cells.filter((x) => others.every((o) => x.params[o.name] === first.get(o.name)));
      const { differenceMapFigure } = await import('../report/compare-figure.js');
      const { renderFigure } = await import('../report/figures.js');
      const fig = await renderFigure(
        differenceMapFigure(
          shown.map((x) => ({
            param: paramNumber(a.resolved, param, x.params[param]),
            ratio: Number(x.params[ratioAxis.name]),
            diff: x.values[output].diff ?? Number.NaN,
          })),
          { subject: `${idB} − ${idA}`, param, output },
        ),
      );
      writeFileSync(file, picture === '.svg' ? fig.svg : fig.png);
      const slice = others.length
        ? ` at ${others.map((o) => `${o.name}=${String(first.get(o.name))}`).join(', ')}`
        : '';
      say(`${file}: difference map of ${output}, ${shown.length} cells${slice}`);
    }
    return 0;
  } finally {
    await ctx.close();
  }
}
