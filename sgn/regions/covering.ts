/**
 * The covering radius of a sample set S in a region R, r_cov = sup_{x in R} min_{s in S} ||x - s||_2:
 * every point of R is within r_cov of a sample, which is what the rigorous mode's inflation
 * (Lipschitz constant of J x r_cov) rests on.
 *
 * Centre, box vertices and box grids have closed forms. Every other point set gets a sound upper
 * bound by branch and bound over boxes: for a cell C, max_{x in C} min_s ||x - s|| <= min_s (the
 * distance from s to C's farthest corner), so the largest such value over cells covering R bounds
 * r_cov from above; cell midpoints (projected into R) give lower bounds. The cell with the largest
 * upper bound is halved along its longest side until the bounds meet within a tolerance or a work
 * budget is spent; the upper bound is reported either way (loose when the budget ran out, as in
 * high dimensions, where covering radii are large anyway).
 */
import { boundingBox, coordinateRadii, type Region } from './region.js';
import type { SamplerSpec } from './samplers.js';

export interface CoveringRadius {
  /** An upper bound on r_cov (r_cov itself when method is 'exact'). */
  readonly value: number;
  /** A point of the region is this far from every sample: r_cov >= lower. */
  readonly lower: number;
  readonly method: 'exact' | 'branch-and-bound';
}

export interface CoveringOptions {
  /** Stop when upper <= (1 + tolerance) lower. */
  readonly tolerance?: number;
  /** Budget in sample-coordinate operations (each cell costs about 2 |S| d). */
  readonly maxWork?: number;
}

/** r_cov of a sampler's points: closed forms where they exist, branch and bound otherwise. */
export function coveringRadius(
  region: Region,
  sampler: SamplerSpec,
  points: readonly Float64Array[],
  opts: CoveringOptions = {},
): CoveringRadius {
  const r = coordinateRadii(region);
  const halfDiagonal = (scale: number): number => Math.sqrt(r.reduce((s, v) => s + (v * scale) ** 2, 0));
  if (sampler.kind === 'centre') {
    // The farthest points are the box's corners / the sphere.
    const value = region.kind === 'box' ? halfDiagonal(1) : region.radii[0];
    return { value, lower: value, method: 'exact' };
  }
  if (region.kind === 'box' && sampler.kind === 'vertices') {
    // The nearest vertex matches x's signs; the centre is farthest from all of them.
    const value = halfDiagonal(1);
    return { value, lower: value, method: 'exact' };
  }
  if (region.kind === 'box' && sampler.kind === 'grid') {
    // Per axis the nearest tick is within half a spacing (rho / (k - 1)); axes are independent.
    const k = sampler.perAxis;
    const value = halfDiagonal(k === 1 ? 1 : 1 / (k - 1));
    return { value, lower: value, method: 'exact' };
  }
  return coveringRadiusBound(region, points, opts);
}

interface Cell {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly upper: number;
}

/** Binary max-heap of cells by upper bound. */
class CellHeap {
  private readonly items: Cell[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Cell | undefined {
    return this.items[0];
  }
  push(c: Cell): void {
    const a = this.items;
    a.push(c);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (a[p].upper >= a[i].upper) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): Cell | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].upper > a[m].upper) m = l;
        if (r < a.length && a[r].upper > a[m].upper) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

/** The branch-and-bound upper bound (and a lower bound) of r_cov for any finite point set. */
export function coveringRadiusBound(
  region: Region,
  points: readonly Float64Array[],
  opts: CoveringOptions = {},
): CoveringRadius {
  if (points.length === 0) throw new Error('coveringRadiusBound needs at least one point');
  const tolerance = opts.tolerance ?? 0.02;
  const maxWork = opts.maxWork ?? 2e8;
  const d = region.blocks.dim;
  const n = points.length;
  const flat = new Float64Array(n * d);
  points.forEach((p, k) => flat.set(p, k * d));
  const c = region.centre;
  const ball = region.kind === 'ball';
  const r2 = region.radii[0] ** 2;

  const nearest = (p: Float64Array): number => {
    let best = Infinity;
    for (let k = 0; k < n; k++) {
      let s = 0;
      const o = k * d;
      for (let a = 0; a < d && s < best; a++) s += (p[a] - flat[o + a]) ** 2;
      if (s < best) best = s;
    }
    return Math.sqrt(best);
  };
  const farthestCorner = (lo: Float64Array, hi: Float64Array): number => {
    let best = Infinity;
    for (let k = 0; k < n; k++) {
      let s = 0;
      const o = k * d;
      for (let a = 0; a < d && s < best; a++) {
        const x = flat[o + a];
        s += Math.max(Math.abs(x - lo[a]), Math.abs(x - hi[a])) ** 2;
      }
      if (s < best) best = s;
    }
    return Math.sqrt(best);
  };

  let lower = 0;
  let work = 0;
  const heap = new CellHeap();
  const probe = new Float64Array(d);
  const consider = (lo: Float64Array, hi: Float64Array): void => {
    if (ball) {
      // Cells that miss the ball hold no point of the region.
      let gap = 0;
      for (let a = 0; a < d; a++) gap += Math.max(lo[a] - c[a], 0, c[a] - hi[a]) ** 2;
      if (gap > r2) return;
    }
    let dist = 0;
    for (let a = 0; a < d; a++) {
      probe[a] = 0.5 * (lo[a] + hi[a]);
      dist += (probe[a] - c[a]) ** 2;
    }
    if (ball && dist > r2) {
      const f = Math.sqrt(r2 / dist);
      for (let a = 0; a < d; a++) probe[a] = c[a] + (probe[a] - c[a]) * f;
    }
    lower = Math.max(lower, nearest(probe));
    heap.push({ lo, hi, upper: farthestCorner(lo, hi) });
    work += 2 * n * d;
  };

  const box = boundingBox(region);
  consider(box.lo, box.hi);
  for (;;) {
    const top = heap.peek();
    if (!top || top.upper <= (1 + tolerance) * lower || work > maxWork) break;
    heap.pop();
    let axis = 0;
    for (let a = 1; a < d; a++) if (top.hi[a] - top.lo[a] > top.hi[axis] - top.lo[axis]) axis = a;
    const mid = 0.5 * (top.lo[axis] + top.hi[axis]);
    const leftHi = Float64Array.from(top.hi);
    leftHi[axis] = mid;
    const rightLo = Float64Array.from(top.lo);
    rightLo[axis] = mid;
    consider(top.lo, leftHi);
    consider(rightLo, top.hi);
  }
  // Every point of the region lies in a cell still on the heap; a hair of slack covers rounding.
  const upper = (heap.peek()?.upper ?? lower) * (1 + 1e-12);
  return { value: Math.max(upper, lower), lower, method: 'branch-and-bound' };
}
