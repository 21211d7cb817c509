/** `sgn sweep <start|status|list|results|resume|pause|cancel|band> ...` */
import { axisValueLabel, gameParamName, paramNumber, type Axis } from '../sweep/axes.js';
import type { ResolvedSweep } from '../sweep/resolved.js';
import { existsSync } from 'node:fs';
import { jsonArrayLines, withLineFile, writeFileAtomically, writeJsonArray } from './atomic-file.js';
import { extname, resolve as resolvePath, dirname } from 'node:path';
import { InputError } from '../sgn/util/errors.js';
import { DEFAULT_CONFIG, type SgnConfig } from '../config/config.js';
import { resolveSpec } from '../sweep/resolve.js';
import { ID_PATTERN } from '../sweep/spec.js';
import {
  cancelSweep,
  pauseSweep,
  resumeSweep,
  retryFailedCells,
  startSweep,
  sweepStatus,
  waitForSweep,
  type SweepStatusReport,
} from '../app/sweeps.js';
import { openContext, type SweepContext } from '../app/context.js';
import { queueWorkers, workersLine, type QueueWorker } from '../app/pollers.js';
import {
  BAND_CSV_HEADER,
  forEachBandMapPage,
  countResults,
  failureKinds,
  failureListCommands,
  failureSummary,
  forEachResultPage,
  listSweeps,
  noMatchHints,
  resultRows,
  storedStatus,
  type BandMapRow,
  type ResultRow,
} from '../sweep/queries.js';
import { checkWhereSyntax } from '../sweep/query.js';
import { exportResults, exportRuns } from './results-export.js';
import {
  countRuns,
  forEachRunPage,
  noRunMatchHints,
  runQueryContext,
  runRows,
  runsFilter,
  type RunRow,
} from '../sweep/run-results.js';
// The picture formats only: the report's Vega stack is loaded when a picture is asked for.
import type { PictureFormat } from '../report/band.js';
import type { PrismaClient } from '../db/client.js';
import { numberFlag, parse } from './args.js';
import { readDataFile } from '../formats/data-file.js';
import { num, table } from './format.js';
import { csvRow, toCsv } from '../formats/csv.js';
import { progressPrinter } from './progress.js';
import { smallSpec } from '../sweep/small.js';
import { CellAggregator, cellGroupCells, cellGroupHeader, type CellGroup } from '../report/aggregate.js';
import { cellGroupRows } from '../report/group-table.js';
import { RunAggregator, runGroupCells, runGroupHeader, runGroupRows } from '../report/run-aggregate.js';
import { loadView } from '../report/data.js';
import type { ViewOptions } from '../report/view.js';
import { exportTraces } from '../sweep/traces.js';

export const sweepUsage = `sgn sweep start <spec.yaml|json> [--id ID] [--wait] [--small] [--max-cells N] [--cell-timeout S]
  sgn sweep status <id> [--json] [--watch]
  sgn sweep list [--json]
  sgn sweep results <id> [--runs] [--format table|json|csv|parquet] [--out FILE] [--where NAME<op>VALUE ...] [--limit N] [--aggregate PARAM ...]
  sgn sweep resume <id> [--retry-failed] | pause <id> | cancel <id>
  sgn sweep band <id> --out <file.json|csv|svg|png|html> [--where NAME<op>VALUE ...] [--x PARAM] [--slice PARAM=VALUE ...] [--aggregate PARAM ...]
  sgn sweep trace <id> --out <file.csv>
  sgn sweep compare <A> <B> [--output alpha,beta,certified] [--format table|csv] [--out diff.svg|png]`;

type Out = (s: string) => void;

/** `sweep start --wait`: the sweep completed, but some of its cells are stored failed. */
export const EXIT_CELLS_FAILED = 4;

/** Says on stderr what was created or migrated (first use of a database). */
export const logToStderr = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/**
 * Runs `fn` with the database (and, lazily, Temporal) of `config`. Only `sweep start` passes
 * `create`: the other commands read or signal what is stored, and a missing database is refused,
 * not created.
 */
