/** expandGlob on a real directory tree: wildcards, classes, `**`, dot files, links, sorting. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandGlob } from './glob.js';

const root = mkdtempSync(join(tmpdir(), 'sgn-glob-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
for (const f of [
  'a/c10.npz',
  'a/c2.npz',
  'a/c1.npz',
  'a/B.npz',
  'a/.hidden.npz',
  'a/x.json',
  'a/sub/c3.npz',
  'a/sub/deep/c4.npz',
  'b/c5.npz',
]) {
  mkdirSync(join(root, f, '..'), { recursive: true });
  writeFileSync(join(root, f), '');
}
mkdirSync(join(root, 'a', 'dir.npz'));
symlinkSync(join(root, 'b'), join(root, 'a', 'link'));

describe('expandGlob', () => {
  it('* within a name, files only (not a folder named like one), no dot files, sorted by code unit', () => {
    expect(expandGlob('a/*.npz', root)).toEqual(['a/B.npz', 'a/c1.npz', 'a/c10.npz', 'a/c2.npz']);
  });
  it('? and [...] classes, ./ and a leading dot', () => {
    expect(expandGlob('./a/c?.npz', root)).toEqual(['a/c1.npz', 'a/c2.npz']);
    expect(expandGlob('a/[Bc]1*.npz', root)).toEqual(['a/c1.npz', 'a/c10.npz']);
    expect(expandGlob('a/[!c]*.npz', root)).toEqual(['a/B.npz']);
    expect(expandGlob('a/.*.npz', root)).toEqual(['a/.hidden.npz']);
  });
  it('** for any depth (zero included), through a symbolic link', () => {
    expect(expandGlob('a/**/c*.npz', root)).toEqual([
      'a/c1.npz',
      'a/c10.npz',
      'a/c2.npz',
      'a/link/c5.npz',
      'a/sub/c3.npz',
      'a/sub/deep/c4.npz',
    ]);
  });
  it('a link back up the tree does not loop', () => {
    symlinkSync(join(root, 'a'), join(root, 'a', 'sub', 'up'));
    expect(expandGlob('a/**/c4.npz', root)).toEqual(['a/sub/deep/c4.npz']);
    rmSync(join(root, 'a', 'sub', 'up'));
  });
  it('an absolute pattern gives absolute paths; nothing matched gives an empty list', () => {
    expect(expandGlob(join(root, 'b', '*.npz'), '/elsewhere')).toEqual([join(root, 'b', 'c5.npz')]);
    expect(expandGlob('nothing/*.npz', root)).toEqual([]);
    expect(expandGlob('a/x.json', root)).toEqual(['a/x.json']);
  });
});
