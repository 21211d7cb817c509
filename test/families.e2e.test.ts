/**
 * A nonlinear-family sweep end to end: a tanh game over region radius x weight ratio, certify and
 * step-size phases, through a Temporal dev server, a throw-away PostgreSQL database and a real
 * worker process; every stored number equals the in-process computation bit for bit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startTemporalDevServer, type TemporalDevServer } from '../local/temporal-dev-server.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { runCli, startWorker, type WorkerProcess } from './support/processes.js';
import { projectRoot } from './support/reference.js';
import { checkStored, referenceCells } from './support/results.js';
import { resolveSpecFile } from '../sweep/resolve.js';
import { splitTraces, stepsizeRange } from '../sweep/compute.js';

let temporal: TemporalDevServer;
let db: TestDatabase;
let env: NodeJS.ProcessEnv;
let worker: WorkerProcess | undefined;

const dir = mkdtempSync(join(tmpdir(), 'sgn-families-e2e-'));
const specPath = join(dir, 'tanh.json');
writeFileSync(
  specPath,
  JSON.stringify({
    id: 'tanh-e2e',
    kind: 'both',
    game: { file: join(projectRoot, 'examples', 'games', 'tanh-2p.json') },
    region: { kind: 'box', radius: { values: [0.5, 1, 1.5] }, sampler: 'grid:3' },
    weights: { ratio: { values: [0.2, 1, 5] } },
    stepsize: {
      integrators: ['euler'],
      multipliers: [0.5, 1],
      steps: 500,
      seeds: 2,
      // Traces and a chosen criterion travel through the compute thread and the batch's transaction.
      converged: { criterion: 'residual-ratio', tol: 1e-6 },
      trace: { points: 20 },
    },
    // Several batches per phase, so cells of one group are computed by different activities.
    execution: { batchSize: 2, concurrency: 2 },
  }),
);

beforeAll(async () => {
  [temporal, db] = await Promise.all([startTemporalDevServer(), createTestDatabase({ label: 'families' })]);
  env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    SGN_TASK_QUEUE: `families-${process.pid}`,
  };
  worker = startWorker(env, 2);
  await worker.ready;
}, 240_000);

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await temporal?.stop();
  await db?.drop();
}, 60_000);

describe('a tanh sweep on Temporal + PostgreSQL', () => {
  it('stores every cell once, with its radius, equal to the in-process computation', async () => {
    const r = await runCli(['sweep', 'start', specPath, '--wait'], env);
    expect(r.code, r.stderr).toBe(0);
    const resolved = resolveSpecFile(specPath);
    const check = await checkStored(db.prisma, 'tanh-e2e', await referenceCells(resolved));
    // Kind both: the counters cover 9 cells and 3 step-size groups (radius 0.5, 1, 1.5).
    expect(check).toMatchObject({
      expected: 9,
      stored: 9,
      duplicates: 0,
      mismatches: 0,
      missing: 0,
      status: 'completed',
      doneCells: 9 + 3,
      failedCells: 0,
    });

    const cells = await db.prisma.cellResult.findMany({
      where: { sweepId: 'tanh-e2e' },
      orderBy: { cellIndex: 'asc' },
    });
    expect(cells.map((c) => c.regionRadius)).toEqual([0.5, 0.5, 0.5, 1, 1, 1, 1.5, 1.5, 1.5]);
    expect(cells[4].params).toEqual({ radius: 1, ratio: 1 });
    // The certificate is lost as the box grows.
    expect(cells[1].certified).toBe(true);
    expect(cells.slice(6).some((c) => c.certified)).toBe(false);

    // Step-size rows: one per (radius, multiplier), equal to the in-process runs.
    const steps = await db.prisma.stepsizeResult.findMany({
      where: { sweepId: 'tanh-e2e' },
      orderBy: [{ cellIndex: 'asc' }, { multiplier: 'asc' }],
    });
    const expected = await stepsizeRange(resolved, 0, resolved.gameCells);
    expect(
      steps.map((s) => [
        s.cellIndex,
        s.integrator,
        s.multiplier,
        s.step,
        s.certifiedStep,
        s.convergedFraction,
        s.empiricalFactor,
        s.predictedFactor,
        s.exactThreshold,
      ]),
    ).toEqual(
      expected.map((s) => [
        s.cellIndex,
        s.integrator,
        s.multiplier,
        s.step,
        s.certifiedStep,
        s.convergedFraction,
        s.empiricalFactor,
        s.predictedFactor,
        s.exactThreshold,
      ]),
    );
    expect(steps[0].convergedFraction).toBe(1);
    expect(new Set(steps.map((s) => s.convergence))).toEqual(new Set(['residual-ratio <= 0.000001']));

    // The traces: one row per run of the certified groups, equal to the in-process ones.
    const traces = await db.prisma.$queryRaw<
      { cell_index: number; multiplier: number; run: number; k: number[]; metric_distance: number[] }[]
    >`SELECT cell_index, multiplier, run, k, metric_distance FROM stepsize_traces
      WHERE sweep_id = 'tanh-e2e' ORDER BY cell_index, multiplier, run`;
    const want = splitTraces(expected).traces;
    expect(want.length).toBe(2 * 2 * 2); // radius 0.5 and 1 are certified: 2 multipliers x 2 seeds each
    expect(traces.map((t) => [t.cell_index, t.multiplier, t.run, t.k, t.metric_distance])).toEqual(
      want.map((t) => [t.cellIndex, t.multiplier, t.run, t.k, t.metricDistance]),
    );

    // The band map is drawn against the radius (no game axis).
    const maps = await db.prisma.bandMap.findMany({
      where: { sweepId: 'tanh-e2e' },
      orderBy: { paramValue: 'asc' },
    });
    expect(maps.map((m) => [m.paramName, m.paramValue])).toEqual([
      ['radius', 0.5],
      ['radius', 1],
      ['radius', 1.5],
    ]);
  });
});

// A sweep over checkpoints: the file axis (a glob over the committed .npz files) x ratio, written
// where the spec sits so the glob is relative to it; the worker computes from the stored spec only.
const ckptDir = join(dir, 'ckpt');
mkdirSync(join(ckptDir, 'checkpoints'), { recursive: true });
for (const f of readdirSync(join(projectRoot, 'examples', 'checkpoints')))
  copyFileSync(join(projectRoot, 'examples', 'checkpoints', f), join(ckptDir, 'checkpoints', f));
const ckptSpec = join(ckptDir, 'sweep.json');
writeFileSync(
  ckptSpec,
  JSON.stringify({
    id: 'ckpt-e2e',
    kind: 'certify',
    game: { file: { glob: 'checkpoints/*.npz' } },
    weights: { ratio: { values: [0.2, 1, 5] } },
    execution: { batchSize: 2, concurrency: 2 },
  }),
);

describe('a file-axis sweep on Temporal + PostgreSQL', () => {
  it('stores every cell once with its file name, equal to the in-process computation', async () => {
    const r = await runCli(['sweep', 'start', ckptSpec, '--wait'], env);
    expect(r.code, r.stderr).toBe(0);
    const resolved = resolveSpecFile(ckptSpec);
    const check = await checkStored(db.prisma, 'ckpt-e2e', await referenceCells(resolved));
    expect(check).toMatchObject({
      expected: 9,
      stored: 9,
      duplicates: 0,
      mismatches: 0,
      missing: 0,
      status: 'completed',
    });
    const cells = await db.prisma.cellResult.findMany({
      where: { sweepId: 'ckpt-e2e' },
      orderBy: { cellIndex: 'asc' },
    });
    expect(cells.map((c) => (c.params as { file: string }).file)).toEqual(
      ['step-0100', 'step-0200', 'step-0300'].flatMap((s) => Array<string>(3).fill(`checkpoints/${s}.npz`)),
    );
    // The boxes shrink from radius 1.5 to 0.5 around x*: the margin grows towards the converged game's.
    const alphas = [1, 4, 7].map((i) => cells[i].optimalAlpha ?? NaN);
    expect(alphas[0]).toBeLessThan(alphas[1]);
    expect(alphas[1]).toBeLessThan(alphas[2]);
    // Band maps, one per checkpoint, drawn against its position in the glob's sorted list.
    const maps = await db.prisma.bandMap.findMany({
      where: { sweepId: 'ckpt-e2e' },
      orderBy: { paramValue: 'asc' },
    });
    expect(maps.map((m) => [m.paramName, m.paramValue, m.alphas.length])).toEqual([
      ['file', 0, 3],
      ['file', 1, 3],
      ['file', 2, 3],
    ]);
    const found = await runCli(
      ['sweep', 'results', 'ckpt-e2e', '--where', 'file=checkpoints/step-0200.npz', '--format', 'json'],
      env,
    );
    expect(found.code, found.stderr).toBe(0);
    expect((JSON.parse(found.stdout) as { cellIndex: number }[]).map((x) => x.cellIndex)).toEqual([3, 4, 5]);
    // The report draws the band against the checkpoints' positions.
    const report = await runCli(['report', 'ckpt-e2e', '--out', join(ckptDir, 'report')], env);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/report\.html/);
    expect(readFileSync(join(ckptDir, 'report', 'report.html'), 'utf8')).toContain(
      'checkpoints/step-0300.npz',
    );
  });
});
