/** Doubles survive the trip through Prisma and PostgreSQL bit for bit (see db/exact-writes.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareSweep, createTestDatabase, type TestDatabase } from './support/database.js';
import type { CellInsert } from '../db/exact-writes.js';
import { resultRows } from '../sweep/queries.js';
import pg from 'pg';
import { parseDatabaseUrl } from '../db/client.js';
import {
  CellBatchStream,
  gameRuns,
  storedCells,
  SweepNotFoundError,
  BatchStoredMeanwhileError,
  writeCellBatch,
  type RawQueryable,
} from '../db/cell-batches.js';
import type { Prisma } from '../generated/prisma/client.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ label: 'exact' });
  await db.prisma.sweep.createMany({
    data: [bareSweep('s2', 10_000), bareSweep('big', 10_000), bareSweep('s', 3)],
  });
}, 120_000);
afterAll(async () => db?.drop());

/** `db`, recording the text of every statement it is sent into `statements`. */
function recording(db: RawQueryable, statements: string[]): RawQueryable {
  return {
    $queryRaw: (q: Prisma.Sql) => {
      statements.push(q.text);
      return db.$queryRaw(q);
    },
  } as RawQueryable;
}

const awkward = [
  0.0015610189539061294,
  1 / 3,
  Math.PI * 1e-300,
  5e-324,
  1.7976931348623157e308,
  0.1 + 0.2,
  -2 / 3,
];

function row(i: number, x: number): CellInsert {
  return {
    cellIndex: i,
    cellKey: `k${i}`,
    params: { lambda: x },
    gameParam: x,
    ratio: x,
    regionRadius: null,
    seed: null,
    certified: true,
    gammaEuclidean: x,
    alpha: x,
    beta: x,
    eulerStep: x,
    rk4Step: x,
    weights: [1, x],
    mu: [x, -x],
    couplingL: [
      [0, x],
      [x, 0],
    ],
    optimalAlpha: x,
    optimalRatio: x,
    bandMinus: x,
    bandPlus: null,
    alphaTrue: x,
    hStabEuler: x,
    hStabRk4: x,
    error: null,
  };
}

describe('exact writes', () => {
  it('stores awkward doubles exactly and skips duplicates', async () => {
    const rows = awkward.map((x, i) => row(i, x));
    expect((await writeCellBatch(db.prisma, 's', 'test', rows)).inserted).toBe(rows.length);
    expect((await writeCellBatch(db.prisma, 's', 'test', rows)).inserted).toBe(0);
    const back = await db.prisma.cellResult.findMany({
      where: { sweepId: 's' },
      orderBy: { cellIndex: 'asc' },
    });
    back.forEach((b, i) => {
      const x = awkward[i];
      for (const v of [
        b.alpha,
        b.beta,
        b.gameParam,
        b.eulerStep,
        b.alphaTrue,
        b.hStabRk4,
        b.weights[1],
        b.mu[0],
      ])
        expect(v).toBe(x);
      expect(b.mu[1]).toBe(-x);
      expect((b.couplingL as number[][])[0][1]).toBe(x);
      expect((b.params as { lambda: number }).lambda).toBe(x);
      expect(b.bandPlus).toBeNull();
    });
  });

  it('filters parameters exactly and reads results back exactly', async () => {
    const hit = await resultRows(db.prisma, 's', [`lambda=${awkward[0]}`]);
    expect(hit.map((h) => h.cellKey)).toEqual(['k0']);
    expect(hit[0].alpha).toBe(awkward[0]);
    expect(hit[0].weights).toEqual([1, awkward[0]]);
    expect(await resultRows(db.prisma, 's', ['certified=true'], 2)).toHaveLength(2);
  });
});

