/**
 * Pseudospectra of a linear game's Jacobian H, as the paper's experiments/quadratic_pseudospectrum.py
 * computes them: on a grid of the complex plane, log10 of the resolvent norm ||(zI - J)^{-1}||_2 =
 * 1 / sigma_min(zI - J), for J = H (Euclidean) and J = M^{1/2} H M^{-1/2} (the same resolvent in
 * the M(w) operator norm), and the fraction of the grid where it reaches given levels.
 *
 * Conventions kept from the paper's code so that the fractions match it: the grid is
 * numpy.linspace per axis (321 points by default), the window spans the eigenvalues' real parts
 * padded by 1.5 and Im z in [-1.2, 1.2] (widened here by the largest |Im lambda| for games with
 * complex eigenvalues, the same window when they are real), sigma_min is clipped below at 1e-6
 * (log10 of the resolvent at most 6), and a point counts for a level when log10 ||R|| >= level.
 */
import { conjugateByMetric } from '../metric.js';
import type { Blocks } from '../games/blocks.js';
import { generalEigenvalues, symmetricExtremeEigenpair } from '../linalg/eigen.js';
import { zeros, type DenseMatrix } from '../linalg/matrix.js';

/** The paper's floor on sigma_min (np.clip(smin, 1e-6, None)): log10 of the resolvent is at most 6. */
export const SIGMA_MIN_FLOOR = 1e-6;
/** The paper's levels of log10 ||R||, its grid points per axis and its window padding. */
export const PAPER_LEVELS: readonly number[] = [0.5, 1, 1.5];
export const PAPER_RESOLUTION = 321;
const PAD_RE = 1.5;
const PAD_IM = 1.2;

export interface Window {
  readonly re: readonly [number, number];
  readonly im: readonly [number, number];
}

/** numpy.linspace(start, stop, n) to the last bit: start + i * step, the last point exactly stop. */
export function linspace(start: number, stop: number, n: number): Float64Array {
  const out = new Float64Array(n);
  if (n === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (n - 1);
  for (let i = 0; i < n; i++) out[i] = i * step + start;
  out[n - 1] = stop;
  return out;
}

/** The paper's window around the spectrum (see the module comment). */
export function paperWindow(eigenvalues: { re: ArrayLike<number>; im: ArrayLike<number> }): Window {
  const re = Array.from(eigenvalues.re);
  const imMax = Math.max(0, ...Array.from(eigenvalues.im, Math.abs));
  return {
    re: [Math.min(...re) - PAD_RE, Math.max(...re) + PAD_RE],
    im: [-(imMax + PAD_IM), imMax + PAD_IM],
  };
}

/**
 * sigma_min(zI - J) for a 2 x 2 J in closed form: with G = A A^*, sigma_max^2 =
 * (tr G + sqrt((G11 - G22)^2 + 4 |G12|^2)) / 2 (the discriminant as a sum of squares: written as
 * (tr G)^2 - 4 det G it cancels when the two singular values are close, losing half the digits),
 * and sigma_min = |det A| / sigma_max.
 */
function smallestSingularValue2(j: Float64Array, re: number, im: number): number {
  // A = [[p, q], [r, s]] = [[ar + i im, -j1], [-j2, dr + i im]].
  const ar = re - j[0];
  const dr = re - j[3];
  const detRe = ar * dr - im * im - j[1] * j[2];
  const detIm = im * (ar + dr);
  const det = Math.hypot(detRe, detIm);
  const trace = ar * ar + dr * dr + 2 * im * im + j[1] * j[1] + j[2] * j[2];
  const diff = ar * ar + j[1] * j[1] - j[2] * j[2] - dr * dr;
  // G12 = p conj(r) + q conj(s).
  const offRe = -(ar * j[2] + j[1] * dr);
  const offIm = im * (j[1] - j[2]);
  const sMax2 = (trace + Math.hypot(diff, 2 * Math.hypot(offRe, offIm))) / 2;
  return sMax2 === 0 ? 0 : det / Math.sqrt(sMax2);
}

/**
 * sigma_min(zI - J) = 1 / ||(zI - J)^{-1}||_2 for any small J: the inverse by complex Gauss-Jordan
 * with partial pivoting, then ||R||_2^2 = lambda_max(R^* R) from the real symmetric embedding
 * [[Re G, -Im G], [Im G, Re G]] of G = R^* R (each eigenvalue of G twice). Through the inverse,
 * not lambda_min(A^* A), so that large resolvent norms keep their relative accuracy (~eps cond).
 */
function smallestSingularValueDense(J: DenseMatrix, re: number, im: number): number {
  const n = J.rows;
  // [A | I] in separate real and imaginary parts, n x 2n.
  const w = 2 * n;
  const xr = new Float64Array(n * w);
  const xi = new Float64Array(n * w);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) xr[r * w + c] = -J.data[r * n + c];
    xr[r * w + r] += re;
    xi[r * w + r] = im;
    xr[r * w + n + r] = 1;
  }
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.hypot(xr[k * w + k], xi[k * w + k]);
    for (let r = k + 1; r < n; r++) {
      const m = Math.hypot(xr[r * w + k], xi[r * w + k]);
      if (m > best) [p, best] = [r, m];
    }
    if (best === 0) return 0; // z is an eigenvalue (exactly, in floating point)
    if (p !== k)
      for (let c = 0; c < w; c++) {
        [xr[k * w + c], xr[p * w + c]] = [xr[p * w + c], xr[k * w + c]];
        [xi[k * w + c], xi[p * w + c]] = [xi[p * w + c], xi[k * w + c]];
      }
    // Row k divided by the pivot.
    const pr = xr[k * w + k];
    const pi = xi[k * w + k];
    const m2 = pr * pr + pi * pi;
    const ir = pr / m2;
    const ii = -pi / m2;
    for (let c = 0; c < w; c++) {
      const a = xr[k * w + c];
      const b = xi[k * w + c];
      xr[k * w + c] = a * ir - b * ii;
      xi[k * w + c] = a * ii + b * ir;
    }
    for (let r = 0; r < n; r++) {
      if (r === k) continue;
      const fr = xr[r * w + k];
      const fi = xi[r * w + k];
      if (fr === 0 && fi === 0) continue;
      for (let c = 0; c < w; c++) {
        const a = xr[k * w + c];
        const b = xi[k * w + c];
        xr[r * w + c] -= fr * a - fi * b;
        xi[r * w + c] -= fr * b + fi * a;
      }
    }
  }
  // G = R^* R, R = the right half: G_ab = sum_r conj(R_ra) R_rb.
  const s = zeros(w, w);
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) {
      let gr = 0;
      let gi = 0;
      for (let r = 0; r < n; r++) {
        const ar = xr[r * w + n + a];
        const ai = xi[r * w + n + a];
        const br = xr[r * w + n + b];
        const bi = xi[r * w + n + b];
        gr += ar * br + ai * bi;
        gi += ar * bi - ai * br;
      }
      s.data[a * w + b] = gr;
      s.data[(a + n) * w + b + n] = gr;
      s.data[(a + n) * w + b] = gi;
      s.data[a * w + b + n] = -gi;
    }
  const normR2 = symmetricExtremeEigenpair(s, 'max').value;
  return 1 / Math.sqrt(normR2);
}

