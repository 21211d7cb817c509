/**
 * The log-rho phase diagram from step-size points: one tile per (param, h), log10 rho as colour
 * diverging at 0, the certified step and exact threshold as lines, the Euclidean-monotone range
 * ([min, max] of the parameter values with gamma >= 0, as the paper shades it), and a real render.
 */
import { describe, expect, it } from 'vitest';
import type { StepsizePoint } from './data.js';
import { renderFigure, rhoPhaseFigure } from './figures.js';

function point(param: number, step: number, extra: Partial<StepsizePoint> = {}): StepsizePoint {
  return {
    slice: '',
    at: { lambda: param },
    param,
    integrator: 'euler',
    multiplier: step,
    step,
    certifiedStep: param < 1 ? 0.5 : 0,
    exactThreshold: 2 - param,
    convergedFraction: null,
    empiricalFactor: null,
    predictedFactor: null,
    // |1 - h (1 + param)| stands in for a spectrum.
    spectralRadius: Math.abs(1 - step * (1 + param)),
    gammaEuclidean: 0.5 - param,
    ...extra,
  };
}

type Layer = { data: { values: Record<string, number | string>[] }; encoding: Record<string, unknown> };

describe('rhoPhaseFigure', () => {
  const params = [0, 0.25, 0.5, 0.75, 1, 1.5];
  const steps = [0, 0.1, 0.5, 1, 1.5];
  const points = params.flatMap((p) => steps.map((h) => point(p, h)));
  const fig = rhoPhaseFigure(points, 'euler', { subject: 'toy', param: 'lambda' });
  const layers = (fig.spec as unknown as { layer: Layer[] }).layer;

  it('draws one tile per stored (param, h) with log10 rho, and nothing of another integrator', () => {
    const tiles = layers[0].data.values;
    expect(tiles).toHaveLength(params.length * steps.length);
    const t = tiles.find((x) => x.param === 0.5 && x.step === 1.5)!;
    expect(t.log10rho).toBeCloseTo(Math.log10(1.25), 14);
    expect(tiles.find((x) => x.param === 0 && x.step === 0)!.log10rho).toBe(0);
    expect(rhoPhaseFigure(points, 'rk4', { subject: 'toy', param: 'lambda' }).spec).toMatchObject({
      layer: [{ data: { values: [] } }, { data: { values: [] } }, { data: { values: [] } }],
    });
  });

  it('tiles meet their neighbours with at most a pixel of overlap, whatever steps the columns hold', () => {
    // Each column's own steps (as in a step-size sweep: multiples of each game's certified step).
    const uneven = [0, 0.25, 0.5].flatMap((p, k) => [0.4, 0.8].map((c) => point(p, c * (3 - k))));
    const tiles = (
      rhoPhaseFigure(uneven, 'euler', { subject: 'toy', param: 'lambda' }).spec as unknown as {
        layer: Layer[];
      }
    ).layer[0].data.values as Record<string, number>[];
    const pixelL = 0.5 / 620; // domain [0, 0.5] over the figure's width
    // Column edges at the midpoints 0.125 and 0.375 (plus at most a pixel), vertically at the
    // midpoints of each column's own steps.
    const at = (p: number, h: number) => tiles.find((t) => t.param === p && Math.abs(t.step - h) < 1e-12)!;
    expect(at(0, 1.2).l1 - 0.125).toBeGreaterThan(0);
    expect(at(0, 1.2).l1 - 0.125).toBeLessThanOrEqual(pixelL + 1e-12);
    expect(at(0.25, 0.8).l0).toBe(0.125);
    expect(at(0.25, 0.8).l1).toBeLessThanOrEqual(0.375 + pixelL + 1e-12);
    expect(at(0, 2.4).h0).toBeCloseTo(1.8, 12);
  });

  it('colours diverge at rho = 1, shades the Euclidean-monotone range, draws both lines', () => {
    const color = (layers[0].encoding.color as { scale: { domainMid: number; domain: number[] } }).scale;
    expect(color.domainMid).toBe(0);
    expect(color.domain[0]).toBeLessThan(0);
    expect(color.domain[1]).toBeGreaterThan(0);
    // gamma = 0.5 - param >= 0 at 0, 0.25 and 0.5.
    expect(layers[1].data.values).toEqual([{ l0: 0, l1: 0.5, region: 'Euclidean-monotone (γ ≥ 0)' }]);
    const lines = layers[2].data.values;
    expect(lines.filter((l) => l.line === 'certified step').map((l) => l.param)).toEqual([
      0, 0.25, 0.5, 0.75,
    ]);
    expect(lines.filter((l) => l.line === 'exact stability threshold')).toHaveLength(params.length);
  });

  it('renders to PNG', async () => {
    const r = await renderFigure(fig);
    expect(r.png.subarray(1, 4).toString()).toBe('PNG');
    expect(r.svg).toContain('log10 ρ');
  });
});
