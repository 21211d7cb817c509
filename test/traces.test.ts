/**
 * Traces through PostgreSQL: step-size rows with their thinned histories computed in-process by
 * stepsizeRange (as the activity does), written by the activity's inserts (results, then traces;
 * a retried batch's traces are skipped), and exported by `sgn sweep trace <id> --out file.csv` as
 * a user runs it (a child process), in long format with the game's parameters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { runCli } from './support/processes.js';
import { projectRoot } from './support/reference.js';
import { resolveSpec } from '../sweep/resolve.js';
import type { ResolvedSweep } from '../sweep/resolved.js';
import { splitTraces, stepsizeRange, type StepsizeRow } from '../sweep/compute.js';
import { insertStepsizeResults, insertStepsizeTraces } from '../db/exact-writes.js';
import { totalWork } from '../activities/plan.js';
import { sweepWorkflowId } from '../contracts/workflow.js';

const linear = resolveSpec(
  {
    kind: 'stepsize',
    game: {
      family: 'quadratic',
      Q1: [[1]],
      Q2: [[1]],
      R: [[1]],
      a: 2,
      b: 0.5,
      lambda: { values: [0.2, 0.5] },
    },
    stepsize: {
      integrators: ['euler', 'rk4'],
      multipliers: [0.5, 1],
      steps: 200,
      seeds: 2,
      start: { distribution: 'box', scale: 0.5, seed: 3 },
      converged: { criterion: 'residual-ratio', tol: 1e-6 },
      trace: { points: 30 },
    },
  },
  { baseDir: projectRoot },
);
const markov = resolveSpec(
  {
    kind: 'stepsize',
    game: { file: 'examples/games/markov-coordination.json' },
    stepsize: {
      integrators: ['npg'],
      multipliers: [1],
      steps: 100,
      seeds: 2,
      converged: { criterion: 'bounded', tol: 1e-6, bound: 1 },
      trace: { points: 12 },
    },
  },
  { baseDir: projectRoot },
);

async function register(db: TestDatabase, id: string, resolved: ResolvedSweep): Promise<void> {
  await db.prisma.sweep.create({
    data: {
      id,
      kind: resolved.kind,
      status: 'completed',
      spec: resolved as unknown as object,
      specHash: resolved.specHash,
      totalCells: totalWork(resolved),
      workflowId: sweepWorkflowId(id, 'traces'),
    },
  });
}

/** As the activity writes a batch: results, then their traces, in one transaction. */
async function store(db: TestDatabase, id: string, rows: readonly StepsizeRow[]): Promise<number> {
  return db.prisma.$transaction(async (tx) => {
    const { results, traces } = splitTraces(rows);
    await insertStepsizeResults(tx, id, results);
    return insertStepsizeTraces(tx, id, traces);
  });
}

describe('stepsize traces in PostgreSQL and sgn sweep trace', () => {
  let db: TestDatabase;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let linearRows: StepsizeRow[];
  let markovRows: StepsizeRow[];
  const sgn = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    db = await createTestDatabase({ label: 'traces' });
    tmp = mkdtempSync(join(tmpdir(), 'sgn-traces-'));
    env = { DATABASE_URL: db.url };
    linearRows = await stepsizeRange(linear, 0, linear.gameCells);
    markovRows = await stepsizeRange(markov, 0, 1);
    await register(db, 'lin', linear);
    await register(db, 'mk', markov);
    await register(db, 'none', { ...linear, stepsize: { ...linear.stepsize!, trace: undefined } });
  });

  afterAll(async () => {
    await db?.drop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('stores one row per run; a retried batch adds none; the criterion is stored with each result', async () => {
    expect(await store(db, 'lin', linearRows)).toBe(2 * 2 * 2 * 2); // games x integrators x multipliers x seeds
    expect(await store(db, 'lin', linearRows)).toBe(0);
    expect(await store(db, 'mk', markovRows)).toBe(2);
    const criteria = await db.prisma.stepsizeResult.findMany({
      where: { sweepId: { in: ['lin', 'mk'] } },
      select: { sweepId: true, convergence: true },
    });
    expect(new Set(criteria.map((r) => `${r.sweepId}: ${r.convergence}`))).toEqual(
      new Set(['lin: residual-ratio <= 0.000001', 'mk: residual <= 0.000001 or distance <= 1']),
    );
  });

  it('exports long-format CSV: one line per run and kept step, the values bit for bit', async () => {
    const file = join(tmp, 'lin.csv');
    const r = await sgn('sweep', 'trace', 'lin', '--out', file);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'cell_index,lambda,integrator,multiplier,step,run,k,t,residual,distance,metric_distance,lyapunov',
    );
    const { traces } = splitTraces(linearRows);
    const expected = traces
      .sort(
        (a, b) =>
          a.cellIndex - b.cellIndex ||
          a.integrator.localeCompare(b.integrator) ||
          a.multiplier - b.multiplier ||
          a.run - b.run,
      )
      .flatMap((t) =>
        t.k.map((k, j) =>
          [
            t.cellIndex,
            linear.axes[0].name === 'lambda' ? [0.2, 0.5][t.cellIndex] : '?',
            t.integrator,
            t.multiplier,
            t.step,
            t.run,
            k,
            k * t.step,
            t.residual[j],
            t.distance[j],
            t.metricDistance[j],
            '',
          ].join(','),
        ),
      );
    expect(lines.slice(1)).toEqual(expected);
    expect(r.stdout).toContain(`${expected.length} rows (16 runs)`);
    // Bounded: every run has at most 30 kept steps, starting at 0.
    expect(expected.length).toBeLessThanOrEqual(16 * 30);
    expect(readdirSync(tmp).some((f) => f.includes('.partial-'))).toBe(false);
  });

  it('Markov runs carry the KL Lyapunov value', async () => {
    const file = join(tmp, 'mk.csv');
    const r = await sgn('sweep', 'trace', 'mk', '--out', file);
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const { traces } = splitTraces(markovRows);
    expect(rows).toHaveLength(traces.reduce((n, t) => n + t.k.length, 0));
    const lyapunov = rows.map((l) => Number(l[l.length - 1]));
    expect(lyapunov.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(lyapunov).toEqual(traces.flatMap((t) => t.lyapunov!));
  });

  it('refuses a sweep without traces, or an unknown one, in one line, and writes nothing', async () => {
    const file = join(tmp, 'none.csv');
    const a = await sgn('sweep', 'trace', 'none', '--out', file);
    expect(a.code).toBe(2);
    expect(a.stderr.trim()).toMatch(
      /^sgn sweep: sweep trace: sweep "none" has no stored traces .*stepsize\.trace/,
    );
    const b = await sgn('sweep', 'trace', 'nosuch', '--out', file);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('no sweep with id "nosuch"');
    const c = await sgn('sweep', 'trace', 'lin', '--out', join(tmp, 'x.json'));
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('--out: must end in .csv');
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(tmp).some((f) => f.includes('.partial-'))).toBe(false);
  });
});