describe('worker batch writes (rows and counters in one statement)', () => {
  const special = [-0, Number.NaN, Number.POSITIVE_INFINITY];

  it('stores awkward doubles exactly, counts what it inserted, and skips duplicates', async () => {
    const pool = new pg.Pool(parseDatabaseUrl(db.url));
    try {
      const rows = awkward.map((x, i) => ({ ...row(i, x), seed: i }));
      const failed = { ...row(awkward.length, 0), error: 'bad "cell" \\ {x, y} \0 é', weights: [], mu: [] };
      const odd = special.map((x, i) => row(awkward.length + 1 + i, x));
      const all = [...rows, failed, ...odd];
      expect(await writeCellBatch(db.prisma, 's2', 'test', all)).toEqual({ inserted: all.length, failed: 1 });
      expect(await writeCellBatch(db.prisma, 's2', 'test', all)).toEqual({ inserted: 0, failed: 0 });
      expect(await storedCells(db.prisma, 's2', 0, 3)).toBe(3);
      const sweep = await db.prisma.sweep.findUniqueOrThrow({ where: { id: 's2' } });
      expect([sweep.doneCells, sweep.failedCells]).toEqual([all.length, 1]);

      const back = await db.prisma.cellResult.findMany({
        where: { sweepId: 's2', cellIndex: { lte: awkward.length + 1 } },
        orderBy: { cellIndex: 'asc' },
      });
      awkward.forEach((x, i) => {
        const b = back[i];
        for (const v of [
          b.alpha,
          b.beta,
          b.gameParam,
          b.ratio,
          b.eulerStep,
          b.rk4Step,
          b.alphaTrue,
          b.hStabRk4,
        ])
          expect(v).toBe(x);
        expect(b.weights).toEqual([1, x]);
        expect(b.mu).toEqual([x, -x]);
        expect(b.couplingL).toEqual([
          [0, x],
          [x, 0],
        ]);
        expect(b.params).toEqual({ lambda: x });
        expect(b.bandPlus).toBeNull();
        expect([b.seed, b.certified, b.computedBy, b.cellKey, b.error]).toEqual([
          i,
          true,
          'test',
          `k${i}`,
          null,
        ]);
      });
      const f = back[awkward.length];
      expect([f.error, f.weights, f.mu, f.alpha]).toEqual(['bad "cell" \\ {x, y} \uFFFD é', [], [], 0]);
      // -0 keeps its sign (read with node-postgres, which parses the text PostgreSQL prints).
      const signed = await pool.query<{ alpha: number }>(
        "SELECT alpha FROM cell_results WHERE sweep_id = 's2' AND cell_key = $1",
        [`k${awkward.length + 1}`],
      );
      expect(Object.is(signed.rows[0].alpha, -0)).toBe(true);
      // NaN and Infinity are stored as NULL, as the JSON path stores them (Prisma cannot read NULL array elements).
      const nulls = await pool.query<{ alpha: null; mu: null[]; coupling_l: unknown[][] }>(
        "SELECT alpha, mu, coupling_l FROM cell_results WHERE sweep_id = 's2' AND cell_index > $1",
        [awkward.length + 1],
      );
      expect(nulls.rows).toHaveLength(2);
      for (const b of nulls.rows) {
        expect(b.alpha).toBeNull();
        expect(b.mu).toEqual([null, null]);
        expect(b.coupling_l[0][1]).toBeNull();
      }
    } finally {
      await pool.end();
    }
  });

  it('sends game values once per run of equal rows without mixing games', async () => {
    await db.prisma.sweep.create({ data: bareSweep('runs', 8) });
    const game = (g: number, over: Partial<CellInsert> = {}): Partial<CellInsert> => ({
      gameParam: g,
      gammaEuclidean: g / 3,
      mu: [g, 1 / 3],
      couplingL: [
        [0, g / 7],
        [g / 9, 0],
      ],
      regionRadius: null,
      optimalAlpha: g / 11,
      optimalRatio: g / 13,
      bandMinus: 0,
      bandPlus: null,
      hStabEuler: g * 2,
      hStabRk4: g * 3,
      seed: 1,
      ...over,
    });
    // Runs: [0, 1] game 1; [2] game 1 but bandMinus -0; [3] game 1 again; [4, 5] game 2 with a
    // different coupling matrix only; [6] game 2 with another seed; [7] a failed cell.
    const games = [
      game(1),
      game(1),
      game(1, { bandMinus: -0 }),
      game(1),
      game(2),
      game(2, {
        couplingL: [
          [0, 2 / 7],
          [2 / 9, 0],
        ],
      }),
      game(2, { seed: 2 }),
      { ...game(0), error: 'failed', mu: [], couplingL: null },
    ];
    const rows = games.map((g, i) => ({ ...row(i, (i + 1) / 13), ...g }));
    rows[5].couplingL = [
      [0, 5],
      [6, 0],
    ];
    expect(gameRuns(rows).runOf).toEqual(Int32Array.from([1, 1, 2, 3, 4, 5, 6, 7]));
    expect(await writeCellBatch(db.prisma, 'runs', 'test', rows)).toEqual({ inserted: 8, failed: 1 });
    const pool = new pg.Pool(parseDatabaseUrl(db.url));
    try {
      const back = await pool.query<Record<string, unknown>>(
        `SELECT cell_index, ratio, alpha, game_param, gamma_euclidean, mu, coupling_l, optimal_alpha, optimal_ratio, h_stab_rk4, band_minus,
           h_stab_euler, seed, error FROM cell_results WHERE sweep_id = 'runs' ORDER BY cell_index`,
      );
      back.rows.forEach((b, i) => {
        const r = rows[i];
        expect(b).toEqual({
          cell_index: i,
          ratio: r.ratio,
          alpha: r.alpha,
          game_param: r.gameParam,
          gamma_euclidean: r.gammaEuclidean,
          mu: r.mu,
          coupling_l: r.couplingL,
          optimal_alpha: r.optimalAlpha,
          optimal_ratio: r.optimalRatio,
          h_stab_rk4: r.hStabRk4,
          band_minus: r.bandMinus,
          h_stab_euler: r.hStabEuler,
          seed: r.seed,
          error: r.error,
        });
        expect(Object.is(b.band_minus, r.bandMinus)).toBe(true);
      });
    } finally {
      await pool.end();
    }
  });

  it('sends weights, params and keys in their compact forms where rows allow, exactly either way', async () => {
    await db.prisma.sweep.createMany({ data: [bareSweep('compact', 20), bareSweep('general', 20)] });
    // Compact: every row has 3 weights and params {lambda, ratio}; keys that need quoting or not.
    const keys = ['NULL', 'null', 'a b', 'q"uote', 'back\\slash', '{br,ace}', 'k-1.5:x_E+7'];
    const compact = awkward.map((x, i) => ({
      ...row(i, x),
      cellKey: keys[i],
      weights: [1, x, x / 3],
      params: { lambda: x, ratio: -x },
    }));
    // General: weights of different lengths, params with different keys, one NaN param.
    const general = awkward.map((x, i) => ({
      ...row(i, x),
      weights: i % 2 ? [1, x] : [x],
      params: (i % 3 ? { lambda: x } : { lambda: x, seed: i, other: i ? x : Number.NaN }) as Record<
        string,
        number
      >,
    }));
    const statements: string[] = [];
    const spy = recording(db.prisma, statements);
    for (const [id, rows] of [
      ['compact', compact],
      ['general', general],
    ] as const) {
      const stream = new CellBatchStream(spy, id, 'test');
      stream.push(rows);
      expect(await stream.finish()).toEqual({ inserted: rows.length, failed: 0 });
      const back = await db.prisma.cellResult.findMany({
        where: { sweepId: id },
        orderBy: { cellIndex: 'asc' },
      });
      expect(back.map((b) => [b.cellKey, b.weights, b.params])).toEqual(
        rows.map((r) => [
          r.cellKey,
          r.weights,
          Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, Number.isFinite(v) ? v : null])),
        ]),
      );
    }
    // Which form each statement took (the first of each stream carries the rows). Columns equal
    // to one already sent are read from it: here every row's own floats and its weights[1] and
    // params.lambda equal its game_param (each row is a game of its own), so they travel once.
    expect(statements[0]).toMatch(/ARRAY\[u\.w0, g\.g0, u\.w2\]/);
    expect(statements[0]).toMatch(/jsonb_build_object\(\$\d+::text, g\.g0, \$\d+::text, u\.p1\)/);
    expect(statements[0]).toMatch(/generate_series\(/); // consecutive cell indices
    expect(statements[0]).toMatch(/NULL::text, ARRAY/); // no errors: no error column sent
    const generalRows = statements.find((t, i) => i > 0 && t.includes('u.we'));
    expect(generalRows).toMatch(/jsonb_array_elements\(\$\d+::jsonb\) *,|u\.pa/);
  });

  it('reads a column from an equal one only when every row agrees, bit for bit', async () => {
    await db.prisma.sweep.create({ data: bareSweep('alike', 20) });
    const x = [0.1, 0.2, 0.30000000000000004, 0.7];
    // params.ratio equals the ratio column in all rows but the last (by one ulp), weights[1] in all
    // rows; cell indices skip one; one row failed. NaN and null are stored alike (NULL).
    const rows = x.map((v, i) => ({
      ...row([3, 4, 6, 7][i], v),
      ratio: v * 3,
      alpha: i === 2 ? Number.NaN : v / 7,
      beta: i === 2 ? null : v / 7,
      weights: [1, v * 3],
      params: { lambda: v, ratio: i === 3 ? 2.1000000000000005 : v * 3 },
      error: i === 1 ? 'failed' : null,
    }));
    expect(rows[3].ratio).toBe(2.0999999999999996);
    const statements: string[] = [];
    const spy = recording(db.prisma, statements);
    expect(await writeCellBatch(spy as typeof db.prisma, 'alike', 'test', rows)).toEqual({
      inserted: 4,
      failed: 1,
    });
    expect(statements[0]).toMatch(/ARRAY\[u\.w0, u\.c0\]/); // weights[1] = ratio in every row
    expect(statements[0]).toMatch(/\$\d+::text, u\.p1\)/); // params.ratio differs in one row
    expect(statements[0]).toMatch(/u\.c0, u\.c1, u\.c1, /); // beta (null in row 2) reads alpha (NaN there)
    expect(statements[0]).not.toMatch(/generate_series\(/);
    const back = await db.prisma.cellResult.findMany({
      where: { sweepId: 'alike' },
      orderBy: { cellIndex: 'asc' },
    });
    expect(back.map((b) => [b.cellIndex, b.ratio, b.weights, b.params, b.alpha, b.beta, b.error])).toEqual(
      rows.map((r) => [
        r.cellIndex,
        r.ratio,
        r.weights,
        r.params,
        r.alpha !== null && Number.isFinite(r.alpha) ? r.alpha : null,
        r.beta,
        r.error,
      ]),
    );
  });

  it('a fresh batch skips the conflict check; an attempt that loses the race fails retryably, nothing twice', async () => {
    await db.prisma.sweep.create({ data: bareSweep('race', 100) });
    const rows = Array.from({ length: 100 }, (_, i) => row(i, i / 13));
    const statements: string[] = [];
    let commitFirst!: () => void;
    const firstMayCommit = new Promise<void>((r) => (commitFirst = r));
    let firstWritten = false;
    const attempt = (worker: string, hold: Promise<void>) =>
      db.prisma.$transaction(
        async (tx) => {
          const stream = new CellBatchStream(recording(tx, statements), 'race', worker, {
            fresh: true,
          });
          stream.push(rows);
          const w = await stream.finish();
          if (worker === 'first') firstWritten = true;
          await hold;
          return w;
        },
        { timeout: 30_000 },
      );
    // Two attempts at the same batch: the second's rows wait on the first's uncommitted ones.
    // Each step is observed (no sleeps): the first has written, the second waits on its lock.
    const first = attempt('first', firstMayCommit);
    await until(() => Promise.resolve(firstWritten));
    const second = attempt('second', Promise.resolve()).catch((e: unknown) => e);
    await until(async () => (await lockWaiters('%INSERT INTO cell_results%')) === 1);
    commitFirst();
    expect(await first).toEqual({ inserted: 100, failed: 0 });
    const err = await second;
    expect(err).toBeInstanceOf(BatchStoredMeanwhileError);
    expect((err as Error).name).toBe('BatchStoredMeanwhile'); // not in the workflow's non-retryable list
    expect(statements.every((t) => !t.includes('ON CONFLICT'))).toBe(true);
    const stored = await db.prisma.cellResult.findMany({
      where: { sweepId: 'race' },
      select: { computedBy: true },
    });
    expect(stored.length).toBe(100);
    expect(new Set(stored.map((r) => r.computedBy))).toEqual(new Set(['first']));
    expect((await db.prisma.sweep.findUniqueOrThrow({ where: { id: 'race' } })).doneCells).toBe(100);
    // The retry (not fresh: cells are stored) inserts nothing.
    expect(await writeCellBatch(db.prisma, 'race', 'retry', rows)).toEqual({ inserted: 0, failed: 0 });
  });

  it('writes a batch larger than one statement in one transaction', async () => {
    const pool = new pg.Pool(parseDatabaseUrl(db.url));
    try {
      const rows = Array.from({ length: 5003 }, (_, i) => row(i, i / 7));
      expect(await writeCellBatch(db.prisma, 'big', 'test', rows)).toEqual({ inserted: 5003, failed: 0 });
      expect(await writeCellBatch(db.prisma, 'big', 'test', rows)).toEqual({ inserted: 0, failed: 0 });
      const sweep = await db.prisma.sweep.findUniqueOrThrow({ where: { id: 'big' } });
      expect(sweep.doneCells).toBe(5003);
      // A statement failing after the first chunk leaves nothing behind.
      const broken = Array.from({ length: 5003 }, (_, i) => row(10_000 + i, i));
      broken[5002] = { ...broken[5002], cellKey: null as unknown as string };
      await expect(writeCellBatch(db.prisma, 'big', 'test', broken)).rejects.toThrow();
      expect(await storedCells(db.prisma, 'big', 10_000, 20_000)).toBe(0);
    } finally {
      await pool.end();
    }
  });

  it('streams a batch inside its transaction: counters once, nothing left behind on failure', async () => {
    await db.prisma.sweep.create({ data: bareSweep('stream', 20_000) });
    const rows = Array.from({ length: 12_345 }, (_, i) => ({
      ...row(i, i / 3),
      error: i % 1000 === 7 ? 'x' : null,
    }));
    const stream = async (batch: CellInsert[], sizes: number[]) =>
      db.prisma.$transaction(async (tx) => {
        const s = new CellBatchStream(tx, 'stream', 'test');
        let at = 0;
        for (const n of sizes) {
          s.push(batch.slice(at, at + n));
          at += n;
          // Let some statements go out while "computing".
          await new Promise((r) => setImmediate(r));
        }
        s.push(batch.slice(at));
        return s.finish();
      });
    // Pushes of many sizes, one larger than a statement's chunk; a retry of the whole batch inserts nothing.
    expect(await stream(rows, [500, 1, 6000, 499, 2000])).toEqual({ inserted: 12_345, failed: 13 });
    expect(await stream(rows, [4000, 4000])).toEqual({ inserted: 0, failed: 0 });
    let sweep = await db.prisma.sweep.findUniqueOrThrow({ where: { id: 'stream' } });
    expect([sweep.doneCells, sweep.failedCells]).toEqual([12_345, 13]);
    expect(await storedCells(db.prisma, 'stream', 0, 20_000)).toBe(12_345);
    const back = await db.prisma.cellResult.findFirstOrThrow({
      where: { sweepId: 'stream', cellIndex: 9_001 },
    });
    expect(back.alpha).toBe(9_001 / 3);

    // A statement failing in the middle (a NULL key) rolls the whole batch back, counters included.
    const more = Array.from({ length: 3000 }, (_, i) => row(15_000 + i, i));
    more[1200] = { ...more[1200], cellKey: null as unknown as string };
    await expect(stream(more, [1000, 1000])).rejects.toThrow();
    expect(await storedCells(db.prisma, 'stream', 15_000, 20_000)).toBe(0);
    sweep = await db.prisma.sweep.findUniqueOrThrow({ where: { id: 'stream' } });
    expect([sweep.doneCells, sweep.failedCells]).toEqual([12_345, 13]);
  });

  // cell_results has no foreign key to sweeps (migration 20261203000000_cell_results_key): the
  // insert statement and a trigger on sweeps keep every row attached to a sweep.
  describe('rows belong to a sweep', () => {
    it('refuses rows for a sweep that is not in the database, writing nothing', async () => {
      const rows = [row(0, 0.5), row(1, 0.25)];
      const err: unknown = await writeCellBatch(db.prisma, 'no-such-sweep', 'test', rows).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SweepNotFoundError);
      expect((err as Error).name).toBe('SweepNotFound'); // the workflow's non-retryable type
      expect((err as Error).message).toContain('no-such-sweep');
      expect(await db.prisma.cellResult.count({ where: { sweepId: 'no-such-sweep' } })).toBe(0);
    });

    it('a sweep deleted while a batch is being written loses the batch too: no orphan rows', async () => {
      await db.prisma.sweep.create({ data: bareSweep('doomed', 100) });
      const rows = Array.from({ length: 50 }, (_, i) => row(i, i / 9));
      let deleteSettled = false;
      let deleted: Promise<unknown> = Promise.resolve();
      // Both waits are observed on the server (no sleeps): the batch's first statement has run in
      // the transaction, and the delete, from another connection, is queued behind its lock.
      const written = await db.prisma.$transaction(
        async (tx) => {
          const stream = new CellBatchStream(tx, 'doomed', 'test');
          stream.push(rows.slice(0, 25));
          await until(async () => {
            const [{ n }] = await tx.$queryRaw<{ n: number }[]>`
              SELECT count(*)::int AS n FROM cell_results WHERE sweep_id = 'doomed'`;
            return n === 25;
          });
          deleted = db.prisma.sweep.delete({ where: { id: 'doomed' } }).finally(() => (deleteSettled = true));
          await until(async () => (await lockWaiters('DELETE FROM%sweeps%')) === 1);
          stream.push(rows.slice(25));
          const done = await stream.finish();
          // Still waiting at the end of the batch: the delete cannot pass an open batch.
          expect(deleteSettled).toBe(false);
          return done;
        },
        { timeout: 30_000 },
      );
      expect(written).toEqual({ inserted: 50, failed: 0 });
      await deleted;
      // The delete waited for the batch (FOR KEY SHARE), then its trigger took the batch's rows.
      expect(await db.prisma.sweep.findUnique({ where: { id: 'doomed' } })).toBeNull();
      expect(await db.prisma.cellResult.count({ where: { sweepId: 'doomed' } })).toBe(0);
    });
  });
});

/** Polls `ready` every 20 ms until it holds; fails after 20 s so a broken lock cannot hang the suite. */
async function until(ready: () => Promise<boolean>): Promise<void> {
  for (let waited = 0; waited < 20_000; waited += 20) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached within 20 s');
}

/** How many sessions of this database wait on a lock in a statement matching `like` (ILIKE). */
async function lockWaiters(like: string): Promise<number> {
  const [{ n }] = await db.prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE ${like}`;
  return n;
}
