/**
 * `sgn dashboard` in a real browser: a real PostgreSQL database, a real Temporal dev server and a
 * real worker process running a sweep, the dashboard as the `sgn` program runs it, and headless
 * Chromium (playwright-core) reading the page as a person would. Screenshots go to
 * test-output/dashboard/ (their paths are printed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parquetReadObjects } from 'hyparquet';
import { startTemporalDevServer, type TemporalDevServer } from '../local/temporal-dev-server.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { runCli, startWorker, waitUntil, type WorkerProcess } from './support/processes.js';
import { projectRoot } from './support/reference.js';
import { NODE_FLAGS } from '../workers/node-flags.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(projectRoot, 'test-output', 'dashboard');
const medium = join(projectRoot, 'test', 'fixtures', 'medium.yaml');
const TEMPORAL_UI = 'http://temporal-ui.example:8233';

let temporal: TemporalDevServer;
let db: TestDatabase;
let env: NodeJS.ProcessEnv;
let worker: WorkerProcess;
let dashboard: ChildProcess;
let dashboardUrl: string;
let browser: Browser;
let page: Page;

/** `sgn dashboard --port 0` as a process; resolves with the URL it prints. */
function startDashboard(): Promise<string> {
  dashboard = spawn(
    process.execPath,
    [...NODE_FLAGS, '--import', 'tsx', join(projectRoot, 'cli', 'sgn.ts'), 'dashboard', '--port', '0'],
    { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    dashboard.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /dashboard at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    dashboard.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    dashboard.on('exit', (code) => reject(new Error(`dashboard exited (${code}):\n${out}`)));
  });
}

async function shot(name: string): Promise<string> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
  return path;
}

/** The stored-cell count the page shows for a sweep (its progress cell, "done / total"). */
async function shownDone(id: string): Promise<number> {
  const text = await page.locator(`#sweeps tr[data-sweep="${id}"] .done`).textContent();
  return Number(text?.split('/')[0]);
}

async function doneCells(id: string): Promise<number> {
  return (await db.prisma.sweep.findUniqueOrThrow({ where: { id } })).doneCells;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [temporal, db] = await Promise.all([startTemporalDevServer(), createTestDatabase({ label: 'dash' })]);
  env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    SGN_TASK_QUEUE: `dash-${process.pid}`,
    SGN_TEMPORAL_UI_URL: TEMPORAL_UI,
  };
  // Every cell 40 ms slower: the 800 cells take long enough (~20 s) to watch them land.
  worker = startWorker(
    { ...env, SGN_TEST_FAULTS: Array.from({ length: 800 }, (_, i) => `${i}:slow=40`).join(',') },
    2,
  );
  await worker.ready;
  dashboardUrl = await startDashboard();
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  dashboard?.kill('SIGTERM');
  await worker?.kill('SIGTERM');
  await temporal?.stop();
  await db?.drop();
}, 60_000);

