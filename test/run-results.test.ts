/**
 * `sgn sweep results` of a step-size sweep lists its runs (stepsize_results), real PostgreSQL:
 * the runs of the poison fixture (one singular game among healthy ones, both integrators)
 * computed in-process by stepsizeRange as the activity does, written by the activity's insert,
 * and read back through the CLI as a user runs it: the table with the failed game's error text,
 * `--where` on the game's parameters and on the runs' outputs (checked against a filter of the
 * computed rows written here), CSV, JSON and Parquet with every value exact, and the refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { bareSweep, createTestDatabase, type TestDatabase } from './support/database.js';
import { runSgnInProcess } from './support/sgn-in-process.js';
import { startTripwire, type Tripwire } from './support/tripwire.js';
import { projectRoot } from './support/reference.js';
import { resolveSpecFile } from '../sweep/resolve.js';
import { stepsizeRange, splitTraces, type StepsizeRow } from '../sweep/compute.js';
import { insertStepsizeResults } from '../db/exact-writes.js';
import { totalWork } from '../activities/plan.js';
import { cellAt } from '../sweep/cells.js';
import { failureListCommands } from '../sweep/queries.js';
import { startDashboard } from '../dashboard/server.js';
import type { ResolvedSweep } from '../sweep/resolved.js';

const spec = resolveSpecFile(join(projectRoot, 'test', 'fixtures', 'poison-stepsize.yaml'));
// Both integrators, so that conditions on the integrator have something to tell apart.
const resolved: ResolvedSweep = { ...spec, stepsize: { ...spec.stepsize!, integrators: ['euler', 'rk4'] } };
const SINGULAR = 'game: H is singular, so the game has no unique equilibrium';

let db: TestDatabase;
let tripwire: Tripwire;
let dir: string;
let runs: StepsizeRow[];
const lambdaOf = (r: StepsizeRow): number => cellAt(resolved, r.cellIndex).params.lambda as number;

const cli = (...args: string[]) =>
  runSgnInProcess(['sweep', 'results', ...args], {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: tripwire.address,
  });

beforeAll(async () => {
  [db, tripwire] = await Promise.all([createTestDatabase({ label: 'runs' }), startTripwire()]);
  dir = mkdtempSync(join(tmpdir(), 'sgn-runs-'));
  runs = await stepsizeRange(resolved, 0, resolved.gameCells);
  await db.prisma.sweep.create({
    data: {
      id: 'poison',
      kind: 'stepsize',
      status: 'completed',
      spec: resolved as unknown as object,
      specHash: resolved.specHash,
      totalCells: totalWork(resolved),
      workflowId: 'w-poison',
    },
  });
  await db.prisma.sweep.create({ data: bareSweep('cells-only', 0, 'completed') });
  // The same runs as the step-size part of a `both` sweep (whose certificates did not fail).
  await db.prisma.sweep.create({
    data: {
      id: 'both',
      kind: 'both',
      status: 'completed',
      spec: { ...resolved, kind: 'both' } as unknown as object,
      specHash: resolved.specHash,
      totalCells: 2 * totalWork(resolved),
      workflowId: 'w-both',
    },
  });
  await insertStepsizeResults(db.prisma, 'poison', splitTraces(runs).results);
  await insertStepsizeResults(db.prisma, 'both', splitTraces(runs).results);
}, 120_000);

afterAll(async () => {
  await tripwire?.close();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The CSV's rows as objects (no field here holds a comma but the quoted error text). */
function csvObjects(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trimEnd().split('\n');
  const names = head.split(',');
  return lines.map((line) => {
    const fields = line.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((f) => f.replace(/,$/, '').replace(/^"|"$/g, ''));
    return Object.fromEntries(names.map((n, i) => [n, fields[i]]));
  });
}

const printedNumber = (x: number | null): string => (x === null ? '' : String(x));

