/** `sgn sweep results --format csv|json|parquet [--out FILE]`: the rows streamed page by page. */
import { once } from 'node:events';
import { jsonArrayLines, openLineFile, type JsonArrayLines } from './atomic-file.js';
import type { PrismaClient } from '../db/client.js';
import { ParquetFileStream, type Cell } from '../formats/parquet.js';
import { csvRow } from '../formats/csv.js';
import { exportLayout, forEachResultPage } from '../sweep/queries.js';
import { forEachRunPage, runColumns, runQueryContext } from '../sweep/run-results.js';
import { tidyColumns, type ColumnOf } from '../sweep/tidy.js';

type Out = (s: string) => void;
type ExportFormat = 'csv' | 'json' | 'parquet';
interface ExportTarget {
  out: Out;
  file?: string;
  limit?: number;
}

/**
 * CSV, JSON and Parquet stream page by page, so a million-cell sweep exports in bounded memory.
 * To stdout the opening line waits for the first page: a bad filter or id prints nothing; to a
 * file (--out), the file appears complete or not at all. Returns the number of rows.
 */
export async function exportResults(
  prisma: PrismaClient,
  id: string,
  where: readonly string[],
  format: ExportFormat,
  target: ExportTarget,
): Promise<number> {
  const columns = format === 'json' ? [] : tidyColumns(await exportLayout(prisma, id));
  return exportRows(columns, format, target, (onPage, limit) =>
    forEachResultPage(prisma, id, where, onPage, { limit }),
  );
}

/** `sgn sweep results --runs` (a step-size sweep's runs) as CSV, JSON or Parquet. */
export async function exportRuns(
  prisma: PrismaClient,
  id: string,
  where: readonly string[],
  format: ExportFormat,
  target: ExportTarget,
): Promise<number> {
  const columns = format === 'json' ? [] : runColumns(await runQueryContext(prisma, id));
  return exportRows(columns, format, target, (onPage, limit) =>
    forEachRunPage(prisma, id, where, onPage, { limit }),
  );
}

async function exportRows<R>(
  columns: readonly ColumnOf<R>[],
  format: ExportFormat,
  { out, file, limit }: ExportTarget,
  forEachPage: (onPage: (rows: R[]) => Promise<void>, limit: number | undefined) => Promise<void>,
): Promise<number> {
  const row = (r: R): Cell[] => columns.map((c) => c.value(r));
  const parquet = format === 'parquet' && file ? new ParquetFileStream(file, columns) : null;
  const text = parquet ? null : textSink(out, file);
  let rows = 0;
  // Nothing is written before the first page (or the end): a failed first query prints nothing.
  let opened = false;
  // JSON: one row per line in an array (atomic-file.ts jsonArrayLines).
  let json = null as JsonArrayLines | null;
  const open = (): void => {
    if (opened || !text) return;
    if (format === 'csv') text.write(csvRow(columns.map((c) => c.name)));
    else json = jsonArrayLines(text);
    opened = true;
  };
  try {
    await forEachPage(async (page) => {
      rows += page.length;
      open();
      if (parquet) parquet.append(page.map(row));
      else if (format === 'csv') text?.write(page.map((r) => csvRow(row(r))).join('\n'));
      else json?.add(page);
      await text?.drained();
    }, limit);
    open();
    json?.end();
    parquet?.finish();
    text?.finish();
  } catch (e) {
    parquet?.abandon();
    text?.abandon();
    throw e;
  }
  if (file) process.stderr.write(`${file}: ${rows} rows (${format})\n`);
  return rows;
}

interface TextSink {
  write(line: string): void;
  drained(): Promise<void>;
  finish(): void;
  abandon(): void;
}

/** Lines to stdout, or to `file` through a temporary name renamed when complete (atomic-file.ts). */
function textSink(out: Out, file?: string): TextSink {
  if (!file) return { write: out, drained: stdoutDrained, finish: () => {}, abandon: () => {} };
  return { ...openLineFile(file), drained: async () => {} };
}

/** Resolves once stdout has room again: a slow reader of a large export holds back the queries. */
async function stdoutDrained(): Promise<void> {
  if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
}
