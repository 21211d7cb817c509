// certifyCells hands rows over in order, `every` at a time or as time passes, and together they
// are exactly certifyRange's rows.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSpecFile } from './resolve.js';
import { certifyCells, certifyRange, type CellRow } from './compute.js';

const small = resolveSpecFile(join(import.meta.dirname, '..', 'examples', 'small.yaml'));

async function chunks(
  every: number,
  afterMs: number,
  start = 0,
  end = 37,
  smallest = 1000,
): Promise<CellRow[][]> {
  const out: CellRow[][] = [];
  await certifyCells(
    small,
    start,
    end,
    async () => {},
    (rows) => out.push(rows),
    { every, afterMs, smallest },
  );
  return out;
}

describe('certifyCells', () => {
  it('emits every `every` rows, the rest at the end, and equals certifyRange', async () => {
    const out = await chunks(10, 1e9);
    expect(out.map((c) => c.length)).toEqual([10, 10, 10, 7]);
    expect(out.flat()).toEqual(await certifyRange(small, 0, 37));
  });

  it('emits whatever is computed once the time bound has passed', async () => {
    const out = await chunks(1000, 0, 5, 12);
    expect(out.map((c) => c.length)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(out.flat().map((r) => r.cellIndex)).toEqual([5, 6, 7, 8, 9, 10, 11]);
  });

  it('halves its chunks towards the end of the range, down to `smallest`', async () => {
    const spec = resolveSpecFile(join(import.meta.dirname, '..', 'examples', 'lq64-certify.yaml'));
    const out: CellRow[][] = [];
    await certifyCells(
      spec,
      0,
      200,
      async () => {},
      (rows) => out.push(rows),
      {
        every: 100,
        afterMs: 1e9,
        smallest: 8,
      },
    );
    expect(out.map((c) => c.length)).toEqual([100, 50, 25, 13, 8, 4]);
    expect(out.flat()).toEqual(await certifyRange(spec, 0, 200));
  });

  it('emits nothing for an empty range', async () => {
    expect(await chunks(10, 0, 3, 3)).toEqual([]);
  });
});