async function withContext<T>(
  config: SgnConfig,
  fn: (ctx: SweepContext) => Promise<T>,
  create = false,
): Promise<T> {
  const ctx = await openContext({ config, create, log: logToStderr });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

function oneId(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new InputError(`sweep ${command}`, 'expects one sweep id');
  return positionals[0];
}

function statusJson(s: SweepStatusReport): string {
  return JSON.stringify({
    id: s.id,
    status: s.status,
    totalCells: s.totalCells,
    doneCells: s.doneCells,
    failedCells: s.failedCells,
    name: s.name,
    kind: s.kind,
    error: s.error,
    createdAt: s.createdAt,
    finishedAt: s.finishedAt,
    taskQueue: s.taskQueue,
    workers: s.workers,
  });
}

/** The columns `sweep status` and `sweep list` share, in one order. */
const SWEEP_COLUMNS = ['id', 'status', 'done', 'failed', 'total', 'workers', 'kind', 'created', 'name'];

/** One row of those columns; `workers`: polling the queue (null: the sweep has ended; undefined: unknown). */
function sweepRow(
  s: Pick<SweepStatusReport, 'id' | 'doneCells' | 'failedCells' | 'totalCells' | 'kind' | 'name'> & {
    status: string;
    createdAt: string | Date;
  },
  workers: readonly QueueWorker[] | null | undefined,
): string[] {
  const created = typeof s.createdAt === 'string' ? s.createdAt : s.createdAt.toISOString();
  return [
    s.id,
    s.status,
    String(s.doneCells),
    String(s.failedCells),
    String(s.totalCells),
    workers === null ? '-' : workers === undefined ? '?' : String(workers.length),
    s.kind,
    created.slice(0, 19).replace('T', ' '),
    s.name ?? '',
  ];
}

async function start(argv: string[], out: Out, config: SgnConfig): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      id: { type: 'string' },
      wait: { type: 'boolean', default: false },
      small: { type: 'boolean', default: false },
      'max-cells': { type: 'string' },
      'cell-timeout': { type: 'string' },
    },
    'sweep start',
  );
  if (positionals.length !== 1) throw new InputError('sweep start', 'expects one spec file');
  const specPath = positionals[0];
  const maxCells = numberFlag(values['max-cells'], '--max-cells');
  // Validate everything before touching the database.
  if (values.id !== undefined && !ID_PATTERN.test(values.id))
    throw new InputError(
      '--id',
      `"${values.id}" is not a valid sweep id (letters, digits, _ . -; at most 64)`,
    );
  const cellTimeout = numberFlag(values['cell-timeout'], '--cell-timeout');
  if (cellTimeout !== undefined && !(cellTimeout > 0 && cellTimeout <= 604_800))
    throw new InputError('--cell-timeout', 'must be a number of seconds in (0, 604800]');
  const raw = readDataFile(specPath, config);
  // --small: every axis cut to a few values, its own id (sweep/small.ts).
  const spec = resolveSpec(values.small ? smallSpec(raw) : raw, {
    baseDir: dirname(resolvePath(specPath)),
    settings: config,
    maxCells,
  });
  // Execution settings are not part of the spec's identity: the flag changes how, not what.
  const resolved =
    cellTimeout === undefined ? spec : { ...spec, execution: { ...spec.execution, cellTimeout } };
  return withContext(
    config,
    async (ctx) => {
      const r = await startSweep(ctx, resolved, { id: values.id });
      out(r.id);
      if (!r.created)
        process.stderr.write(
          `sweep ${r.id} already registered: ${r.started ? 'resuming it' : 'its workflow is running'}\n`,
        );
      if (!values.wait) return 0;
      const final = await waitForSweep(
        ctx,
        r.id,
        progressPrinter((s) => s.id),
      );
      if (final.status !== 'completed') {
        process.stderr.write(`sweep ${r.id} ${final.status}${final.error ? `: ${final.error}` : ''}\n`);
        return 1;
      }
      if (final.failedCells === 0) return 0;
      // Completed, with cells stored failed: a distinct exit code, and what went wrong in one line.
      const kinds = await failureKinds(ctx.prisma, r.id);
      process.stderr.write(
        `sweep ${r.id} completed; ${failureSummary(final.failedCells, final.totalCells, kinds)} ` +
          `(list them: ${(await failureListCommands(ctx.prisma, r.id)).join('; ')})\n`,
      );
      return EXIT_CELLS_FAILED;
    },
    true,
  );
}

