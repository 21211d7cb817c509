/**
 * The band map's picture: a sequential scale over the certified margins (no clamp), grey where
 * alpha* <= 0; band edges drawn only inside the ratio axis, a marker at the frame for an edge
 * beyond it (its value in the tooltip) or unbounded, nothing where no weighting certifies.
 */
import { describe, expect, it } from 'vitest';
import type { BandCell, BandEdge } from './data.js';
import { bandMapFigure, renderFigure } from './figures.js';

type Layer = {
  data: { values: Record<string, unknown>[] };
  encoding: { color?: { scale?: { domain?: number[]; scheme?: string }; condition?: { value: string } } };
};

const RATIOS = [0.1, 1, 10, 100];
const cell = (param: number, ratio: number, alpha: number): BandCell => ({
  slice: '',
  at: { lambda: param },
  param,
  ratio,
  alpha,
  certified: alpha > 0,
});
const edge = (param: number, e: Partial<BandEdge>): BandEdge => ({
  slice: '',
  at: { lambda: param },
  param,
  rMinus: null,
  rPlus: null,
  optimalRatio: null,
  alphaMax: null,
  certifiedFraction: 0,
  ...e,
});

// lambda 0: uncoupled (unbounded both ways); 1: a band inside the axis; 2: r+ beyond it; 3: nothing certifies.
const band = [0, 1, 2, 3].flatMap((p) =>
  RATIOS.map((r) => cell(p, r, p === 3 ? -0.5 : 2.5 - p - Math.abs(Math.log10(r) - 1))),
);
const edges = [
  edge(0, { rMinus: null, rPlus: null, optimalRatio: 1, alphaMax: 2.5 }),
  edge(1, { rMinus: 0.5, rPlus: 50, optimalRatio: 10, alphaMax: 1.5 }),
  edge(2, { rMinus: 2, rPlus: 9.2e5, optimalRatio: 10, alphaMax: 0.5 }),
  edge(3, { rMinus: 3, rPlus: 4, optimalRatio: 200, alphaMax: -0.2 }),
];

describe('band map figure', () => {
  const f = bandMapFigure(band, edges, { subject: 'test', param: 'lambda' });
  const layers = (f.spec as { layer: Layer[] }).layer;

  it('colours certified cells on [0, max alpha*] with a sequential scheme and greys the rest', () => {
    const colour = layers[0].encoding.color!;
    const top = Math.max(...band.map((b) => b.alpha ?? 0));
    expect(colour.scale).toMatchObject({ scheme: 'viridis', domain: [0, top] });
    expect(colour.condition?.value).toBe('#d0d0d0');
    expect(layers[0].data.values).toHaveLength(band.length);
    expect(f.caption).toContain(`from 0 to ${top}`);
    expect(f.caption).not.toContain('Blank:');
  });

  it('says how many cells are blank when some have no margin (failed cells)', () => {
    const failed = band.map((b, i) => (i % 4 === 1 ? { ...b, alpha: null, certified: false } : b));
    const blank = failed.filter((b) => b.alpha === null).length;
    expect(blank).toBeGreaterThan(1);
    const g = bandMapFigure(failed, edges, { subject: 'test', param: 'lambda' });
    expect(g.caption).toContain(`Blank: ${blank} cells without a margin (failed;`);
    expect((g.spec as { layer: Layer[] }).layer[0].data.values).toHaveLength(band.length - blank);
  });

  it('draws edges inside the axis only, and markers at the frame for the others', () => {
    const lines = layers[1].data.values as { param: number; curve: string; r: number }[];
    const rMin = Math.min(...lines.map((l) => l.r));
    expect(lines.every((l) => l.r >= 0.1 / Math.sqrt(10) && l.r <= 100 * Math.sqrt(10))).toBe(true);
    expect(rMin).toBeGreaterThan(0);
    // Nothing at lambda 3 (alpha_max < 0): no edge, no r* at 200.
    expect(lines.some((l) => l.param === 3)).toBe(false);
    const markers = layers[2].data.values as {
      param: number;
      direction: string;
      unbounded: boolean;
      value: string;
    }[];
    expect(markers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ param: 0, direction: 'below', unbounded: true, value: '0 (unbounded)' }),
        expect.objectContaining({ param: 0, direction: 'above', unbounded: true, value: '∞ (unbounded)' }),
        expect.objectContaining({ param: 2, direction: 'above', unbounded: false, value: '920000' }),
      ]),
    );
    expect(markers).toHaveLength(3);
  });

  it('renders, and says in the picture what the colours and markers mean', async () => {
    const r = await renderFigure(f);
    expect(r.svg).toContain('grey: α* ≤ 0 (not certified)');
    expect(r.svg).toContain('beyond the ratio axis');
    expect(r.png.length).toBeGreaterThan(1000);
  });
});
