/**
 * Timescale bands: the weights whose SGN margin reaches a target. For two players the band
 * in r = w2/w1 has a closed form; for N > 2 we report the band along each weight axis with
 * the other weights held at the optimum (the set is a convex cone, so each slice is an interval).
 */
import { MAX_WEIGHT_SPREAD, sgnMargin } from './sgn-matrix.js';

export interface Band {
  /** Lower edge of r (0 when every small ratio works). */
  readonly rMinus: number;
  /**
   * Upper edge of r; Infinity when unbounded (serialised as null). For N > 2 (axisBand) the edges
   * are sought within the accepted weight spread: 0 / Infinity mean no edge there.
   */
  readonly rPlus: number;
}

/** Two-player band (r-, r+) with alpha_*(1, r) >= target, or null when no ratio reaches it. */
export function twoPlayerBand(
  mu: readonly number[],
  L: readonly (readonly number[])[],
  target = 0,
): Band | null {
  const m1 = mu[0] - target;
  const m2 = mu[1] - target;
  const l12 = L[0][1];
  const l21 = L[1][0];
  if (m1 <= 0 || m2 <= 0) return null;
  const p = m1 * m2;
  const D = p - l12 * l21;
  if (D <= 0) return null;
  if (l21 === 0 && l12 === 0) return { rMinus: 0, rPlus: Infinity };
  // S offdiag = -(l12/sqrt(r) + l21 sqrt(r))/2; alpha >= target iff offdiag^2 <= p.
  if (l21 === 0) return { rMinus: (l12 * l12) / (4 * p), rPlus: Infinity };
  if (l12 === 0) return { rMinus: 0, rPlus: (4 * p) / (l21 * l21) };
  const base = 2 * p - l12 * l21;
  const rad = 2 * Math.sqrt(p * D);
  // r- by the product of the roots (l12^2 / l21^2), free of cancellation when rad ~ base.
  const rPlus = (base + rad) / (l21 * l21);
  return { rMinus: (l12 * l12) / (l21 * l21) / rPlus, rPlus };
}

/** alpha_*(w) with w_axis = ratio * w_0 and the other weights from `base` (normalised to base[0]). */
export function marginAlongAxis(
  mu: readonly number[],
  L: readonly (readonly number[])[],
  base: readonly number[],
  axis: number,
  ratio: number,
): number {
  const w = base.map((v) => v / base[0]);
  w[axis] = ratio;
  return sgnMargin(mu, L, w);
}

/** The curve alpha_*(r) on a grid of ratios along one axis (axis 1 = w2/w1 for two players). */
export function marginCurve(
  mu: readonly number[],
  L: readonly (readonly number[])[],
  base: readonly number[],
  ratios: readonly number[],
  axis = 1,
): number[] {
  return ratios.map((r) => marginAlongAxis(mu, L, base, axis, r));
}

/** log(MAX_WEIGHT_SPREAD): how far apart two log-weights may be. */
const LOG_MAX_SPREAD = Math.log(MAX_WEIGHT_SPREAD);

/**
 * Band along one axis by bisection outward from the optimum (in log r). The slice of a convex
 * cone is an interval, so the first sign change on each side is the edge.
 *
 * The search stays within the weights the engine computes with (spread <= MAX_WEIGHT_SPREAD
 * together with the other weights). A side still inside the band at that limit is reported
 * unbounded (rPlus = Infinity, rMinus = 0): uncoupled players, and players coupled one way
 * only, keep alpha_* > 0 however far their weight moves. (The search used to run to |log r| =
 * 1400, past exp's range near 709: the weights became Infinity or 0 and S(w) non-finite.)
 */
export function axisBand(
  mu: readonly number[],
  L: readonly (readonly number[])[],
  base: readonly number[],
  axis: number,
  target = 0,
): Band | null {
  const g = (logr: number): number => marginAlongAxis(mu, L, base, axis, Math.exp(logr)) - target;
  const center = Math.log(base[axis] / base[0]);
  if (!(g(center) > 0)) return null;
  // The other weights' log range (w_0 = 1 included) bounds log r on each side.
  let lo = 0;
  let hi = 0;
  base.forEach((v, i) => {
    if (i === axis) return;
    const t = Math.log(v / base[0]);
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  });
  const edge = (dir: 1 | -1): number => {
    const end = dir > 0 ? lo + LOG_MAX_SPREAD : hi - LOG_MAX_SPREAD;
    let inside = center;
    let step = 1;
    let outside = center + dir * step;
    while (dir * (end - outside) > 0 && g(outside) > 0) {
      inside = outside;
      step *= 2;
      outside = center + dir * step;
    }
    if (dir * (end - outside) <= 0) {
      // Stepped past the limit: unbounded if the limit itself is still inside.
      if (g(end) > 0) return dir * Infinity;
      outside = end;
    }
    for (let k = 0; k < 200 && Math.abs(outside - inside) > 1e-15 * Math.max(1, Math.abs(inside)); k++) {
      const mid = 0.5 * (inside + outside);
      if (g(mid) > 0) inside = mid;
      else outside = mid;
    }
    return 0.5 * (inside + outside);
  };
  return { rMinus: Math.exp(edge(-1)), rPlus: Math.exp(edge(1)) };
}

/** The band of every weight axis 1..N-1 (others at `base`), for target margin `target`. */
export function axisBands(
  mu: readonly number[],
  L: readonly (readonly number[])[],
  base: readonly number[],
  target = 0,
): ({ axis: number } & Band)[] | null {
  const out: ({ axis: number } & Band)[] = [];
  for (let axis = 1; axis < mu.length; axis++) {
    const b = axisBand(mu, L, base, axis, target);
    if (!b) return null;
    out.push({ axis, ...b });
  }
  return out;
}