async function status(argv: string[], out: Out, config: SgnConfig): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { json: { type: 'boolean', default: false }, watch: { type: 'boolean', default: false } },
    'sweep status',
  );
  const id = oneId(positionals, 'status');
  return withContext(config, async (ctx) => {
    if (values.json) {
      const s = await sweepStatus(ctx, id);
      const failures = s.failedCells > 0 ? await failureKinds(ctx.prisma, id) : [];
      out(JSON.stringify({ ...JSON.parse(statusJson(s)), failures }));
      return 0;
    }
    const s =
      values.watch || process.stderr.isTTY
        ? await waitForSweep(
            ctx,
            id,
            progressPrinter((s) => s.id),
          )
        : await sweepStatus(ctx, id);
    out(table(SWEEP_COLUMNS, [sweepRow(s, s.workers)]));
    if (s.workers) out(workersLine(s.taskQueue, s.workers));
    if (s.error) out(`error: ${s.error}`);
    if (s.failedCells > 0)
      out(
        `${failureSummary(s.failedCells, s.totalCells, await failureKinds(ctx.prisma, id))} ` +
          `(list them: ${(await failureListCommands(ctx.prisma, id)).join('; ')})`,
      );
    return 0;
  });
}

async function list(argv: string[], out: Out, config: SgnConfig): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean', default: false } }, 'sweep list');
  return withContext(config, async (ctx) => {
    const rows = await listSweeps(ctx.prisma);
    // One queue per database: its pollers serve every running sweep. Temporal unreachable: unknown.
    const live = rows.some((r) => r.status === 'running' || r.status === 'paused');
    const polling = live ? await queueWorkers(ctx).catch(() => undefined) : undefined;
    const workersOf = (r: (typeof rows)[number]) =>
      r.status === 'running' || r.status === 'paused' ? polling : null;
    if (values.json) {
      out(JSON.stringify(rows.map((r) => ({ ...r, workers: workersOf(r) ?? null }))));
      return 0;
    }
    if (rows.length === 0) {
      out('no sweeps yet (start one: sgn sweep start examples/small.yaml)');
      return 0;
    }
    out(
      table(
        SWEEP_COLUMNS,
        rows.map((r) => sweepRow(r, workersOf(r))),
      ),
    );
    if (polling?.length === 0) out(workersLine(ctx.temporal.taskQueue, polling));
    return 0;
  });
}

const RESULT_FORMATS = ['table', 'json', 'csv', 'parquet'] as const;
type ResultFormat = (typeof RESULT_FORMATS)[number];

async function results(argv: string[], out: Out, config: SgnConfig): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      format: { type: 'string', default: 'table' },
      where: { type: 'string', multiple: true },
      limit: { type: 'string' },
      aggregate: { type: 'string', multiple: true },
      out: { type: 'string' },
      runs: { type: 'boolean', default: false },
    },
    'sweep results',
  );
  const id = oneId(positionals, 'results');
  const format = values.format as ResultFormat;
  if (!RESULT_FORMATS.includes(format))
    throw new InputError('--format', `must be table, json, csv or parquet, got "${values.format}"`);
  const where = values.where ?? [];
  checkWhereSyntax(where);
  const limit = numberFlag(values.limit, '--limit');
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new InputError('--limit', 'must be a positive integer');
  const file = values.out;
  if (format === 'parquet' && !file) throw new InputError('--out', 'is required with --format parquet');
  if (file !== undefined && format === 'table')
    throw new InputError('--out', 'writes csv, json or parquet (add --format)');
  if (file !== undefined && !existsSync(dirname(resolvePath(file))))
    throw new InputError('--out', `folder "${dirname(file)}" does not exist`);
  return withContext(config, async (ctx) => {
    const stored = await ctx.prisma.sweep.findUnique({ where: { id }, select: { kind: true } });
    if (!stored) throw new InputError('sweep', `no sweep with id "${id}" (see: sgn sweep list)`);
    // A step-size sweep's results are its runs; a `both` sweep lists its certificates unless --runs.
    if (values.runs || stored.kind === 'stepsize') {
      if (values.aggregate) {
        if (format === 'parquet')
          throw new InputError('--aggregate', 'writes a table, csv or json (not parquet)');
        return runGroupResults(ctx.prisma, id, where, values.aggregate, format, { out, file, limit });
      }
      return runResults(ctx.prisma, id, where, format, { out, file, limit });
    }
    if (values.aggregate) {
      if (format === 'parquet')
        throw new InputError('--aggregate', 'writes a table, csv or json (not parquet)');
      const view = await loadView(ctx.prisma, id, { aggregate: values.aggregate });
      const pool = new CellAggregator(
        view.aggregate,
        (name, v) => paramNumber(view, name, v),
        view.axes.map((a) => a.name),
      );
      await forEachResultPage(ctx.prisma, id, where, (page) => {
        for (const r of page) pool.add(r);
      });
      const groups = pool.groups().slice(0, limit);
      const text: string[] = [];
      writeGroups(groups, format, (line) => text.push(line), view);
      if (file !== undefined) writeFileAtomically(file, `${text.join('\n')}\n`);
      else for (const line of text) out(line);
      return 0;
    }
    let matched: number;
    if (format === 'table') {
      const shown = await resultRows(ctx.prisma, id, where, limit ?? TABLE_ROWS);
      matched = shown.length;
      out(resultsTable(shown, await axesOf(ctx.prisma, id)));
      if (limit === undefined && shown.length === TABLE_ROWS) {
        const total = await countResults(ctx.prisma, id, where);
        if (total > shown.length)
          out(`(${shown.length} of ${total} rows; --format csv|json|parquet for all, --limit N for more)`);
      }
    } else {
      matched = await exportResults(ctx.prisma, id, where, format, { out, file, limit });
    }
    // An empty answer says why on stderr (stdout keeps the empty table, header or array).
    if (matched === 0 && where.length > 0)
      for (const line of await noMatchHints(ctx.prisma, id, where)) process.stderr.write(`${line}\n`);
    return 0;
  });
}

