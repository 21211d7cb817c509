import { describe, expect, it } from 'vitest';
import { blocksOf } from './games/blocks.js';
import { runTrajectory } from './integrators.js';

const blocks = blocksOf([1, 1]);
// x' = -F(x), F(x) = diag(a1, a2) x: every step multiplies coordinates by known factors.
const a = [1, 3];
const F = (x: Float64Array): Float64Array => Float64Array.from(x, (v, i) => a[i] * v);
const p4 = (z: number): number => 1 + z + (z * z) / 2 + z ** 3 / 6 + z ** 4 / 24;

describe('runTrajectory', () => {
  it('Euler: the tail factor is the slowest mode |1 - h a_i|, and convergence is detected', () => {
    const h = 0.2; // factors 0.8 and 0.4: the tail is dominated by 0.8
    const r = runTrajectory(
      'euler',
      F,
      Float64Array.from([1, 1]),
      new Float64Array(2),
      h,
      200,
      1e-6,
      blocks,
      [1, 1],
    );
    expect(r.factor).toBeCloseTo(0.8, 10);
    expect(r.converged).toBe(true);
  });

  it('RK4: the tail factor is max |P4(-h a_i)|', () => {
    const h = 0.5;
    const r = runTrajectory(
      'rk4',
      F,
      Float64Array.from([1, 1]),
      new Float64Array(2),
      h,
      100,
      1e-6,
      blocks,
      [1, 1],
    );
    expect(r.factor).toBeCloseTo(Math.max(...a.map((ai) => Math.abs(p4(-h * ai)))), 8);
  });

  it('beyond the stability threshold (h a > 2 for Euler) the run diverges; at rho = 1 it does not converge', () => {
    const div = runTrajectory(
      'euler',
      F,
      Float64Array.from([1, 1]),
      new Float64Array(2),
      0.7,
      200,
      1e-6,
      blocks,
      [1, 1],
    );
    expect(div.converged).toBe(false);
    expect(div.factor!).toBeGreaterThan(1);
    const marginal = runTrajectory(
      'euler',
      F,
      Float64Array.from([0, 1]),
      new Float64Array(2),
      2 / 3,
      200,
      1e-6,
      blocks,
      [1, 1],
    );
    expect(marginal.converged).toBe(false);
  });

  it('a slowly contracting run counts as converging even when the step budget ends first', () => {
    const r = runTrajectory(
      'euler',
      F,
      Float64Array.from([1, 0]),
      new Float64Array(2),
      0.01,
      50,
      1e-9,
      blocks,
      [1, 1],
    );
    expect(r.finalResidual).toBeGreaterThan(1e-9);
    expect(r.converged).toBe(true);
  });
});
