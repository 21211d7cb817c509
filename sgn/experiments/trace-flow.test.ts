/**
 * RK4 at a small step follows the flow x' = -(H x + c) (LQ_GAMES/simulate_flow.py: RK4, dt = 1e-3):
 * a trace's M-distances at the kept steps against ||exp(-t H)(x_0 - x*)||_M, the matrix exponential
 * by scaling and squaring a Taylor series (independent of the integrator).
 */
import { describe, expect, it } from 'vitest';
import { runTrajectory } from '../integrators.js';
import type { Blocks } from '../games/blocks.js';

type M2 = [[number, number], [number, number]];
const mul = (a: M2, b: M2): M2 => [
  [a[0][0] * b[0][0] + a[0][1] * b[1][0], a[0][0] * b[0][1] + a[0][1] * b[1][1]],
  [a[1][0] * b[0][0] + a[1][1] * b[1][0], a[1][0] * b[0][1] + a[1][1] * b[1][1]],
];

/** exp(A): A / 2^s has norm < 1/2, Taylor to 30 terms, squared s times. */
function expm(a: M2): M2 {
  const norm = Math.max(Math.abs(a[0][0]) + Math.abs(a[0][1]), Math.abs(a[1][0]) + Math.abs(a[1][1]));
  const s = Math.max(0, Math.ceil(Math.log2(norm)) + 1);
  const b: M2 = [
    [a[0][0] / 2 ** s, a[0][1] / 2 ** s],
    [a[1][0] / 2 ** s, a[1][1] / 2 ** s],
  ];
  let term: M2 = [
    [1, 0],
    [0, 1],
  ];
  let sum: M2 = [
    [1, 0],
    [0, 1],
  ];
  for (let n = 1; n <= 30; n++) {
    term = mul(term, b).map((r) => r.map((v) => v / n)) as M2;
    sum = sum.map((r, i) => r.map((v, j) => v + term[i][j])) as M2;
  }
  for (let k = 0; k < s; k++) sum = mul(sum, sum);
  return sum;
}

describe('RK4 traces at a small step are the flow', () => {
  // The paper's mini-toy (a = 10, b = 0.05) with an offset.
  const H: M2 = [
    [1, 10],
    [0.05, 1],
  ];
  const c = [1, -2];
  const det = H[0][0] * H[1][1] - H[0][1] * H[1][0];
  const xStar = Float64Array.from([
    -(H[1][1] * c[0] - H[0][1] * c[1]) / det,
    -(-H[1][0] * c[0] + H[0][0] * c[1]) / det,
  ]);
  const F = (x: Float64Array) =>
    Float64Array.from([H[0][0] * x[0] + H[0][1] * x[1] + c[0], H[1][0] * x[0] + H[1][1] * x[1] + c[1]]);
  const blocks = { dims: [1, 1], offsets: [0, 1, 2], dim: 2 } as unknown as Blocks;
  const w = [1, 200];

  it('M-distance at t = k h within 1e-9 (relative) of the exact flow over t in [0, 5]', () => {
    const h = 1e-3;
    const steps = 5000;
    const x0 = Float64Array.from([xStar[0] + 0.7, xStar[1] - 0.3]);
    const r = runTrajectory('rk4', F, x0, xStar, h, steps, 1e-30, blocks, w, { tracePoints: 100 });
    const t = r.trace!;
    expect(t.k[0]).toBe(0);
    expect(t.k[t.k.length - 1]).toBe(steps);
    expect(t.k.length).toBeLessThanOrEqual(100);
    const e0 = [x0[0] - xStar[0], x0[1] - xStar[1]];
    t.k.forEach((k, j) => {
      const E = expm([
        [-k * h * H[0][0], -k * h * H[0][1]],
        [-k * h * H[1][0], -k * h * H[1][1]],
      ]);
      const e = [E[0][0] * e0[0] + E[0][1] * e0[1], E[1][0] * e0[0] + E[1][1] * e0[1]];
      const want = Math.sqrt(w[0] * e[0] ** 2 + w[1] * e[1] ** 2);
      expect(Math.abs(t.metricDistance[j]! - want)).toBeLessThanOrEqual(1e-9 * want);
      expect(Math.abs(t.distance[j]! - Math.hypot(...e))).toBeLessThanOrEqual(1e-9 * Math.hypot(...e));
    });
  });
});
