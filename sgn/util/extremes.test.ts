import { describe, expect, it } from 'vitest';
import { maxOf, minOf } from './extremes.js';

describe('maxOf, minOf', () => {
  it('answer as Math.max and Math.min do on small inputs', () => {
    const cases: number[][] = [[], [3], [1, -2, 5], [-0, 0], [1, NaN, 2], [-Infinity, Infinity]];
    for (const c of cases) {
      expect(maxOf(c)).toBe(Math.max(...c));
      expect(minOf(c)).toBe(Math.min(...c));
    }
  });

  it('take a million values, where spreading them into Math.max throws', () => {
    const values = Array.from({ length: 1_000_000 }, (_, i) => Math.sin(i));
    expect(() => Math.max(...values)).toThrow(RangeError);
    const sorted = [...values].sort((a, b) => a - b);
    expect(maxOf(values)).toBe(sorted[sorted.length - 1]);
    expect(minOf(values)).toBe(sorted[0]);
    expect(maxOf(new Set([2, 7, 1]))).toBe(7);
  });
});
