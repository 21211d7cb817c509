/**
 * Brent's method for a 1-D minimum on [a, b] (golden section with parabolic steps),
 * after R. P. Brent, "Algorithms for Minimization without Derivatives" (1973), ch. 5.
 */
export interface Minimum1D {
  readonly x: number;
  readonly fx: number;
  readonly evaluations: number;
}

export function brentMinimize(
  f: (x: number) => number,
  a: number,
  b: number,
  tol = 1e-10,
  maxIter = 200,
): Minimum1D {
  const golden = 0.5 * (3 - Math.sqrt(5));
  let x = a + golden * (b - a);
  let w = x;
  let v = x;
  let fx = f(x);
  let fw = fx;
  let fv = fx;
  let d = 0;
  let e = 0;
  let evaluations = 1;
  for (let iter = 0; iter < maxIter; iter++) {
    const m = 0.5 * (a + b);
    const tol1 = tol * Math.abs(x) + 1e-14;
    const tol2 = 2 * tol1;
    if (Math.abs(x - m) <= tol2 - 0.5 * (b - a)) break;
    let useGolden = true;
    if (Math.abs(e) > tol1) {
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      q = Math.abs(q);
      const eOld = e;
      e = d;
      if (Math.abs(p) < Math.abs(0.5 * q * eOld) && p > q * (a - x) && p < q * (b - x)) {
        d = p / q;
        const u = x + d;
        if (u - a < tol2 || b - u < tol2) d = x < m ? tol1 : -tol1;
        useGolden = false;
      }
    }
    if (useGolden) {
      e = x < m ? b - x : a - x;
      d = golden * e;
    }
    const u = Math.abs(d) >= tol1 ? x + d : x + (d > 0 ? tol1 : -tol1);
    const fu = f(u);
    evaluations++;
    if (fu <= fx) {
      if (u < x) b = x;
      else a = x;
      v = w;
      fv = fw;
      w = x;
      fw = fx;
      x = u;
      fx = fu;
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        v = w;
        fv = fw;
        w = u;
        fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u;
        fv = fu;
      }
    }
  }
  return { x, fx, evaluations };
}

/**
 * Global-ish 1-D minimum: a coarse scan locates the best bracket (the objective may have
 * several local minima), then Brent refines inside it.
 */
export function scanThenBrent(
  f: (x: number) => number,
  a: number,
  b: number,
  scanPoints = 24,
  tol = 1e-10,
): Minimum1D {
  let best = 0;
  let bestF = Infinity;
  const xs: number[] = [];
  for (let k = 0; k <= scanPoints; k++) {
    const x = a + ((b - a) * k) / scanPoints;
    xs.push(x);
    const fx = f(x);
    if (fx < bestF) {
      bestF = fx;
      best = k;
    }
  }
  const lo = xs[Math.max(0, best - 1)];
  const hi = xs[Math.min(scanPoints, best + 1)];
  const refined = brentMinimize(f, lo, hi, tol);
  const result = refined.fx <= bestF ? refined : { x: xs[best], fx: bestF, evaluations: 0 };
  return { ...result, evaluations: refined.evaluations + scanPoints + 1 };
}
