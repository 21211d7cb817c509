/**
 * The Halton sequence (unscrambled, first point 0): coordinate j of point i is the radical inverse
 * of i in the j-th prime base. Any dimension, though correlations between high prime bases make it
 * weaker than Sobol beyond a few dozen dimensions.
 */

/** The first n primes. */
export function firstPrimes(n: number): number[] {
  const primes: number[] = [];
  for (let k = 2; primes.length < n; k++) {
    if (primes.every((p) => p * p > k || k % p !== 0)) primes.push(k);
  }
  return primes;
}

/** sum_k digit_k(i) base^-(k+1): the base-`base` digits of i mirrored about the radix point. */
export function radicalInverse(i: number, base: number): number {
  let x = 0;
  let f = 1 / base;
  for (let k = i; k > 0; k = Math.floor(k / base)) {
    x += (k % base) * f;
    f /= base;
  }
  return x;
}

/** The first `count` points of the `dim`-dimensional Halton sequence in [0, 1)^dim. */
export function haltonPoints(dim: number, count: number): Float64Array[] {
  const bases = firstPrimes(dim);
  return Array.from({ length: count }, (_, i) => Float64Array.from(bases, (b) => radicalInverse(i, b)));
}
