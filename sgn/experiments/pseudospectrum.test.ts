/**
 * The pseudospectrum experiment against independent values: scripts/reference/paper_pseudospectrum.py
 * (the paper's own quadratic_pseudospectrum.py run with NumPy, and numpy.linalg.svd on small
 * non-normal matrices), live when python3 has NumPy (the paper's part when SGN_PAPER_CODE points at
 * its code) and always with the stored copy testdata/paper-pseudospectrum.json; and closed forms
 * for normal matrices, whose resolvent norm is 1 / dist(z, spectrum).
 */
import { describe, expect, it } from 'vitest';
import { loadStored, runPythonReference, type LiveReference } from '../../test/support/python-reference.js';
import { blocksOf } from '../games/blocks.js';
import { fromRows } from '../linalg/matrix.js';
import {
  linspace,
  log10Resolvent,
  paperWindow,
  pseudospectrum,
  smallestSingularValue,
  SIGMA_MIN_FLOOR,
} from './pseudospectrum.js';
import { generalEigenvalues } from '../linalg/eigen.js';

interface Ref {
  numpy: string;
  paper?: { commit: string };
  smin: { d: number; J: number[][]; z: [number, number][]; smin: number[] }[];
  pseudospectrum?: {
    J: number[][];
    w: number[];
    window: { re: [number, number]; im: [number, number] };
    resolution: number;
    points: number;
    printed: { level: number; euclidean: number; metric: number }[];
    counts: { level: number; euclidean: number; metric: number }[];
    sample: { i: number; j: number; re: number; im: number; log10Euclidean: number; log10Metric: number }[];
  };
}

const stored = loadStored<Ref>('sgn/experiments/testdata/paper-pseudospectrum.json');
const live: LiveReference<Ref> = runPythonReference<Ref>('paper_pseudospectrum.py', [], {}, 300_000);
const sources: [string, Ref][] = [[`stored (paper ${stored.paper?.commit.slice(0, 7)})`, stored]];
if (live.ok)
  sources.push([`live (NumPy ${live.data.numpy}${live.data.pseudospectrum ? ', paper' : ''})`, live.data]);
else console.warn(`pseudospectrum: comparing with the stored values only (${live.reason})`);

describe('sigma_min(zI - J)', () => {
  it('normal matrices: 1 / dist(z, spectrum), both paths (2 x 2 closed form and the dense inverse)', () => {
    // [[a, -b], [b, a]] has eigenvalues a +- i b and is normal; so is its direct sum with [c].
    const [a, b, c] = [0.7, 1.3, -2];
    const rot = fromRows([
      [a, -b],
      [b, a],
    ]);
    const three = fromRows([
      [a, -b, 0],
      [b, a, 0],
      [0, 0, c],
    ]);
    for (const [re, im] of [
      [0, 0],
      [0.7, 1.2],
      [-1.9, 0.05],
      [3, -4],
    ]) {
      const d2 = Math.min(Math.hypot(re - a, im - b), Math.hypot(re - a, im + b));
      const d3 = Math.min(d2, Math.hypot(re - c, im));
      expect(smallestSingularValue(rot, re, im)).toBeCloseTo(d2, 13);
      expect(smallestSingularValue(rot, re, im, 'dense')).toBeCloseTo(d2, 13);
      expect(smallestSingularValue(three, re, im)).toBeCloseTo(d3, 13);
    }
    // At an eigenvalue exactly: 0, and the paper's floor caps log10 ||R|| at 6.
    const diag = fromRows([
      [1, 0],
      [0, 2],
    ]);
    expect(smallestSingularValue(diag, 2, 0)).toBe(0);
    expect(smallestSingularValue(diag, 2, 0, 'dense')).toBe(0);
    expect(log10Resolvent(diag, 2, 0)).toBe(-Math.log10(SIGMA_MIN_FLOOR));
  });

  it.each(sources)(
    'non-normal J (d = 2, 3, 5) against numpy.linalg.svd: relative 1e-12 (%s)',
    (_name, ref) => {
      for (const c of ref.smin) {
        const J = fromRows(c.J);
        c.z.forEach(([re, im], k) => {
          for (const method of ['auto', 'dense'] as const) {
            const s = smallestSingularValue(J, re, im, method);
            expect(Math.abs(s - c.smin[k]) / c.smin[k]).toBeLessThan(1e-12);
          }
        });
      }
    },
  );
});

