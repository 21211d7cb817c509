/**
 * How band edges are stored, read back in one place: r+ is NULL when the band is unbounded above
 * (uncoupled players, or coupled one way: sgn/band.ts gives Infinity, stored as NULL), both are
 * NULL when there is no band.
 */
import { sig } from './html.js';

/** [r-, r+] (r+ = Infinity: unbounded above), or null when there is no band. */
export function storedBandEdges(
  rMinus: number | null,
  rPlus: number | null,
): readonly [number, number] | null {
  return rMinus === null || !Number.isFinite(rMinus) ? null : [rMinus, rPlus ?? Infinity];
}

/** r+ as tables print it: ∞ for a band unbounded above, a dash where there is no band. */
export function upperEdgeText(rMinus: number | null, rPlus: number | null): string {
  const edges = storedBandEdges(rMinus, rPlus);
  return edges && edges[1] === Infinity ? '∞' : sig(rPlus);
}