describe.skipIf(!existsSync(CHROMIUM))('sgn dashboard in Chromium', () => {
  const errors: string[] = [];

  it('lists a running sweep whose progress advances, with its workers, pace and links', async () => {
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      // The bad filter's 400 below is meant; any other failed load or logged error is not.
      if (m.type() === 'error' && !m.text().includes('status of 400')) errors.push(m.text());
    });
    const r = await runCli(['sweep', 'start', medium, '--id', 'live'], env);
    expect(r.code, r.stderr).toBe(0);
    await waitUntil(async () => (await doneCells('live')) > 0, 120_000, 'the first batch');
    await page.goto(`${dashboardUrl}#sweep=live`);
    const row = page.locator('#sweeps tr[data-sweep="live"]');
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('running');
    const first = await shownDone('live');
    expect(first).toBeGreaterThan(0);
    await shot('1-running');
    // The page polls by itself: the count it shows moves on while the sweep runs.
    await waitUntil(async () => (await shownDone('live')) > first, 60_000, 'the page to show more cells');
    const second = await shownDone('live');
    expect(second).toBeGreaterThan(first);
    expect(second).toBeLessThan(800);
    // Pace and workers from the stored rows: one worker process, cells landing.
    expect(Number(await row.locator('.rate').textContent())).toBeGreaterThan(0);
    expect(await row.locator('.workers').textContent()).toMatch(/^1: \S+/);
    expect(await row.locator('a', { hasText: 'Temporal' }).getAttribute('href')).toBe(
      `${TEMPORAL_UI}/namespaces/default/workflows/${encodeURIComponent(
        (await db.prisma.sweep.findUniqueOrThrow({ where: { id: 'live' } })).workflowId,
      )}`,
    );
    // The band map is drawn while the sweep runs, from the cells stored so far.
    await page.locator('#figures .figure[data-name="band-map"] svg.marks').waitFor({ timeout: 30_000 });
    await shot('2-running-figures');
  }, 240_000);

  it('draws the band map with its marks once the sweep has completed', async () => {
    await waitUntil(
      async () => (await db.prisma.sweep.findUniqueOrThrow({ where: { id: 'live' } })).status === 'completed',
      // ~50 s on a quiet 2-core machine; CI runs other end-to-end files beside this one.
      420_000,
      'the sweep to complete',
    );
    await waitUntil(
      async () => (await page.locator('#detail-title').textContent())?.includes('completed') ?? false,
      30_000,
      'the page to show the completed sweep',
    );
    const band = page.locator('#figures .figure[data-name="band-map"] svg.marks');
    await band.waitFor();
    // 20 lambda x 40 ratios: one rect per cell in the heat map's mark group, and the edge lines.
    const rects = await band.locator('g.mark-rect.role-mark path').count();
    expect(rects).toBe(800);
    expect(await band.locator('g.mark-line.role-mark path').count()).toBeGreaterThan(0);
    const box = await band.boundingBox();
    expect(box!.width).toBeGreaterThan(400);
    expect(box!.height).toBeGreaterThan(250);
    // Hovering a cell shows its certificate: the stored cell's margin, to the 6 digits shown.
    await band.locator('g.mark-rect.role-mark path').nth(400).hover();
    await page.locator('#vg-tooltip-element.visible').waitFor({ timeout: 10_000 });
    const keys = await page.locator('#vg-tooltip-element td.key').allTextContents();
    const values = await page.locator('#vg-tooltip-element td.value').allTextContents();
    // d3-format writes U+2212 for a minus sign.
    const tip = new Map(keys.map((k, i) => [k.replace(/:$/, ''), values[i].replace('\u2212', '-')]));
    expect([...tip.keys()]).toEqual(['λ', 'r = w2/w1', 'α* (SGN margin)', 'certified']);
    // The tooltip's λ and r are rounded (6 and 4 digits): the one stored cell near both.
    const stored = (await db.prisma.cellResult.findMany({ where: { sweepId: 'live' } })).filter(
      (c) =>
        Math.abs(c.gameParam! - Number(tip.get('λ'))) < 1e-5 &&
        Math.abs(c.ratio! / Number(tip.get('r = w2/w1')) - 1) < 1e-3,
    );
    expect(stored).toHaveLength(1);
    // 6 significant digits: a relative error of at most 5e-6.
    expect(Math.abs(Number(tip.get('α* (SGN margin)')) / stored[0].alpha! - 1)).toBeLessThan(5e-6);
    expect(tip.get('certified')).toBe(String(stored[0].certified));
    await shot('3-completed-hover');
  }, 480_000);

  it('a filter changes the results table; a bad one is one line on the page', async () => {
    const total = async () => Number(await page.locator('#results-count').getAttribute('data-total'));
    await waitUntil(async () => (await total()) === 800, 30_000, 'the table to count 800 rows');
    const certified = await db.prisma.cellResult.count({ where: { sweepId: 'live', certified: true } });
    expect(certified).toBeGreaterThan(0);
    expect(certified).toBeLessThan(800);
    await page.fill('#where', 'certified=true');
    await page.click('#view-form button');
    await waitUntil(async () => (await total()) === certified, 30_000, 'the filtered count');
    const rows = await page.locator('#results tbody tr').count();
    expect(rows).toBe(Math.min(certified, 200));
    // Every row shown is certified.
    const shown = await page.locator('#results tbody td[data-col="certified"]').allTextContents();
    expect(new Set(shown)).toEqual(new Set(['yes']));
    // The CSV link carries the same filter: the download has exactly those rows.
    const href = await page.locator('#csv-link').getAttribute('href');
    const csv = await (await fetch(new URL(href!, dashboardUrl))).text();
    expect(csv.trim().split('\n').length).toBe(certified + 1);
    // And the Parquet link: typed columns, the same rows (read back with hyparquet).
    const parquetHref = await page.locator('#parquet-link').getAttribute('href');
    const bytes = await (await fetch(new URL(parquetHref!, dashboardUrl))).arrayBuffer();
    const back = await parquetReadObjects({ file: bytes });
    expect(back).toHaveLength(certified);
    expect(back.every((r) => r.certified === true)).toBe(true);
    await shot('4-filtered');
    await page.fill('#where', 'lambda=banana');
    await page.click('#view-form button');
    await page.locator('#detail-error:not([hidden])').waitFor();
    expect(await page.locator('#detail-error').textContent()).toBe(
      '--where lambda=banana: lambda is a parameter: the value must be a number, got "banana"',
    );
  }, 120_000);

  it('picks x, slice and aggregate through the view form', async () => {
    await page.fill('#where', '');
    await page.fill('#aggregate', 'lambda');
    await page.click('#view-form button');
    // Pooled over lambda, no axis is left to draw the band map against: the page says so.
    await waitUntil(
      async () => (await page.locator('#notes').textContent())?.includes('no game axis') ?? false,
      30_000,
      'the note of the pooled view',
    );
    await page.fill('#aggregate', '');
    await page.fill('#slice', 'lambda=0');
    await page.click('#view-form button');
    await page.locator('#detail-error').waitFor({ state: 'hidden' });
    // Held at lambda = 0: that one game's band, alpha_* at its 40 ratios against the ratio (a
    // one-column band map would hide it).
    await waitUntil(
      async () =>
        (await page
          .locator('#figures .figure[data-name="band-1d"] svg.marks g.mark-symbol.role-mark path')
          .count()) === 40,
      30_000,
      'the band of the slice',
    );
    expect(await page.locator('#figures .figure[data-name="band-map"]').count()).toBe(0);
    // lambda = 0 uncouples the players: certified at every ratio, the band unbounded.
    expect(await page.locator('#figures .figure[data-name="band-1d"]').textContent()).toContain(
      'band r− = 0.000, r+ = ∞',
    );
    await shot('5-slice');
    expect(errors).toEqual([]);
  }, 120_000);

  it('refuses a port in use with one line and exit 2', async () => {
    const port = new URL(dashboardUrl).port;
    const r = await runCli(['dashboard', '--port', port], env);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `sgn dashboard: --port: ${port} is in use on 127.0.0.1 (choose another with --port)\n`,
    );
    expect(r.code).toBe(2);
  }, 60_000);

  it('is read-only: a POST is refused', async () => {
    const res = await fetch(new URL('/api/sweeps', dashboardUrl), { method: 'POST' });
    expect(res.status).toBe(405);
  });
});
