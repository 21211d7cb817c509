/**
 * Sampled-Jacobians files as users write them: an .npz from NumPy equals its JSON form; a lone
 * .npy takes its dims from the sweep; `sgn certify` on an .npz (exit 0) and every bad file or flag
 * refused on one line with exit 2; and, when PyTorch is installed, the documented PyTorch snippet
 * (scripts/reference/gan_jacobians.py) writes a file `sgn certify` reads, whose bounds equal NumPy's
 * over the same file to 1e-12 relative and whose Jacobian agrees with central differences of F.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPythonReference } from '../test/support/python-reference.js';
import { projectRoot } from '../test/support/reference.js';
import { runSgnInProcess } from '../test/support/sgn-in-process.js';
import { resolveSpec } from '../sweep/resolve.js';
import { certifyRange } from '../sweep/compute.js';
import { readGameData } from './sampled-file.js';

const dir = mkdtempSync(join(tmpdir(), 'sgn-sampled-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = join(projectRoot, 'examples', 'games', 'sampled-2p.npz');

function python(code: string): boolean {
  const r = spawnSync('python3', ['-c', code, dir], { encoding: 'utf8', timeout: 60_000 });
  return !r.error && r.status === 0;
}

const numpy = python(`
import sys, json, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(3)
J = rng.standard_normal((5, 3, 3)) * 0.2 + 2 * np.eye(3)
np.savez(f'{d}/g.npz', dims=np.array([1, 2], dtype=np.int32), jacobians=J.astype(np.float32))
json.dump({'family': 'sampled-jacobians', 'dims': [1, 2], 'jacobians': J.astype(np.float32).astype(np.float64).tolist()}, open(f'{d}/g.json', 'w'))
np.save(f'{d}/only.npy', np.asfortranarray(J))
np.savez(f'{d}/extra.npz', dims=[1, 2], jacobians=J, hessians=J)
np.savez(f'{d}/nodims.npz', jacobians=J)
np.savez(f'{d}/flat.npz', dims=[1, 2], jacobians=J.reshape(5, 9))
np.savez(f'{d}/nan.npz', dims=[1, 2], jacobians=np.where(np.arange(45).reshape(5, 3, 3) == 7, np.nan, J))
`);
if (!numpy) console.warn('sampled-file: python3 with NumPy did not run; the committed fixture only');

describe.skipIf(!numpy)('files NumPy writes', () => {
  it('an .npz (int32 dims, float32 Jacobians) reads as its JSON form', () => {
    expect(readGameData(join(dir, 'g.npz'))).toEqual(readGameData(join(dir, 'g.json')));
  });

  it('a lone .npy (Fortran order) in a sweep whose game section gives dims', async () => {
    const r = resolveSpec({ kind: 'certify', game: { file: 'only.npy', dims: [1, 2] } }, { baseDir: dir });
    const [row] = await certifyRange(r, 0, 1);
    expect(row.error).toBeNull();
    const json = resolveSpec({ kind: 'certify', game: { file: 'g.json' } }, { baseDir: dir });
    const [fromJson] = await certifyRange(json, 0, 1);
    // The same samples up to float32 rounding (g.json holds them in float32).
    expect(Math.abs((row.optimalAlpha ?? 0) - (fromJson.optimalAlpha ?? 0))).toBeLessThan(1e-6);
  });

  it.each([
    [
      'extra.npz',
      /^sgn certify: \S+extra\.npz: holds an array "hessians" this format does not know \(known: dims, jacobians, points, gradients\)$/,
    ],
    ['nodims.npz', /^sgn certify: \S+nodims\.npz: has no array "dims"/],
    [
      'flat.npz',
      /^sgn certify: \S+flat\.npz: array "jacobians": must have shape \(S, d, d\) or \(d, d\), has \(5, 9\)$/,
    ],
    [
      'nan.npz',
      /^sgn certify: \S+nan\.npz: array "jacobians": holds NaN at flat index 7 \(values must be finite\)$/,
    ],
    [
      'only.npy',
      /^sgn certify: game\.dims: is required \(the block sizes; a lone \.npy holds the Jacobians only/,
    ],
  ])('%s: one line, exit 2', async (name, want) => {
    const r = await runSgnInProcess(['certify', join(dir, name)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(want);
  });
});

describe('sgn certify on the committed .npz', () => {
  it('certifies over the 81 samples, mode sampled', async () => {
    const r = await runSgnInProcess(['certify', fixture, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as {
      certified: boolean;
      region: { kind: string; mode: string; points: number };
    };
    expect(c.certified).toBe(true);
    expect(c.region).toMatchObject({ kind: 'samples', mode: 'sampled', points: 81 });
  });

  it.each([
    [['--region', 'box:1'], '--region'],
    [['--sampler', 'grid:3'], '--sampler'],
    [['--rigorous'], '--rigorous'],
  ])('%j is refused (the samples are the region)', async (flags, field) => {
    const r = await runSgnInProcess(['certify', fixture, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd()).toBe(
      `sgn certify: ${field}: does not apply to a sampled-jacobians game: its bounds are taken over the samples the file gives`,
    );
  });

  it('a file that is no zip, and a JSON file of the family with a region section', async () => {
    const bad = join(dir, 'bad.npz');
    writeFileSync(bad, 'not a zip at all, but long enough to hold an end record..');
    const r = await runSgnInProcess(['certify', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd()).toBe(
      `sgn certify: ${bad}: is not a zip (.npz) archive (no end-of-central-directory record)`,
    );
    const withRegion = join(dir, 'region.json');
    writeFileSync(
      withRegion,
      JSON.stringify({
        family: 'sampled-jacobians',
        dims: [1, 1],
        jacobians: [
          [
            [1, 0],
            [0, 1],
          ],
        ],
        region: 'box:1',
      }),
    );
    const s = await runSgnInProcess(['certify', withRegion]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/^sgn certify: game\.region: does not apply to a sampled-jacobians game/);
  });
});

interface GanReference {
  torch: string;
  dims: number[];
  samples: number;
  mu: number[];
  L: number[][];
  gammaEuclidean: number;
  finiteDifferenceError: number;
}

const gan = runPythonReference<GanReference>('gan_jacobians.py', [join(dir, 'gan.npz')]);
if (!gan.ok) console.warn(`sampled-file: the PyTorch snippet was not run (${gan.reason})`);

describe.skipIf(!gan.ok)('the documented PyTorch snippet', () => {
  const ref = gan.ok ? gan.data : null;
  it('writes a file sgn certify reads, its bounds NumPy’s over the same file (1e-12 relative)', async () => {
    if (!ref) return;
    const r = await runSgnInProcess(['certify', join(dir, 'gan.npz'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as {
      dims: number[];
      mu: number[];
      L: number[][];
      gammaEuclidean: number;
      region: { points: number };
    };
    expect(c.dims).toEqual(ref.dims);
    expect(c.region.points).toBe(ref.samples);
    const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(b));
    ref.mu.forEach((m, i) => expect(rel(c.mu[i], m)).toBeLessThanOrEqual(1e-12));
    ref.L.forEach((row, i) => row.forEach((v, j) => expect(rel(c.L[i][j], v)).toBeLessThanOrEqual(1e-12)));
    expect(rel(c.gammaEuclidean, ref.gammaEuclidean)).toBeLessThanOrEqual(1e-12);
    // jacrev's Jacobian against central differences (h = 1e-6): truncation and rounding ~1e-9.
    expect(ref.finiteDifferenceError).toBeLessThan(1e-6);
  });
});