/** sigma_min(zI - J), z = re + i im; `method` chooses the path (tests compare the two on 2 x 2). */
export function smallestSingularValue(
  J: DenseMatrix,
  re: number,
  im: number,
  method: 'auto' | 'dense' = 'auto',
): number {
  if (J.rows !== J.cols) throw new Error(`smallestSingularValue: J must be square, got ${J.rows}x${J.cols}`);
  return J.rows === 2 && method === 'auto'
    ? smallestSingularValue2(J.data, re, im)
    : smallestSingularValueDense(J, re, im);
}

/** log10 ||(zI - J)^{-1}||_2 with the paper's floor on sigma_min. */
export function log10Resolvent(J: DenseMatrix, re: number, im: number): number {
  return -Math.log10(Math.max(smallestSingularValue(J, re, im), SIGMA_MIN_FLOOR));
}

/** The grid: values[i * re.length + j] at z = re[j] + i im[i] (numpy.meshgrid's layout). */
export interface ResolventGrid {
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly values: Float64Array;
}

export function log10ResolventGrid(J: DenseMatrix, window: Window, resolution: number): ResolventGrid {
  const re = linspace(window.re[0], window.re[1], resolution);
  const im = linspace(window.im[0], window.im[1], resolution);
  const values = new Float64Array(resolution * resolution);
  for (let i = 0; i < resolution; i++)
    for (let j = 0; j < resolution; j++) values[i * resolution + j] = log10Resolvent(J, re[j], im[i]);
  return { re, im, values };
}

/** Points with log10 ||R|| >= level, as (log_res >= thr).sum() in the paper's code. */
export function countAtLeast(values: Float64Array, level: number): number {
  let n = 0;
  for (const v of values) if (v >= level) n++;
  return n;
}

export interface LevelFraction {
  readonly level: number;
  readonly euclidean: number;
  readonly metric: number;
  readonly euclideanCount: number;
  readonly metricCount: number;
}

export interface Pseudospectrum {
  readonly window: Window;
  readonly resolution: number;
  readonly weights: readonly number[];
  readonly eigenvalues: { readonly re: Float64Array; readonly im: Float64Array };
  readonly euclidean: ResolventGrid;
  readonly metric: ResolventGrid;
  readonly levels: readonly LevelFraction[];
}

export interface PseudospectrumOptions {
  readonly window?: Window;
  readonly resolution?: number;
  readonly levels?: readonly number[];
}

/** The experiment for H (a linear game's Jacobian) at per-player weights w (M(w) = blockdiag(w_i I)). */
export function pseudospectrum(
  H: DenseMatrix,
  blocks: Blocks,
  weights: readonly number[],
  o: PseudospectrumOptions = {},
): Pseudospectrum {
  const eigenvalues = generalEigenvalues(H);
  const window = o.window ?? paperWindow(eigenvalues);
  const resolution = o.resolution ?? PAPER_RESOLUTION;
  const euclidean = log10ResolventGrid(H, window, resolution);
  const metric = log10ResolventGrid(conjugateByMetric(H, blocks, weights), window, resolution);
  const total = resolution * resolution;
  const levels = (o.levels ?? PAPER_LEVELS).map((level) => {
    const euclideanCount = countAtLeast(euclidean.values, level);
    const metricCount = countAtLeast(metric.values, level);
    return {
      level,
      euclidean: euclideanCount / total,
      metric: metricCount / total,
      euclideanCount,
      metricCount,
    };
  });
  return { window, resolution, weights, eigenvalues, euclidean, metric, levels };
}
