// The compute thread returns exactly what the same computation returns in this thread, in order;
// cancellation stops a job and the thread goes on with the next; a job failure keeps its error's
// name; a cell that hangs, outlasts its budget, exhausts the heap or ends the thread is stored
// failed and the job goes on.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSpec, resolveSpecFile } from '../sweep/resolve.js';
import { certifyRange, stepsizeRange, type CellRow } from '../sweep/compute.js';
import { ComputeThread } from './compute-thread.js';
import { POISON_ERROR } from './fault-injection.js';
import { differingCertificates } from '../test/support/results.js';

const examples = join(import.meta.dirname, '..', 'examples');
const small = resolveSpecFile(join(examples, 'small.yaml'));
const thread = new ComputeThread();
afterAll(() => thread.close());

/** A certify spec large enough that a job runs for a few seconds. */
const slow = resolveSpec(
  {
    kind: 'certify',
    game: {
      family: 'quadratic',
      generator: 'random',
      dims: [8, 8],
      mu0: 1,
      coupling: 1,
      seed: 3,
      lambda: { linspace: [0, 1.5, 200] },
    },
    weights: { ratio: { geomspace: [0.01, 100, 200] } },
  },
  { baseDir: examples },
);

async function certifyOnThread(
  t: ComputeThread,
  start: number,
  end: number,
): Promise<{ rows: CellRow[]; chunks: number; progress: number[] }> {
  const rows: CellRow[] = [];
  const progress: number[] = [];
  let chunks = 0;
  await t.certify(small, start, end, {
    onRows: (r) => {
      chunks++;
      rows.push(...r);
    },
    onProgress: (d) => progress.push(d),
  });
  return { rows, chunks, progress };
}

describe('ComputeThread', () => {
  it('certifies exactly as certifyRange does here, bit for bit and in order', async () => {
    const { rows } = await certifyOnThread(thread, 3, small.totalCells);
    const here = await certifyRange(small, 3, small.totalCells);
    expect(rows.length).toBe(small.totalCells - 3);
    expect(rows).toEqual(here);
    // toEqual treats -0 and 0 alike: compare the numbers bit for bit too.
    const bits = (rs: CellRow[]): string[] =>
      rs.map((r) =>
        [r.alpha, r.beta, r.eulerStep, r.rk4Step, r.alphaTrue]
          .map((x) => (Object.is(x, -0) ? '-0' : String(x)))
          .join(),
      );
    expect(bits(rows)).toEqual(bits(here));
  });

  it('runs step-size jobs', async () => {
    const spec = resolveSpecFile(join(examples, 'lq64-stepsize.yaml'));
    const rows = await thread.stepsize(spec, 2, 4);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual(await stepsizeRange(spec, 2, 4));
  });

  it('reports progress while a long job runs, then stops it when cancelled', async () => {
    const abort = new AbortController();
    const progress: number[] = [];
    let rows = 0;
    const job = thread.certify(slow, 0, slow.totalCells, {
      onRows: (r) => (rows += r.length),
      onProgress: (d) => {
        progress.push(d);
        if (d > 0) abort.abort(new Error('stop here'));
      },
      signal: abort.signal,
    });
    await expect(job).rejects.toThrow('stop here');
    expect(progress.length).toBeGreaterThan(0);
    expect(rows).toBeLessThan(slow.totalCells);
    // The thread is free again at once: the next job runs, with nothing of the cancelled one.
    const { rows: next } = await certifyOnThread(thread, 0, 5);
    expect(next.map((r) => r.cellIndex)).toEqual([0, 1, 2, 3, 4]);
  });

  it('queues jobs and runs them one at a time, first come first served', async () => {
    const events: string[] = [];
    const job = (name: string, start: number, end: number): Promise<void> =>
      thread
        .certify(small, start, end, {
          onStart: () => events.push(`${name} start`),
          onRows: (r) => events.push(`${name} rows ${r[0].cellIndex}-${r[r.length - 1].cellIndex}`),
        })
        .then(() => void events.push(`${name} done`));
    await Promise.all([job('a', 0, 10), job('b', 10, 20), job('c', 20, 30)]);
    expect(events).toEqual([
      'a start',
      'a rows 0-9',
      'a done',
      'b start',
      'b rows 10-19',
      'b done',
      'c start',
      'c rows 20-29',
      'c done',
    ]);
  });

  it('never lets a job cancelled while it waits hold up the one behind it', async () => {
    const first = new AbortController();
    const second = new AbortController();
    let secondStarted = false;
    const a = thread.certify(slow, 0, slow.totalCells, {
      onProgress: () => first.abort(new Error('first stopped')),
      signal: first.signal,
    });
    const b = thread.certify(slow, 0, slow.totalCells, {
      onStart: () => (secondStarted = true),
      signal: second.signal,
    });
    const rows: CellRow[] = [];
    const c = thread.certify(small, 0, 3, { onRows: (r) => rows.push(...r) });
    second.abort(new Error('second stopped'));
    await expect(b).rejects.toThrow('second stopped');
    await expect(a).rejects.toThrow('first stopped');
    await c;
    expect(secondStarted).toBe(false);
    expect(rows.map((r) => r.cellIndex)).toEqual([0, 1, 2]);
  });

  it('runs its computation at a lower priority than the process (Linux)', async () => {
    await certifyOnThread(thread, 0, 1);
    const nice = (stat: string): number => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    const own = nice(readFileSync('/proc/thread-self/stat', 'utf8'));
    const threads = readdirSync('/proc/self/task').map((t) =>
      nice(readFileSync(`/proc/self/task/${t}/stat`, 'utf8')),
    );
    expect(threads).toContain(Math.min(19, own + 10));
  });

  it("fails a job with its error's name and message (non-retryable types stay so)", async () => {
    await expect(thread.stepsize(small, 0, 1)).rejects.toThrow(/no stepsize section/);
  });

  it("stores a game's own failure on its runs and goes on (a spec whose game no family knows)", async () => {
    const spec = resolveSpecFile(join(examples, 'lq64-stepsize.yaml'));
    const bogus = { ...spec, game: { ...spec.game, family: 'bogus' } } as unknown as typeof spec;
    const here = await stepsizeRange(bogus, 0, 2);
    const rows = await thread.stepsize(bogus, 0, 2);
    expect(rows).toEqual(here);
    const runs = spec.stepsize!.integrators.length * spec.stepsize!.multipliers.length;
    expect(rows.length).toBe(2 * runs);
    expect(new Set(rows.map((r) => r.cellIndex))).toEqual(new Set([0, 1]));
    for (const r of rows) {
      expect(r.error).toMatch(/\S/);
      expect(r.step).toBeNull();
      expect(r.convergedFraction).toBeNull();
    }
  });
});

