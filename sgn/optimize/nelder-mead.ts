/** Nelder-Mead simplex minimisation (standard coefficients, adaptive for dimension). */
export interface MinimumND {
  readonly x: number[];
  readonly fx: number;
  readonly evaluations: number;
}

export function nelderMead(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  opts: { step?: number; tol?: number; maxEvaluations?: number } = {},
): MinimumND {
  const n = start.length;
  const step = opts.step ?? 0.5;
  const tol = opts.tol ?? 1e-12;
  const maxEvaluations = opts.maxEvaluations ?? 2000 * Math.max(1, n);
  // Adaptive coefficients (Gao & Han 2012) keep the method effective beyond a few dimensions.
  const alpha = 1;
  const beta = 1 + 2 / n;
  const gamma = 0.75 - 1 / (2 * n);
  const delta = 1 - 1 / n;
  let evaluations = 0;
  const evalf = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Infinity : v;
  };
  const simplex: { x: number[]; fx: number }[] = [{ x: [...start], fx: evalf([...start]) }];
  for (let i = 0; i < n; i++) {
    const x = [...start];
    x[i] += step;
    simplex.push({ x, fx: evalf(x) });
  }
  while (evaluations < maxEvaluations) {
    simplex.sort((p, q) => p.fx - q.fx);
    const bestF = simplex[0].fx;
    const worstF = simplex[n].fx;
    let spread = 0;
    for (let i = 1; i <= n; i++)
      for (let k = 0; k < n; k++) spread = Math.max(spread, Math.abs(simplex[i].x[k] - simplex[0].x[k]));
    if (Math.abs(worstF - bestF) <= tol * (Math.abs(bestF) + 1e-300) && spread <= Math.sqrt(tol)) break;
    if (spread < 1e-14) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) centroid[k] += simplex[i].x[k] / n;
    const along = (t: number): number[] => centroid.map((c, k) => c + t * (simplex[n].x[k] - c));
    const xr = along(-alpha);
    const fr = evalf(xr);
    if (fr < simplex[0].fx) {
      const xe = along(-alpha * beta);
      const fe = evalf(xe);
      simplex[n] = fe < fr ? { x: xe, fx: fe } : { x: xr, fx: fr };
    } else if (fr < simplex[n - 1].fx) {
      simplex[n] = { x: xr, fx: fr };
    } else {
      const outside = fr < simplex[n].fx;
      const xc = along(outside ? -alpha * gamma : gamma);
      const fc = evalf(xc);
      if (fc < (outside ? fr : simplex[n].fx)) {
        simplex[n] = { x: xc, fx: fc };
      } else {
        for (let i = 1; i <= n; i++) {
          const x = simplex[i].x.map((v, k) => simplex[0].x[k] + delta * (v - simplex[0].x[k]));
          simplex[i] = { x, fx: evalf(x) };
        }
      }
    }
  }
  simplex.sort((p, q) => p.fx - q.fx);
  return { x: simplex[0].x, fx: simplex[0].fx, evaluations };
}
