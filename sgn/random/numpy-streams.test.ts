/**
 * sgn/random against NumPy, bit for bit: SeedSequence's pool and words, PCG64's seeded state and
 * raw output, Generator.standard_normal and .random for 41 seeds, draws of several shapes from one
 * generator (C order), and three long streams (1e6, 1e6 and 3e5 normals) by SHA-256, which take
 * the ziggurat's wedge and tail branches thousands and hundreds of times. Reference: the output of
 * scripts/reference/numpy_streams.py, run live when python3 has NumPy, and its stored copy
 * (testdata/numpy-streams.json) always. Tolerance: none (exact equality of every double).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadStored, runPythonReference } from '../../test/support/python-reference.js';
import { defaultRng } from './generator.js';
import { PCG64 } from './pcg64.js';
import { generateState, seedSequencePool, seedWords } from './seed-sequence.js';

interface Streams {
  numpy: string;
  seeds: {
    seed: number;
    pool: number[];
    generateState8: number[];
    state: string;
    inc: string;
    raw: string[];
    normals: number[];
    uniforms: number[];
  }[];
  shapes: { seed: number; draws: { shape: number[]; values: number[] }[] }[];
  long: { seed: number; n: number; sha256: string; tail: number; last: number }[];
}

const stored = loadStored<Streams>('sgn/random/testdata/numpy-streams.json');
const live = runPythonReference<Streams>('numpy_streams.py');
const sources: [string, Streams][] = [[`stored (NumPy ${stored.numpy})`, stored]];
if (live.ok) sources.push([`live NumPy ${live.data.numpy}`, live.data]);
else console.warn(`numpy-streams: comparing with the stored values only (${live.reason})`);

const hex32 = (words: readonly number[]): string =>
  words.map((w) => w.toString(16).padStart(8, '0')).join('');

function rawHex(g: PCG64, n: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    g.nextUint64();
    out.push(hex32([g.hi, g.lo]));
  }
  return out;
}

describe.each(sources)('NumPy streams: %s', (_name, ref) => {
  it('covers the seeds and the ziggurat tail', () => {
    expect(ref.seeds.length).toBeGreaterThanOrEqual(40);
    for (const l of ref.long) expect(l.tail).toBeGreaterThan(10);
  });

  it('SeedSequence: pool and generate_state', () => {
    for (const s of ref.seeds) {
      expect([...seedSequencePool(s.seed)], `seed ${s.seed}`).toEqual(s.pool);
      expect([...generateState(s.seed, 8)], `seed ${s.seed}`).toEqual(s.generateState8);
    }
  });

  it('PCG64: seeded state, increment and raw 64-bit output', () => {
    for (const s of ref.seeds) {
      const g = PCG64.fromSeed(s.seed);
      const w = g.stateWords();
      expect(hex32(w.state), `seed ${s.seed}`).toBe(s.state);
      expect(hex32(w.inc), `seed ${s.seed}`).toBe(s.inc);
      expect(rawHex(g, s.raw.length), `seed ${s.seed}`).toEqual(s.raw);
    }
  });

  it('default_rng(seed).standard_normal(64), then .random(8)', () => {
    for (const s of ref.seeds) {
      const rng = defaultRng(s.seed);
      expect([...rng.normals(s.normals.length)], `seed ${s.seed}`).toEqual(s.normals);
      expect(
        s.uniforms.map(() => rng.uniform()),
        `seed ${s.seed}`,
      ).toEqual(s.uniforms);
    }
  });

  it('draws of several shapes from one generator, row by row', () => {
    for (const s of ref.shapes) {
      const rng = defaultRng(s.seed);
      for (const d of s.draws) {
        const n = d.shape.reduce((a, b) => a * b, 1);
        expect([...rng.normals(n)], `seed ${s.seed} shape ${d.shape.join('x')}`).toEqual(d.values);
      }
    }
  });

  it('long streams: SHA-256 of the float64 bytes', () => {
    for (const l of ref.long) {
      const x = defaultRng(l.seed).normals(l.n);
      expect(x[l.n - 1]).toBe(l.last);
      const bytes = Buffer.from(x.buffer, x.byteOffset, x.byteLength); // little-endian on every Node platform
      expect(createHash('sha256').update(bytes).digest('hex'), `seed ${l.seed}`).toBe(l.sha256);
    }
  });
});

describe('seeds', () => {
  it('are non-negative safe integers, split into 32-bit words', () => {
    expect([...seedWords(0)]).toEqual([0]);
    expect([...seedWords(2 ** 32 + 5)]).toEqual([5, 1]);
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN])
      expect(() => seedWords(bad)).toThrow(/non-negative safe integer/);
  });
});
