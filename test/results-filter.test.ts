// `sgn sweep results --where` on the swept game parameter and the ratio reads the indexed
// columns (index (sweep_id, game_param, ratio)), and finds exactly the cells a filter on the
// params document finds. Results are read a page at a time through a cursor, and the CLI streams
// them as CSV and JSON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../db/client.js';
import { writeCellBatch } from '../db/cell-batches.js';
import type { CellInsert } from '../db/exact-writes.js';
import {
  forEachResultPage,
  resultRows,
  resultsQuery,
  RESULTS_PAGE,
  type ResultRow,
} from '../sweep/queries.js';
import { runCli } from './support/processes.js';
import { runSgnInProcess } from './support/sgn-in-process.js';
import { startTripwire, type Tripwire } from './support/tripwire.js';
import { bareSweep, createTestDatabase, type TestDatabase } from './support/database.js';

const LAMBDAS = Array.from({ length: 50 }, (_, i) => i / 49); // awkward doubles: 1/49, 2/49, ...
const RATIOS = Array.from({ length: 100 }, (_, j) => 10 ** (-2 + (4 * j) / 99));

function cell(index: number): CellInsert {
  const lambda = LAMBDAS[Math.floor(index / RATIOS.length)];
  const ratio = RATIOS[index % RATIOS.length];
  return {
    cellIndex: index,
    cellKey: `k${index}`,
    params: { lambda, ratio },
    gameParam: lambda,
    ratio,
    regionRadius: null,
    seed: null,
    certified: index % 3 === 0,
    gammaEuclidean: 0.5,
    alpha: index / 7,
    beta: 1,
    eulerStep: 0.1,
    rk4Step: 0.2,
    weights: [1, ratio],
    mu: [1, 1],
    couplingL: [
      [0, lambda],
      [lambda, 0],
    ],
    optimalAlpha: 0.3,
    optimalRatio: 1,
    bandMinus: 0.1,
    bandPlus: 10,
    alphaTrue: 0.4,
    hStabEuler: 1,
    hStabRk4: 2,
    error: null,
  };
}

// As resolveSpec stores them.
const axes = [
  { name: 'lambda', target: 'game', axis: { values: LAMBDAS } },
  { name: 'ratio', target: 'weights', axis: { values: RATIOS } },
];

let db: TestDatabase;
let tripwire: Tripwire;
beforeAll(async () => {
  [db, tripwire] = await Promise.all([createTestDatabase({ label: 'filter' }), startTripwire()]);
  const rows = Array.from({ length: LAMBDAS.length * RATIOS.length }, (_, i) => cell(i));
  for (const id of ['axes', 'bare']) {
    await db.prisma.sweep.create({ data: bareSweep(id, rows.length) });
    // As startSweep stores a spec: as JSON text, every number exact (a Json value goes through
    // Prisma rounded to 16 digits).
    if (id === 'axes')
      await db.prisma
        .$executeRaw`UPDATE sweeps SET spec = ${JSON.stringify({ axes })}::jsonb WHERE id = ${id}`;
    await writeCellBatch(db.prisma, id, 'test', rows);
  }
  // What autovacuum does for a sweep's filled block ranges (autosummarize), now.
  await db.prisma
    .$queryRaw`SELECT brin_summarize_new_values('cell_results_sweep_id_game_param_ratio_alpha_idx')`;
  await db.prisma.$executeRaw`ANALYZE cell_results`;
}, 120_000);
afterAll(async () => Promise.all([db?.drop(), tripwire?.close()]));

/** The cells a filter on the params document finds (the reference), by cell index. */
async function byParams(sweepId: string, where: Record<string, number>): Promise<number[]> {
  const conditions = Object.entries(where).map(
    ([k, v]) => Prisma.sql`(params ->> ${k})::float8 = ${String(v)}::float8`,
  );
  const rows = await db.prisma.$queryRaw<{ cell_index: number }[]>`
    SELECT cell_index FROM cell_results WHERE sweep_id = ${sweepId} AND ${Prisma.join(conditions, ' AND ')}
    ORDER BY cell_index`;
  return rows.map((r) => r.cell_index);
}

/** The tidy CSV's columns for these cells (sweep/tidy.ts). */
const TIDY_HEADER = [
  'cellIndex,cellKey,lambda,ratio,certified,alpha,beta,eulerStep,rk4Step,alphaTrue,gammaEuclidean',
  'optimalAlpha,optimalRatio,bandMinus,bandPlus,hStabEuler,hStabRk4,weights_1,weights_2,mu_1,mu_2',
  'L_1_1,L_1_2,L_2_1,L_2_2,error',
].join(',');

const clauses = (where: Record<string, number>): string[] =>
  Object.entries(where).map(([key, v]) => `${key}=${v}`);

