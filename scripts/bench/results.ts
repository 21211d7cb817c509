/**
 * `npm run bench -- results [--lambdas 1000] [--ratios 1000] [--url URL] [--keep]`: a
 * 1,000,000-cell sweep (lambda x ratio, cells in cell order as workers append them) filled by
 * generate_series, then the database time (EXPLAIN ANALYZE's execution time, best of 3) of
 * `--where` queries as `sgn sweep results` runs them (a count, the table's first 40 rows, the
 * whole export), and the wall time and peak RSS of exporting every row as CSV and as Parquet
 * (`sgn sweep results --format csv|parquet --out`, its own process under /usr/bin/time).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Prisma } from '../../db/client.js';
import { createPrisma } from '../../db/client.js';
import { createTestDatabase } from '../../test/support/database.js';
import { resultsFilter, resultsQuery } from '../../sweep/queries.js';
import { intOption, parseArgs, projectRoot } from './common.js';

const SWEEP = 'bench-results';

async function fill(prisma: ReturnType<typeof createPrisma>, lambdas: number, ratios: number): Promise<void> {
  const axes = [
    {
      name: 'lambda',
      target: 'game',
      axis: { values: Array.from({ length: lambdas }, (_, k) => k / (lambdas - 1)) },
    },
    {
      name: 'ratio',
      target: 'weights',
      axis: { values: Array.from({ length: ratios }, (_, k) => (k + 1) / 100) },
    },
  ];
  const n = lambdas * ratios;
  await prisma.$executeRaw`DELETE FROM sweeps WHERE id = ${SWEEP}`;
  await prisma.$executeRaw`
    INSERT INTO sweeps (id, kind, status, spec, spec_hash, total_cells, done_cells, workflow_id, updated_at)
    VALUES (${SWEEP}, 'certify', 'completed', ${JSON.stringify({ axes })}::jsonb, 'bench', ${n}, ${n}, 'bench', now())`;
  // Alpha: a smooth surface over (lambda, ratio) with some ripple; ~1% failed cells (nulls).
  await prisma.$executeRaw`
    INSERT INTO cell_results (sweep_id, cell_index, cell_key, params, game_param, ratio, certified, alpha, beta,
      euler_step, rk4_step, weights, mu, coupling_l, optimal_alpha, optimal_ratio, band_minus, band_plus,
      alpha_true, error)
    SELECT ${SWEEP}, i, 'c' || i, jsonb_build_object('lambda', l, 'ratio', r), l, r, a > 0,
      CASE WHEN failed THEN NULL ELSE a END, 1 + l, 0.1, 0.2, ARRAY[1, r], ARRAY[1, 1 + l],
      jsonb_build_array(jsonb_build_array(0, l / 2), jsonb_build_array(l, 0)), a, 1, 0.1, 10, a + 0.1,
      CASE WHEN failed THEN 'game: H is singular' END
    FROM (
      SELECT i, (i / ${ratios})::float8 / ${lambdas - 1} AS l, ((i % ${ratios}) + 1)::float8 / 100 AS r,
        i % 97 = 13 AS failed,
        1 - 1.6 * ((i / ${ratios})::float8 / ${lambdas - 1}) - 0.2 * abs(ln(((i % ${ratios}) + 1)::float8 / 100)) + 0.05 * sin(i) AS a
      FROM generate_series(0, ${n - 1}) AS i
    ) g`;
  await prisma.$queryRaw`SELECT brin_summarize_new_values('cell_results_sweep_id_game_param_ratio_alpha_idx')`;
  await prisma.$executeRaw`VACUUM ANALYZE cell_results`;
}

/** Best of 3 execution times (ms) of the query, and its matched row count. */
async function dbTime(
  prisma: ReturnType<typeof createPrisma>,
  query: Prisma.Sql,
): Promise<{ ms: number; rows: number; plan: string }> {
  let best = Infinity;
  let rows = 0;
  let plan = '';
  for (let k = 0; k < 3; k++) {
    const [r] = await prisma.$queryRaw<
      {
        'QUERY PLAN': [
          {
            'Execution Time': number;
            Plan: {
              'Actual Rows': number;
              'Node Type': string;
              Plans?: { 'Node Type': string; 'Index Name'?: string }[];
            };
          },
        ];
      }[]
    >(Prisma.sql`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`);
    const [p] = r['QUERY PLAN'];
    best = Math.min(best, p['Execution Time']);
    rows = p.Plan['Actual Rows'];
    plan =
      JSON.stringify(p.Plan)
        .match(/"(Index Name|Node Type)":"[^"]+"/g)
        ?.join(' ') ?? '';
  }
  return { ms: best, rows, plan };
}

