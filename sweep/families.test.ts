/** Game families in sweeps: the scalar preset sweeps over a and b; nonlinear families are refused. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../sgn/util/errors.js';
import { resolveSpec } from './resolve.js';
import { certifyRange } from './compute.js';

const examples = new URL('../examples/games/', import.meta.url).pathname;

describe('families in sweeps', () => {
  it('the scalar preset from a game file, swept over a: certified iff a b < mu1 mu2', async () => {
    const r = resolveSpec(
      { kind: 'certify', game: { file: join(examples, 'scalar-toy.json'), a: { values: [1, 4.9, 5.1] } } },
      { baseDir: examples },
    );
    expect(r.totalCells).toBe(3);
    const rows = await certifyRange(r, 0, 3);
    // mu1 = mu2 = 1, b = 0.2: the threshold is a = 5.
    expect(rows.map((x) => x.certified)).toEqual([true, true, false]);
    expect(rows[0].optimalAlpha).toBeCloseTo(1 - Math.sqrt(0.2), 12);
  });

  it('a tanh game is refused (no region axis yet: it would be certified at x = 0 only)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgn-families-'));
    const file = join(dir, 'tanh.json');
    writeFileSync(file, JSON.stringify({ family: 'tanh', dims: [1, 1], Q: [1, 1] }));
    try {
      resolveSpec({ kind: 'certify', game: { file } }, { baseDir: examples });
      expect.fail('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).field).toBe('spec.game.family');
      expect((e as InputError).problem).toMatch(
        /quadratic family only .* certify it with sgn certify --region/,
      );
    }
  });
});
