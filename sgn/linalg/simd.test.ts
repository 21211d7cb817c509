import { describe, expect, it } from 'vitest';
import { matvec, matvecT, symPart } from './matrix.js';
import { randomMatrix, randomVector, seededRandom } from './random.js';
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
  it('matvecT is bit-identical to matrix.ts (same summation order)', () => {
    const rng = seededRandom(1);
    for (const [r, c] of SHAPES) {
      const a = randomMatrix(r, c, rng);
      const m = must(simdMatrix(a));
      const x = randomVector(r, rng);
      const y = new Float64Array(c);
      m.matvecT(x, y);
      expect(y, `${r}x${c}`).toEqual(matvecT(a, x));
      m.free();
    }
  });

  it('matvec and symv agree with matrix.ts to rounding', () => {
    const rng = seededRandom(2);
    for (const [r, c] of SHAPES) {
      const a = randomMatrix(r, c, rng);
      const m = must(simdMatrix(a));
      const x = randomVector(c, rng);
      const y = new Float64Array(r);
      m.matvec(x, y);
      expectClose(y, matvec(a, x), c * maxAbs(x));
      m.free();
      if (r !== c) continue;
      // symv reads the lower triangle only: give it garbage above the diagonal.
      const s = symPart(a);
      const lower = Float64Array.from(s.data);
      for (let i = 0; i < r; i++) for (let j = i + 1; j < r; j++) lower[i * r + j] = 1e6;
      const ms = must(simdMatrix({ rows: r, cols: r, data: lower }));
      ms.symv(x, y);
      expectClose(y, matvec(s, x), r * maxAbs(x));
      ms.free();
    }
  });

  it('keeps working after the memory grows under it, and after load()', () => {
    const rng = seededRandom(3);
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
    const rng = seededRandom(4);
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