describe('the paper experiment: the mini-toy J = [[1, 10], [0.05, 1]], w = (1, 200)', () => {
  it('numpy.linspace to the last bit', () => {
    const x = linspace(-1.2, 1.2, 321);
    expect(x[0]).toBe(-1.2);
    expect(x[320]).toBe(1.2);
    expect(x[160]).toBe(160 * (2.4 / 320) - 1.2);
  });

  it.each(sources.filter(([, r]) => r.pseudospectrum))(
    "window, sampled log10 ||R|| and the counts per level as the paper's code computes them (%s)",
    (_name, ref) => {
      const p = ref.pseudospectrum!;
      const H = fromRows(p.J);
      // The window from our eigenvalues: equal to NumPy's to rounding of lambda = 1 +- sqrt(0.5).
      const window = paperWindow(generalEigenvalues(H));
      expect(window.re[0]).toBeCloseTo(p.window.re[0], 14);
      expect(window.re[1]).toBeCloseTo(p.window.re[1], 14);
      expect(window.im).toEqual(p.window.im);
      const s = pseudospectrum(H, blocksOf([1, 1]), p.w, { window: p.window, resolution: p.resolution });
      // Grid values: the closed form against LAPACK's SVD, relative 1e-12 of ||R|| (1e-12 / ln 10 in log10).
      for (const q of p.sample) {
        const k = q.i * p.resolution + q.j;
        expect(s.euclidean.re[q.j]).toBe(q.re);
        expect(s.euclidean.im[q.i]).toBe(q.im);
        expect(Math.abs(s.euclidean.values[k] - q.log10Euclidean)).toBeLessThan(1e-12);
        expect(Math.abs(s.metric.values[k] - q.log10Metric)).toBeLessThan(1e-12);
      }
      // Counts: exact. A point could flip only if its log10 ||R|| lay within ~1e-15 of a level;
      // none does on this grid (measured: equal counts at every level).
      expect(s.levels.map((l) => [l.level, l.euclideanCount, l.metricCount])).toEqual(
        p.counts.map((c) => [c.level, c.euclidean, c.metric]),
      );
      // And what the paper's main() printed, to its three decimals.
      expect(s.levels.map((l) => [l.euclidean.toFixed(3), l.metric.toFixed(3)])).toEqual(
        p.printed.map((c) => [c.euclidean.toFixed(3), c.metric.toFixed(3)]),
      );
    },
  );

  it('the default window and weights within 1e-10 of the paper give the same counts (at most 1 point apart)', () => {
    const p = stored.pseudospectrum!;
    const H = fromRows(p.J);
    // The certificate's optimal ratio is a / b = 200 only to ~1e-10: perturb the weights by that much.
    const s = pseudospectrum(H, blocksOf([1, 1]), [1, 200 * (1 + 1e-10)]);
    expect(s.resolution).toBe(321);
    s.levels.forEach((l, k) => {
      expect(Math.abs(l.euclideanCount - p.counts[k].euclidean)).toBeLessThanOrEqual(1);
      expect(Math.abs(l.metricCount - p.counts[k].metric)).toBeLessThanOrEqual(1);
    });
  });

  it('in the SGN metric the mini-toy is normal: log10 ||R|| = -log10 dist(z, {1 +- sqrt(0.5)})', () => {
    // M^{1/2} H M^{-1/2} = [[1, 10 / sqrt(200)], [0.05 sqrt(200), 1]] = [[1, s], [s, 1]], s = sqrt(0.5).
    const s = pseudospectrum(
      fromRows([
        [1, 10],
        [0.05, 1],
      ]),
      blocksOf([1, 1]),
      [1, 200],
      { resolution: 41 },
    );
    const [l1, l2] = [1 - Math.SQRT1_2, 1 + Math.SQRT1_2];
    for (let i = 0; i < 41; i++)
      for (let j = 0; j < 41; j++) {
        const [re, im] = [s.metric.re[j], s.metric.im[i]];
        const dist = Math.min(Math.hypot(re - l1, im), Math.hypot(re - l2, im));
        expect(s.metric.values[i * 41 + j]).toBeCloseTo(-Math.log10(Math.max(dist, SIGMA_MIN_FLOOR)), 12);
      }
  });
});
