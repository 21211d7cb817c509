/**
 * Level lines of a function sampled on a rectangular grid, as line segments (marching squares,
 * linear interpolation along cell edges), for figures: Vega-Lite draws no contours itself.
 * Saddle cells (opposite corners on the same side) are split by the cell's mean, as usual.
 */
export interface Segment {
  readonly x: number;
  readonly y: number;
  readonly x2: number;
  readonly y2: number;
}

/** values[i * xs.length + j] at (xs[j], ys[i]); segments of {values = level}. */
export function contourSegments(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  values: ArrayLike<number>,
  level: number,
): Segment[] {
  const nx = xs.length;
  const out: Segment[] = [];
  const at = (i: number, j: number): number => values[i * nx + j];
  // The point on the edge between corners (xa, ya, va) and (xb, yb, vb) where the value is `level`.
  const cross = (
    xa: number,
    ya: number,
    va: number,
    xb: number,
    yb: number,
    vb: number,
  ): [number, number] => {
    const t = (level - va) / (vb - va);
    return [xa + t * (xb - xa), ya + t * (yb - ya)];
  };
  for (let i = 0; i + 1 < ys.length; i++)
    for (let j = 0; j + 1 < nx; j++) {
      const [x0, x1, y0, y1] = [xs[j], xs[j + 1], ys[i], ys[i + 1]];
      // Corners counter-clockwise from (x0, y0).
      const v = [at(i, j), at(i, j + 1), at(i + 1, j + 1), at(i + 1, j)];
      const p: [number, number][] = [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
      ];
      const above = v.map((a) => a >= level);
      // Edge k joins corner k and corner k + 1; it is crossed when they differ.
      const crossings: { edge: number; point: [number, number] }[] = [];
      for (let k = 0; k < 4; k++) {
        const m = (k + 1) % 4;
        if (above[k] !== above[m])
          crossings.push({ edge: k, point: cross(p[k][0], p[k][1], v[k], p[m][0], p[m][1], v[m]) });
      }
      const seg = (a: [number, number], b: [number, number]): void => {
        out.push({ x: a[0], y: a[1], x2: b[0], y2: b[1] });
      };
      if (crossings.length === 2) seg(crossings[0].point, crossings[1].point);
      else if (crossings.length === 4) {
        // Saddle: pair edges around the corners that agree with the centre.
        const centreAbove = (v[0] + v[1] + v[2] + v[3]) / 4 >= level;
        if (centreAbove === above[0]) {
          seg(crossings[0].point, crossings[1].point);
          seg(crossings[2].point, crossings[3].point);
        } else {
          seg(crossings[3].point, crossings[0].point);
          seg(crossings[1].point, crossings[2].point);
        }
      }
    }
  return out;
}
