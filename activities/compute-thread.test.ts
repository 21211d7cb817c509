// The compute thread returns exactly what the same computation returns in this thread, in order;
// cancellation stops a job and the thread goes on with the next; a job failure keeps its error's
// name; a thread that dies fails its job and the next job gets a new thread.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSpec, resolveSpecFile } from '../sweep/resolve.js';
import { certifyRange, stepsizeRange, type CellRow } from '../sweep/compute.js';
import { ComputeThread } from './compute-thread.js';

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
    // A spec whose game no family knows: the job throws a TypeError, which arrives as one.
    const spec = resolveSpecFile(join(examples, 'lq64-stepsize.yaml'));
    const bogus = { ...spec, game: { ...spec.game, family: 'bogus' } } as unknown as typeof spec;
    const here = await stepsizeRange(bogus, 0, 1).catch((e: unknown) => e as Error);
    await expect(thread.stepsize(bogus, 0, 1)).rejects.toMatchObject({
      name: 'TypeError',
      message: (here as Error).message,
    });
  });

  it('fails its jobs when the thread dies, and starts a new thread for the next', async () => {
    const t = new ComputeThread();
    const job = t.certify(slow, 0, slow.totalCells, {
      onProgress: () => void t['worker']?.terminate(),
    });
    const queued = t.certify(small, 0, 4, {});
    await expect(job).rejects.toThrow(/compute thread exited/);
    await expect(queued).rejects.toThrow(/compute thread exited/);
    const rows: CellRow[] = [];
    await t.certify(small, 0, 4, { onRows: (r) => rows.push(...r) });
    expect(rows).toEqual(await certifyRange(small, 0, 4));
    await t.close();
    await expect(t.certify(small, 0, 1, {})).rejects.toThrow(/closed/);
  });
});
