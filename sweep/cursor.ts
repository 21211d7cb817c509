/**
 * Reading a large result set in bounded memory: one query through a cursor in one read
 * transaction (one plan for the whole read, and one snapshot: a running sweep's later rows are not
 * in it), handed over a page at a time, each page awaited before the next. Keyset pages instead
 * re-planned each page and, with the statistics of a table just filled, sorted the rest of the
 * sweep for every one of them; one plain query for the 1,000,000 rows of a large sweep held 4 GB.
 */
import { Prisma, type PrismaClient } from '../db/client.js';

/** Rows per page. */
export const CURSOR_PAGE = 5000;
/** Rows per page for wide rows (a band map's row holds a game's ratios and margins). */
export const WIDE_CURSOR_PAGE = 100;
export type CursorPageSize = typeof CURSOR_PAGE | typeof WIDE_CURSOR_PAGE;
/** FETCH takes no parameter: each statement spells its number. */
const FETCH_PAGE: Readonly<Record<CursorPageSize, Prisma.Sql>> = {
  [CURSOR_PAGE]: Prisma.sql`FETCH FORWARD 5000 FROM sgn_cursor`,
  [WIDE_CURSOR_PAGE]: Prisma.sql`FETCH FORWARD 100 FROM sgn_cursor`,
};

/** How long a read may hold its transaction (a slow reader of a large export). */
export const EXPORT_TIMEOUT_MS = 6 * 3600_000;

/**
 * Hands the rows of `query` to `onPage`, `pageSize` (default CURSOR_PAGE) at a time, awaiting
 * each page. Rows that hold arrays (a band map's row is a game's ratios) want WIDE_CURSOR_PAGE.
 */
export async function forEachCursorPage<Raw>(
  prisma: PrismaClient,
  query: Prisma.Sql,
  onPage: (rows: Raw[]) => void | Promise<void>,
  pageSize: CursorPageSize = CURSOR_PAGE,
): Promise<void> {
  const fetch = FETCH_PAGE[pageSize];
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
