/**
 * Summary statistics over a group of cells (seeds, trials, any aggregated axis), defined as NumPy
 * defines them so numbers match what a user computes from the CSV:
 * - quantile(q): `np.percentile(x, 100 q)` with its default method 'linear' (Hyndman & Fan type
 *   7): the sorted values at virtual index (n - 1) q, interpolated linearly, with NumPy's lerp;
 * - median: `np.median` (the mean of the two middle values when n is even);
 * - mean: `np.mean`'s value up to summation order (pairwise there, left to right here);
 * - rate: the fraction of the group for which a condition holds.
 * Non-finite values (NaN, +-Infinity) and nulls are left out, as `x[np.isfinite(x)]` would.
 */

export interface Summary {
  /** Finite values summarised. */
  readonly n: number;
  readonly mean: number;
  readonly median: number;
  /** First quartile: np.percentile(x, 25). */
  readonly q1: number;
  /** Third quartile: np.percentile(x, 75). */
  readonly q3: number;
  readonly min: number;
  readonly max: number;
}

/** NumPy's _lerp: a + (b - a) t, computed from b's end when t >= 0.5 (exact at t = 1). */
function lerp(a: number, b: number, t: number): number {
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/** np.percentile(sorted, 100 q) for ascending finite values (method 'linear'); NaN when empty. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} outside [0, 1]`);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return lerp(sorted[lo], sorted[hi], h - lo);
}

/** np.median of ascending finite values; NaN when empty. */
export function medianSorted(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const m = n >> 1;
  return n % 2 === 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

/** The finite values, ascending. */
export function finiteSorted(values: readonly (number | null | undefined)[]): number[] {
  const xs: number[] = [];
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) xs.push(v);
  return xs.sort((a, b) => a - b);
}

/** Summary of the finite values; null when there are none. */
export function summarise(values: readonly (number | null | undefined)[]): Summary | null {
  const xs = finiteSorted(values);
  if (xs.length === 0) return null;
  let sum = 0;
  for (const x of xs) sum += x;
  return {
    n: xs.length,
    mean: sum / xs.length,
    median: medianSorted(xs),
    q1: quantileSorted(xs, 0.25),
    q3: quantileSorted(xs, 0.75),
    min: xs[0],
    max: xs[xs.length - 1],
  };
}

/** Fraction of `items` for which `holds` is true; NaN for an empty group. */
export function rate<T>(items: readonly T[], holds: (x: T) => boolean): number {
  if (items.length === 0) return Number.NaN;
  let k = 0;
  for (const x of items) if (holds(x)) k++;
  return k / items.length;
}

/** CSV columns of per-output summaries: `<output>_median, _q1, _q3, _mean, _n` for each output. */
export function summaryHeader(outputs: readonly string[]): string[] {
  return outputs.flatMap((o) => [`${o}_median`, `${o}_q1`, `${o}_q3`, `${o}_mean`, `${o}_n`]);
}

/** The values under summaryHeader(outputs): nulls and n = 0 for an output without values. */
export function summaryCells<O extends string>(
  stats: Readonly<Record<O, Summary | null>>,
  outputs: readonly O[],
): (number | null)[] {
  return outputs.flatMap((o) => {
    const s = stats[o];
    return s ? [s.median, s.q1, s.q3, s.mean, s.n] : [null, null, null, null, 0];
  });
}
