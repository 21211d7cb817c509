/**
 * `sgn sweep band <id> --out x.svg|png|html` and `sgn report <id> --out dir` as users run them
 * (child processes), against a real PostgreSQL. No Temporal: the sweeps' rows are computed
 * in-process by the same functions the activities call (certifyRange, stepsizeRange) and written
 * by the same inserts (db/exact-writes.ts) and band-map aggregation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { runCli } from './support/processes.js';
import { projectRoot } from './support/reference.js';
import { resolveSpec, resolveSpecFile } from '../sweep/resolve.js';
import { type ResolvedSweep } from '../sweep/resolved.js';
import { stepsizeRange } from '../sweep/compute.js';
import { insertStepsizeResults } from '../db/exact-writes.js';
import { aggregateBandMaps } from '../activities/band-maps.js';
import { InputError } from '../sgn/util/errors.js';
import { runSweep } from '../cli/sweep.js';
import { runReport } from '../cli/report.js';
import { registerSweep, storeCertifyCells } from './support/stored-sweep.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** lambda (6) x ratio (5) certificates, then Euler and RK4 at 3 multiples per lambda. */
const both = resolveSpecFile(join(projectRoot, 'test', 'fixtures', 'both.yaml'));
/** Optimal weights, no ratio axis: margins but no band map. */
const noRatio = resolveSpec(
  {
    name: 'no ratio axis',
    kind: 'certify',
    game: {
      family: 'quadratic',
      generator: 'random',
      dims: [3, 3],
      mu0: 1,
      coupling: 1,
      seed: 5,
      lambda: { linspace: [0, 1.5, 7] },
    },
  },
  { baseDir: projectRoot },
);

async function register(
  db: TestDatabase,
  id: string,
  resolved: ResolvedSweep,
  status: string,
): Promise<void> {
  await registerSweep(db.prisma, id, resolved, status);
}

/** Certify cells [0, end), written as a batch activity writes them (test/support/stored-sweep.ts). */
async function storeCells(db: TestDatabase, id: string, resolved: ResolvedSweep, end: number): Promise<void> {
  await storeCertifyCells(db.prisma, id, resolved, 0, end);
}

async function storeSteps(db: TestDatabase, id: string, resolved: ResolvedSweep): Promise<void> {
  const rows = await stepsizeRange(resolved, 0, resolved.gameCells);
  await db.prisma.$transaction(async (tx) => {
    await insertStepsizeResults(tx, id, rows);
    await tx.sweep.update({ where: { id }, data: { doneCells: { increment: resolved.gameCells } } });
  });
}

/** The SVG parses (resvg's XML parser is strict) and has this size in pixels. */
function parseSvg(svg: string): { width: number; height: number } {
  const r = new Resvg(svg);
  return { width: r.width, height: r.height };
}

/** Marks vega drew for the heatmap: the paths of the first layer's rect marks. */
function heatmapCells(svg: string): number {
  const m = /<g class="mark-rect role-mark layer_0_marks"[^>]*>(.*?)<\/g>/s.exec(svg);
  if (!m) throw new Error('no heatmap layer in the SVG');
  return (m[1].match(/<path /g) ?? []).length;
}

function csvLines(path: string): string[] {
  return readFileSync(path, 'utf8').trim().split('\n');
}

