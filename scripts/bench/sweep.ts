/**
 * Sweep benchmark: a 20,000-cell certify sweep of two-player quadratic games (d = 16) through
 * Temporal and PostgreSQL, against computing the same cells in one process without either.
 * Starts its own Temporal dev server and a fresh database on the local PostgreSQL server
 * (TEST_DATABASE_URL to use another), and real worker processes (1, then 2).
 *
 *   npm run bench -- sweep [--cells-lambda 125] [--ratios 160] [--batch 1000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startTemporalDevServer } from '../../test/support/temporal-server.js';
import { createTestDatabase } from '../../test/support/database.js';
import { runCli, startWorker, type WorkerProcess } from '../../test/support/processes.js';
import { resolveSpec } from '../../sweep/resolve.js';
import { certifyRange } from '../../sweep/compute.js';
import { intOption, outRoot, parseArgs } from './common.js';

function specFor(lambdas: number, ratios: number, batchSize: number): Record<string, unknown> {
  return {
    name: 'sweep benchmark',
    kind: 'certify',
    game: {
      family: 'quadratic',
      generator: 'random',
      dims: [8, 8],
      mu0: 1,
      coupling: 1,
      seed: 5,
      lambda: { linspace: [0, 1.5, lambdas] },
    },
    weights: { ratio: { geomspace: [0.01, 100, ratios] } },
    execution: { batchSize, concurrency: 4 },
  };
}

async function inProcess(spec: Record<string, unknown>): Promise<{ seconds: number; cells: number }> {
  const resolved = resolveSpec(spec, { baseDir: process.cwd() });
  const B = resolved.execution.batchSize;
  const t0 = performance.now();
  let cells = 0;
  for (let s = 0; s < resolved.totalCells; s += B)
    cells += (await certifyRange(resolved, s, Math.min(resolved.totalCells, s + B))).length;
  return { seconds: (performance.now() - t0) / 1000, cells };
}

export async function main(args: string[]): Promise<void> {
  const { opts } = parseArgs(args);
  const spec = specFor(
    intOption(opts, 'cells-lambda', 125),
    intOption(opts, 'ratios', 160),
    intOption(opts, 'batch', 1000),
  );
  mkdirSync(outRoot, { recursive: true });
  const specPath = join(outRoot, 'sweep-bench.yaml');
  writeFileSync(specPath, stringify(spec));
  const warmPath = join(outRoot, 'sweep-bench-warm.yaml');
  writeFileSync(warmPath, stringify({ ...specFor(10, 40, 100), name: 'warm-up' }));

  // Warm the JIT the same way a long-running worker is warm, then measure the baseline.
  await inProcess(specFor(10, 20, 200));
  const base = (await inProcess(spec)).seconds;
  const cells = resolveSpec(spec, { baseDir: outRoot }).totalCells;
  console.log(
    `in-process (no Temporal, no database): ${cells} cells in ${base.toFixed(2)} s = ${Math.round(cells / base)} cells/s`,
  );

  const [temporal, db] = await Promise.all([
    startTemporalDevServer(),
    createTestDatabase({ label: 'bench' }),
  ]);
  const env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    SGN_TASK_QUEUE: `bench-${process.pid}`,
  };
  const workers: WorkerProcess[] = [];
  const results: { workers: number; seconds: number; wall: number }[] = [];
  try {
    for (const n of [1, 2]) {
      while (workers.length < n) {
        const w = startWorker(env, 2);
        workers.push(w);
        await w.ready;
      }
      // A warm-up sweep so every worker has its workflow bundle loaded and its JIT warm.
      const warm = await runCli(['sweep', 'start', warmPath, '--id', `warm-${n}`, '--wait'], env);
      if (warm.code !== 0) throw new Error(`warm-up sweep failed: ${warm.stderr}`);
      const id = `bench-${n}-workers`;
      const t0 = performance.now();
      const r = await runCli(['sweep', 'start', specPath, '--id', id, '--wait'], env);
      const wall = (performance.now() - t0) / 1000;
      if (r.code !== 0) throw new Error(`sweep failed: ${r.stderr}`);
      const stored = await db.prisma.cellResult.count({ where: { sweepId: id } });
      if (stored !== cells) throw new Error(`expected ${cells} stored cells, found ${stored}`);
      // Orchestration time: registration of the sweep to its completion, as recorded in the database.
      const row = await db.prisma.sweep.findUniqueOrThrow({ where: { id } });
      results.push({
        workers: n,
        seconds: (row.finishedAt!.getTime() - row.createdAt.getTime()) / 1000,
        wall,
      });
    }
  } finally {
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await temporal.stop();
    await db.drop();
  }
  console.log('\nworkers  sweep (s)  cells/s  time vs in-process  CLI wall (s)');
  console.log(`in-proc  ${base.toFixed(2).padEnd(10)} ${String(Math.round(cells / base)).padEnd(8)} 1.00x`);
  for (const r of results) {
    const ratio = r.seconds / base;
    console.log(
      `${String(r.workers).padEnd(8)} ${r.seconds.toFixed(2).padEnd(10)} ${String(Math.round(cells / r.seconds)).padEnd(8)} ${ratio.toFixed(2)}x (${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(0)}%)`.padEnd(
        58,
      ) + r.wall.toFixed(2),
    );
  }
  console.log(
    'sweep (s): registration to completion as recorded in the database (includes the final band aggregation);',
  );
  console.log(
    'CLI wall: `sgn sweep start --wait` end to end, including its process start. One worker process computes on one core.',
  );
}
