/**
 * numpy.random.default_rng(seed) for what the paper's code draws from it: a PCG64 seeded
 * through SeedSequence, `standard_normal` (the ziggurat) and `random` (53-bit uniforms), in
 * NumPy's order (an array of shape (m, n) is filled row by row, C order).
 */
import { PCG64 } from './pcg64.js';
import { zigguratNormal } from './ziggurat-normal.js';

export class NumpyGenerator {
  readonly bits: PCG64;

  /** `seed`: a non-negative safe integer, as numpy.random.default_rng(seed) takes it. */
  constructor(seed: number) {
    this.bits = PCG64.fromSeed(seed);
  }

  /** Generator.standard_normal(): one N(0, 1) draw. */
  standardNormal(): number {
    return zigguratNormal(this.bits);
  }

  /** Generator.standard_normal(n), or filling `out` in order. */
  standardNormals(n: number, out: Float64Array = new Float64Array(n)): Float64Array {
    for (let k = 0; k < n; k++) out[k] = zigguratNormal(this.bits);
    return out;
  }

  /** Generator.random(): uniform in [0, 1). */
  random(): number {
    return this.bits.nextDouble();
  }
}

/** numpy.random.default_rng(seed). */
export function defaultRng(seed: number): NumpyGenerator {
  return new NumpyGenerator(seed);
}
