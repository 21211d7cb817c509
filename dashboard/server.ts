/**
 * `sgn dashboard`'s web server: Node's own http module (a handful of GET routes needs no
 * framework). Serves the page, vega / vega-lite / vega-embed from node_modules (machines are
 * offline: no CDN), and the JSON and CSV of dashboard/api.ts. Read-only: every other method is 405.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import type { PrismaClient } from '../db/client.js';
import { PROJECT_ROOT } from '../config/project-root.js';
import { InputError } from '../sgn/util/errors.js';
import { csvRow } from '../formats/csv.js';
import { ParquetFileStream } from '../formats/parquet.js';
import {
  resultsFilter,
  sweepDetail,
  sweepResults,
  sweepSummaries,
  tidyResults,
  viewOf,
  type LinkSettings,
  type TidyResults,
} from './api.js';

const require = createRequire(import.meta.url);

/** The browser builds of the Vega stack: URL path -> file. */
const VENDOR: Record<string, string> = {
  '/vendor/vega.min.js': join(dirname(require.resolve('vega')), 'vega.min.js'),
  '/vendor/vega-lite.min.js': join(dirname(require.resolve('vega-lite')), 'vega-lite.min.js'),
  '/vendor/vega-embed.min.js': join(dirname(require.resolve('vega-embed')), 'vega-embed.min.js'),
};

const PAGE_DIR = join(PROJECT_ROOT, 'dashboard', 'page');
const PAGES: Record<string, { file: string; type: string }> = {
  '/': { file: join(PAGE_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: join(PAGE_DIR, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: join(PAGE_DIR, 'dashboard.css'), type: 'text/css; charset=utf-8' },
};

export interface DashboardOptions {
  readonly prisma: PrismaClient;
  readonly links: LinkSettings;
  readonly host: string;
  readonly port: number;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/** /api/sweeps/<id>[/results[.csv|.parquet]] -> its parts (the id is URL-decoded). */
function sweepRoute(path: string): { id: string; rest: string } | null {
  const m = /^\/api\/sweeps\/([^/]+)(\/results(?:\.csv|\.parquet)?)?$/.exec(path);
  return m ? { id: decodeURIComponent(m[1]), rest: m[2] ?? '' } : null;
}

async function handle(opts: DashboardOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end('read-only\n');
    return;
  }
  const url = new URL(req.url ?? '/', 'http://dashboard');
  const path = url.pathname;
  const page = PAGES[path];
  if (page) {
    res.writeHead(200, { 'content-type': page.type, 'cache-control': 'no-cache' });
    res.end(await readFile(page.file));
    return;
  }
  const vendor = VENDOR[path];
  if (vendor) {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=3600' });
    res.end(await readFile(vendor));
    return;
  }
  if (path === '/api/sweeps') {
    sendJson(res, 200, await sweepSummaries(opts.prisma, opts.links));
    return;
  }
  const route = sweepRoute(path);
  if (!route) {
    sendJson(res, 404, { error: `no such page: ${path}` });
    return;
  }
  if (route.rest === '') {
    sendJson(res, 200, await sweepDetail(opts.prisma, route.id, viewOf(url.searchParams)));
    return;
  }
  const where = resultsFilter(url.searchParams.getAll('where').filter((w) => w.trim() !== ''));
  if (route.rest === '/results') {
    sendJson(res, 200, await sweepResults(opts.prisma, route.id, where));
    return;
  }
  const tidy = await tidyResults(opts.prisma, route.id, where);
  if (route.rest === '/results.parquet') {
    await sendParquet(route.id, tidy, res);
    return;
  }
  // CSV (the tidy columns of `sweep results --format csv`): page by page, the header once the
  // first page (and so the filter) is known good.
  const header = csvRow(tidy.columns.map((c) => c.name));
  let opened = false;
  await tidy.forEachPage(async (rows) => {
    if (!opened) {
      res.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${route.id.replace(/[^\w.-]/g, '_')}-results.csv"`,
      });
      res.write(`${header}\n`);
      opened = true;
    }
    if (!res.write(rows.map((r) => `${csvRow(r)}\n`).join(''))) await once(res, 'drain');
  });
  if (!opened) res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).write(`${header}\n`);
  res.end();
}

/**
 * Parquet (typed tidy columns, as `sweep results --format parquet`): a Parquet file's footer comes
 * last, so it is written to a temporary file page by page (bounded memory), then sent and removed.
 */
async function sendParquet(id: string, tidy: TidyResults, res: ServerResponse): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sgn-dashboard-'));
  try {
    const file = join(dir, 'results.parquet');
    const parquet = new ParquetFileStream(file, tidy.columns);
    try {
      await tidy.forEachPage(async (rows) => parquet.append(rows));
      parquet.finish();
    } catch (e) {
      parquet.abandon();
      throw e;
    }
    res.writeHead(200, {
      'content-type': 'application/vnd.apache.parquet',
      'content-disposition': `attachment; filename="${id.replace(/[^\w.-]/g, '_')}-results.parquet"`,
    });
    await pipeline(createReadStream(file), res);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts the server; resolves once it listens (rejects with the listen error, e.g. EADDRINUSE). */
export async function startDashboard(
  opts: DashboardOptions,
  log: (line: string) => void = () => undefined,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    handle(opts, req, res).catch((e: unknown) => {
      const bad = e instanceof InputError;
      if (!bad) log(`dashboard: ${req.url}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      if (res.headersSent) res.destroy();
      else sendJson(res, bad ? 400 : 500, { error: bad ? e.message : 'internal error (see the server log)' });
    });
  });
  server.listen(opts.port, opts.host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([e]) => {
      throw e;
    }),
  ]);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { server, url: `http://${host}:${port}/` };
}
