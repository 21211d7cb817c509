/**
 * The project's one seeded random generator: numpy.random.default_rng(seed), bit for bit (a PCG64
 * seeded through SeedSequence, NumPy's ziggurat for normals, 53-bit uniforms), in NumPy's order
 * (an array of shape (m, n) is filled row by row, C order). Everything random in the project
 * draws from it: random games, region samples, initial points, Lanczos start vectors. So every
 * draw can be repeated in NumPy, and the paper's ensembles are reproduced exactly; results are
 * the same on every machine and Node version, which Math.random's are not.
 */
import { PCG64 } from './pcg64.js';
import { zigguratNormal } from './ziggurat-normal.js';

export class RandomGenerator {
  private constructor(private readonly bits: PCG64) {}

  /** numpy.random.default_rng(seed): `seed` a non-negative safe integer. */
  static fromSeed(seed: number): RandomGenerator {
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new Error(`seed must be a non-negative integer, got ${seed}`);
    return new RandomGenerator(PCG64.fromSeed(seed));
  }

  /** Generator.random(): uniform in [0, 1). */
  uniform(): number {
    return this.bits.nextDouble();
  }

  /** Generator.standard_normal(): one N(0, 1) draw. */
  normal(): number {
    return zigguratNormal(this.bits);
  }

  /** Generator.standard_normal(n), or filling `out` in order. */
  normals(n: number, out: Float64Array = new Float64Array(n)): Float64Array {
    for (let k = 0; k < n; k++) out[k] = zigguratNormal(this.bits);
    return out;
  }

  /** An independent copy at the same point of the stream (both go on to draw the same numbers). */
  clone(): RandomGenerator {
    return new RandomGenerator(this.bits.clone());
  }
}

/** numpy.random.default_rng(seed). */
export function defaultRng(seed: number): RandomGenerator {
  return RandomGenerator.fromSeed(seed);
}
