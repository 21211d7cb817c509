import { describe, expect, it } from 'vitest';
import { MAX_TRACE_POINTS, TraceRecorder, traceSteps } from './trace.js';

describe('traceSteps: geometric thinning', () => {
  it('keeps every step when there are no more than points', () => {
    expect(traceSteps(0, 2)).toEqual([0]);
    expect(traceSteps(4, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(traceSteps(4, 100)).toEqual([0, 1, 2, 3, 4]);
  });

  it.each([
    [10, 3],
    [400, 50],
    [10_000, 200],
    [2_000_000, MAX_TRACE_POINTS],
    [1001, 1000],
  ])('steps %i, points %i: sorted, distinct, 0 and the last step kept, at most points', (steps, points) => {
    const ks = traceSteps(steps, points);
    expect(ks[0]).toBe(0);
    expect(ks[ks.length - 1]).toBe(steps);
    expect(ks.length).toBeLessThanOrEqual(points);
    for (let j = 1; j < ks.length; j++) expect(ks[j]).toBeGreaterThan(ks[j - 1]);
  });

  it('is dense early and sparse late (equal ratios of k + 1)', () => {
    const ks = traceSteps(9999, 5);
    // geomspace(1, 10000, 5) - 1 = [0, 9, 99, 999, 9999]
    expect(ks).toEqual([0, 9, 99, 999, 9999]);
    const many = traceSteps(100_000, 200);
    // Every one of the first steps is kept (round(exp(j r)) - 1 moves by < 1 there), and the gaps grow.
    expect(many.slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const gaps = many.slice(1).map((k, j) => k - many[j]);
    expect(gaps[gaps.length - 1]).toBeGreaterThan(1000);
  });

  it('refuses fewer than 2 points or a negative step count', () => {
    expect(() => traceSteps(10, 1)).toThrow(/points/);
    expect(() => traceSteps(-1, 5)).toThrow(/steps/);
  });
});

describe('TraceRecorder', () => {
  const point = (k: number) => ({ residual: k, distance: 2 * k, metricDistance: 3 * k });

  it('records the kept steps of a full run', () => {
    const r = new TraceRecorder(99, 10, false);
    for (let k = 0; k <= 99; k++) if (r.wants(k)) r.record(k, point(k));
    const t = r.result();
    expect(t.k).toEqual(traceSteps(99, 10));
    expect(t.distance).toEqual(t.k.map((k) => 2 * k));
    expect(t.lyapunov).toBeNull();
  });

  it('a run that stops early keeps its last step and stays within the bound', () => {
    const r = new TraceRecorder(10_000, 20, true);
    const stop = 137;
    for (let k = 0; k <= stop; k++)
      if (r.wants(k) || k === stop)
        r.record(k, { ...point(k), lyapunov: k === stop ? Infinity : 1 / (k + 1) });
    const t = r.result();
    expect(t.k[0]).toBe(0);
    expect(t.k[t.k.length - 1]).toBe(stop);
    expect(t.k.length).toBeLessThanOrEqual(20);
    expect(t.k.slice(0, -1)).toEqual(traceSteps(10_000, 20).filter((k) => k < stop));
    // Not finite: null (JSON and the database have no Infinity).
    expect(t.lyapunov?.[t.k.length - 1]).toBeNull();
    expect(t.lyapunov?.[0]).toBe(1);
  });
});
