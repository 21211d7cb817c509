// The --where language against a direct filter of the stored cells (real PostgreSQL), with NaN,
// null and failed cells among them; the tidy CSV and Parquet exports, read back by hyparquet
// and, when python3 has them, by pyarrow and polars.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { writeCellBatch } from '../db/cell-batches.js';
import type { CellInsert } from '../db/exact-writes.js';
import { resultRows, type ResultRow } from '../sweep/queries.js';
import { tidyColumns, tidyRow } from '../sweep/tidy.js';
import { runSgnInProcess } from './support/sgn-in-process.js';
import { startTripwire, type Tripwire } from './support/tripwire.js';
import { bareSweep, createTestDatabase, type TestDatabase } from './support/database.js';

// numpy.linspace(0, 1, 6): 0.6000000000000001 at index 3.
const LAMBDAS = [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1];
const RATIOS = [0.1, 1, 10];
const SEEDS = [0, 1, 2, 3];
const N = LAMBDAS.length * RATIOS.length * SEEDS.length;

function cell(i: number): CellInsert {
  const lambda = LAMBDAS[Math.floor(i / 12)];
  const ratio = RATIOS[Math.floor(i / 4) % 3];
  const seed = SEEDS[i % 4];
  const failed = i % 9 === 4;
  const x = failed ? null : (i % 7) / 4 - 0.5; // -0.5 .. 1, with zeros and ties
  return {
    cellIndex: i,
    cellKey: `k${i}`,
    params: { lambda, ratio, seed },
    gameParam: lambda,
    ratio,
    regionRadius: null,
    seed,
    certified: !failed && x !== null && x > 0,
    gammaEuclidean: x === null ? null : 0.5,
    alpha: x,
    beta: x === null ? null : 1 + lambda,
    eulerStep: x === null ? null : 0.1,
    rk4Step: null,
    weights: failed ? [] : [1, ratio],
    mu: failed ? [] : [1, 1 + (i % 5) / 2],
    couplingL: failed
      ? null
      : [
          [0, lambda / 2],
          [lambda, 0],
        ],
    optimalAlpha: x,
    optimalRatio: x === null ? null : 1,
    bandMinus: null,
    bandPlus: null,
    alphaTrue: x === null ? null : x + 0.25,
    hStabEuler: null,
    hStabRk4: null,
    error: failed ? (i % 2 === 0 ? 'game: H is singular' : 'timeout after 5 s') : null,
  };
}

const axes = [
  { name: 'lambda', target: 'game', axis: { linspace: [0, 1, 6] } },
  { name: 'seed', target: 'game', axis: { range: [0, 4, 1] } },
  { name: 'ratio', target: 'weights', axis: { values: RATIOS } },
];
/** Cells whose alpha and alphaTrue the writer cannot store (JSON has no NaN): set by SQL. */
const NAN_CELLS = [5, 16, 27];

let db: TestDatabase;
let tripwire: Tripwire;
let all: ResultRow[];
let dir: string;
beforeAll(async () => {
  [db, tripwire] = await Promise.all([createTestDatabase({ label: 'query' }), startTripwire()]);
  await db.prisma.sweep.create({ data: bareSweep('q', N) });
  await db.prisma.$executeRaw`UPDATE sweeps SET spec = ${JSON.stringify({ axes })}::jsonb WHERE id = 'q'`;
  await writeCellBatch(
    db.prisma,
    'q',
    'test',
    Array.from({ length: N }, (_, i) => cell(i)),
  );
  await db.prisma.$executeRaw`
    UPDATE cell_results SET alpha = 'NaN', alpha_true = 'NaN' WHERE sweep_id = 'q' AND cell_index = ANY(${NAN_CELLS})`;
  all = await resultRows(db.prisma, 'q', []);
  dir = mkdtempSync(join(tmpdir(), 'sgn-query-'));
}, 120_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all([db?.drop(), tripwire?.close()]);
});

/** A comparison as documented: it holds for numbers only (null, NaN and missing match none). */
function cmp(x: unknown, op: string, v: number): boolean {
  if (typeof x !== 'number' || Number.isNaN(x)) return false;
  return { '=': x === v, '!=': x !== v, '<': x < v, '<=': x <= v, '>': x > v, '>=': x >= v }[op] ?? false;
}
const L = (r: ResultRow, i: number, j: number): unknown => (r.L as number[][] | null)?.[i]?.[j];