/** `sweep results` of step-size runs: a table of the first rows, or every row as CSV, JSON or Parquet. */
async function runResults(
  prisma: PrismaClient,
  id: string,
  where: readonly string[],
  format: ResultFormat,
  { out, file, limit }: { out: Out; file?: string; limit?: number },
): Promise<number> {
  let matched: number;
  if (format === 'table') {
    const shown = await runRows(prisma, id, where, limit ?? TABLE_ROWS);
    matched = shown.length;
    out(runsTable(shown, (await runQueryContext(prisma, id)).paramNames, await axesOf(prisma, id)));
    if (limit === undefined && shown.length === TABLE_ROWS) {
      const total = await countRuns(prisma, (await runsFilter(prisma, id, where)).filter);
      if (total > shown.length)
        out(`(${shown.length} of ${total} runs; --format csv|json|parquet for all, --limit N for more)`);
    }
  } else matched = await exportRuns(prisma, id, where, format, { out, file, limit });
  if (matched === 0 && where.length > 0)
    for (const line of await noRunMatchHints(prisma, id, where)) process.stderr.write(`${line}\n`);
  return 0;
}

/**
 * `sweep results --aggregate` of step-size runs: one row per group (the runs of games equal but
 * in the aggregated axes, at one integrator and multiplier), as a table, CSV or JSON.
 */
async function runGroupResults(
  prisma: PrismaClient,
  id: string,
  where: readonly string[],
  aggregate: readonly string[],
  format: 'table' | 'csv' | 'json',
  { out, file, limit }: { out: Out; file?: string; limit?: number },
): Promise<number> {
  const view = await loadView(prisma, id, { aggregate });
  const { paramNames } = await runQueryContext(prisma, id);
  for (const name of view.aggregate)
    if (!paramNames.includes(name))
      throw new InputError(
        '--aggregate',
        `${name} is not an axis of the runs' games (theirs: ${paramNames.join(', ')})`,
      );
  const pool = new RunAggregator(view.aggregate, paramNames, (name, v) => paramNumber(view, name, v));
  await forEachRunPage(prisma, id, where, (page) => {
    for (const r of page) pool.add(r);
  });
  const groups = pool.groups().slice(0, limit);
  const names = paramNames.filter((n) => !view.aggregate.includes(n));
  const text: string[] = [];
  if (format === 'table') {
    const { header, rows } = runGroupRows(groups, names, view);
    text.push(table(header, rows));
    text.push(
      `(${groups.length} groups pooled over ${view.aggregate.join(', ')}; allConverged: the fraction of runs whose every start converged; --format csv|json for every output's median, quartiles and mean)`,
    );
  } else if (format === 'csv') {
    text.push(csvRow(runGroupHeader(names)));
    for (const g of groups) text.push(csvRow(runGroupCells(g, names)));
  } else text.push(JSON.stringify(groups, null, 1));
  if (file !== undefined) writeFileAtomically(file, `${text.join('\n')}\n`);
  else for (const line of text) out(line);
  if (groups.length === 0 && where.length > 0)
    for (const line of await noRunMatchHints(prisma, id, where)) process.stderr.write(`${line}\n`);
  return 0;
}

