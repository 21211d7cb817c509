import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withLineFile, writeFileAtomically, writeJsonArray } from './atomic-file.js';

const dir = mkdtempSync(join(tmpdir(), 'sgn-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('files written whole or not at all', () => {
  it('puts a complete file in place, over an older one', async () => {
    const file = join(dir, 'a.csv');
    writeFileSync(file, 'old\n');
    writeFileAtomically(file, 'x,y\n1,2\n');
    expect(readFileSync(file, 'utf8')).toBe('x,y\n1,2\n');
    expect(await withLineFile(file, (f) => (f.write('a'), f.write('b\nc'), 3))).toBe(3);
    expect(readFileSync(file, 'utf8')).toBe('a\nb\nc\n');
    expect(readdirSync(dir)).toEqual(['a.csv']);
  });

  it('leaves the older file and no partial one when filling fails', async () => {
    const file = join(dir, 'b.csv');
    writeFileSync(file, 'kept\n');
    await expect(
      withLineFile(file, (f) => {
        f.write('half');
        throw new Error('the database went away');
      }),
    ).rejects.toThrow('the database went away');
    expect(readFileSync(file, 'utf8')).toBe('kept\n');
    expect(readdirSync(dir).filter((n) => n.includes('partial'))).toEqual([]);
    const missing = join(dir, 'c.csv');
    await expect(withLineFile(missing, () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(existsSync(missing)).toBe(false);
  });

  it('writes a JSON array an element a line, from any iterable; an empty one is []', async () => {
    const file = join(dir, 'maps.json');
    const maps = [{ a: 1, b: [0.5, null] }, { a: 2, text: 'x\ny' }, 3];
    function* drawn(): Generator<unknown> {
      yield* maps;
    }
    expect(await writeJsonArray(file, drawn())).toBe(3);
    const text = readFileSync(file, 'utf8');
    expect(JSON.parse(text)).toEqual(maps);
    expect(text.split('\n')).toHaveLength(maps.length + 3); // [, the elements, ], and the last newline
    expect(await writeJsonArray(file, [])).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('keeps the older JSON file when an element cannot be drawn', async () => {
    const file = join(dir, 'kept.json');
    writeFileSync(file, '[1]\n');
    function* failing(): Generator<number> {
      yield 1;
      throw new Error('lost the connection');
    }
    await expect(writeJsonArray(file, failing())).rejects.toThrow('lost the connection');
    expect(readFileSync(file, 'utf8')).toBe('[1]\n');
    expect(readdirSync(dir).filter((n) => n.includes('partial'))).toEqual([]);
  });
});
