import type { DenseMatrix } from '../linalg/matrix.js';
import type { Region } from '../regions/region.js';
import type { Blocks } from './blocks.js';

/** What a game given by samples carries instead of a formula (sampled.ts builds it). */
export interface JacobianSamples {
  readonly jacobians: readonly DenseMatrix[];
  /** x_s, when the file gives them. */
  readonly points: readonly Float64Array[] | null;
  /** F(x_s), when the file gives them. */
  readonly gradients: readonly Float64Array[] | null;
}

/**
 * A differentiable game through its pseudo-gradient F and Jacobian J.
 * `linear` is present when F(x) = H x + c exactly (J = H everywhere), which unlocks the
 * ground-truth quantities (true margin, exact stability thresholds).
 */
export interface Game {
  readonly family: string;
  readonly blocks: Blocks;
  F(x: Float64Array): Float64Array;
  J(x: Float64Array): DenseMatrix;
  readonly linear?: {
    readonly H: DenseMatrix;
    readonly c: Float64Array;
    /**
     * The block bounds mu_i, L_ij of H when the family knows them from how H was built (e.g. the
     * two-player form: L_12 = |lambda a| ||R||, with ||R|| computed once for every lambda), to
     * within rounding of the same quantities computed from H. Absent: computed from H.
     */
    readonly knownBounds?: { readonly mu: readonly number[]; readonly L: readonly (readonly number[])[] };
  };
  /**
   * An upper bound on the Lipschitz constant of J on the region, in the spectral norm:
   * ||J(x) - J(y)||_2 <= value * ||x - y||_2 for x, y in the region. Families that supply it
   * can be certified in the rigorous mode (sampled bounds inflated by value x covering radius).
   */
  jacobianLipschitz?(region: Region): number;
  /**
   * Present when the game is given by its Jacobians at sample points (sampled.ts): the bounds
   * are taken over these, and F and J exist at the points only.
   */
  readonly samples?: JacobianSamples;
}
