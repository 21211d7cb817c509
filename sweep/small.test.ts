/**
 * The small scale: every axis cut to at most 5 values (ends kept, evenly spread), seed axes and
 * step-size seeds to 2, perturbation trials to their first 2, steps to 500; a distinct id and hash;
 * deterministic; a bad spec refused with the full spec's message; the input left as it was.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readDataFile } from '../formats/data-file.js';
import { InputError } from '../sgn/util/errors.js';
import { axisValues } from './axes.js';
import { resolveSpec, sweepIdFor } from './resolve.js';
import { prefixAxis, smallSpec, spreadAxis } from './small.js';

const paper = new URL('../examples/paper/', import.meta.url).pathname;
const load = (name: string) => readDataFile(join(paper, name));

describe('spreadAxis / prefixAxis', () => {
  it('keeps both ends and spreads the rest evenly over the index range', () => {
    const lambda = { linspace: [0, 2.5, 61] as [number, number, number] };
    const all = axisValues(lambda);
    expect(spreadAxis(lambda, 5)).toEqual({ values: [0, 15, 30, 45, 60].map((i) => all[i]) });
    expect(spreadAxis({ values: [1, 2, 3] }, 5)).toEqual({ values: [1, 2, 3] });
    expect(spreadAxis({ range: [12345, 42345, 1000] }, 2)).toEqual({ values: [12345, 41345] });
    expect(spreadAxis({ values: [4, 5, 6] }, 1)).toEqual({ values: [4] });
    expect(prefixAxis({ range: [0, 12, 1] }, 2)).toEqual({ values: [0, 1] });
  });
});

describe('smallSpec', () => {
  it('cuts the random suite to 2 seeds x 5 lambdas, with its own id and hash', () => {
    const raw = load('random-suite.yaml');
    const before = JSON.stringify(raw);
    const full = resolveSpec(raw, { baseDir: paper });
    const small = resolveSpec(smallSpec(raw), { baseDir: paper });
    expect(JSON.stringify(raw)).toBe(before);
    expect(sweepIdFor(small)).toBe('paper-random-suite-small');
    expect(small.specHash).not.toBe(full.specHash);
    expect(small.axes.map((a) => [a.name, axisValues(a.axis)])).toEqual([
      ['seed', [12345, 41345]],
      ['lambda', [0, 2, 3, 5, 6].map((i) => axisValues(full.axes[1].axis)[i])],
    ]);
    expect(small.totalCells).toBe(10);
    // Deterministic: the same small spec twice.
    expect(resolveSpec(smallSpec(raw), { baseDir: paper }).specHash).toBe(small.specHash);
  });

  it('keeps the first 2 trials of a shared noise stream and cuts eps', () => {
    const small = resolveSpec(smallSpec(load('noise-robustness.yaml')), { baseDir: paper });
    const byName = Object.fromEntries(small.axes.map((a) => [a.name, axisValues(a.axis)]));
    expect(byName.trial).toEqual([0, 1]);
    expect(byName.eps).toHaveLength(5);
    expect(byName.eps[0]).toBe(0);
    expect(byName.eps[4]).toBe(1);
    expect(small.perturbation?.trials).toBe(2);
  });

  it('cuts step axes, seeds and steps; leaves seeds: 0 alone', () => {
    const markov = resolveSpec(smallSpec(load('markov-stability.yaml')), { baseDir: paper });
    expect(markov.stepsize).toMatchObject({ seeds: 2, steps: 500 });
    expect(markov.stepsize?.multipliers).toHaveLength(5);
    const rho = resolveSpec(smallSpec(load('lq64-rho-euler.yaml')), { baseDir: paper });
    expect(rho.stepsize).toMatchObject({ seeds: 0, base: 'absolute' });
    // linspace(0, 3, 400) at indices 0, 100, 200, 299, 399 (round(i 399 / 4)).
    expect(rho.stepsize?.multipliers).toEqual(
      [0, 100, 200, 299, 399].map((i) => expect.closeTo((3 * i) / 399, 12)),
    );
    const discrete = resolveSpec(smallSpec(load('lq64-discrete-steps.yaml')), { baseDir: paper });
    expect(discrete.stepsize?.multipliers).toEqual([0.2, 0.35, 0.65, 0.8, 0.9]); // indices 0, 1, 3, 4, 5 of 6;
    expect(discrete.stepsize).toMatchObject({ seeds: 2, steps: 500 });
  });

  it('names a spec without an id, so its derived id differs from the full one', () => {
    const raw = {
      name: 'toy',
      kind: 'certify',
      game: { family: 'quadratic', preset: 'scalar', mu1: 1, mu2: 1, b: 0.05, a: { linspace: [0, 1, 11] } },
    };
    const small = resolveSpec(smallSpec(raw), { baseDir: paper });
    expect(small.name).toBe('toy (small)');
    expect(sweepIdFor(small)).toMatch(/^toy-small-[0-9a-f]{10}$/);
  });

  it('refuses a bad spec with the message the full spec gets', () => {
    const bad = { kind: 'certify', game: { family: 'quadratic', lambda: { linspace: [0, 1, 2.5] } } };
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as Error).message;
      }
      return null;
    };
    const expected = message(() => resolveSpec(bad, { baseDir: paper }));
    expect(expected).toContain('spec.game.lambda.linspace[2]');
    expect(message(() => smallSpec(bad))).toBe(expected);
  });
});