describe('sgn sweep results of a step-size sweep: its runs', () => {
  it('computes the fixture as the test expects: one failed game (both integrators, both steps)', () => {
    expect(runs).toHaveLength(6 * 2 * 2);
    expect(runs.filter((r) => r.error !== null).map((r) => [r.cellIndex, lambdaOf(r), r.error])).toEqual(
      Array.from({ length: 4 }, () => [3, 1, SINGULAR]),
    );
  });

  it('lists the runs as a table, the error text in its own column; error=any lists the failed game', async () => {
    const all = await cli('poison');
    expect(all.code, all.stderr).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual([
      'game', 'lambda', 'integrator', 'multiplier', 'step', 'certifiedStep', 'converged', 'rho', 'error',
    ]); // prettier-ignore
    expect(lines.length - 2).toBe(runs.length);

    const failed = await cli('poison', '--where', 'error=any');
    expect(failed.code, failed.stderr).toBe(0);
    const rows = failed.stdout.trimEnd().split('\n').slice(2);
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toMatch(new RegExp(`^3\\s+1\\s+(euler|rk4)\\s+.* ${SINGULAR}$`));
    // Nothing but the table on stdout; Temporal was never reached.
    expect(failed.stderr).toBe('');
    expect(tripwire.connections()).toBe(0);
  });

  it('filters on the game parameters and the run outputs together, exactly as the computed rows', async () => {
    const cases: [string[], (r: StepsizeRow) => boolean][] = [
      [['lambda<=0.5'], (r) => lambdaOf(r) <= 0.5],
      [['lambda=0.75', 'integrator=rk4'], (r) => lambdaOf(r) === 0.75 && r.integrator === 'rk4'],
      [['multiplier>=1', 'integrator!=euler'], (r) => r.multiplier >= 1 && r.integrator !== 'euler'],
      [['convergedFraction<1'], (r) => r.convergedFraction !== null && r.convergedFraction < 1],
      [['spectralRadius>0.9', 'lambda!=0.9'], (r) => (r.spectralRadius ?? -1) > 0.9 && lambdaOf(r) !== 0.9],
      [['error=none', 'step=null'], (r) => r.error === null && r.step === null],
      [['error=singular'], (r) => r.error?.includes('singular') === true],
    ];
    for (const [where, keep] of cases) {
      const r = await cli('poison', '--format', 'csv', ...where.flatMap((w) => ['--where', w]));
      expect(r.code, `${where.join(' ')}: ${r.stderr}`).toBe(0);
      const got = csvObjects(r.stdout).map((o) => `${o.cellIndex} ${o.integrator} ${o.multiplier}`);
      const want = runs.filter(keep).map((x) => `${x.cellIndex} ${x.integrator} ${x.multiplier}`);
      expect(got.sort(), where.join(' ')).toEqual(want.sort());
    }
  });

  it('CSV: a column per game parameter and output, every number exact', async () => {
    const r = await cli('poison', '--format', 'csv');
    expect(r.code, r.stderr).toBe(0);
    const rows = csvObjects(r.stdout);
    expect(Object.keys(rows[0])).toEqual([
      'cellIndex', 'cellKey', 'lambda', 'integrator', 'multiplier', 'step', 'certifiedStep', 'exactThreshold',
      'convergedFraction', 'empiricalFactor', 'predictedFactor', 'spectralRadius', 'gammaEuclidean', 'stableExact',
      'convergence', 'error',
    ]); // prettier-ignore
    const byKey = new Map(rows.map((o) => [`${o.cellIndex} ${o.integrator} ${o.multiplier}`, o]));
    for (const x of runs) {
      const o = byKey.get(`${x.cellIndex} ${x.integrator} ${x.multiplier}`)!;
      expect(o.lambda).toBe(String(lambdaOf(x)));
      expect([o.step, o.certifiedStep, o.convergedFraction, o.spectralRadius, o.gammaEuclidean]).toEqual(
        [x.step, x.certifiedStep, x.convergedFraction, x.spectralRadius, x.gammaEuclidean].map(printedNumber),
      );
      expect(o.error).toBe(x.error ?? '');
    }
  });

  it('JSON and Parquet carry the same runs (Parquet typed, the file appears whole)', async () => {
    const json = await cli('poison', '--format', 'json', '--where', 'error=any');
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      cellIndex: number;
      params: { lambda: number };
      error: string;
    }[];
    expect(parsed.map((p) => [p.cellIndex, p.params.lambda, p.error])).toEqual(
      Array.from({ length: 4 }, () => [3, 1, SINGULAR]),
    );

    const file = join(dir, 'runs.parquet');
    const pq = await cli('poison', '--format', 'parquet', '--out', file);
    expect(pq.code, pq.stderr).toBe(0);
    expect(pq.stderr).toBe(`${file}: ${runs.length} rows (parquet)\n`);
    const buf = await asyncBufferFromFile(file);
    const meta = await parquetMetadataAsync(buf);
    const types = Object.fromEntries(meta.schema.slice(1).map((s) => [s.name, s.converted_type ?? s.type]));
    expect([types.cellIndex, types.lambda, types.integrator, types.step, types.stableExact, types.error]).toEqual([
      'INT32', 'DOUBLE', 'UTF8', 'DOUBLE', 'BOOLEAN', 'UTF8',
    ]); // prettier-ignore
    const back = (await parquetReadObjects({ file: buf })) as Record<string, unknown>[];
    expect(back).toHaveLength(runs.length);
    const stored = new Map(back.map((b) => [`${b.cellIndex} ${b.integrator} ${b.multiplier}`, b]));
    for (const x of runs) {
      const b = stored.get(`${x.cellIndex} ${x.integrator} ${x.multiplier}`)!;
      expect([b.lambda, b.step, b.spectralRadius, b.error]).toEqual([
        lambdaOf(x),
        x.step,
        x.spectralRadius,
        x.error,
      ]);
    }
  });

  it('a both sweep lists its certificates unless --runs; the failure hint names the command that lists them', async () => {
    const cells = await cli('both', '--where', 'error=any');
    expect(cells.code, cells.stderr).toBe(0);
    expect(cells.stdout.split('\n')[0]).toMatch(/^cell\s+lambda\s+certified\s+alpha/);
    const failed = await cli('both', '--runs', '--where', 'error=any');
    expect(failed.code, failed.stderr).toBe(0);
    expect(failed.stdout.trimEnd().split('\n').slice(2)).toHaveLength(4);
    expect(await failureListCommands(db.prisma, 'both')).toEqual([
      'sgn sweep results both --runs --where error=any',
    ]);
    expect(await failureListCommands(db.prisma, 'poison')).toEqual([
      'sgn sweep results poison --where error=any',
    ]);
  });

  it('--aggregate pools the runs over an axis: per integrator and multiplier, counts, rates, medians', async () => {
    const r = await cli('poison', '--aggregate', 'lambda', '--format', 'csv');
    expect(r.code, r.stderr).toBe(0);
    const rows = csvObjects(r.stdout);
    // Groups in the order the runs are read (game, integrator, multiplier).
    const keys = [
      ['euler', 0.5],
      ['euler', 1],
      ['rk4', 0.5],
      ['rk4', 1],
    ] as const;
    expect(rows.map((o) => [o.integrator, Number(o.multiplier)])).toEqual(keys);
    // np.median of the odd count of healthy runs: the middle one; the mean left to right.
    const middle = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) / 2];
    keys.forEach(([integrator, multiplier], k) => {
      const group = runs.filter((x) => x.integrator === integrator && x.multiplier === multiplier);
      const healthy = group.filter((x) => x.error === null);
      expect(healthy).toHaveLength(5);
      const o = rows[k];
      expect([Number(o.runs), Number(o.failed)]).toEqual([6, 1]);
      expect(Number(o.convergedRate)).toBe(healthy.filter((x) => x.convergedFraction === 1).length / 5);
      expect(Number(o.stableRate)).toBe(healthy.filter((x) => x.stableExact === true).length / 5);
      expect(Number(o.step_median)).toBe(middle(healthy.map((x) => x.step!)));
      expect(Number(o.spectralRadius_median)).toBe(middle(healthy.map((x) => x.spectralRadius!)));
      const mean = healthy.reduce((a, x) => a + x.convergedFraction!, 0) / 5;
      expect(Number(o.convergedFraction_mean)).toBeCloseTo(mean, 15);
      expect(Number(o.step_n)).toBe(5);
    });
    const shown = await cli('poison', '--aggregate', 'lambda', '--where', 'integrator=rk4');
    expect(shown.code, shown.stderr).toBe(0);
    const lines = shown.stdout.trimEnd().split('\n');
    expect(lines[0].split(/ {2,}/).slice(0, 6)).toEqual([
      'integrator',
      'multiplier',
      'runs',
      'failed',
      'allConverged',
      'stable',
    ]);
    expect(lines).toHaveLength(2 + 2 + 1);
    expect(lines[4]).toMatch(/^\(2 groups pooled over lambda;/);
    const ratio = await cli('both', '--runs', '--aggregate', 'ratio');
    expect([ratio.code, ratio.stdout]).toEqual([2, '']);
    expect(ratio.stderr.trim().split('\n')).toHaveLength(1);
    const parquet = await cli(
      'poison',
      '--aggregate',
      'lambda',
      '--format',
      'parquet',
      '--out',
      join(dir, 'g.parquet'),
    );
    expect([parquet.code, parquet.stderr]).toEqual([
      2,
      'sgn sweep: --aggregate: writes a table, csv or json (not parquet)\n',
    ]);
  });

  it('the dashboard lists the runs too: its results table (JSON) and CSV download', async () => {
    const { server, url } = await startDashboard(
      { prisma: db.prisma, links: { namespace: 'default' }, host: '127.0.0.1', port: 0 },
      () => undefined,
    );
    try {
      const table = (await (await fetch(`${url}api/sweeps/poison/results?where=error%3Dany`)).json()) as {
        kind: string;
        total: number;
        params: string[];
        rows: { cellIndex: number; integrator: string; error: string }[];
      };
      expect(table.kind).toBe('runs');
      expect(table.params).toEqual(['lambda']);
      expect(table.total).toBe(4);
      expect(table.rows.map((r) => [r.cellIndex, r.error])).toEqual(
        Array.from({ length: 4 }, () => [3, SINGULAR]),
      );
      const csv = await (await fetch(`${url}api/sweeps/poison/results.csv?where=integrator%3Drk4`)).text();
      const rows = csvObjects(csv);
      expect(rows).toHaveLength(runs.filter((r) => r.integrator === 'rk4').length);
      expect(rows.every((o) => o.integrator === 'rk4' && o.lambda !== undefined)).toBe(true);
      // A both sweep's table lists its certificates (none stored here).
      const both = (await (await fetch(`${url}api/sweeps/both/results`)).json()) as {
        kind: string;
        params: string[];
      };
      expect(both.kind).toBe('cells');
      expect(both.params).toEqual(['lambda']);
    } finally {
      server.close();
    }
  });

  it('says why nothing matched, and refuses what does not apply, in one line', async () => {
    const off = await cli('poison', '--where', 'lambda=0.6');
    expect(off.code).toBe(0);
    expect(off.stderr).toBe(
      'no step-size run of sweep poison matches --where lambda=0.6\n' +
        'lambda=0.6: 0.6 is not a value of axis lambda (nearby: 0.5, 0.75)\n',
    );
    const cert = await cli('poison', '--where', 'alpha>0');
    expect(cert.code).toBe(2);
    expect(cert.stderr).toMatch(
      /^sgn sweep: --where alpha>0: "alpha" is neither a parameter of the sweep \(lambda\) nor an output of its runs \(error, cellKey, integrator, .*spectralRadius.*\)\n$/,
    );
    const none = await cli('cells-only', '--runs');
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      'sgn sweep: --runs: sweep "cells-only" has no step-size runs (it is a certify sweep)\n',
    );
    const missing = await cli('nope');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('sgn sweep: sweep: no sweep with id "nope" (see: sgn sweep list)\n');
  });
});
