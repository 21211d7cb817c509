/**
 * Largest and smallest of many numbers. `Math.max(...values)` passes each value as an argument and
 * throws RangeError (call stack) past ~10^5 of them: a million-cell sweep's report did. These
 * loop instead, with Math.max's and Math.min's answers otherwise: NaN if any value is NaN,
 * -Infinity and Infinity when there are none.
 */
export function maxOf(values: Iterable<number>): number {
  let m = -Infinity;
  for (const v of values) {
    if (Number.isNaN(v)) return NaN;
    // +0 beats -0, as in Math.max.
    if (v > m || (v === 0 && Object.is(m, -0))) m = v;
  }
  return m;
}

export function minOf(values: Iterable<number>): number {
  let m = Infinity;
  for (const v of values) {
    if (Number.isNaN(v)) return NaN;
    if (v < m || (Object.is(v, -0) && m === 0)) m = v;
  }
  return m;
}
