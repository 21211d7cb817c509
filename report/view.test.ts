/** --x, --slice and --aggregate against a sweep's axes: choices, refusals, labels. */
import { describe, expect, it } from 'vitest';
import type { SweepAxis } from '../sweep/resolved.js';
import { InputError } from '../sgn/util/errors.js';
import { chooseView, groupKey, inView, sliceLabel, viewCaption } from './view.js';

const axes: SweepAxis[] = [
  { name: 'seed', target: 'game', field: 'spec.game.seed', axis: { range: [1, 4, 1] }, length: 3 },
  { name: 'lambda', target: 'game', field: 'spec.game.lambda', axis: { range: [0, 0.2, 0.05] }, length: 4 },
  { name: 'mu0', target: 'game', field: 'spec.game.mu0', axis: { values: [1, 2] }, length: 2 },
  {
    name: 'ratio',
    target: 'weights',
    field: 'spec.weights.ratio',
    axis: { geomspace: [0.1, 10, 3] },
    length: 3,
  },
];

function refused(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('not refused');
}

describe('chooseView', () => {
  it('draws against the first axis that is not a seed, held or pooled', () => {
    expect(chooseView(axes, {}, 's').x).toBe('lambda');
    expect(chooseView(axes, { slice: ['lambda=0.1'] }, 's').x).toBe('mu0');
    expect(chooseView(axes, { aggregate: ['lambda,mu0'] }, 's').x).toBe('seed');
    expect(chooseView(axes, { x: 'mu0', aggregate: ['seed'] }, 's')).toMatchObject({
      x: 'mu0',
      aggregate: ['seed'],
    });
    // A seed is x only when nothing else is left.
    expect(chooseView(axes.slice(0, 1), {}, 's').x).toBe('seed');
    expect(chooseView(axes.slice(3), {}, 's').x).toBeNull();
  });

  it('holds a --slice value at the axis value it names (float noise and printed digits)', () => {
    const v = chooseView(axes, { slice: ['lambda=0.15', 'mu0=2'] }, 's');
    expect(v.fixed.get('lambda')).toBe(0.15000000000000002);
    expect(v.fixed.get('mu0')).toBe(2);
    expect(viewCaption(v)).toBe('lambda=0.15; mu0=2');
    expect(inView(v, { seed: 1, lambda: 0.15000000000000002, mu0: 2 })).toBe(true);
    expect(inView(v, { seed: 1, lambda: 0.1, mu0: 2 })).toBe(false);
    // Rows without the axis are not checked on it.
    expect(inView(v, { seed: 1 })).toBe(true);
  });

  it('labels slices at the axis precision and groups rows by the axes not pooled', () => {
    const v = chooseView(axes, { x: 'mu0', aggregate: ['seed'] }, 's');
    const at = { seed: 3, lambda: 0.15000000000000002, mu0: 1 };
    expect(sliceLabel(v, at)).toBe('lambda=0.15');
    expect(groupKey(v, at)).toBe(groupKey(v, { ...at, seed: 1 }));
    expect(groupKey(v, at)).not.toBe(groupKey(v, { ...at, mu0: 2 }));
    expect(sliceLabel(chooseView(axes, {}, 's'), at)).toBe('seed=3,mu0=1');
  });

  it('refuses unknown axes and values in one line naming the valid ones', () => {
    expect(refused(() => chooseView(axes, { x: 'kappa' }, 'sw')).message).toBe(
      '--x: "kappa" is not an axis of sweep "sw" (its axes: seed, lambda, mu0, ratio)',
    );
    expect(refused(() => chooseView(axes, { x: 'ratio' }, 'sw')).message).toBe(
      "--x: ratio is the band map's vertical axis; --x takes seed, lambda, mu0",
    );
    expect(refused(() => chooseView(axes, { slice: ['lambda=0.12'] }, 'sw')).message).toBe(
      '--slice lambda: "0.12" is not a value of the axis (its values: 0, 0.05, 0.1, 0.15)',
    );
    expect(refused(() => chooseView(axes, { slice: ['lambda=abc'] }, 'sw')).field).toBe('--slice lambda');
    expect(refused(() => chooseView(axes, { slice: ['lambda'] }, 'sw')).message).toBe(
      '--slice: must look like PARAM=VALUE, got "lambda"',
    );
    expect(refused(() => chooseView(axes, { aggregate: ['seed,trial'] }, 'sw')).message).toBe(
      '--aggregate: "trial" is not an axis of sweep "sw" (its axes: seed, lambda, mu0, ratio)',
    );
    expect(refused(() => chooseView(axes, { aggregate: ['seed'], x: 'seed' }, 'sw')).field).toBe('--x');
    expect(refused(() => chooseView(axes, { aggregate: ['seed'], slice: ['seed=1'] }, 'sw')).field).toBe(
      '--slice',
    );
    const long: SweepAxis = { ...axes[0], axis: { range: [0, 20, 1] }, length: 20 };
    expect(refused(() => chooseView([long], { slice: ['seed=30'] }, 'sw')).message).toBe(
      '--slice seed: "30" is not a value of the axis (its values: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ... (20 values))',
    );
  });
});
