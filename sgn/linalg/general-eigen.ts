/**
 * Eigenvalues of a general real square matrix: balancing (exact power-of-2 diagonal scaling),
 * Householder reduction to upper Hessenberg form, then the Francis double-shift QR algorithm
 * (EISPACK hqr), eigenvalues only, all on row-major Float64Array.
 *
 * Why not ml-matrix's EigenvalueDecomposition: it always accumulates eigenvectors (hqr2) on
 * arrays-of-arrays; on the dev machine (bench-kernels.ts --ml) it took 8.6 s at n = 512 and 76 s at
 * n = 1024, against 1.9 s and 19 s here (small sizes: eigen.ts). Its accuracy is fine and it
 * remains the reference in tests. Callers outside this folder import this through eigen.ts.
 *
 * Accuracy: backward stable (the computed eigenvalues are exact for A + E with ||E|| ~ eps ||A||),
 * so well-conditioned eigenvalues are accurate to ~eps ||A||; defective / clustered ones are as
 * sensitive as their condition numbers make them (as with LAPACK's dgeev, which NumPy calls).
 */
import type { DenseMatrix } from './matrix.js';
import { simdHessenbergWork, type SimdHessenbergWork } from './simd.js';

const EPS = 2 ** -52;

/**
 * Scale rows/columns by powers of 2 (exact in floating point) so that row and column norms are
 * comparable; a similarity transform that reduces the norm the QR backward error is relative to.
 */
function balance(h: Float64Array, n: number): void {
  const radix = 2;
  const sqrdx = radix * radix;
  for (let sweep = 0, done = false; !done && sweep < 100; sweep++) {
    done = true;
    for (let i = 0; i < n; i++) {
      let c = 0;
      let r = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        c += Math.abs(h[j * n + i]);
        r += Math.abs(h[i * n + j]);
      }
      if (c === 0 || r === 0 || !Number.isFinite(c + r)) continue;
      let g = r / radix;
      let f = 1;
      const s = c + r;
      while (c < g) {
        f *= radix;
        c *= sqrdx;
      }
      g = r * radix;
      while (c > g) {
        f /= radix;
        c /= sqrdx;
      }
      if ((c + r) / f < 0.95 * s) {
        done = false;
        const gi = 1 / f;
        for (let j = 0; j < n; j++) h[i * n + j] *= gi;
        for (let j = 0; j < n; j++) h[j * n + i] *= f;
      }
    }
  }
}

/**
 * In-place Householder reduction to upper Hessenberg form (entries below the subdiagonal zeroed).
 * The O(n^3) updates run in WebAssembly SIMD when available (~3x faster at n = 64), on a copy.
 */
function hessenberg(h: Float64Array, n: number): void {
  const simd = simdHessenbergWork(h, n);
  if (simd === null) {
    reduceHessenberg(h, n, null);
    return;
  }
  try {
    reduceHessenberg(simd.h, n, simd);
    h.set(simd.h);
  } finally {
    simd.free();
  }
}

function reduceHessenberg(h: Float64Array, n: number, simd: SimdHessenbergWork | null): void {
  const v = simd !== null ? simd.v : new Float64Array(n);
  const u = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const k1 = k + 1;
    let scale = 0;
    for (let i = k1; i < n; i++) scale = Math.max(scale, Math.abs(h[i * n + k]));
    if (scale === 0) continue;
    let sigma = 0;
    for (let i = k1 + 1; i < n; i++) {
      const x = h[i * n + k] / scale;
      sigma += x * x;
    }
    if (sigma === 0) continue; // column already in Hessenberg form
    const alpha = h[k1 * n + k];
    const as = alpha / scale;
    const norm = scale * Math.sqrt(as * as + sigma);
    const beta = alpha >= 0 ? -norm : norm;
    const tau = (beta - alpha) / beta;
    const denom = alpha - beta;
    v[k1] = 1;
    for (let i = k1 + 1; i < n; i++) v[i] = h[i * n + k] / denom;
    if (simd !== null) {
      simd.step(k, tau);
      h[k1 * n + k] = beta;
      for (let i = k1 + 1; i < n; i++) h[i * n + k] = 0;
      continue;
    }
    // Left: u = v^T H[k1:, k:] (row sweeps, contiguous).
    u.fill(0, k, n);
    for (let i = k1; i < n; i++) {
      const vi = v[i];
      const row = i * n;
      for (let j = k; j < n; j++) u[j] += vi * h[row + j];
    }
    // One sweep per row: the left update H_i -= tau v_i u (rows k1..), then the right update
    // H_i -= tau (H_i v) v^T on the same, still cached, row. Right multiplication acts row by row,
    // so doing it right after that row's left update is exactly (P H) P.
    for (let i = 0; i < n; i++) {
      const row = i * n;
      if (i >= k1) {
        const f = tau * v[i];
        for (let j = k; j < n; j++) h[row + j] -= f * u[j];
      }
      let s = 0;
      for (let j = k1; j < n; j++) s += h[row + j] * v[j];
      s *= tau;
      for (let j = k1; j < n; j++) h[row + j] -= s * v[j];
    }
    h[k1 * n + k] = beta;
    for (let i = k1 + 1; i < n; i++) h[i * n + k] = 0;
  }
}

