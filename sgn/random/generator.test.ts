import { describe, expect, it } from 'vitest';
import { defaultRng } from './generator.js';

describe('RandomGenerator', () => {
  it('is reproducible for a seed and differs between seeds', () => {
    const a = defaultRng(42);
    const b = defaultRng(42);
    const c = defaultRng(43);
    const xs = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(xs);
  });

  it('has the moments of U(0,1) and N(0,1)', () => {
    const r = defaultRng(7);
    const n = 200_000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      su += u;
      const g = r.normal();
      sn += g;
      sn2 += g * g;
    }
    // Standard errors: 0.29/sqrt(n) ~ 6.5e-4 for the uniform mean, 1/sqrt(n) ~ 2.2e-3 for the normal.
    expect(Math.abs(su / n - 0.5)).toBeLessThan(4e-3);
    expect(Math.abs(sn / n)).toBeLessThan(1e-2);
    expect(Math.abs(sn2 / n - 1)).toBeLessThan(2e-2);
  });
});

describe('RandomGenerator.clone', () => {
  it('draws what the original draws from that point on, without moving it', () => {
    const a = defaultRng(5);
    for (let i = 0; i < 7; i++) a.normal();
    const b = a.clone();
    const fromCopy = [b.uniform(), b.normal(), ...b.normals(3)];
    const fromOriginal = [a.uniform(), a.normal(), ...a.normals(3)];
    expect(fromCopy).toEqual(fromOriginal);
  });

  it('refuses a seed NumPy refuses', () => {
    expect(() => defaultRng(-1)).toThrow(/non-negative/);
    expect(() => defaultRng(1.5)).toThrow(/non-negative integer/);
  });
});
