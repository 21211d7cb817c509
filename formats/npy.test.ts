/**
 * The .npy / .npz readers against files NumPy writes (in the test, when python3 has NumPy: every
 * dtype read, both orders, format versions 1 to 3, np.savez and np.savez_compressed), against the
 * committed fixture examples/games/sampled-2p.npz always, and against broken inputs, each refused
 * on one line naming the file and the array. Values must be equal exactly (no tolerance).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../test/support/reference.js';
import { InputError } from '../sgn/util/errors.js';
import { parseNpy } from './npy.js';
import { parseNpz } from './npz.js';
import { numpyGameObject } from './sampled-file.js';

const dir = mkdtempSync(join(tmpdir(), 'sgn-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An .npy image built by hand (format 1.0), for the inputs NumPy would not write. */
function npy(descr: string, shape: number[], fortran: boolean, data: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, 10 + header.length);
  return out;
}

function f8(values: number[]): Uint8Array {
  return new Uint8Array(Float64Array.from(values).buffer);
}

function problem(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected an InputError');
}

// What the script writes: one array per case, its values in C order as NumPy lists them.
const WRITER = `
import json, sys, numpy as np
from numpy.lib import format as fmt
d = sys.argv[1]
rng = np.random.default_rng(7)
cases = {
  'f8': rng.standard_normal((3, 4)),
  'f4': rng.standard_normal((2, 3)).astype('<f4'),
  'fortran': np.asfortranarray(rng.standard_normal((2, 3, 4))),
  'i8': np.array([[1, -2, 3], [2**52, -(2**53 - 1), 0]], dtype='<i8'),
  'be_i4': np.array([1, -70000, 5], dtype='>i4'),
  'be_f8': np.array([[1.5, -2.25]], dtype='>f8'),
  'u1': np.array([0, 200, 255], dtype='u1'),
  'b1': np.array([True, False, True]),
  'scalar': np.array(3.25),
  'empty': np.zeros((0, 4)),
}
out = {}
for name, a in cases.items():
  np.save(f'{d}/{name}.npy', a)
  out[name] = {'shape': list(a.shape), 'values': a.astype(np.float64).ravel(order='C').tolist()}
for v in [(2, 0), (3, 0)]:
  with open(f'{d}/v{v[0]}.npy', 'wb') as fh:
    fmt.write_array(fh, cases['f8'], version=v)
np.savez(f'{d}/stored.npz', dims=np.array([2, 3]), jacobians=rng.standard_normal((4, 5, 5)))
np.savez_compressed(f'{d}/deflated.npz', dims=np.array([2, 3]), jacobians=rng.standard_normal((4, 5, 5)), points=rng.standard_normal((4, 5)))
for name in ['stored', 'deflated']:
  z = np.load(f'{d}/{name}.npz')
  out[name] = {k: {'shape': list(z[k].shape), 'values': z[k].astype(np.float64).ravel().tolist()} for k in z.files}
print(json.dumps({'numpy': np.__version__, 'arrays': out}))
`;

interface Written {
  numpy: string;
  arrays: Record<
    string,
    { shape: number[]; values: number[] } | Record<string, { shape: number[]; values: number[] }>
  >;
}