/**
 * Apply the bulge-chasing reflector of hqr at position k from the left (rows k..k+2, columns
 * k..nn) and from the right (columns k..k+2, rows l..min(k+3, nn)); 2x2 when k = nn - 1. A small
 * separate function on purpose: V8 optimises it after a few calls, whereas the big hqr loop stays
 * in the interpreter for a long while (first call at n = 64: 186 ms inline, 52 ms split out).
 */
function applyReflector(
  a: Float64Array,
  n: number,
  k: number,
  l: number,
  nn: number,
  x: number,
  y: number,
  z: number,
  q: number,
  r: number,
): void {
  const rk = k * n;
  const rk1 = rk + n;
  const rk2 = rk1 + n;
  const mmin = nn < k + 3 ? nn : k + 3;
  if (k !== nn - 1) {
    for (let j = k; j <= nn; j++) {
      const pj = a[rk + j] + q * a[rk1 + j] + r * a[rk2 + j];
      a[rk2 + j] -= pj * z;
      a[rk1 + j] -= pj * y;
      a[rk + j] -= pj * x;
    }
    for (let i = l; i <= mmin; i++) {
      const ri = i * n + k;
      const pi = x * a[ri] + y * a[ri + 1] + z * a[ri + 2];
      a[ri + 2] -= pi * r;
      a[ri + 1] -= pi * q;
      a[ri] -= pi;
    }
  } else {
    for (let j = k; j <= nn; j++) {
      const pj = a[rk + j] + q * a[rk1 + j];
      a[rk1 + j] -= pj * y;
      a[rk + j] -= pj * x;
    }
    for (let i = l; i <= mmin; i++) {
      const ri = i * n + k;
      const pi = x * a[ri] + y * a[ri + 1];
      a[ri + 1] -= pi * q;
      a[ri] -= pi;
    }
  }
}

/**
 * Francis double-shift QR on an upper Hessenberg matrix, eigenvalues only (row operations limited
 * to the active window, which is what makes it several times cheaper than hqr2). Port of EISPACK
 * hqr (Numerical Recipes form) to 0-based row-major storage.
 */