describe('sgn sweep band --out svg|png|html and sgn report', () => {
  let db: TestDatabase;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  /** Stored cells of the finished sweep with a finite alpha_* (what the heatmap must draw). */
  let finiteCells: number;
  const sgn = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    db = await createTestDatabase({ label: 'report' });
    tmp = mkdtempSync(join(tmpdir(), 'sgn-report-'));
    env = { DATABASE_URL: db.url };
    await register(db, 'done', both, 'completed');
    await storeCells(db, 'done', both, both.totalCells);
    await storeSteps(db, 'done', both);
    await aggregateBandMaps(db.prisma, 'done', both);
    // Stopped mid certify phase: 12 of 30 cells (2 of 6 games whole), no step-size runs.
    await register(db, 'half', both, 'running');
    await storeCells(db, 'half', both, 12);
    await register(db, 'nob', noRatio, 'completed');
    await storeCells(db, 'nob', noRatio, noRatio.totalCells);
    const [{ n }] = await db.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM cell_results
      WHERE sweep_id = 'done' AND alpha IS NOT NULL AND alpha <> 'NaN' AND ratio > 0`;
    finiteCells = n;
  });

  afterAll(async () => {
    await db?.drop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('draws the band map as SVG with one heatmap cell per stored finite alpha_*', async () => {
    const file = join(tmp, 'map.svg');
    const r = await sgn('sweep', 'band', 'done', '--out', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${finiteCells} cells`);
    const svg = readFileSync(file, 'utf8');
    const size = parseSvg(svg);
    expect(size.width).toBeGreaterThan(500);
    expect(size.height).toBeGreaterThan(300);
    expect(finiteCells).toBeGreaterThan(20);
    expect(heatmapCells(svg)).toBe(finiteCells);
    // The band edges and optimal ratio are overlaid as lines, named in the legend.
    expect(svg).toMatch(/layer_1_marks/);
    for (const t of ['band edge r−(λ)', 'band edge r+(λ)', 'optimal ratio r*(λ)', 'coupling strength λ'])
      expect(svg).toContain(t);
  });

  it('writes the same picture as PNG and as a self-contained HTML page', async () => {
    const png = join(tmp, 'map.png');
    const html = join(tmp, 'map.html');
    const [a, b] = await Promise.all([
      sgn('sweep', 'band', 'done', '--out', png),
      sgn('sweep', 'band', 'done', '--out', html),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    // IHDR: width and height at 2x zoom of the SVG.
    expect(bytes.readUInt32BE(16)).toBeGreaterThan(1000);
    expect(bytes.readUInt32BE(20)).toBeGreaterThan(600);
    expect(bytes.length).toBeGreaterThan(20_000);
    const page = readFileSync(html, 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<figure id="band-map">');
    const svg = /<svg.*<\/svg>/s.exec(page)![0];
    expect(heatmapCells(svg)).toBe(finiteCells);
    // The table of band edges: one row per lambda, plus the header.
    const table = /<h2>Band edges<\/h2>\s*<table>(.*?)<\/table>/s.exec(page)![1];
    expect(table.match(/<tr>/g)).toHaveLength(both.gameCells + 1);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//); // nothing fetched from elsewhere
  });

  it('keeps .json and .csv, and refuses sweeps without a band map and unknown ids', async () => {
    const csv = join(tmp, 'map.csv');
    const [ok, none, unknown] = await Promise.all([
      sgn('sweep', 'band', 'done', '--out', csv),
      sgn('sweep', 'band', 'nob', '--out', join(tmp, 'nob.svg')),
      sgn('sweep', 'band', 'nope', '--out', join(tmp, 'nope.png')),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(csvLines(csv)).toHaveLength(both.totalCells + 1);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      'sgn sweep: sweep band: sweep "nob" has no band map (it needs a ratio axis, and a game whose certify cells are all stored)\n',
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('sgn sweep: sweep: no sweep with id "nope" (see: sgn sweep list)\n');
    expect(existsSync(join(tmp, 'nob.svg'))).toBe(false);
    expect(existsSync(join(tmp, 'nope.png'))).toBe(false);
  });

  it('names the field for bad arguments before touching the database (in-process)', async () => {
    const bad = async (run: Promise<number>): Promise<InputError> => {
      const e: unknown = await run.then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(InputError);
      return e as InputError;
    };
    const none = (): void => {
      throw new Error('printed output for bad input');
    };
    expect((await bad(runSweep(['band', 'done', '--out', join(tmp, 'map.txt')], none))).message).toBe(
      `--out: must end in .json, .csv, .svg, .png or .html, got "${join(tmp, 'map.txt')}"`,
    );
    expect((await bad(runSweep(['band', '--out', join(tmp, 'x.svg')], none))).message).toBe(
      'sweep band: expects one sweep id',
    );
    expect((await bad(runSweep(['band', 'done'], none))).field).toBe('--out');
    expect((await bad(runSweep(['band', 'done', '--out', join(tmp, 'no', 'x.svg')], none))).message).toBe(
      `--out: folder "${join(tmp, 'no')}" does not exist`,
    );
    expect((await bad(runReport(['done'], none))).message).toMatch(/^--out: is required/);
    expect((await bad(runReport(['--out', tmp], none))).message).toBe('report: expects one sweep id');
    expect((await bad(runReport(['done', '--out', join(tmp, 'map.csv')], none))).message).toContain(
      'exists and is not a folder',
    );
  });

  it('reports a finished sweep: band map, margins, Euler and RK4 phase diagrams, CSVs and report.html', async () => {
    const dir = join(tmp, 'report-done');
    const r = await sgn('report', 'done', '--out', dir);
    expect(r.code, r.stderr).toBe(0);
    // A linear game: its step-size rows store rho, so the log-rho maps come with the phase diagrams.
    const figures = ['band-map', 'margins', 'rho-euler', 'phase-euler', 'rho-rk4', 'phase-rk4'];
    const tables = ['band-edges.csv', 'band-map.csv', 'margins.csv', 'stepsize.csv', 'cells.csv'];
    const written = readdirSync(dir).sort();
    expect(written).toEqual(
      [...figures.flatMap((f) => [`${f}.svg`, `${f}.png`, `${f}.vl.json`]), ...tables, 'report.html'].sort(),
    );
    // stdout: the folder, then every file it wrote.
    expect(r.stdout.split('\n')[0]).toContain(`report-done: ${written.length} files for sweep done`);
    for (const f of written) expect(r.stdout).toContain(`  ${f}\n`);
    expect(r.stdout).not.toContain('note:');

    for (const f of figures) {
      const svg = readFileSync(join(dir, `${f}.svg`), 'utf8');
      parseSvg(svg);
      const png = readFileSync(join(dir, `${f}.png`));
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(png.length).toBeGreaterThan(10_000);
    }
    expect(heatmapCells(readFileSync(join(dir, 'band-map.svg'), 'utf8'))).toBe(finiteCells);
    // Phase diagram: one rect per stored run with a positive step (third layer: grey, labels, runs).
    const runs = await db.prisma.stepsizeResult.count({
      where: { sweepId: 'done', integrator: 'euler', step: { gt: 0 } },
    });
    const phase = readFileSync(join(dir, 'phase-euler.svg'), 'utf8');
    const runMarks = /<g class="mark-rect role-mark layer_2_marks"[^>]*>(.*?)<\/g>/s.exec(phase)![1];
    expect(runMarks.match(/<path /g) ?? []).toHaveLength(runs);
    // The rho map: one tile per stored run, the step 0 included (first layer).
    const rhoRows = await db.prisma.stepsizeResult.count({
      where: { sweepId: 'done', integrator: 'euler', spectralRadius: { not: null } },
    });
    expect(rhoRows).toBe(
      await db.prisma.stepsizeResult.count({ where: { sweepId: 'done', integrator: 'euler' } }),
    );
    const rhoSvg = readFileSync(join(dir, 'rho-euler.svg'), 'utf8');
    const tiles = /<g class="mark-rect role-mark layer_0_marks"[^>]*>(.*?)<\/g>/s.exec(rhoSvg)![1];
    expect(tiles.match(/<path /g) ?? []).toHaveLength(rhoRows);

    expect(csvLines(join(dir, 'cells.csv'))).toHaveLength(both.totalCells + 1);
    expect(csvLines(join(dir, 'band-map.csv'))).toHaveLength(both.totalCells + 1);
    expect(csvLines(join(dir, 'margins.csv'))).toHaveLength(both.gameCells + 1);
    expect(csvLines(join(dir, 'stepsize.csv'))).toHaveLength(both.gameCells * 2 * 3 + 1);
    expect(csvLines(join(dir, 'band-edges.csv'))[0]).toBe(
      'lambda,rMinus,rPlus,optimalRatio,alphaMax,certifiedFraction',
    );

    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    for (const f of figures) {
      expect(html).toContain(`<figure id="${f}">`);
      expect(html).toContain(`href="${f}.png"`);
    }
    expect(html.match(/<svg/g)).toHaveLength(figures.length);
    for (const t of tables) expect(html).toContain(`href="${t}"`);
    expect(html).not.toContain('class="notice"');
  });

  it('reports a running sweep as far as it is stored, and says so', async () => {
    const dir = join(tmp, 'report-half');
    const r = await sgn('report', 'half', '--out', dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('(unfinished: what is stored so far)');
    expect(r.stdout).toContain('note: sweep half is still running: 12 of 36 work items');
    expect(r.stdout).toContain('note: no Euler phase diagram: no step-size runs are stored yet');
    const written = readdirSync(dir);
    expect(written).toContain('band-map.svg');
    expect(written).toContain('margins.svg');
    expect(written).not.toContain('phase-euler.svg');
    expect(written).not.toContain('stepsize.csv');
    // The band map is built from the 12 stored cells (band_maps holds only the 2 whole games).
    const stored = await db.prisma.cellResult.findMany({
      where: { sweepId: 'half' },
      select: { alpha: true },
    });
    expect(stored).toHaveLength(12);
    const finite = stored.filter((c) => c.alpha !== null && Number.isFinite(c.alpha)).length;
    expect(heatmapCells(readFileSync(join(dir, 'band-map.svg'), 'utf8'))).toBe(finite);
    expect(csvLines(join(dir, 'cells.csv'))).toHaveLength(13);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<p class="notice">sweep half is still running: 12 of 36 work items');
    expect(html).toContain('the band map is built from the stored cells');
  });

  it("exports a running sweep's band map as far as its games are stored whole, and says so", async () => {
    const csv = join(tmp, 'half.csv');
    const r = await sgn('sweep', 'band', 'half', '--out', csv);
    expect(r.code, r.stderr).toBe(0);
    // 12 cells stored of games of 5 ratios: games 0 and 1 whole, game 2 not.
    expect(csvLines(csv)).toHaveLength(2 * 5 + 1);
    expect(r.stdout).toContain(
      'note: sweep half is running: its band map holds the games whose cells are all stored so far',
    );
    const done = await sgn('sweep', 'band', 'done', '--out', join(tmp, 'done.csv'));
    expect(done.stdout).not.toContain('note:');
  });

  it('reports what a sweep without a ratio axis supports; refuses an unknown id', async () => {
    const dir = join(tmp, 'report-nob');
    const [r, unknown] = await Promise.all([
      sgn('report', 'nob', '--out', dir),
      sgn('report', 'nope', '--out', join(tmp, 'report-nope')),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('note: no band map: the sweep has no ratio axis');
    expect(readdirSync(dir).sort()).toEqual(
      ['cells.csv', 'margins.csv', 'margins.png', 'margins.svg', 'margins.vl.json', 'report.html'].sort(),
    );
    expect(csvLines(join(dir, 'margins.csv'))).toHaveLength(noRatio.totalCells + 1);
    // Optimal weights: the stored true margin is at w*, so it is drawn as such.
    expect(readFileSync(join(dir, 'margins.svg'), 'utf8')).toContain('true margin in M(w*)');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('sgn report: sweep: no sweep with id "nope" (see: sgn sweep list)\n');
    expect(existsSync(join(tmp, 'report-nope'))).toBe(false);
  });
});