// Each condition with its meaning written out by hand over the rows read back unfiltered.
const CONDITIONS: [string, (r: ResultRow) => boolean][] = [
  ['lambda<=0.6', (r) => (r.params.lambda as number) <= LAMBDAS[3]],
  ['lambda>0.2', (r) => (r.params.lambda as number) > 0.2],
  ['lambda=0.6', (r) => r.params.lambda === LAMBDAS[3]],
  ['lambda!=0.6', (r) => r.params.lambda !== LAMBDAS[3]],
  ['ratio>=1', (r) => (r.params.ratio as number) >= 1],
  ['ratio<10', (r) => (r.params.ratio as number) < 10],
  ['seed=2', (r) => r.params.seed === 2],
  ['seed!=0', (r) => r.params.seed !== 0],
  ['alpha>0', (r) => cmp(r.alpha, '>', 0)],
  ['alpha>=0', (r) => cmp(r.alpha, '>=', 0)],
  ['alpha<0.25', (r) => cmp(r.alpha, '<', 0.25)],
  ['alpha<=0', (r) => cmp(r.alpha, '<=', 0)],
  ['alpha=0.25', (r) => cmp(r.alpha, '=', 0.25)],
  ['alpha!=0.25', (r) => cmp(r.alpha, '!=', 0.25)],
  ['alpha=nan', (r) => Number.isNaN(r.alpha)],
  ['alpha!=nan', (r) => !Number.isNaN(r.alpha)],
  ['alpha=null', (r) => r.alpha === null],
  ['alpha!=null', (r) => r.alpha !== null],
  ['alphaTrue>=0.5', (r) => cmp(r.alphaTrue, '>=', 0.5)],
  ['certified=yes', (r) => r.certified],
  ['certified=false', (r) => !r.certified],
  ['certified!=yes', (r) => !r.certified],
  ['error=any', (r) => r.error !== null],
  ['error=none', (r) => r.error === null],
  ['error!=any', (r) => r.error === null],
  ['error=singular', (r) => r.error?.includes('singular') ?? false],
  ['error!=singular', (r) => !(r.error?.includes('singular') ?? false)],
  ['mu_2>1', (r) => cmp(r.mu[1], '>', 1)],
  ['weights_2=10', (r) => cmp(r.weights[1], '=', 10)],
  ['L_1_2<0.3', (r) => cmp(L(r, 0, 1), '<', 0.3)],
  ['L_2_1!=0', (r) => cmp(L(r, 1, 0), '!=', 0)],
  ['cellKey=k7', (r) => r.cellKey === 'k7'],
  ['cellIndex>=60', (r) => r.cellIndex >= 60],
];

const meaning = new Map(CONDITIONS);
async function check(where: string[]): Promise<number> {
  const expected = all.filter((r) => where.every((w) => meaning.get(w)?.(r))).map((r) => r.cellIndex);
  const got = (await resultRows(db.prisma, 'q', where)).map((r) => r.cellIndex);
  expect(got, where.join(' ')).toEqual(expected);
  return got.length;
}