/** A parameter's value as tables print it: at its axis' precision, a file by its name. */
function paramLabel(v: number | string | undefined, axis: Axis | undefined): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : axis ? axisValueLabel(axis, v) : num(v);
}

function runsTable(
  shown: readonly RunRow[],
  paramNames: readonly string[],
  axisOf: ReadonlyMap<string, Axis>,
): string {
  // The error column only when a shown run failed: its text is the run's result.
  const errors = shown.some((r) => r.error !== null);
  return table(
    [
      'game',
      ...paramNames,
      'integrator',
      'multiplier',
      'step',
      'certifiedStep',
      'converged',
      'rho',
      ...(errors ? ['error'] : []),
    ],
    shown.map((r) => [
      String(r.cellIndex),
      ...paramNames.map((p) => paramLabel(r.params[p], axisOf.get(p))),
      r.integrator,
      num(r.multiplier),
      num(r.step),
      num(r.certifiedStep),
      num(r.convergedFraction),
      num(r.spectralRadius),
      ...(errors ? [r.error ?? ''] : []),
    ]),
  );
}

/** `sweep results --aggregate`: one row per group, as a table, CSV (every output's statistics) or JSON. */
function writeGroups(
  groups: readonly CellGroup[],
  format: 'table' | 'csv' | 'json',
  out: Out,
  view: Parameters<typeof cellGroupRows>[1],
): void {
  if (format === 'table') {
    const { header, rows } = cellGroupRows(groups, view);
    out(table(header, rows));
    out(
      `(${groups.length} groups pooled over ${view?.aggregate.join(', ')}; --format csv|json for every output's median, quartiles and mean)`,
    );
    return;
  }
  const names = Object.keys(groups[0]?.params ?? {});
  if (format === 'csv') {
    out(csvRow(cellGroupHeader(names)));
    for (const g of groups) out(csvRow(cellGroupCells(g, names)));
    return;
  }
  out(
    JSON.stringify(
      groups.map(({ values: _values, ...g }) => g),
      null,
      1,
    ),
  );
}

/** The sweep's axes by name (for printing their values at the axis' precision). */
async function axesOf(prisma: PrismaClient, id: string): Promise<Map<string, Axis>> {
  const stored = await prisma.sweep.findUnique({ where: { id }, select: { spec: true } });
  const axes = (stored?.spec as { axes?: { name: string; axis: Axis }[] } | undefined)?.axes ?? [];
  return new Map(axes.map((a) => [a.name, a.axis]));
}

function resultsTable(shown: readonly ResultRow[], axisOf: ReadonlyMap<string, Axis>): string {
  // The sweep's parameters head the columns in its axes' order (stored params come back in
  // jsonb's key order), even when no cell matched.
  const paramNames = [
    ...new Set([...axisOf.keys(), ...(shown.length > 0 ? Object.keys(shown[0].params) : [])]),
  ];
  // The error column only when a shown cell failed: its text is the cell's result.
  const errors = shown.some((r) => r.error !== null);
  return table(
    [
      'cell',
      ...paramNames,
      'certified',
      'alpha',
      'beta',
      'eulerStep',
      'rk4Step',
      'alphaTrue',
      ...(errors ? ['error'] : []),
    ],
    shown.map((r) => [
      String(r.cellIndex),
      // Axis values at their axis' precision: 6 digits unless two values need more to differ.
      ...paramNames.map((p) => paramLabel(r.params[p], axisOf.get(p))),
      r.certified ? 'yes' : 'no',
      num(r.alpha),
      num(r.beta),
      num(r.eulerStep),
      num(r.rk4Step),
      num(r.alphaTrue),
      ...(errors ? [r.error ?? ''] : []),
    ]),
  );
}

/** Rows `sweep results` shows as a table unless --limit says otherwise. */
const TABLE_ROWS = 40;

/**
 * Batches fold the games they complete into the band map as the sweep runs: before the sweep
 * has completed, say that the map holds only the games stored so far.
 */
async function partialBandNote(prisma: PrismaClient, id: string): Promise<string | null> {
  const status = await storedStatus(prisma, id);
  if (status === null || status === 'completed') return null;
  return `note: sweep ${id} is ${status}: its band map holds the games whose cells are all stored so far`;
}

