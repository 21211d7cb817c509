/**
 * A sweep stored by an earlier version (format sgn-sweep/1: random draws from the generator before
 * NumPy's) is never extended with cells computed differently: the activity that reads its spec
 * fails, non-retryably, naming the format and what to do (the workflow then ends the sweep
 * `failed` with that line). A current-format spec plans as usual. Real PostgreSQL.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prisma } from '../db/client.js';
import { FAILURE_TYPES, NON_RETRYABLE_ERRORS } from '../contracts/failures.js';
import { resolveSpecFile } from '../sweep/resolve.js';
import { SWEEP_FORMAT } from '../sweep/resolved.js';
import { bareSweep, createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { projectRoot } from '../test/support/reference.js';
import { ComputeThread } from './compute-thread.js';
import { createActivities } from './sweep-activities.js';
import { join } from 'node:path';

let db: TestDatabase;
const compute = new ComputeThread();

beforeAll(async () => {
  db = await createTestDatabase({ label: 'spec_format' });
  const spec = resolveSpecFile(join(projectRoot, 'examples', 'small.yaml'));
  const stored = (format: string): Prisma.InputJsonValue =>
    ({ ...spec, format }) as unknown as Prisma.InputJsonValue;
  await db.prisma.sweep.createMany({
    data: [
      { ...bareSweep('old-format', spec.totalCells), spec: stored('sgn-sweep/1') },
      { ...bareSweep('current', spec.totalCells), spec: stored(SWEEP_FORMAT) },
    ],
  });
}, 120_000);

afterAll(async () => {
  await compute.close();
  await db?.drop();
});

describe('stored spec format', () => {
  it('refuses a format-1 sweep in one non-retryable line naming the format and the way out', async () => {
    const activities = createActivities({ prisma: db.prisma, workerId: 'test', compute, batchesPerRun: 10 });
    const env = new MockActivityEnvironment();
    const error = await env.run(activities.loadPlan, 'old-format').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const e = error as Error;
    expect(e.name).toBe(FAILURE_TYPES.input);
    expect(NON_RETRYABLE_ERRORS).toContain(e.name);
    expect(e.message).toBe(
      "spec.format: sweep old-format was stored as sgn-sweep/1; this worker computes sgn-sweep/2 (random draws changed to NumPy's stream), so its missing cells would not match the stored ones: start it again under a new id",
    );
    await expect(
      env.run(activities.runBatch, { sweepId: 'old-format', kind: 'certify' as const, start: 0, end: 1 }),
    ).rejects.toThrow(/stored as sgn-sweep\/1/);
    // Nothing was written for it.
    expect(await db.prisma.cellResult.count({ where: { sweepId: 'old-format' } })).toBe(0);
  });

  it('plans a sweep of the current format', async () => {
    const activities = createActivities({ prisma: db.prisma, workerId: 'test', compute, batchesPerRun: 10 });
    const plan = (await new MockActivityEnvironment().run(activities.loadPlan, 'current')) as Awaited<
      ReturnType<typeof activities.loadPlan>
    >;
    expect(plan.phases.length).toBeGreaterThan(0);
  });
});
