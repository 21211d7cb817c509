/**
 * The figures of a sweep over one game: the band against r (alpha_*, alpha_true, the band shaded
 * and marked where it lies inside the drawn ratios) and the converged fraction against the step
 * (one line per iteration, the certified bound marked); both rendered for real.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import type { ResultRow } from '../sweep/queries.js';
import type { StepsizePoint } from './data.js';
import { renderFigure } from './figures.js';
import { bandLineFigure, bandLineOfCells, stabilityLineFigure } from './one-d-figures.js';

function cell(ratio: number, alpha: number | null, alphaTrue: number | null): ResultRow {
  return {
    cellIndex: 0,
    cellKey: '',
    params: { ratio },
    certified: alpha !== null && alpha > 0,
    alpha,
    beta: 1,
    eulerStep: null,
    rk4Step: null,
    weights: [1, ratio],
    alphaTrue,
    gammaEuclidean: -1,
    optimalAlpha: 0.3,
    optimalRatio: 200,
    bandMinus: 34.3,
    bandPlus: 1166,
    hStabEuler: null,
    hStabRk4: null,
    mu: [1, 1],
    L: null,
    error: null,
  };
}

type Layer = { data: { values: Record<string, number | string>[] }; mark: string | { type: string } };
const layersOf = (spec: unknown): Layer[] => (spec as { layer: Layer[] }).layer;

describe('bandLineFigure', () => {
  const ratios = [0.1, 1, 10, 100, 1000, 10000];
  // A margin peaked at r = 200, with the true margin just above it.
  const alpha = (r: number) => 0.3 - 0.2 * Math.log10(r / 200) ** 2;
  const cells = ratios.map((r) => cell(r, alpha(r), alpha(r) + 0.01));
  const fig = bandLineFigure(bandLineOfCells(cells), 'toy');
  const layers = layersOf(fig.spec);

  it('draws the band [r-, r+] shaded with both edges marked, and alpha_* and alpha_true at every ratio', () => {
    expect(layers[0].data.values).toEqual([{ from: 34.3, to: 1166, what: 'SGN band (α* ≥ 0)' }]);
    expect(layers[1].data.values).toEqual([{ r: 34.3 }, { r: 1166 }]);
    // The true margin first (solid), alpha_* on top (dashed).
    expect(layers[3].data.values.map((p) => p.margin)).toEqual(ratios.map((r) => alpha(r) + 0.01));
    expect(layers[4].data.values.map((p) => p.margin)).toEqual(ratios.map(alpha));
    expect(fig.caption).toContain('r− = 34.30, r+ = 1166');
  });

  it('clips an edge outside the drawn ratios and leaves out a failed cell; without alpha_true one line', () => {
    const narrow = [cell(100, 0.2, null), cell(300, 0.25, null), { ...cell(500, null, null), error: 'boom' }];
    const l = layersOf(bandLineFigure(bandLineOfCells(narrow), 'toy').spec);
    expect(l[0].data.values).toEqual([{ from: 100, to: 300, what: 'SGN band (α* ≥ 0)' }]);
    expect(l[1].data.values).toEqual([]);
    expect(l).toHaveLength(4);
    expect(l[3].data.values.map((p) => p.r)).toEqual([100, 300]);
  });

  it('an unbounded band (uncoupled: r+ stored as NULL) is shaded over every ratio, r+ = ∞; no edges is no band', () => {
    const uncoupled = [0.1, 1, 10].map((r) => ({ ...cell(r, 1, 1), bandMinus: 0, bandPlus: null }));
    const f = bandLineFigure(bandLineOfCells(uncoupled), 'toy');
    const l = layersOf(f.spec);
    expect(l[0].data.values).toEqual([{ from: 0.1, to: 10, what: 'SGN band (α* ≥ 0)' }]);
    expect(l[1].data.values).toEqual([]); // neither edge lies inside the drawn ratios
    expect((f.spec as { title: { subtitle: string } }).title.subtitle).toBe('band r− = 0.000, r+ = ∞');
    const none = [1, 10].map((r) => ({ ...cell(r, -0.5, null), bandMinus: null, bandPlus: null }));
    const g = bandLineFigure(bandLineOfCells(none), 'toy');
    expect(layersOf(g.spec)[0].data.values).toEqual([]);
    expect(g.caption).toContain('no band: α* < 0 at every ratio');
  });

  it('renders', async () => {
    const r = await renderFigure(fig);
    expect(r.svg).toContain('true margin α_true(r) in M(w)');
    expect(r.png.length).toBeGreaterThan(5_000);
    if (process.env.SGN_FIGURE_DIR) writeFileSync(`${process.env.SGN_FIGURE_DIR}/band-1d.png`, r.png);
  });
});

describe('stabilityLineFigure', () => {
  const point = (integrator: string, multiplier: number, converged: number | null): StepsizePoint => ({
    slice: '',
    at: {},
    param: Number.NaN,
    integrator,
    multiplier,
    step: multiplier * 0.5,
    certifiedStep: 0.5,
    exactThreshold: null,
    convergedFraction: converged,
    empiricalFactor: null,
    predictedFactor: null,
    spectralRadius: null,
    gammaEuclidean: null,
  });
  const ms = [0.1, 0.5, 1, 2, 5, 10];
  const steps = [
    ...ms.map((m) => point('npg', m, m <= 5 ? 1 : 0.5)),
    ...ms.map((m) => point('epg', m, m <= 2 ? 1 : 0)),
    point('epg', 20, null),
  ];

  it('draws the converged fraction per iteration against the multiplier, the certified bound at 1', () => {
    const fig = stabilityLineFigure(steps, 'toy', 'certified');
    const [bound, lines] = layersOf(fig.spec);
    expect(bound.data.values).toEqual([{ x: 1, what: 'certified bound' }]);
    const npg = lines.data.values.filter((p) => p.integrator === 'natural PG (SGN metric)');
    expect(npg.map((p) => [p.x, p.converged])).toEqual(ms.map((m) => [m, m <= 5 ? 1 : 0.5]));
    // A step without runs (null) is not drawn.
    expect(lines.data.values).toHaveLength(12);
  });

  it('marks the certified step on an absolute axis, nothing on a threshold axis', () => {
    expect(layersOf(stabilityLineFigure(steps, 'toy', 'absolute').spec)[0].data.values).toEqual([
      { x: 0.5, what: 'certified bound' },
    ]);
    expect(layersOf(stabilityLineFigure(steps, 'toy', 'threshold').spec)[0].data.values).toEqual([]);
  });

  it('renders', async () => {
    const r = await renderFigure(stabilityLineFigure(steps, 'toy', 'certified'));
    expect(r.svg).toContain('Euclidean PG');
    if (process.env.SGN_FIGURE_DIR) writeFileSync(`${process.env.SGN_FIGURE_DIR}/stability-1d.png`, r.png);
  });
});
