import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { ParquetFileStream, type Cell, type TypedColumn } from './parquet.js';

const dir = mkdtempSync(join(tmpdir(), 'sgn-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const columns: TypedColumn[] = [
  { name: 'i', type: 'INT32' },
  { name: 'x', type: 'DOUBLE' },
  { name: 'ok', type: 'BOOLEAN' },
  { name: 's', type: 'STRING' },
];

describe('ParquetFileStream', () => {
  it('writes pages of rows as row groups of typed, nullable columns, read back exactly', async () => {
    const file = join(dir, 'a.parquet');
    const w = new ParquetFileStream(file, columns, 4);
    const rows: Cell[][] = Array.from({ length: 10 }, (_, i) => [
      i,
      i === 3 ? null : i === 5 ? NaN : 0.1 * i + 1 / 3,
      i % 2 === 0,
      i === 7 ? null : `c,"${i}"`,
    ]);
    w.append(rows.slice(0, 3));
    expect(existsSync(file)).toBe(false); // under its own name only when complete
    w.append(rows.slice(3));
    w.finish();
    const buf = await asyncBufferFromFile(file);
    const meta = await parquetMetadataAsync(buf);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([4, 4, 2]);
    expect(meta.schema.slice(1).map((s) => [s.name, s.type, s.repetition_type])).toEqual([
      ['i', 'INT32', 'OPTIONAL'],
      ['x', 'DOUBLE', 'OPTIONAL'],
      ['ok', 'BOOLEAN', 'OPTIONAL'],
      ['s', 'BYTE_ARRAY', 'OPTIONAL'],
    ]);
    const back = await parquetReadObjects({ file: buf });
    expect(back).toEqual(rows.map(([i, x, ok, s]) => ({ i, x, ok, s })));
  });

  it('writes a valid empty file, and leaves nothing behind when abandoned', async () => {
    const empty = join(dir, 'empty.parquet');
    new ParquetFileStream(empty, columns).finish();
    expect(await parquetReadObjects({ file: await asyncBufferFromFile(empty) })).toEqual([]);
    const w = new ParquetFileStream(join(dir, 'gone.parquet'), columns, 2);
    w.append([[1, 2, true, 'x'], [2, 3, false, 'y'], [3, 4, true, 'z']]); // prettier-ignore
    w.abandon();
    expect(readdirSync(dir).sort()).toEqual(['a.parquet', 'empty.parquet']);
  });
});
