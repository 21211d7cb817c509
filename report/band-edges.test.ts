/** Band edges as stored, read back: an unbounded band is ∞, a missing band a dash (band-edges.ts, band.ts). */
import { describe, expect, it } from 'vitest';
import { storedBandEdges, upperEdgeText } from './band-edges.js';
import { edgesTable } from './band.js';

describe('upper band edge as tables print it', () => {
  it('NULL r+ beside a stored r- is unbounded; both NULL is no band; a number prints as itself', () => {
    expect(upperEdgeText(0, null)).toBe('∞');
    expect(upperEdgeText(null, null)).toBe('–');
    expect(upperEdgeText(34.31457505076194, 1165.6854249492378)).toBe('1165.69');
    expect(storedBandEdges(0, null)).toEqual([0, Infinity]);
    expect(storedBandEdges(null, null)).toBeNull();
  });

  it('the band-edges table of an uncoupled game says r− = 0, r+ = ∞', () => {
    const html = edgesTable(
      [
        {
          at: {},
          slice: '',
          param: 0,
          rMinus: 0,
          rPlus: null,
          optimalRatio: 1,
          alphaMax: 1,
          certifiedFraction: 1,
        },
      ],
      'lambda',
    );
    expect(html).toContain('<tr><td>0</td><td>0</td><td>∞</td><td>1</td><td>1</td><td>1</td></tr>');
  });
});
