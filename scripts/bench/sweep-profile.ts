/**
 * Where a certify batch's time goes, without Temporal: the benchmark's spec, batch by batch,
 * through the same calls the activity makes (idempotency count, compute, one write statement
 * with the counters), plus the PostgreSQL backend's own CPU time (from
 * /proc/<backend pid>/schedstat: the server runs on this machine) and this process's CPU.
 * CPU times are what to compare on a loaded machine; wall times move with the load.
 *
 *   npm run bench -- sweep-profile [--cells-lambda 125] [--ratios 160] [--batch 1000]
 */
import { readFileSync } from 'node:fs';
import { createTestDatabase } from '../../test/support/database.js';
import { resolveSpec } from '../../sweep/resolve.js';
import { certifyRange } from '../../sweep/compute.js';
import { createPrisma } from '../../db/client.js';
import { storedCells, writeCellBatch } from '../../db/cell-batches.js';
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
  // One connection, so its backend is the one whose CPU is read.
  const prisma = createPrisma(db.url, { max: 1 });
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
    const [{ pid: backend }] = await prisma.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;

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
      if (await storedCells(prisma, sweepId, s, e)) throw new Error('unexpected stored rows');
      lap('count (idempotency check)');
      const rows = await certifyRange(resolved, s, e);
      lap('compute');
      const before = cpuNs(backend);
      const written = await writeCellBatch(prisma, sweepId, 'profile', rows);
      lap('write: rows + counters, 1 statement');
      serverNs += cpuNs(backend) - before;
      if (written.inserted !== rows.length) throw new Error('short write');
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
    await prisma.$disconnect();
    await db.drop();
  }
}
