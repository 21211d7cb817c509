/**
 * NumPy's standard-normal sampler (random_standard_normal in numpy/random/src/distributions/
 * distributions.c: the 256-layer ziggurat of Marsaglia and Tsang on 64-bit draws) on our PCG64,
 * so that `defaultRng(seed).normal()` reproduces `numpy.random.default_rng(seed)
 * .standard_normal()` draw for draw.
 *
 * One 64-bit draw r: idx = r & 0xff, sign = bit 8, rabs = bits 9..60 (52 bits), x = rabs wi[idx]
 * (negated by the sign), accepted at once when rabs < ki[idx] (~99.3%); otherwise the tail
 * (idx 0: Marsaglia's exponential rejection beyond r) or the wedge test against exp(-x^2/2).
 * The rare branches call Math.exp / Math.log1p where NumPy calls the C library's exp / log1p;
 * they could only disagree if a uniform fell within a rounding error of the acceptance bound.
 */
import { PCG64 } from './pcg64.js';
import { FI_DOUBLE, KI_DOUBLE, WI_DOUBLE } from './ziggurat-tables.js';

// NumPy writes them as 3.6541528853610087963519472518 and 0.27366123732975827203338247596 (= 1 / r).
const ZIGGURAT_NOR_R = 3.6541528853610088;
const ZIGGURAT_NOR_INV_R = 0.27366123732975828;
const TWO_POW_23 = 8388608;

const KI = Float64Array.from(KI_DOUBLE);
const WI = Float64Array.from(WI_DOUBLE);
const FI = Float64Array.from(FI_DOUBLE);

/** One standard normal from the bit generator (NumPy's random_standard_normal). */
export function zigguratNormal(bits: PCG64): number {
  for (;;) {
    bits.nextUint64();
    const lo = bits.lo;
    const idx = lo & 0xff;
    const negative = (lo >>> 8) & 1;
    // rabs = (r >> 9) & (2^52 - 1): bits 9..31 of lo (23 bits) and bits 32..60 of r (29 of hi).
    const rabs = (bits.hi & 0x1fffffff) * TWO_POW_23 + (lo >>> 9);
    let x = rabs * WI[idx];
    if (negative) x = -x;
    if (rabs < KI[idx]) return x;
    if (idx === 0) {
      // (rabs >> 8) & 1 is bit 17 of r.
      const tailNegative = (lo >>> 17) & 1;
      for (;;) {
        const xx = -ZIGGURAT_NOR_INV_R * Math.log1p(-bits.nextDouble());
        const yy = -Math.log1p(-bits.nextDouble());
        if (yy + yy > xx * xx) return tailNegative ? -(ZIGGURAT_NOR_R + xx) : ZIGGURAT_NOR_R + xx;
      }
    } else if ((FI[idx - 1] - FI[idx]) * bits.nextDouble() + FI[idx] < Math.exp(-0.5 * x * x)) {
      return x;
    }
  }
}
