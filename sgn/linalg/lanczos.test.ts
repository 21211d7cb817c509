import { EigenvalueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { lanczosExtreme, type SymmetricOperator } from './lanczos.js';
import { type DenseMatrix, matvec, matvecT, scale, zeros } from './matrix.js';
import { randomMatrix, randomSymmetric } from './random-matrices.js';
import { defaultRng } from '../random/generator.js';
import { maxAbs, sortedAsc, symmetricWithSpectrum, twoEigenvalueMatrix } from './test-utils.js';
import { toMlMatrix } from './ml-matrix-adapter.js';

// Tolerances, relative to ||A||_2: default tol 1e-12 bounds the residual, and the eigenvalue error
// is at most the residual (usually ~residual^2 / gap), so 1e-11 leaves margin; residuals are
// checked against tol itself (times 2 for the lower-bound norm estimate's slack).
const TOL_VALUE = 1e-11;
const TOL_RES = 2e-12;

function op(a: DenseMatrix): SymmetricOperator {
  return { n: a.rows, apply: (x, y) => void matvec(a, x, y) };
}

function residual(a: DenseMatrix, v: Float64Array, lambda: number): number {
  const av = matvec(a, v);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (av[i] - lambda * v[i]) ** 2;
  return Math.sqrt(s);
}

function unitNorm(v: Float64Array): number {
  return Math.hypot(...v);
}

function checkAgainst(a: DenseMatrix, ref: number[], label: string): void {
  const n = a.rows;
  const nrm = Math.max(maxAbs(ref), 1e-300);
  for (const which of ['min', 'max'] as const) {
    const r = lanczosExtreme(op(a), { which });
    const want = which === 'min' ? ref[0] : ref[n - 1];
    expect(Math.abs(r.value - want), `${label} ${which}`).toBeLessThanOrEqual(TOL_VALUE * nrm);
    expect(r.converged).toBe(true);
    expect(r.residual).toBeLessThanOrEqual(TOL_RES * nrm);
    expect(residual(a, r.vector, r.value)).toBeLessThanOrEqual(TOL_RES * nrm);
    expect(Math.abs(unitNorm(r.vector) - 1)).toBeLessThan(1e-13);
    expect(r.iterations).toBeLessThanOrEqual(n);
  }
}

describe('lanczosExtreme vs ml-matrix EigenvalueDecomposition', () => {
  const rng = defaultRng(202);
  for (const n of [1, 2, 3, 10, 64, 200]) {
    it(`random symmetric n=${n}`, () => {
      const a = randomSymmetric(n, rng);
      const ref = sortedAsc(
        new EigenvalueDecomposition(toMlMatrix(a), { assumeSymmetric: true }).realEigenvalues,
      );
      checkAgainst(a, ref, `n=${n}`);
    });
  }

  it('n=512 with an exactly known spectrum', () => {
    // A known spectrum is an exact reference and avoids a second 3 s ml-matrix run at this size.
    // Jittered uniform spacing: extreme gaps ~ 0.2% of ||A||, a realistic but not hopeless case.
    const n = 512;
    const rng2 = defaultRng(512);
    const values = Array.from({ length: n }, (_, i) => -7 + (14 * (i + 0.9 * rng2.uniform())) / n);
    const a = symmetricWithSpectrum(values, rng2);
    checkAgainst(a, sortedAsc(values), 'n=512');
  });
});

describe('lanczosExtreme: breakdown, restarts and nasty cases', () => {
  it('two distinct eigenvalues: exact in 2 steps from the default start, 2 + 2 from a user start', () => {
    for (const m of [1, 5, 100]) {
      const c = 0.7;
      const a = twoEigenvalueMatrix(m, c, defaultRng(m + 1));
      const n = 2 * m;
      for (const which of ['min', 'max'] as const) {
        const want = which === 'min' ? 1 - c : 1 + c;
        const r = lanczosExtreme(op(a), { which });
        expect(Math.abs(r.value - want)).toBeLessThanOrEqual(1e-14);
        expect(r.iterations).toBeLessThanOrEqual(Math.min(2, n));
        expect(r.restarts).toBe(0);
        const start = Float64Array.from({ length: n }, (_, i) => Math.cos(3 * i + 1));
        const w = lanczosExtreme(op(a), { which, start });
        expect(Math.abs(w.value - want)).toBeLessThanOrEqual(1e-14);
        expect(w.iterations).toBeLessThanOrEqual(Math.min(4, n));
      }
    }
  });

  it('start vector in an invariant subspace that misses the extreme eigenvalue: restart finds it', () => {
    const n = 40;
    const a = zeros(n, n);
    for (let i = 0; i < n; i++) a.data[i * n + i] = i + 1;
    const e0 = new Float64Array(n);
    e0[0] = 1; // eigenvector of the smallest eigenvalue; useless for 'max'
    const r = lanczosExtreme(op(a), { which: 'max', start: e0 });
    expect(r.value).toBeCloseTo(n, 10);
    expect(r.restarts).toBe(1);
    // Start in span(e_0, e_1, e_2) of diag(5, 6, 7, 1, 2, ...): min is hidden in the complement.
    const b = zeros(n, n);
    for (let i = 0; i < n; i++) b.data[i * n + i] = i < 3 ? 5 + i : i - 2;
    const s = new Float64Array(n);
    s[0] = 1;
    s[1] = 2;
    s[2] = 3;
    const rb = lanczosExtreme(op(b), { which: 'min', start: s });
    expect(Math.abs(rb.value - 1)).toBeLessThanOrEqual(1e-11 * n);
    expect(rb.restarts).toBe(1);
    // Exact eigenvector of the wanted eigenvalue as a warm start: confirmed, not wrongly replaced.
    const rc = lanczosExtreme(op(a), { which: 'min', start: e0 });
    expect(rc.value).toBe(1);
    expect(Math.abs(rc.vector[0])).toBeCloseTo(1, 12);
  });

  it('zero matrix, 1x1, diagonal and negative definite', () => {
    const z = lanczosExtreme(op(zeros(6, 6)), { which: 'min' });
    expect(z.value).toBe(0);
    expect(z.iterations).toBe(1);
    expect(z.residual).toBe(0);
    const zs = lanczosExtreme(op(zeros(6, 6)), { which: 'max', start: Float64Array.of(1, 0, 0, 0, 0, 0) });
    expect(zs.value).toBe(0);
    const one = lanczosExtreme(op({ rows: 1, cols: 1, data: Float64Array.of(-2.5) }), { which: 'max' });
    expect(one.value).toBe(-2.5);
    expect(Math.abs(one.vector[0])).toBe(1);

    const n = 30;
    const d = zeros(n, n);
    for (let i = 0; i < n; i++) d.data[i * n + i] = ((i * 7) % n) - 10; // permuted -10..19
    expect(lanczosExtreme(op(d), { which: 'min' }).value).toBeCloseTo(-10, 12);
    expect(lanczosExtreme(op(d), { which: 'max' }).value).toBeCloseTo(19, 12);

    const values = Array.from({ length: 50 }, (_, i) => -1 - 0.1 * i - (i === 49 ? 5 : 0));
    const neg = symmetricWithSpectrum(values, defaultRng(9));
    expect(Math.abs(lanczosExtreme(op(neg), { which: 'max' }).value + 1)).toBeLessThanOrEqual(TOL_VALUE * 10);
    expect(Math.abs(lanczosExtreme(op(neg), { which: 'min' }).value + 10.9)).toBeLessThanOrEqual(
      TOL_VALUE * 10,
    );
  });

  it('warm start from a neighbouring matrix cuts the iteration count', () => {
    const n = 200;
    const a = randomSymmetric(n, defaultRng(31));
    const b = randomSymmetric(n, defaultRng(32));
    const first = lanczosExtreme(op(a), { which: 'min' });
    for (const eps of [1e-2, 1e-4]) {
      const a2 = zeros(n, n);
      for (let k = 0; k < n * n; k++) a2.data[k] = a.data[k] + eps * b.data[k];
      const cold = lanczosExtreme(op(a2), { which: 'min' });
      const warm = lanczosExtreme(op(a2), { which: 'min', start: first.vector });
      expect(Math.abs(warm.value - cold.value)).toBeLessThanOrEqual(TOL_VALUE * 30);
      expect(warm.iterations).toBeLessThan(cold.iterations);
      if (eps === 1e-4) expect(warm.iterations).toBeLessThan(0.75 * cold.iterations);
    }
    // Same matrix, its own eigenvector as start: an invariant subspace at step 1, so a confirming
    // block runs only until the runner-up eigenvalue is separated: still cheaper than cold.
    const again = lanczosExtreme(op(a), { which: 'min', start: first.vector });
    expect(again.restarts).toBe(1);
    expect(again.iterations).toBeLessThan(first.iterations);
    expect(Math.abs(again.value - first.value)).toBeLessThanOrEqual(1e-13 * 30);
  });

  it('warm start on a Gram operator A^T A (the spectral-norm sweep) cuts the iteration count', () => {
    const m = 150;
    const n = 120;
    const rng = defaultRng(33);
    const a = randomMatrix(m, n, rng);
    const b = randomMatrix(m, n, rng);
    const gram = (x: DenseMatrix): SymmetricOperator => {
      const t = new Float64Array(m);
      return { n, apply: (v, y) => void matvecT(x, matvec(x, v, t), y) };
    };
    const first = lanczosExtreme(gram(a), { which: 'max' });
    // Iterations scale with log(initial residual / final residual): a 1e-5 step saves ~40%.
    const a2 = { rows: m, cols: n, data: a.data.map((x, k) => x + 1e-5 * b.data[k]) };
    const cold = lanczosExtreme(gram(a2), { which: 'max' });
    const warm = lanczosExtreme(gram(a2), { which: 'max', start: first.vector });
    expect(Math.abs(warm.value - cold.value)).toBeLessThanOrEqual(TOL_VALUE * cold.value);
    expect(warm.iterations).toBeLessThan(0.8 * cold.iterations);
  });

  it('is deterministic and honours maxIter (flagging non-convergence)', () => {
    const a = randomSymmetric(100, defaultRng(5));
    const r1 = lanczosExtreme(op(a), { which: 'max' });
    const r2 = lanczosExtreme(op(a), { which: 'max' });
    expect(r2.value).toBe(r1.value);
    expect(r2.iterations).toBe(r1.iterations);
    const short = lanczosExtreme(op(a), { which: 'max', maxIter: 5 });
    expect(short.iterations).toBe(5);
    expect(short.converged).toBe(false);
    expect(short.residual).toBeGreaterThan(1e-6);
    expect(short.value).toBeLessThanOrEqual(r1.value + 1e-12); // Ritz values approach from inside
  });

  it('scale invariance of the relative tolerance', () => {
    const a = randomSymmetric(60, defaultRng(6));
    const r = lanczosExtreme(op(a), { which: 'min' });
    for (const s of [1e-8, 1e8]) {
      const rs = lanczosExtreme(op(scale(a, s)), { which: 'min' });
      expect(Math.abs(rs.value / s - r.value)).toBeLessThanOrEqual(1e-11 * Math.abs(r.value));
    }
  });
});
