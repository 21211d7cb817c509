import { describe, expect, it } from 'vitest';
import { matvec, matvecT, symPart } from './matrix.js';
import { randomMatrix, randomVector } from './random-matrices.js';
import { defaultRng } from '../random/generator.js';
import { simdMatrix, simdRows } from './simd.js';
import { maxAbs } from './test-utils.js';

// Shapes around the kernels' edges: rows in blocks of four plus a remainder, columns in lane pairs
// plus an odd one.
const SHAPES: [number, number][] = [
  [16, 16],
  [17, 16],
  [18, 17],
  [19, 33],
  [33, 19],
  [64, 64],
  [65, 65],
  [3, 100],
  [100, 3],
];

/** Node >= 20 (package.json's engines) always has WebAssembly SIMD: null here is a failure. */
function must<T>(x: T | null): T {
  expect(x).not.toBeNull();
  return x as T;
}

/** Sums of n products in another order than matrix.ts's: within ~n eps of the largest term. */
function expectClose(a: Float64Array, b: Float64Array, scale: number): void {
  expect(a.length).toBe(b.length);
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  expect(err).toBeLessThanOrEqual(1e-13 * scale);
}

describe('simdMatrix', () => {
  it.each(SHAPES)('%i x %i: matvecT bit-identical to matrix.ts, matvec and symv to rounding', (r, c) => {
    const rng = defaultRng(r * 1000 + c);
    const a = randomMatrix(r, c, rng);
    const m = must(simdMatrix(a));
    // matvecT adds rows in matrix.ts's order; matvec sums two lanes, then adds them.
    const xr = randomVector(r, rng);
    const yc = new Float64Array(c);
    m.matvecT(xr, yc);
    expect(yc).toEqual(matvecT(a, xr));
    const xc = randomVector(c, rng);
    const yr = new Float64Array(r);
    m.matvec(xc, yr);
    expectClose(yr, matvec(a, xc), c * maxAbs(xc));
    m.free();
    if (r !== c) return;
    // symv reads the lower triangle only: give it garbage above the diagonal.
    const s = symPart(a);
    const lower = Float64Array.from(s.data);
    for (let i = 0; i < r; i++) for (let j = i + 1; j < r; j++) lower[i * r + j] = 1e6;
    const ms = must(simdMatrix({ rows: r, cols: r, data: lower }));
    ms.symv(xc, yr);
    expectClose(yr, matvec(s, xc), r * maxAbs(xc));
    ms.free();
  });

  it('keeps working after the memory grows under it, and after load()', () => {
    const rng = defaultRng(3);
    const a = randomMatrix(20, 20, rng);
    const m = must(simdMatrix(a));
    const x = randomVector(20, rng);
    const before = new Float64Array(20);
    m.matvec(x, before);
    const big = simdMatrix(randomMatrix(300, 300, rng)); // 720 kB: more than the memory had
    const after = new Float64Array(20);
    m.matvec(x, after);
    expect(after).toEqual(before);
    const b = randomMatrix(20, 20, rng);
    m.load(b.data);
    m.matvecT(x, after);
    expect(after).toEqual(matvecT(b, x));
    big?.free();
    m.free();
  });
});

describe('simdRows', () => {
  it('project(w, count) is w - Q^T Q w over the first count rows', () => {
    const rng = defaultRng(4);
    const n = 37;
    const rows = must(simdRows(6, n));
    const q = randomMatrix(6, n, rng);
    for (let j = 0; j < 6; j++) rows.row(j).set(q.data.subarray(j * n, (j + 1) * n));
    for (const count of [0, 1, 4, 6]) {
      const w = randomVector(n, rng);
      const qc = { rows: count, cols: n, data: q.data.subarray(0, count * n) };
      const expected = Float64Array.from(w);
      const back = matvecT(qc, matvec(qc, w));
      for (let i = 0; i < n; i++) expected[i] -= back[i];
      rows.project(w, count);
      expectClose(w, expected, n * n);
    }
    rows.free();
  });
});
