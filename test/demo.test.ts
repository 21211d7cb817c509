/**
 * `npm run demo` end to end at reduced size (--small), as a child process: with DATABASE_URL
 * pointing to a fresh test database (the demo starts its own Temporal dev server), a second run
 * that reuses the stored sweeps, and a run with nothing configured (embedded PostgreSQL; skip
 * with SGN_TEST_EMBEDDED_PG=0). Checks the paper's numbers at lambda = 1 in the outputs, the
 * figures and the report; when Chromium is installed, renders report.html in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { projectRoot } from './support/reference.js';

const DEMO = join(projectRoot, 'scripts', 'demo.ts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FIGURES = ['band-map', 'margins', 'phase-euler', 'phase-rk4'];

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function runDemo(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<DemoRun> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', DEMO, ...args], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

/** The environment without the service variables (the demo starts what is missing). */
function bareEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SGN_DEMO_SCALE']) if (!(k in extra)) delete env[k];
  return env;
}

function csvRows(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const keys = header.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], v])));
}

function expectOutputs(out: string): void {
  // Band edges and alpha_max at lambda = 1, from the CSV and from summary.json.
  const edges = csvRows(join(out, 'band-edges.csv'));
  expect(edges.map((r) => Number(r.lambda))).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
  const at1 = edges.find((r) => Number(r.lambda) === 1)!;
  expect(Number(at1.rMinus).toFixed(2)).toBe('34.31');
  expect(Number(at1.rPlus).toFixed(2)).toBe('1165.69');
  expect(Number(at1.alphaMax).toFixed(4)).toBe('0.2929');
  expect(Number(at1.optimalRatio).toFixed(2)).toBe('200.00');
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
    atLambda1: { rMinus: number; rPlus: number; alphaMax: number; alphaTrue: number; gammaEuclidean: number };
  };
  expect(summary.atLambda1.rMinus.toFixed(2)).toBe('34.31');
  expect(summary.atLambda1.rPlus.toFixed(2)).toBe('1165.69');
  expect(summary.atLambda1.alphaMax.toFixed(4)).toBe('0.2929');
  expect(summary.atLambda1.alphaTrue.toFixed(4)).toBe('0.2929');
  expect(summary.atLambda1.gammaEuclidean.toFixed(3)).toBe('-4.025');

  // Tables: 6 lambdas x 21 ratios; margins per lambda; 6 games x 2 integrators x 5 multipliers.
  expect(csvRows(join(out, 'band-map.csv'))).toHaveLength(126);
  expect(csvRows(join(out, 'margins.csv'))).toHaveLength(6);
  expect(csvRows(join(out, 'stepsize.csv'))).toHaveLength(60);
  expect(readFileSync(join(out, 'cells.csv'), 'utf8').trim().split('\n')).toHaveLength(127);

  const html = readFileSync(join(out, 'report.html'), 'utf8');
  for (const name of FIGURES) {
    const svg = readFileSync(join(out, `${name}.svg`), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.length).toBeGreaterThan(5_000);
    const png = readFileSync(join(out, `${name}.png`));
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(
      true,
    );
    expect(png.length).toBeGreaterThan(20_000);
    expect(png.readUInt32BE(16)).toBeGreaterThan(1000); // width at 2x zoom
    expect(html).toContain(`<figure id="${name}">`);
  }
  expect(html.match(/<svg/g)?.length).toBe(FIGURES.length);
  expect(html).toContain('(34.31, 1165.69)');
  expect(html).toContain('α_max = 0.2929');
}

describe('npm run demo --small', () => {
  let db: TestDatabase;
  let out: string;

  beforeAll(async () => {
    db = await createTestDatabase({ label: 'demo' });
    out = mkdtempSync(join(tmpdir(), 'sgn-demo-'));
  });

  afterAll(async () => {
    await db?.drop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('runs both sweeps on DATABASE_URL and writes the figures, tables and report', async () => {
    const r = await runDemo(['--small', '--out', out], bareEnv({ DATABASE_URL: db.url }));
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stdout).toContain('certified band r in (34.31, 1165.69), alpha_max = 0.2929');
    expect(r.stderr).toMatch(/certify +completed \[#+\] 126\/126 cells/);
    expect(r.stderr).toContain('registered and started');
    expectOutputs(out);
    expect(existsSync(join(out, 'specs', 'lq64-certify.small.yaml'))).toBe(true);
    const sweeps = await db.prisma.sweep.findMany({
      select: { status: true, totalCells: true, doneCells: true },
    });
    expect(sweeps).toHaveLength(2);
    for (const s of sweeps) {
      expect(s.status).toBe('completed');
      expect(s.doneCells).toBe(s.totalCells);
    }
  }, 240_000);

  it('a second run reuses the stored sweeps (no Temporal needed)', async () => {
    const before = statSync(join(out, 'report.html')).mtimeMs;
    const r = await runDemo(['--out', out], bareEnv({ DATABASE_URL: db.url, SGN_DEMO_SCALE: 'small' }));
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr.match(/already complete in the database, reusing it/g)).toHaveLength(2);
    expect(r.stderr).toContain('no Temporal server needed');
    expect(statSync(join(out, 'report.html')).mtimeMs).toBeGreaterThan(before);
    expectOutputs(out);
  }, 120_000);

  it.skipIf(!existsSync(CHROMIUM))(
    'report.html renders its figures in Chromium',
    async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(pathToFileURL(join(out, 'report.html')).href);
        const sizes = await page.$$eval('figure > svg', (els) =>
          els.map((el) => {
            const b = el.getBoundingClientRect();
            return {
              width: b.width,
              height: b.height,
              marks: el.querySelectorAll('path, rect, line').length,
            };
          }),
        );
        expect(sizes).toHaveLength(FIGURES.length);
        for (const s of sizes) {
          expect(s.width).toBeGreaterThan(300);
          expect(s.height).toBeGreaterThan(200);
          expect(s.marks).toBeGreaterThan(10);
        }
        expect(await page.textContent('.headline')).toContain('(34.31, 1165.69)');
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});

describe.skipIf(process.env.SGN_TEST_EMBEDDED_PG === '0')('npm run demo --small, nothing configured', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sgn-demo-embedded-'));
    // As root, PostgreSQL runs as the postgres user: it must be able to reach the state directory.
    chmodSync(dir, 0o755);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts an embedded PostgreSQL and a Temporal dev server, and stops them', async () => {
    const out = join(dir, 'out');
    const state = join(dir, 'state');
    const r = await runDemo(['--small', '--out', out, '--state', state], bareEnv());
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toContain('PostgreSQL: embedded PostgreSQL');
    expect(r.stderr).toContain('Temporal: Temporal dev server');
    expectOutputs(out);
    // Stopped: no postmaster left on the data directory.
    expect(existsSync(join(state, 'pgdata', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(state, 'pgdata', 'postmaster.pid'))).toBe(false);
  }, 240_000);
});