/** `small` with a short cell time budget (seconds). */
const budgeted = (cellTimeout: number) => ({ ...small, execution: { ...small.execution, cellTimeout } });

async function certifyAll(t: ComputeThread, spec: typeof small, start = 0, end = spec.totalCells) {
  const rows: CellRow[] = [];
  await t.certify(spec, start, end, { onRows: (r) => rows.push(...r) });
  return rows;
}

/** Rows equal up to warm starts: a job resumed on a new thread starts its kernels cold. */
function expectSameCertificates(got: CellRow[], want: CellRow[]): void {
  expect(got.map((r) => r.cellIndex)).toEqual(want.map((r) => r.cellIndex));
  expect(differingCertificates(got, want)).toEqual([]);
}

describe('ComputeThread: every job ends, whatever its cells do', () => {
  it('stops a cell that outlasts its time budget, stores it failed and computes the rest', async () => {
    const t = new ComputeThread({ env: { SGN_TEST_FAULTS: '3:hang' } });
    try {
      // The hanging cell never ends by itself: the job ends only if the budget stops it.
      const rows = await certifyAll(t, budgeted(1));
      const want = await certifyRange(small, 0, small.totalCells);
      expect(rows[3].error).toBe('timeout after 1 s');
      expectSameCertificates(
        rows.filter((r) => r.cellIndex !== 3),
        want.filter((r) => r.cellIndex !== 3),
      );
    } finally {
      await t.close();
    }
  });

  it("stores a cell whose computation throws with that error, and the batch's other cells as usual", async () => {
    const t = new ComputeThread({ env: { SGN_TEST_FAULTS: '4:throw' } });
    try {
      const rows = await certifyAll(t, small, 0, 8);
      expect(rows.map((r) => r.error)).toEqual([null, null, null, null, POISON_ERROR, null, null, null]);
      expect(rows.filter((r) => r.cellIndex !== 4)).toEqual(
        (await certifyRange(small, 0, 8)).filter((r) => r.cellIndex !== 4),
      );
    } finally {
      await t.close();
    }
  });

  it('lets a slow cell within its budget finish, heartbeats or not', async () => {
    const t = new ComputeThread({ env: { SGN_TEST_FAULTS: '2:slow=1500' } });
    try {
      const rows = await certifyAll(t, budgeted(5), 0, 4);
      expect(rows.map((r) => r.error)).toEqual([null, null, null, null]);
      expect(rows).toEqual(await certifyRange(small, 0, 4));
    } finally {
      await t.close();
    }
  });

  it('survives a cell that ends its thread: that cell is stored failed, the job and the queue go on', async () => {
    const t = new ComputeThread({ env: { SGN_TEST_FAULTS: '2:exit' } });
    try {
      const first = certifyAll(t, small, 0, 6);
      const queued = certifyAll(t, small, 10, 14);
      const rows = await first;
      expect(rows[2].error).toMatch(/^the compute thread died computing this cell \(exit code 1\)/);
      const want = await certifyRange(small, 0, 6);
      expectSameCertificates(
        rows.filter((r) => r.cellIndex !== 2),
        want.filter((r) => r.cellIndex !== 2),
      );
      expect(await queued).toEqual(await certifyRange(small, 10, 14));
    } finally {
      await t.close();
    }
  });

  it("stores a cell that exhausts the thread's heap as out of memory", async () => {
    const t = new ComputeThread({ heapLimitMb: 48, env: { SGN_TEST_FAULTS: '1:oom' } });
    try {
      const rows = await certifyAll(t, small, 0, 3);
      expect(rows[1].error).toBe('out of memory computing this cell (compute thread heap limit 48 MB)');
      expect(rows[0].error).toBeNull();
      expect(rows[2].error).toBeNull();
    } finally {
      await t.close();
    }
  });

  it('stops a cancelled job within about a second even inside a cell that never ends', async () => {
    const t = new ComputeThread({ env: { SGN_TEST_FAULTS: '1:hang' } });
    try {
      const abort = new AbortController();
      const job = t.certify(small, 0, 4, { signal: abort.signal });
      await new Promise((r) => setTimeout(r, 1500));
      abort.abort(new Error('cancelled by the sweep'));
      await expect(job).rejects.toThrow('cancelled by the sweep');
      // The next job can only run once the hanging cell's thread is gone (no time budget here:
      // the default is 900 s, beyond this test's timeout).
      const rows = await certifyAll(t, small, 5, 7);
      expect(rows).toEqual(await certifyRange(small, 5, 7));
    } finally {
      await t.close();
    }
  });

  it("stores a step-size game that outlasts its budget on each of the game's runs", async () => {
    // Small games (milliseconds each), so that only the hanging one meets the 2 s budget.
    const spec = resolveSpec(
      {
        kind: 'stepsize',
        game: {
          family: 'quadratic',
          generator: 'random',
          dims: [3, 3],
          mu0: 1,
          coupling: 1,
          seed: 5,
          lambda: { linspace: [0, 1, 3] },
        },
        stepsize: { integrators: ['euler', 'rk4'], multipliers: [0.5, 1], steps: 100, seeds: 2 },
        execution: { cellTimeout: 2 },
      },
      { baseDir: examples },
    );
    const t = new ComputeThread({ env: { SGN_TEST_FAULTS: '1:hang' } });
    try {
      const rows = await t.stepsize(spec, 0, 3);
      const failed = rows.filter((r) => r.error !== null);
      expect(failed.length).toBe(spec.stepsize!.integrators.length * spec.stepsize!.multipliers.length);
      expect(new Set(failed.map((r) => r.cellIndex))).toEqual(new Set([1]));
      expect(failed.every((r) => r.error === 'timeout after 2 s')).toBe(true);
      expect(rows.filter((r) => r.error === null)).toEqual(
        (await stepsizeRange(spec, 0, 3)).filter((r) => r.cellIndex !== 1),
      );
    } finally {
      await t.close();
    }
  });

  it('fails its jobs when closed', async () => {
    const t = new ComputeThread();
    await t.close();
    await expect(t.certify(small, 0, 1, {})).rejects.toThrow(/closed/);
  });
});