describe('--where', () => {
  it('reads NaN back as NaN (the rows the conditions must see through)', () => {
    expect(NAN_CELLS.map((i) => all[i].alpha)).toEqual([NaN, NaN, NaN]);
    expect(all.filter((r) => r.error !== null).length).toBeGreaterThan(5);
  });

  it('finds exactly the cells a direct filter finds, for every condition alone', async () => {
    for (const [w] of CONDITIONS) {
      const n = await check([w]);
      // Every condition is a real test: it neither matches all cells nor (but one) none.
      if (w !== 'cellKey=k7') expect(n, w).toBeGreaterThan(0);
      expect(n, w).toBeLessThan(N);
    }
  });

  it('ANDs several conditions', async () => {
    expect(await check(['lambda<=0.6', 'alpha>0', 'certified=yes'])).toBeGreaterThan(0);
    expect(await check(['ratio>=1', 'error=none', 'seed!=0', 'mu_2>1'])).toBeGreaterThan(0);
    expect(
      await check(['lambda>0.2', 'lambda<=0.6', 'alpha!=null', 'alpha!=nan', 'L_1_2<0.3']),
    ).toBeGreaterThan(0);
  });

  const cli = (...args: string[]) =>
    runSgnInProcess(['sweep', 'results', 'q', ...args], {
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: tripwire.address,
    });

  it('prints yes/no and takes them back; an empty answer says why on stderr, exit 0', async () => {
    const yes = await cli('--where', 'certified=yes', '--where', 'lambda=0.6', '--limit', '100');
    expect(yes.code, yes.stderr).toBe(0);
    // Parameter columns in the sweep's axis order (stored params come back in jsonb's key order:
    // seed, ratio, lambda), matching or not.
    const header = (out: string) => out.split('\n')[0].split(/ +/).slice(0, 5);
    expect(header(yes.stdout)).toEqual(['cell', 'lambda', 'seed', 'ratio', 'certified']);
    const none = await cli('--where', 'alpha>0.9', '--where', 'certified=no');
    expect(header(none.stdout)).toEqual(['cell', 'lambda', 'seed', 'ratio', 'certified']);
    const rows = yes.stdout.trimEnd().split('\n').slice(2);
    expect(rows.length).toBe(all.filter((r) => r.certified && r.params.lambda === LAMBDAS[3]).length);
    expect(rows.every((l) => / yes /.test(l))).toBe(true);

    const some = await cli('--where', 'error=some');
    expect(some.code).toBe(0);
    expect(some.stderr).toBe(
      'no cell of sweep q matches --where error=some\n' +
        'error=some: no cell\'s error contains "some" (8 of 72 cells failed: 4 x game: H is singular, 4 x timeout after 5 s; error=any lists them)\n',
    );
    const off = await cli('--where', 'lambda=0.7', '--format', 'csv');
    expect(off.stderr).toBe(
      'no cell of sweep q matches --where lambda=0.7\nlambda=0.7: 0.7 is not a value of axis lambda (nearby: 0.6, 0.8)\n',
    );
    const apart = await cli('--where', 'alpha>0.9', '--where', 'certified=no', '--format', 'json');
    expect(apart.stdout).toBe('[\n]\n');
    expect(apart.stderr).toContain('each condition matches some cells, but no cell matches them all');
    const range = await cli('--where', 'lambda>1');
    expect(range.stderr).toContain('lambda>1: matches no cell (axis lambda runs from 0 to 1)');
    const bad = await cli('--where', 'alpha~1');
    expect({ code: bad.code, stdout: bad.stdout }).toEqual({ code: 2, stdout: '' });
    expect(tripwire.connections()).toBe(0);
  });
});

const HEADER = [
  'cellIndex', 'cellKey', 'lambda', 'seed', 'ratio', 'certified', 'alpha', 'beta', 'eulerStep', 'rk4Step',
  'alphaTrue', 'gammaEuclidean', 'optimalAlpha', 'optimalRatio', 'bandMinus', 'bandPlus', 'hStabEuler',
  'hStabRk4', 'weights_1', 'weights_2', 'mu_1', 'mu_2', 'L_1_1', 'L_1_2', 'L_2_1', 'L_2_2', 'error',
]; // prettier-ignore

