/**
 * Every examples/paper/*.yaml at the small scale (`sgn sweep start SPEC --small --wait`) through a
 * real sweep: a Temporal dev server, a throw-away PostgreSQL database and a real worker process;
 * then `sgn report` draws it, and each expected figure is there with the marks the paper's figure
 * has (read from the Vega-Lite spec written beside the SVG and PNG).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startTemporalDevServer, type TemporalDevServer } from '../local/temporal-dev-server.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startWorker, waitUntil, type CliResult, type WorkerProcess } from './support/processes.js';
import { runSgnInProcess } from './support/sgn-in-process.js';
import { projectRoot } from './support/reference.js';

const paperDir = join(projectRoot, 'examples', 'paper');

interface Expected {
  /** `sgn report` options beyond the id and --out. */
  report: string[];
  /** Figure name -> mark types its layers must have. */
  figures: Record<string, string[]>;
}

/** What each spec's report must draw (a spec missing here fails the test: add its figures). */
const EXPECTED: Record<string, Expected> = {
  'lq64-margins.yaml': { report: [], figures: { margins: ['rect', 'rule', 'line'] } },
  'lq64-band-lambda1.yaml': { report: [], figures: { 'band-1d': ['rect', 'rule', 'line'] } },
  'lq64-rho-euler.yaml': { report: [], figures: { 'rho-euler': ['rect', 'line'] } },
  'lq64-rho-rk4.yaml': { report: [], figures: { 'rho-rk4': ['rect', 'line'] } },
  'lq64-discrete-steps.yaml': {
    report: [],
    figures: {
      'phase-euler': ['rect', 'line'],
      'phase-rk4': ['rect', 'line'],
      'rho-euler': ['rect', 'line'],
      'rho-rk4': ['rect', 'line'],
    },
  },
  'markov-timescale.yaml': { report: [], figures: { 'band-1d': ['rect', 'rule', 'line'] } },
  'markov-stability.yaml': { report: [], figures: { 'stability-1d': ['rule', 'line'] } },
  'markov-lyapunov.yaml': { report: [], figures: { traces: ['line'] } },
  'lq64-flow.yaml': { report: [], figures: { traces: ['line'] } },
  'noise-robustness.yaml': {
    report: ['--aggregate', 'trial'],
    figures: {
      margins: ['line'],
      'certification-rates': ['line'],
      'margin-ratios': ['circle'],
      conservatism: ['rule', 'line'],
    },
  },
  'random-suite.yaml': {
    report: ['--aggregate', 'seed'],
    figures: {
      'certification-rates': ['line'],
      'margin-ratios': ['circle'],
      'step-ratios-rk4': ['circle'],
      'step-ratios-euler': ['circle'],
    },
  },
};

const specs = readdirSync(paperDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

let temporal: TemporalDevServer;
let db: TestDatabase;
let env: NodeJS.ProcessEnv;
let worker: WorkerProcess | undefined;
const out = mkdtempSync(join(tmpdir(), 'sgn-paper-examples-'));
const runs = new Map<string, { id: string; start: CliResult; report: CliResult }>();

/** Mark types of a Vega-Lite spec's layers (a mark is a string or {type}). */
function markTypes(vl: {
  layer?: { mark: string | { type: string } }[];
  mark?: string | { type: string };
}): string[] {
  const marks = vl.layer ? vl.layer.map((l) => l.mark) : vl.mark ? [vl.mark] : [];
  return marks.map((m) => (typeof m === 'string' ? m : m.type));
}

beforeAll(async () => {
  [temporal, db] = await Promise.all([startTemporalDevServer(), createTestDatabase({ label: 'paper' })]);
  env = { DATABASE_URL: db.url, TEMPORAL_ADDRESS: temporal.address, SGN_TASK_QUEUE: `paper-${process.pid}` };
  worker = startWorker(env, 2);
  await worker.ready;
  // The commands run in this process (cli/main.ts, what the sgn binary runs): a process and tsx
  // start-up per command would cost more than the small sweeps. The worker is a real process.
  const starts = new Map<string, CliResult>();
  for (const spec of specs)
    starts.set(spec, await runSgnInProcess(['sweep', 'start', join(paperDir, spec), '--small'], env));
  const ids = [...starts.values()].map((r) => r.stdout.trim());
  await waitUntil(
    async () =>
      (await db.prisma.sweep.count({
        where: { id: { in: ids }, status: { in: ['completed', 'failed'] } },
      })) === ids.length,
    180_000,
    'the small sweeps to finish',
  );
  for (const spec of specs) {
    const start = starts.get(spec)!;
    const id = start.stdout.trim();
    const report = await runSgnInProcess(
      ['report', id, '--out', join(out, spec), ...(EXPECTED[spec]?.report ?? [])],
      env,
    );
    runs.set(spec, { id, start, report });
  }
}, 240_000);

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await temporal?.stop();
  await db?.drop();
}, 60_000);

