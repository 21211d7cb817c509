/**
 * Where a certify batch's time goes, without Temporal: the benchmark's spec, batch by batch,
 * through the same code the activity runs, timing compute, JSON encoding, the insert as the
 * client sees it, the counter update and the commit, plus the PostgreSQL backend's own CPU
 * time (from /proc/<backend pid>/schedstat: the server runs on this machine) and our own CPU.
 * CPU times are what to compare on a loaded machine; wall times move with the load.
 *
 *   npm run bench -- sweep-profile [--cells-lambda 125] [--ratios 160] [--batch 1000]
 */
import { readFileSync } from 'node:fs';
import { createTestDatabase } from '../../test/support/database.js';
import { resolveSpec } from '../../sweep/resolve.js';
import { certifyRange } from '../../sweep/compute.js';
import { insertCellResults } from '../../db/exact-writes.js';
import { intOption, parseArgs } from './common.js';
import { benchSpec } from './sweep.js';

/** On-CPU nanoseconds of a process (first field of schedstat), or NaN when unreadable. */
function cpuNs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface Phase {
  wall: number;
  cpu: number;
}

export async function main(args: string[]): Promise<void> {
  const { opts } = parseArgs(args);
  const spec = benchSpec(
    intOption(opts, 'cells-lambda', 125),
    intOption(opts, 'ratios', 160),
    intOption(opts, 'batch', 1000),
  );
  const resolved = resolveSpec(spec, { baseDir: process.cwd() });
  const B = resolved.execution.batchSize;
  const db = await createTestDatabase({ label: 'profile' });
  const totals: Record<string, Phase> = {};
  const add = (k: string, wall: number, cpu: number): void => {
    const t = (totals[k] ??= { wall: 0, cpu: 0 });
    t.wall += wall;
    t.cpu += cpu;
  };
  let serverNs = 0;
  try {
    const sweepId = 'profile';
    await db.prisma.sweep.create({
      data: {
        id: sweepId,
        kind: resolved.kind,
        status: 'running',
        spec: resolved as unknown as object,
        specHash: resolved.specHash,
        totalCells: resolved.totalCells,
        workflowId: 'none',
      },
    });
    // Warm the JIT and the connection pool.
    await certifyRange(resolveSpec(benchSpec(10, 20, 200), { baseDir: process.cwd() }), 0, 200);
    await db.prisma.$queryRaw`SELECT 1`;

    for (let s = 0; s < resolved.totalCells; s += B) {
      const e = Math.min(resolved.totalCells, s + B);
      let w = performance.now();
      let c = selfCpuMs();
      const lap = (k: string): void => {
        const w2 = performance.now();
        const c2 = selfCpuMs();
        add(k, w2 - w, c2 - c);
        w = w2;
        c = c2;
      };
      const stored = await db.prisma.cellResult.count({ where: { sweepId, cellIndex: { gte: s, lt: e } } });
      if (stored) throw new Error('unexpected stored rows');
      lap('count (idempotency check)');
      const rows = await certifyRange(resolved, s, e);
      lap('compute');
      JSON.stringify(rows);
      lap('JSON.stringify (measured apart)');
      let backend = 0;
      let before = 0;
      await db.prisma.$transaction(async (tx) => {
        lap('BEGIN');
        const [{ pid }] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
        backend = pid;
        before = cpuNs(pid);
        lap('pg_backend_pid (profiling only)');
        const n = await insertCellResults(tx, sweepId, 'profile', rows);
        lap('insert (incl. JSON)');
        await tx.sweep.update({ where: { id: sweepId }, data: { doneCells: { increment: n } } });
        lap('counter update');
      });
      lap('COMMIT');
      serverNs += cpuNs(backend) - before;
    }
    const n = resolved.totalCells;
    console.log(`\n${n} cells in batches of ${B}; per cell (us), wall and this process's CPU:`);
    for (const [k, t] of Object.entries(totals))
      console.log(
        `${k.padEnd(34)} wall ${((t.wall * 1000) / n).toFixed(1).padStart(7)}  cpu ${((t.cpu * 1000) / n).toFixed(1).padStart(7)}`,
      );
    console.log(
      `${'PostgreSQL backend CPU (insert..commit)'.padEnd(34)} ${(serverNs / 1000 / n).toFixed(1).padStart(12)}`,
    );
    const loads = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`load average: ${loads}`);
  } finally {
    await db.drop();
  }
}
