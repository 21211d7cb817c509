/** `sgn sweep results --format csv|json|parquet [--out FILE]`: the rows streamed page by page. */
import { once } from 'node:events';
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { PrismaClient } from '../db/client.js';
import { ParquetFileStream } from '../formats/parquet.js';
import { csvRow } from '../formats/csv.js';
import { exportLayout, forEachResultPage } from '../sweep/queries.js';
import { tidyColumns, tidyRow } from '../sweep/tidy.js';

type Out = (s: string) => void;

/**
 * CSV, JSON and Parquet stream page by page, so a million-cell sweep exports in bounded memory.
 * To stdout the opening line waits for the first page: a bad filter or id prints nothing; to a
 * file (--out), the file appears complete or not at all. Returns the number of rows.
 */
export async function exportResults(
  prisma: PrismaClient,
  id: string,
  where: readonly string[],
  format: 'csv' | 'json' | 'parquet',
  { out, file, limit }: { out: Out; file?: string; limit?: number },
): Promise<number> {
  const columns = format === 'json' ? [] : tidyColumns(await exportLayout(prisma, id));
  const parquet = format === 'parquet' && file ? new ParquetFileStream(file, columns) : null;
  const text = parquet ? null : textSink(out, file);
  let rows = 0;
  let opened = false;
  const open = (): void => {
    if (!opened) text?.write(format === 'csv' ? csvRow(columns.map((c) => c.name)) : '[');
    opened = true;
  };
  // JSON: one row per line in an array; a row's comma waits for the next row.
  let pending: string | undefined;
  try {
    await forEachResultPage(
      prisma,
      id,
      where,
      async (page) => {
        rows += page.length;
        open();
        if (parquet) parquet.append(page.map((r) => tidyRow(columns, r)));
        else if (format === 'csv') text?.write(page.map((r) => csvRow(tidyRow(columns, r))).join('\n'));
        else {
          const lines: string[] = [];
          for (const r of page) {
            if (pending !== undefined) lines.push(`${pending},`);
            pending = JSON.stringify(r);
          }
          if (lines.length > 0) text?.write(lines.join('\n'));
        }
        await text?.drained();
      },
      { limit },
    );
    open();
    if (format === 'json') {
      if (pending !== undefined) text?.write(pending);
      text?.write(']');
    }
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

/** Lines to stdout, or to `file` through a temporary name renamed when complete. */
function textSink(out: Out, file?: string): TextSink {
  if (!file) return { write: out, drained: stdoutDrained, finish: () => {}, abandon: () => {} };
  const temp = `${file}.partial-${process.pid}`;
  const fd = openSync(temp, 'w');
  let open = true;
  const close = (): void => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    write: (line) => writeSync(fd, `${line}\n`),
    drained: async () => {},
    finish: () => {
      close();
      renameSync(temp, file);
    },
    abandon: () => {
      close();
      rmSync(temp, { force: true });
    },
  };
}

/** Resolves once stdout has room again: a slow reader of a large export holds back the queries. */
async function stdoutDrained(): Promise<void> {
  if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
}
