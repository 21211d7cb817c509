/**
 * Projection onto a box constraint set {x : |x_a - c_a| <= R_i for every coordinate a of player
 * i}, for the projected Euler / RK4 / policy-gradient variants (project after every step).
 *
 * Clipping each coordinate is the Euclidean projection onto the box and, the box being a product
 * of intervals, also the projection in any diagonal metric such as M(w) = blockdiag(w_i I). It is
 * nonexpansive coordinate by coordinate (|clip(u) - clip(v)| <= |u - v|), hence in ||.||_M: when
 * x* lies in the box it stays the fixed point and a certified contraction survives projection.
 * The box is centred at x* (as `--region box:R` is by default), so that is always the case.
 */
import type { Blocks } from '../games/blocks.js';
import { parseRegionText } from '../regions/region.js';
import { InputError } from '../util/errors.js';

export interface BoxConstraint {
  readonly centre: Float64Array;
  /** Half-width per coordinate. */
  readonly radii: Float64Array;
}

/** The box of per-player radii (one radius, or one per player) around `centre`. */
export function boxConstraint(
  blocks: Blocks,
  centre: Float64Array,
  radii: readonly number[],
  field = 'project',
): BoxConstraint {
  const n = blocks.dims.length;
  if (radii.length !== 1 && radii.length !== n)
    throw new InputError(field, `has ${radii.length} radii, expected 1 or ${n} (one per player)`);
  radii.forEach((r) => {
    if (!(r > 0) || !Number.isFinite(r))
      throw new InputError(field, `radius must be a positive finite number, got ${r}`);
  });
  if (centre.length !== blocks.dim)
    throw new Error(`box centre has ${centre.length} entries, expected ${blocks.dim}`);
  const perCoordinate = new Float64Array(blocks.dim);
  for (let i = 0; i < n; i++)
    perCoordinate.fill(radii.length === 1 ? radii[0] : radii[i], blocks.offsets[i], blocks.offsets[i + 1]);
  return { centre: Float64Array.from(centre), radii: perCoordinate };
}

/** `box:R` or `box:R1,R2,...` around `centre`; errors name `field`. */
export function parseBoxConstraint(
  text: string,
  field: string,
  blocks: Blocks,
  centre: Float64Array,
): BoxConstraint {
  const parsed = parseRegionText(text, field);
  if (parsed.kind !== 'box')
    throw new InputError(field, `projection is onto a box only: box:R or box:R1,R2,..., got "${text}"`);
  return boxConstraint(blocks, centre, parsed.radii, field);
}

/** The nearest point of the box (coordinate-wise clipping). */
export function projectOntoBox(box: BoxConstraint, x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let a = 0; a < x.length; a++) {
    const lo = box.centre[a] - box.radii[a];
    const hi = box.centre[a] + box.radii[a];
    out[a] = Math.min(hi, Math.max(lo, x[a]));
  }
  return out;
}

/** Whether x lies in the box, up to the rounding of centre +- radius. */
export function inBox(box: BoxConstraint, x: Float64Array): boolean {
  for (let a = 0; a < x.length; a++) {
    const slack = 4 * Number.EPSILON * (Math.abs(box.centre[a]) + box.radii[a]);
    if (Math.abs(x[a] - box.centre[a]) > box.radii[a] + slack) return false;
  }
  return true;
}
