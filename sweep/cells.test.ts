import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axisValues } from './axes.js';
import { canonicalJson } from './canonical.js';
import { cellAt, cellCount, cellsInRange, gameGroupKey, gameIndex, paramsKey, ratioLength } from './cells.js';
import { resolveSpec, resolveSpecFile } from './resolve.js';

const examples = new URL('../examples/', import.meta.url).pathname;
const opts = { baseDir: '.' };

const three = resolveSpec(threeRaw(), opts);

describe('cellAt', () => {
  it('matches a brute-force nested-loop expansion (last axis fastest)', () => {
    const coupling = [0.5, 1.5];
    const seeds = [3, 4, 5];
    const lambdas = axisValues({ linspace: [0, 1, 4] });
    const ratios = axisValues({ geomspace: [0.1, 10, 5] });
    const expected: Record<string, number>[] = [];
    for (const c of coupling)
      for (const s of seeds)
        for (const l of lambdas)
          for (const r of ratios) expected.push({ coupling: c, seed: s, lambda: l, ratio: r });
    expect(cellCount(three)).toBe(expected.length);
    expected.forEach((params, i) => {
      const cell = cellAt(three, i);
      expect(cell.index).toBe(i);
      expect(cell.params).toEqual(params);
      expect(Object.keys(cell.params)).toEqual(['coupling', 'seed', 'lambda', 'ratio']);
      expect(cell.game).toMatchObject({
        coupling: params.coupling,
        seed: params.seed,
        lambda: params.lambda,
        dims: [1, 2],
      });
      expect(cell.weights).toEqual({ kind: 'ratio', ratio: params.ratio });
      // The fast per-sweep key path agrees with the general canonical form.
      expect(cell.key).toBe(paramsKey(params));
    });
    expect([...cellsInRange(three, 0, 1000)].map((c) => c.params)).toEqual(expected);
  });

  it('groups cells by game: consecutive cells share a game', () => {
    expect(ratioLength(three)).toBe(5);
    for (let i = 0; i < cellCount(three); i++) {
      expect(gameIndex(three, i)).toBe(Math.floor(i / 5));
      expect(gameGroupKey(three, i)).toBe(gameGroupKey(three, gameIndex(three, i) * 5));
      const { ratio: _r, ...gameParams } = cellAt(three, i).params;
      expect(gameGroupKey(three, i)).toBe(paramsKey(gameParams));
    }
    expect(gameGroupKey(three, 4)).not.toBe(gameGroupKey(three, 5));
  });

  it('single-cell and fixed-weight sweeps', () => {
    const r = resolveSpec(
      {
        kind: 'certify',
        game: { family: 'quadratic', Q1: [[1]], Q2: [[1]], R: [[1]] },
        weights: { fixed: [1, 2] },
      },
      opts,
    );
    expect(cellCount(r)).toBe(1);
    expect(cellAt(r, 0)).toMatchObject({ params: {}, weights: { kind: 'fixed', values: [1, 2] } });
    expect(cellAt(r, 0).key).toBe(paramsKey({}));
    expect(gameIndex(r, 0)).toBe(0);
  });

  it('rejects indices outside the sweep', () => {
    expect(() => cellAt(three, cellCount(three))).toThrow(RangeError);
    expect(() => cellAt(three, -1)).toThrow(RangeError);
    expect(() => cellAt(three, 1.5)).toThrow(RangeError);
    expect(() => cellsInRange(three, 5, 2).next()).toThrow(RangeError);
    expect([...cellsInRange(three, 118, 500)].map((c) => c.index)).toEqual([118, 119]);
  });
});

describe('cell keys', () => {
  it('are the first 32 hex of sha256 over the canonical params (independently computed)', () => {
    // node -e 'crypto.createHash("sha256").update("{\"lambda\":0.5,\"ratio\":2}").digest("hex").slice(0,32)'
    expect(paramsKey({ ratio: 2, lambda: 0.5 })).toBe('efb7ea9cbdaeac4b0a1ac0c12eb4591c');
    expect(canonicalJson({ ratio: 2, lambda: 0.5 })).toBe('{"lambda":0.5,"ratio":2}');
    // LQ-64 cell 161 = (lambda index 1, ratio index 0): '{"lambda":0.041666666666666664,"ratio":0.1}'.
    const lq = resolveSpecFile(join(examples, 'lq64-certify.yaml'));
    expect(cellAt(lq, 161).key).toBe('da1d50c55178f72c00122cb8609df551');
  });

  it('are stable across calls and resolutions, and distinct within a sweep', () => {
    const again = resolveSpec(threeRaw(), opts);
    const keys = new Set<string>();
    for (let i = 0; i < cellCount(three); i++) {
      const k = cellAt(three, i).key;
      expect(k).toMatch(/^[0-9a-f]{32}$/);
      expect(cellAt(three, i).key).toBe(k);
      expect(cellAt(again, i).key).toBe(k);
      keys.add(k);
    }
    expect(keys.size).toBe(cellCount(three));
  });

  it('canonical JSON sorts keys at every depth and refuses non-finite numbers', () => {
    expect(canonicalJson({ b: [1, { d: 1e21, c: -0 }], a: 'x', u: undefined })).toBe(
      '{"a":"x","b":[1,{"c":0,"d":1e+21}]}',
    );
    expect(() => canonicalJson({ x: NaN })).toThrow(TypeError);
  });
});

describe('large sweeps', () => {
  const big = resolveSpec(
    {
      kind: 'certify',
      game: { family: 'quadratic', Q1: [[1]], Q2: [[1]], R: [[1]], lambda: { linspace: [0, 2.5, 10_000] } },
      weights: { ratio: { geomspace: [0.1, 10_000, 1000] } },
      maxCells: 10_000_000,
    },
    opts,
  );

  it('decodes cell 9,999,999 of a 10^7-cell sweep by arithmetic', () => {
    expect(cellCount(big)).toBe(10_000_000);
    const last = cellAt(big, 9_999_999);
    expect(last.params).toEqual({ lambda: 2.5, ratio: 10_000 });
    expect(gameIndex(big, 9_999_999)).toBe(9_999);
    const mid = cellAt(big, 1_234_567);
    expect(mid.params.lambda).toBe(1234 * (2.5 / 9999));
    expect(mid.params.ratio).toBe(axisValues({ geomspace: [0.1, 10_000, 1000] })[567]);
  });

  it('expands 1,000,000 cells lazily with flat memory', () => {
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let n = 0;
    let lastIndex = -1;
    for (const cell of cellsInRange(big, 4_000_000, 5_000_000)) {
      n++;
      lastIndex = cell.index;
      if ((n & 0xffff) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(n).toBe(1_000_000);
    expect(lastIndex).toBe(4_999_999);
    // Keeping 10^6 cells alive would take hundreds of MB; garbage between GCs stays well below.
    expect(peak - before).toBeLessThan(150 * 1024 * 1024);
  });
});

function threeRaw(): unknown {
  return {
    kind: 'certify',
    game: {
      family: 'quadratic',
      generator: 'clean',
      dims: [1, 2],
      coupling: { values: [0.5, 1.5] },
      seed: { range: [3, 6, 1] },
      lambda: { linspace: [0, 1, 4] },
    },
    weights: { ratio: { geomspace: [0.1, 10, 5] } },
  };
}