/** A game's band-map row as CSV lines (BAND_CSV_HEADER), one per ratio. */
function bandCsvLines(m: BandMapRow): string {
  return m.ratios
    .map((r, k) =>
      csvRow([m.paramName, m.paramValue, r, m.alphas[k], m.rMinus, m.rPlus, m.optimalRatio, m.alphaMax]),
    )
    .join('\n');
}

/** Output formats of `sweep band --out`, by file extension: tables, or the picture (report/band.ts). */
const BAND_TABLES = ['.json', '.csv'];
const BAND_PICTURES = new Map<string, PictureFormat>([
  ['.svg', 'svg'],
  ['.png', 'png'],
  ['.html', 'html'],
]);

/** The band map's rows drawn from the cells `where` keeps. */
async function filteredBandMaps(prisma: PrismaClient, id: string, where: readonly string[]) {
  const { bandMapsOf, loadBandMap } = await import('../report/data.js');
  // Rows as band_maps stores them: against the sweep's band parameter (gameParamName).
  const row = await prisma.sweep.findUnique({ where: { id }, select: { spec: true } });
  const main = row ? gameParamName(row.spec as unknown as ResolvedSweep) : null;
  const data = await loadBandMap(prisma, id, main === null ? {} : { x: main }, where);
  return data.param === null ? [] : bandMapsOf(data.param, data.band, data.edges);
}

async function band(argv: string[], out: Out, config: SgnConfig): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      out: { type: 'string' },
      where: { type: 'string', multiple: true },
      x: { type: 'string' },
      slice: { type: 'string', multiple: true },
      aggregate: { type: 'string', multiple: true },
    },
    'sweep band',
  );
  const viewOptions: ViewOptions = { x: values.x, slice: values.slice, aggregate: values.aggregate };
  const id = oneId(positionals, 'band');
  // --where: the band map of the cells the filter keeps, drawn from them (report/data.ts).
  const where = values.where ?? [];
  checkWhereSyntax(where);
  const file = values.out;
  if (!file) throw new InputError('--out', 'is required (a .json, .csv, .svg, .png or .html file)');
  const ext = extname(file).toLowerCase();
  const pictureFormat = BAND_PICTURES.get(ext);
  if (!pictureFormat && !BAND_TABLES.includes(ext))
    throw new InputError('--out', `must end in .json, .csv, .svg, .png or .html, got "${file}"`);
  if (!existsSync(dirname(resolvePath(file))))
    throw new InputError('--out', `folder "${dirname(file)}" does not exist`);
  return withContext(config, async (ctx) => {
    if (where.length > 0 && (await countResults(ctx.prisma, id, where)) === 0) {
      for (const line of await noMatchHints(ctx.prisma, id, where)) process.stderr.write(`${line}\n`);
      throw new InputError('--where', 'matches no cell: there is no band map to draw');
    }
    const partial = where.length > 0 ? null : await partialBandNote(ctx.prisma, id);
    if (pictureFormat) {
      const { bandPicture, bandPictureFile } = await import('../report/band.js');
      const picture = await bandPicture(ctx.prisma, id, viewOptions, where);
      writeFileAtomically(file, bandPictureFile(picture, pictureFormat, id));
      const games = picture.edges.length;
      out(
        `${file}: band map of sweep ${id}, ${picture.cells} cells, band edges of ${games} game${games === 1 ? '' : 's'}`,
      );
      if (picture.note) out(`note: ${picture.note}`);
      if (partial) out(partial);
      return 0;
    }
    if (values.slice || values.aggregate) {
      const { bandTable } = await import('../report/band.js');
      const t = await bandTable(ctx.prisma, id, viewOptions, where);
      if (ext === '.json')
        await writeJsonArray(
          file,
          t.rows.map((r) => Object.fromEntries(t.header.map((h, i) => [h, r[i]]))),
        );
      else writeFileAtomically(file, toCsv(t.header, t.rows));
      out(
        `${file}: ${t.rows.length} rows of the band map${values.aggregate ? ` pooled over ${values.aggregate.join(', ')}` : ''}`,
      );
      if (partial) out(partial);
      return 0;
    }
    // --where: the maps drawn from the kept cells (in memory); else band_maps read a page of
    // games at a time, each page written before the next is read.
    const filtered = where.length > 0 ? await filteredBandMaps(ctx.prisma, id, where) : null;
    const stored = filtered ? filtered.length : await ctx.prisma.bandMap.count({ where: { sweepId: id } });
    if (stored === 0) {
      if ((await storedStatus(ctx.prisma, id)) === null)
        throw new InputError('sweep', `no sweep with id "${id}" (see: sgn sweep list)`);
      throw new InputError(
        'sweep band',
        `sweep "${id}" has no band map (it needs a ratio axis, and a game whose certify cells are all stored)`,
      );
    }
    const forEachPage = (onPage: (maps: readonly BandMapRow[]) => void): Promise<void> =>
      filtered ? Promise.resolve(onPage(filtered)) : forEachBandMapPage(ctx.prisma, id, onPage);
    let games = 0;
    let cells = 0;
    await withLineFile(file, async (f) => {
      const json = ext === '.json' ? jsonArrayLines(f) : null;
      if (!json) f.write(csvRow(BAND_CSV_HEADER));
      await forEachPage((maps) => {
        for (const m of maps) {
          games++;
          cells += m.ratios.length;
          if (!json) f.write(bandCsvLines(m));
        }
        json?.add(maps);
      });
      json?.end();
    });
    out(`${file}: band map of ${games} game${games === 1 ? '' : 's'}, ${cells} cells`);
    if (partial) out(partial);
    return 0;
  });
}