function writeWithNumpy(): Written | string {
  const r = spawnSync('python3', ['-c', WRITER, dir], { encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0)
    return `python3 with NumPy did not run: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout) as Written;
}

const written = writeWithNumpy();
const live = typeof written === 'string' ? null : written;
if (!live)
  console.warn(`npy: no live NumPy files (${String(written)}); the committed fixture and built inputs only`);

describe.skipIf(!live)('files NumPy writes', () => {
  const arrays = live?.arrays ?? {};
  const plain = Object.keys(arrays).filter((k) => k !== 'stored' && k !== 'deflated');
  it.each(plain)('%s.npy', (name) => {
    const want = arrays[name] as { shape: number[]; values: number[] };
    const a = parseNpy(readFileSync(join(dir, `${name}.npy`)), { file: `${name}.npy` });
    expect(a.shape).toEqual(want.shape);
    expect(Array.from(a.data)).toEqual(want.values);
  });

  it('format versions 2.0 and 3.0', () => {
    const want = arrays.f8 as { shape: number[]; values: number[] };
    for (const v of [2, 3]) {
      const bytes = readFileSync(join(dir, `v${v}.npy`));
      expect(bytes[6]).toBe(v);
      const a = parseNpy(bytes, { file: `v${v}.npy` });
      expect(a.shape).toEqual(want.shape);
      expect(Array.from(a.data)).toEqual(want.values);
    }
  });

  it.each(['stored', 'deflated'])('%s .npz archive', (name) => {
    const want = arrays[name] as Record<string, { shape: number[]; values: number[] }>;
    const got = parseNpz(readFileSync(join(dir, `${name}.npz`)), `${name}.npz`, 1 << 26);
    expect([...got.keys()].sort()).toEqual(Object.keys(want).sort());
    for (const [k, w] of Object.entries(want)) {
      expect(got.get(k)?.shape).toEqual(w.shape);
      expect(Array.from(got.get(k)?.data ?? [])).toEqual(w.values);
    }
  });

  it('an .npz as a sampled-jacobians game object', () => {
    const game = numpyGameObject(join(dir, 'deflated.npz'));
    expect(game.family).toBe('sampled-jacobians');
    expect(game.dims).toEqual([2, 3]);
    expect((game.jacobians as number[][][]).length).toBe(4);
    expect((game.points as number[][])[3].length).toBe(5);
  });

  it('an archive larger than the input limit is refused naming the array', () => {
    const bytes = readFileSync(join(dir, 'stored.npz'));
    expect(problem(() => parseNpz(bytes, 'stored.npz', 500))).toMatch(
      /^stored\.npz: array "jacobians": expands to \d+ bytes, over the input limit of 500/,
    );
  });
});

describe('the committed fixture examples/games/sampled-2p.npz', () => {
  const path = join(projectRoot, 'examples', 'games', 'sampled-2p.npz');
  it('holds dims, 81 Jacobians of 4 x 4, points and gradients (deflated)', () => {
    const arrays = parseNpz(readFileSync(path), path, 1 << 26);
    expect([...arrays.keys()].sort()).toEqual(['dims', 'gradients', 'jacobians', 'points']);
    expect(Array.from(arrays.get('dims')?.data ?? [])).toEqual([2, 2]);
    expect(arrays.get('jacobians')?.shape).toEqual([81, 4, 4]);
    expect(arrays.get('points')?.shape).toEqual([81, 4]);
    expect(arrays.get('gradients')?.shape).toEqual([81, 4]);
    // J_11 = Q1 + 3 kappa diag(x1^2) at the first point (scripts/reference/sampled_jacobians.py).
    const x = arrays.get('points')?.data ?? new Float64Array();
    const J = arrays.get('jacobians')?.data ?? new Float64Array();
    expect(J[1]).toBe(0.2);
    expect(J[0]).toBeCloseTo(1 + 0.3 * x[0] ** 2, 14);
  });

  it('a corrupted byte fails the archive on one line', () => {
    const bytes = new Uint8Array(readFileSync(path));
    bytes[200] ^= 0xff;
    expect(problem(() => parseNpz(bytes, 'bad.npz', 1 << 26))).toMatch(
      /^bad\.npz: array "\w+": (fails its CRC-32 check|does not inflate|inflates to)/,
    );
  });
});

describe('inputs refused on one line', () => {
  const origin = { file: 'f.npz', array: 'jacobians' };
  it('reads a hand-built C and Fortran array alike', () => {
    const c = parseNpy(npy('<f8', [2, 3], false, f8([1, 2, 3, 4, 5, 6])), origin);
    const f = parseNpy(npy('<f8', [2, 3], true, f8([1, 4, 2, 5, 3, 6])), origin);
    expect(Array.from(c.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(f.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('names the array and the problem', () => {
    expect(problem(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), origin))).toBe(
      'f.npz: array "jacobians": is not a NumPy .npy array (no \\x93NUMPY magic at its start)',
    );
    expect(problem(() => parseNpy(npy('<c16', [1], false, new Uint8Array(16)), origin))).toMatch(
      /^f\.npz: array "jacobians": has dtype '<c16'/,
    );
    expect(problem(() => parseNpy(npy('<f8', [2, 3], false, f8([1, 2, 3])), origin))).toBe(
      'f.npz: array "jacobians": is truncated: shape (2, 3) of <f8 needs 48 bytes of data, the file has 24',
    );
    const structured = npy('<f8', [1], false, f8([1]));
    const text = new TextDecoder('latin1')
      .decode(structured)
      .replace("'descr': '<f8'", "'descr': [('a','<f8')]");
    expect(
      problem(() =>
        parseNpy(
          Uint8Array.from(text, (ch) => ch.charCodeAt(0)),
          origin,
        ),
      ),
    ).toMatch(/structured dtype/);
    expect(problem(() => parseNpz(new Uint8Array(100), 'f.npz', 1000))).toBe(
      'f.npz: is not a zip (.npz) archive (no end-of-central-directory record)',
    );
  });
  it('refuses integers beyond 2^53', () => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, 2n ** 60n, true);
    expect(problem(() => parseNpy(npy('<i8', [1], false, b), origin))).toMatch(/beyond 2\^53/);
  });
});