function hqr(a: Float64Array, n: number, wr: Float64Array, wi: Float64Array): void {
  let anorm = 0;
  for (let i = 0; i < n; i++) for (let j = Math.max(i - 1, 0); j < n; j++) anorm += Math.abs(a[i * n + j]);
  let nn = n - 1;
  let t = 0;
  const maxIts = 100;
  while (nn >= 0) {
    let its = 0;
    let l: number;
    do {
      // Look for a single small subdiagonal element to split the active window.
      for (l = nn; l >= 1; l--) {
        let s = Math.abs(a[(l - 1) * n + (l - 1)]) + Math.abs(a[l * n + l]);
        if (s === 0) s = anorm;
        if (Math.abs(a[l * n + (l - 1)]) <= EPS * s) {
          a[l * n + l - 1] = 0;
          break;
        }
      }
      if (l < 0) l = 0;
      let x = a[nn * n + nn];
      if (l === nn) {
        // One root found.
        wr[nn] = x + t;
        wi[nn] = 0;
        nn--;
      } else {
        let y = a[(nn - 1) * n + (nn - 1)];
        let w = a[nn * n + (nn - 1)] * a[(nn - 1) * n + nn];
        if (l === nn - 1) {
          // Two roots from the trailing 2x2 block.
          const p = 0.5 * (y - x);
          const q = p * p + w;
          let z = Math.sqrt(Math.abs(q));
          x += t;
          if (q >= 0) {
            z = p + (p >= 0 ? Math.abs(z) : -Math.abs(z));
            wr[nn - 1] = wr[nn] = x + z;
            if (z !== 0) wr[nn] = x - w / z;
            wi[nn - 1] = wi[nn] = 0;
          } else {
            wr[nn - 1] = wr[nn] = x + p;
            wi[nn - 1] = -z;
            wi[nn] = z;
          }
          nn -= 2;
        } else {
          if (its >= maxIts) throw new Error('generalEigenvalues: QR iteration did not converge');
          if (its > 0 && its % 10 === 0) {
            // Exceptional shift to break cycles.
            t += x;
            for (let i = 0; i <= nn; i++) a[i * n + i] -= x;
            const s = Math.abs(a[nn * n + (nn - 1)]) + Math.abs(a[(nn - 1) * n + (nn - 2)]);
            y = x = 0.75 * s;
            w = -0.4375 * s * s;
          }
          ++its;
          // Find two consecutive small subdiagonal elements (start of the bulge).
          let m: number;
          let p = 0;
          let q = 0;
          let r = 0;
          let z: number;
          for (m = nn - 2; m >= l; m--) {
            z = a[m * n + m];
            r = x - z;
            let s = y - z;
            p = (r * s - w) / a[(m + 1) * n + m] + a[m * n + (m + 1)];
            q = a[(m + 1) * n + (m + 1)] - z - r - s;
            r = a[(m + 2) * n + (m + 1)];
            s = Math.abs(p) + Math.abs(q) + Math.abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m === l) break;
            const u = Math.abs(a[m * n + (m - 1)]) * (Math.abs(q) + Math.abs(r));
            const v =
              Math.abs(p) *
              (Math.abs(a[(m - 1) * n + (m - 1)]) + Math.abs(z) + Math.abs(a[(m + 1) * n + (m + 1)]));
            if (u <= EPS * v) break;
          }
          for (let i = m + 2; i <= nn; i++) {
            a[i * n + i - 2] = 0;
            if (i !== m + 2) a[i * n + i - 3] = 0;
          }
          // Double-shift QR step: chase the bulge with 3x3 Householder reflectors.
          for (let k = m; k <= nn - 1; k++) {
            if (k !== m) {
              p = a[k * n + (k - 1)];
              q = a[(k + 1) * n + (k - 1)];
              r = k !== nn - 1 ? a[(k + 2) * n + (k - 1)] : 0;
              x = Math.abs(p) + Math.abs(q) + Math.abs(r);
              if (x !== 0) {
                p /= x;
                q /= x;
                r /= x;
              }
            }
            const sn = Math.sqrt(p * p + q * q + r * r);
            const s = p >= 0 ? sn : -sn;
            if (s !== 0) {
              if (k === m) {
                if (l !== m) a[k * n + k - 1] = -a[k * n + (k - 1)];
              } else {
                a[k * n + k - 1] = -s * x;
              }
              p += s;
              x = p / s;
              y = q / s;
              z = r / s;
              q /= p;
              r /= p;
              applyReflector(a, n, k, l, nn, x, y, z, q, r);
            }
          }
        }
      }
    } while (nn >= 0 && l < nn - 1);
  }
}

/**
 * All eigenvalues of a real square matrix as (re, im) pairs, sorted by real part then imaginary
 * part, ascending (so a conjugate pair appears as re - i|im| then re + i|im|, with identical re).
 */
export function generalEigenvalues(a: DenseMatrix): { re: Float64Array; im: Float64Array } {
  if (a.rows !== a.cols)
    throw new Error(`generalEigenvalues: matrix must be square, got ${a.rows}x${a.cols}`);
  const n = a.rows;
  for (let k = 0; k < a.data.length; k++)
    if (!Number.isFinite(a.data[k])) throw new Error('generalEigenvalues: matrix has non-finite entries');
  const h = Float64Array.from(a.data);
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  if (n > 0) {
    balance(h, n);
    hessenberg(h, n);
    hqr(h, n, wr, wi);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => wr[x] - wr[y] || wi[x] - wi[y]);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    re[i] = wr[order[i]];
    im[i] = wi[order[i]];
  }
  return { re, im };
}