describe('the paper examples at --small', () => {
  it('every spec has its expected figures listed', () => {
    expect(specs.filter((s) => !(s in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((s) => !specs.includes(s))).toEqual([]);
  });

  it.each(specs)('%s runs as a small sweep and its figures render', async (spec) => {
    const run = runs.get(spec);
    expect(run, `${spec} did not run`).toBeDefined();
    const { id, start, report } = run!;
    expect(start.code, start.stderr).toBe(0);
    expect(id).toMatch(/-small$/);
    expect(report.code, report.stderr).toBe(0);
    const sweep = await db.prisma.sweep.findUniqueOrThrow({ where: { id } });
    expect(sweep.status).toBe('completed');
    expect(sweep.failedCells).toBe(0);
    // Small: every axis at most 5 values, seeds and trials 2.
    expect(sweep.totalCells).toBeLessThanOrEqual(25);
    const dir = join(out, spec);
    for (const [name, marks] of Object.entries(EXPECTED[spec].figures)) {
      for (const ext of ['svg', 'png', 'vl.json'])
        expect(existsSync(join(dir, `${name}.${ext}`)), `${spec}: ${name}.${ext}`).toBe(true);
      expect(statSync(join(dir, `${name}.png`)).size).toBeGreaterThan(5_000);
      const vl = JSON.parse(readFileSync(join(dir, `${name}.vl.json`), 'utf8')) as Parameters<
        typeof markTypes
      >[0];
      const types = markTypes(vl);
      for (const m of marks) expect(types, `${spec}: ${name} marks`).toContain(m);
      const svg = readFileSync(join(dir, `${name}.svg`), 'utf8');
      // Drawn: the SVG holds paths (lines, tiles) and the sweep's name in its title.
      expect(svg.match(/<path/g)?.length ?? 0).toBeGreaterThan(3);
      expect(svg).toContain('(small)');
    }
  });

  it('the 1-D band figure draws alpha_* at every ratio with both band edges (LQ-64 at lambda = 1)', () => {
    const dir = join(out, 'lq64-band-lambda1.yaml');
    const vl = JSON.parse(readFileSync(join(dir, 'band-1d.vl.json'), 'utf8')) as {
      layer: { data: { values: Record<string, number | string>[] } }[];
    };
    const [band, edges, , truth, sgn] = vl.layer.map((l) => l.data.values);
    // 5 ratios of geomspace(0.1, 1e4, 161): alpha_true (solid) and alpha_* (dashed, on top) at each.
    expect(truth.map((p) => p.series)).toEqual(Array(5).fill('true margin α_true(r) in M(w)'));
    expect(sgn.map((p) => p.series)).toEqual(Array(5).fill('SGN margin α*(r)'));
    // LQ-64 at lambda = 1: the SGN bound is tight, as in the paper's figure.
    sgn.forEach((p, i) => expect(p.margin as number).toBeCloseTo(truth[i].margin as number, 12));
    // Both band edges lie inside the drawn ratios (r- = 34.31, r+ = 1166 at lambda = 1, as the paper's band).
    expect(edges).toHaveLength(2);
    expect(band).toHaveLength(1);
  });
});