describe('results filtered on swept parameters', () => {
  // Each filter with the number of cells it matches.
  const filters: [Record<string, number>, number][] = [
    [{ lambda: LAMBDAS[17] }, RATIOS.length],
    [{ ratio: RATIOS[42] }, LAMBDAS.length],
    [{ lambda: LAMBDAS[3], ratio: RATIOS[99] }, 1],
    [{ lambda: 0.123 }, 0],
  ];

  it('find exactly the cells whose params match, through the columns or not', async () => {
    for (const [where, count] of filters) {
      const expected = await byParams('axes', where);
      expect(expected).toHaveLength(count);
      for (const sweepId of ['axes', 'bare']) {
        const got = (await resultRows(db.prisma, sweepId, clauses(where))).map((r) => r.cellIndex);
        expect(got, `${sweepId} ${JSON.stringify(where)}`).toEqual(expected);
      }
    }
  });

  it('take a number as printed (6 significant digits) for the axis value it stands for', async () => {
    const printed = (x: number): string => String(Number(x.toPrecision(6)));
    expect(printed(LAMBDAS[17])).not.toBe(String(LAMBDAS[17]));
    const where = [`lambda=${printed(LAMBDAS[17])}`, `ratio=${printed(RATIOS[42])}`];
    const got = (await resultRows(db.prisma, 'axes', where)).map((r) => r.cellIndex);
    expect(got).toEqual(await byParams('axes', { lambda: LAMBDAS[17], ratio: RATIOS[42] }));
    expect(got).toHaveLength(1);
    // Without the axes in its spec, a sweep compares the number as given.
    expect(await resultRows(db.prisma, 'bare', where)).toEqual([]);
  });

  it('refuse a key that is not a parameter of the sweep, naming it and the parameters', async () => {
    await expect(resultRows(db.prisma, 'axes', ['mu0=1'])).rejects.toThrow(
      '--where mu0=1: "mu0" is neither a parameter of the sweep (lambda, ratio) nor an output of its cells (certified, error, cellKey, cellIndex, alpha,',
    );
  });

  it('read the game parameter and the ratio from their columns, through the index', async () => {
    const plan = async (sweepId: string, where: Record<string, number>): Promise<string> => {
      const rows = await db.prisma.$queryRaw<{ 'QUERY PLAN': string }[]>(
        Prisma.sql`EXPLAIN ${await resultsQuery(db.prisma, sweepId, clauses(where))}`,
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    const lambda = await plan('axes', { lambda: LAMBDAS[17] });
    expect(lambda).toContain('cell_results_sweep_id_game_param_ratio_alpha_idx');
    expect(lambda).toMatch(/game_param = /);
    expect(await plan('axes', { lambda: LAMBDAS[3], ratio: RATIOS[9] })).toMatch(/ratio = /);
    // A sweep whose spec names no axes filters on the params document.
    expect(await plan('bare', { lambda: LAMBDAS[17] })).toMatch(/params ->> /);
  });
});

describe('a file axis: the file names stored in params, found by --where file=<name>', () => {
  const FILES = ['checkpoints/step-0100.npz', 'checkpoints/step-0200.npz', 'it\'s, "quoted".json'];
  const fileAxes = [
    { name: 'file', target: 'game', axis: { values: [0, 1, 2] }, files: FILES },
    { name: 'ratio', target: 'weights', axis: { values: RATIOS.slice(0, 4) } },
  ];
  const rows = Array.from({ length: 12 }, (_, i): CellInsert => {
    const base = cell(i);
    return {
      ...base,
      params: { file: FILES[Math.floor(i / 4)], ratio: RATIOS[i % 4] },
      gameParam: null,
      ratio: RATIOS[i % 4],
    };
  });
  beforeAll(async () => {
    await db.prisma.sweep.create({ data: bareSweep('files', rows.length) });
    await db.prisma
      .$executeRaw`UPDATE sweeps SET spec = ${JSON.stringify({ axes: fileAxes })}::jsonb WHERE id = 'files'`;
    await writeCellBatch(db.prisma, 'files', 'test', rows);
  });

  it('store each row its file name and find the file cells', async () => {
    const all = await resultRows(db.prisma, 'files', []);
    expect(all.map((r) => r.params)).toEqual(rows.map((r) => r.params));
    const got = await resultRows(db.prisma, 'files', [`file=${FILES[2]}`, `ratio=${RATIOS[1]}`]);
    expect(got.map((r) => r.cellIndex)).toEqual([9]);
    expect((await resultRows(db.prisma, 'files', [`file=${FILES[0]}`])).map((r) => r.cellIndex)).toEqual([
      0, 1, 2, 3,
    ]);
  });

  it('refuse a name that is not one of the files, on one line', async () => {
    await expect(resultRows(db.prisma, 'files', ['file=step-0100.npz'])).rejects.toThrow(
      `--where file=step-0100.npz: "step-0100.npz" is not one of the sweep's 3 files (${FILES.join(', ')})`,
    );
    await expect(resultRows(db.prisma, 'files', [`file<${FILES[1]}`])).rejects.toThrow(
      `--where file<${FILES[1]}: file takes = or != only`,
    );
  });
});

describe('results read page by page', () => {
  const ALL = LAMBDAS.length * RATIOS.length;
  const LONG = 2 * RESULTS_PAGE + 123;

  beforeAll(async () => {
    await db.prisma.sweep.create({ data: bareSweep('long', LONG) });
    const rows = Array.from({ length: LONG }, (_, i) => ({
      ...cell(i % ALL),
      cellIndex: i,
      cellKey: `L${i}`,
      certified: i % 3 === 0,
    }));
    await writeCellBatch(db.prisma, 'long', 'test', rows);
  }, 60_000);

  async function pages(sweepId: string, where: string[], limit?: number) {
    const sizes: number[] = [];
    const indices: number[] = [];
    await forEachResultPage(
      db.prisma,
      sweepId,
      where,
      (page: ResultRow[]) => {
        sizes.push(page.length);
        for (const r of page) indices.push(r.cellIndex);
      },
      { limit },
    );
    return { sizes, indices };
  }

  it('hand over every matching row once, in cell order, a page at a time', async () => {
    const upTo = (n: number, step = 1) => Array.from({ length: n }, (_, i) => step * i);
    expect(await pages('long', [])).toEqual({
      sizes: [RESULTS_PAGE, RESULTS_PAGE, 123],
      indices: upTo(LONG),
    });
    const certified = await pages('long', ['certified=yes']);
    expect(certified.indices).toEqual(upTo(Math.ceil(LONG / 3), 3));
    expect(certified.sizes).toEqual([Math.ceil(LONG / 3)]); // under a page: one FETCH
    expect(await pages('long', [], RESULTS_PAGE + 7)).toEqual({
      sizes: [RESULTS_PAGE, 7],
      indices: upTo(RESULTS_PAGE + 7),
    });
  });

  const cli = (...args: string[]) =>
    runSgnInProcess(['sweep', 'results', 'axes', ...args], {
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: tripwire.address,
    });

  it('print axis values in the table as --where reads them back: each label finds its cell', async () => {
    const shown = await cli('--where', 'certified=true', '--limit', '6');
    expect(shown.code, shown.stderr).toBe(0);
    const [header, , ...rows] = shown.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/));
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      const [cellIndex, lambda, ratio] = ['cell', 'lambda', 'ratio'].map((h) => row[header.indexOf(h)]);
      const found = await cli('--where', `lambda=${lambda}`, '--where', `ratio=${ratio}`, '--format', 'csv');
      expect(found.code, found.stderr).toBe(0);
      const cells = found.stdout.trim().split('\n').slice(1);
      expect(cells.map((l) => l.split(',')[0])).toEqual([cellIndex]);
    }
  });

  it('stream CSV and JSON from the CLI equal to the rows read at once, a full page and one more', async () => {
    expect(ALL).toBe(RESULTS_PAGE); // the cursor's first page is full: the CLI asks for another
    const rows = await resultRows(db.prisma, 'axes', []);
    const json = await cli('--format', 'json');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(rows)));
    expect(json.stdout.split('\n')).toHaveLength(ALL + 3); // `[`, a row a line, `]`, final newline
    const csv = await cli('--format', 'csv');
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(TIDY_HEADER);
    expect(lines).toHaveLength(1 + ALL);
    expect(lines[ALL].split(',')[0]).toBe(String(ALL - 1));
    expect(tripwire.connections()).toBe(0);
  });

  it('stop quietly when the reader closes the pipe early (`| head`)', async () => {
    const env = { DATABASE_URL: db.url, TEMPORAL_ADDRESS: tripwire.address };
    for (const format of ['csv', 'json']) {
      const r = await runCli(['sweep', 'results', 'long', '--format', format], env, {
        closeStdoutAfter: 1000,
      });
      expect(r.stdout.length).toBeLessThan(LONG * 100); // it did stop early
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    }
  }, 60_000);

  it('print an empty array or the header alone when nothing matches, and nothing on a bad filter', async () => {
    const none = ['--where', 'lambda=0.123'];
    expect(JSON.parse((await cli('--format', 'json', ...none)).stdout)).toEqual([]);
    const empty = await cli('--format', 'csv', ...none);
    expect(empty.stdout).toBe(`${TIDY_HEADER}\n`);
    expect(empty.stderr).toBe(
      'no cell of sweep axes matches --where lambda=0.123\n' +
        'lambda=0.123: 0.123 is not a value of axis lambda (nearby: 0.122449, 0.142857)\n',
    );
    const bad = await cli('--format', 'csv', '--where', 'mu0=1');
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
  });
});