function exportRun(
  url: string,
  format: string,
  file: string,
  where: readonly string[],
): { wall: number; rssMb: number; bytes: number } {
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%M %e',
      process.execPath,
      '--single-threaded-gc',
      '--import',
      'tsx',
      'cli/sgn.ts',
      'sweep',
      'results',
      SWEEP,
      '--format',
      format,
      '--out',
      file,
      ...where.flatMap((w) => ['--where', w]),
    ],
    { cwd: projectRoot, env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`export ${format} failed: ${r.stderr}`);
  const [kb, wall] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wall, rssMb: kb / 1024, bytes: statSync(file).size };
}

export async function main(args: string[]): Promise<void> {
  const { opts } = parseArgs(args);
  const lambdas = intOption(opts, 'lambdas', 1000);
  const ratios = intOption(opts, 'ratios', 1000);
  const db = opts.has('url') ? null : await createTestDatabase({ label: 'bench_results' });
  const url = opts.get('url') ?? db!.url;
  const prisma = createPrisma(url);
  try {
    const t0 = Date.now();
    if (!opts.has('url') || opts.has('fill')) await fill(prisma, lambdas, ratios);
    console.log(`${lambdas * ratios} cells filled in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const filters: string[][] = [
      ['lambda>=0.25', 'lambda<=0.35'],
      ['alpha>0.9'],
      ['alpha>0.5', 'lambda<=0.2'],
      ['lambda=0.4995'],
      ['ratio<=0.05'],
      ['certified=yes', 'error=none'],
    ];
    console.log(
      'where | matched | count ms | table (first 40) ms | export (all rows) ms | plan of the count',
    );
    for (const where of filters) {
      const filter = await resultsFilter(prisma, SWEEP, where);
      const count = await dbTime(prisma, Prisma.sql`SELECT count(*) FROM cell_results WHERE ${filter}`);
      const first = await dbTime(prisma, await resultsQuery(prisma, SWEEP, where, 40));
      const all = await dbTime(prisma, await resultsQuery(prisma, SWEEP, where));
      console.log(
        `${where.join(' ')} | ${all.rows} | ${count.ms.toFixed(1)} | ${first.ms.toFixed(1)} | ${all.ms.toFixed(1)} | ${count.plan}`,
      );
    }
    if (!opts.has('no-export')) {
      const dir = mkdtempSync(join(tmpdir(), 'sgn-bench-'));
      try {
        // A quarter of the rows and all of them: peak RSS that does not grow with the rows is bounded.
        for (const format of ['csv', 'parquet'])
          for (const where of [['lambda<=0.25'], []]) {
            const r = exportRun(url, format, join(dir, `all.${format}`), where);
            console.log(
              `export ${format} ${where.join(' ') || '(all)'}: ${r.wall.toFixed(1)} s, peak RSS ${r.rssMb.toFixed(0)} MB, ${(r.bytes / 2 ** 20).toFixed(0)} MB file`,
            );
          }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await prisma.$disconnect();
    if (db && !opts.has('keep')) await db.drop();
    else console.log(`database kept: ${url}`);
  }
}
