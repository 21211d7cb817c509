import { describe, expect, it } from 'vitest';
import { fromRows } from './matrix.js';
import { toMlMatrix } from './ml-matrix-adapter.js';

describe('toMlMatrix', () => {
  it('copies a row-major DenseMatrix entry for entry, shape included', () => {
    const rows = [
      [1, 2, 3],
      [4, 5, 6.5],
    ];
    const m = toMlMatrix(fromRows(rows));
    expect([m.rows, m.columns]).toEqual([2, 3]);
    expect(m.to2DArray()).toEqual(rows);
  });
});