describe('tidy exports', () => {
  const cli = (...args: string[]) =>
    runSgnInProcess(['sweep', 'results', 'q', ...args], {
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: tripwire.address,
    });

  it('CSV: a column per parameter and scalar output, vectors spread, numbers exact', async () => {
    const csv = await cli('--format', 'csv', '--where', 'seed=1');
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0].split(',')).toEqual(HEADER);
    const wanted = all.filter((r) => r.params.seed === 1);
    expect(lines).toHaveLength(1 + wanted.length);
    const at = (line: string, name: string): string => line.split(',')[HEADER.indexOf(name)];
    const row = lines.find((l) => l.startsWith('17,'))!; // lambda 0.2, ratio 1, seed 1
    expect([at(row, 'lambda'), at(row, 'ratio'), at(row, 'seed'), at(row, 'certified')]).toEqual([
      '0.2',
      '1',
      '1',
      'true',
    ]);
    expect([
      at(row, 'alpha'),
      at(row, 'mu_2'),
      at(row, 'L_1_2'),
      at(row, 'L_2_1'),
      at(row, 'weights_2'),
    ]).toEqual(['0.25', '2', '0.1', '0.2', '1']);
    const failed = lines.find((l) => l.startsWith('49,'))!;
    expect([at(failed, 'alpha'), at(failed, 'mu_1'), at(failed, 'L_2_2'), at(failed, 'error')]).toEqual([
      '',
      '',
      '',
      'timeout after 5 s',
    ]);
    const lambda3 = lines.find((l) => l.startsWith('37,'))!;
    expect(Number(at(lambda3, 'lambda'))).toBe(LAMBDAS[3]);
  });

  it('Parquet: typed columns, every value back through hyparquet (and pyarrow, polars)', async () => {
    const file = join(dir, 'q.parquet');
    const r = await cli('--format', 'parquet', '--out', file, '--where', 'lambda>=0.2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const wanted = all.filter((c) => (c.params.lambda as number) >= 0.2);
    expect(r.stderr).toBe(`${file}: ${wanted.length} rows (parquet)\n`);

    const buf = await asyncBufferFromFile(file);
    const meta = await parquetMetadataAsync(buf);
    const types = Object.fromEntries(meta.schema.slice(1).map((s) => [s.name, s.converted_type ?? s.type]));
    expect(Object.keys(types)).toEqual(HEADER);
    expect([types.cellIndex, types.cellKey, types.lambda, types.certified, types.mu_2, types.error]).toEqual([
      'INT32', 'UTF8', 'DOUBLE', 'BOOLEAN', 'DOUBLE', 'UTF8',
    ]); // prettier-ignore
    const back = await parquetReadObjects({ file: buf });
    const columns = tidyColumns({ params: ['lambda', 'seed', 'ratio'], weights: 2, mu: 2, coupling: 2 });
    const expected = wanted.map((c) =>
      Object.fromEntries(columns.map((col, j) => [col.name, tidyRow(columns, c)[j]])),
    );
    expect(back).toEqual(expected);
    expect(back.filter((b) => Number.isNaN(b.alpha))).toHaveLength(
      NAN_CELLS.filter((i) => (all[i].params.lambda as number) >= 0.2).length,
    );

    const py = pythonWith('pyarrow', 'polars');
    if (!py) return; // python3 without pyarrow and polars: hyparquet's reading stands alone
    const out = execFileSync(
      py,
      [
        '-c',
        `import sys, json, pyarrow.parquet as pq, polars as pl
t = pq.read_table(sys.argv[1]); d = pl.read_parquet(sys.argv[1])
print(json.dumps({"types": [str(f.type) for f in t.schema], "rows": t.num_rows,
  "lambda3": d.filter(pl.col("lambda") == ${LAMBDAS[3]}).height,
  "alpha_sum": d.filter(pl.col("alpha").is_not_nan())["alpha"].sum(),
  "nan": int(d["alpha"].is_nan().sum()), "null": int(d["alpha"].is_null().sum()),
  "certified": int(d["certified"].sum()), "L_2_1": d["L_2_1"].to_list()}))`,
        file,
      ],
      { encoding: 'utf8' },
    );
    const got = JSON.parse(out) as Record<string, unknown>;
    const numbers = wanted.map((c) => c.alpha).filter((a): a is number => a !== null && !Number.isNaN(a));
    expect(got.types).toEqual(
      HEADER.map((h) =>
        h === 'cellIndex'
          ? 'int32'
          : h === 'cellKey' || h === 'error'
            ? 'string'
            : h === 'certified'
              ? 'bool'
              : 'double',
      ),
    );
    expect(got.rows).toBe(wanted.length);
    expect(got.lambda3).toBe(wanted.filter((c) => c.params.lambda === LAMBDAS[3]).length);
    expect(got.alpha_sum).toBeCloseTo(
      numbers.reduce((s, a) => s + a, 0),
      12,
    );
    expect(got.nan).toBe(wanted.filter((c) => Number.isNaN(c.alpha)).length);
    expect(got.null).toBe(wanted.filter((c) => c.alpha === null).length);
    expect(got.certified).toBe(wanted.filter((c) => c.certified).length);
    expect(got.L_2_1).toEqual(wanted.map((c) => (c.error ? null : c.params.lambda)));
  });

  it('refuses parquet without --out, and leaves no file behind a bad filter', async () => {
    const r = await cli('--format', 'parquet');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out: is required with --format parquet');
    const file = join(dir, 'bad.parquet');
    const bad = await cli('--format', 'parquet', '--out', file, '--where', 'gamma=1');
    expect(bad.code).toBe(2);
    expect(() => readFileSync(file)).toThrow();
  });
});

/** python3 when it imports all the modules, else null. */
function pythonWith(...modules: string[]): string | null {
  try {
    execFileSync('python3', ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
    return 'python3';
  } catch {
    return null;
  }
}