/** `sweep trace <id> --out file.csv`: the stored run histories in long format (sweep/traces.ts). */
async function trace(argv: string[], out: Out, config: SgnConfig): Promise<number> {
  const { values, positionals } = parse(argv, { out: { type: 'string' } }, 'sweep trace');
  const id = oneId(positionals, 'trace');
  const file = values.out;
  if (!file) throw new InputError('--out', 'is required (a .csv file)');
  if (extname(file).toLowerCase() !== '.csv')
    throw new InputError('--out', `must end in .csv, got "${file}"`);
  if (!existsSync(dirname(resolvePath(file))))
    throw new InputError('--out', `folder "${dirname(file)}" does not exist`);
  return withContext(config, async (ctx) => {
    // Written beside the file and renamed at the end: a failed export leaves nothing half-written.
    const done = await withLineFile(file, (f) =>
      exportTraces(
        ctx.prisma,
        id,
        (header) => f.write(csvRow(header)),
        (lines) => f.write(lines.map((l) => csvRow(l)).join('\n')),
      ),
    );
    out(`${file}: ${done.lines} rows (${done.runs} runs) of sweep ${id}`);
    const status = await storedStatus(ctx.prisma, id);
    if (status !== 'completed')
      out(`note: sweep ${id} is ${status}: the traces are those of the games stored so far`);
    return 0;
  });
}

async function simple(
  argv: string[],
  out: Out,
  config: SgnConfig,
  name: 'resume' | 'pause' | 'cancel',
): Promise<number> {
  const { values, positionals } = parse(
    argv,
    name === 'resume' ? { 'retry-failed': { type: 'boolean', default: false } } : {},
    `sweep ${name}`,
  );
  const id = oneId(positionals, name);
  return withContext(config, async (ctx) => {
    if (name === 'resume' && values['retry-failed'] === true) {
      const n = await retryFailedCells(ctx, id);
      out(`${id}: retrying ${n} failed cell${n === 1 ? '' : 's'}`);
    } else if (name === 'resume') out(`${id}: ${await resumeSweep(ctx, id)}`);
    else if (name === 'pause') {
      await pauseSweep(ctx, id);
      out(`${id}: pause requested (batches in flight finish first)`);
    } else
      out(`${id}: ${(await cancelSweep(ctx, id)) === 'signalled' ? 'cancel requested' : 'marked cancelled'}`);
    return 0;
  });
}

/** `config`: the settings main() built (tests calling this directly get the defaults). */
export async function runSweep(
  argv: string[],
  out: Out,
  config: SgnConfig = DEFAULT_CONFIG,
): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'start':
      return start(rest, out, config);
    case 'status':
      return status(rest, out, config);
    case 'list':
      return list(rest, out, config);
    case 'results':
      return results(rest, out, config);
    case 'trace':
      return trace(rest, out, config);
    case 'band':
      return band(rest, out, config);
    case 'compare':
      return (await import('./sweep-compare.js')).compareCommand(rest, out, config);
    case 'resume':
    case 'pause':
    case 'cancel':
      return simple(rest, out, config, sub);
    default:
      throw new InputError(
        'sweep',
        `unknown subcommand ${sub ? `"${sub}"` : '(none)'}; usage:\n  ${sweepUsage}`,
      );
  }
}
