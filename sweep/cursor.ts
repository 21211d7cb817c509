/**
 * Reading a large result set in bounded memory: one query through a cursor in one read
 * transaction (one plan for the whole read, and one snapshot: a running sweep's later rows are not
 * in it), handed over a page at a time, each page awaited before the next. Keyset pages instead
 * re-planned each page and, with the statistics of a table just filled, sorted the rest of the
 * sweep for every one of them; one plain query for the 1,000,000 rows of a large sweep held 4 GB.
 */
import { Prisma, type PrismaClient } from '../db/client.js';

/** Rows per page (FETCH takes no parameter: the statement spells the number). */
export const CURSOR_PAGE = 5000;

/** How long a read may hold its transaction (a slow reader of a large export). */
export const EXPORT_TIMEOUT_MS = 6 * 3600_000;

/**
 * Hands the rows of `query` to `onPage`, `pageSize` (default CURSOR_PAGE) at a time, awaiting
 * each page. Rows that hold arrays (a band map's row is a game's ratios) want smaller pages.
 */
export async function forEachCursorPage<Raw>(
  prisma: PrismaClient,
  query: Prisma.Sql,
  onPage: (rows: Raw[]) => void | Promise<void>,
  pageSize = CURSOR_PAGE,
): Promise<void> {
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new RangeError(`page size ${pageSize}`);
  const fetch = Prisma.raw(`FETCH FORWARD ${pageSize} FROM sgn_cursor`);
  await prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`DECLARE sgn_cursor NO SCROLL CURSOR FOR ${query}`;
      for (;;) {
        const page = await tx.$queryRaw<Raw[]>(fetch);
        if (page.length > 0) await onPage(page);
        if (page.length < pageSize) return;
      }
    },
    { timeout: EXPORT_TIMEOUT_MS },
  );
}

/** Every page's rows in one array: for what fits in memory (a table's first rows, a report). */
export async function collectPages<R>(
  forEachPage: (onPage: (rows: R[]) => void) => Promise<void>,
): Promise<R[]> {
  const rows: R[] = [];
  await forEachPage((page) => {
    for (const r of page) rows.push(r);
  });
  return rows;
}
