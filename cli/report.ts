/** `sgn report <id> --out <dir>`: figures, CSV tables and report.html for a stored sweep. */
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { InputError } from '../sgn/util/errors.js';
import { DEFAULT_CONFIG, type SgnConfig } from '../config/config.js';
import { openContext } from '../app/context.js';
import { writeSweepReport } from '../report/sweep-report.js';
import { checkWhereSyntax } from '../sweep/query.js';
import { noMatchHints } from '../sweep/queries.js';
import { parse } from './args.js';

export const reportUsage = `sgn report <id> --out <dir> [--where NAME<op>VALUE ...] [--x PARAM] [--slice PARAM=VALUE ...] [--aggregate PARAM ...]`;

/** `config`: the settings main() built (tests calling this directly get the defaults). */
export async function runReport(
  argv: string[],
  out: (s: string) => void,
  config: SgnConfig = DEFAULT_CONFIG,
): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      out: { type: 'string' },
      where: { type: 'string', multiple: true },
      x: { type: 'string' },
      slice: { type: 'string', multiple: true },
      aggregate: { type: 'string', multiple: true },
    },
    'report',
  );
  const conditions = values.where ?? [];
  checkWhereSyntax(conditions);
  if (positionals.length !== 1) throw new InputError('report', 'expects one sweep id');
  const id = positionals[0];
  if (!values.out) throw new InputError('--out', 'is required (the folder to write the report into)');
  const dir = resolve(values.out);
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new InputError('--out', `"${values.out}" exists and is not a folder`);
  // The database only: a report never needs Temporal.
  const ctx = await openContext({ config });
  try {
    const r = await writeSweepReport(ctx.prisma, id, dir, {
      where: conditions,
      view: { x: values.x, slice: values.slice, aggregate: values.aggregate },
    });
    if (r.data.cells.length === 0 && conditions.length > 0)
      for (const line of await noMatchHints(ctx.prisma, id, conditions)) process.stderr.write(`${line}\n`);
    const rel = relative(process.cwd(), dir);
    const where = rel === '' ? '.' : rel.startsWith('..') ? dir : rel;
    out(
      `${where}: ${r.files.length} files for sweep ${id}${r.partial ? ' (unfinished: what is stored so far)' : ''}`,
    );
    for (const f of r.files) out(`  ${f}`);
    for (const n of r.notes) out(`note: ${n}`);
    return 0;
  } finally {
    await ctx.close();
  }
}
